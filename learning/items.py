"""What a programme, a requirement or a completion is about: a module or a quiz, by its slug.

Imports nothing of the app, so the models, the content and the views can all name an item the
same way. The values are the words stored in the database and in form choices.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class ItemKind(enum.StrEnum):
    """The two kinds of content a learner completes."""

    MODULE = "module"
    QUIZ = "quiz"

    @property
    def noun(self) -> str:
        """What pages call it: "module" or "scenario"."""
        return "scenario" if self is ItemKind.QUIZ else "module"


class ItemRef(NamedTuple):
    """A module or quiz named by kind and slug; equal to the plain ``(kind, slug)`` tuple."""

    kind: ItemKind
    slug: str

    @classmethod
    def parse(cls, text: str) -> ItemRef | None:
        """Read ``"module:<slug>"`` or ``"quiz:<slug>"`` (a form choice); None otherwise."""
        word, _, slug = text.partition(":")
        try:
            kind = ItemKind(word)
        except ValueError:
            return None
        return cls(kind, slug) if slug else None

    def __str__(self) -> str:
        return f"{self.kind}:{self.slug}"
