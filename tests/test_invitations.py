"""A cohort place needs the learner's consent: a trainer invites, the learner accepts or declines.

Until they accept, the trainer sees a name and nothing else. Once they accept, the trainer sees
their work on the cohort's programme from that moment on, never their history from before.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from learning import clock, cohorts, progress, reports
from learning.curriculum import curriculum
from learning.extensions import db
from learning.models import (
    AuditAction,
    AuditEntry,
    Cohort,
    CohortMember,
    EnrolmentRoute,
    QuizAttempt,
    QuizResponse,
    Role,
    User,
)

from .conftest import PASSWORD

BEFORE = datetime(2026, 1, 12, 10, tzinfo=UTC)  # the learner's history before any invitation
INVITED = datetime(2026, 1, 20, 9, tzinfo=UTC)
ACCEPTED = datetime(2026, 2, 2, 14, tzinfo=UTC)
AFTER = datetime(2026, 2, 9, 11, tzinfo=UTC)  # work done as a member


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def trust(make_organisation):
    return make_organisation("Riverside NHS Foundation Trust")


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER, name="Helen Okafor", profession="social-work")


@pytest.fixture
def priya(make_user, trust):
    return make_user(
        name="Priya Sharma",
        email="priya.sharma@riverside.example",
        profession="occupational-therapy",
        organisation=trust,
    )


@pytest.fixture
def cohort_id(app, trainer):
    """The trainer's cohort, with two modules and a scenario in its programme."""
    with app.app_context():
        cohort = cohorts.create(
            db.session.get(User, trainer.id),
            cohorts.CohortDetails(
                name="Discharge together",
                description="Six weeks on hospital discharge, with housing and social care.",
                starts_on=date(2026, 3, 2),
                ends_on=date(2026, 4, 10),
                group_size=4,
                mix_target={},
            ),
        )
        cohorts.add_item(cohort, "module", "hospital-discharge", None)
        cohorts.add_item(cohort, "module", "roles-and-values", None)
        cohorts.add_item(cohort, "quiz", "safeguarding-basics", None)
        db.session.commit()
        return cohort.id


def signed_in(app, user):
    """A client of its own, signed in as ``user``."""
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def complete(app, user, slug, at):
    """The learner completes a module at a moment."""
    with clock.frozen(at), app.app_context():
        progress.complete_module(db.session.get(User, user.id), curriculum().modules.get(slug))
        db.session.commit()


def attempt(app, user, at, who_leads, score):
    """A submitted attempt at the scenario, started and finished at a moment."""
    with clock.frozen(at), app.app_context():
        taken = QuizAttempt(
            user_id=user.id,
            quiz_slug="safeguarding-basics",
            number=1
            + db.session.execute(
                sa.select(sa.func.count(QuizAttempt.id)).where(QuizAttempt.user_id == user.id)
            ).scalar_one(),
            quiz_version="v",
            as_profession=user.profession_code,
            submitted_at=at,
            score=score,
            max_score=8,
            passed=score >= 6,
        )
        taken.responses.append(QuizResponse(question_id="who-leads", answer=who_leads))
        db.session.add(taken)
        db.session.commit()


def invite(client, cohort_id, *people):
    return client.post(
        f"/trainer/cohorts/{cohort_id}/learners", data={"user": [str(p.id) for p in people]}
    )


def entries(app, action):
    with app.app_context():
        found = (
            db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == action))
            .scalars()
            .all()
        )
        db.session.expunge_all()
        return list(found)


TRAINER_PAGES = ("", "/progress", "/progress.csv", "/perspectives", "/groups")


def trainer_pages(client, cohort_id) -> dict[str, str]:
    return {part: text(client.get(f"/trainer/cohorts/{cohort_id}{part}")) for part in TRAINER_PAGES}


# Inviting --------------------------------------------------------------------------------


