"""The real scenario library in quizzes/ meets the editorial standard (issues #4 and #6)."""

from __future__ import annotations

import pytest

from learning import PROJECT_ROOT, grading
from learning.content import load_catalogue
from learning.quizzes import load_quizzes

FOUR = ("nursing", "social-work", "occupational-therapy", "housing")
OPTION_TYPES = ("single", "multiple", "true-false", "short-text")


@pytest.fixture(scope="module")
def modules():
    return load_catalogue(PROJECT_ROOT)


@pytest.fixture(scope="module")
def library(modules):
    return load_quizzes(PROJECT_ROOT, module_slugs=frozenset(modules.slugs))


def test_there_is_at_least_one_discharge_and_one_safeguarding_scenario(library):
    topics = {q.topic for q in library}
    assert "discharge" in topics
    assert topics & {"safeguarding-adults", "safeguarding-children"}


def test_every_scenario_has_at_least_six_decisions_and_feedback_everywhere(library):
    for quiz in library:
        if quiz.steps:
            for step in quiz.steps:
                for choice in step.choices:
                    assert choice.feedback, f"{quiz.slug}: {step.id}/{choice.id} has no feedback"
            for profession in (None, *FOUR):
                shortest = grading.shape(quiz, profession).shortest
                assert shortest >= 6, f"{quiz.slug} as {profession}: a path of {shortest}"
        else:
            assert len(quiz.questions) >= 6, quiz.slug
            for question in quiz.questions:
                if question.type in OPTION_TYPES:
                    for option in question.options:
                        assert option.feedback, f"{quiz.slug}: {question.id}/{option.id}"
                elif question.type != "reflection":
                    assert question.feedback or all(i.feedback for i in question.items), (
                        f"{quiz.slug}: {question.id} has no feedback"
                    )


def test_branching_cases_have_at_least_two_endings(library):
    for quiz in library:
        if quiz.steps:
            endings = {step.id for step in quiz.steps if step.is_end}
            reached = grading.shape(quiz).endings
            assert len(endings) >= 2 and len(reached) >= 2, quiz.slug


def test_every_scenario_practises_real_modules_that_link_back(library, modules):
    for quiz in library:
        assert quiz.modules, quiz.slug
        for slug in quiz.modules:
            assert modules.get(slug) is not None, (quiz.slug, slug)
        assert any(quiz.slug in modules.get(slug).quizzes for slug in quiz.modules), (
            f"no module links to {quiz.slug}"
        )


def test_best_paths_pass(library):
    for quiz in library:
        if quiz.steps:
            assert grading.best_path(quiz).passed, quiz.slug


def test_the_library_has_enough_branching_cases_and_every_question_type(library):
    cases = [q for q in library if q.steps]
    others = [q for q in library if not q.steps]
    assert len(library) >= 8 and len(cases) >= 4
    topics = [q.topic for q in library]
    assert topics.count("discharge") >= 4
    assert sum(t.startswith("safeguarding") for t in topics) >= 4
    assert "safeguarding-children" in topics
    for quiz in others:
        assert len({question.type for question in quiz.questions}) >= 4, quiz.slug
    used = {question.type for quiz in others for question in quiz.questions}
    assert used == {
        "single",
        "multiple",
        "true-false",
        "ordering",
        "matching",
        "short-text",
        "reflection",
    }
