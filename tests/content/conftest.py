"""Fixtures for the content engine: a private copy of the fixture course per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from learning.content import Catalogue, check, load_catalogue

FIXTURE_COURSE = Path(__file__).parent.parent / "fixtures" / "course"
QUIZ_SLUGS = frozenset({"safeguarding-basics", "discharge-case"})

#: A valid front matter for modules written by a test. Its lines in the file:
#: 2 title, 3 summary, 4 order, 5 minutes, 6 cpd_hours, 7 professions, 8 topics, 9 outcomes,
#: 10 the outcome, 11 completion, 12 reviewed, 13 next_review, 14 the closing ---,
#: and the body starts on line 15.
FRONT = """\
---
title: A test module
summary: Written by a test.
order: 99
minutes: 2
cpd_hours: 0.5
professions: [nursing, social-work]
topics: [roles]
outcomes:
  - Do one thing
completion: read
reviewed: 2025-01-01
next_review: 2027-01-01
---
"""
BODY_LINE = 15


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of the fixture course that the test may change."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The fixture course, loaded (immutable, so shared by every test)."""
    return load_catalogue(FIXTURE_COURSE, quiz_slugs=QUIZ_SLUGS)


def _add_module(root: Path, slug: str, text: str) -> Path:
    path = root / "modules" / f"{slug}.md"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(root: Path, **options) -> list[str]:
    return [str(p) for p in check(root, **options).problems]


# Helpers are fixtures rather than imports, so that these tests do not depend on how pytest
# imports conftest modules (another conftest.py may exist higher up).


@pytest.fixture(scope="session")
def fixture_course() -> Path:
    """The fixture course itself (read-only)."""
    return FIXTURE_COURSE


@pytest.fixture(scope="session")
def quiz_slugs() -> frozenset[str]:
    """The quizzes the fixture course may name."""
    return QUIZ_SLUGS


@pytest.fixture(scope="session")
def front() -> str:
    """A valid front matter; see :data:`FRONT` for its line numbers."""
    return FRONT


@pytest.fixture(scope="session")
def body_line() -> int:
    """The line on which the body starts after :data:`FRONT`."""
    return BODY_LINE


@pytest.fixture(scope="session")
def add_module():
    """``add_module(root, slug, text)`` writes ``modules/<slug>.md`` into a course."""
    return _add_module


@pytest.fixture(scope="session")
def problems():
    """``problems(root, **options)``: every problem, as ``flask content check`` prints it."""
    return _problems