def test_a_trainer_who_invites_by_search_sees_a_name_only_before_acceptance(
    app, trainer, priya, cohort_id
):
    complete(app, priya, "hospital-discharge", BEFORE)
    attempt(app, priya, BEFORE, "the-gp", score=3)  # 38%
    as_trainer = signed_in(app, trainer)

    found = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners?q=sharma"))
    result = found.split('<h2 id="find">')[1]
    assert "Priya Sharma, occupational therapy, qualified practitioner" in result
    assert "(Riverside NHS Foundation Trust)" in result  # confirmed staff of the trust
    assert "priya.sharma@riverside.example" not in found

    with clock.frozen(INVITED):
        response = invite(as_trainer, cohort_id, priya)
    assert response.status_code == 302
    flashed = text(as_trainer.get(response.location))
    assert "1 person invited" in flashed and "added" not in flashed

    page = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners"))
    assert "Members (0)" in page and "No learners yet" in page
    waiting = page.split('<h2 id="invited">')[1].split('<h2 id="find">')[0]
    assert "Priya Sharma" in waiting and "20 January 2026" in waiting
    assert "Withdraw" in waiting
    assert "occupational" not in waiting and "Riverside" not in waiting  # a name only
    # Someone with an invitation waiting is not offered again.
    again = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners?q=sharma"))
    assert "Priya Sharma" not in again.split('<h2 id="find">')[1]

    pages = trainer_pages(as_trainer, cohort_id)
    for part, html in pages.items():
        assert "priya.sharma@riverside.example" not in html, part
        assert "38%" not in html, part
    for part in ("", "/progress", "/progress.csv", "/groups"):
        assert "Priya Sharma" not in pages[part], part
    assert len(list(csv.reader(io.StringIO(pages["/progress.csv"].lstrip("\ufeff"))))) == 1
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert reports.perspectives(cohort, curriculum()) == []
        assert cohorts.sizes([cohort]) == {}
        assert db.session.execute(cohorts.active_members(cohort)).all() == []
        place = db.session.get(CohortMember, (cohort_id, priya.id))
        assert (place.route, place.accepted_at, place.joined_at) == (
            EnrolmentRoute.PICKED,
            None,
            INVITED,
        )

    [entry] = entries(app, AuditAction.LEARNERS_INVITED)
    assert (
        entry.actor_id == trainer.id and entry.subject == f"Cohort {cohort_id}: Discharge together"
    )
    assert entry.details == {"cohort": cohort_id, "learners": [priya.id], "invited": [priya.id]}


def test_an_administrator_can_be_invited_but_is_a_member_only_after_accepting(
    app, trainer, make_user, cohort_id
):
    admin = make_user(Role.ADMIN, name="Ada Admin")
    invite(signed_in(app, trainer), cohort_id, admin)
    as_admin = signed_in(app, admin)
    assert as_admin.get(f"/cohorts/{cohort_id}").status_code == 404
    assert "Invitation to join Discharge together" in text(as_admin.get("/dashboard"))
    assert as_admin.post(f"/cohorts/{cohort_id}/invitation/accept").status_code == 302
    assert as_admin.get(f"/cohorts/{cohort_id}").status_code == 200


# The learner's side ----------------------------------------------------------------------


def test_the_dashboard_says_who_invites_and_what_the_trainers_will_see(
    app, trainer, priya, cohort_id
):
    with clock.frozen(INVITED):
        invite(signed_in(app, trainer), cohort_id, priya)
    as_priya = signed_in(app, priya)
    for path in ("/dashboard", "/cohorts", f"/cohorts/{cohort_id}/invitation"):
        page = text(as_priya.get(path))
        assert "Invitation to join Discharge together" in page, path
        assert "Helen Okafor invited you on 20 January 2026" in page
        assert "2 March 2026 to 10 April 2026" in page
        assert "Six weeks on hospital discharge, with housing and social care." in page
        assert (
            "the cohort's trainers will see your name, email address, profession and stage, "
            "and your work on the cohort's programme from today" in page
        )
        assert "They will <strong>not</strong> see what you did before today." in page
        assert f'action="/cohorts/{cohort_id}/invitation/accept"' in page
        assert f'action="/cohorts/{cohort_id}/invitation/decline"' in page
    # Before accepting, the cohort's own page is not theirs to see.
    assert as_priya.get(f"/cohorts/{cohort_id}").status_code == 404


