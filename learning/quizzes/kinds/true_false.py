"""True or false: two radios, the right one ticked; the answer is a ``bool``."""

from __future__ import annotations

import random
from typing import Any

from ..model import Question
from ..reading import Block, Reader
from .base import Answer, Kind, Mark, boxed_options, one_of_the_options

LABELS = {True: "True", False: "False"}


class TrueFalse(Kind):
    """A statement to judge true or false."""

    name = "true-false"
    label = "true-false"
    missing = "Choose true or false."

    def read_block(self, block: Block, reader: Reader) -> dict[str, Any]:
        options, _ = boxed_options(block, reader, ids_from_text=True)
        ticked = sum(o.correct for o in options)
        if len(options) == len(block.entries) and (
            sorted(o.id for o in options) != ["false", "true"] or ticked != 1
        ):
            reader.problem(
                block.line,
                "a true-false question has two answers, - [ ] True and - [ ] False,"
                " with the right one ticked [x]",
            )
        return {"options": tuple(options)}

    def read_answer(self, question: Question, given: list[str], values: list[str]) -> Answer:
        return one_of_the_options(question, given) == "true"

    def form_values(self, question: Question, answer: Answer) -> list[str]:
        return ["true" if answer else "false"]

    def from_json(self, question: Question, data: Any) -> Answer | None:
        return data if isinstance(data, bool) else None

    def mark(self, question: Question, answer: object) -> Mark:
        right = next(o for o in question.options if o.correct).id == "true"
        if not isinstance(answer, bool):
            return Mark(None, 0.0, right)
        chosen = question.option("true" if answer else "false")
        points = question.points if chosen.correct else 0.0
        return Mark(answer, points, right, (chosen.feedback,))

    def categories(self, question: Question, stored: Any, correct: bool | None, points: float):
        return (LABELS[bool(stored)],)

    def category_order(self, question: Question) -> tuple[list[str], frozenset[str]]:
        right = frozenset(LABELS[o.id == "true"] for o in question.options if o.correct)
        return [LABELS[True], LABELS[False]], right

    def demo_answer(self, question: Question, right: bool, chance: random.Random) -> Answer:
        truth = next(o.id for o in question.options if o.correct) == "true"
        return truth if right else not truth


KIND = TrueFalse()
