"""Every page is valid HTML: the Nu HTML checker reads every page of the access matrix as each
audience, on the demo data and the real course, with questions, decisions and forms shown with
their errors, in one run of the checker. The same pages are then asked what the checker does
not see: one h1, error summaries that take focus and link to their fields in order, landmarks
named apart, no empty table header, callouts that say whom they are for, numbered contents,
no score below nothing, and no form whose Enter key goes back.

The checker is ``vnu.jar`` from npm's ``vnu-jar``, which ``make install-test`` installs under
the virtual environment (``.venv/node``); it runs on the machine's Java. Without either the
test skips with the reason, unless ``REQUIRE_HTML_CHECK=1`` (as CI sets).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from learning import PROJECT_ROOT, demo
from learning import curriculum as curricula
from learning.extensions import db
from learning.models import (
    Certificate,
    Cohort,
    CohortMember,
    OutboxMessage,
    QuizAttempt,
    User,
    active_member,
    waiting_invitation,
)
from learning.professions import BY_CODE
from tests.test_access import MATRIX

VNU_JAR = Path(
    os.environ.get("VNU_JAR")
    or Path(sys.prefix) / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
#: The demo's people whose pages are read: one of each audience, and a learner with an invitation.
AUDIENCES = {
    "anonymous": None,
    "nurse": "nurse@demo.test",
    "invited": "socialworker@demo.test",
    "trainer": "trainer@demo.test",
    "employer": "employer@demo.test",
    "admin": "admin@demo.test",
}
#: Forms sent empty (or nearly) to see them come back with their errors, as each audience.
FORMS_WITH_ERRORS = {
    "anonymous": [
        ("/register", {}),
        ("/sign-in", {}),
        ("/reset-password", {}),
    ],
    "nurse": [
        ("/profile", {}),
        ("/profile/password", {}),
        ("/cpd/new", {}),
        ("/join", {}),
    ],
    "trainer": [
        ("/trainer/cohorts/new", {}),
        ("/trainer/cohorts/{cohort}/upload", {}),
    ],
    "employer": [("/employer/requirements", {})],
    "admin": [
        ("/admin/organisations/new", {}),
        ("/admin/users/{user}/close", {}),
    ],
}


#: Pages the matrix names once that look different with other data or a query, by audience.
MORE_PAGES = {
    "anonymous": ["/modules?profession=housing", "/quizzes?profession=social-work"],
    "nurse": [
        "/search?q=capacity",
        "/search?q=zzzz-nothing",
        "/cpd/export?as=nmc",
        "/cpd/export?as=swe",
        "/cpd/export?as=hcpc",
        "/cpd/export?as=plain",
    ],
    "trainer": [
        "/trainer/cohorts/{cohort}/learners?q=a",
        "/trainer/cohorts/{cohort}/perspectives?print=1",
        "/trainer/cohorts/{cohort}/progress?sort=profession",
    ],
    "employer": ["/employer/compliance?profession=nursing", "/employer/people?page=2"],
    "admin": ["/admin/?q=demo", "/admin/?role=trainer", "/admin/audit?page=2"],
}


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_HTML_CHECK", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason} (REQUIRE_HTML_CHECK=1)")
    pytest.skip(reason)


def _sign_in(app: Flask, email: str | None) -> FlaskClient:
    client = app.test_client()
    if email is not None:
        password = app.config["DEMO_PASSWORD"]
        response = client.post("/sign-in", data={"email": email, "password": password})
        assert response.status_code == 302, email
    return client


def _ids(email: str | None) -> dict[str, object]:
    """Real ids for the matrix's placeholders, as this person would reach them."""

    def first(query) -> object:  # noqa: ANN001 - any select
        return db.session.execute(query.limit(1)).scalar() or 1

    me = db.session.execute(sa.select(User).where(User.email == (email or ""))).scalar()
    nurse = first(sa.select(User.id).where(User.email == "nurse@demo.test"))
    ids: dict[str, object] = {
        "user": nurse,
        "org": first(sa.select(User.organisation_id).where(User.id == nurse)),
        "attempt": first(sa.select(QuizAttempt.id).order_by(QuizAttempt.id)),
        "cohort": first(sa.select(Cohort.id).order_by(Cohort.id)),
        "certificate": first(sa.select(Certificate.code).order_by(Certificate.id)),
        "message": first(sa.select(OutboxMessage.id).order_by(OutboxMessage.id)),
    }
    if me is None:
        return ids
    own = first(
        sa.select(QuizAttempt.id)
        .where(QuizAttempt.user_id == me.id, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.id)
    )
    ids["attempt"] = own
    run = first(sa.select(Cohort.id).where(Cohort.owner_id == me.id).order_by(Cohort.id))
    joined = first(
        sa.select(CohortMember.cohort_id)
        .where(CohortMember.user_id == me.id, active_member() | waiting_invitation())
        .order_by(waiting_invitation().desc(), CohortMember.cohort_id)
    )
    ids["cohort"] = run if run != 1 else joined
    if me.organisation_id is not None:
        ids["org"] = me.organisation_id
    return ids