def test_after_accepting_the_trainer_sees_work_from_that_day_and_no_earlier_history(
    app, trainer, priya, make_user, cohort_id
):
    # Two colleagues of the same profession, so the perspectives view shows the column.
    others = [make_user(name=f"OT {n}", profession="occupational-therapy") for n in range(2)]
    for person in (priya, *others):
        complete(app, person, "hospital-discharge", BEFORE)
        attempt(app, person, BEFORE, "the-gp", score=3)  # 38%, before joining
    as_trainer = signed_in(app, trainer)
    with clock.frozen(INVITED):
        invite(as_trainer, cohort_id, priya, *others)
    with clock.frozen(ACCEPTED):
        for person in (priya, *others):
            response = signed_in(app, person).post(f"/cohorts/{cohort_id}/invitation/accept")
            assert response.location == f"/cohorts/{cohort_id}"
    complete(app, priya, "roles-and-values", AFTER)
    for person in (priya, *others):
        attempt(app, person, AFTER, "the-local-authority", score=6)  # 75%, as a member

    pages = trainer_pages(as_trainer, cohort_id)
    row = pages["/progress"].split("Priya Sharma")[1].split("</tr>")[0]
    cells = row.split("<td")[3:]  # after the profession and the group
    assert "Not started" in cells[0]  # completed before joining: not the cohort's
    assert "Completed" in cells[1] and "9 February 2026" in cells[1]
    assert "75%" in cells[2]
    assert "38%" not in pages["/progress"]
    exported = list(csv.reader(io.StringIO(pages["/progress.csv"].lstrip("\ufeff"))))
    mine = next(line for line in exported if line[0] == "Priya Sharma")
    assert mine[1] == "priya.sharma@riverside.example"  # a member now: the email is shown
    assert mine[5:8] == ["Not started", "", ""]
    assert mine[8:11] == ["Completed", "2026-02-09", ""]
    assert mine[11:14] == ["Passed", "2026-02-09", "75%"]
    assert "Priya Sharma" in pages["/groups"]  # a member: in no group yet

    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        [decision] = [d for d in reports.perspectives(cohort, curriculum()) if d.key == "who-leads"]
        [column] = decision.professions
        assert (column.key, column.learners) == ("occupational-therapy", 3)
        shares = {a: s.count for (_, a), s in decision.by_profession.items()}
        assert shares["The local authority"] == 3 and shares["The GP"] == 0
        assert db.session.get(CohortMember, (cohort_id, priya.id)).accepted_at == ACCEPTED

    # The learner's own view keeps their whole history.
    own = text(signed_in(app, priya).get(f"/cohorts/{cohort_id}"))
    mine = own.split("Hospital discharge")[1].split("</tr>")[0]
    assert "Completed" in mine
    assert "You joined on 2 February 2026" in own

    accepted = entries(app, AuditAction.INVITATION_ACCEPTED)
    assert sorted(e.actor_id for e in accepted) == sorted(p.id for p in (priya, *others))
    # All three accepted at one frozen moment: find Priya's entry by its actor, not its place.
    [entry] = [e for e in accepted if e.actor_id == priya.id]
    assert entry.subject_user_id is None
    assert entry.subject == f"Cohort {cohort_id}: Discharge together"
    assert entry.organisation_id == priya.organisation.id  # confirmed staff of the trust
    assert entry.details == {"cohort": cohort_id}


def test_a_learner_declines_and_the_trainer_sees_only_that(app, trainer, priya, cohort_id):
    as_trainer = signed_in(app, trainer)
    invite(as_trainer, cohort_id, priya)
    as_priya = signed_in(app, priya)
    with clock.frozen(ACCEPTED):
        response = as_priya.post(f"/cohorts/{cohort_id}/invitation/decline")
    assert response.location == "/cohorts"
    assert "You have declined the invitation" in text(as_priya.get("/cohorts"))
    assert "Invitation to join" not in text(as_priya.get("/dashboard"))
    assert as_priya.post(f"/cohorts/{cohort_id}/invitation/accept").status_code == 404
    assert as_priya.get(f"/cohorts/{cohort_id}").status_code == 404

    page = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners"))
    declined = page.split('<h2 id="declined">')[1].split('<h2 id="find">')[0]
    assert "Priya Sharma" in declined and "2 February 2026" in declined
    assert "Members (0)" in page and "Invited, waiting for an answer (0)" in page

    [entry] = entries(app, AuditAction.INVITATION_DECLINED)
    assert entry.actor_id == priya.id and entry.subject == f"Cohort {cohort_id}: Discharge together"
    assert entry.organisation_id == priya.organisation.id

    # Someone who declined may be invited again: a fresh invitation.
    assert (
        "Priya Sharma"
        in text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners?q=sharma")).split(
            '<h2 id="find">'
        )[1]
    )
    with clock.frozen(AFTER):
        invite(as_trainer, cohort_id, priya)
    with app.app_context():
        place = db.session.get(CohortMember, (cohort_id, priya.id))
        assert (place.joined_at, place.declined_at, place.accepted_at) == (AFTER, None, None)
    assert "Invitation to join Discharge together" in text(as_priya.get("/dashboard"))


