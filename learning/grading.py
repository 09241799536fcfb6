"""Marking quizzes and branching cases: pure functions of a quiz and a learner's answers.

This is the one door through which the domain (attempts, demo data, reports) and the views
reach marking, so they need not know how the quiz engine is laid out inside. The work is
done where each thing lives: a quiz of questions in :mod:`learning.quizzes.questions` (each
kind of question marking its own answers, :mod:`learning.quizzes.kinds`), a branching case
in :mod:`learning.quizzes.cases`. No Flask, no database.

A missing or unreadable answer scores nothing; answers naming ids that no longer exist (the
quiz was edited since) are simply wrong, so old attempts can always be marked again. A
branching case is played as a sequence of decisions ``(step id, choice id)``: see
:func:`next_step`, :func:`grade_path` and :func:`best_path`.
"""

from __future__ import annotations

from learning.quizzes.cases import (
    CaseShape,
    Decision,
    DecisionError,
    PathResult,
    best_path,
    decisions_from_json,
    decisions_to_json,
    grade_path,
    next_step,
    shape,
)
from learning.quizzes.kinds import Answer, InvalidAnswer
from learning.quizzes.questions import (
    QuestionResult,
    Result,
    answer_from_json,
    answer_to_json,
    answers_from_json,
    answers_to_json,
    form_values,
    grade,
    grade_question,
    parse_answer,
    read_answers,
)

__all__ = [
    "Answer",
    "CaseShape",
    "Decision",
    "DecisionError",
    "InvalidAnswer",
    "PathResult",
    "QuestionResult",
    "Result",
    "answer_from_json",
    "answer_to_json",
    "answers_from_json",
    "answers_to_json",
    "best_path",
    "decisions_from_json",
    "decisions_to_json",
    "form_values",
    "grade",
    "grade_path",
    "grade_question",
    "next_step",
    "parse_answer",
    "read_answers",
    "shape",
]
