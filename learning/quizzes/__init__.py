"""Scenario quizzes and branching cases: ``quizzes/<slug>.md`` files in an immutable catalogue.

:func:`load_quizzes` reads, validates and renders every file once (per file version) and raises
:class:`~learning.content.ContentError` listing every problem as ``path:line: message``.
Marking is in :mod:`learning.grading`; ``docs/authoring.md`` is the authors' guide.
"""

from .loader import check_quizzes, load_quizzes, quizzes_for, read_quiz, slugify
from .model import (
    QUESTION_TYPES,
    QUIZ_TOPICS,
    Band,
    Choice,
    Condition,
    Feedback,
    Item,
    Note,
    Option,
    Prose,
    PublicOption,
    PublicQuestion,
    PublicStep,
    Question,
    Quiz,
    QuizCatalogue,
    QuizTopic,
    Route,
    Step,
    StepChoice,
    normalise_answer,
)

__all__ = [
    "QUESTION_TYPES",
    "QUIZ_TOPICS",
    "Band",
    "Choice",
    "Condition",
    "Feedback",
    "Item",
    "Note",
    "Option",
    "Prose",
    "PublicOption",
    "PublicQuestion",
    "PublicStep",
    "Question",
    "Quiz",
    "QuizCatalogue",
    "QuizTopic",
    "Route",
    "Step",
    "StepChoice",
    "check_quizzes",
    "load_quizzes",
    "normalise_answer",
    "quizzes_for",
    "read_quiz",
    "slugify",
]
