"""The accessibility statement is reached from every page's footer and passes axe."""

from __future__ import annotations


def test_the_statement_is_reached_from_the_footer_and_is_accessible(journey):
    journey.goto("/modules")
    journey.tab_to(text="Accessibility statement", limit=200)
    journey.press_enter_and_check()
    assert journey.path() == "/accessibility"
    assert "Accessibility statement for" in journey.page.inner_text("h1")
