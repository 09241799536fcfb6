"""Ordering: steps numbered ``- [1]``, ``- [2]`` in their right places, shown in another order;
learners choose the step for each position."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from ..model import Item, PublicOption, Question
from ..reading import BOX, Block, Reader
from .base import Answer, InvalidAnswer, Kind, Mark, scaled, string_list


class Ordering(Kind):
    """Put the steps in order."""

    name = "ordering"
    label = "ordering"
    missing = "Put the steps in order."
    scorings = ("all-or-nothing", "partial")
    default_scoring = "all-or-nothing"

    def read_block(self, block: Block, reader: Reader) -> dict[str, Any]:
        placed: list[tuple[int, Item]] = []
        lines: list[int] = []
        for entry in block.entries:
            box = BOX.fullmatch(entry.text)
            if not box or not box.group(1).strip().isdigit():
                reader.problem(
                    entry.line, "number each step with its right place: - [1] first, - [2] next"
                )
                continue
            text, item_id, feedback = reader.entry_parts(entry, box.group(2))
            item = Item(item_id, reader.inline(text, entry.line), text, feedback)
            placed.append((int(box.group(1)), item))
            lines.append(entry.line)
        reader.check_unique(block, [(i.id, n) for (_, i), n in zip(placed, lines, strict=True)])
        places = sorted(p for p, _ in placed)
        if len(placed) != len(block.entries):
            pass  # each unreadable step is reported on its own line
        elif len(placed) < 2:
            reader.problem(block.line, "an ordering question needs at least two steps")
        elif places != list(range(1, len(placed) + 1)):
            reader.problem(
                block.line, f"number the steps 1 to {len(placed)}, each once (found {places})"
            )
        shown = tuple(item for _, item in placed)
        right = tuple(item for _, item in sorted(placed, key=lambda p: p[0]))
        return {"items": right, "shown": shuffled(f"{reader.slug}/{block.id}/", right, shown)}

    def public(self, question: Question) -> dict[str, tuple]:
        # The order shown, never the right order.
        return {
            "options": (),
            "items": tuple(PublicOption(i.id, i.html) for i in question.shown),
            "choices": (),
        }

    def read_answer(self, question: Question, given: list[str], values: list[str]) -> Answer:
        ids = {item.id for item in question.items}
        if len(values) != len(ids) or set(values) != ids:
            raise InvalidAnswer("Put every step in a place of its own, using each step once.")
        return tuple(values)

    def form_values(self, question: Question, answer: Answer) -> list[str]:
        return list(answer)  # type: ignore[arg-type]

    def from_json(self, question: Question, data: Any) -> Answer | None:
        found = string_list(data)
        return tuple(found) if found is not None else None

    def mark(self, question: Question, answer: object) -> Mark:
        right = tuple(item.id for item in question.items)
        if not isinstance(answer, tuple | list) or not all(isinstance(v, str) for v in answer):
            return Mark(None, 0.0, right)
        order = tuple(answer)
        placed = sum(a == b for a, b in zip(order, right, strict=False))
        feedback = tuple(
            i.feedback for n, i in enumerate(question.items) if order[n : n + 1] != (i.id,)
        )
        return Mark(order, scaled(question, placed, len(right)), right, feedback)

    def demo_answer(self, question: Question, right: bool, chance: random.Random) -> Answer:
        order = [item.id for item in question.items]
        if not right:
            chance.shuffle(order)
        return tuple(order)


def shuffled(seed: str, right: tuple[Item, ...], shown: tuple[Item, ...]) -> tuple[Item, ...]:
    """The order written, unless that is the right order: then a fixed shuffle of it."""
    if shown != right or len(right) < 2:
        return shown
    order = sorted(right, key=lambda i: hashlib.sha256((seed + i.id).encode()).digest())
    if tuple(order) == right:
        order = order[1:] + order[:1]
    return tuple(order)


KIND = Ordering()
