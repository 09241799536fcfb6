"""History never changes: every version of a module or quiz that someone completed or attempted
is kept, and reviews, score bands, the perspectives view, achievements and the CPD record use
the version the learner took, however the file changes afterwards."""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from learning import attempts, cohorts, curriculum, reports, versions
from learning.extensions import db
from learning.items import ItemKind
from learning.models import (
    Cohort,
    Completion,
    ContentVersion,
    EnrolmentRoute,
    QuizAttempt,
    Role,
    User,
)

from .conftest import FIXTURE_COURSE, PASSWORD
from .test_quiz_pages import RIGHT, answer_all, start, text

QUIZ = "quizzes/safeguarding-basics.md"
CASE = "quizzes/discharge-case.md"
MODULE = "modules/hospital-discharge.md"
NOTICE = re.compile(r'<div class="notice" id="changed-since">.*?</div>', re.DOTALL)


@pytest.fixture
def course(app, tmp_path, monkeypatch):
    """A copy of the fixture course that the app serves, and ``edit(path, change)`` to change
    one of its files as an author would, the app then serving the new version."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    monkeypatch.setitem(app.config, "CONTENT_ROOT", root)
    monkeypatch.setitem(app.extensions, "curriculum", curriculum.load(root, debug=True))

    def edit(path: str, change) -> None:
        file = root / path
        before = file.read_text(encoding="utf-8")
        after = change(before)
        assert after != before, "the edit changed nothing"
        file.write_text(after, encoding="utf-8")
        app.extensions["curriculum"] = curriculum.load(root, debug=True)

    return edit


def without_notice(html: str) -> str:
    return NOTICE.sub("", html)


#: A CSRF token carries the second it was signed in, so two renderings a second apart differ.
CSRF_TOKEN = re.compile(r'(name="csrf_token" value=")[^"]*"')


def review(client, url: str) -> str:
    """The review page, with the sign-out form's CSRF token blanked (it is not the review)."""
    response = client.get(f"{url}/review")
    assert response.status_code == 200
    return CSRF_TOKEN.sub(r'\1"', text(response))


def kept(app) -> set[tuple[str, str, str]]:
    with app.app_context():
        return {
            (kind.value, slug, version)
            for kind, slug, version in db.session.execute(
                sa.select(ContentVersion.kind, ContentVersion.slug, ContentVersion.version)
            )
        }


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Reviews ---------------------------------------------------------------------------------


def test_a_full_marks_review_is_unchanged_after_the_right_answer_and_bands_change(
    app, client, make_user, login, course
):
    login(make_user())
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    client.post(f"{url}/submit")
    before = review(client, url)
    assert "100% (8 of 8)" in before and "Full marks." in before
    assert 'id="changed-since"' not in before

    course(
        QUIZ,
        lambda s: (
            s.replace("- [ ] The GP", "- [x] The GP")
            .replace("- [x] The local authority", "- [ ] The local authority")
            .replace("text: Full marks.", "text: Every answer right.")
        ),
    )
    after = review(client, url)

    assert without_notice(after) == before  # no cross, the same band text
    notice = NOTICE.search(after).group(0)
    assert "this scenario has changed since your attempt" in notice
    assert "Below is the version you took, as you saw it then." in notice
    assert 'href="/quizzes/safeguarding-basics">See the scenario as it is now</a>' in notice
    assert "Every answer right." not in after


def test_a_renamed_question_still_shows_the_answer_given(app, client, make_user, login, course):
    login(make_user())
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    client.post(f"{url}/submit")
    before = review(client, url)

    course(QUIZ, lambda s: s.replace("{#dementia}", "{#capacity-is-assumed}"))
    after = review(client, url)

    assert without_notice(after) == before
    assert "No answer" not in after


def test_a_case_reviewed_after_a_step_on_its_path_was_removed_keeps_its_path(
    app, client, make_user, login, course
):
    login(make_user())
    url = start(client, "discharge-case")
    for field, choice in (
        ("step-admission", "wait"),
        ("step-home-visit", "visit"),
        ("step-late-meeting", "package"),
    ):
        assert client.post(url, data={field: choice}).status_code == 302
    before = review(client, url)
    assert "A late meeting" in before and "The path you took" in before

    def remove_the_late_meeting(source: str) -> str:
        source = source.replace("  -> late-meeting if chose admission.wait\n", "")
        start, end = source.index("## A late meeting"), source.index("## Mrs Khan is home")
        return source[:start] + source[end:]

    course(CASE, remove_the_late_meeting)
    after = review(client, url)

    assert without_notice(after) == before
    assert "this case has changed since your attempt" in NOTICE.search(after).group(0)