def test_a_trainer_withdraws_a_waiting_invitation(app, trainer, priya, cohort_id):
    as_trainer = signed_in(app, trainer)
    invite(as_trainer, cohort_id, priya)
    response = as_trainer.post(f"/trainer/cohorts/{cohort_id}/learners/{priya.id}/withdraw")
    assert response.status_code == 302
    assert "The invitation to Priya Sharma has been withdrawn" in text(
        as_trainer.get(response.location)
    )
    # Only a waiting invitation can be withdrawn.
    again = as_trainer.post(f"/trainer/cohorts/{cohort_id}/learners/{priya.id}/withdraw")
    assert again.status_code == 404
    as_priya = signed_in(app, priya)
    assert "Invitation to join" not in text(as_priya.get("/dashboard"))
    assert as_priya.get(f"/cohorts/{cohort_id}/invitation").status_code == 404
    assert as_priya.post(f"/cohorts/{cohort_id}/invitation/accept").status_code == 404

    [entry] = entries(app, AuditAction.INVITATION_WITHDRAWN)
    assert entry.actor_id == trainer.id and entry.subject_user_id == priya.id
    assert entry.details == {"cohort": cohort_id, "cohort_name": "Discharge together"}


def test_nobody_can_answer_someone_elses_invitation(app, trainer, priya, make_user, cohort_id):
    invite(signed_in(app, trainer), cohort_id, priya)
    stranger = signed_in(app, make_user(name="Sam Stranger"))
    assert stranger.get(f"/cohorts/{cohort_id}/invitation").status_code == 404
    assert stranger.post(f"/cohorts/{cohort_id}/invitation/accept").status_code == 404
    assert stranger.post(f"/cohorts/{cohort_id}/invitation/decline").status_code == 404
    assert stranger.post("/cohorts/999999/invitation/accept").status_code == 404
    with app.app_context():
        assert db.session.get(CohortMember, (cohort_id, priya.id)).waiting
        assert (
            db.session.execute(
                sa.select(sa.func.count(AuditEntry.id)).where(
                    AuditEntry.action.in_(
                        [AuditAction.INVITATION_ACCEPTED, AuditAction.INVITATION_DECLINED]
                    )
                )
            ).scalar_one()
            == 0
        )
    # Once answered, an invitation cannot be answered again.
    as_priya = signed_in(app, priya)
    assert as_priya.post(f"/cohorts/{cohort_id}/invitation/accept").status_code == 302
    assert as_priya.post(f"/cohorts/{cohort_id}/invitation/accept").status_code == 404
    assert as_priya.post(f"/cohorts/{cohort_id}/invitation/decline").status_code == 404
    assert len(entries(app, AuditAction.INVITATION_ACCEPTED)) == 1


def test_an_invitation_is_answered_only_with_the_forms_token(app, trainer, priya, cohort_id):
    invite(signed_in(app, trainer), cohort_id, priya)
    as_priya = signed_in(app, priya)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert as_priya.post(f"/cohorts/{cohort_id}/invitation/accept").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        assert db.session.get(CohortMember, (cohort_id, priya.id)).waiting


# Other ways in ---------------------------------------------------------------------------


def test_a_join_code_is_the_learners_own_act_and_joins_at_once(app, trainer, priya, cohort_id):
    with app.app_context():
        code = cohorts.create_join_code(
            db.session.get(Cohort, cohort_id), datetime(2099, 1, 1, tzinfo=UTC)
        ).code
        db.session.commit()
    as_priya = signed_in(app, priya)
    with clock.frozen(ACCEPTED):
        assert as_priya.post("/join", data={"code": code}).location == f"/cohorts/{cohort_id}"
    with app.app_context():
        place = db.session.get(CohortMember, (cohort_id, priya.id))
        assert (place.route, place.accepted_at) == (EnrolmentRoute.JOIN_CODE, ACCEPTED)
    assert "Priya Sharma" in text(
        signed_in(app, trainer).get(f"/trainer/cohorts/{cohort_id}/progress")
    )


