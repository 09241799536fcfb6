"""The two shapes a quiz file can have, behind one small interface.

A *quiz of questions* (:mod:`learning.quizzes.questions`) is answered page by page and marked
once; a *branching case* (:mod:`learning.quizzes.cases`) is played one decision at a time
along routes to an outcome. Views, attempts, reports and certificates ask the quiz's shape
what they need (how to mark the stored responses, which decisions to compare across
professions, what a response means) instead of asking which shape it is.
"""

from __future__ import annotations

import abc
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .model import Quiz
    from .reading import Block, Reader


@dataclass(frozen=True, slots=True)
class Marked:
    """An attempt marked by its shape: totals, the outcome step (cases) and, per stored
    response key, its points and whether it was right (None: not marked)."""

    score: float
    max_score: float
    passed: bool
    outcome: str | None
    points: Mapping[str, tuple[float, bool | None]]


class Shape(abc.ABC):
    """What differs between a quiz of questions and a branching case."""

    #: The front matter's ``type:``.
    name: ClassVar[str]
    #: What each ``##`` block is: "question" or "step".
    noun: ClassVar[str]
    #: The settings a block may have under its heading.
    settings: ClassVar[tuple[str, ...]]
    #: A word or two for lists that name the shape only when it is unusual ("" if not).
    brief: ClassVar[str] = ""
    #: True when a learner may play it as any profession, not only their own.
    any_lens: ClassVar[bool] = False
    #: Front matter keys this shape does not take, each with the message for the author.
    refuses: ClassVar[Mapping[str, str]] = {}
    #: Perspectives view: a marked response that falls into no category still counts its
    #: learner as having answered.
    counts_unanswered: ClassVar[bool] = True

    def __repr__(self) -> str:
        return f"<quiz shape {self.name!r}>"

    # Reading the file ---------------------------------------------------------------------

    @abc.abstractmethod
    def starts_answer(self, lines: list[tuple[int, str]], index: int) -> bool:
        """True if this line of a block starts an answer (or a choice)."""

    @abc.abstractmethod
    def read_body(
        self, reader: Reader, blocks: list[Block], fields: dict[str, Any], front, close: int
    ) -> None:
        """Read every block into ``fields`` (``questions`` or ``steps``) and check the whole."""

    def editorial(self, quiz: Quiz) -> list[tuple[int, str]]:
        """Where a valid quiz falls short of the editorial standard, as (line, message):
        warnings for the checker, never problems. docs/authoring.md and modules/README.md
        state each rule in the words the message ends with."""
        return []

    # Showing ------------------------------------------------------------------------------

    @abc.abstractmethod
    def label(self, quiz: Quiz) -> str:
        """What the catalogue says it is, e.g. "12 questions"."""

    # Marking ------------------------------------------------------------------------------

    @abc.abstractmethod
    def mark(self, quiz: Quiz, responses: Sequence[tuple[str, Any]], lens: str | None) -> Marked:
        """Mark the stored responses ``(key, stored answer)``, in the order they were made."""

    # Reports ------------------------------------------------------------------------------

    @abc.abstractmethod
    def decision_keys(self, quiz: Quiz) -> list[str]:
        """The keys of the decisions worth comparing across professions, in order."""

    @abc.abstractmethod
    def decision_title(self, quiz: Quiz, key: str) -> str:
        """The heading of that question or step."""

    @abc.abstractmethod
    def categories(
        self, quiz: Quiz, key: str, stored: Any, correct: bool | None, points: float | None
    ) -> tuple[str, ...]:
        """The answer categories one stored response counts towards."""

    @abc.abstractmethod
    def category_order(self, quiz: Quiz, key: str) -> tuple[list[str], frozenset[str]]:
        """The categories of one decision in the author's order, and which are right."""

    def reflection(self, quiz: Quiz, key: str, stored: Any) -> str | None:
        """The learner's own reflection, when this response is one (kept for CPD)."""
        return None

    def typed(self, quiz: Quiz, key: str) -> bool:
        """Whether the response at ``key`` is text the learner wrote in their own words (a
        choice is not): such text goes when their account is closed."""
        return False

    # Demo data ----------------------------------------------------------------------------

    @abc.abstractmethod
    def demo_play(
        self, quiz: Quiz, profession: str, chance: random.Random, leaning: Callable[[str], float]
    ) -> list[tuple[str, Any]]:
        """A plausible play-through for the demo data, as ``(key, answer)`` responses in
        order; ``leaning("<slug>/<key>")`` is how likely this learner is to do well there."""
