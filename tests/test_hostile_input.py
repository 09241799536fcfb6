"""No input makes a 500: huge numbers, NUL bytes, odd text and line breaks get a 404 or a form
error that keeps what was typed, and a refused request changes nothing."""

from __future__ import annotations

import itertools
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from learning import demo, forms
from learning.curriculum import curriculum
from learning.extensions import db
from learning.models import (
    Certificate,
    Cohort,
    CohortGroup,
    CpdEntry,
    Organisation,
    ProgrammeItem,
    QuizAttempt,
    RequiredTraining,
    User,
)

HUGE = "99999999999999999999"
HOSTILE = (
    HUGE,
    str(10**30),
    "-1",
    "2147483648",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "\u202e\ufeff\U0001d54f\u0338 \u0000\U0010ffff",
    "nan",
    "sNaN",
    "-inf",
    "1e309",
    "/dashboard\r\nSet-Cookie: x=1",
)
#: Every query-string name a page reads.
QUERY = (
    "page",
    "per_page",
    "q",
    "profession",
    "stage",
    "sort",
    "group",
    "organisation",
    "next",
    "as",
    "topic",
    "sector",
    "print",
    "role",
    "lens",
)
#: The tables a refused request must leave as they were.
MAIN_TABLES = (
    "user_account",
    "organisation",
    "role_grant",
    "cohort",
    "cohort_member",
    "cohort_group",
    "programme_item",
    "join_code",
    "quiz_attempt",
    "quiz_response",
    "module_progress",
    "completion",
    "certificate",
    "cpd_entry",
    "required_training",
)
ROLES = ("anonymous", "nurse", "trainer", "employer", "admin")


def _field_names() -> set[str]:
    """The name of every field of every form, and of every question on the fixture quizzes."""
    names = {"user", "group", "answer", "choice", "step", "action", "profession"}
    for form in vars(forms).values():
        if isinstance(form, type) and issubclass(form, forms.Form):
            names.update(n for n, v in vars(form).items() if hasattr(v, "field_class"))
            for base in form.__mro__:
                names.update(n for n, v in vars(base).items() if hasattr(v, "field_class"))
    for quiz in curriculum().quizzes:
        names.update(q.id for q in getattr(quiz, "questions", ()))
    return names - {"csrf_token", "file"}


@pytest.fixture
def world(app):
    """The demo site on the fixture course: people in every role, with things of their own."""
    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"], curriculum())
        db.session.commit()

        def first(model, *where):
            found = db.session.execute(
                sa.select(model.id).where(*where).order_by(model.id).limit(1)
            ).scalar()
            return found or 1

        nurse = first(User, User.email == "nurse@demo.test")
        ids = {
            "cohort_id": first(Cohort),
            "user_id": nurse,
            "attempt_id": first(QuizAttempt, QuizAttempt.user_id == nurse),
            "entry_id": first(CpdEntry, CpdEntry.user_id == nurse),
            "certificate_id": first(Certificate),
            "organisation_id": first(Organisation),
            "requirement_id": first(RequiredTraining),
            "item_id": first(ProgrammeItem),
            "group_id": first(CohortGroup),
        }
        code = db.session.execute(sa.select(Certificate.code).limit(1)).scalar() or "X"
        slug = next(iter(curriculum().quizzes)).slug
        return {"ids": ids, "code": code, "slug": slug, "fields": _field_names()}


def _counts() -> dict[str, int]:
    return {
        name: db.session.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608 - our table names
        for name in MAIN_TABLES
    }


def _signed_in(app, role: str):
    client = app.test_client()
    if role != "anonymous":
        email = f"{role}@demo.test"
        response = client.post("/sign-in", data={"email": email, "password": "demo-password-2026"})
        assert response.status_code == 302, role
    return client


def _real(rule: Rule, name: str, world) -> str:
    if name in world["ids"]:
        return str(world["ids"][name])
    converter = rule._converters[name]
    if getattr(converter, "items", None):  # <any(...)>
        return sorted(converter.items)[0]
    return {"slug": world["slug"], "code": world["code"], "filename": "css/site.css"}.get(name, "x")


