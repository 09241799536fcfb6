"""The privacy notice and the "your data" download pass axe and work in a browser."""

from __future__ import annotations


def test_the_privacy_notice_is_reached_from_the_footer_and_is_accessible(journey):
    journey.goto("/")
    journey.page.click(".site-footer a[href='/privacy']")
    journey.page.wait_for_url("**/privacy")
    journey.assert_accessible()
    assert "Privacy notice" in journey.page.inner_text("h1")