def test_a_version_that_was_never_kept_is_shown_as_today_with_a_notice(
    app, client, make_user, login
):
    user = make_user()
    with app.app_context():
        # An attempt from before versions were kept, at a version no file has any more.
        attempt = QuizAttempt(
            user_id=user.id,
            quiz_slug="safeguarding-basics",
            quiz_version="0" * 63 + "1",
            as_profession="nursing",
            submitted_at=datetime.now(UTC),
            score=2,
            max_score=8,
            passed=False,
        )
        db.session.add(attempt)
        db.session.commit()
        attempt_id = attempt.id
    login(user)
    page = review(client, f"/attempts/{attempt_id}")
    assert "the version you took was not kept" in page
    assert "25% (2 of 8)" in page  # the score stands as marked
    assert "Who leads a safeguarding enquiry" in page  # today's questions
    assert 'href="/quizzes/safeguarding-basics">See the scenario as it is now' in page


def test_a_kept_version_that_no_longer_reads_says_so_instead_of_failing(
    app, client, make_user, login
):
    source = (FIXTURE_COURSE / QUIZ).read_text().replace("Type: ordering", "Type: abacus")
    version = hashlib.sha256(source.encode()).hexdigest()
    user = make_user()
    with app.app_context():
        db.session.add(
            ContentVersion(
                version=version,
                kind=ItemKind.QUIZ,
                slug="safeguarding-basics",
                path=QUIZ,
                source=source,
            )
        )
        attempt = QuizAttempt(
            user_id=user.id,
            quiz_slug="safeguarding-basics",
            quiz_version=version,
            as_profession="nursing",
            submitted_at=datetime.now(UTC),
            score=8,
            max_score=8,
            passed=True,
        )
        db.session.add(attempt)
        db.session.commit()
        attempt_id = attempt.id
    login(user)
    page = review(client, f"/attempts/{attempt_id}")
    assert "the version you took can no longer be read" in page
    assert "100% (8 of 8)" in page


def test_a_kept_version_is_reviewed_after_its_file_is_removed(
    app, client, make_user, login, course
):
    login(make_user())
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    client.post(f"{url}/submit")
    before = review(client, url)

    (app.config["CONTENT_ROOT"] / QUIZ).unlink()
    course(
        "modules/safeguarding-adults.md",
        lambda s: s.replace(
            "quizzes:\n  - safeguarding-basics\ncompletion: quiz", "completion: read"
        ),
    )
    assert app.extensions["curriculum"].quizzes.get("safeguarding-basics") is None
    after = review(client, url)

    assert "this scenario has been removed since your attempt" in NOTICE.search(after).group(0)
    assert "See the scenario as it is now" not in after and "Back to the scenario" not in after
    back = '<p><a href="/quizzes/safeguarding-basics">Back to the scenario</a></p>'
    assert without_notice(after) == before.replace(back, "")


# Keeping versions ------------------------------------------------------------------------


def test_starting_an_attempt_and_completing_a_module_keep_their_versions(
    app, client, make_user, login, course
):
    root = app.config["CONTENT_ROOT"]
    login(make_user())
    start(client, "safeguarding-basics")
    assert client.post("/modules/hospital-discharge/complete").status_code == 302
    assert kept(app) == {
        ("quiz", "safeguarding-basics", sha256(root / QUIZ)),
        ("module", "hospital-discharge", sha256(root / MODULE)),
    }
    with app.app_context():
        row = db.session.get(
            ContentVersion, (sha256(root / QUIZ), ItemKind.QUIZ, "safeguarding-basics")
        )
        assert row.path == QUIZ and row.source == (root / QUIZ).read_text(encoding="utf-8")


def test_learners_starting_a_new_version_at_the_same_moment_all_succeed(app, make_user, course):
    course(QUIZ, lambda s: s.replace("Seven short questions", "Seven quick questions"))
    learners = [make_user() for _ in range(8)]
    clients = []
    for learner in learners:
        client = app.test_client()
        client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
        clients.append(client)
    ready = threading.Barrier(len(clients))

    def click(client):
        ready.wait()
        return client.post("/quizzes/safeguarding-basics/start")

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(click, clients))

    assert [r.status_code for r in responses] == [302] * len(clients)
    version = sha256(app.config["CONTENT_ROOT"] / QUIZ)
    assert kept(app) == {("quiz", "safeguarding-basics", version)}
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(QuizAttempt.id))).scalar() == 8


