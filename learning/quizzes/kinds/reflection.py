"""Reflection: free text the learner writes for themselves; kept for their CPD record and
never marked."""

from __future__ import annotations

import random
from typing import Any

from ..model import Question
from ..reading import Block, Reader
from .base import Answer, Kind, Mark
from .short_text import typed

#: What demo learners write.
REFLECTIONS = (
    "I had not realised the housing officer has a legal duty of their own here. Next time I "
    "will ask who in housing to contact before the discharge meeting, not after.",
    "I tend to assume the social worker will lead. This made me see what I would notice that "
    "they would not, and that I should say it in the meeting.",
    "Asking the person what they want to happen first changed the whole plan. I will write "
    "their own words in my notes.",
    "I was unsure when to share information without consent. I will check our policy and talk "
    "it through with our safeguarding lead this week.",
)


class Reflection(Kind):
    """Write a reflection; not marked."""

    name = "reflection"
    label = "reflection"
    missing = "Write your reflection."
    marked = False
    keeps_spacing = True
    typed = True
    reflective = True

    def read_block(self, block: Block, reader: Reader) -> dict[str, Any]:
        if "points" in block.settings:
            reader.problem(
                block.settings["points"][0], "a reflection is not marked, so it has no points"
            )
        if block.entries:
            reader.problem(
                block.entries[0].line, "a reflection has no answers to choose: remove them"
            )
        return {}

    def public(self, question: Question) -> dict[str, tuple]:
        return {"options": (), "items": (), "choices": ()}

    def read_answer(self, question: Question, given: list[str], values: list[str]) -> Answer:
        return typed(given).replace("\r\n", "\n")

    def mark(self, question: Question, answer: object) -> Mark:
        return Mark(answer if isinstance(answer, str) and answer.strip() else None, 0.0, None)

    def categories(self, question: Question, stored: Any, correct: bool | None, points: float):
        return ()

    def demo_answer(self, question: Question, right: bool, chance: random.Random) -> Answer:
        return chance.choice(REFLECTIONS)


KIND = Reflection()
