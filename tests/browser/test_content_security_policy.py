"""The browser enforces the Content-Security-Policy and the pages break none of it."""

from __future__ import annotations


def test_the_pages_load_their_styles_without_breaking_the_policy(journey):
    page = journey.page
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in ("/", "/sign-in", "/register", "/modules", "/modules/hospital-discharge"):
        journey.goto(path)
        # The stylesheet applied: the body is not in the browser's default serif face.
        assert "serif" != page.evaluate("getComputedStyle(document.body).fontFamily")
    assert violations == []


def test_an_inline_script_is_refused_by_the_browser(journey):
    journey.goto("/")
    page = journey.page
    page.evaluate(
        """() => {
        const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true';
        document.body.appendChild(s);
    }"""
    )
    assert page.evaluate("window.inlineRan === true") is False
