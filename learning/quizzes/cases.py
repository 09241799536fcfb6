"""Branching cases: steps, choices and the routes between them, in one place.

A case is a quiz of shape :data:`SHAPE`: one step per page, each choice leading to another
step (possibly depending on the score so far or on earlier choices) until an end step with an
outcome. This module holds everything about that shape: the dataclasses a case's steps
become, reading and checking a case's blocks (routes, conditions, every step reachable, no
loops), playing and marking a path, the best path and the shape of every path, and the
shape's answers to the questions views, attempts and reports ask of any quiz.

Everything here is pure: no Flask, no database.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import Markup

from learning.content.files import unknown
from learning.content.yamlines import LineDict
from learning.professions import BY_CODE, CODES

from .model import (
    NO_FEEDBACK,
    Band,
    Feedback,
    Prose,
    PublicOption,
    Quiz,
    percent_of,
    round_points,
)
from .reading import Block, Entry, Reader, slugify
from .shapes import Marked, Shape

CHOICE = re.compile(
    r"- (?P<text>.+?)(?:[ \t]+->[ \t]*(?P<target>\S+))?"
    r"(?:[ \t]+\((?P<points>[+-]?\d+(?:\.\d+)?)[ \t]+points?\))?[ \t]*"
)
ROUTE = re.compile(r"->[ \t]*(?P<target>\S+)(?:[ \t]+(?P<rest>.*?))?[ \t]*")
SCORE_CONDITION = re.compile(r"score[ \t]*(>=|<=|==|=|>|<)[ \t]*([+-]?\d+(?:\.\d+)?)")
CHOSE_CONDITION = re.compile(r"(not[ \t]+)?chose[ \t]+([a-z0-9-]+)\.([a-z0-9-]+)")
#: The settings a step may have under its heading.
STEP_SETTINGS = ("outcome",)
#: The editorial standard for cases: the fewest decisions on any path, and the rules' words.
FEWEST_DECISIONS = 6
CHOICE_RULE = "every choice has feedback"
DECISIONS_RULE = f"every path through a case has at least {FEWEST_DECISIONS} decisions"
ENDINGS_RULE = "a case has at least two endings"


class DecisionError(ValueError):
    """A decision that does not fit the case at that point."""


# The steps of a case ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Condition:
    """When a route is taken: on the score so far, or on an earlier choice."""

    kind: Literal["score", "chose", "not-chose"]
    operator: str = ""
    value: float = 0.0
    step: str = ""
    choice: str = ""

    def holds(self, score: float, chosen: frozenset[tuple[str, str]]) -> bool:
        """True if the route applies, given the score so far and the choices made so far."""
        if self.kind == "score":
            return {
                ">=": score >= self.value,
                ">": score > self.value,
                "<=": score <= self.value,
                "<": score < self.value,
                "=": score == self.value,
            }[self.operator]
        made = (self.step, self.choice) in chosen
        return made if self.kind == "chose" else not made

    def __str__(self) -> str:
        if self.kind == "score":
            return f"score {self.operator} {self.value:g}"
        verb = "chose" if self.kind == "chose" else "not chose"
        return f"{verb} {self.step}.{self.choice}"


@dataclass(frozen=True, slots=True)
class Route:
    """Where a choice leads: ``target`` when ``condition`` holds (None: otherwise)."""

    target: str
    condition: Condition | None
    line: int


@dataclass(frozen=True, slots=True)
class StepChoice:
    """A choice at a step of a branching case."""

    id: str
    html: Markup
    text: str
    points: float
    routes: tuple[Route, ...]
    line: int
    feedback: Feedback = NO_FEEDBACK
    #: Offered only to these professions; empty means everyone.
    professions: tuple[str, ...] = ()

    def available_to(self, profession: str | None) -> bool:
        """True if a learner playing as ``profession`` is offered this choice."""
        return not self.professions or profession in self.professions

    def target(self, score: float, chosen: frozenset[tuple[str, str]]) -> str:
        """The step this choice leads to, after ``score`` points and these choices."""
        for route in self.routes:
            if route.condition is None or route.condition.holds(score, chosen):
                return route.target
        raise LookupError(f"no route applies for choice {self.id!r}")  # validated at load


@dataclass(frozen=True, slots=True)
class PublicStep:
    """What the page may show of a step before the learner decides: no points, no routes."""

    id: str
    field: str
    title: Markup
    prompt: Prose
    choices: tuple[PublicOption, ...]


@dataclass(frozen=True)
class Step:
    """One step of a branching case; a step without choices is an end with an ``outcome``."""

    id: str
    title: str
    title_html: Markup
    prompt: Prose
    line: int
    choices: tuple[StepChoice, ...] = ()
    outcome: str | None = None
    feedback: Feedback = NO_FEEDBACK

    @property
    def is_end(self) -> bool:
        """True for a step that ends the case."""
        return not self.choices

    @property
    def field(self) -> str:
        """The name of the form field (radios) for the choice at this step."""
        return f"step-{self.id}"

    def choice(self, choice_id: str) -> StepChoice | None:
        """The choice with this id, or None."""
        return next((c for c in self.choices if c.id == choice_id), None)

    def choices_for(self, profession: str | None) -> tuple[StepChoice, ...]:
        """The choices offered to a learner playing as ``profession``."""
        return tuple(c for c in self.choices if c.available_to(profession))

    def public(self, profession: str | None = None) -> PublicStep:
        """What the page may show before the learner decides, as ``profession``."""
        return PublicStep(
            id=self.id,
            field=self.field,
            title=self.title_html,
            prompt=self.prompt,
            choices=tuple(PublicOption(c.id, c.html) for c in self.choices_for(profession)),
        )


# Reading a case --------------------------------------------------------------------------


def _step(reader: Reader, block: Block) -> Step:
    """A step of a branching case: its choices, or its outcome if it is an end."""
    choices = tuple(c for e in block.entries if (c := _step_choice(reader, e)) is not None)
    outcome = block.settings.get("outcome")
    if choices and outcome:
        reader.problem(outcome[0], "a step with choices is not an end: remove its Outcome")
    if not block.entries and not outcome:
        reader.problem(
            block.line,
            f'step "{block.id}" has no choices and no "Outcome:", so the case stops here'
            " without an ending: add choices (- text -> step) or an Outcome line",
        )
    if block.entries and not any(not c.professions for c in choices):
        reader.problem(block.line, "offer at least one choice to every profession here")
    reader.check_unique(block, [(c.id, c.line) for c in choices])
    return Step(
        id=block.id,
        title=block.title,
        title_html=reader.inline(block.title, block.line),
        prompt=reader.prose(block.prompt, block.prompt_line),
        line=block.line,
        choices=choices,
        outcome=outcome[1] if outcome and outcome[1] else None,
        feedback=reader.feedback(block.feedback),
    )


def _step_choice(reader: Reader, entry: Entry) -> StepChoice | None:
    """A choice with its points, routes, feedback and professions."""
    text, given = reader.explicit_id(entry.text, entry.line)
    found = CHOICE.fullmatch(text)
    if not found or "->" in found.group("text"):
        reader.problem(
            entry.line,
            "write a choice as - what you do -> step-id (2 points), with any conditions"
            " on their own indented lines (  -> step-id if score >= 4)",
        )
        return None
    routes: list[Route] = []
    if found.group("target"):
        routes.append(Route(found.group("target"), None, entry.line))
    professions: tuple[str, ...] = ()
    feedback: list[tuple[int, str]] = []
    for number, sub in entry.sub:
        if sub.startswith(">"):
            feedback.append((number, sub))
        elif sub.startswith("->"):
            if found.group("target"):
                reader.problem(number, "this choice already leads to a step on its own line")
            route = _route(reader, sub, number)
            if route:
                routes.append(route)
        elif sub.casefold().startswith("only for:"):
            professions = _only_for(reader, sub.split(":", 1)[1], number)
        else:
            reader.problem(number, "under a choice, write > feedback, -> routes or Only for:")
    if not routes and found.group("target") is None:
        reader.problem(entry.line, "this choice leads nowhere: add -> step-id")
    _check_routes(reader, routes, entry.line)
    body = found.group("text").strip()
    return StepChoice(
        id=given or slugify(body),
        html=reader.inline(body, entry.line),
        text=body,
        points=float(found.group("points") or 0),
        routes=tuple(routes),
        line=entry.line,
        feedback=reader.feedback(feedback),
        professions=professions,
    )


def _route(reader: Reader, text: str, line: int) -> Route | None:
    """One indented ``-> step-id if <condition>`` line."""
    found = ROUTE.fullmatch(text)
    if not found:
        reader.problem(line, "write a route as -> step-id if <condition>, or -> step-id otherwise")
        return None
    rest = (found.group("rest") or "").strip()
    if rest in ("", "otherwise"):
        return Route(found.group("target"), None, line)
    if not rest.startswith("if "):
        reader.problem(line, f'a route ends with "if <condition>" or "otherwise", not "{rest}"')
        return None
    condition = rest[3:].strip()
    if score := SCORE_CONDITION.fullmatch(condition):
        operator = "=" if score.group(1) == "==" else score.group(1)
        return Route(
            found.group("target"), Condition("score", operator, float(score.group(2))), line
        )
    if chose := CHOSE_CONDITION.fullmatch(condition):
        kind = "not-chose" if chose.group(1) else "chose"
        return Route(
            found.group("target"),
            Condition(kind, step=chose.group(2), choice=chose.group(3)),
            line,
        )
    reader.problem(
        line,
        f'could not read the condition "{condition}": write "score >= 4" (or >, <=, <, =)'
        ', "chose step-id.choice-id" or "not chose step-id.choice-id"',
    )
    return None


def _check_routes(reader: Reader, routes: list[Route], line: int) -> None:
    """Conditional routes end with one for every other case."""
    if not routes:
        return
    for route in routes[:-1]:
        if route.condition is None:
            reader.problem(
                route.line,
                "a route without a condition must come last (it is taken otherwise);"
                " the routes after it are never used",
            )
    if routes[-1].condition is not None:
        reader.problem(
            routes[-1].line,
            "add a last route for every other case, e.g. -> step-id otherwise,"
            " or some paths would lead nowhere",
        )


def _only_for(reader: Reader, text: str, line: int) -> tuple[str, ...]:
    """The professions after ``Only for:``."""
    codes = tuple(c.strip() for c in text.split(",") if c.strip())
    for code in codes:
        if code not in BY_CODE:
            reader.problem(line, unknown("profession", code, CODES))
    if not codes:
        reader.problem(line, '"Only for:" needs one or more profession codes')
    return codes


def _check_case(
    reader: Reader, steps: tuple[Step, ...], front: LineDict, fields: dict[str, Any], close: int
) -> None:
    """Targets exist, conditions name real choices, every step is reachable, no loops."""
    if not steps:
        reader.problem(close, "the case has no steps: start each with a ## heading")
        return
    by_id = {s.id: s for s in steps}
    start = fields["start"] or steps[0].id
    fields["start"] = start
    if start not in by_id:
        reader.problem(front.lines["start"], unknown("step", start, by_id))
        return
    if not any(s.is_end for s in steps):
        reader.problem(close, 'the case has no end: add a step with an "Outcome:" line')
    edges: dict[str, list[tuple[str, int]]] = {s.id: [] for s in steps}
    for step in steps:
        for choice in step.choices:
            for route in choice.routes:
                if route.target not in by_id:
                    reader.problem(route.line, unknown("step", route.target, by_id))
                elif route.target == step.id:
                    reader.problem(route.line, f'this choice leads back to "{step.id}" itself')
                else:
                    edges[step.id].append((route.target, route.line))
    reached: set[str] = set()
    pending = [start]
    while pending:
        current = pending.pop()
        if current not in reached:
            reached.add(current)
            pending += [target for target, _ in edges[current]]
    for step in steps:
        if step.id not in reached:
            reader.problem(step.line, f'no choice leads to step "{step.id}", so no one will see it')
    _check_loops(reader, start, edges)
    ancestors = _ancestors(edges)
    for step in steps:
        for choice in step.choices:
            for route in choice.routes:
                condition = route.condition
                if condition is None or condition.kind == "score":
                    continue
                earlier = by_id.get(condition.step)
                if earlier is None:
                    reader.problem(route.line, unknown("step", condition.step, by_id))
                elif earlier.choice(condition.choice) is None:
                    reader.problem(
                        route.line,
                        unknown(
                            f'choice of step "{earlier.id}"',
                            condition.choice,
                            [c.id for c in earlier.choices],
                        ),
                    )
                elif earlier.id != step.id and earlier.id not in ancestors[step.id]:
                    reader.problem(
                        route.line,
                        f'step "{earlier.id}" never comes before "{step.id}",'
                        " so this condition is always the same",
                    )


def _check_loops(reader: Reader, start: str, edges: dict[str, list[tuple[str, int]]]) -> None:
    """Report each choice that closes a loop, so that every path ends."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(step_id: str, path: list[str]) -> None:
        state[step_id] = 1
        for target, line in edges[step_id]:
            if state.get(target) == 1:
                loop = " -> ".join([*path[path.index(target) :], step_id, target])
                reader.problem(line, f"this choice makes a loop ({loop}), so a path never ends")
            elif target not in state:
                visit(target, [*path, step_id])
        state[step_id] = 2

    for step_id in [start, *edges]:
        if step_id not in state:
            visit(step_id, [])


