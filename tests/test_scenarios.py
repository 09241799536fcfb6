"""The real scenario library in quizzes/ plays as the format promises (issues #4, #6, #14).

Like tests/test_curriculum.py, these follow the files present, on the shipped content and
on an institution's edited copy of it: any library that passes the checker passes them. The
editorial standard (feedback on every answer, at least six decisions on every path, two
endings) is the checker's to warn about, not these tests' to enforce.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from learning import PROJECT_ROOT, grading
from learning import curriculum as curricula
from learning.professions import CODES

from .institution import edited_copy


@pytest.fixture(scope="module", params=["shipped", "edited"])
def library(request, tmp_path_factory):
    root: Path = (
        PROJECT_ROOT
        if request.param == "shipped"
        else edited_copy(tmp_path_factory.getbasetemp())[0]
    )
    return curricula.load(root).quizzes


def test_every_case_ends_on_every_path_for_every_profession(library):
    for quiz in library:
        if not quiz.steps:
            continue
        for profession in (None, *CODES):
            found = grading.shape(quiz, profession)
            assert found.shortest >= 1 and found.endings, (quiz.slug, profession)
            assert found.endings <= {s.id for s in quiz.steps if s.is_end}, quiz.slug


def test_best_paths_pass(library):
    for quiz in library:
        if quiz.steps:
            for profession in (None, *CODES):
                assert grading.best_path(quiz, profession).passed, (quiz.slug, profession)


def test_every_quiz_of_questions_can_be_passed_with_its_right_answers(library):
    for quiz in library:
        if quiz.questions:
            chance = random.Random(quiz.slug)  # noqa: S311 - a test's answers, not security
            right = {q.id: q.kind.demo_answer(q, True, chance) for q in quiz.questions}
            result = grading.grade(quiz, right)
            assert result.passed, quiz.slug
