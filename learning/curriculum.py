"""The app's one front door to the content: modules, glossary and quizzes as one immutable
:class:`Curriculum`, loaded once when the app is created and reloaded in debug mode when a file
changes. Every worker derives the same curriculum from the same files.

This module sits above both loaders (:mod:`learning.content` and :mod:`learning.quizzes`),
so it is also where the content is checked as a whole: what one file says about another (a
scenario and the modules it goes with), and the editorial standard's warnings.

A file with a problem is left out of the site, and the problems are part of the curriculum
(``Curriculum.problems``): computed from the files at load, so every worker holds the same
list and an administrator's page shows it. With ``STRICT_CONTENT`` the app refuses to start
instead, as a release pipeline wants.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask, current_app

from . import content
from .content import (
    Catalogue,
    CheckResult,
    ContentError,
    Glossary,
    Module,
    Problem,
    module_slugs_in,
    quiz_slugs_in,
)
from .items import ItemKind, ItemRef
from .quizzes import Quiz, QuizCatalogue, check_quizzes


@dataclass(frozen=True)
class Curriculum:
    """Everything a learner can study: the modules (with the glossary) and the quizzes.

    ``problems`` are the mistakes found in the files: a module or scenario with one is left
    out (in the glossary, only the entries with one). ``warnings`` never leave anything out.
    """

    modules: Catalogue
    quizzes: QuizCatalogue
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def glossary(self) -> Glossary:
        """The shared glossary of the modules."""
        return self.modules.glossary

    @functools.cached_property
    def version(self) -> str:
        """One hash of every served file's version (modules, glossary, quizzes): it changes
        when any content a page may show changes, as pages' ETags need."""
        versions = [f"module {m.slug} {m.version}" for m in self.modules.modules]
        versions.append(f"glossary {self.glossary.version}")
        versions += [f"quiz {q.slug} {q.version}" for q in self.quizzes]
        return hashlib.sha256("\n".join(versions).encode()).hexdigest()

    @property
    def problems_by_file(self) -> dict[str, tuple[Problem, ...]]:
        """The files with problems, in path order, each with its problems in line order."""
        found: dict[str, list[Problem]] = {}
        for problem in self.problems:
            found.setdefault(problem.path, []).append(problem)
        return {path: tuple(problems) for path, problems in sorted(found.items())}

    def get(self, ref: ItemRef | tuple[str, str]) -> Module | Quiz | None:
        """The module or quiz a reference names, or None (unknown kind or slug)."""
        kind, slug = ref
        if kind == ItemKind.MODULE:
            return self.modules.get(slug)
        if kind == ItemKind.QUIZ:
            return self.quizzes.get(slug)
        return None

    def title(self, ref: ItemRef | tuple[str, str]) -> str:
        """The item's title; its slug once its file has gone, so old records still read."""
        found = self.get(ref)
        return found.title if found is not None else ref[1]

    def titles(self) -> dict[ItemRef, str]:
        """Every module then every quiz, in catalogue order, by reference."""
        found = {ItemRef(ItemKind.MODULE, m.slug): m.title for m in self.modules.modules}
        found.update({ItemRef(ItemKind.QUIZ, q.slug): q.title for q in self.quizzes})
        return found


def load(root: Path, *, strict: bool = True, debug: bool = False) -> Curriculum:
    """The curriculum under ``root``. With ``strict``, raises
    :class:`~learning.content.ContentError` naming every problem; otherwise the files with
    problems are left out and listed in ``problems``. Kept per root; with ``debug``, read
    again when a file changes (only what changed is parsed and rendered again)."""
    root = Path(root).resolve()
    found = _examined(root, _fingerprint(root) if debug else None)
    if strict and found.problems:
        raise ContentError(found.problems)
    return found


def check(root: Path, *, today: date | None = None) -> CheckResult:
    """Validate modules, glossary and quizzes together without raising (``flask content
    check``): every problem in file order, warnings, and counts. Quizzes are checked and
    counted when the quizzes folder exists; ``today`` adds the reviews that are overdue."""
    root = Path(root)
    found = _examine(root, today)
    counts = {"modules": len(found.modules.modules), "glossary terms": len(found.glossary)}
    if quiz_slugs_in(root) is not None:
        counts["quizzes"] = len(found.quizzes)
    return CheckResult(list(found.problems), list(found.warnings), counts)


