"""Single choice: radios, exactly one right answer ticked ``[x]``."""

from __future__ import annotations

import random
from typing import Any

from ..model import Question
from ..reading import Block, Reader
from .base import Answer, Kind, Mark, boxed_options, one_of_the_options, option_categories


class Single(Kind):
    """Pick one answer; right or not."""

    name = "single"
    label = "single-choice"
    missing = "Choose an answer."

    def read_block(self, block: Block, reader: Reader) -> dict[str, Any]:
        options, _ = boxed_options(block, reader)
        ticked = sum(o.correct for o in options)
        if len(options) != len(block.entries):
            pass  # each unreadable answer is reported on its own line
        elif len(options) < 2:
            reader.problem(block.line, "a choice question needs at least two answers")
        elif ticked != 1:
            reader.problem(
                block.line,
                f"a single-choice question has exactly one right answer [x], not {ticked}"
                ' (for several, add "Type: multiple")',
            )
        return {"options": tuple(options)}

    def read_answer(self, question: Question, given: list[str], values: list[str]) -> Answer:
        return one_of_the_options(question, given)

    def mark(self, question: Question, answer: object) -> Mark:
        right = next(o for o in question.options if o.correct).id
        chosen = question.option(answer) if isinstance(answer, str) else None
        if chosen is None:
            return Mark(None, 0.0, right)
        return Mark(answer, question.points if chosen.correct else 0.0, right, (chosen.feedback,))

    def categories(self, question: Question, stored: Any, correct: bool | None, points: float):
        option = question.option(stored) if isinstance(stored, str) else None
        return (option.text if option else str(stored),)

    def category_order(self, question: Question) -> tuple[list[str], frozenset[str]]:
        return option_categories(question)

    def demo_answer(self, question: Question, right: bool, chance: random.Random) -> Answer:
        options = list(question.options)
        pool = [o for o in options if o.correct == right] or options
        return chance.choice(pool).id


KIND = Single()
