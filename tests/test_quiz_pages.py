"""Taking scenarios: saved as you go, resumable, graded once, reviewed; answers never leak."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from learning.extensions import db
from learning.models import ModuleProgress, QuizAttempt, QuizResponse

from .conftest import PASSWORD

RIGHT = {
    "q-who-leads": "the-local-authority",
    "q-neglect-signs": ["missed-medication", "an-unkempt-home", "weight-loss"],
    "q-dementia": "false",
    "q-raising-a-concern": [
        "make-sure-the-person-is-safe",
        "tell-your-safeguarding-lead",
        "record-what-you-saw-and-did",
    ],
    "q-duties": [
        "leads-the-care-act-assessment:social-worker",
        "coordinates-the-discharge-plan-on-the:ward-nurse",
        "assesses-the-home-for-equipment:occupational-therapist",
    ],
    "q-enquiry-name": "  S.42 ",
    "q-reflection": "I will <b>ask</b> sooner.",
}


def text(response) -> str:
    return response.get_data(as_text=True)


def start(client, slug: str, **data) -> str:
    response = client.post(f"/quizzes/{slug}/start", data=data)
    assert response.status_code == 302, text(response)
    return response.location


def answer_all(client, attempt_url: str) -> None:
    for page, (field, value) in enumerate(RIGHT.items(), start=1):
        response = client.post(f"{attempt_url}?page={page}", data={field: value})
        assert response.status_code == 302, (field, text(response))


def test_the_scenario_catalogue_lists_and_filters(client):
    page = text(client.get("/quizzes"))
    assert "Safeguarding basics" in page and "Mrs Khan goes home" in page
    page = text(client.get("/quizzes?topic=discharge"))
    assert "Mrs Khan goes home" in page and "Safeguarding basics" not in page
    assert "Safeguarding basics" not in text(client.get("/quizzes?profession=housing"))


def test_no_answer_or_feedback_reaches_the_page_before_submission(client, make_user, login):
    login(make_user())
    url = start(client, "safeguarding-basics")
    pages = [text(client.get(f"{url}?page={n}")) for n in range(1, 8)]
    html = "\n".join(pages)
    for secret in (
        "Yes: the council leads",  # option feedback
        "Only when a crime may have been committed",
        "Capacity is decision-specific",
        "Safety first, then report",
        "Section 47 is the Children Act enquiry",  # a wrong short answer's feedback
        "s42",  # an accepted answer
        "You know the basics",  # band feedback
    ):
        assert secret not in html, secret
    assert "Step 3 of 7" in pages[2]


def test_no_step_routes_points_or_outcomes_leak_in_a_case(client, make_user, login):
    login(make_user())
    url = start(client, "discharge-case")
    page = text(client.get(url))
    for secret in ("points", "home-visit", "readmitted", "Waiting is a main cause", "Outcome"):
        assert secret not in page, secret
    assert 'name="step-admission"' in page


def test_an_unanswered_question_gets_an_error_and_keeps_the_others(client, make_user, login):
    login(make_user())
    url = start(client, "safeguarding-basics")
    response = client.post(f"{url}?page=1", data={})
    assert response.status_code == 422
    assert "There is a problem" in text(response) and 'href="#q-who-leads-0"' in text(response)
    client.post(f"{url}?page=1", data={"q-who-leads": "the-gp"})
    response = client.post(f"{url}?page=2", data={"q-neglect-signs": ["nonsense"]})
    assert response.status_code == 422
    back = text(client.get(f"{url}?page=1"))
    assert re.search(r'value="the-gp"\s+checked', back)


def test_a_learner_resumes_after_signing_out(app, client, make_user, login):
    user = make_user()
    login(user)
    url = start(client, "safeguarding-basics")
    client.post(f"{url}?page=1", data={"q-who-leads": "the-local-authority"})
    client.post(f"{url}?page=2", data={"q-neglect-signs": ["weight-loss"]})
    client.post("/sign-out")
    login(user)
    page = text(client.get("/quizzes/safeguarding-basics"))
    assert "Resume" in page
    resumed = start(client, "safeguarding-basics")
    assert resumed == url
    assert "Step 3 of 7" in text(client.get(resumed))
    assert re.search(r'value="weight-loss"\s+checked', text(client.get(f"{url}?page=2")))


def test_submitting_twice_records_one_attempt(app, client, make_user, login):
    user = make_user()
    login(user)
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    first = client.post(f"{url}/submit")
    second = client.post(f"{url}/submit")
    assert first.location == second.location == f"{url}/review"
    with app.app_context():
        rows = db.session.execute(sa.select(QuizAttempt)).scalars().all()
        assert len(rows) == 1
        assert rows[0].submitted_at is not None and rows[0].passed is True
        assert rows[0].score == rows[0].max_score == 8.0
        responses = db.session.execute(sa.select(QuizResponse)).scalars().all()
        assert {r.question_id: r.correct for r in responses}["reflection"] is None
        assert all(r.correct for r in responses if r.question_id != "reflection")


def test_the_review_shows_right_answers_feedback_and_escaped_reflection(client, make_user, login):
    login(make_user(profession="occupational-therapy"))
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    client.post(f"{url}?page=1", data={"q-who-leads": "the-gp"})
    client.post(f"{url}/submit")
    page = text(client.get(f"{url}/review"))
    first = page.split('class="review__item"')[1]
    assert "Not right" in first and "The right answer" in first and "The local authority" in first
    assert "look at how the kitchen is being used" in page
    assert "Your profession: For occupational therapists" in page
    assert "I will &lt;b&gt;ask&lt;/b&gt; sooner." in page
    assert "You know the basics" in page  # 7 of 8 is 87.5%, the 70% band


def test_attempts_are_limited(app, client, make_user, login):
    login(make_user())
    for _ in range(3):
        url = start(client, "safeguarding-basics")
        answer_all(client, url)
        client.post(f"{url}/submit")
    response = client.post("/quizzes/safeguarding-basics/start", follow_redirects=True)
    assert "You have used every attempt" in text(response)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(QuizAttempt.id))).scalar() == 3


def test_passing_the_quiz_completes_a_module_completed_by_quiz(app, client, make_user, login):
    user = make_user()
    login(user)
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    client.post(f"{url}/submit")
    with app.app_context():
        row = db.session.get(ModuleProgress, (user.id, "safeguarding-adults"))
        assert row is not None and row.completed_at is not None
    assert "Passed" in text(client.get("/dashboard"))


def test_a_failed_quiz_does_not_complete_the_module(app, client, make_user, login):
    user = make_user()
    login(user)
    url = start(client, "safeguarding-basics")
    wrong = {**RIGHT, "q-who-leads": "the-gp", "q-dementia": "true", "q-enquiry-name": "s47"}
    for page, (field, value) in enumerate(wrong.items(), start=1):
        client.post(f"{url}?page={page}", data={field: value})
    client.post(f"{url}/submit")
    with app.app_context():
        assert db.session.get(ModuleProgress, (user.id, "safeguarding-adults")) is None


def test_a_case_records_every_decision_and_follows_the_score(app, client, make_user, login):
    user = make_user(profession="nursing")
    login(user)
    url = start(client, "discharge-case")
    for field, choice in (
        ("step-admission", "plan-now"),
        ("step-home-visit", "visit"),  # score 4 -> discharge-meeting
        ("step-discharge-meeting", "package"),
    ):
        response = client.post(url, data={field: choice})
        assert response.status_code == 302
    assert response.location == f"{url}/review"
    with app.app_context():
        attempt = db.session.execute(sa.select(QuizAttempt)).scalar_one()
        assert [(r.sequence, r.question_id, r.answer) for r in attempt.responses] == [
            (0, "admission", "plan-now"),
            (1, "home-visit", "visit"),
            (2, "discharge-meeting", "package"),
        ]
        assert (attempt.outcome_step, attempt.passed) == ("home-safe", True)
    page = text(client.get(f"{url}/review"))
    assert "Mrs Khan is home, safe and well supported" in page
    assert "The best path" in page


def test_an_earlier_choice_changes_the_route(app, client, make_user, login):
    login(make_user())
    url = start(client, "discharge-case")
    client.post(url, data={"step-admission": "wait"})
    client.post(url, data={"step-home-visit": "visit"})  # score 2, chose wait -> late meeting
    assert 'name="step-late-meeting"' in text(client.get(url))


def test_a_case_can_be_played_as_another_profession(client, make_user, login):
    login(make_user(profession="nursing"))
    url = start(client, "discharge-case", as_profession="occupational-therapy")
    client.post(url, data={"step-admission": "plan-now"})
    page = text(client.get(url))
    assert "Playing as Occupational therapy" in page
    assert 'value="equipment"' in page  # the OT-only choice


def test_a_forged_or_missing_choice_is_refused(client, make_user, login):
    login(make_user(profession="nursing"))
    url = start(client, "discharge-case")
    client.post(url, data={"step-admission": "plan-now"})
    assert client.post(url, data={"step-home-visit": "equipment"}).status_code == 422
    assert client.post(url, data={}).status_code == 422


def test_going_back_in_a_case_takes_back_the_last_decision(client, make_user, login):
    login(make_user())
    url = start(client, "discharge-case")
    client.post(url, data={"step-admission": "wait"})
    client.post(url, data={"action": "back"})
    assert 'name="step-admission"' in text(client.get(url))


@pytest.mark.parametrize("path", ["", "/submit", "/review"])
def test_another_learners_attempt_is_not_found(app, make_user, path):
    owner, other = make_user(), make_user()
    mine, theirs = app.test_client(), app.test_client()
    mine.post("/sign-in", data={"email": owner.email, "password": PASSWORD})
    theirs.post("/sign-in", data={"email": other.email, "password": PASSWORD})
    url = start(mine, "safeguarding-basics")
    assert theirs.get(url + path).status_code == 404
    assert theirs.post(url + ("" if path != "/submit" else path)).status_code == 404


@pytest.fixture
def edited_course(app, tmp_path, monkeypatch):
    """Swap in a copy of the fixture course with one quiz edited by ``edit(text) -> text``."""
    import shutil
    from dataclasses import replace

    from learning.quizzes import load_quizzes

    from .conftest import FIXTURE_COURSE

    def swap(slug: str, edit) -> None:
        root = tmp_path / "course"
        shutil.copytree(FIXTURE_COURSE, root, dirs_exist_ok=True)
        path = root / "quizzes" / f"{slug}.md"
        path.write_text(edit(path.read_text()))
        content = app.extensions["curriculum"]
        quizzes = load_quizzes(root, module_slugs=frozenset(content.modules.slugs))
        monkeypatch.setitem(app.extensions, "curriculum", replace(content, quizzes=quizzes))

    return swap


def test_a_single_page_quiz_takes_every_answer_at_once(client, make_user, login, edited_course):
    edited_course("safeguarding-basics", lambda s: s.replace("layout: paged", "layout: single"))
    login(make_user())
    url = start(client, "safeguarding-basics")
    page = text(client.get(url))
    assert page.count('class="form-group question') == 7 and "Step 1 of" not in page
    partial = {k: v for k, v in RIGHT.items() if k != "q-dementia"}
    response = client.post(url, data=partial)
    assert response.status_code == 422
    assert "Choose true or false" in text(response)
    assert 'value="I will &lt;b&gt;ask&lt;/b&gt; sooner.' not in text(response)  # textarea body
    assert "I will &lt;b&gt;ask&lt;/b&gt; sooner.</textarea>" in text(response)
    assert client.post(url, data=RIGHT).location == f"{url}/submit"


def test_an_old_attempt_stays_readable_after_the_quiz_changes(
    app, client, make_user, login, edited_course
):
    login(make_user())
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    client.post(f"{url}/submit")
    cut = "## A person with dementia can never make their own decisions."
    edited_course("safeguarding-basics", lambda s: s[: s.index(cut)] + s[s.index("## Put these") :])
    response = client.get(f"{url}/review")
    page = text(response)
    assert response.status_code == 200
    assert "has changed since your attempt" in page
    assert "Below is the version you took" in page
    assert 'href="/quizzes/safeguarding-basics">See the scenario as it is now' in page
    assert "100% (8 of 8)" in page  # the score stands as marked
    assert "A person with dementia can never make their own decisions." in page  # as taken
    assert "Questions removed since your attempt" not in page
