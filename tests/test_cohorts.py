"""Cohorts: trainers build mixed cohorts, enrol, group, follow progress and compare professions."""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from learning import cohorts, reports
from learning.extensions import db
from learning.models import (
    AuditAction,
    AuditEntry,
    Cohort,
    CohortMember,
    Completion,
    EnrolmentRoute,
    OutboxMessage,
    QuizAttempt,
    QuizResponse,
    Role,
    User,
)
from learning.professions import Stage

from .conftest import PASSWORD, table_rows


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER, name="Helen Okafor", profession="social-work")


@pytest.fixture
def make_cohort(app, trainer):
    """A cohort owned by ``owner`` (the trainer by default) with these members and items."""

    def make(members=(), owner=None, items=(("module", "hospital-discharge"),), **extra):
        with app.app_context():
            owner_row = db.session.get(User, (owner or trainer).id)
            cohort = cohorts.create(
                owner_row,
                cohorts.CohortDetails(
                    name=extra.get("name", "Discharge together"),
                    description="",
                    starts_on=None,
                    ends_on=None,
                    group_size=extra.get("group_size", 4),
                    mix_target={},
                ),
            )
            for kind, slug in items:
                cohorts.add_item(cohort, kind, slug, extra.get("due_on"))
            people = [db.session.get(User, m.id) for m in members]
            for invitation in cohorts.invite(cohort, people, EnrolmentRoute.PICKED):
                cohorts.accept(invitation)
            db.session.commit()
            return cohort.id

    return make


@pytest.fixture
def as_trainer(client, trainer, login):
    login(trainer)
    return client


def mixed_learners(make_user, counts):
    people = []
    for profession, n in counts.items():
        for i in range(n):
            people.append(make_user(name=f"{profession.title()} {i}", profession=profession))
    return people


# Creating and access ---------------------------------------------------------------------


def test_a_trainer_creates_a_cohort_with_a_co_trainer(app, as_trainer, make_user):
    colleague = make_user(Role.TRAINER, name="Sam Co")
    response = as_trainer.post(
        "/trainer/cohorts/new",
        data={
            "name": "Discharge together, spring",
            "description": "Mixed learning on discharge.",
            "starts_on": "2027-03-01",
            "ends_on": "2027-05-31",
            "group_size": "5",
            "min_professions": "3",
            "max_share": "50",
            "require_health_and_social_care": "y",
            "co_trainers": [str(colleague.id)],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.execute(sa.select(Cohort)).scalar_one()
        assert [t.id for t in cohort.co_trainers] == [colleague.id]
        assert cohort.mix_target["max_share"] == 50


def test_a_cohort_form_with_mistakes_keeps_what_was_typed(as_trainer):
    response = as_trainer.post(
        "/trainer/cohorts/new",
        data={
            "name": "",
            "starts_on": "2027-05-01",
            "ends_on": "2027-04-01",
            "group_size": "40",
            "min_professions": "3",
            "max_share": "50",
            "description": "Keep me",
        },
    )
    page = text(response)
    assert response.status_code == 422
    assert "Enter a name for the cohort" in page and "end date must be on or after" in page
    assert "Group size must be between 2 and 12" in page and "Keep me" in page


def test_trainers_see_only_cohorts_they_own_or_co_train(app, client, make_user, make_cohort):
    owner = make_user(Role.TRAINER)
    colleague = make_user(Role.TRAINER)
    stranger = make_user(Role.TRAINER)
    cohort_id = make_cohort(owner=owner)
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.co_trainers = [db.session.get(User, colleague.id)]
        db.session.commit()
    for person, expected in ((owner, 200), (colleague, 200), (stranger, 404)):
        client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
        assert client.get(f"/trainer/cohorts/{cohort_id}").status_code == expected
        listed = "Discharge together" in text(client.get("/trainer/"))
        assert listed == (expected == 200)
        client.post("/sign-out")


# Enrolling -------------------------------------------------------------------------------


def upload(client, cohort_id, content: str):
    return client.post(
        f"/trainer/cohorts/{cohort_id}/upload",
        data={"file": (io.BytesIO(content.encode()), "learners.csv")},
        content_type="multipart/form-data",
    )


GOOD = (
    "email,name,profession,stage,organisation\n"
    "new.nurse@example.org,Ada Nurse,Nurse,qualified,\n"
    "new.sw@example.org,Bo Worker,social worker,student,\n"
)


def test_an_upload_with_bad_rows_changes_nothing_and_names_each_line(app, as_trainer, make_cohort):
    cohort_id = make_cohort()
    bad = GOOD + "not-an-email,Cy,OT,qualified,\nnew.nurse@example.org,Dup,Nurse,qualified,\n"
    bad += "ok@example.org,Di,astronaut,qualified,\nok2@example.org,Ed,OT,retired,\n"
    response = upload(as_trainer, cohort_id, bad)
    page = text(response)
    assert response.status_code == 422
    for line in (4, 5, 6, 7):
        assert f"Line {line}" in page
    assert "Nothing was changed" in page
    with app.app_context():
        assert db.session.execute(sa.select(User).where(User.email.like("new.%"))).first() is None
        assert db.session.execute(sa.select(CohortMember)).first() is None


def test_an_unknown_organisation_stops_the_whole_upload(app, as_trainer, make_cohort):
    cohort_id = make_cohort()
    response = upload(
        as_trainer, cohort_id, GOOD + "x@example.org,X Y,OT,qualified,Nowhere Trust\n"
    )
    assert response.status_code == 422
    assert "Line 4" in text(response) and "unknown organisation" in text(response)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(User.id))).scalar() == 1  # the trainer


