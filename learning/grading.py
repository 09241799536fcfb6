"""Marking quizzes and branching cases: pure functions of a quiz and a learner's answers.

Answers, by question type (what :func:`parse_answer` returns and :func:`grade` expects):

=============  ==============================================================
single         the option id (``str``)
multiple       the ticked option ids (``frozenset[str]``)
true-false     ``bool``
ordering       the item ids in the learner's order (``tuple[str, ...]``)
matching       item id -> choice id (``Mapping[str, str]``)
short-text     the text typed (``str``)
reflection     the text written (``str``); kept, never marked
=============  ==============================================================

A missing or unreadable answer scores nothing; answers naming ids that no longer exist (the
quiz was edited since) are simply wrong, so old attempts can always be marked again.

A branching case is played as a sequence of decisions ``(step id, choice id)``: see
:func:`next_step`, :func:`grade_path` and :func:`best_path`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from learning.quizzes.model import Band, Feedback, Question, Quiz, Step, StepChoice
from learning.quizzes.model import normalise_answer as normalise

Answer = str | bool | frozenset[str] | tuple[str, ...] | Mapping[str, str]


class InvalidAnswer(ValueError):
    """A submitted answer that cannot be accepted; the message is for the learner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DecisionError(ValueError):
    """A decision that does not fit the case at that point."""


# Reading the form ------------------------------------------------------------------------


def parse_answer(question: Question, values: Sequence[str]) -> Answer | None:
    """Turn the submitted values of ``question.field`` into an answer.

    ``values`` is every value submitted under the field name, in page order
    (``request.form.getlist(question.field)``). Returns None for an unanswered optional
    question; raises :class:`InvalidAnswer` with a message for the learner otherwise.
    """
    values = [v.strip() if question.type not in ("short-text", "reflection") else v for v in values]
    given = [v for v in values if v.strip()]
    if not given:
        if question.required:
            raise InvalidAnswer(_missing[question.type])
        return None
    kind = question.type
    if kind in ("single", "true-false"):
        if len(given) > 1 or question.option(given[0]) is None:
            raise InvalidAnswer("Choose one of the answers shown.")
        return given[0] == "true" if kind == "true-false" else given[0]
    if kind == "multiple":
        if any(question.option(v) is None for v in given):
            raise InvalidAnswer("Tick only the answers shown.")
        return frozenset(given)
    if kind == "ordering":
        ids = {item.id for item in question.items}
        if len(values) != len(ids) or set(values) != ids:
            raise InvalidAnswer("Put every step in a place of its own, using each step once.")
        return tuple(values)
    if kind == "matching":
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
    if len(given) > 1:
        raise InvalidAnswer("Write one answer.")
    if len(given[0]) > 10_000:
        raise InvalidAnswer("Your answer is too long: keep it under 10,000 characters.")
    return given[0].strip() if kind == "short-text" else given[0].replace("\r\n", "\n")


_missing = {
    "single": "Choose an answer.",
    "true-false": "Choose true or false.",
    "multiple": "Tick at least one answer.",
    "ordering": "Put the steps in order.",
    "matching": "Choose a match for every item.",
    "short-text": "Type your answer.",
    "reflection": "Write your reflection.",
}


def read_answers(
    quiz: Quiz, values: Callable[[str], Sequence[str]]
) -> tuple[dict[str, Answer], dict[str, str]]:
    """Every answer on a submitted form, and an error message per question that needs one.

    ``values`` is ``request.form.getlist`` (or any function from field name to its values).
    """
    answers: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for question in quiz.questions:
        try:
            answer = parse_answer(question, values(question.field))
        except InvalidAnswer as error:
            errors[question.id] = error.message
        else:
            if answer is not None:
                answers[question.id] = answer
    return answers, errors


# Storing answers -------------------------------------------------------------------------


def answer_to_json(answer: Answer) -> Any:
    """An answer as JSON data: str, bool, a sorted list, a list or an object."""
    if isinstance(answer, str | bool):
        return answer
    if isinstance(answer, frozenset):
        return sorted(answer)
    if isinstance(answer, tuple):
        return list(answer)
    return dict(sorted(answer.items()))


