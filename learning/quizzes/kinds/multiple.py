"""Multiple response: checkboxes, one or more right answers, scored all-or-nothing or with
partial credit and a penalty for wrong ticks."""

from __future__ import annotations

import random
from typing import Any

from ..model import Question
from ..reading import Block, Reader, number
from .base import (
    Answer,
    InvalidAnswer,
    Kind,
    Mark,
    boxed_options,
    option_categories,
    round_points,
    string_list,
)


class Multiple(Kind):
    """Tick every answer that applies."""

    name = "multiple"
    label = "multiple-response"
    missing = "Tick at least one answer."
    scorings = ("all-or-nothing", "partial")
    own_settings = {"penalty": '"Penalty" goes with "Scoring: partial" only'}

    def read_block(self, block: Block, reader: Reader) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if "penalty" in block.settings:
            line, text = block.settings["penalty"]
            value = number(text)
            scoring = block.settings.get("scoring", (0, ""))[1].casefold()
            if scoring.removesuffix(" credit") != "partial":
                reader.problem(line, self.own_settings["penalty"])
            elif value is None or value < 0:
                reader.problem(line, '"Penalty" must be a number of 0 or more')
            else:
                fields["penalty"] = value
        options, _ = boxed_options(block, reader)
        if len(options) != len(block.entries):
            pass  # each unreadable answer is reported on its own line
        elif len(options) < 2:
            reader.problem(block.line, "a choice question needs at least two answers")
        elif not any(o.correct for o in options):
            reader.problem(block.line, "tick [x] at least one right answer")
        fields["options"] = tuple(options)
        return fields

    def read_answer(self, question: Question, given: list[str], values: list[str]) -> Answer:
        if any(question.option(v) is None for v in given):
            raise InvalidAnswer("Tick only the answers shown.")
        return frozenset(given)

    def form_values(self, question: Question, answer: Answer) -> list[str]:
        return list(answer)  # type: ignore[arg-type]

    def from_json(self, question: Question, data: Any) -> Answer | None:
        found = string_list(data)
        return frozenset(found) if found is not None else None

    def mark(self, question: Question, answer: object) -> Mark:
        right = frozenset(o.id for o in question.options if o.correct)
        if not isinstance(answer, frozenset | set) or not all(isinstance(v, str) for v in answer):
            return Mark(None, 0.0, right)
        ticked = frozenset(answer)
        feedback = tuple(o.feedback for o in question.options if o.id in ticked)
        return Mark(ticked, points(question, ticked), right, feedback)

    def categories(self, question: Question, stored: Any, correct: bool | None, points: float):
        return tuple(o.text for o in question.options if o.id in (stored or []))

    def category_order(self, question: Question) -> tuple[list[str], frozenset[str]]:
        return option_categories(question)

    def demo_answer(self, question: Question, right: bool, chance: random.Random) -> Answer:
        options = list(question.options)
        correct = frozenset(o.id for o in options if o.correct)
        if right:
            return correct
        picked = frozenset(o.id for o in options if chance.random() < 0.5)
        return picked or frozenset([options[0].id])


def points(question: Question, ticked: frozenset[str]) -> float:
    """Points for a multiple-response answer, by the question's scoring rule.

    Partial credit: each right tick earns ``points / right answers``, each wrong tick loses
    ``penalty`` times that, and the total never goes below zero.
    """
    right = {o.id for o in question.options if o.correct}
    ticked = frozenset(t for t in ticked if question.option(t) is not None)
    if question.scoring != "partial":
        return question.points if ticked == right else 0.0
    hits = len(ticked & right)
    misses = len(ticked - right)
    share = question.points / len(right)
    return round_points(min(question.points, max(0.0, share * (hits - question.penalty * misses))))


KIND = Multiple()
