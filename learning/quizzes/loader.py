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

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from markupsafe import Markup

from learning.content import render
from learning.content.files import (
    SLUG_PATTERN,
    content_files,
    decode_utf8,
    relative_path,
    split_front_matter,
    unknown,
)
from learning.content.glossary import Glossary
from learning.content.problems import ContentError, Problem
from learning.content.yamlines import LineDict, LineList
from learning.professions import BY_CODE, CODES, PROFESSIONS

from .model import (
    NO_FEEDBACK,
    QUESTION_TYPES,
    QUIZ_TOPICS_BY_CODE,
    Band,
    Choice,
    Condition,
    Feedback,
    Item,
    Note,
    Option,
    Prose,
    Question,
    Quiz,
    QuizCatalogue,
    Route,
    Step,
    StepChoice,
    normalise_answer,
)

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
QUESTION_SETTINGS = ("type", "points", "scoring", "penalty", "required", "also offer")
STEP_SETTINGS = ("outcome",)
SCORINGS = ("all-or-nothing", "partial")
#: Question types whose answers are written as - [ ] / - [x] boxes.
BOXED = ("single", "multiple", "true-false", "short-text")

HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t#]*")
FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
SETTING = re.compile(r"([A-Za-z][A-Za-z ]*?)[ \t]*:[ \t]*(.*)")
EXPLICIT_ID = re.compile(r"[ \t]*\{#([^}]*)\}[ \t]*$")
BOX = re.compile(r"- \[([^\]]*)\][ \t]+(.+)")
CHOICE = re.compile(
    r"- (?P<text>.+?)(?:[ \t]+->[ \t]*(?P<target>\S+))?"
    r"(?:[ \t]+\((?P<points>[+-]?\d+(?:\.\d+)?)[ \t]+points?\))?[ \t]*"
)
ROUTE = re.compile(r"->[ \t]*(?P<target>\S+)(?:[ \t]+(?P<rest>.*?))?[ \t]*")
SCORE_CONDITION = re.compile(r"score[ \t]*(>=|<=|==|=|>|<)[ \t]*([+-]?\d+(?:\.\d+)?)")
CHOSE_CONDITION = re.compile(r"(not[ \t]+)?chose[ \t]+([a-z0-9-]+)\.([a-z0-9-]+)")
NOTE = re.compile(r"For[ \t]+([^:]{2,40}):[ \t]*(.*)")
ID_LENGTH = 40

#: How authors may name a profession in "For ...:" notes: its code, its plural or its label.
PROFESSION_NAMES: dict[str, str] = {
    **{p.plural.casefold(): p.code for p in PROFESSIONS},
    **{p.label.casefold(): p.code for p in PROFESSIONS},
    **{p.code: p.code for p in PROFESSIONS},
}
_NO_GLOSSARY = Glossary.of(())


def slugify(text: str) -> str:
    """An id made from text: lower-case words joined by hyphens, cut at about 40 characters."""
    words = re.findall(r"[a-z0-9]+", text.casefold().replace("'", "").replace("\u2019", ""))
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > ID_LENGTH:
            break
        slug = f"{slug}-{word}" if slug else word[:ID_LENGTH]
    return slug


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
    problems.sort(key=lambda p: (p.path, p.line))
    return QuizCatalogue(tuple(quizzes)), problems


def load_quizzes(root: Path, *, module_slugs: frozenset[str] | None = None) -> QuizCatalogue:
    """Load every quiz under ``root/quizzes`` (none if there is no such folder).

    Raises :class:`ContentError` listing every problem. ``module_slugs`` (when given) are the
    modules a quiz may name in ``modules`` and link to.
    """
    catalogue, problems = check_quizzes(root, module_slugs=module_slugs)
    if problems:
        raise ContentError(problems)
    return catalogue


_live: dict[tuple, tuple[tuple, QuizCatalogue]] = {}


def quizzes_for(
    root: Path, *, debug: bool = False, module_slugs: frozenset[str] | None = None
) -> QuizCatalogue:
    """The quizzes for ``root``, loaded on first use and then kept.

    With ``debug``, the files' sizes and modification times are compared on every call and
    the catalogue is rebuilt when one changed; unchanged files are not parsed again.
    """
    key = (Path(root).resolve(), module_slugs)
    cached = _live.get(key)
    if cached is not None and not debug:
        return cached[1]
    folder = key[0] / QUIZZES_DIR
    stamp = tuple(
        (p.name, s.st_size, s.st_mtime_ns)
        for p in (content_files(folder) if folder.is_dir() else [])
        if (s := p.stat())
    )
    if cached is not None and cached[0] == stamp:
        return cached[1]
    catalogue = load_quizzes(key[0], module_slugs=module_slugs)
    _live[key] = (stamp, catalogue)
    return catalogue


_parsed: dict[tuple, tuple[Quiz | None, tuple[Problem, ...]]] = {}