def test_keeping_the_same_version_in_many_transactions_at_once_keeps_one_row(app, course):
    version = sha256(app.config["CONTENT_ROOT"] / QUIZ)
    ready = threading.Barrier(6)

    def keep(_):
        with app.app_context():
            ready.wait()
            kept_now = versions.keep(ItemKind.QUIZ, "safeguarding-basics", version)
            db.session.commit()
            return kept_now

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(keep, range(6))) == [True] * 6
    assert kept(app) == {("quiz", "safeguarding-basics", version)}


def test_a_file_changed_under_a_running_worker_is_not_kept_as_that_version(app, course):
    with app.app_context():
        assert not versions.keep(ItemKind.QUIZ, "safeguarding-basics", "f" * 64)
        db.session.commit()
    assert kept(app) == set()


def test_an_unfinished_attempt_moves_onto_the_new_version(app, client, make_user, login, course):
    login(make_user())
    url = start(client, "safeguarding-basics")
    client.post(f"{url}?page=1", data={"q-who-leads": "the-local-authority"})
    client.post(f"{url}?page=3", data={"q-dementia": "false"})
    course(QUIZ, lambda s: s.replace("{#dementia}", "{#capacity-is-assumed}"))

    page = text(client.get(url, follow_redirects=True))
    assert "Answers to questions it no longer asks in the same way were removed" in page
    new = sha256(app.config["CONTENT_ROOT"] / QUIZ)
    with app.app_context():
        attempt = db.session.execute(sa.select(QuizAttempt)).scalar_one()
        assert attempt.quiz_version == new
        assert {r.question_id for r in attempt.responses} == {"who-leads"}
    assert ("quiz", "safeguarding-basics", new) in kept(app)

    answers = {k.replace("dementia", "capacity-is-assumed"): v for k, v in RIGHT.items()}
    for page_number, (field, value) in enumerate(answers.items(), start=1):
        client.post(f"{url}?page={page_number}", data={field: value})
    client.post(f"{url}/submit")
    after = review(client, url)
    assert "100% (8 of 8)" in after and 'id="changed-since"' not in after


