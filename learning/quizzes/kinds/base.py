"""What a question kind is: the one class that knows everything about one kind of question.

A kind reads its answers from its block of the quiz file (and reports what is wrong there),
says what a page may show before submission, reads the learner's answer from the submitted
form values, stores and restores it as JSON, marks it, names its template partial (the take,
review and right-answer views), files answers into categories for the trainers' perspectives
view, and makes up plausible answers for the demo data.

Kinds are pure: no ``request``, no session, no database. The registry in
:mod:`learning.quizzes.kinds` maps a kind's name (the ``Type:`` an author writes) to its
instance; nothing outside that folder names a kind.
"""

from __future__ import annotations

import abc
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..model import Feedback, Option, PublicOption, Question, normalise_answer, round_points
from ..reading import BOX, Block, Reader

Answer = str | bool | frozenset[str] | tuple[str, ...] | Mapping[str, str]
#: The categories of the trainers' perspectives view for kinds without their own.
VERDICTS = ("Right", "Partly right", "Not right")


class InvalidAnswer(ValueError):
    """A submitted answer that cannot be accepted; the message is for the learner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Mark:
    """How a kind marked one answer: the answer as understood (None if unusable), the points,
    the right answer in the same form, and the feedback that applies to this answer."""

    answer: Answer | None
    points: float
    right: Answer | None
    feedback: tuple[Feedback, ...] = ()


class Kind(abc.ABC):
    """The base of every question kind; a subclass sets ``name`` and overrides what differs."""

    #: The ``Type:`` authors write, e.g. ``multiple``.
    name: ClassVar[str]
    #: How authors' messages call it, e.g. "multiple-response".
    label: ClassVar[str]
    #: What a learner is told when a required question of this kind is left unanswered.
    missing: ClassVar[str] = "Answer the question."
    #: False for kinds that are kept but never marked.
    marked: ClassVar[bool] = True
    #: True when typed text is kept as written (not stripped before reading).
    keeps_spacing: ClassVar[bool] = False
    #: True when the answer is the learner's own reflection, kept for their CPD record.
    reflective: ClassVar[bool] = False
    #: True when the answer is text the learner wrote in their own words: it is removed when
    #: their account is closed, while the marks it earned are kept (``learning.erasure``).
    typed: ClassVar[bool] = False
    #: The ``Scoring:`` rules this kind accepts; empty when the setting does not apply.
    scorings: ClassVar[tuple[str, ...]] = ()
    #: The rule when the author gives none; None with ``scorings`` means the author must say.
    default_scoring: ClassVar[str | None] = None
    #: Settings only this kind takes, each with the message for using it on another kind.
    own_settings: ClassVar[Mapping[str, str]] = {}

    @property
    def template(self) -> str:
        """The template partial with this kind's ``hint``, ``take``, ``answer`` and ``right``
        macros."""
        return f"quizzes/kinds/{self.name}.html"

    def __repr__(self) -> str:
        return f"<question kind {self.name!r}>"

    # Reading the file ---------------------------------------------------------------------

    def read_block(self, block: Block, reader: Reader) -> dict[str, Any]:
        """The question's answers from its block, as Question fields; problems go to reader."""
        if block.entries:
            reader.problem(block.entries[0].line, f"a {self.label} question has no answers")
        return {}

    # Showing the question -----------------------------------------------------------------

    def public(self, question: Question) -> dict[str, tuple]:
        """What the take page may show of the answers: ``options``, ``items``, ``choices``."""
        return {
            "options": tuple(PublicOption(o.id, o.html) for o in question.options),
            "items": tuple(PublicOption(i.id, i.html) for i in question.items),
            "choices": (),
        }

    # Reading the form ---------------------------------------------------------------------

    @abc.abstractmethod
    def read_answer(self, question: Question, given: list[str], values: list[str]) -> Answer:
        """The answer from the form: ``given`` is the non-blank values (at least one),
        ``values`` every value in page order. Raises :class:`InvalidAnswer`."""

    def form_values(self, question: Question, answer: Answer) -> list[str]:
        """A saved answer as the form values that would submit it, to fill the page in again."""
        return [answer]  # type: ignore[list-item]

    # Storing ------------------------------------------------------------------------------

    def from_json(self, question: Question, data: Any) -> Answer | None:
        """An answer stored as JSON; None if it no longer fits the question."""
        return data if isinstance(data, str) else None

    # Marking ------------------------------------------------------------------------------

    @abc.abstractmethod
    def mark(self, question: Question, answer: object) -> Mark:
        """Mark one answer (any value: a wrong type is simply no answer)."""

    # The perspectives view ----------------------------------------------------------------

    def categories(self, question: Question, stored: Any, correct: bool | None, points: float):
        """The answer categories one stored response counts towards."""
        if correct:
            return (VERDICTS[0],)
        return (VERDICTS[1],) if points else (VERDICTS[2],)

    def category_order(self, question: Question) -> tuple[list[str], frozenset[str]]:
        """Every category in the author's order, and which of them are right."""
        return list(VERDICTS), frozenset(VERDICTS[:1])

    # Demo data ----------------------------------------------------------------------------

    @abc.abstractmethod
    def demo_answer(self, question: Question, right: bool, chance: random.Random) -> Answer:
        """A plausible answer, right or not, for the demo data."""


