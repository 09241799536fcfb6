"""Every page of the real curriculum passes axe: module pages through each lens, the catalogue,
the glossary and search."""

from __future__ import annotations

import pytest

from learning import PROJECT_ROOT
from learning.content import load_catalogue


@pytest.fixture
def real_content(app, monkeypatch):
    catalogue = load_catalogue(PROJECT_ROOT)
    monkeypatch.setitem(app.extensions, "catalogue", catalogue)
    return catalogue


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