def answer_from_json(question: Question, data: Any) -> Answer | None:
    """The answer stored by :func:`answer_to_json`; None if it no longer fits the question."""
    kind = question.type
    if kind == "true-false":
        return data if isinstance(data, bool) else None
    if kind in ("single", "short-text", "reflection"):
        return data if isinstance(data, str) else None
    if kind in ("multiple", "ordering"):
        if not isinstance(data, list) or not all(isinstance(v, str) for v in data):
            return None
        return frozenset(data) if kind == "multiple" else tuple(data)
    if isinstance(data, dict) and all(isinstance(v, str) for v in (*data, *data.values())):
        return MappingProxyType(dict(data))
    return None


def answers_to_json(answers: Mapping[str, Answer]) -> dict[str, Any]:
    """Every answer of an attempt as one JSON object, keyed by question id."""
    return {qid: answer_to_json(answer) for qid, answer in answers.items()}


def answers_from_json(quiz: Quiz, data: Mapping[str, Any]) -> dict[str, Answer]:
    """The answers stored by :func:`answers_to_json` that still fit the quiz's questions."""
    found: dict[str, Answer] = {}
    for question in quiz.questions:
        if question.id in data:
            answer = answer_from_json(question, data[question.id])
            if answer is not None:
                found[question.id] = answer
    return found


# Marking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    """How one answer was marked, with what the review page shows."""

    question: Question
    answer: Answer | None
    points: float
    max_points: float
    #: True or False; None for a reflection (not marked).
    correct: bool | None
    #: The right answer, in the same form as ``answer`` (None for a reflection).
    right_answer: Answer | None
    #: The feedback that applies to this answer, the question's own last.
    feedback: tuple[Feedback, ...]

    @property
    def question_id(self) -> str:
        """The question's id, as answers are stored."""
        return self.question.id

    @property
    def answered(self) -> bool:
        """False when the learner gave no (usable) answer."""
        return self.answer is not None


@dataclass(frozen=True)
class Result:
    """A marked attempt at a quiz of questions."""

    questions: tuple[QuestionResult, ...]
    score: float
    max_score: float
    percent: float
    passed: bool
    band: Band | None

    def __getitem__(self, question_id: str) -> QuestionResult:
        for result in self.questions:
            if result.question.id == question_id:
                return result
        raise KeyError(question_id)


def grade(quiz: Quiz, answers: Mapping[str, object]) -> Result:
    """Mark every question of ``quiz`` against ``answers`` (question id -> answer)."""
    results = tuple(_grade(q, answers.get(q.id)) for q in quiz.questions)
    score = _round(sum(r.points for r in results))
    maximum = _round(sum(r.max_points for r in results))
    percent = _percent(score, maximum)
    return Result(
        questions=results,
        score=score,
        max_score=maximum,
        percent=percent,
        passed=percent >= quiz.pass_mark,
        band=quiz.band_for(percent),
    )


def _grade(question: Question, answer: object) -> QuestionResult:
    kind = question.type
    feedback: list[Feedback] = []
    right: Answer | None
    points = 0.0
    if kind in ("single", "true-false"):
        right_option = next(o for o in question.options if o.correct)
        right = right_option.id == "true" if kind == "true-false" else right_option.id
        if kind == "true-false" and isinstance(answer, bool):
            chosen = question.option("true" if answer else "false")
        elif kind == "single" and isinstance(answer, str):
            chosen = question.option(answer)
        else:
            answer, chosen = None, None
        if chosen is not None:
            feedback.append(chosen.feedback)
            points = question.points if chosen.correct else 0.0
    elif kind == "multiple":
        right = frozenset(o.id for o in question.options if o.correct)
        if not isinstance(answer, frozenset | set) or not all(isinstance(v, str) for v in answer):
            answer = None
        else:
            answer = frozenset(answer)
            feedback += [o.feedback for o in question.options if o.id in answer]
            points = multiple_points(question, answer)
    elif kind == "ordering":
        right = tuple(item.id for item in question.items)
        if not isinstance(answer, tuple | list) or not all(isinstance(v, str) for v in answer):
            answer = None
        else:
            answer = tuple(answer)
            placed = sum(a == b for a, b in zip(answer, right, strict=False))
            feedback += [
                i.feedback for n, i in enumerate(question.items) if answer[n : n + 1] != (i.id,)
            ]
            points = _scaled(question, placed, len(right))
    elif kind == "matching":
        right = MappingProxyType({item.id: item.answer for item in question.items})
        if not isinstance(answer, Mapping):
            answer = None
        else:
            answer = MappingProxyType(dict(answer))
            matched = sum(answer.get(item_id) == choice for item_id, choice in right.items())
            feedback += [i.feedback for i in question.items if answer.get(i.id) != i.answer]
            points = _scaled(question, matched, len(right))
    elif kind == "short-text":
        accepted = [o for o in question.options if o.correct]
        right = accepted[0].text
        if not isinstance(answer, str) or not answer.strip():
            answer = None
        else:
            typed = normalise(answer)
            known = next((o for o in question.options if normalise(o.text) == typed), None)
            if known is not None:
                feedback.append(known.feedback)
                points = question.points if known.correct else 0.0
    else:
        right = None
        answer = answer if isinstance(answer, str) and answer.strip() else None
    feedback.append(question.feedback)
    scored = question.scored
    return QuestionResult(
        question=question,
        answer=answer,  # type: ignore[arg-type]
        points=_round(points),
        max_points=question.max_points,
        correct=(_round(points) == question.points) if scored else None,
        right_answer=right,
        feedback=tuple(f for f in feedback if f),
    )