def test_a_good_upload_creates_accounts_with_invitations_and_is_idempotent(
    app, client, as_trainer, make_cohort, make_user, make_organisation
):
    make_organisation("Riverside NHS Foundation Trust")
    existing = make_user(email="known@example.org", profession="housing")
    cohort_id = make_cohort()
    content = (
        GOOD
        + "Known@Example.org,Known Person,Housing officer,qualified,"
        + "riverside nhs foundation trust\n"
    )
    response = upload(as_trainer, cohort_id, content)
    page = text(response)
    assert response.status_code == 200
    assert "3 people invited" in page and "2 new accounts created" in page
    assert "/invitation/" not in page  # each link goes to its person (tests/test_upload_links.py)
    with app.app_context():
        bodies = db.session.execute(sa.select(OutboxMessage.body)).scalars().all()
    links = [re.search(r"http://localhost(/invitation/\S+)", body).group(1) for body in bodies]
    assert len(links) == 2
    again = text(upload(as_trainer, cohort_id, content))
    assert "0 people invited, 3 already in the cohort or invited" in again
    with app.app_context():
        places = db.session.execute(sa.select(CohortMember)).scalars().all()
        assert len(places) == 3
        assert all(p.accepted_at is None and p.route is EnrolmentRoute.UPLOAD for p in places)
        new = db.session.execute(
            sa.select(User).where(User.email == "new.nurse@example.org")
        ).scalar_one()
        assert (new.profession_code, new.stage.value) == ("nursing", "qualified")
        assert existing.id in {
            m.user_id for m in db.session.execute(sa.select(CohortMember)).scalars()
        }
    # The invitation sets a password once.
    newcomer = app.test_client()
    assert newcomer.get(links[0]).location == "/invitation"
    assert (
        newcomer.post("/invitation", data={"password": "my own new passphrase"}).status_code == 302
    )
    assert "Invitation to join Discharge together" in text(newcomer.get("/cohorts"))
    assert app.test_client().get(links[0]).status_code == 404


def test_a_trainer_invites_people_found_by_search_and_removes_one(
    app, as_trainer, make_cohort, make_user
):
    cohort_id = make_cohort()
    ot = make_user(name="Priya Sharma", profession="occupational-therapy")
    page = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners?q=sharma"))
    assert "Priya Sharma" in page
    as_trainer.post(f"/trainer/cohorts/{cohort_id}/learners", data={"user": [str(ot.id)]})
    assert (
        "Priya Sharma"
        not in text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners?q=sharma")).split(
            '<h2 id="find">'
        )[1]
    )
    with app.app_context():
        cohorts.accept(cohorts.invitation(cohort_id, ot))
        db.session.commit()
    as_trainer.post(f"/trainer/cohorts/{cohort_id}/learners/{ot.id}/remove")
    with app.app_context():
        member = db.session.get(CohortMember, (cohort_id, ot.id))
        assert member is not None and member.removed_at is not None  # the record stays


