"""The accessibility check itself: axe-core is in every page a journey opens, and it fails."""

from __future__ import annotations

import pytest

BROKEN = "<!doctype html><html><body><img src='photo.png'><a href='/'></a></body></html>"


def test_a_page_with_violations_fails_the_check_and_names_them(journey):
    journey.page.route(
        "**/broken", lambda route: route.fulfill(body=BROKEN, content_type="text/html")
    )
    with pytest.raises(AssertionError) as failure:
        journey.goto("/broken")
    journey.checked.add(journey.page.url)  # checked, and found wanting
    assert "image-alt" in str(failure.value)
    assert "html-has-lang" in str(failure.value)
    assert "link-name" in str(failure.value)