def multiple_points(question: Question, ticked: frozenset[str]) -> float:
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
    return _round(min(question.points, max(0.0, share * (hits - question.penalty * misses))))


def _scaled(question: Question, good: int, total: int) -> float:
    if question.scoring == "partial":
        return question.points * good / total
    return question.points if good == total else 0.0


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def _percent(score: float, maximum: float) -> float:
    if maximum <= 0:
        return 100.0
    return round(min(100.0, max(0.0, 100 * score / maximum)), 1)


# Branching cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """One step of a path: the choice made there and the score after it."""

    step: Step
    choice: StepChoice
    score: float


@dataclass(frozen=True)
class PathResult:
    """A path through a branching case, marked against the best path for the same lens."""

    decisions: tuple[Decision, ...]
    outcome: Step
    score: float
    max_score: float
    percent: float
    passed: bool
    band: Band | None

    @property
    def path(self) -> tuple[tuple[str, str], ...]:
        """The decisions as (step id, choice id) pairs, as they are stored."""
        return tuple((d.step.id, d.choice.id) for d in self.decisions)


def _walk(
    case: Quiz, decisions: Sequence[tuple[str, str]], profession: str | None
) -> tuple[list[Decision], Step]:
    """Replay decisions from the first step; the decisions made and the step reached."""
    if not case.is_branching:
        raise DecisionError(f'"{case.slug}" is not a branching case')
    step = case.first_step
    score = 0.0
    made: list[Decision] = []
    for number, decision in enumerate(decisions, start=1):
        try:
            step_id, choice_id = decision
        except (TypeError, ValueError):
            raise DecisionError(f"decision {number} is not a (step, choice) pair") from None
        if step.is_end:
            raise DecisionError(f'decision {number}: the case already ended at "{step.id}"')
        if step_id != step.id:
            raise DecisionError(
                f'decision {number} is for "{step_id}", but the step is "{step.id}"'
            )
        choice = step.choice(choice_id)
        if choice is None or not choice.available_to(profession):
            raise DecisionError(f'decision {number}: "{choice_id}" is not a choice at "{step.id}"')
        score = _round(score + choice.points)
        made.append(Decision(step, choice, score))
        chosen = frozenset((d.step.id, d.choice.id) for d in made)
        step = case.step(choice.target(score, chosen))
    return made, step


def next_step(
    case: Quiz, decisions: Sequence[tuple[str, str]], as_profession: str | None = None
) -> Step:
    """The step a learner is at after these decisions (an end step once the case is over).

    Raises :class:`DecisionError` if a decision does not fit (a stale or forged form).
    """
    return _walk(case, decisions, as_profession)[1]


def grade_path(
    case: Quiz, decisions: Sequence[tuple[str, str]], as_profession: str | None = None
) -> PathResult:
    """Mark a finished path: its score against the best path's, the outcome and the band.

    Raises :class:`DecisionError` if a decision does not fit or the path has not ended.
    """
    made, outcome = _walk(case, decisions, as_profession)
    if not outcome.is_end:
        raise DecisionError(f'the path has not ended: the next step is "{outcome.id}"')
    return _result(case, made, outcome, best_path(case, as_profession).score)


