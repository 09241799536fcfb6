"""The file helpers that every content reader shares: content folders, UTF-8, front matter,
and the "did you mean" message. They sit below the module and quiz loaders so neither loader
imports the other."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from learning.professions import BY_CODE, CODES

from . import yamlines
from .problems import Problem

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
CALLOUT_LINE = re.compile(r'!!![ \t]+([A-Za-z0-9_-]+)(?:[ \t]+"([^"]*)")?[ \t]*')

#: A folder's README is for the people who edit it, not a page of the course.
README = "README.md"


def content_files(folder: Path) -> list[Path]:
    """The ``*.md`` content files of a folder, by name, without its README."""
    return sorted(p for p in folder.glob("*.md") if p.name != README)


def relative_path(path: Path, root: Path) -> str:
    """``path`` relative to the content root, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def decode_utf8(data: bytes, path: str, problems: list[Problem]) -> str | None:
    """The file's text with every line ending as ``\\n``, or None after reporting that it is
    not UTF-8. Windows (``\\r\\n``) and old Mac (``\\r``) line endings read exactly as Unix
    ones, so ids, ``{#id}`` and headings do not depend on the editor that saved the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem(path, line, "the file is not UTF-8 text; save it as UTF-8"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(
    text: str, problem: Callable[[int, str], None]
) -> tuple[yamlines.LineDict, int, list[str], int] | None:
    """Front matter, the line of its closing ``---``, the body's lines and the body's first line.

    Reports what is wrong through ``problem`` and returns None when the front matter is unusable.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        problem(1, "the file must start with front matter: a line of three dashes (---)")
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        problem(1, "the front matter is never closed: add a line of three dashes (---) after it")
        return None
    try:
        front = yamlines.load("".join(lines[1:close]), first_line=2)
    except yamlines.YAMLProblem as error:
        problem(error.line, error.message)
        return None
    if not isinstance(front, yamlines.LineDict):
        problem(1, "the front matter must be a list of 'key: value' lines")
        return None
    return front, close + 1, lines[close + 1 :], close + 2


def check_markdown(lines: list[str], first_line: int, problem: Callable[[int, str], None]) -> bool:
    """Check the callout lines and code fences of Markdown text, which Markdown would
    otherwise quietly misread; the same rules hold in modules and in scenarios.

    Returns False when a code block is never closed: everything after its opening line would
    be read as code, so a reader should not look for headings or answers there."""
    fence: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        number = first_line + index
        marker = FENCE.match(line)
        if fence is not None:
            if (
                marker
                and marker.group(1)[0] == fence[0][0]
                and len(marker.group(1)) >= len(fence[0])
            ):
                fence = None
            continue
        if marker:
            fence = (marker.group(1), number)
            continue
        stripped = line.strip()
        if not stripped.startswith("!!!"):
            continue
        if line[0] in " \t":
            problem(
                number,
                "a callout must start at the very beginning of the line (!!! with no spaces"
                " before it); callouts cannot go inside lists or other callouts",
            )
            continue
        match = CALLOUT_LINE.fullmatch(stripped)
        if match is None:
            if stripped.count('"') % 2:
                message = 'the callout title has no closing quote: write !!! nursing "For nurses"'
            elif stripped == "!!!":
                message = "a callout needs a profession after !!!, e.g. !!! nursing"
            else:
                message = 'could not read this callout line; write it as !!! <profession> "Title"'
            problem(number, message)
            continue
        code = match.group(1)
        if code not in BY_CODE:
            problem(number, unknown("profession", code, CODES) + " in callout")
            continue
        following = next((other for other in lines[index + 1 :] if other.strip()), "")
        if not following.startswith(("    ", "\t")):
            problem(
                number,
                f'the callout for "{code}" is empty: indent its text by four spaces on the'
                " lines under !!!",
            )
    if fence is not None:
        problem(fence[1], f"the code block opened with {fence[0]} is never closed")
        return False
    return True


def colon_advice(value: Any) -> str | None:
    """How to write a list item that YAML read as ``name: value`` because it holds a colon:
    the item in quotes; None for any other value."""
    if isinstance(value, dict) and len(value) == 1:
        ((name, text),) = value.items()
        if isinstance(name, str) and isinstance(text, str | int | float):
            return f'put it in quotes, as it contains a colon: - "{name}: {text}"'
    return None


def unknown(kind: str, value: object, known: Iterable[str]) -> str:
    """A message for an unknown word, suggesting the nearest known one."""
    known = tuple(known)
    close = difflib.get_close_matches(str(value), known, n=1)
    hint = f'did you mean "{close[0]}"?' if close else "use one of: " + ", ".join(known)
    return f'unknown {kind} "{value}" ({hint})'