def _requests(rule: Rule, world, hostile: itertools.cycle):
    """Two requests per method: hostile values in the address; real ids with hostile fields."""
    for method in sorted((rule.methods or set()) & {"GET", "POST"}):
        value = next(hostile)
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[^:>]+:)?{name}>", lambda _m, v=value: _quote(v), path)
        yield method, path, value
        real = rule.rule
        for name in rule.arguments:
            real = re.sub(
                rf"<(?:[^:>]+:)?{name}>", lambda _m, n=name: _quote(_real(rule, n, world)), real
            )
        yield method, real, next(hostile)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_hostile_input_with_a_500_or_changes_anything_it_refuses(app, world, role):
    hostile = itertools.cycle(HOSTILE)
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    fields = sorted(world["fields"])
    seen = 0
    for rule in rules:
        if rule.endpoint in ("static", "auth.sign_out", "admin.sign_out_everywhere"):
            continue
        client = _signed_in(app, role)  # again for each route: one may have signed out
        for method, path, value in _requests(rule, world, hostile):
            query = {name: value for name in QUERY}
            with app.app_context():
                before = _counts()
            if method == "GET":
                response = client.get(path, query_string=query)
            else:
                data = {name: value for name in fields}
                response = client.post(path, query_string=query, data=data)
            assert response.status_code < 500, (role, method, path, value[:40])
            if response.status_code >= 400:
                with app.app_context():
                    assert _counts() == before, (role, method, path, value[:40])
            seen += 1
    assert seen > 100


# One case each, as a person would meet it ---------------------------------------------------


def test_a_cohort_number_too_large_for_the_database_is_not_found(client, make_user, login):
    login(make_user())
    assert client.get(f"/cohorts/{HUGE}").status_code == 404
    assert client.get(f"/attempts/{2**31}").status_code == 404


def test_a_page_number_past_any_database_integer_shows_the_first_page(client, make_user, login):
    from learning.models import Role

    login(make_user(Role.ADMIN))
    assert client.get("/admin/", query_string={"page": str(10**30)}).status_code == 200


@pytest.mark.parametrize("hours", ["sNaN", "nan", "inf", "-Infinity"])
def test_hours_that_are_not_a_number_are_a_form_error_that_keeps_the_typing(
    client, make_user, login, hours
):
    login(make_user())
    page = client.get("/cpd/new").get_data(as_text=True)
    activity = re.search(r'name="activity"[^>]*>\s*<option[^>]*value="([^"]+)"', page)
    response = client.post(
        "/cpd/new",
        data={
            "on": "2026-01-05",
            "activity": activity.group(1) if activity else "course",
            "topic": "Discharge planning",
            "hours": hours,
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Enter a number, for example 1.5" in body or "Enter hours" in body
    assert f'value="{hours}"' in body


def test_a_line_break_in_next_leads_to_the_dashboard(client, make_user):
    user = make_user()
    response = client.post(
        "/sign-in",
        query_string={"next": "/cpd\r\nSet-Cookie: evil=1"},
        data={"email": user.email, "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    assert "evil" not in str(response.headers)


def test_a_nul_byte_in_the_sign_in_form_is_a_form_error_that_keeps_the_typing(client):
    response = client.post(
        "/sign-in", data={"email": "nurse\x00@example.test", "password": "whatever it is"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "hidden null character" in body
    assert "nurse" in body and "@example.test" in body


def test_a_nul_byte_in_a_search_is_not_found(client):
    assert client.get("/search", query_string={"q": "care\x00"}).status_code == 404
    assert client.get("/verify/AB%00CD").status_code == 404


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    email=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300)),
    name=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300)),
    number=st.one_of(st.sampled_from(HOSTILE), st.integers().map(str)),
)
def test_registration_and_cohort_forms_take_any_text_without_a_500(
    app, make_user, email, name, number
):
    from learning.models import Role

    trainer = make_user(Role.TRAINER)
    client = app.test_client()
    with app.app_context():
        before = _counts()
    registered = client.post(
        "/register",
        data={
            "name": name,
            "email": email,
            "password": name + "-long enough password",
            "profession": "nursing",
            "stage": "qualified",
            "registration_number": number,
        },
    )
    assert registered.status_code < 500
    client.post("/sign-in", data={"email": trainer.email, "password": "correct horse battery"})
    made = client.post(
        "/trainer/cohorts/new",
        data={"name": name, "description": email, "group_size": number, "min_professions": 3},
    )
    assert made.status_code < 500
    if registered.status_code >= 400 and made.status_code >= 400:
        with app.app_context():
            assert _counts() == before
