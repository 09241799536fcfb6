"""Reflow (WCAG 2.2 1.4.10): no page scrolls sideways on a phone.

Each demo audience, signed in through the form, opens every page the access matrix lists (with
real ids, as the HTML check reaches them), a paged scenario's questions (one of them an ordering
question) and a case's first decision. Each page is measured at 320, 390 and 1280 px wide: the
document must be no wider than the window. Wide tables scroll inside their own region instead.
Axe checks each page once, at 320 px, where the layout differs most from the desktop one.
"""

from __future__ import annotations

import re

import pytest

from learning import PROJECT_ROOT, demo
from learning import curriculum as curricula
from learning.extensions import db
from tests.browser.conftest import Journey
from tests.test_access import MATRIX
from tests.test_html_valid import MORE_PAGES, _ids

WIDTHS = (320, 390, 1280)
#: Each audience's demo person, and the name their extra pages go by in the HTML check.
AUDIENCES = {
    "anonymous": (None, "anonymous"),
    "learner": ("nurse@demo.test", "nurse"),
    "trainer": ("trainer@demo.test", "trainer"),
    "employer": ("employer@demo.test", "employer"),
    "admin": ("admin@demo.test", "admin"),
}
#: A paged scenario with an ordering question, and a branching case.
PAGED_QUIZ = "behind-the-front-door"
CASE = "mrs-khan-goes-home"
MEASURE = "() => [document.documentElement.scrollWidth, window.innerWidth]"
#: What sticks out past the window's right edge (outside a scrolling region), to name in a failure.
WIDEST = """() => {
  const out = e => e.getBoundingClientRect().right > window.innerWidth + 0.5;
  const name = e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '');
  return [...document.body.querySelectorAll('*')]
    .filter(e => out(e) && !e.closest('.table-scroll, .visually-hidden'))
    .filter(e => ![...e.children].some(out))
    .slice(0, 3)
    .map(e => name(e) + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')
    .join(', ');
}"""


@pytest.fixture(scope="module")
def real_course():
    """The real course, as the demo data and ``make run`` use it."""
    return curricula.load(PROJECT_ROOT)


def _paths(ids: dict[str, object], extra: str) -> list[str]:
    gets = [path for _endpoint, method, path, _ in MATRIX if method == "GET"]
    paths = [template.format(**ids) for template in [*gets, *MORE_PAGES.get(extra, [])]]
    return [p for p in paths if not re.search(r"\.(csv|pdf)(\?|$)", p)]


class Reflow:
    """Measures each page a browser lands on at every width, and checks it with axe once."""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey
        self.seen: set[str] = set()
        self.overflow: list[str] = []
        self.inaccessible: list[str] = []

    def measure(self) -> None:
        page = self.journey.page
        where = self.journey.path()
        if where in self.seen:
            self.journey.checked.add(page.url)
            return
        self.seen.add(where)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            document, window = page.evaluate(MEASURE)
            if document > window:
                widest = page.evaluate(WIDEST)
                self.overflow.append(f"{where} at {width} px: {document} px wide ({widest})")
            if width == WIDTHS[0]:
                try:
                    self.journey.assert_accessible()
                except AssertionError as problem:
                    self.inaccessible.append(str(problem))

    def visit(self, path: str) -> None:
        response = self.journey.page.goto(self.journey.base_url + path)
        if response is not None and "text/html" in (response.headers.get("content-type") or ""):
            self.measure()
        else:
            self.journey.checked.add(self.journey.page.url)

    def start(self, slug: str) -> str:
        """Start (or resume) a scenario as the signed-in learner; the attempt's address."""
        self.visit(f"/quizzes/{slug}")
        with self.journey.page.expect_navigation():
            self.journey.page.click("section[aria-labelledby=start-heading] button[type=submit]")
        self.measure()
        return self.journey.path().split("?")[0]


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_page_scrolls_sideways_on_a_phone(
    audience, browser, live_server, app, monkeypatch, real_course
):
    from axe_playwright_python.base import AXE_SCRIPT

    email, extra = AUDIENCES[audience]
    monkeypatch.setitem(app.config, "CONTENT_ROOT", PROJECT_ROOT)
    monkeypatch.setitem(app.extensions, "curriculum", real_course)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    password = app.config["DEMO_PASSWORD"]
    with app.app_context():
        demo.load(password, real_course)
        db.session.commit()
        ids = _ids(email)
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
    context.add_init_script(script=AXE_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(10_000)
    journey = Journey(page, live_server)
    reflow = Reflow(journey)
    try:
        if email is not None:
            journey.sign_in(email, password)
        for path in _paths(ids, extra):
            reflow.visit(path)
        if audience == "learner":
            take = reflow.start(PAGED_QUIZ)
            orderings = 0
            for number in range(1, len(real_course.quizzes.get(PAGED_QUIZ).questions) + 1):
                reflow.visit(f"{take}?page={number}")
                orderings += page.locator(".ordering").count()
            assert orderings == 1, "one of the scenario's pages is its ordering question"
            reflow.start(CASE)
    finally:
        context.close()
    assert len(reflow.seen) > 10
    assert not reflow.overflow, "pages wider than the window:\n" + "\n".join(reflow.overflow)
    assert not reflow.inaccessible, "\n".join(reflow.inaccessible)
