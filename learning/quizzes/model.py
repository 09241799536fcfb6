"""The immutable objects a quiz file becomes: quizzes, questions, branching steps and feedback.

Everything a learner may see before submitting is on the ``public`` views
(:class:`PublicQuestion`, and a case step's ``PublicStep`` in :mod:`learning.quizzes.cases`);
templates that show a question to answer use only those, so correct answers and feedback
cannot reach the page by accident.

What differs between kinds of question lives in the kind (:mod:`learning.quizzes.kinds`),
what differs between a quiz of questions and a branching case in its shape
(:mod:`learning.quizzes.questions`, :mod:`learning.quizzes.cases`); these dataclasses only
hold what was read.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from markupsafe import Markup

from learning.content.render import Callout
from learning.professions import BY_CODE

if TYPE_CHECKING:
    from .cases import Step
    from .kinds.base import Kind
    from .shapes import Shape

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

    Which of ``options``, ``items`` and ``choices`` are filled, and how, is up to the kind
    (for example, an ordering question's items in the order shown, never the right order).
    """

    id: str
    kind: Kind
    field: str
    title: Markup
    prompt: Prose
    required: bool
    points: float
    scoring: Scoring | None
    options: tuple[PublicOption, ...]
    items: tuple[PublicOption, ...]
    choices: tuple[Choice, ...]

    @property
    def template(self) -> str:
        """The kind's template partial, which shows this question."""
        return self.kind.template


@dataclass(frozen=True)
class Question:
    """One question of a quiz, with its answers and feedback."""

    id: str
    kind: Kind
    #: The heading, as plain text and as HTML.
    title: str
    title_html: Markup
    prompt: Prose
    line: int
    points: float = 1.0
    required: bool = True
    #: For kinds that give partial credit: how partial answers score (None otherwise).
    scoring: Scoring | None = None
    #: With partial credit for ticks: the value of a right tick lost per wrong tick.
    penalty: float = 1.0
    #: Answers to pick or to type (``correct``: ticked by the author).
    options: tuple[Option, ...] = ()
    #: Things to put in order (in the right order) or to match.
    items: tuple[Item, ...] = ()
    #: The items in the order shown to learners, where the kind shuffles them.
    shown: tuple[Item, ...] = ()
    #: The choices offered for every item, in the order written.
    choices: tuple[Choice, ...] = ()
    #: Shown after answering, whatever the answer.
    feedback: Feedback = NO_FEEDBACK

    @property
    def field(self) -> str:
        """The name of the form field(s) that answer this question."""
        return f"q-{self.id}"

    @property
    def type(self) -> str:
        """The kind's name, as the author wrote it after ``Type:``."""
        return self.kind.name

    @property
    def scored(self) -> bool:
        """False for kinds that are kept but never marked."""
        return self.kind.marked

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
        return PublicQuestion(
            id=self.id,
            kind=self.kind,
            field=self.field,
            title=self.title_html,
            prompt=self.prompt,
            required=self.required,
            points=self.max_points,
            scoring=self.scoring,
            **self.kind.public(self),
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
    #: A quiz of questions or a branching case: what differs between the two lives there.
    shape: Shape
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
    #: The line of each front matter key in the file, and of its closing ``---``.
    front_lines: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )

    @property
    def label(self) -> str:
        """What the catalogue says it is, e.g. "12 questions" or "Branching case"."""
        return self.shape.label(self)

    @property
    def any_lens(self) -> bool:
        """True when a learner may play it as any profession, not only their own."""
        return self.shape.any_lens

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


def round_points(value: float) -> float:
    """Points as they are kept: two decimals, never minus zero."""
    return round(value + 0.0, 2)


def percent_of(score: float, maximum: float) -> float:
    """A score as a percentage of the most it could be, from 0 to 100 (100 when nothing is
    marked)."""
    if maximum <= 0:
        return 100.0
    return round(min(100.0, max(0.0, 100 * score / maximum)), 1)