def read_quiz(
    data: bytes, path: str, module_slugs: frozenset[str] | None = None
) -> tuple[Quiz | None, list[Problem]]:
    """One quiz file: the quiz (None if it has problems) and its problems; cached by version."""
    version = hashlib.sha256(data).hexdigest()
    key = (path, version, module_slugs)
    if key not in _parsed:
        if len(_parsed) > 500:
            _parsed.clear()
        reader = _Reader(path, Path(path).stem, version, module_slugs)
        quiz = reader.read(data)
        problems = tuple(sorted(reader.problems, key=lambda p: p.line))
        _parsed[key] = (quiz if not problems else None, problems)
    quiz, problems = _parsed[key]
    return quiz, list(problems)


# Reading one file ------------------------------------------------------------------------


@dataclass
class _Entry:
    """An answer line of a question (or a choice of a step) and its indented lines."""

    line: int
    text: str
    sub: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Block:
    """A ``##`` heading and the lines under it, split into their parts."""

    line: int
    title: str
    id: str
    settings: dict[str, tuple[int, str]]
    prompt: list[str]
    prompt_line: int
    entries: list[_Entry]
    feedback: list[tuple[int, str]]


class _Reader:
    """Reads one quiz file, collecting problems instead of stopping at the first."""

    def __init__(
        self, path: str, slug: str, version: str, module_slugs: frozenset[str] | None
    ) -> None:
        self.path = path
        self.slug = slug
        self.version = version
        self.module_slugs = module_slugs
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        """Record a problem at this line of the file."""
        self.problems.append(Problem(self.path, line, message))

    def read(self, data: bytes) -> Quiz | None:
        """The quiz, or None when the file has problems (all of them recorded)."""
        text = decode_utf8(data, self.path, self.problems)
        if text is None:
            return None
        if not SLUG_PATTERN.fullmatch(self.slug):
            self.problem(
                1,
                f'the file name "{self.slug}.md" must be lower-case letters, digits and hyphens'
                " (it becomes the address of the quiz)",
            )
        split = split_front_matter(text, self.problem)
        if split is None:
            return None
        front, close, body_lines, body_line = split
        fields = self.front_matter(front, close)
        branching = fields.get("kind") == "branching"
        intro, blocks = self.blocks(body_lines, body_line, branching)
        fields["intro"] = self.prose(intro, body_line)
        if branching:
            fields["steps"] = tuple(self.step(b) for b in blocks)
            self.check_case(fields["steps"], front, fields, close)
        else:
            fields["questions"] = tuple(self.question(b) for b in blocks)
            if not blocks:
                self.problem(close, "the quiz has no questions: start each with a ## heading")
        self.check_ids(blocks, "step" if branching else "question")
        if self.problems:
            return None
        return Quiz(slug=self.slug, path=self.path, version=self.version, **fields)

    # Front matter -----------------------------------------------------------------------

    def front_matter(self, front: LineDict, close: int) -> dict[str, Any]:
        """Check every key; return the valid values under their Quiz field names."""
        problem = self.problem
        fields: dict[str, Any] = {
            "kind": "questions",
            "modules": (),
            "professions": CODES,
            "for_all_professions": True,
            "max_attempts": 0,
            "layout": "paged",
            "allow_back": True,
            "bands": (),
            "start": "",
        }
        for key, line in front.duplicates:
            problem(line, f'"{key}" appears twice in the front matter')
        for key in front:
            if key not in FRONT_MATTER_KEYS:
                problem(front.lines[key], unknown("front matter key", key, FRONT_MATTER_KEYS))
        for key in REQUIRED_KEYS:
            if key not in front:
                problem(close, f'the front matter is missing "{key}"')

        def value(key: str) -> tuple[Any, int] | None:
            return (front[key], front.lines[key]) if key in front else None

        for key in ("title", "summary"):
            if found := value(key):
                if isinstance(found[0], str) and found[0].strip():
                    fields[key] = " ".join(found[0].split())
                else:
                    problem(found[1], f'"{key}" must be some text')
        if found := value("type"):
            if found[0] == "branching":
                fields["kind"] = "branching"
            elif found[0] != "questions":
                problem(found[1], f'"type" must be "questions" or "branching", not "{found[0]}"')
        if found := value("topic"):
            if found[0] in QUIZ_TOPICS_BY_CODE:
                fields["topic"] = found[0]
            else:
                problem(found[1], unknown("topic", found[0], QUIZ_TOPICS_BY_CODE))
        if found := value("modules"):
            fields["modules"] = self.module_list(*found)
        if found := value("professions"):
            self.profession_list(*found, fields)
        for key, low, high, example in (
            ("pass_mark", 0, 100, "80"),
            ("max_attempts", 0, 1000, "3, or 0 for no limit"),
            ("minutes", 1, 1000, "15"),
        ):
            if found := value(key):
                number = found[0]
                if (
                    isinstance(number, int)
                    and not isinstance(number, bool)
                    and low <= number <= high
                ):
                    fields[key] = number
                else:
                    problem(
                        found[1],
                        f'"{key}" must be a whole number from {low} to {high}, e.g. {example}',
                    )
        if found := value("cpd_hours"):
            hours = found[0]
            if isinstance(hours, int | float) and not isinstance(hours, bool) and hours >= 0:
                fields["cpd_hours"] = float(hours)
            else:
                problem(found[1], '"cpd_hours" must be a number of hours, e.g. 1 or 0.25')
        if found := value("layout"):
            if fields["kind"] == "branching":
                problem(found[1], 'a branching case is always one step per page: remove "layout"')
            elif found[0] in ("paged", "single"):
                fields["layout"] = found[0]
            else:
                problem(found[1], f'"layout" must be "paged" or "single", not "{found[0]}"')
        if found := value("allow_back"):
            if isinstance(found[0], bool):
                fields["allow_back"] = found[0]
            else:
                problem(found[1], '"allow_back" must be true or false')
        if found := value("feedback"):
            fields["bands"] = self.bands(*found)
        if found := value("start"):
            if fields["kind"] != "branching":
                problem(found[1], '"start" is only for branching cases (type: branching)')
            elif isinstance(found[0], str):
                fields["start"] = found[0]
            else:
                problem(found[1], '"start" must be the id of a step')
        return fields

    def module_list(self, modules: Any, line: int) -> tuple[str, ...]:
        """The ``modules`` list, each checked against the known modules."""
        if not isinstance(modules, LineList):
            self.problem(
                line, '"modules" must be a list of module names, e.g. [hospital-discharge]'
            )
            return ()
        for slug, item_line in zip(modules, modules.lines, strict=True):
            if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug):
                self.problem(item_line, f'module name "{slug}" must be a file name without .md')
            elif self.module_slugs is not None and slug not in self.module_slugs:
                self.problem(item_line, unknown("module", slug, sorted(self.module_slugs)))
        return tuple(str(s) for s in modules)

    def profession_list(self, value: Any, line: int, fields: dict[str, Any]) -> None:
        """``professions``: ``all`` or a list of known codes."""
        if value == "all" or value == ["all"]:
            return
        if not isinstance(value, LineList) or not value:
            self.problem(line, '"professions" must be "all" or a list of profession codes')
            return
        for code, item_line in zip(value, value.lines, strict=True):
            if code not in BY_CODE:
                self.problem(item_line, unknown("profession", code, CODES))
        fields["professions"] = tuple(value)
        fields["for_all_professions"] = False

    def bands(self, value: Any, line: int) -> tuple[Band, ...]:
        """The overall ``feedback`` bands, lowest first."""
        if not isinstance(value, LineList) or not value:
            self.problem(line, '"feedback" must be a list of bands, each "- from: 80" and "text:"')
            return ()
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
        return tuple(sorted(bands, key=lambda b: b.start))

    # Splitting the body -----------------------------------------------------------------

    def blocks(
        self, lines: list[str], first: int, branching: bool
    ) -> tuple[list[str], list[_Block]]:
        """The intro's lines, and one block per ``##`` heading (headings in code ignored)."""
        starts: list[int] = []
        fence: str | None = None
        for index, raw in enumerate(lines):
            marker = FENCE.match(raw)
            if fence is not None:
                if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                    fence = None
                continue
            if marker:
                fence = marker.group(1)
                continue
            heading = HEADING.fullmatch(raw.rstrip("\n"))
            if heading and len(heading.group(1)) == 2:
                starts.append(index)
            elif heading and len(heading.group(1)) == 1:
                self.problem(
                    first + index,
                    "the page already shows the quiz title: start questions and steps with ##",
                )
        intro = lines[: starts[0]] if starts else lines
        blocks = []
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else len(lines)
            heading = HEADING.fullmatch(lines[start].rstrip("\n"))
            assert heading is not None  # noqa: S101 (found by the same pattern above)
            numbered = [(first + i, lines[i].rstrip("\n")) for i in range(start + 1, end)]
            blocks.append(self.block(first + start, heading.group(2), numbered, branching))
        return intro, blocks

    def block(
        self, line: int, heading: str, lines: list[tuple[int, str]], branching: bool
    ) -> _Block:
        title, explicit = self.explicit_id(heading, line)
        if not title:
            self.problem(line, "the heading has no text")
        block_id = explicit or slugify(title)
        if not block_id:
            self.problem(line, 'give this heading an id of its own, e.g. "## ... {#first-step}"')

        settings: dict[str, tuple[int, str]] = {}
        allowed = STEP_SETTINGS if branching else QUESTION_SETTINGS
        index = 0
        while index < len(lines) and (setting := SETTING.fullmatch(lines[index][1])):
            key = " ".join(setting.group(1).casefold().split())
            if key in settings:
                self.problem(lines[index][0], f'"{setting.group(1)}" is set twice')
            elif key not in allowed:
                self.problem(
                    lines[index][0],
                    unknown("step setting" if branching else "question setting", key, allowed)
                    + "; leave a blank line under the heading if this is part of its text",
                )
            settings[key] = (lines[index][0], setting.group(2).strip())
            index += 1
        rest = lines[index:]

        feedback: list[tuple[int, str]] = []
        end = len(rest)
        while end and not rest[end - 1][1].strip():
            end -= 1
        while end and rest[end - 1][1].startswith(">"):
            end -= 1
            feedback.insert(0, rest[end])
        rest = rest[:end]

        start = next(
            (
                i
                for i in range(len(rest))
                if self.is_answer(rest, i, branching) and not self.in_fence(rest, i)
            ),
            len(rest),
        )
        prompt = rest[:start]
        entries: list[_Entry] = []
        for number, text in rest[start:]:
            if not text.strip():
                continue
            if text[0] in " \t":
                if entries:
                    entries[-1].sub.append((number, text.strip()))
            elif self.is_answer([(number, text)], 0, branching) or text.startswith("- "):
                entries.append(_Entry(number, text))
            else:
                self.problem(
                    number,
                    "this line is among the answers: indent feedback under its answer"
                    " (two spaces, then >), and put the question's text above the answers",
                )
        return _Block(
            line=line,
            title=title,
            id=block_id,
            settings=settings,
            prompt=[t for _, t in prompt],
            prompt_line=prompt[0][0] if prompt else line + 1,
            entries=entries,
            feedback=feedback,
        )

    @staticmethod
    def is_answer(lines: list[tuple[int, str]], index: int, branching: bool) -> bool:
        """True if the line starts an answer (or, in a branching case, a choice)."""
        text = lines[index][1]
        if not text.startswith("- "):
            return False
        if not branching:
            return bool(BOX.match(text)) or " -> " in text
        if "->" in text:
            return True
        following = next((t for _, t in lines[index + 1 :] if t.strip()), "")
        return following[:1] in " \t" and following.strip().startswith("->")

    @staticmethod
    def in_fence(lines: list[tuple[int, str]], index: int) -> bool:
        """True if the line is inside a fenced code block."""
        fence: str | None = None
        for _, text in lines[:index]:
            marker = FENCE.match(text)
            if marker and (fence is None or marker.group(1)[0] == fence[0]):
                fence = None if fence else marker.group(1)
        return fence is not None

    def explicit_id(self, text: str, line: int) -> tuple[str, str]:
        """The text without a trailing ``{#id}``, and the id ("" if none)."""
        found = EXPLICIT_ID.search(text)
        if not found:
            return text.strip(), ""
        given = found.group(1).strip().lstrip("#")
        if not SLUG_PATTERN.fullmatch(given):
            self.problem(line, f'the id "{given}" must be lower-case letters, digits and hyphens')
        return text[: found.start()].strip(), given

    def check_ids(self, blocks: list[_Block], kind: str) -> None:
        """Every question (or step) id is used once."""
        seen: dict[str, int] = {}
        for block in blocks:
            if block.id in seen:
                self.problem(
                    block.line,
                    f'two {kind}s have the id "{block.id}" (the first is on line'
                    f" {seen[block.id]}): give one an id of its own with {{#...}}",
                )
            seen.setdefault(block.id, block.line)

    # Rendering ------------------------------------------------------------------------

    def render(self, source: str, line: int) -> render.RenderedBody:
        """Render Markdown with the module renderer; report links to unknown modules."""
        body = render.render_body(
            source, glossary=_NO_GLOSSARY, slugs=self.module_slugs or frozenset()
        )
        if self.module_slugs is not None:
            for link in body.links:
                if link.slug is not None and not link.known:
                    self.problem(line, f'link to "{link.href}": there is no module "{link.slug}"')
        return body

    def prose(self, lines: list[str], line: int) -> Prose:
        """Render lines of Markdown, callouts included, once per lens."""
        source = "\n".join(s.rstrip("\n") for s in lines).strip("\n")
        if not source.strip():
            return Prose()
        body = self.render(source + "\n", line)
        bodies = render.lens_bodies(body.segments)
        return Prose(body.segments, body.text, MappingProxyType(bodies))

    def inline(self, text: str, line: int) -> Markup:
        """One line of Markdown (a title, an option) without its paragraph."""
        html = (
            Markup("")
            .join(s for s in self.render(text, line).segments if isinstance(s, Markup))
            .strip()
        )
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            # Safe: a slice of sanitised HTML that drops only its outer <p> and </p> tags.
            html = Markup(html[3:-4])  # noqa: S704
        return html

    def feedback(self, lines: list[tuple[int, str]]) -> Feedback:
        """Feedback from ``>`` lines; a line ``For <profession>: ...`` starts a note."""
        if not lines:
            return NO_FEEDBACK
        general: list[str] = []
        notes: list[tuple[str, int, list[str]]] = []
        for number, raw in lines:
            text = raw[1:] if raw.startswith(">") else raw
            text = text[1:] if text.startswith(" ") else text
            note = NOTE.fullmatch(text.strip())
            code = self.note_profession(note.group(1), number) if note else None
            if note and code:
                notes.append((code, number, [note.group(2)]))
            elif notes:
                notes[-1][2].append(text)
            else:
                general.append(text)
        seen: set[str] = set()
        rendered = []
        for code, number, body in notes:
            if code in seen:
                self.problem(number, f'there are two notes for "{code}" in this feedback')
            seen.add(code)
            rendered.append(Note(code, self.prose(body, number).html))
        html = self.prose(general, lines[0][0]).html if any(s.strip() for s in general) else None
        return Feedback(html or Markup(""), tuple(rendered))

    def note_profession(self, name: str, line: int) -> str | None:
        """The profession a ``For ...:`` line names; None if it is ordinary text."""
        key = " ".join(name.casefold().removeprefix("the ").split())
        if key in PROFESSION_NAMES:
            return PROFESSION_NAMES[key]
        close = difflib.get_close_matches(key, PROFESSION_NAMES, n=1, cutoff=0.75)
        if close:
            self.problem(line, unknown("profession", name, CODES) + f' (or "{close[0]}")')
        return None

    # Questions ------------------------------------------------------------------------

    def question(self, block: _Block) -> Question:
        """A question from its block: settings, text, answers by type, feedback."""
        problem = self.problem
        settings = block.settings
        kind = settings.get("type", (block.line, "single"))
        qtype = kind[1].casefold()
        if qtype not in QUESTION_TYPES:
            problem(kind[0], unknown("question type", kind[1], QUESTION_TYPES))
            qtype = "single"
        fields: dict[str, Any] = {}
        if "points" in settings:
            number = _number(settings["points"][1])
            if qtype == "reflection":
                problem(settings["points"][0], "a reflection is not marked, so it has no points")
            elif number is None or number <= 0:
                problem(settings["points"][0], '"Points" must be a number above 0, e.g. 2')
            else:
                fields["points"] = number
        if "required" in settings:
            answer = settings["required"][1].casefold()
            if answer in ("yes", "true", "no", "false"):
                fields["required"] = answer in ("yes", "true")
            else:
                problem(settings["required"][0], '"Required" must be yes or no')
        scoring = settings.get("scoring")
        if scoring and qtype not in ("multiple", "ordering", "matching"):
            problem(scoring[0], '"Scoring" is only for multiple, ordering and matching questions')
        elif scoring:
            rule = scoring[1].casefold().removesuffix(" credit")
            if rule in SCORINGS:
                fields["scoring"] = rule
            else:
                problem(scoring[0], unknown("scoring", scoring[1], SCORINGS))
        elif qtype == "multiple":
            problem(
                block.line,
                'a multiple-response question must say how it is scored: add "Scoring:'
                ' all-or-nothing" or "Scoring: partial" under the heading',
            )
        elif qtype in ("ordering", "matching"):
            fields["scoring"] = "all-or-nothing"
        if "penalty" in settings:
            number = _number(settings["penalty"][1])
            if qtype != "multiple" or fields.get("scoring") != "partial":
                problem(settings["penalty"][0], '"Penalty" goes with "Scoring: partial" only')
            elif number is None or number < 0:
                problem(settings["penalty"][0], '"Penalty" must be a number of 0 or more')
            else:
                fields["penalty"] = number
        if "also offer" in settings and qtype != "matching":
            problem(settings["also offer"][0], '"Also offer" is only for matching questions')

        if qtype in BOXED:
            fields["options"] = self.options(block, qtype)
        elif qtype == "ordering":
            fields["items"], fields["shown"] = self.ordering(block)
        elif qtype == "matching":
            fields["items"], fields["choices"] = self.matching(block)
        elif block.entries:
            problem(block.entries[0].line, "a reflection has no answers to choose: remove them")
        return Question(
            id=block.id,
            type=qtype,  # type: ignore[arg-type]
            title=block.title,
            title_html=self.inline(block.title, block.line),
            prompt=self.prose(block.prompt, block.prompt_line),
            line=block.line,
            feedback=self.feedback(block.feedback),
            **fields,
        )

    def entry_parts(self, entry: _Entry, text: str) -> tuple[str, str, Feedback]:
        """An answer's text (with indented continuation lines), its id and its feedback."""
        continued: list[str] = []
        feedback: list[tuple[int, str]] = []
        for number, sub in entry.sub:
            if sub.startswith(">"):
                feedback.append((number, sub))
            elif feedback:
                self.problem(number, "start each line of feedback with >")
            elif sub.startswith(("->", "Only for")):
                self.problem(number, "routes (->) and Only for: belong to branching cases")
            else:
                continued.append(sub)
        body, given = self.explicit_id(" ".join([text, *continued]), entry.line)
        return body, given or slugify(body), self.feedback(feedback)

    def options(self, block: _Block, qtype: str) -> tuple[Option, ...]:
        """The - [ ] / - [x] answers of a choice, true-false or short-text question."""
        options: list[Option] = []
        lines: list[int] = []
        for entry in block.entries:
            box = BOX.fullmatch(entry.text)
            if not box:
                self.problem(
                    entry.line, "write each answer as - [ ] text, or - [x] for a right one"
                )
                continue
            mark = box.group(1).strip().casefold()
            if mark not in ("", "x"):
                hint = " (numbers are for ordering questions)" if mark.isdigit() else ""
                self.problem(entry.line, f"write [ ] or [x] before an answer, not [{mark}]{hint}")
                continue
            text, option_id, feedback = self.entry_parts(entry, box.group(2))
            if qtype == "true-false":
                option_id = normalise_answer(text)
            lines.append(entry.line)
            options.append(
                Option(
                    id=option_id,
                    html=self.inline(text, entry.line),
                    text=text,
                    correct=mark == "x",
                    feedback=feedback,
                )
            )
        self.check_unique(block, [(o.id, n) for o, n in zip(options, lines, strict=True)])
        ticked = sum(o.correct for o in options)
        if len(options) != len(block.entries):
            pass  # each unreadable answer is reported on its own line
        elif qtype == "true-false":
            if sorted(o.id for o in options) != ["false", "true"] or ticked != 1:
                self.problem(
                    block.line,
                    "a true-false question has two answers, - [ ] True and - [ ] False,"
                    " with the right one ticked [x]",
                )
        elif qtype == "short-text":
            if not ticked:
                self.problem(block.line, "tick [x] at least one accepted answer")
            seen: dict[str, str] = {}
            for option, line in zip(options, lines, strict=True):
                key = normalise_answer(option.text)
                if not key:
                    self.problem(line, "an answer to type needs letters or digits")
                elif key in seen:
                    self.problem(
                        line,
                        f'"{option.text}" counts as the same answer as "{seen[key]}"'
                        " (case, spaces and punctuation are ignored)",
                    )
                seen.setdefault(key, option.text)
        elif len(options) < 2:
            self.problem(block.line, "a choice question needs at least two answers")
        elif qtype == "single" and ticked != 1:
            self.problem(
                block.line,
                f"a single-choice question has exactly one right answer [x], not {ticked}"
                ' (for several, add "Type: multiple")',
            )
        elif qtype == "multiple" and not ticked:
            self.problem(block.line, "tick [x] at least one right answer")
        return tuple(options)

    def check_unique(self, block: _Block, ids: list[tuple[str, int]]) -> None:
        """Every answer id of a question is used once."""
        seen: set[str] = set()
        for answer_id, line in ids:
            if answer_id in seen:
                self.problem(
                    line,
                    f'two answers of this question have the id "{answer_id}":'
                    " give one an id of its own with {#...} at the end of its line",
                )
            seen.add(answer_id)

    def ordering(self, block: _Block) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
        """The steps in the right order, and in the order shown."""
        placed: list[tuple[int, Item]] = []
        lines: list[int] = []
        for entry in block.entries:
            box = BOX.fullmatch(entry.text)
            if not box or not box.group(1).strip().isdigit():
                self.problem(
                    entry.line, "number each step with its right place: - [1] first, - [2] next"
                )
                continue
            text, item_id, feedback = self.entry_parts(entry, box.group(2))
            item = Item(item_id, self.inline(text, entry.line), text, feedback)
            placed.append((int(box.group(1)), item))
            lines.append(entry.line)
        self.check_unique(block, [(i.id, n) for (_, i), n in zip(placed, lines, strict=True)])
        places = sorted(p for p, _ in placed)
        if len(placed) != len(block.entries):
            pass  # each unreadable step is reported on its own line
        elif len(placed) < 2:
            self.problem(block.line, "an ordering question needs at least two steps")
        elif places != list(range(1, len(placed) + 1)):
            self.problem(
                block.line,
                f"number the steps 1 to {len(placed)}, each once (found {places})",
            )
        shown = tuple(item for _, item in placed)
        right = tuple(item for _, item in sorted(placed, key=lambda p: p[0]))
        return right, self.shuffled(block.id, right, shown)

    def shuffled(
        self, question_id: str, right: tuple[Item, ...], shown: tuple[Item, ...]
    ) -> tuple[Item, ...]:
        """The order written, unless that is the right order: then a fixed shuffle of it."""
        if shown != right or len(right) < 2:
            return shown
        seed = f"{self.slug}/{question_id}/"
        order = sorted(right, key=lambda i: hashlib.sha256((seed + i.id).encode()).digest())
        if tuple(order) == right:
            order = order[1:] + order[:1]
        return tuple(order)

    def matching(self, block: _Block) -> tuple[tuple[Item, ...], tuple[Choice, ...]]:
        """The things to match, and every choice offered in the selects."""
        items: list[Item] = []
        choices: dict[str, Choice] = {}
        lines: list[int] = []
        for entry in block.entries:
            if " -> " not in entry.text:
                self.problem(entry.line, "write each pair as - thing to match -> its match")
                continue
            left, right = entry.text[2:].rsplit(" -> ", 1)
            right, right_id = self.explicit_id(right, entry.line)
            left = f"{left} {{#{right_id}}}" if right_id else left
            text, item_id, feedback = self.entry_parts(_Entry(entry.line, "", entry.sub), left)
            choice = Choice(slugify(right), right.strip())
            if not choice.id:
                self.problem(entry.line, "the match after -> needs some letters or digits")
            choices.setdefault(choice.id, choice)
            lines.append(entry.line)
            items.append(
                Item(item_id, self.inline(text, entry.line), text, feedback, answer=choice.id)
            )
        if "also offer" in block.settings:
            line, extra = block.settings["also offer"]
            for text in (t.strip() for t in extra.split(",")):
                choice = Choice(slugify(text), text)
                if not choice.id or choice.id in choices:
                    self.problem(line, f'"{text}" is already a choice, or has no letters')
                choices.setdefault(choice.id, choice)
        self.check_unique(block, [(i.id, n) for i, n in zip(items, lines, strict=True)])
        if len(items) != len(block.entries):
            pass  # each unreadable pair is reported on its own line
        elif len(items) < 2:
            self.problem(block.line, "a matching question needs at least two pairs")
        elif len(choices) < 2:
            self.problem(block.line, "a matching question needs at least two different matches")
        return tuple(items), tuple(choices.values())

    # Branching cases ------------------------------------------------------------------

    def step(self, block: _Block) -> Step:
        """A step of a branching case: its choices, or its outcome if it is an end."""
        choices = tuple(c for e in block.entries if (c := self.step_choice(e)) is not None)
        outcome = block.settings.get("outcome")
        if choices and outcome:
            self.problem(outcome[0], "a step with choices is not an end: remove its Outcome")
        if not block.entries and not outcome:
            self.problem(
                block.line,
                f'step "{block.id}" has no choices and no "Outcome:", so the case stops here'
                " without an ending: add choices (- text -> step) or an Outcome line",
            )
        if block.entries and not any(not c.professions for c in choices):
            self.problem(block.line, "offer at least one choice to every profession here")
        self.check_unique(block, [(c.id, c.line) for c in choices])
        return Step(
            id=block.id,
            title=block.title,
            title_html=self.inline(block.title, block.line),
            prompt=self.prose(block.prompt, block.prompt_line),
            line=block.line,
            choices=choices,
            outcome=outcome[1] if outcome and outcome[1] else None,
            feedback=self.feedback(block.feedback),
        )

    def step_choice(self, entry: _Entry) -> StepChoice | None:
        """A choice with its points, routes, feedback and professions."""
        text, given = self.explicit_id(entry.text, entry.line)
        found = CHOICE.fullmatch(text)
        if not found or "->" in found.group("text"):
            self.problem(
                entry.line,
                "write a choice as - what you do -> step-id (2 points), with any conditions"
                " on their own indented lines (  -> step-id if score >= 4)",
            )
            return None
        routes: list[Route] = []
        if found.group("target"):
            routes.append(Route(found.group("target"), None, entry.line))
        professions: tuple[str, ...] = ()
        feedback: list[tuple[int, str]] = []
        for number, sub in entry.sub:
            if sub.startswith(">"):
                feedback.append((number, sub))
            elif sub.startswith("->"):
                if found.group("target"):
                    self.problem(number, "this choice already leads to a step on its own line")
                route = self.route(sub, number)
                if route:
                    routes.append(route)
            elif sub.casefold().startswith("only for:"):
                professions = self.only_for(sub.split(":", 1)[1], number)
            else:
                self.problem(number, "under a choice, write > feedback, -> routes or Only for:")
        if not routes and found.group("target") is None:
            self.problem(entry.line, "this choice leads nowhere: add -> step-id")
        self.check_routes(routes, entry.line)
        body = found.group("text").strip()
        return StepChoice(
            id=given or slugify(body),
            html=self.inline(body, entry.line),
            text=body,
            points=float(found.group("points") or 0),
            routes=tuple(routes),
            line=entry.line,
            feedback=self.feedback(feedback),
            professions=professions,
        )

    def route(self, text: str, line: int) -> Route | None:
        """One indented ``-> step-id if <condition>`` line."""
        found = ROUTE.fullmatch(text)
        if not found:
            self.problem(
                line, "write a route as -> step-id if <condition>, or -> step-id otherwise"
            )
            return None
        rest = (found.group("rest") or "").strip()
        if rest in ("", "otherwise"):
            return Route(found.group("target"), None, line)
        if not rest.startswith("if "):
            self.problem(line, f'a route ends with "if <condition>" or "otherwise", not "{rest}"')
            return None
        condition = rest[3:].strip()
        if score := SCORE_CONDITION.fullmatch(condition):
            operator = "=" if score.group(1) == "==" else score.group(1)
            return Route(
                found.group("target"), Condition("score", operator, float(score.group(2))), line
            )
        if chose := CHOSE_CONDITION.fullmatch(condition):
            kind = "not-chose" if chose.group(1) else "chose"
            return Route(
                found.group("target"),
                Condition(kind, step=chose.group(2), choice=chose.group(3)),
                line,
            )
        self.problem(
            line,
            f'could not read the condition "{condition}": write "score >= 4" (or >, <=, <, =)'
            ', "chose step-id.choice-id" or "not chose step-id.choice-id"',
        )
        return None

    def check_routes(self, routes: list[Route], line: int) -> None:
        """Conditional routes end with one for every other case."""
        if not routes:
            return
        for route in routes[:-1]:
            if route.condition is None:
                self.problem(
                    route.line,
                    "a route without a condition must come last (it is taken otherwise);"
                    " the routes after it are never used",
                )
        if routes[-1].condition is not None:
            self.problem(
                routes[-1].line,
                "add a last route for every other case, e.g. -> step-id otherwise,"
                " or some paths would lead nowhere",
            )

    def only_for(self, text: str, line: int) -> tuple[str, ...]:
        """The professions after ``Only for:``."""
        codes = tuple(c.strip() for c in text.split(",") if c.strip())
        for code in codes:
            if code not in BY_CODE:
                self.problem(line, unknown("profession", code, CODES))
        if not codes:
            self.problem(line, '"Only for:" needs one or more profession codes')
        return codes

    def check_case(
        self, steps: tuple[Step, ...], front: LineDict, fields: dict[str, Any], close: int
    ) -> None:
        """Targets exist, conditions name real choices, every step is reachable, no loops."""
        if not steps:
            self.problem(close, "the case has no steps: start each with a ## heading")
            return
        by_id = {s.id: s for s in steps}
        start = fields["start"] or steps[0].id
        fields["start"] = start
        if start not in by_id:
            self.problem(front.lines["start"], unknown("step", start, by_id))
            return
        if not any(s.is_end for s in steps):
            self.problem(close, 'the case has no end: add a step with an "Outcome:" line')
        edges: dict[str, list[tuple[str, int]]] = {s.id: [] for s in steps}
        for step in steps:
            for choice in step.choices:
                for route in choice.routes:
                    if route.target not in by_id:
                        self.problem(route.line, unknown("step", route.target, by_id))
                    elif route.target == step.id:
                        self.problem(route.line, f'this choice leads back to "{step.id}" itself')
                    else:
                        edges[step.id].append((route.target, route.line))
        reached: set[str] = set()
        pending = [start]
        while pending:
            current = pending.pop()
            if current not in reached:
                reached.add(current)
                pending += [target for target, _ in edges[current]]
        for step in steps:
            if step.id not in reached:
                self.problem(
                    step.line, f'no choice leads to step "{step.id}", so no one will see it'
                )
        self.check_loops(start, edges)
        ancestors = _ancestors(edges)
        for step in steps:
            for choice in step.choices:
                for route in choice.routes:
                    condition = route.condition
                    if condition is None or condition.kind == "score":
                        continue
                    earlier = by_id.get(condition.step)
                    if earlier is None:
                        self.problem(route.line, unknown("step", condition.step, by_id))
                    elif earlier.choice(condition.choice) is None:
                        self.problem(
                            route.line,
                            unknown(
                                f'choice of step "{earlier.id}"',
                                condition.choice,
                                [c.id for c in earlier.choices],
                            ),
                        )
                    elif earlier.id != step.id and earlier.id not in ancestors[step.id]:
                        self.problem(
                            route.line,
                            f'step "{earlier.id}" never comes before "{step.id}",'
                            " so this condition is always the same",
                        )

    def check_loops(self, start: str, edges: dict[str, list[tuple[str, int]]]) -> None:
        """Report each choice that closes a loop, so that every path ends."""
        state: dict[str, int] = {}  # 1: on the current path, 2: done

        def visit(step_id: str, path: list[str]) -> None:
            state[step_id] = 1
            for target, line in edges[step_id]:
                if state.get(target) == 1:
                    loop = " -> ".join([*path[path.index(target) :], step_id, target])
                    self.problem(line, f"this choice makes a loop ({loop}), so a path never ends")
                elif target not in state:
                    visit(target, [*path, step_id])
            state[step_id] = 2

        for step_id in [start, *edges]:
            if step_id not in state:
                visit(step_id, [])


def _ancestors(edges: dict[str, list[tuple[str, int]]]) -> dict[str, set[str]]:
    """For each step, the steps from which some path leads to it."""
    parents: dict[str, set[str]] = {s: set() for s in edges}
    for source, targets in edges.items():
        for target, _ in targets:
            parents[target].add(source)
    found: dict[str, set[str]] = {}
    for step_id in edges:
        seen: set[str] = set()
        pending = list(parents[step_id])
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending += parents[current]
        found[step_id] = seen
    return found


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
