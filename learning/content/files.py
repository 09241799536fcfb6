"""The file helpers that every content reader shares: content folders, UTF-8, front matter,
and the "did you mean" message. They sit below the module and quiz loaders so neither loader
imports the other."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from . import yamlines
from .problems import Problem

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

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
    """The file's text, or None after reporting that it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem(path, line, "the file is not UTF-8 text; save it as UTF-8"))
        return None


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
        problem(error.line, f"the front matter is {error.message}")
        return None
    if not isinstance(front, yamlines.LineDict):
        problem(1, "the front matter must be a list of 'key: value' lines")
        return None
    return front, close + 1, lines[close + 1 :], close + 2


def unknown(kind: str, value: object, known: Iterable[str]) -> str:
    """A message for an unknown word, suggesting the nearest known one."""
    known = tuple(known)
    close = difflib.get_close_matches(str(value), known, n=1)
    hint = f'did you mean "{close[0]}"?' if close else "use one of: " + ", ".join(known)
    return f'unknown {kind} "{value}" ({hint})'
