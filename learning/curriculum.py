"""The app's one front door to the content: modules, glossary and quizzes as one immutable
:class:`Curriculum`, loaded once when the app is created and reloaded in debug mode when a file
changes. Every worker derives the same curriculum from the same files.

This module sits above both loaders (:mod:`learning.content` and :mod:`learning.quizzes`),
so it is also where the content is checked as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask, current_app

from . import content
from .content import Catalogue, CheckResult, Glossary, Module, module_slugs_in, quiz_slugs_in
from .items import ItemKind, ItemRef
from .quizzes import Quiz, QuizCatalogue, check_quizzes, quizzes_for


@dataclass(frozen=True)
class Curriculum:
    """Everything a learner can study: the modules (with the glossary) and the quizzes."""

    modules: Catalogue
    quizzes: QuizCatalogue

    @property
    def glossary(self) -> Glossary:
        """The shared glossary of the modules."""
        return self.modules.glossary

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


def load(root: Path, *, debug: bool = False) -> Curriculum:
    """The curriculum under ``root``: modules checked against the quizzes that exist, and
    quizzes against the modules. Raises :class:`~learning.content.ContentError`."""
    modules = content.catalogue_for(root, debug=debug, quiz_slugs=quiz_slugs_in(root))
    quizzes = quizzes_for(root, debug=debug, module_slugs=frozenset(modules.slugs))
    return Curriculum(modules, quizzes)


def check(root: Path, *, today: date | None = None) -> CheckResult:
    """Validate modules, glossary and quizzes together without raising (``flask content
    check``): every problem in file order, warnings, and counts. Quizzes are checked and
    counted when the quizzes folder exists."""
    root = Path(root)
    quiz_slugs = quiz_slugs_in(root)
    result = content.check(root, quiz_slugs=quiz_slugs, today=today)
    if quiz_slugs is None:
        return result
    quizzes, found = check_quizzes(root, module_slugs=module_slugs_in(root))
    problems = sorted([*result.problems, *found], key=lambda p: (p.path, p.line))
    return CheckResult(problems, result.warnings, {**result.counts, "quizzes": len(quizzes)})


def init_app(app: Flask) -> None:
    """Load and validate the content; a ContentError stops the app starting, naming every
    problem by file and line."""
    app.extensions["curriculum"] = load(Path(app.config["CONTENT_ROOT"]), debug=app.debug)


def curriculum() -> Curriculum:
    """The current app's curriculum; in debug mode, re-read if a file changed."""
    if current_app.debug:
        return load(Path(current_app.config["CONTENT_ROOT"]), debug=True)
    return current_app.extensions["curriculum"]
