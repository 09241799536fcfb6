"""Matching: pairs written ``- thing -> its match``; learners choose a match for each thing
from one list (the right matches plus any ``Also offer:`` distractors)."""

from __future__ import annotations

import random
from types import MappingProxyType
from typing import Any

from ..model import Choice, Item, PublicOption, Question
from ..reading import Block, Entry, Reader, slugify
from .base import Answer, InvalidAnswer, Kind, Mark, scaled


class Matching(Kind):
    """Match each thing to its partner."""

    name = "matching"
    label = "matching"
    missing = "Choose a match for every item."
    scorings = ("all-or-nothing", "partial")
    default_scoring = "all-or-nothing"
    own_settings = {"also offer": '"Also offer" is only for matching questions'}

    def read_block(self, block: Block, reader: Reader) -> dict[str, Any]:
        items: list[Item] = []
        choices: dict[str, Choice] = {}
        lines: list[int] = []
        for entry in block.entries:
            if " -> " not in entry.text:
                reader.problem(entry.line, "write each pair as - thing to match -> its match")
                continue
            left, right = entry.text[2:].rsplit(" -> ", 1)
            right, right_id = reader.explicit_id(right, entry.line)
            left = f"{left} {{#{right_id}}}" if right_id else left
            text, item_id, feedback = reader.entry_parts(Entry(entry.line, "", entry.sub), left)
            choice = Choice(slugify(right), right.strip())
            if not choice.id:
                reader.problem(entry.line, "the match after -> needs some letters or digits")
            choices.setdefault(choice.id, choice)
            lines.append(entry.line)
            items.append(
                Item(item_id, reader.inline(text, entry.line), text, feedback, answer=choice.id)
            )
        if "also offer" in block.settings:
            line, extra = block.settings["also offer"]
            for text in (t.strip() for t in extra.split(",")):
                choice = Choice(slugify(text), text)
                if not choice.id or choice.id in choices:
                    reader.problem(line, f'"{text}" is already a choice, or has no letters')
                choices.setdefault(choice.id, choice)
        reader.check_unique(block, [(i.id, n) for i, n in zip(items, lines, strict=True)])
        if len(items) != len(block.entries):
            pass  # each unreadable pair is reported on its own line
        elif len(items) < 2:
            reader.problem(block.line, "a matching question needs at least two pairs")
        elif len(choices) < 2:
            reader.problem(block.line, "a matching question needs at least two different matches")
        return {"items": tuple(items), "choices": tuple(choices.values())}

    def public(self, question: Question) -> dict[str, tuple]:
        return {
            "options": (),
            "items": tuple(PublicOption(i.id, i.html) for i in question.items),
            # Alphabetical, so the order written (often the items' order) gives nothing away.
            "choices": tuple(sorted(question.choices, key=lambda c: c.text.casefold())),
        }

    def read_answer(self, question: Question, given: list[str], values: list[str]) -> Answer:
        matched: dict[str, str] = {}
        for value in given:
            item_id, _, choice_id = value.partition(":")
            if question.item(item_id) is None or item_id in matched:
                raise InvalidAnswer("Choose a match for each item shown.")
            if choice_id:
                if question.choice(choice_id) is None:
                    raise InvalidAnswer("Choose a match from the list for each item.")
                matched[item_id] = choice_id
        if question.required and len(matched) != len(question.items):
            raise InvalidAnswer("Choose a match for every item.")
        return MappingProxyType(matched)

    def form_values(self, question: Question, answer: Answer) -> list[str]:
        return [f"{item}:{choice}" for item, choice in answer.items()]  # type: ignore[union-attr]

    def from_json(self, question: Question, data: Any) -> Answer | None:
        if isinstance(data, dict) and all(isinstance(v, str) for v in (*data, *data.values())):
            return MappingProxyType(dict(data))
        return None

    def mark(self, question: Question, answer: object) -> Mark:
        right = MappingProxyType({item.id: item.answer for item in question.items})
        if not isinstance(answer, MappingProxyType | dict):
            return Mark(None, 0.0, right)
        given = MappingProxyType(dict(answer))
        matched = sum(given.get(item_id) == choice for item_id, choice in right.items())
        feedback = tuple(i.feedback for i in question.items if given.get(i.id) != i.answer)
        return Mark(given, scaled(question, matched, len(right)), right, feedback)

    def demo_answer(self, question: Question, right: bool, chance: random.Random) -> Answer:
        choices = [c.id for c in question.choices]
        return {
            item.id: item.answer if right else chance.choice(choices) for item in question.items
        }


KIND = Matching()