def _ancestors(edges: dict[str, list[tuple[str, int]]]) -> dict[str, set[str]]:
    """For each step, the steps from which some path leads to it."""
    parents: dict[str, set[str]] = {s: set() for s in edges}
    for source, targets in edges.items():
        for target, _ in targets:
            parents[target].add(source)
    found: dict[str, set[str]] = {}
    for step_id in edges:
        seen: set[str] = set()
        pending = list(parents[step_id])
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending += parents[current]
        found[step_id] = seen
    return found


# Playing and marking a path ------------------------------------------------------------------


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
    if not case.steps:
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
        score = round_points(score + choice.points)
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
            after = round_points(score + choice.points)
            remembered = seen | ({(step.id, choice.id)} & watched)
            following = case.step(choice.target(after, remembered))
            yield choice, (following, after, remembered)

    return (case.first_step, 0.0, frozenset()), moves


def best_path(case: Quiz, as_profession: str | None = None) -> PathResult:
    """The path with the most points; among equals, the one with earlier-written choices."""
    return _best_path(_Version(case), as_profession)


class _Version:
    """A case as a cache key: the same file version is the same case. Hashing the whole
    frozen Quiz would walk every rendered fragment on each lookup."""

    __slots__ = ("case", "key")

    def __init__(self, case: Quiz) -> None:
        self.case = case
        self.key = (case.path, case.slug, case.version)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Version) and other.key == self.key


