"""What every part of a quiz file's reader shares: collecting problems, splitting the body into
``##`` blocks, ids, answer lines and their feedback, and rendering Markdown fragments.

The question kinds (:mod:`learning.quizzes.kinds`) and branching cases
(:mod:`learning.quizzes.cases`) read their own blocks with these helpers; the file-level reader
(:mod:`learning.quizzes.loader`) builds on this class. Markdown is rendered with the module
renderer and its sanitiser, once per file version.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from markupsafe import Markup

from learning.content import render
from learning.content.files import SLUG_PATTERN, unknown
from learning.content.glossary import Glossary
from learning.content.problems import Problem
from learning.professions import CODES, PROFESSIONS

from .model import NO_FEEDBACK, Feedback, Note, Prose

if TYPE_CHECKING:
    from .shapes import Shape

HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t#]*")
FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
SETTING = re.compile(r"([A-Za-z][A-Za-z ]*?)[ \t]*:[ \t]*(.*)")
EXPLICIT_ID = re.compile(r"[ \t]*\{#([^}]*)\}[ \t]*$")
#: An answer written with a box: ``- [ ] text``, ``- [x] text``, ``- [2] text``.
BOX = re.compile(r"- \[([^\]]*)\][ \t]+(.+)")
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


def number(text: str) -> float | None:
    """The number an author wrote, or None."""
    try:
        return float(text)
    except ValueError:
        return None


@dataclass
class Entry:
    """An answer line of a question (or a choice of a step) and its indented lines."""

    line: int
    text: str
    sub: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Block:
    """A ``##`` heading and the lines under it, split into their parts."""

    line: int
    title: str
    id: str
    settings: dict[str, tuple[int, str]]
    prompt: list[str]
    prompt_line: int
    entries: list[Entry]
    feedback: list[tuple[int, str]]


class Reader:
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

    # Splitting the body -----------------------------------------------------------------

    def blocks(self, lines: list[str], first: int, shape: Shape) -> tuple[list[str], list[Block]]:
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
                    "the page already shows the scenario's title: start questions and steps"
                    " with ##",
                )
        intro = lines[: starts[0]] if starts else lines
        blocks = []
        for count, start in enumerate(starts):
            end = starts[count + 1] if count + 1 < len(starts) else len(lines)
            heading = HEADING.fullmatch(lines[start].rstrip("\n"))
            assert heading is not None  # noqa: S101 (found by the same pattern above)
            numbered = [(first + i, lines[i].rstrip("\n")) for i in range(start + 1, end)]
            blocks.append(self.block(first + start, heading.group(2), numbered, shape))
        return intro, blocks

    def block(
        self,
        line: int,
        heading: str,
        lines: list[tuple[int, str]],
        shape: Shape,
    ) -> Block:
        """One heading's block: its id, settings, text, answer entries and closing feedback."""
        title, explicit = self.explicit_id(heading, line)
        if not title:
            self.problem(line, "the heading has no text")
        block_id = explicit or slugify(title)
        if not block_id:
            self.problem(line, 'give this heading an id of its own, e.g. "## ... {#first-step}"')

        settings: dict[str, tuple[int, str]] = {}
        allowed = shape.settings
        index = 0
        while index < len(lines) and (setting := SETTING.fullmatch(lines[index][1])):
            key = " ".join(setting.group(1).casefold().split())
            if key in settings:
                self.problem(lines[index][0], f'"{setting.group(1)}" is set twice')
            elif key not in allowed:
                self.problem(
                    lines[index][0],
                    unknown(f"{shape.noun} setting", key, allowed)
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
                if shape.starts_answer(rest, i) and not self.in_fence(rest, i)
            ),
            len(rest),
        )
        prompt = rest[:start]
        entries: list[Entry] = []
        for number_, text in rest[start:]:
            if not text.strip():
                continue
            if text[0] in " \t":
                if entries:
                    entries[-1].sub.append((number_, text.strip()))
            elif shape.starts_answer([(number_, text)], 0) or text.startswith("- "):
                entries.append(Entry(number_, text))
            else:
                self.problem(
                    number_,
                    "this line is among the answers: indent feedback under its answer"
                    " (two spaces, then >), and put the question's text above the answers",
                )
        return Block(
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

    def check_ids(self, blocks: list[Block], noun: str) -> None:
        """Every question (or step) id is used once."""
        seen: dict[str, int] = {}
        for block in blocks:
            if block.id in seen:
                self.problem(
                    block.line,
                    f'two {noun}s have the id "{block.id}" (the first is on line'
                    f" {seen[block.id]}): give one an id of its own with {{#...}}",
                )
            seen.setdefault(block.id, block.line)

    def check_unique(self, block: Block, ids: list[tuple[str, int]]) -> None:
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

    def entry_parts(self, entry: Entry, text: str) -> tuple[str, str, Feedback]:
        """An answer's text (with indented continuation lines), its id and its feedback."""
        continued: list[str] = []
        feedback: list[tuple[int, str]] = []
        for number_, sub in entry.sub:
            if sub.startswith(">"):
                feedback.append((number_, sub))
            elif feedback:
                self.problem(number_, "start each line of feedback with >")
            elif sub.startswith(("->", "Only for")):
                self.problem(number_, "routes (->) and Only for: belong to branching cases")
            else:
                continued.append(sub)
        body, given = self.explicit_id(" ".join([text, *continued]), entry.line)
        return body, given or slugify(body), self.feedback(feedback)

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
        for number_, raw in lines:
            text = raw[1:] if raw.startswith(">") else raw
            text = text[1:] if text.startswith(" ") else text
            note = NOTE.fullmatch(text.strip())
            code = self.note_profession(note.group(1), number_) if note else None
            if note and code:
                notes.append((code, number_, [note.group(2)]))
            elif notes:
                notes[-1][2].append(text)
            else:
                general.append(text)
        seen: set[str] = set()
        rendered = []
        for code, number_, body in notes:
            if code in seen:
                self.problem(number_, f'there are two notes for "{code}" in this feedback')
            seen.add(code)
            rendered.append(Note(code, self.prose(body, number_).html))
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
