"""The immutable objects a quiz file becomes: quizzes, questions, branching steps and feedback.

Everything a learner may see before submitting is on the ``public`` views
(:class:`PublicQuestion`, :class:`PublicStep`); templates that show a question to answer use
only those, so correct answers and feedback cannot reach the page by accident.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from markupsafe import Markup

from learning.content.render import Callout
from learning.professions import BY_CODE

QuestionType = Literal[
    "single", "multiple", "true-false", "ordering", "matching", "short-text", "reflection"
]
QUESTION_TYPES: tuple[QuestionType, ...] = (
    "single",
    "multiple",
    "true-false",
    "ordering",
    "matching",
    "short-text",
    "reflection",
)
Scoring = Literal["all-or-nothing", "partial"]


@dataclass(frozen=True, slots=True)
class QuizTopic:
    """One entry of the controlled list of quiz topics."""

    code: str
    label: str


QUIZ_TOPICS: tuple[QuizTopic, ...] = (
    QuizTopic("discharge", "Hospital discharge"),
    QuizTopic("safeguarding-adults", "Safeguarding adults"),
    QuizTopic("safeguarding-children", "Safeguarding children"),
    QuizTopic("roles", "Roles and responsibilities"),
    QuizTopic("law", "Law and policy"),
    QuizTopic("capacity", "Mental capacity and consent"),
    QuizTopic("information-sharing", "Information sharing"),
    QuizTopic("partnership", "Working in partnership"),
    QuizTopic("carers", "Carers"),
    QuizTopic("homelessness", "Housing and homelessness"),
    QuizTopic("mental-health", "Mental health"),
)
QUIZ_TOPICS_BY_CODE: dict[str, QuizTopic] = {t.code: t for t in QUIZ_TOPICS}


@dataclass(frozen=True)
class Prose:
    """Rendered Markdown that may hold profession callouts, pre-joined once per lens."""

    segments: tuple[Markup | Callout, ...] = ()
    text: str = ""
    _bodies: MappingProxyType[str | None, Markup] = field(
        default_factory=lambda: MappingProxyType({None: Markup("")}), repr=False, compare=False
    )

    def __bool__(self) -> bool:
        return bool(self.segments)

    @property
    def html(self) -> Markup:
        """The HTML with every callout folded."""
        return self._bodies[None]

    def html_for(self, lens: str | None) -> Markup:
        """The HTML with ``lens``'s callouts open and labelled "Your profession"."""
        return self._bodies.get(lens, self._bodies[None])


@dataclass(frozen=True, slots=True)
class Note:
    """Part of a piece of feedback written for one profession."""

    profession: str
    html: Markup

    @property
    def label(self) -> str:
        """The profession's name, e.g. "Occupational therapy"."""
        return BY_CODE[self.profession].label

    def is_for(self, profession: str | None) -> bool:
        """True when this is the reader's own profession (highlight it)."""
        return self.profession == profession


@dataclass(frozen=True, slots=True)
class Feedback:
    """Feedback for everyone (``html``, may be empty) and notes for particular professions."""

    html: Markup = Markup("")
    notes: tuple[Note, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.html) or bool(self.notes)

    def note_for(self, profession: str | None) -> Note | None:
        """The note for this profession, if the author wrote one."""
        return next((n for n in self.notes if n.profession == profession), None)


NO_FEEDBACK = Feedback()


@dataclass(frozen=True, slots=True)
class Option:
    """An answer to pick (single, multiple, true/false) or an answer to type (short text).

    ``correct`` is a ticked box; for short text, an accepted answer (an unticked one is a
    common wrong answer with its own feedback).
    """

    id: str
    html: Markup
    text: str
    correct: bool
    feedback: Feedback = NO_FEEDBACK