def test_a_join_code_takes_up_an_invitation_that_was_waiting(app, trainer, priya, cohort_id):
    with clock.frozen(INVITED):
        invite(signed_in(app, trainer), cohort_id, priya)
    with app.app_context():
        code = cohorts.create_join_code(
            db.session.get(Cohort, cohort_id), datetime(2099, 1, 1, tzinfo=UTC)
        ).code
        db.session.commit()
    with clock.frozen(ACCEPTED):
        signed_in(app, priya).post("/join", data={"code": code})
    with app.app_context():
        place = db.session.get(CohortMember, (cohort_id, priya.id))
        assert (place.joined_at, place.accepted_at) == (INVITED, ACCEPTED)


def test_an_upload_invites_new_and_existing_accounts(app, trainer, priya, cohort_id):
    sheet = (
        "email,name,profession,stage,organisation\n"
        "priya.sharma@riverside.example,Priya Sharma,OT,qualified,\n"
        "new.nurse@example.org,Ada Nurse,Nurse,qualified,\n"
    )
    as_trainer = signed_in(app, trainer)
    response = as_trainer.post(
        f"/trainer/cohorts/{cohort_id}/upload",
        data={"file": (io.BytesIO(sheet.encode()), "learners.csv")},
        content_type="multipart/form-data",
    )
    assert "2 people invited" in text(response)
    with app.app_context():
        places = db.session.execute(sa.select(CohortMember)).scalars().all()
        assert len(places) == 2
        assert all(p.route is EnrolmentRoute.UPLOAD and p.waiting for p in places)
    page = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners"))
    assert "Members (0)" in page and "Invited, waiting for an answer (2)" in page
    assert "Invitation to join Discharge together" in text(signed_in(app, priya).get("/dashboard"))
    [entry] = entries(app, AuditAction.LEARNERS_UPLOADED)
    assert len(entry.details["invited"]) == 2 and priya.id in entry.details["invited"]


def test_someone_removed_and_invited_again_is_seen_from_their_new_acceptance_only(
    app, trainer, priya, cohort_id
):
    as_trainer = signed_in(app, trainer)
    with clock.frozen(INVITED):
        invite(as_trainer, cohort_id, priya)
        signed_in(app, priya).post(f"/cohorts/{cohort_id}/invitation/accept")
    complete(app, priya, "hospital-discharge", BEFORE.replace(month=1, day=25))
    with clock.frozen(ACCEPTED):
        as_trainer.post(f"/trainer/cohorts/{cohort_id}/learners/{priya.id}/remove")
        invite(as_trainer, cohort_id, priya)
    assert "Priya Sharma" not in text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/progress"))
    with clock.frozen(AFTER):
        signed_in(app, priya).post(f"/cohorts/{cohort_id}/invitation/accept")
    row = text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/progress")).split("Priya Sharma")[1]
    assert "Not started" in row.split("</tr>")[0].split("<td")[3]


def test_groups_are_formed_from_members_only(app, trainer, make_user, cohort_id):
    people = [
        make_user(name=f"Person {n}", profession=p)
        for n, p in enumerate(("nursing", "social-work", "housing", "nursing"))
    ]
    as_trainer = signed_in(app, trainer)
    invite(as_trainer, cohort_id, *people)
    for person in people[:3]:
        signed_in(app, person).post(f"/cohorts/{cohort_id}/invitation/accept")
    as_trainer.post(
        f"/trainer/cohorts/{cohort_id}/groups", data={"by": "count", "value": "1", "seed": "1"}
    )
    with app.app_context():
        placed = {
            m.user_id
            for m in db.session.execute(
                sa.select(CohortMember).where(CohortMember.group_id.is_not(None))
            ).scalars()
        }
    assert placed == {p.id for p in people[:3]}
    assert "Person 3" not in text(as_trainer.get(f"/trainer/cohorts/{cohort_id}/groups"))