def _other_cohorts(email: str | None) -> list[str]:
    """The pages of every cohort this trainer runs past the first."""
    me = db.session.execute(sa.select(User.id).where(User.email == email)).scalar()
    found = db.session.execute(
        sa.select(Cohort.id).where(Cohort.owner_id == me).order_by(Cohort.id).offset(1)
    ).scalars()
    pages = ("", "/learners", "/progress", "/perspectives", "/groups", "/programme")
    return [f"/trainer/cohorts/{cohort}{page}" for cohort in found for page in pages]


def _html(response) -> str | None:  # noqa: ANN001 - a test response
    if response.mimetype != "text/html":
        return None
    return response.get_data(as_text=True)


def _get(app: Flask, client: FlaskClient, path: str, **options: object):  # noqa: ANN202
    """A page as production shows it: its forms carry their CSRF tokens, so that duplicate
    ids among them show. (Forms are sent without, as in the rest of the suite.)"""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        return client.get(path, **options)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _quiz_pages(client: FlaskClient, app: Flask) -> Iterator[tuple[str, str]]:
    """Every scenario as a learner meets it: each question page, or a case's first two
    decisions; the first and a later page sent unanswered (their errors); the check-your-answers
    page; and the review of each scenario the learner has finished."""
    for quiz in app.extensions["curriculum"].quizzes:
        started = client.post(f"/quizzes/{quiz.slug}/start", data={})
        if started.status_code != 302:
            continue
        take = started.location
        pages = len(getattr(quiz, "questions", ()))
        paths = [f"{take}?page={page}" for page in range(1, pages + 1)] or [take, take]
        for number, path in enumerate(paths, 1):
            shown = _get(app, client, path)
            if (html := _html(shown)) is None or shown.status_code != 200:
                continue
            yield f"{path} ({number})", html
            if number in (1, 2):
                refused = client.post(path, data={})
                if (refused_html := _html(refused)) is not None:
                    yield f"{path} ({number}, sent unanswered)", refused_html
            if not pages and (choice := _first_choice(html)):  # a case: decide, to go on
                client.post(path, data={**choice, "action": "decide"})
        confirm = _get(app, client, f"{take}/submit")
        if (html := _html(confirm)) is not None and confirm.status_code == 200:
            yield f"{take}/submit", html
    with app.app_context():
        me = db.session.execute(sa.select(User.id).where(User.email == "nurse@demo.test"))
        finished = db.session.execute(
            sa.select(sa.func.min(QuizAttempt.id))
            .where(QuizAttempt.user_id == me.scalar(), QuizAttempt.submitted_at.is_not(None))
            .group_by(QuizAttempt.quiz_slug)
        ).scalars()
        reviews = [f"/attempts/{attempt}/review" for attempt in finished]
    for path in reviews:
        if (html := _html(_get(app, client, path))) is not None:
            yield path, html


