"""Every page of the real curriculum passes axe: module pages through each lens, the catalogue,
the glossary and search."""

from __future__ import annotations

import pytest

from learning import PROJECT_ROOT
from learning import curriculum as curricula

from ..conftest import PASSWORD


@pytest.fixture
def real_content(app, monkeypatch):
    real = curricula.load(PROJECT_ROOT)
    monkeypatch.setitem(app.extensions, "curriculum", real)
    return real.modules


def test_every_real_module_page_is_accessible(journey, real_content):
    lenses = ["nursing", "social-work", "occupational-therapy", "housing"]
    for n, module in enumerate(real_content.modules):
        journey.goto(f"/modules/{module.slug}?lens={lenses[n % len(lenses)]}")
        assert module.title in journey.page.inner_text("h1")
    journey.goto("/modules")
    journey.goto("/modules?profession=housing")
    journey.goto("/glossary")
    journey.goto("/glossary?sector=housing")
    journey.goto("/search?q=duty+to+refer")
    assert "result" in journey.page.inner_text("main")


def test_every_real_scenario_page_is_accessible(journey, real_content, make_user, app):
    page = journey.page
    user = make_user(profession="housing")
    journey.sign_in(user.email, PASSWORD)
    journey.goto("/quizzes")
    for quiz in app.extensions["curriculum"].quizzes:
        journey.goto(f"/quizzes/{quiz.slug}")
        with page.expect_navigation():
            page.click("main button:text-is('Start')")
        journey.assert_accessible()
        assert quiz.title in page.inner_text("main")
        if not quiz.steps:
            pages = len(quiz.questions)
            journey.goto(journey.path().split("?")[0] + f"?page={pages}")  # the last question