@dataclass(frozen=True, slots=True)
class Item:
    """A step to put in order, or the left-hand side of a matching pair."""

    id: str
    html: Markup
    text: str
    feedback: Feedback = NO_FEEDBACK
    #: Matching only: the id of the right choice.
    answer: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """A choice offered in a matching question's selects."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class PublicOption:
    """What the page may show of an option or item before submission."""

    id: str
    html: Markup


@dataclass(frozen=True, slots=True)
class PublicQuestion:
    """A question without its answers or feedback: all a question page needs.

    ``options``: single, multiple, true/false (radios or checkboxes). ``items``: ordering, in
    the order to show them (never the right order), or matching, the things to match.
    ``choices``: matching, the options of every select, in alphabetical order.
    """

    id: str
    type: QuestionType
    field: str
    title: Markup
    prompt: Prose
    required: bool
    points: float
    scoring: Scoring | None
    options: tuple[PublicOption, ...]
    items: tuple[PublicOption, ...]
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Question:
    """One question of a quiz, with its answers and feedback."""

    id: str
    type: QuestionType
    #: The heading, as plain text and as HTML.
    title: str
    title_html: Markup
    prompt: Prose
    line: int
    points: float = 1.0
    required: bool = True
    #: Multiple response, ordering, matching: how partial answers score (None otherwise).
    scoring: Scoring | None = None
    #: Multiple response with partial credit: the value of a right tick lost per wrong tick.
    penalty: float = 1.0
    options: tuple[Option, ...] = ()
    #: Ordering: the steps in the right order. Matching: the things to match.
    items: tuple[Item, ...] = ()
    #: Ordering: the steps in the order shown to learners (never the right order).
    shown: tuple[Item, ...] = ()
    #: Matching: the choices in every select, in the order written.
    choices: tuple[Choice, ...] = ()
    #: Shown after answering, whatever the answer.
    feedback: Feedback = NO_FEEDBACK

    @property
    def field(self) -> str:
        """The name of the form field(s) that answer this question."""
        return f"q-{self.id}"

    @property
    def scored(self) -> bool:
        """False for reflections, which are kept but never marked."""
        return self.type != "reflection"

    @property
    def max_points(self) -> float:
        """The most this question can score."""
        return self.points if self.scored else 0.0

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None."""
        return next((o for o in self.options if o.id == option_id), None)

    def item(self, item_id: str) -> Item | None:
        """The ordering step or matching item with this id, or None."""
        return next((i for i in self.items if i.id == item_id), None)

    def choice(self, choice_id: str) -> Choice | None:
        """The matching choice with this id, or None."""
        return next((c for c in self.choices if c.id == choice_id), None)

    @property
    def public(self) -> PublicQuestion:
        """What a page may show before the learner submits."""
        shown = self.shown if self.type == "ordering" else self.items
        return PublicQuestion(
            id=self.id,
            type=self.type,
            field=self.field,
            title=self.title_html,
            prompt=self.prompt,
            required=self.required,
            points=self.max_points,
            scoring=self.scoring,
            options=tuple(PublicOption(o.id, o.html) for o in self.options)
            if self.type != "short-text"
            else (),
            items=tuple(PublicOption(i.id, i.html) for i in shown),
            # Alphabetical, so the order written (often the items' order) gives nothing away.
            choices=tuple(sorted(self.choices, key=lambda c: c.text.casefold())),
        )


# Branching cases ----------------------------------------------------------------------------


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


# Quizzes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Band:
    """Overall feedback for a score of at least ``start`` percent."""

    start: int
    html: Markup


@dataclass(frozen=True)
class Quiz:
    """One quiz or branching case, validated and rendered; ``version`` is its file's sha256."""

    slug: str
    path: str
    version: str
    kind: Literal["questions", "branching"]
    title: str
    summary: str
    topic: str
    modules: tuple[str, ...]
    professions: tuple[str, ...]
    for_all_professions: bool
    pass_mark: int
    max_attempts: int
    minutes: int
    cpd_hours: float
    layout: Literal["paged", "single"]
    allow_back: bool
    bands: tuple[Band, ...]
    #: The text before the first question or step.
    intro: Prose = field(repr=False)
    questions: tuple[Question, ...] = field(default=(), repr=False)
    steps: tuple[Step, ...] = field(default=(), repr=False)
    #: Branching: the id of the first step.
    start: str = ""

    @property
    def is_branching(self) -> bool:
        """True for a branching case (steps), False for a quiz of questions."""
        return self.kind == "branching"

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def step(self, step_id: str) -> Step:
        """The step with this id; KeyError if there is none."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def first_step(self) -> Step:
        """Where a branching case begins."""
        return self.step(self.start)

    def band_for(self, percent: float) -> Band | None:
        """The overall feedback for this score: the band with the highest start reached."""
        reached = [b for b in self.bands if percent >= b.start]
        return max(reached, key=lambda b: b.start) if reached else None

    def is_for(self, profession: str | None) -> bool:
        """True if the quiz is written for this profession (or for all)."""
        return self.for_all_professions or profession in self.professions


@dataclass(frozen=True)
class QuizCatalogue:
    """Every quiz, in file-name order, with lookup by slug."""

    quizzes: tuple[Quiz, ...] = ()
    _by_slug: MappingProxyType[str, Quiz] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_slug", MappingProxyType({q.slug: q for q in self.quizzes}))

    def __len__(self) -> int:
        return len(self.quizzes)

    def __iter__(self) -> Iterator[Quiz]:
        return iter(self.quizzes)

    @property
    def slugs(self) -> tuple[str, ...]:
        """Quiz slugs in order."""
        return tuple(self._by_slug)

    def get(self, slug: str) -> Quiz | None:
        """The quiz with this slug, or None."""
        return self._by_slug.get(slug)

    def quiz(self, slug: str) -> Quiz:
        """The quiz with this slug; KeyError if there is none."""
        return self._by_slug[slug]

    def for_module(self, module_slug: str) -> tuple[Quiz, ...]:
        """The quizzes that name this module in their ``modules``."""
        return tuple(q for q in self.quizzes if module_slug in q.modules)


def normalise_answer(text: str) -> str:
    """A typed answer as it is compared: case, spacing and punctuation do not count."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] not in "PSZC")