@functools.lru_cache(maxsize=1024)
def _best_path(version: _Version, as_profession: str | None) -> PathResult:
    case = version.case
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
                total = round_points(choice.points + gain)
                if found is None or total > found[0]:
                    found = (total, ((state[0], choice), *rest), outcome)
            assert found is not None  # noqa: S101 (a step has choices or is an end)
            memo[marker] = found
        return memo[marker]

    total, chosen, outcome = best(first)
    made, score = [], 0.0
    for step, choice in chosen:
        score = round_points(score + choice.points)
        made.append(Decision(step, choice, score))
    return _result(case, made, outcome, total)


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
    percent = percent_of(score, maximum)
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


# The shape ----------------------------------------------------------------------------------


class Case(Shape):
    """A branching case: one step per page, played as any profession, marked along its path."""

    name = "branching"
    noun = "step"
    brief = "branching case"
    settings = STEP_SETTINGS
    any_lens = True
    refuses = {
        "layout": 'a branching case is always one step per page: remove "layout"',
    }
    counts_unanswered = False

    def starts_answer(self, lines: list[tuple[int, str]], index: int) -> bool:
        text = lines[index][1]
        if not text.startswith("- "):
            return False
        if "->" in text:
            return True
        following = next((t for _, t in lines[index + 1 :] if t.strip()), "")
        return following[:1] in " \t" and following.strip().startswith("->")

    def read_body(
        self, reader: Reader, blocks: list[Block], fields: dict[str, Any], front, close: int
    ) -> None:
        fields["steps"] = tuple(_step(reader, b) for b in blocks)
        _check_case(reader, fields["steps"], front, fields, close)

    def label(self, quiz: Quiz) -> str:
        return "Branching case"

    def editorial(self, quiz: Quiz) -> list[tuple[int, str]]:
        found = [
            (choice.line, f"this choice has no feedback (editorial standard: {CHOICE_RULE})")
            for step in quiz.steps
            for choice in step.choices
            if not choice.feedback
        ]
        # A profession offered choices of its own may find a shorter path than everyone.
        lenses = sorted({p for s in quiz.steps for c in s.choices for p in c.professions})
        fewest, lens = min((shape(quiz, lens).shortest, lens or "") for lens in (None, *lenses))
        first = quiz.first_step.line
        if fewest < FEWEST_DECISIONS:
            played = f" played as {BY_CODE[lens].label.lower()}" if lens in BY_CODE else ""
            found.append(
                (
                    first,
                    f"a path through this case{played} has only {fewest}"
                    f" decision{'s' if fewest != 1 else ''}"
                    f" (editorial standard: {DECISIONS_RULE})",
                )
            )
        if len(shape(quiz).endings) < 2:
            found.append(
                (
                    first,
                    "every path through this case reaches the same ending"
                    f" (editorial standard: {ENDINGS_RULE})",
                )
            )
        return found

    def mark(self, quiz: Quiz, responses: Sequence[tuple[str, Any]], lens: str | None) -> Marked:
        result = grade_path(quiz, responses, lens)
        return Marked(
            score=result.score,
            max_score=result.max_score,
            passed=result.passed,
            outcome=result.outcome.id,
            points={d.step.id: (d.choice.points, None) for d in result.decisions},
        )

    def decision_keys(self, quiz: Quiz) -> list[str]:
        return [s.id for s in quiz.steps if not s.is_end]

    def decision_title(self, quiz: Quiz, key: str) -> str:
        return quiz.step(key).title

    def categories(
        self, quiz: Quiz, key: str, stored: Any, correct: bool | None, points: float | None
    ) -> tuple[str, ...]:
        step = quiz.step(key)
        choice = step.choice(stored) if step else None
        return (choice.text if choice else str(stored),)

    def category_order(self, quiz: Quiz, key: str) -> tuple[list[str], frozenset[str]]:
        step = quiz.step(key)
        best = max((c.points for c in step.choices), default=0)
        texts = [c.text for c in step.choices]
        return texts, frozenset(c.text for c in step.choices if c.points == best and best > 0)

    def demo_play(self, quiz, profession, chance, leaning):
        # Leans towards good choices, more for some professions.
        made: list[tuple[str, str]] = []
        step = quiz.first_step
        while not step.is_end:
            choices = sorted(step.choices_for(profession), key=lambda c: -c.points)
            good = chance.random() < leaning(f"{quiz.slug}/{step.id}")
            choice = choices[0] if good or len(choices) == 1 else chance.choice(choices[1:])
            made.append((step.id, choice.id))
            step = next_step(quiz, made, profession)
        return made


SHAPE = Case()