def _watched(case: Quiz) -> frozenset[tuple[str, str]]:
    """The (step, choice) pairs that some route's condition looks at."""
    return frozenset(
        (route.condition.step, route.condition.choice)
        for step in case.steps
        for choice in step.choices
        for route in choice.routes
        if route.condition is not None and route.condition.kind != "score"
    )


def _states(case: Quiz, as_profession: str | None):
    """Walk the case as a graph of states (step, score so far, remembered choices).

    Routes depend only on the score and on the choices some condition names, so two paths
    that reach the same step with the same score and the same remembered choices go on
    identically. Working on states rather than paths keeps large cases (hundreds of thousands
    of paths) quick. Returns the first state and a function giving a state's moves.
    """
    watched = _watched(case)

    def moves(state):
        step, score, seen = state
        for choice in step.choices_for(as_profession):
            after = _round(score + choice.points)
            remembered = seen | ({(step.id, choice.id)} & watched)
            following = case.step(choice.target(after, remembered))
            yield choice, (following, after, remembered)

    return (case.first_step, 0.0, frozenset()), moves


def best_path(case: Quiz, as_profession: str | None = None) -> PathResult:
    """The path with the most points; among equals, the one with earlier-written choices."""
    key = (case.slug, case.version, as_profession)
    if key not in _best:
        first, moves = _states(case, as_profession)
        memo: dict[tuple, tuple[float, tuple, Step]] = {}

        def best(state) -> tuple[float, tuple, Step]:
            marker = (state[0].id, state[1], state[2])
            if marker not in memo:
                found: tuple[float, tuple, Step] | None = None
                if state[0].is_end:
                    found = (0.0, (), state[0])
                for choice, after in moves(state):
                    gain, rest, outcome = best(after)
                    total = _round(choice.points + gain)
                    if found is None or total > found[0]:
                        found = (total, ((state[0], choice), *rest), outcome)
                assert found is not None  # noqa: S101 (a step has choices or is an end)
                memo[marker] = found
            return memo[marker]

        total, chosen, outcome = best(first)
        made, score = [], 0.0
        for step, choice in chosen:
            score = _round(score + choice.points)
            made.append(Decision(step, choice, score))
        if len(_best) > 1000:
            _best.clear()
        _best[key] = _result(case, made, outcome, total)
    return _best[key]


_best: dict[tuple, PathResult] = {}


@dataclass(frozen=True)
class CaseShape:
    """What every path through a case looks like, for one lens."""

    shortest: int
    longest: int
    endings: frozenset[str]


def shape(case: Quiz, as_profession: str | None = None) -> CaseShape:
    """The fewest and most decisions on any path, and every ending some path reaches."""
    first, moves = _states(case, as_profession)
    memo: dict[tuple, tuple[int, int, frozenset[str]]] = {}

    def visit(state) -> tuple[int, int, frozenset[str]]:
        marker = (state[0].id, state[1], state[2])
        if marker not in memo:
            if state[0].is_end:
                memo[marker] = (0, 0, frozenset([state[0].id]))
            else:
                below = [visit(after) for _, after in moves(state)]
                memo[marker] = (
                    1 + min(b[0] for b in below),
                    1 + max(b[1] for b in below),
                    frozenset().union(*(b[2] for b in below)),
                )
        return memo[marker]

    shortest, longest, endings = visit(first)
    return CaseShape(shortest, longest, endings)


def _result(case: Quiz, made: list[Decision], outcome: Step, maximum: float) -> PathResult:
    score = made[-1].score if made else 0.0
    percent = _percent(score, maximum)
    return PathResult(
        decisions=tuple(made),
        outcome=outcome,
        score=score,
        max_score=maximum,
        percent=percent,
        passed=percent >= case.pass_mark,
        band=case.band_for(percent),
    )


def decisions_to_json(decisions: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Decisions as JSON data: a list of [step id, choice id]."""
    return [[step_id, choice_id] for step_id, choice_id in decisions]


def decisions_from_json(data: Any) -> tuple[tuple[str, str], ...]:
    """Decisions stored by :func:`decisions_to_json`; DecisionError if the data is malformed."""
    if not isinstance(data, list) or not all(
        isinstance(d, list) and len(d) == 2 and all(isinstance(v, str) for v in d) for d in data
    ):
        raise DecisionError("stored decisions must be a list of [step, choice] pairs")
    return tuple((d[0], d[1]) for d in data)
