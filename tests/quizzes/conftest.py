"""Fixtures for the quiz engine: the fixture course's quizzes, and quizzes written by a test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from learning.quizzes import QuizCatalogue, load_quizzes, read_quiz

FIXTURE_COURSE = Path(__file__).parent.parent / "fixtures" / "course"
MODULE_SLUGS = frozenset({"roles-and-values", "hospital-discharge", "safeguarding-adults"})

#: A valid front matter for a quiz written by a test. Lines: 2 title, 3 summary, 4 topic,
#: 5 pass_mark, 6 minutes, 7 cpd_hours, 8 the closing ---; the body starts on line 9.
FRONT = """\
---
title: A test quiz
summary: Written by a test.
topic: discharge
pass_mark: 50
minutes: 5
cpd_hours: 0.1
---
"""
#: A valid branching-case front matter: 4 type, 9 the closing ---; the body starts on line 10.
CASE_FRONT = FRONT.replace("topic: discharge", "type: branching\ntopic: discharge")


@pytest.fixture(scope="session")
def quizzes() -> QuizCatalogue:
    """The fixture course's quizzes (immutable, so shared by every test)."""
    return load_quizzes(FIXTURE_COURSE, module_slugs=MODULE_SLUGS)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of the fixture course that the test may change."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


@pytest.fixture(scope="session")
def front() -> str:
    """A valid quiz front matter; see :data:`FRONT` for its line numbers."""
    return FRONT


@pytest.fixture(scope="session")
def case_front() -> str:
    """A valid branching-case front matter; see :data:`CASE_FRONT`."""
    return CASE_FRONT


def _read(text: str, slug: str = "test-quiz", module_slugs=MODULE_SLUGS):
    return read_quiz(text.encode(), f"quizzes/{slug}.md", module_slugs)


@pytest.fixture(scope="session")
def parse():
    """``parse(text)``: the quiz a file's text becomes; fails the test if it has problems."""

    def parse(text: str, slug: str = "test-quiz"):
        quiz, problems = _read(text, slug)
        assert problems == [], problems
        return quiz

    return parse


@pytest.fixture(scope="session")
def problems():
    """``problems(text)``: every problem in a quiz file's text, as ``path:line: message``."""

    def problems(text: str, slug: str = "test-quiz", module_slugs=MODULE_SLUGS) -> list[str]:
        return [str(p) for p in _read(text, slug, module_slugs)[1]]

    return problems
