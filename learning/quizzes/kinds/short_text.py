"""Short text: a word or phrase to type; accepted answers ticked ``[x]``, common wrong answers
unticked with feedback of their own. Case, spacing and punctuation do not count."""

from __future__ import annotations

import random
from typing import Any

from ..model import Question, normalise_answer
from ..reading import Block, Reader
from .base import Answer, InvalidAnswer, Kind, Mark, boxed_options

LONGEST = 10_000


class ShortText(Kind):
    """Type the answer."""

    name = "short-text"
    label = "short-text"
    missing = "Type your answer."
    keeps_spacing = True
    typed = True

    def read_block(self, block: Block, reader: Reader) -> dict[str, Any]:
        options, lines = boxed_options(block, reader)
        if len(options) == len(block.entries):
            if not any(o.correct for o in options):
                reader.problem(block.line, "tick [x] at least one accepted answer")
            seen: dict[str, str] = {}
            for option, line in zip(options, lines, strict=True):
                key = normalise_answer(option.text)
                if not key:
                    reader.problem(line, "an answer to type needs letters or digits")
                elif key in seen:
                    reader.problem(
                        line,
                        f'"{option.text}" counts as the same answer as "{seen[key]}"'
                        " (case, spaces and punctuation are ignored)",
                    )
                seen.setdefault(key, option.text)
        return {"options": tuple(options)}

    def public(self, question: Question) -> dict[str, tuple]:
        return {"options": (), "items": (), "choices": ()}  # the answers are to be typed

    def read_answer(self, question: Question, given: list[str], values: list[str]) -> Answer:
        return typed(given).strip()

    def mark(self, question: Question, answer: object) -> Mark:
        right = next(o for o in question.options if o.correct).text
        if not isinstance(answer, str) or not answer.strip():
            return Mark(None, 0.0, right)
        key = normalise_answer(answer)
        known = next((o for o in question.options if normalise_answer(o.text) == key), None)
        if known is None:
            return Mark(answer, 0.0, right)
        return Mark(answer, question.points if known.correct else 0.0, right, (known.feedback,))

    def demo_answer(self, question: Question, right: bool, chance: random.Random) -> Answer:
        accepted = [o.text for o in question.options if o.correct]
        wrong = [o.text for o in question.options if not o.correct] or ["not sure"]
        return chance.choice(accepted if right else wrong)


def typed(given: list[str]) -> str:
    """The one piece of text a text box or text area submitted; InvalidAnswer otherwise."""
    if len(given) > 1:
        raise InvalidAnswer("Write one answer.")
    if len(given[0]) > LONGEST:
        raise InvalidAnswer("Your answer is too long: keep it under 10,000 characters.")
    return given[0]


KIND = ShortText()