def _first_choice(html: str) -> dict[str, str]:
    found = re.search(r'<input[^>]*type="radio"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)
    return {found.group(1): found.group(2)} if found else {}


def _pages(app: Flask) -> Iterator[tuple[str, str]]:
    """(what, html) for every page each audience can be shown."""
    seen: set[tuple[str, str]] = set()
    gets = [path for _endpoint, method, path, _ in MATRIX if method == "GET"]
    with app.app_context():
        content = app.extensions["curriculum"]
        every_item = [f"/modules/{m.slug}" for m in content.modules.modules]
        every_item += [f"/quizzes/{q.slug}" for q in content.quizzes]
    for audience, email in AUDIENCES.items():
        client = _sign_in(app, email)
        with app.app_context():
            ids = _ids(email)
            cohorts = _other_cohorts(email) if audience == "trainer" else []
        more = MORE_PAGES.get(audience, [])
        items = every_item if audience in ("anonymous", "nurse") else []
        for template in [*gets, *more, *items, *cohorts]:
            path = template.format(**ids)
            response = _get(app, client, path, follow_redirects=True)
            # Pages that send an anonymous person to sign in are one sign-in page.
            asked = response.request
            where = asked.path if response.history else asked.full_path.removesuffix("?")
            if (audience, where) in seen:
                continue
            seen.add((audience, where))
            if response.mimetype == "text/csv" and response.status_code == 200:
                yield f"{audience} CSV {where}", response.get_data(as_text=True)
            if (html := _html(response)) is not None:
                yield f"{audience} GET {where} ({response.status_code})", html
        for template, data in FORMS_WITH_ERRORS.get(audience, ()):
            path = template.format(**ids)
            response = client.post(path, data=data)
            assert response.status_code in (200, 400, 422), (audience, path, response.status_code)
            if (html := _html(response)) is not None:
                yield f"{audience} POST {path} ({response.status_code})", html
        if audience == "nurse":
            for path, html in _quiz_pages(client, app):
                yield f"{audience} {path}", html


def _check(folder: Path) -> list[dict]:
    java = shutil.which("java")
    if java is None:
        _unavailable("Java is not installed: apt-get install default-jre-headless")
    if not VNU_JAR.exists():
        _unavailable(f"The Nu HTML checker is not at {VNU_JAR}: make install-test")
    done = subprocess.run(  # noqa: S603 - our own command line
        [java, "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        return json.loads(done.stderr or done.stdout).get("messages", [])
    except ValueError:
        raise AssertionError(f"the checker did not run: {done.stderr or done.stdout}") from None


class Element:
    """An element of a parsed page: enough of a tree to ask what assistive technology meets."""

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Element | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    def text(self) -> str:
        parts = (c if isinstance(c, str) else c.text() for c in self.children)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def walk(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def find(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [
            e
            for e in self.walk()
            if (tag is None or e.tag == tag) and (cls is None or cls in e.classes())
        ]

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.open = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), self.open)
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_endtag(self, tag: str) -> None:
        node = self.open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.open = node.parent

    def handle_data(self, data: str) -> None:
        self.open.children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@pytest.fixture(scope="module")
def walk(app) -> dict[str, str]:
    """Every page and download, by what it is, from the app on the real course with the demo
    data, as ``make run`` shows it. (The tables are emptied after the first test, as after any.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.config, "CONTENT_ROOT", PROJECT_ROOT)
        patch.setitem(app.extensions, "curriculum", curricula.load(PROJECT_ROOT))
        patch.setitem(app.config, "WTF_CSRF_ENABLED", False)
        with app.app_context():
            demo.load(app.config["DEMO_PASSWORD"], curricula.curriculum())
            db.session.commit()
        return dict(_pages(app))


@pytest.fixture(scope="module")
def pages(walk) -> dict[str, str]:
    found = {what: body for what, body in walk.items() if " CSV " not in what}
    assert len(found) > 150
    return found


@pytest.fixture(scope="module")
def downloads(walk) -> dict[str, str]:
    found = {what: body for what, body in walk.items() if " CSV " in what}
    assert len(found) >= 4
    return found


@pytest.fixture(scope="module")
def trees(pages) -> dict[str, Element]:
    return {what: parse(html) for what, html in pages.items()}


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problems:\n" + "\n".join(sorted(problems))


#: A page with one error, checked with the others: the checker ran and its findings were read.
SENTINEL = '<!doctype html><html lang="en"><title>x</title><p id="a"></p><p id="a"></p>'


def test_every_page_is_valid_html(pages, tmp_path):
    names: dict[str, str] = {}
    for number, (what, html) in enumerate(pages.items()):
        name = f"page{number:04d}.html"
        (tmp_path / name).write_text(html, encoding="utf-8")
        names[name] = what
    (tmp_path / "sentinel.html").write_text(SENTINEL, encoding="utf-8")
    found = _check(tmp_path)  # one run of the checker, one Java start, for every page
    sentinel = [m for m in found if m.get("url", "").endswith("/sentinel.html")]
    assert [m["message"] for m in sentinel] == ["Duplicate ID “a”."]
    problems = [
        f"{names.get(Path(m.get('url', '')).name, m.get('url'))}: line {m.get('lastLine')}: "
        f"{m.get('message')}"
        for m in found
        if m not in sentinel
    ]
    assert not problems, _report(problems)


# What the checker does not see, on the same pages ----------------------------------------------


def test_every_page_has_one_main_heading(trees):
    problems = [
        f"{what}: {len(found)} h1"
        for what, tree in trees.items()
        if len(found := tree.find("h1")) != 1
    ]
    assert not problems, _report(problems)


def test_a_page_with_errors_says_so_once_in_its_title_and_its_summary_takes_focus(trees):
    problems = []
    for what, tree in trees.items():
        (title,) = tree.find("head")[0].find("title")
        summaries = tree.find(cls="error-summary")
        if title.text().count("Error:") > 1:
            problems.append(f"{what}: title {title.text()!r}")
        if summaries and not title.text().startswith("Error: "):
            problems.append(f"{what}: an error summary, but the title {title.text()!r}")
        for summary in summaries:
            if "autofocus" not in summary.attrs or summary.attrs.get("tabindex") != "-1":
                problems.append(f"{what}: an error summary that does not take focus")
    assert not problems, _report(problems)


def test_each_error_in_a_summary_links_to_its_field_in_the_order_of_the_page(trees):
    problems, summaries = [], 0
    for what, tree in trees.items():
        order = {e.attrs["id"]: n for n, e in enumerate(tree.walk()) if e.attrs.get("id")}
        for summary in tree.find(cls="error-summary"):
            summaries += 1
            places = []
            for item in summary.find("li"):
                links = item.find("a")
                target = (links[0].attrs.get("href") or "").removeprefix("#") if links else ""
                if target not in order:
                    problems.append(f"{what}: {item.text()!r} links to no field ({target!r})")
                else:
                    places.append(order[target])
            if places != sorted(places):
                problems.append(f"{what}: the errors are not in the order of the fields")
    assert summaries >= 10
    assert not problems, _report(problems)


LANDMARKS = {"nav": "navigation", "aside": "complementary"}


def _landmark(element: Element) -> str | None:
    role = element.attrs.get("role")
    if role in ("navigation", "search", "region", "complementary", "form"):
        return role
    if element.tag == "section" and (
        "aria-label" in element.attrs or "aria-labelledby" in element.attrs
    ):
        return "region"
    return LANDMARKS.get(element.tag)


def _name(element: Element, tree: Element) -> str:
    if element.attrs.get("aria-label"):
        return element.attrs["aria-label"] or ""
    ids = (element.attrs.get("aria-labelledby") or "").split()
    named = {e.attrs.get("id"): e for e in tree.walk() if e.attrs.get("id") in ids}
    return " ".join(named[i].text() for i in ids if i in named)


def test_landmarks_of_a_kind_on_a_page_have_names_that_tell_them_apart(trees):
    problems = []
    for what, tree in trees.items():
        kinds: dict[str, list[str]] = {}
        for element in tree.walk():
            if (kind := _landmark(element)) is not None:
                kinds.setdefault(kind, []).append(_name(element, tree))
        for kind, names in kinds.items():
            if len(names) > 1 and (not all(names) or len(set(names)) < len(names)):
                problems.append(f"{what}: {kind} landmarks named {names}")
    assert not problems, _report(problems)


def test_no_table_header_is_empty(trees):
    problems = [
        f"{what}: an empty header in a table"
        for what, tree in trees.items()
        for cell in tree.find("th")
        if not cell.text()
    ]
    assert not problems, _report(problems)


def test_a_folded_callout_says_which_profession_it_is_for(trees):
    problems, callouts = [], 0
    for what, tree in trees.items():
        for callout in tree.find("details", "callout"):
            callouts += 1
            (summary,) = callout.find("summary")
            code = callout.attrs.get("data-profession") or ""
            whom = f"for {BY_CODE[code].plural}" if code in BY_CODE else code
            if whom not in summary.text().lower():
                problems.append(f"{what}: a callout for {code} says {summary.text()!r}")
    assert callouts >= 50
    assert not problems, _report(problems)


def test_a_module_numbers_its_sections_and_only_its_sections(trees):
    problems, contents = [], 0
    for what, tree in trees.items():
        for toc in tree.find("nav", "toc"):
            contents += 1
            (numbered,) = [e for e in toc.find("ol") if e.parent is toc]
            for item in (c for c in numbered.children if isinstance(c, Element)):
                link = item.find("a")[0]
                heading = next(
                    e for e in tree.walk() if e.attrs.get("id") == link.attrs["href"][1:]
                )
                if heading.tag != "h2":
                    problems.append(f"{what}: {heading.tag} {heading.text()!r} is numbered")
    assert contents >= 5
    assert not problems, _report(problems)


def test_no_score_is_shown_below_nothing(pages, downloads):
    problems = [
        f"{what}: {found.group(0)!r}"
        for what, text in {**pages, **downloads}.items()
        if (found := re.search(r"(?<![\w&#;-])[-−]\d+(\.\d+)?%", text))
    ]
    assert not problems, _report(problems)


def test_the_button_enter_presses_in_a_form_never_goes_back(trees):
    problems, backs = [], 0
    for what, tree in trees.items():
        for form in tree.find("form"):
            buttons = [
                e
                for e in form.walk()
                if (e.tag == "button" and e.attrs.get("type", "submit") == "submit")
                or (e.tag == "input" and e.attrs.get("type") == "submit")
            ]
            backs += any(b.attrs.get("value") == "back" for b in buttons)
            if buttons and buttons[0].attrs.get("value") == "back":
                problems.append(f"{what}: Enter would press {buttons[0].text()!r}")
    assert backs >= 5
    assert not problems, _report(problems)