# Helpers the kinds share ----------------------------------------------------------------------


def scaled(question: Question, good: int, total: int) -> float:
    """Points for ``good`` of ``total`` parts right, by the question's scoring rule."""
    if question.scoring == "partial":
        return question.points * good / total
    return question.points if good == total else 0.0


def boxed_options(
    block: Block, reader: Reader, *, ids_from_text: bool = False
) -> tuple[list[Option], list[int]]:
    """The ``- [ ]`` / ``- [x]`` answers of a block, and the line of each."""
    options: list[Option] = []
    lines: list[int] = []
    for entry in block.entries:
        box = BOX.fullmatch(entry.text)
        if not box:
            reader.problem(entry.line, "write each answer as - [ ] text, or - [x] for a right one")
            continue
        tick = box.group(1).strip().casefold()
        if tick not in ("", "x"):
            hint = " (numbers are for ordering questions)" if tick.isdigit() else ""
            reader.problem(entry.line, f"write [ ] or [x] before an answer, not [{tick}]{hint}")
            continue
        text, option_id, feedback = reader.entry_parts(entry, box.group(2))
        if ids_from_text:
            option_id = normalise_answer(text)
        lines.append(entry.line)
        options.append(
            Option(
                id=option_id,
                html=reader.inline(text, entry.line),
                text=text,
                correct=tick == "x",
                feedback=feedback,
            )
        )
    reader.check_unique(block, [(o.id, n) for o, n in zip(options, lines, strict=True)])
    return options, lines


def option_categories(question: Question) -> tuple[list[str], frozenset[str]]:
    """Perspectives categories for kinds whose answers are options: each option's text, in
    the order written, and the texts of the right ones."""
    return (
        [o.text for o in question.options],
        frozenset(o.text for o in question.options if o.correct),
    )


def one_of_the_options(question: Question, given: Sequence[str]) -> str:
    """The one option id a radio group submitted; InvalidAnswer otherwise."""
    if len(given) > 1 or question.option(given[0]) is None:
        raise InvalidAnswer("Choose one of the answers shown.")
    return given[0]


def string_list(data: Any) -> list[str] | None:
    """Stored data that is a list of strings, or None."""
    if isinstance(data, list) and all(isinstance(v, str) for v in data):
        return data
    return None


__all__ = [
    "Answer",
    "InvalidAnswer",
    "Kind",
    "Mark",
    "boxed_options",
    "one_of_the_options",
    "option_categories",
    "round_points",
    "scaled",
    "string_list",
]
