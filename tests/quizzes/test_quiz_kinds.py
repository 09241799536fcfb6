"""Question kinds have one home each: a kind from the test folder is added in one place (its
class and its partial, registered at run time) and a learner takes a quiz with it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader

from learning import create_app
from learning.quizzes import kinds, read_quiz
from tests.conftest import FIXTURE_COURSE, PASSWORD
from tests.fixtures.kinds import numerical

TEMPLATES = Path(numerical.__file__).parent / "templates"
QUIZ = """\
---
title: Fever in children
summary: Written by a test.
topic: safeguarding-children
pass_mark: 50
minutes: 5
cpd_hours: 0.1
---
A child's temperature is taken on the ward.

## What temperature, in degrees Celsius, is a fever in children? {#fever}
Type: numerical
Points: 2

- [x] 38 +- 0.2
  > NICE's feverish illness guideline uses 38°C or higher.

## Who leads a section 42 enquiry? {#leads}
- [x] The local authority
- [ ] The police
"""


@pytest.fixture
def numerical_kind():
    kinds.register(numerical.KIND)
    yield numerical.KIND
    kinds.unregister(numerical.KIND.name)


def test_a_kind_is_unknown_until_registered_and_then_read_like_any_other():
    quiz, problems = read_quiz(QUIZ.encode(), "quizzes/fever.md")
    assert quiz is None
    assert any('unknown question type "numerical"' in p.message for p in problems)

    kinds.register(numerical.KIND)
    try:
        quiz, problems = read_quiz(QUIZ.encode(), "quizzes/fever.md")
        assert problems == []
        assert quiz.question("fever").kind is numerical.KIND
        assert "numerical" in kinds.names()
    finally:
        kinds.unregister("numerical")
    assert "numerical" not in kinds.names()


def test_a_kinds_own_checks_name_file_and_line(numerical_kind):
    broken = QUIZ.replace("- [x] 38 +- 0.2", "- [x] thirty-eight")
    quiz, problems = read_quiz(broken.encode(), "quizzes/fever.md")
    assert quiz is None
    assert [str(p) for p in problems] == [
        "quizzes/fever.md:15: write a number, e.g. - [x] 37.5 or - [x] 37.5 +- 0.5"
    ]


def test_built_in_kinds_cannot_be_replaced_or_removed():
    with pytest.raises(ValueError, match="already a question kind"):
        kinds.register(type("Impostor", (numerical.Numerical,), {"name": "single"})())
    with pytest.raises(ValueError, match="built-in"):
        kinds.unregister("single")


def test_a_learner_takes_and_reviews_a_quiz_with_a_kind_from_the_test_folder(
    numerical_kind, app, database_url, make_user, tmp_path
):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    # A scenario and the module it goes with name each other.
    (root / "quizzes" / "fever.md").write_text(
        QUIZ.replace("topic:", "modules: [safeguarding-adults]\ntopic:"), encoding="utf-8"
    )
    module = root / "modules" / "safeguarding-adults.md"
    module.write_text(
        module.read_text().replace(
            "  - safeguarding-basics\n", "  - safeguarding-basics\n  - fever\n"
        )
    )
    site = create_app({**app.config, "CONTENT_ROOT": root})
    site.jinja_env.loader = ChoiceLoader([FileSystemLoader(TEMPLATES), site.jinja_env.loader])
    user = make_user()
    client = site.test_client()
    assert (
        client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )

    started = client.post("/quizzes/fever/start")
    assert started.status_code == 302
    attempt = started.location
    page = client.get(attempt).get_data(as_text=True)
    assert 'inputmode="decimal"' in page and "Type a number." in page
    assert "38 +- 0.2" not in page  # the answer never reaches the page

    refused = client.post(f"{attempt}?page=1", data={"q-fever": "hot"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Type a number, for example 37.5." in page and 'value="hot"' in page

    assert client.post(f"{attempt}?page=1", data={"q-fever": "38.1"}).status_code == 302
    second = client.post(f"{attempt}?page=2", data={"q-leads": "the-local-authority"})
    assert second.status_code == 302
    done = client.post(f"{attempt}/submit")
    assert done.status_code == 302
    review = client.get(done.location).get_data(as_text=True)
    assert "<strong>100% (3 of 3)</strong>: passed" in review
    assert '<span class="numerical-answer">38.1</span>' in review
    assert "38°C or higher" in review  # the right answer's feedback
