"""Scenario quizzes and branching cases: ``quizzes/<slug>.md`` files in an immutable catalogue.

:func:`load_quizzes` reads, validates and renders every file once (per file version) and raises
:class:`~learning.content.ContentError` listing every problem as ``path:line: message``.

The package is organised by thing, not by step: each kind of question lives in
:mod:`.kinds`; the two shapes of quiz in :mod:`.questions` (a quiz of questions) and
:mod:`.cases` (a branching case), behind :class:`.shapes.Shape`; :mod:`.reading` holds what
their readers share and :mod:`.loader` reads whole files. ``docs/authoring.md`` is the
authors' guide; ``docs/architecture.md`` says how to add a kind.
"""

from . import kinds
from .cases import (
    CaseShape,
    Condition,
    Decision,
    DecisionError,
    PathResult,
    PublicStep,
    Route,
    Step,
    StepChoice,
)
from .kinds import Answer, InvalidAnswer, Kind
from .loader import check_quizzes, load_quizzes, quizzes_for, read_quiz, slugify
from .model import (
    QUIZ_TOPICS,
    Band,
    Choice,
    Feedback,
    Item,
    Note,
    Option,
    Prose,
    PublicOption,
    PublicQuestion,
    Question,
    Quiz,
    QuizCatalogue,
    QuizTopic,
    normalise_answer,
)
from .questions import QuestionResult, Result
from .shapes import Marked, Shape

__all__ = [
    "QUIZ_TOPICS",
    "Answer",
    "Band",
    "CaseShape",
    "Choice",
    "Condition",
    "Decision",
    "DecisionError",
    "Feedback",
    "InvalidAnswer",
    "Item",
    "Kind",
    "Marked",
    "Note",
    "Option",
    "PathResult",
    "Prose",
    "PublicOption",
    "PublicQuestion",
    "PublicStep",
    "Question",
    "QuestionResult",
    "Quiz",
    "QuizCatalogue",
    "QuizTopic",
    "Result",
    "Route",
    "Shape",
    "Step",
    "StepChoice",
    "check_quizzes",
    "kinds",
    "load_quizzes",
    "normalise_answer",
    "quizzes_for",
    "read_quiz",
    "slugify",
]
