"""Read ``quizzes/*.md`` into a :class:`QuizCatalogue`, reporting every problem at once.

A file is front matter plus Markdown. Each ``##`` heading starts a question (or, in a
branching case, a step); the lines under it are, in order: settings (``Type: multiple``), the
question's text, its answers (``- [ ]`` / ``- [x]`` / ``- [1]`` / ``- a -> b``, each with
indented ``> feedback``) and, last, a ``>`` blockquote of feedback for the whole question.
``docs/authoring.md`` describes the format for authors.

Markdown is rendered here, once per file version (the parsed quiz is cached by the file's
sha256), with the module renderer and its sanitiser.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from types import MappingProxyType
from typing import Any

from learning.content.files import (
    SLUG_PATTERN,
    check_markdown,
    colon_advice,
    content_files,
    decode_utf8,
    relative_path,
    split_front_matter,
    unknown,
)
from learning.content.problems import ContentError, Problem
from learning.content.yamlines import LineDict, LineList
from learning.professions import BY_CODE, CODES

from . import cases, kinds, questions
from .model import QUIZ_TOPICS_BY_CODE, Band, Quiz, QuizCatalogue
from .reading import Reader, slugify
from .shapes import Shape

QUIZZES_DIR = "quizzes"
FRONT_MATTER_KEYS = (
    "title",
    "summary",
    "type",
    "topic",
    "modules",
    "professions",
    "pass_mark",
    "max_attempts",
    "minutes",
    "cpd_hours",
    "layout",
    "allow_back",
    "feedback",
    "start",
)
REQUIRED_KEYS = ("title", "summary", "topic", "pass_mark", "minutes", "cpd_hours")
#: The shapes a quiz file may have, by the front matter's ``type:``.
SHAPES: dict[str, Shape] = {shape.name: shape for shape in (questions.SHAPE, cases.SHAPE)}
DEFAULT_SHAPE = questions.SHAPE
#: What a quiz is when its front matter does not say.
DEFAULTS: dict[str, Any] = {
    "modules": (),
    "professions": CODES,
    "for_all_professions": True,
    "max_attempts": 0,
    "layout": "paged",
    "allow_back": True,
    "bands": (),
    "start": "",
}
#: The whole-number keys: lowest, highest, and an example for the message.
WHOLE_NUMBERS = {
    "pass_mark": (0, 100, "80"),
    "max_attempts": (0, 1000, "3, or 0 for no limit"),
    "minutes": (1, 1000, "15"),
}
LAYOUTS = ("paged", "single")

__all__ = ["check_quizzes", "load_quizzes", "quizzes_for", "read_quiz", "slugify"]


# Catalogue ------------------------------------------------------------------------------


def check_quizzes(
    root: Path, *, module_slugs: frozenset[str] | None = None
) -> tuple[QuizCatalogue, list[Problem]]:
    """Every valid quiz under ``root/quizzes`` and every problem found, without raising."""
    root = Path(root)
    folder = root / QUIZZES_DIR
    quizzes: list[Quiz] = []
    problems: list[Problem] = []
    if folder.is_dir():
        for path in content_files(folder):
            quiz, found = read_quiz(path.read_bytes(), relative_path(path, root), module_slugs)
            problems += found
            if quiz is not None:
                quizzes.append(quiz)
    problems += _same_titles(quizzes)
    problems.sort(key=lambda p: (p.path, p.line))
    return QuizCatalogue(tuple(quizzes)), problems


def _same_titles(quizzes: list[Quiz]) -> list[Problem]:
    """Two scenarios with one title cannot be told apart in lists: each after the first (in
    file order) is reported, naming the first."""
    found: list[Problem] = []
    first: dict[str, Quiz] = {}
    for quiz in quizzes:
        other = first.setdefault(quiz.title.casefold(), quiz)
        if other is not quiz:
            found.append(
                Problem(
                    quiz.path,
                    quiz.front_lines.get("title", 1),
                    f'{other.path} already has the title "{other.title}": give each scenario a'
                    " title of its own, so learners can tell them apart",
                )
            )
    return found


def load_quizzes(root: Path, *, module_slugs: frozenset[str] | None = None) -> QuizCatalogue:
    """Load every quiz under ``root/quizzes`` (none if there is no such folder).

    Raises :class:`ContentError` listing every problem. ``module_slugs`` (when given) are the
    modules a quiz may name in ``modules`` and link to.
    """
    catalogue, problems = check_quizzes(root, module_slugs=module_slugs)
    if problems:
        raise ContentError(problems)
    return catalogue


def quizzes_for(
    root: Path, *, debug: bool = False, module_slugs: frozenset[str] | None = None
) -> QuizCatalogue:
    """The quizzes for ``root``, loaded on first use and then kept.

    With ``debug``, the files' sizes and modification times are compared on every call and
    the catalogue is rebuilt when one changed; unchanged files are not parsed again.
    """
    root = Path(root).resolve()
    return _catalogue(root, module_slugs, _stamp(root / QUIZZES_DIR) if debug else None)


def _stamp(folder: Path) -> tuple:
    """What changes when a quiz file is edited, added or removed."""
    return tuple(
        (p.name, s.st_size, s.st_mtime_ns)
        for p in (content_files(folder) if folder.is_dir() else [])
        if (s := p.stat())
    )


@functools.lru_cache(maxsize=32)
def _catalogue(root: Path, module_slugs: frozenset[str] | None, stamp: tuple | None):
    return load_quizzes(root, module_slugs=module_slugs)


def read_quiz(
    data: bytes, path: str, module_slugs: frozenset[str] | None = None
) -> tuple[Quiz | None, list[Problem]]:
    """One quiz file: the quiz (None if it has problems) and its problems; cached by version.

    Reading depends on the registered question kinds, so the cache key includes their names:
    a kind registered later (a test's, a plugin's) is honoured."""
    quiz, problems = _read(data, path, module_slugs, kinds.names())
    return quiz, list(problems)


@functools.lru_cache(maxsize=512)
def _read(
    data: bytes, path: str, module_slugs: frozenset[str] | None, kind_names: tuple[str, ...]
) -> tuple[Quiz | None, tuple[Problem, ...]]:
    version = hashlib.sha256(data).hexdigest()
    reader = _Reader(path, Path(path).stem, version, module_slugs)
    quiz = reader.read(data)
    problems = tuple(sorted(reader.problems, key=lambda p: p.line))
    return (quiz if not problems else None), problems


# Reading one file ------------------------------------------------------------------------


class _Reader(Reader):
    """Reads one quiz file: its front matter here, its blocks by its shape."""

    def read(self, data: bytes) -> Quiz | None:
        """The quiz, or None when the file has problems (all of them recorded)."""
        text = decode_utf8(data, self.path, self.problems)
        if text is None:
            return None
        if not SLUG_PATTERN.fullmatch(self.slug):
            self.problem(
                1,
                f'the file name "{self.slug}.md" must be lower-case letters, digits and hyphens'
                " (it becomes the address of the scenario)",
            )
        split = split_front_matter(text, self.problem)
        if split is None:
            return None
        front, close, body_lines, body_line = split
        fields = self.front_matter(front, close)
        if not check_markdown(body_lines, body_line, self.problem):
            return None  # after a code block that is never closed, every line reads as code
        shape = fields["shape"]
        intro, blocks = self.blocks(body_lines, body_line, shape)
        fields["intro"] = self.prose(intro, body_line)
        shape.read_body(self, blocks, fields, front, close)
        self.check_ids(blocks, shape.noun)
        if self.problems:
            return None
        lines = {key: line for key, line in front.lines.items() if isinstance(key, str)}
        return Quiz(
            slug=self.slug,
            path=self.path,
            version=self.version,
            front_lines=MappingProxyType({**lines, "---": close}),
            **fields,
        )

    # Front matter -----------------------------------------------------------------------

    def front_matter(self, front: LineDict, close: int) -> dict[str, Any]:
        """Check every key; return the valid values under their Quiz field names."""
        for key, line in front.duplicates:
            self.problem(line, f'"{key}" appears twice in the front matter')
        for key in front:
            if key not in FRONT_MATTER_KEYS:
                self.problem(front.lines[key], unknown("front matter key", key, FRONT_MATTER_KEYS))
        for key in REQUIRED_KEYS:
            if key not in front:
                self.problem(close, f'the front matter is missing "{key}"')
        fields: dict[str, Any] = {**DEFAULTS, "shape": self.shape(front)}
        readers = {
            "title": self.text,
            "summary": self.text,
            "topic": self.topic,
            "modules": self.module_list,
            "professions": self.profession_list,
            "pass_mark": self.whole_number,
            "max_attempts": self.whole_number,
            "minutes": self.whole_number,
            "cpd_hours": self.hours,
            "layout": self.layout,
            "allow_back": self.allow_back,
            "feedback": self.bands,
            "start": self.start,
        }
        for key, read in readers.items():
            if key not in front:
                continue
            if key in fields["shape"].refuses:
                self.problem(front.lines[key], fields["shape"].refuses[key])
            else:
                fields.update(read(key, front[key], front.lines[key]))
        return fields

    def shape(self, front: LineDict) -> Shape:
        """The shape the front matter's ``type`` names (a quiz of questions by default)."""
        if "type" not in front:
            return DEFAULT_SHAPE
        written = front["type"]
        if written not in SHAPES:
            named = " or ".join(f'"{name}"' for name in SHAPES)
            self.problem(front.lines["type"], f'"type" must be {named}, not "{written}"')
            return DEFAULT_SHAPE
        return SHAPES[written]

    def text(self, key: str, value: Any, line: int) -> dict[str, Any]:
        """``title`` or ``summary``: some text, its spacing tidied."""
        if isinstance(value, str) and value.strip():
            return {key: " ".join(value.split())}
        advice = colon_advice(value)
        self.problem(line, f'"{key}" must be some text' + (f": {advice}" if advice else ""))
        return {}

    def topic(self, key: str, value: Any, line: int) -> dict[str, Any]:
        """``topic``: one of the controlled list."""
        if value in QUIZ_TOPICS_BY_CODE:
            return {"topic": value}
        self.problem(line, unknown("topic", value, QUIZ_TOPICS_BY_CODE))
        return {}

    def whole_number(self, key: str, value: Any, line: int) -> dict[str, Any]:
        """``pass_mark``, ``max_attempts``, ``minutes``: a whole number within its range."""
        low, high, example = WHOLE_NUMBERS[key]
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return {key: value}
        self.problem(line, f'"{key}" must be a whole number from {low} to {high}, e.g. {example}')
        return {}

    def hours(self, key: str, value: Any, line: int) -> dict[str, Any]:
        """``cpd_hours``: a number of hours, 0 or more."""
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return {"cpd_hours": float(value)}
        self.problem(line, '"cpd_hours" must be a number of hours, e.g. 1 or 0.25')
        return {}

    def layout(self, key: str, value: Any, line: int) -> dict[str, Any]:
        """``layout``: one question per page, or all on one."""
        if value in LAYOUTS:
            return {"layout": value}
        self.problem(line, f'"layout" must be "paged" or "single", not "{value}"')
        return {}

    def allow_back(self, key: str, value: Any, line: int) -> dict[str, Any]:
        """``allow_back``: true or false."""
        if isinstance(value, bool):
            return {"allow_back": value}
        self.problem(line, '"allow_back" must be true or false')
        return {}

    def start(self, key: str, value: Any, line: int) -> dict[str, Any]:
        """``start``: the id of a case's first step (checked against the steps later)."""
        if isinstance(value, str):
            return {"start": value}
        self.problem(line, '"start" must be the id of a step')
        return {}

    def module_list(self, key: str, modules: Any, line: int) -> dict[str, Any]:
        """The ``modules`` list, each checked against the known modules."""
        if not isinstance(modules, LineList):
            self.problem(
                line, '"modules" must be a list of module names, e.g. [hospital-discharge]'
            )
            return {}
        for slug, item_line in zip(modules, modules.lines, strict=True):
            if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug):
                self.problem(item_line, f'module name "{slug}" must be a file name without .md')
            elif self.module_slugs is not None and slug not in self.module_slugs:
                self.problem(item_line, unknown("module", slug, sorted(self.module_slugs)))
        return {"modules": tuple(str(s) for s in modules)}

    def profession_list(self, key: str, value: Any, line: int) -> dict[str, Any]:
        """``professions``: ``all`` or a list of known codes."""
        if value == "all" or value == ["all"]:
            return {}
        if not isinstance(value, LineList) or not value:
            self.problem(line, '"professions" must be "all" or a list of profession codes')
            return {}
        for code, item_line in zip(value, value.lines, strict=True):
            if code not in BY_CODE:
                self.problem(item_line, unknown("profession", code, CODES))
        return {"professions": tuple(value), "for_all_professions": False}

    def bands(self, key: str, value: Any, line: int) -> dict[str, Any]:
        """The overall ``feedback`` bands, lowest first."""
        if not isinstance(value, LineList) or not value:
            self.problem(line, '"feedback" must be a list of bands, each "- from: 80" and "text:"')
            return {}
        bands: list[Band] = []
        seen: set[int] = set()
        for band, band_line in zip(value, value.lines, strict=True):
            if not isinstance(band, LineDict) or not {"from", "text"} <= band.keys():
                self.problem(band_line, 'each feedback band needs "from:" (a percent) and "text:"')
                continue
            for key in band:
                if key not in ("from", "text"):
                    self.problem(band.lines[key], unknown("feedback key", key, ("from", "text")))
            start, text = band["from"], band["text"]
            if not isinstance(start, int) or isinstance(start, bool) or not 0 <= start <= 100:
                self.problem(band.lines["from"], '"from" must be a percent from 0 to 100')
            elif start in seen:
                self.problem(band.lines["from"], f"two feedback bands start at {start}%")
            elif not isinstance(text, str) or not text.strip():
                self.problem(band.lines["text"], 'the band\'s "text" must be some text')
            else:
                seen.add(start)
                bands.append(Band(start, self.inline(text, band.lines["text"])))
        return {"bands": tuple(sorted(bands, key=lambda b: b.start))}
