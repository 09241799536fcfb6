"""Identical requests at the same moment: twenty clicks of Submit, Start or a case's last choice
from threads with their own connections. Nobody sees a server error, everyone lands where one
click would have taken them, and the quiz's attempt limit holds in the database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from learning.extensions import db
from learning.models import Completion, QuizAttempt, QuizResponse

from .conftest import PASSWORD
from .test_quiz_pages import answer_all, start

CLICKS = 20


def _signed_in_clients(app, user, n: int) -> list:
    clients = []
    for _ in range(n):
        client = app.test_client()
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    return clients


def _all_at_once(app, user, path: str, data: dict | None = None) -> list:
    """POST the same form from CLICKS browsers at once; the responses, in any order."""
    clients = _signed_in_clients(app, user, CLICKS)
    ready = threading.Barrier(CLICKS)

    def click(client):
        ready.wait()
        return client.post(path, data=data or {})

    with ThreadPoolExecutor(CLICKS) as pool:
        return list(pool.map(click, clients))


def _attempts(app, user) -> list[QuizAttempt]:
    with app.app_context():
        return (
            db.session.execute(sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id))
            .scalars()
            .all()
        )


def test_twenty_submissions_at_once_all_land_on_the_one_submitted_attempt(
    app, client, make_user, login
):
    user = make_user()
    login(user)
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    responses = _all_at_once(app, user, f"{url}/submit")
    assert [r.status_code for r in responses] == [302] * CLICKS
    assert {r.location for r in responses} == {f"{url}/review"}
    (attempt,) = _attempts(app, user)
    assert attempt.submitted_at is not None and attempt.passed is True
    with app.app_context():
        passes = db.session.execute(
            sa.select(sa.func.count()).where(Completion.slug == "safeguarding-basics")
        ).scalar_one()
        assert passes == 1


def test_twenty_identical_answers_at_once_save_one_answer(app, client, make_user, login):
    user = make_user()
    login(user)
    url = start(client, "safeguarding-basics")
    responses = _all_at_once(app, user, f"{url}?page=1", {"q-who-leads": "the-local-authority"})
    assert [r.status_code for r in responses] == [302] * CLICKS
    with app.app_context():
        saved = db.session.execute(sa.select(QuizResponse.question_id)).scalars().all()
        assert saved == ["who-leads"]


def test_twenty_start_clicks_at_once_make_one_attempt(app, make_user):
    user = make_user()
    responses = _all_at_once(app, user, "/quizzes/safeguarding-basics/start")
    assert [r.status_code for r in responses] == [302] * CLICKS
    (attempt,) = _attempts(app, user)
    assert {r.location for r in responses} == {f"/attempts/{attempt.id}"}


def test_start_clicks_at_once_cannot_pass_the_quizs_limit_of_three(app, client, make_user, login):
    user = make_user()
    login(user)
    for _ in range(2):
        url = start(client, "safeguarding-basics")
        answer_all(client, url)
        client.post(f"{url}/submit")
    responses = _all_at_once(app, user, "/quizzes/safeguarding-basics/start")
    assert [r.status_code for r in responses] == [302] * CLICKS
    assert len(_attempts(app, user)) == 3
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    client.post(f"{url}/submit")
    responses = _all_at_once(app, user, "/quizzes/safeguarding-basics/start")
    assert {r.location for r in responses} == {"/quizzes/safeguarding-basics"}
    assert len(_attempts(app, user)) == 3


def test_twenty_clicks_on_a_cases_last_choice_at_once_all_land_on_its_review(
    app, client, make_user, login
):
    user = make_user(profession="nursing")
    login(user)
    url = start(client, "discharge-case")
    client.post(url, data={"step-admission": "plan-now"})
    client.post(url, data={"step-home-visit": "visit"})
    responses = _all_at_once(app, user, url, {"step-discharge-meeting": "package"})
    assert [r.status_code for r in responses] == [302] * CLICKS
    assert {r.location for r in responses} <= {url, f"{url}/review"}
    (attempt,) = _attempts(app, user)
    assert (attempt.outcome_step, attempt.passed) == ("home-safe", True)
    assert client.get(url).location == f"{url}/review"