def test_a_join_code_works_until_it_expires_or_is_revoked(app, as_trainer, make_cohort, make_user):
    cohort_id = make_cohort()
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    as_trainer.post(f"/trainer/cohorts/{cohort_id}/join-code", data={"expires_on": tomorrow})
    with app.app_context():
        code = cohorts.current_join_code(db.session.get(Cohort, cohort_id)).code
    learner = make_user(name="Late Joiner")
    other = app.test_client()
    other.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert other.post("/join", data={"code": typed}).status_code == 302
    with freeze_time(datetime.now(UTC) + timedelta(days=3)):
        late = make_user(name="Too Late")
        third = app.test_client()
        third.post("/sign-in", data={"email": late.email, "password": PASSWORD})
        response = third.post("/join", data={"code": code})
        assert response.status_code == 422 and "may have expired" in text(response)
    as_trainer.post(f"/trainer/cohorts/{cohort_id}/join-code/revoke")
    fourth_user = make_user(name="After Revoke")
    fourth = app.test_client()
    fourth.post("/sign-in", data={"email": fourth_user.email, "password": PASSWORD})
    assert fourth.post("/join", data={"code": code}).status_code == 422


def test_joining_is_rate_limited(app, client, make_user, login, monkeypatch):
    monkeypatch.setitem(app.config, "JOIN_LIMIT", "3 per hour")
    login(make_user())
    statuses = [client.post("/join", data={"code": "WRONGCODE1"}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


# The mix and groups ----------------------------------------------------------------------


def test_the_overview_warns_when_the_mix_is_missed(as_trainer, make_cohort, make_user):
    nurses = mixed_learners(make_user, {"nursing": 5, "social-work": 2})
    cohort_id = make_cohort(members=nurses)
    page = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}"))
    assert "No housing learners" in page
    assert "Nursing is 71% of the cohort" in page
    assert "Only 2 professions" in page
    assert "<svg" in page and "<title" in page  # the chart, with its table alternative
    assert '<th scope="row">Nursing</th><td>Health</td><td class="numeric">5</td>' in page


def test_groups_are_formed_mixed_locked_and_moved(app, as_trainer, make_cohort, make_user):
    people = mixed_learners(
        make_user, {"nursing": 6, "social-work": 4, "occupational-therapy": 4, "housing": 4}
    )
    cohort_id = make_cohort(members=people)
    url = f"/trainer/cohorts/{cohort_id}/groups"
    as_trainer.post(url, data={"by": "size", "value": "4", "seed": "7"})
    page = text(as_trainer.get(url))
    # Four social workers cannot reach five groups: the page says so, group by group.
    assert "4 of 5 groups (80%) meet the mix rule" in page
    assert page.count("Misses the mix rule</strong>: no social care") == 1
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        first = cohort.groups[0]
        locked_members = {
            m.user_id
            for m in db.session.execute(
                sa.select(CohortMember).where(CohortMember.group_id == first.id)
            ).scalars()
        }
        first_id = first.id
    as_trainer.post(f"{url}/{first_id}/lock")
    as_trainer.post(url, data={"by": "size", "value": "4", "seed": "99"})
    with app.app_context():
        kept = {
            m.user_id
            for m in db.session.execute(
                sa.select(CohortMember).where(CohortMember.group_id == first_id)
            ).scalars()
        }
        assert kept == locked_members
        assert (
            db.session.execute(
                sa.select(sa.func.count())
                .select_from(CohortMember)
                .where(CohortMember.group_id.is_(None))
            ).scalar()
            == 0
        )
        someone = next(iter(kept))
        other_group = [g.id for g in db.session.get(Cohort, cohort_id).groups if g.id != first_id][
            0
        ]
    as_trainer.post(f"{url}/move", data={"user": str(someone), "group": str(other_group)})
    with app.app_context():
        assert db.session.get(CohortMember, (cohort_id, someone)).group_id == other_group


def test_a_learner_sees_their_group_by_name_and_profession_but_no_scores(
    app, client, make_cohort, make_user, as_trainer
):
    people = mixed_learners(make_user, {"nursing": 2, "social-work": 2, "housing": 2})
    cohort_id = make_cohort(members=people, items=(("quiz", "safeguarding-basics"),))
    as_trainer.post(
        f"/trainer/cohorts/{cohort_id}/groups", data={"by": "count", "value": "1", "seed": "1"}
    )
    as_trainer.post("/sign-out")
    with app.app_context():
        other = db.session.get(User, people[1].id)
        db.session.add(
            QuizAttempt(
                user_id=other.id,
                quiz_slug="safeguarding-basics",
                quiz_version="v",
                as_profession="nursing",
                submitted_at=datetime.now(UTC),
                score=3,
                max_score=8,
                passed=False,
            )
        )
        db.session.commit()
    client.post("/sign-in", data={"email": people[0].email, "password": PASSWORD})
    page = text(client.get(f"/cohorts/{cohort_id}"))
    assert "Group 1" in page and people[1].name in page and "social work" in page
    assert "38%" not in page and "Not passed" not in page  # nobody else's result
    assert "Safeguarding basics" in page


# Progress --------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(text(response).removeprefix("\ufeff"))))


def as_on_the_page(line: list[str]) -> list[str]:
    """A CSV line as the progress matrix shows it: name and stage, profession, group, each
    status in words with its date, score and whether it is overdue."""
    name, _email, profession, stage, group, *cells = line
    shown = [f"{name} {stage}", profession, group or "–"]
    for status, on, score in zip(cells[::3], cells[1::3], cells[2::3], strict=True):
        label = status.removesuffix(" (overdue)")
        words = [label]
        if on:
            words.append(f"{datetime.fromisoformat(on):%-d %B %Y}")
        if score:
            words.append(f"({score})")
        if status != label:
            words.append("Overdue")
        shown.append(" ".join(words))
    return shown


@pytest.fixture
def busy_cohort(app, make_cohort, make_user):
    """Eleven learners of three professions and both stages in groups, with a programme past
    its due dates, each at a different point: not started, in progress, completed, passed,
    not passed, overdue."""
    people = [
        make_user(name=f"{name} {n}", profession=profession, stage=stage)
        for n, (name, profession, stage) in enumerate(
            [
                ("Zara", "nursing", Stage.QUALIFIED),
                ("Adam", "housing", Stage.STUDENT),
                ("Mia", "social-work", Stage.QUALIFIED),
                ("Ben", "nursing", Stage.STUDENT),
            ]
            * 3
        )
    ][:11]
    cohort_id = make_cohort(
        members=people,
        items=(("module", "hospital-discharge"), ("quiz", "safeguarding-basics")),
        due_on=datetime(2020, 1, 1).date(),
    )
    now = datetime.now(UTC) + timedelta(minutes=1)  # after each accepted their place
    with app.app_context():
        cohorts.allocate_groups(db.session.get(Cohort, cohort_id), size=3, count=None, seed=7)
        for n, person in enumerate(people):
            if n % 3 == 0:
                db.session.add(
                    Completion(
                        user_id=person.id,
                        kind="module",
                        slug="hospital-discharge",
                        version="v",
                        completed_at=now - timedelta(days=n),
                    )
                )
            if n % 2 == 0:
                db.session.add(
                    QuizAttempt(
                        user_id=person.id,
                        quiz_slug="safeguarding-basics",
                        quiz_version="v",
                        as_profession=person.profession_code,
                        started_at=now,
                        submitted_at=now if n % 4 else None,
                        score=n,
                        max_score=8,
                        passed=n > 4,
                    )
                )
        db.session.commit()
    return cohort_id


@pytest.mark.parametrize(
    "query",
    ["", "sort=group", "profession=nursing&sort=stage", "stage=student", "group=2&sort=profession"],
)
def test_the_csv_of_all_learners_equals_the_matrix_across_all_pages(
    app, as_trainer, busy_cohort, monkeypatch, query
):
    monkeypatch.setattr(reports, "CHUNK", 2)  # many chunks, and one left over
    url = f"/trainer/cohorts/{busy_cohort}/progress"
    shown = []
    for number in range(1, 100):
        rows = table_rows(text(as_trainer.get(f"{url}?{query}&per_page=2&page={number}")))
        if not rows:
            break
        shown += rows
    second_page = text(as_trainer.get(f"{url}?{query}&per_page=2&page=2"))
    link = re.search(r'href="([^"]*/progress\.csv[^"]*)">Download as CSV: (\d+) ', second_page)
    assert int(link[2]) == len(shown)
    exported = read_csv(as_trainer.get(html.unescape(link[1])))
    assert exported[0][:5] == ["Name", "Email", "Profession", "Stage", "Group"]
    assert [as_on_the_page(line) for line in exported[1:]] == [row[:-1] for row in shown]
    assert len(shown) > 2  # more than one page
    if not query:
        cells = " ".join(cell for row in shown for cell in row[3:-1])
        for words in ("Not started", "In progress", "Completed", "Passed", "Not passed", "(75%)"):
            assert words in cells, words
        assert "Overdue" in cells


def test_the_progress_download_is_in_the_audit_trail_with_every_row_it_holds(
    app, as_trainer, busy_cohort, trainer
):
    url = f"/trainer/cohorts/{busy_cohort}/progress.csv"
    streamed = as_trainer.get(f"{url}?stage=student", buffered=False)
    assert streamed.is_streamed and "Content-Length" not in streamed.headers
    students = read_csv(streamed)
    streamed.close()
    group = read_csv(as_trainer.get(f"{url}?group=1"))
    with app.app_context():
        details = [
            e.details
            for e in db.session.execute(
                sa.select(AuditEntry)
                .where(AuditEntry.action == AuditAction.REPORT_DOWNLOADED)
                .order_by(AuditEntry.id)
            ).scalars()
        ]
    about = {"report": "cohort progress", "cohort": busy_cohort}
    assert len(students) == 1 + 5 and len(group) > 1
    assert details == [
        about | {"rows": 5, "stage": "student"},
        about | {"rows": len(group) - 1, "group": 1},
    ]


def test_the_progress_csv_takes_the_same_queries_for_each_chunk_whatever_its_size(
    app, as_trainer, make_cohort, make_user, monkeypatch, count_queries
):
    monkeypatch.setattr(reports, "CHUNK", 3)
    learners = [make_user(name=f"Learner {n}") for n in range(9)]
    items = (("module", "hospital-discharge"), ("quiz", "safeguarding-basics"))
    cohort_ids = [make_cohort(members=learners[:size], items=items) for size in (3, 6, 9)]
    for person in learners:
        submit(app, person, "safeguarding-basics", [("who-leads", "the-gp")])
    counts = [
        count_queries(as_trainer, f"/trainer/cohorts/{cohort_id}/progress.csv")
        for cohort_id in cohort_ids
    ]
    per_chunk = {b - a for a, b in itertools.pairwise(counts)}
    assert per_chunk == {1}, counts  # the chunk's statuses: none per learner


def submit(app, user, slug, responses):
    with app.app_context():
        attempt = QuizAttempt(
            user_id=user.id,
            quiz_slug=slug,
            quiz_version="v",
            as_profession=user.profession_code,
            submitted_at=datetime.now(UTC),
            score=1,
            max_score=1,
            passed=True,
        )
        for n, (question, answer) in enumerate(responses):
            attempt.responses.append(QuizResponse(question_id=question, sequence=n, answer=answer))
        db.session.add(attempt)
        db.session.commit()


def test_perspectives_split_answers_by_profession_and_suppress_small_cells(
    app, as_trainer, make_cohort, make_user
):
    nurses = [make_user(profession="nursing") for _ in range(4)]
    workers = [make_user(profession="social-work") for _ in range(3)]
    ots = [make_user(profession="occupational-therapy") for _ in range(2)]
    cohort_id = make_cohort(
        members=nurses + workers + ots, items=(("quiz", "safeguarding-basics"),)
    )
    for person in nurses:
        submit(app, person, "safeguarding-basics", [("who-leads", "the-gp")])
    for person in workers:
        submit(app, person, "safeguarding-basics", [("who-leads", "the-local-authority")])
    for person in ots:
        submit(app, person, "safeguarding-basics", [("who-leads", "the-local-authority")])
    page = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/perspectives"))
    assert "Widest gap between professions: 100 percentage points" in page
    table = page.split("Who leads a safeguarding enquiry")[-1]
    assert "fewer than 3" in table  # the two OTs
    gp_row = table.split("The GP")[1].split("</tr>")[0]
    assert "100%" in gp_row and "(4)" in gp_row and "0%" in gp_row
    assert "(2)" not in table  # the OTs' count never appears
    printable = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/perspectives?print=1"))
    assert "debrief" in printable and "Who leads a safeguarding enquiry" in printable


def test_perspectives_rank_the_widest_disagreement_first(app, as_trainer, make_cohort, make_user):
    nurses = [make_user(profession="nursing") for _ in range(3)]
    housing = [make_user(profession="housing") for _ in range(3)]
    cohort_id = make_cohort(members=nurses + housing, items=(("quiz", "safeguarding-basics"),))
    for person in nurses + housing:
        agree = ("dementia", False)
        split = ("who-leads", "the-gp" if person in nurses else "the-local-authority")
        submit(app, person, "safeguarding-basics", [agree, split])
    page = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/perspectives"))
    assert page.index("Who leads a safeguarding enquiry") < page.index("A person with dementia")


def test_exported_names_cannot_run_as_spreadsheet_formulas(app, as_trainer, make_cohort, make_user):
    sly = make_user(name='=HYPERLINK("http://evil.example")', profession="nursing")
    cohort_id = make_cohort(members=[sly])
    exported = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/progress.csv"))
    assert "'=HYPERLINK" in exported


def test_an_upload_far_too_large_is_refused_before_it_is_read(as_trainer, make_cohort):
    cohort_id = make_cohort()
    response = upload(as_trainer, cohort_id, "x" * (5 * 1024 * 1024))
    assert response.status_code == 413
    assert "Request Entity Too Large" in text(response)
