"""Who can open what: every route, for every kind of person."""

from __future__ import annotations

import pytest

from learning.extensions import db
from learning.models import QuizAttempt, Role

ANON, LEARNER, TRAINER, EMPLOYER, ADMIN = "anonymous", "learner", "trainer", "employer", "admin"
AUDIENCES = (ANON, LEARNER, TRAINER, EMPLOYER, ADMIN)

SIGNED_IN = {ANON: 302, LEARNER: 200, TRAINER: 200, EMPLOYER: 200, ADMIN: 200}
ANYONE = dict.fromkeys(AUDIENCES, 200)
NOT_YOURS = {ANON: 302, LEARNER: 404, TRAINER: 404, EMPLOYER: 404, ADMIN: 404}
SIGNED_OUT_ONLY = {ANON: 200, LEARNER: 302, TRAINER: 302, EMPLOYER: 302, ADMIN: 302}


def only(audience: str, ok: int = 200) -> dict[str, int]:
    """The door admits one role; others are refused, anonymous people sent to sign in."""
    return {a: (ok if a == audience else 302 if a == ANON else 403) for a in AUDIENCES}


# (endpoint, method, path, expected status by audience). {user} and {org} are filled in.
MATRIX = [
    ("learner.home", "GET", "/", ANYONE),
    ("learner.dashboard", "GET", "/dashboard", SIGNED_IN),
    ("learner.profile", "GET", "/profile", SIGNED_IN),
    ("learner.change_password", "GET", "/profile/password", SIGNED_IN),
    ("auth.register", "GET", "/register", SIGNED_OUT_ONLY),
    ("auth.sign_in", "GET", "/sign-in", SIGNED_OUT_ONLY),
    ("auth.sign_out", "POST", "/sign-out", dict.fromkeys(AUDIENCES, 302)),
    ("auth.request_reset", "GET", "/reset-password", ANYONE),
    ("auth.reset_password", "GET", "/reset-password/not-a-token", dict.fromkeys(AUDIENCES, 404)),
    ("modules.index", "GET", "/modules", ANYONE),
    ("modules.module", "GET", "/modules/hospital-discharge", ANYONE),
    (
        "modules.complete",
        "POST",
        "/modules/hospital-discharge/complete",
        dict.fromkeys(AUDIENCES, 302),
    ),
    ("modules.glossary", "GET", "/glossary", ANYONE),
    ("modules.search", "GET", "/search?q=discharge", ANYONE),
    ("quizzes.index", "GET", "/quizzes", ANYONE),
    ("quizzes.quiz", "GET", "/quizzes/safeguarding-basics", ANYONE),
    ("quizzes.start", "POST", "/quizzes/safeguarding-basics/start", dict.fromkeys(AUDIENCES, 302)),
    # Another person's attempt: not found for everyone signed in.
    ("quizzes.take", "GET", "/attempts/{attempt}", NOT_YOURS),
    ("quizzes.answer", "POST", "/attempts/{attempt}", NOT_YOURS),
    ("quizzes.confirm", "GET", "/attempts/{attempt}/submit", NOT_YOURS),
    ("quizzes.submit", "POST", "/attempts/{attempt}/submit", NOT_YOURS),
    ("quizzes.review", "GET", "/attempts/{attempt}/review", NOT_YOURS),
    ("trainer.dashboard", "GET", "/trainer/", only(TRAINER)),
    ("employer.dashboard", "GET", "/employer/", only(EMPLOYER)),
    ("admin.users", "GET", "/admin/", only(ADMIN)),
    ("admin.user", "GET", "/admin/users/{user}", only(ADMIN)),
    ("admin.set_roles", "POST", "/admin/users/{user}/roles", only(ADMIN, 302)),
    ("admin.move_user", "POST", "/admin/users/{user}/organisation", only(ADMIN, 302)),
    ("admin.create_reset_link", "POST", "/admin/users/{user}/reset-link", only(ADMIN)),
    ("admin.organisations", "GET", "/admin/organisations", only(ADMIN)),
    ("admin.new_organisation", "GET", "/admin/organisations/new", only(ADMIN)),
    ("admin.edit_organisation", "GET", "/admin/organisations/{org}/edit", only(ADMIN)),
]


def test_the_access_matrix_covers_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == {row[0] for row in MATRIX}


@pytest.fixture
def audience_client(app, client, make_user, make_organisation, login):
    organisation = make_organisation("Riverside NHS Foundation Trust")
    target = make_user(email="target@example.test", organisation=organisation)
    with app.app_context():
        attempt = QuizAttempt(
            user_id=target.id,
            quiz_slug="safeguarding-basics",
            quiz_version="v",
            as_profession="nursing",
        )
        db.session.add(attempt)
        db.session.commit()
        attempt_id = attempt.id
    roles = {
        LEARNER: (),
        TRAINER: (Role.TRAINER,),
        EMPLOYER: (Role.EMPLOYER,),
        ADMIN: (Role.ADMIN,),
    }

    def for_audience(audience: str):
        if audience != ANON:
            login(make_user(*roles[audience], organisation=organisation))
        return client, {"user": target.id, "org": organisation.id, "attempt": attempt_id}

    return for_audience


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize(
    ("endpoint", "method", "path", "expected"), MATRIX, ids=[row[0] for row in MATRIX]
)
def test_each_audience_gets_only_its_own_pages(
    audience_client, audience, endpoint, method, path, expected
):
    client, ids = audience_client(audience)
    data = {"roles": [], "organisation": ids["org"]} if method == "POST" else None
    response = client.open(path.format(**ids), method=method, data=data)
    assert response.status_code == expected[audience]
    if audience == ANON and response.status_code == 302 and endpoint != "auth.sign_out":
        assert response.location.startswith("/sign-in")


def test_unknown_user_and_organisation_are_not_found_for_an_admin(client, make_user, login):
    login(make_user(Role.ADMIN))
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/organisations/999999/edit").status_code == 404