@functools.lru_cache(maxsize=32)
def _examined(root: Path, stamp: tuple | None) -> Curriculum:
    """One curriculum per root and (in debug mode) state of its files."""
    return _examine(root, None)


def _examine(root: Path, today: date | None) -> Curriculum:
    """Read and check every file; leave out the modules and scenarios that have problems."""
    quiz_slugs = quiz_slugs_in(root)
    catalogue, problems = content.examine(root, quiz_slugs=quiz_slugs, today=today)
    warnings = list(catalogue.warnings)
    quizzes = QuizCatalogue()
    if quiz_slugs is not None:
        quizzes, found = check_quizzes(root, module_slugs=module_slugs_in(root))
        problems += found
        problems += _pairs(catalogue, quizzes)
        for quiz in quizzes:
            warnings += [Problem(quiz.path, n, text) for n, text in quiz.shape.editorial(quiz)]
    left_out = {problem.path for problem in problems}
    served = [m for m in catalogue.modules if m.path not in left_out]
    return Curriculum(
        modules=Catalogue.of(served, catalogue.glossary, catalogue.warnings),
        quizzes=QuizCatalogue(tuple(q for q in quizzes if q.path not in left_out)),
        problems=_in_order(problems),
        warnings=_in_order(warnings),
    )


def _pairs(modules: Catalogue, quizzes: QuizCatalogue) -> list[Problem]:
    """A scenario and a module go together when both say so: the scenario names the module
    in ``modules`` and the module names the scenario in ``quizzes``. A scenario that goes with
    no module appears on no module's page. Reported at the scenario, which is left out until
    the two agree (a module that is otherwise right keeps being served)."""
    listing: dict[str, list[Module]] = {}
    for module in modules.modules:
        for slug in module.quizzes:
            listing.setdefault(slug, []).append(module)
    found: list[Problem] = []
    for quiz in quizzes:
        line = quiz.front_lines.get("modules", quiz.front_lines.get("---", 1))

        def problem(message: str, quiz: Quiz = quiz, line: int = line) -> None:
            found.append(Problem(quiz.path, line, message))

        for slug in quiz.modules:
            module = modules.get(slug)
            if module is not None and quiz.slug not in module.quizzes:
                problem(
                    f'{module.path} does not list this scenario in its "quizzes", so its page'
                    f' does not show it: add {quiz.slug} to its "quizzes", or take {slug} out'
                    ' of "modules" here'
                )
        for module in listing.get(quiz.slug, []):
            if module.slug not in quiz.modules:
                problem(
                    f'{module.path} lists this scenario in its "quizzes": add {module.slug} to'
                    f' "modules" here, or take {quiz.slug} out of its "quizzes"'
                )
        if not quiz.modules and not listing.get(quiz.slug):
            problem(
                "no module goes with this scenario, so no module's page shows it: name a"
                f' module in "modules", and add {quiz.slug} to that module\'s "quizzes"'
            )
    return found


def _in_order(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda p: (p.path, p.line)))


def _fingerprint(root: Path) -> tuple:
    """Name, size and modification time of every file in the content folders."""
    return tuple(
        (path.as_posix(), stat.st_size, stat.st_mtime_ns)
        for folder in (root / "modules", root / "quizzes")
        if folder.is_dir()
        for path in sorted(folder.iterdir())
        if path.is_file() and (stat := path.stat())
    )


def init_app(app: Flask) -> None:
    """Load and check the content. A file with a problem is left out and logged, and the
    rest is served; with ``STRICT_CONTENT`` a ContentError stops the app starting instead,
    naming every problem by file and line."""
    found = load(Path(app.config["CONTENT_ROOT"]), strict=app.config["STRICT_CONTENT"])
    app.extensions["curriculum"] = found
    if found.problems:
        files = found.problems_by_file
        app.logger.error(
            "%d content file%s left out of the site until corrected (listed for"
            " administrators under Admin -> Content): %s",
            len(files),
            "s are" if len(files) != 1 else " is",
            ", ".join(files),
        )
        for problem in found.problems:
            app.logger.error("content problem: %s", problem)


def curriculum() -> Curriculum:
    """The current app's curriculum; in debug mode, re-read if a file changed."""
    if current_app.debug:
        return load(
            Path(current_app.config["CONTENT_ROOT"]),
            strict=current_app.config["STRICT_CONTENT"],
            debug=True,
        )
    return current_app.extensions["curriculum"]