def test_the_demo_keeps_every_version_its_attempts_and_completions_use(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        used = {
            ("quiz", slug, version)
            for slug, version in db.session.execute(
                sa.select(QuizAttempt.quiz_slug, QuizAttempt.quiz_version).distinct()
            )
        } | {
            (kind.value, slug, version)
            for kind, slug, version in db.session.execute(
                sa.select(Completion.kind, Completion.slug, Completion.version).distinct()
            )
        }
    assert used and used == kept(app)


# Perspectives ----------------------------------------------------------------------------


def take(app, user_id: int, answers: dict) -> None:
    """A learner takes the quiz of today, answering as given, through the domain."""
    with app.app_context():
        content = curriculum.curriculum()
        quiz = content.quizzes.get("safeguarding-basics")
        user = db.session.get(User, user_id)
        attempt = attempts.start(user, quiz, user.profession_code)
        for key, answer in answers.items():
            attempts.respond(attempt, quiz, key, answer)
        attempts.submit(attempt, quiz, content)
        db.session.commit()


def cohort_of(app, trainer, people) -> int:
    with app.app_context():
        cohort = cohorts.create(
            db.session.get(User, trainer.id),
            cohorts.CohortDetails(
                name="Together",
                description="",
                starts_on=None,
                ends_on=None,
                group_size=4,
                mix_target={},
            ),
        )
        cohorts.add_item(cohort, "quiz", "safeguarding-basics", None)
        chosen = [db.session.get(User, p.id) for p in people]
        for invitation in cohorts.invite(cohort, chosen, EnrolmentRoute.PICKED):
            cohorts.accept(invitation)
        db.session.commit()
        return cohort.id


def test_perspectives_compare_each_question_only_with_the_same_question(app, make_user, course):
    trainer = make_user(Role.TRAINER)
    nurses = [make_user(profession="nursing") for _ in range(3)]
    workers = [make_user(profession="social-work") for _ in range(3)]
    cohort_id = cohort_of(app, trainer, nurses + workers)
    for nurse in nurses:
        take(app, nurse.id, {"who-leads": "the-gp", "dementia": False})
    course(
        QUIZ,
        lambda s: s.replace("- [ ] The GP", "- [x] The GP").replace(
            "[x] The local", "[ ] The local"
        ),
    )
    for worker in workers:
        take(app, worker.id, {"who-leads": "the-gp", "dementia": True})

    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        decisions = reports.perspectives(cohort, curriculum.curriculum())
    who_leads = [d for d in decisions if d.key == "who-leads"]
    # The right answers changed: two decisions, each learner's answer as their version marked it.
    assert sorted((d.earlier, [c.key for c in d.professions]) for d in who_leads) == [
        (False, ["social-work"]),
        (True, ["nursing"]),
    ]
    today, earlier = sorted(who_leads, key=lambda d: d.earlier)
    assert "The GP" in today.right and "The GP" not in earlier.right
    # Asked alike in both versions: one decision, the two professions compared.
    [dementia] = [d for d in decisions if d.key == "dementia"]
    assert sorted(c.key for c in dementia.professions) == ["nursing", "social-work"]
    assert dementia.divergence == 100 and not dementia.earlier


def test_the_perspectives_page_says_which_decisions_were_asked_in_an_earlier_version(
    app, client, make_user, login, course
):
    trainer = make_user(Role.TRAINER)
    nurses = [make_user(profession="nursing") for _ in range(3)]
    cohort_id = cohort_of(app, trainer, nurses)
    for nurse in nurses:
        take(app, nurse.id, {"who-leads": "the-gp"})
    course(QUIZ, lambda s: s.replace("under section 42?", "under section 42 of the Care Act?"))
    login(trainer)
    page = text(client.get(f"/trainer/cohorts/{cohort_id}/perspectives"))
    decision = page.split("Who leads a safeguarding enquiry under section 42?")[1]
    assert "As asked in an earlier version of the scenario" in decision.split("</p>")[0]


# Achievements and the CPD record ---------------------------------------------------------


def test_certificates_and_the_cpd_record_keep_the_title_and_hours_completed(
    app, client, make_user, login, course
):
    login(make_user())
    assert client.post("/modules/hospital-discharge/complete").status_code == 302
    course(MODULE, lambda s: s.replace("title: Hospital discharge", "title: Leaving hospital"))
    course(MODULE, lambda s: s.replace("cpd_hours: 1\n", "cpd_hours: 3\n"))

    certificates = text(client.get("/certificates"))
    assert "Hospital discharge" in certificates and "Leaving hospital" not in certificates
    cpd = text(client.get("/cpd"))
    assert "Hospital discharge" in cpd and "Leaving hospital" not in cpd
    assert client.get("/modules/hospital-discharge").status_code == 200
    assert "updated since you completed it" in text(client.get("/modules/hospital-discharge"))


# Query counts ----------------------------------------------------------------------------


def test_a_page_of_attempts_across_many_versions_reads_them_in_one_query(
    app, client, make_user, login, course, count_queries
):
    """A trainer's perspectives and a learner's CPD record take as many queries for answers
    across several versions as across one; a version read once is not read again."""
    trainer = make_user(Role.TRAINER)
    few = [make_user(profession="nursing") for _ in range(3)]
    many = [make_user(profession=p) for p in ("nursing", "housing") for _ in range(6)]
    veteran = make_user(profession="housing")
    small, large = cohort_of(app, trainer, few), cohort_of(app, trainer, many)
    answers = {"who-leads": "the-gp", "reflection": "Ask sooner."}
    for learner in few:
        take(app, learner.id, answers)
    for n, learner in enumerate(many):
        if n % 3 == 0:
            course(QUIZ, lambda s: s + "\n")
            if n < 9:  # the veteran takes three of these versions
                take(app, veteran.id, answers)
        take(app, learner.id, answers)
    course(QUIZ, lambda s: s.replace("Mr Jones", "Mr Jones senior", 1))
    with app.app_context():
        versions_taken = db.session.execute(
            sa.select(sa.func.count(sa.distinct(QuizAttempt.quiz_version)))
        ).scalar()
    assert versions_taken == 5 == len(kept(app))

    login(trainer)
    counts = {}
    for cohort_id in (small, large):
        versions._READ.clear()
        path = f"/trainer/cohorts/{cohort_id}/perspectives"
        counts[cohort_id] = count_queries(client, path)
        assert count_queries(client, path) == counts[cohort_id] - 1  # each version read once
    assert counts[small] == counts[large]

    pages = []
    for learner in (few[0], veteran):  # one attempt; three, on three versions
        client.post("/sign-out")
        login(learner)
        versions._READ.clear()
        pages.append(count_queries(client, "/cpd"))
    assert pages[0] == pages[1]
