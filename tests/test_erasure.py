"""Closing an account: personal data goes everywhere it was copied, the facts others rely on
stay for the retention period, and the retention rule deletes them afterwards."""

from __future__ import annotations

import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from learning import (
    accounts,
    attempts,
    audit,
    clock,
    cohorts,
    erasure,
    progress,
    records,
    retention,
)
from learning.curriculum import curriculum
from learning.extensions import db, mail
from learning.models import (
    AuditAction,
    AuditEntry,
    Certificate,
    Cohort,
    CohortMember,
    Completion,
    CpdEntry,
    EnrolmentRoute,
    Membership,
    ModuleProgress,
    Organisation,
    OutboxMessage,
    QuizAttempt,
    QuizResponse,
    RememberToken,
    RequiredTraining,
    Role,
    User,
    cohort_trainer,
)

from .conftest import PASSWORD

NAME = "Zoë Brennan-Okafor"
EMAIL = "zoe.brennan@riverside.example"
REGISTRATION = "12A3456E"
REFLECTION = f"I am {NAME} ({EMAIL}). I will ask the person what matters to them first."
PERIODS = retention.Periods(record_years=6, audit_years=6, inactive_months=24)


def traces(*needles: str) -> set[str]:
    """Every ``table.column`` of every table holding any of ``needles`` in a text, string or
    JSON column (tables read from the metadata, so tables added later are scanned too)."""
    found = set()
    wanted = [n.casefold() for n in needles]
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            kind = getattr(column.type, "impl", column.type)
            if not isinstance(kind, sa.String | sa.JSON):
                continue
            for (value,) in db.session.execute(sa.select(column).where(column.is_not(None))):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(needle in text.casefold() for needle in wanted):
                    found.add(f"{table.name}.{column.name}")
    return found


def retained(person_id: int) -> dict[str, object]:
    """The facts about a person that closing keeps, as they stand."""

    def rows(model, *columns):
        statement = sa.select(*columns).where(model.user_id == person_id)
        return sorted(tuple(row) for row in db.session.execute(statement))

    answers = (
        sa.select(QuizResponse.attempt_id, QuizResponse.question_id, QuizResponse.points)
        .join(QuizAttempt)
        .where(QuizAttempt.user_id == person_id)
    )
    return {
        "completions": rows(Completion, Completion.kind, Completion.slug, Completion.completed_at),
        "progress": rows(ModuleProgress, ModuleProgress.module_slug, ModuleProgress.completed_at),
        "attempts": rows(QuizAttempt, QuizAttempt.quiz_slug, QuizAttempt.score, QuizAttempt.passed),
        "answers": sorted(tuple(row) for row in db.session.execute(answers)),
        "certificates": rows(
            Certificate,
            Certificate.code,
            Certificate.title,
            Certificate.completed_on,
            Certificate.cpd_hours,
            Certificate.organisation_name,
            Certificate.issued_at,
        ),
    }


def snapshot() -> dict[str, list]:
    """Every row of every table."""
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in db.session.execute(sa.select(table))), key=str
        )
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def history(app, make_user, make_organisation):
    """A learner with a full history: attempts with typed answers and reflections, decisions in
    a case, a completed module, a certificate, CPD entries, audit entries as actor and subject
    (and a refused sign-in typed before they registered), outbox email, cohort places and an
    invitation, a cohort they co-train, a remembered browser and a request to close."""
    organisation = make_organisation("Riverside NHS Foundation Trust")
    admin = make_user(Role.ADMIN, name="Alex Admin", email="alex@admin.example")
    employer = make_user(
        Role.EMPLOYER,
        name="Erin Employer",
        email="erin@riverside.example",
        organisation=organisation,
    )
    trainer = make_user(Role.TRAINER, name="Tina Trainer", email="tina@trainer.example")
    colleague = make_user(
        name="Sam Colleague", email="sam@riverside.example", organisation=organisation
    )
    with app.app_context():
        audit.record(
            AuditAction.SIGN_IN_REFUSED,
            actor=None,
            address="10.0.0.9",
            subject=f"Unknown address {EMAIL}",
        )
        db.session.commit()
    person = make_user(Role.TRAINER, name=NAME, email=EMAIL, organisation=organisation)
    with app.app_context():
        content = curriculum()
        zoe = db.session.get(User, person.id)
        zoe.registration_number = REGISTRATION
        quiz = content.quizzes.quiz("safeguarding-basics")
        attempt = attempts.start(zoe, quiz, "nursing")
        for key, answer in quiz.shape.demo_play(quiz, "nursing", random.Random(1), lambda _: 1):
            if key == "reflection":
                answer = REFLECTION
            elif key == "enquiry-name":
                answer = f"Section 42 enquiry, written by {NAME}"
            attempts.respond(attempt, quiz, key, answer)
        attempts.submit(attempt, quiz, content)
        case = content.quizzes.quiz("discharge-case")
        played = attempts.start(zoe, case, "nursing")
        for key, choice in case.shape.demo_play(case, "nursing", random.Random(2), lambda _: 1):
            attempts.respond(played, case, key, choice)
        attempts.submit(played, case, content)
        progress.complete_module(zoe, content.modules.module("hospital-discharge"))
        certificate = records.issue(zoe, records.achievements(zoe, content)[0])
        for topic in (f"Reading group led by {NAME}", "Shadowing a social worker"):
            records.add_cpd_entry(
                zoe,
                on=date(2026, 1, 5),
                activity="reading",
                topic=topic,
                hours=1.5,
                learned=f"{NAME} learned who leads an enquiry",
                impact=f"Write to {EMAIL} next time",
            )
        db.session.add(
            RequiredTraining(
                organisation_id=organisation.id, kind="module", slug="hospital-discharge"
            )
        )
        alex = db.session.get(User, admin.id)
        audit.record(AuditAction.SIGNED_IN, actor=zoe, address="10.0.0.1")
        audit.record(
            AuditAction.ROLES_CHANGED,
            actor=alex,
            address="10.0.0.2",
            subject_user=zoe,
            details={"before": [], "after": ["trainer"]},
        )
        audit.record(
            AuditAction.LEARNERS_UPLOADED,
            actor=db.session.get(User, trainer.id),
            address="10.0.0.3",
            subject="Cohort 1: Discharge together",
            details={"invited": [EMAIL.upper()], "note": f"{NAME} asked to join"},
        )
        owner = db.session.get(User, trainer.id)
        made = [Cohort(name=f"Cohort {n}", owner=owner) for n in ("A", "B", "C")]
        db.session.add_all(made)
        db.session.flush()
        db.session.add_all(
            [
                CohortMember(
                    cohort_id=made[0].id,
                    user_id=zoe.id,
                    route=EnrolmentRoute.JOIN_CODE,
                    accepted_at=clock.now(),
                ),
                CohortMember(cohort_id=made[1].id, user_id=zoe.id, route=EnrolmentRoute.PICKED),
            ]
        )
        made[2].co_trainers.append(zoe)
        db.session.add_all(
            [
                OutboxMessage(
                    user_id=zoe.id,
                    to_address=EMAIL,
                    subject=f"An invitation for {NAME}",
                    body=f"Dear {NAME},\n\nYou are invited to Cohort B.",
                ),
                OutboxMessage(
                    user_id=None,
                    to_address=EMAIL,
                    subject="Finish creating your account",
                    body=f"Dear {NAME}, follow this link.",
                ),
                OutboxMessage(
                    user_id=colleague.id,
                    to_address=colleague.email,
                    subject="Your organisation",
                    body="Dear Sam Colleague,",
                ),
            ]
        )
        accounts.remember(zoe, clock.now() + timedelta(days=14))
        erasure.request_closure(zoe, address="10.0.0.1")
        db.session.commit()
        ids = {
            "person": zoe.id,
            "certificate": certificate.code,
            "certificate_title": certificate.title,
            "cohorts": [c.id for c in made],
            "organisation": organisation.id,
        }
    return {
        "admin": admin,
        "employer": employer,
        "colleague": colleague,
        "person": person,
        **ids,
    }


def close(app, history, by=None) -> None:
    with app.app_context():
        person = db.session.get(User, history["person"])
        admin = db.session.get(User, (by or history["admin"]).id)
        erasure.close_account(person, by=admin, address="10.0.0.2", quizzes=curriculum().quizzes)
        db.session.commit()


def test_every_table_naming_a_person_has_a_decision_in_the_plan(app):
    with app.app_context():
        accounts_table = User.__table__
        naming = {
            table.name
            for table in db.metadata.sorted_tables
            for column in table.columns
            if any(fk.column.table is accounts_table for fk in column.foreign_keys)
        }
        answers = {QuizResponse.__tablename__}  # names no one: belongs to an attempt
        assert naming | answers | {accounts_table.name} == set(erasure.PLAN)


def test_closing_leaves_no_personal_field_behind_and_keeps_the_retained_facts(
    app, client, login, history
):
    pid = history["person"]
    with app.app_context():
        before = retained(pid)
        found = traces(NAME, EMAIL, REGISTRATION)
        # The scan finds every copy before closing: it is not passing because it looks nowhere.
        assert {
            "user_account.name",
            "user_account.email",
            "user_account.registration_number",
            "certificate.learner_name",
            "cpd_entry.topic",
            "cpd_entry.learned",
            "cpd_entry.impact",
            "quiz_response.answer",
            "audit_entry.actor_name",
            "audit_entry.subject",
            "audit_entry.details",
            "outbox_message.to_address",
            "outbox_message.subject",
            "outbox_message.body",
        } <= found
        assert before["completions"] and before["progress"] and before["certificates"]
        assert len(before["attempts"]) == 2

    login(history["admin"])
    page = client.get(f"/admin/users/{pid}/close")
    assert page.status_code == 200
    assert "asked for their account to be closed" in page.get_data(as_text=True)
    response = client.post(f"/admin/users/{pid}/close", data={"email": EMAIL.upper()})
    assert response.status_code == 302
    assert f"Account {pid} is closed" in client.get(response.location).get_data(as_text=True)

    with app.app_context():
        assert traces(NAME, EMAIL, REGISTRATION) == set()
        assert retained(pid) == before
        person = db.session.get(User, pid)
        assert person.name == f"Closed account {pid}"
        assert person.email == f"closed-{pid}@closed.invalid"
        assert person.closed_at is not None and person.roles == frozenset()
        assert person.organisation_id is None and person.membership is Membership.ENDED
        assert not accounts.verify_password(person, PASSWORD)
        answers = db.session.execute(
            sa.select(QuizResponse.question_id, QuizResponse.answer)
            .join(QuizAttempt)
            .where(QuizAttempt.user_id == pid, QuizAttempt.quiz_slug == "safeguarding-basics")
        ).all()
        typed = {key: answer for key, answer in answers if key in ("reflection", "enquiry-name")}
        assert typed == {"reflection": "", "enquiry-name": ""}
        assert all(answer != "" for key, answer in answers if key not in typed)  # choices kept
        case_answers = db.session.execute(
            sa.select(QuizResponse.answer)
            .join(QuizAttempt)
            .where(QuizAttempt.user_id == pid, QuizAttempt.quiz_slug == "discharge-case")
        ).scalars()
        assert all(case_answers)

        for model in (CpdEntry, RememberToken):
            assert not db.session.execute(sa.select(model).where(model.user_id == pid)).first()
        outbox = db.session.execute(sa.select(OutboxMessage.to_address)).scalars().all()
        assert outbox == [history["colleague"].email]
        places = db.session.execute(
            sa.select(CohortMember.removed_at).where(CohortMember.user_id == pid)
        ).scalars()
        assert all(removed is not None for removed in places)
        assert not db.session.execute(
            sa.select(cohort_trainer).where(cohort_trainer.c.user_id == pid)
        ).first()

        closed = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.ACCOUNT_CLOSED)
        ).scalar_one()
        assert closed.actor_id == history["admin"].id and closed.subject_user_id == pid
        assert closed.subject == f"Account {pid}"
        assert closed.organisation_id == history["organisation"]
        assert closed.details["removed_cpd_entries"] == 2
        assert closed.details["removed_typed_answers"] == 2
        assert closed.details["removed_outbox_messages"] == 2
        assert closed.details["removed_invitations_withdrawn"] == 1
        assert closed.details["removed_cohort_places_ended"] == 1
        assert closed.details["removed_cohorts_trained"] == 1
        assert closed.details["roles_removed"] == ["trainer"]
        assert closed.details["kept_quiz_attempts"] == 2
        assert closed.details["kept_certificates"] == 1
        asked = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.CLOSURE_REQUESTED)
        ).scalar_one()
        assert asked.actor_id == pid  # the id still resolves, to the anonymised account
        assert asked.actor_name == f"Closed account {pid} <closed-{pid}@closed.invalid>"
        refused = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.SIGN_IN_REFUSED)
        ).scalar_one()
        assert refused.subject == f"Unknown address closed-{pid}@closed.invalid"


def test_the_employer_no_longer_counts_or_lists_a_closed_account(app, login, history):
    employer = app.test_client()
    employer.post("/sign-in", data={"email": history["employer"].email, "password": PASSWORD})
    page = employer.get("/employer/compliance").get_data(as_text=True)
    assert NAME in page and "Sam Colleague" in page
    close(app, history)
    for path in ("/employer/compliance", "/employer/compliance.csv", "/employer/people"):
        page = employer.get(path).get_data(as_text=True)
        assert ("Sam Colleague" in page) is (path != "/employer/people"), path
        assert NAME not in page and f"Closed account {history['person']}" not in page, path


def test_a_trainer_cannot_find_a_closed_account_to_invite(app, history):
    close(app, history)
    with app.app_context():
        cohort = db.session.get(Cohort, history["cohorts"][2])
        found = db.session.execute(cohorts.candidates(cohort, "closed account")).scalars().all()
        assert found == []
        everyone = db.session.execute(cohorts.candidates(cohort)).scalars().all()
        assert history["person"] not in {p.id for p in everyone}
        assert history["colleague"].id in {p.id for p in everyone}


def test_a_hand_made_invitation_or_join_cannot_bring_a_closed_account_back(
    app, client, login, history
):
    close(app, history)
    with app.app_context():
        cohort = db.session.get(Cohort, history["cohorts"][2])
        trainer_id = cohort.owner_id
        before = snapshot()
    login(_user(app, trainer_id))
    response = client.post(
        f"/trainer/cohorts/{cohort.id}/learners", data={"user": str(history["person"])}
    )
    assert response.status_code == 302  # the trainer was heard, and nobody was invited
    assert response.location.endswith(f"/trainer/cohorts/{cohort.id}/learners")
    with app.app_context():
        assert snapshot()["cohort_member"] == before["cohort_member"]
        person = db.session.get(User, history["person"])
        assert cohorts.invite(cohort, [person], EnrolmentRoute.PICKED) == []
        assert cohorts.enrol(cohort, [person], EnrolmentRoute.JOIN_CODE) == []


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_a_closed_accounts_certificate_still_verifies_without_a_name(app, client, history):
    close(app, history)
    page = client.get(f"/verify/{history['certificate']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Genuine" in text and history["certificate_title"] in text
    assert "the account it was issued to has been closed" in text
    assert NAME not in text and "Closed account" not in text


def test_a_closed_account_cannot_sign_in_and_its_sessions_end(app, history):
    signed_in = app.test_client()
    form = {"email": EMAIL, "password": PASSWORD, "remember": "y"}
    assert signed_in.post("/sign-in", data=form).status_code == 302
    remembered = app.test_client()
    remembered.post("/sign-in", data=form)
    remembered.delete_cookie("session")  # only the remember-me cookie is left
    close(app, history)

    assert signed_in.get("/dashboard").status_code == 302
    assert remembered.get("/dashboard").status_code == 302
    pid = history["person"]
    for email in (EMAIL, f"closed-{pid}@closed.invalid"):
        refused = app.test_client().post("/sign-in", data={"email": email, "password": PASSWORD})
        assert refused.status_code == 422
        assert "The email address or password is not right" in refused.get_data(as_text=True)
    with app.app_context():
        person = db.session.get(User, pid)
        assert accounts.authenticate(person.email, PASSWORD) is None
        token = accounts.reset_token(person, app.config["SECRET_KEY"])
        assert accounts.user_for_reset_token(token, app.config["SECRET_KEY"], 3600) is None


def test_a_closure_rolled_back_leaves_everything_as_it_was(app, history):
    with app.app_context():
        before = snapshot()
        person = db.session.get(User, history["person"])
        admin = db.session.get(User, history["admin"].id)
        erasure.close_account(person, by=admin, address="", quizzes=curriculum().quizzes)
        assert traces(NAME, EMAIL) == set()
        db.session.rollback()
        assert snapshot() == before


def test_an_account_is_closed_once(app, history):
    close(app, history)
    with app.app_context():
        person = db.session.get(User, history["person"])
        with pytest.raises(ValueError, match="already closed"):
            erasure.close_account(person, by=None, address="", quizzes=curriculum().quizzes)


# The one exception to append-only that closing uses ---------------------------------------


def test_a_change_to_another_entry_cannot_ride_along_with_a_closure(app, history):
    with app.app_context():
        other = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.LEARNERS_UPLOADED)
        ).scalar_one()
        person = db.session.get(User, history["person"])
        other.subject = "Cohort 1: renamed"
        other.address = "10.9.9.9"
        with pytest.raises(audit.AppendOnly):
            erasure.close_account(person, by=None, address="", quizzes=curriculum().quizzes)
        db.session.rollback()
        assert db.session.get(User, history["person"]).closed_at is None


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("address", "10.9.9.9"),  # not a column a redaction may touch
        ("subject", "Someone else entirely"),  # not the redaction of the name
        ("actor_name", ""),  # blanking is not redacting either
    ],
)
def test_the_redaction_allows_only_the_placeholder_in_its_three_columns(
    app, history, column, value
):
    pid = history["person"]
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.ROLES_CHANGED)
        ).scalar_one()
        redaction = audit._Redaction(frozenset({entry.id}), ((NAME, f"Closed account {pid}"),))
        db.session.info[audit._REDACTING] = redaction
        try:
            setattr(entry, column, value)
            with pytest.raises(audit.AppendOnly):
                db.session.flush()
            db.session.rollback()
            entry = db.session.get(AuditEntry, entry.id)
            entry.subject = entry.subject.replace(NAME, f"Closed account {pid}")
            db.session.flush()  # exactly the redaction passes
            other = db.session.execute(
                sa.select(AuditEntry).where(AuditEntry.action == AuditAction.SIGNED_IN)
            ).scalar_one()
            other.actor_name = other.actor_name.replace(NAME, f"Closed account {pid}")
            with pytest.raises(audit.AppendOnly):  # but only on the entries it was given
                db.session.flush()
        finally:
            db.session.info.pop(audit._REDACTING, None)
            db.session.rollback()


def test_the_trail_refuses_bulk_updates_and_deletes_through_the_session(app, history):
    with app.app_context():
        with pytest.raises(audit.AppendOnly):
            db.session.execute(sa.update(AuditEntry).values(subject="gone"))
        db.session.rollback()
        with pytest.raises(audit.AppendOnly):
            db.session.execute(sa.delete(AuditEntry))
        db.session.rollback()
        assert db.session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar() > 0


def test_only_erasure_redacts_and_only_retention_purges_the_trail():
    package = Path(__file__).parent.parent / "learning"
    openers = {
        "redact": r"\baudit\.redact\(|\b_REDACTING\b",
        "purge": r"\baudit\.purge\(|\b_PURGING\b",
    }
    callers = {
        name: {path.name for path in package.rglob("*.py") if re.search(pattern, path.read_text())}
        for name, pattern in openers.items()
    }
    assert callers == {"redact": {"audit.py", "erasure.py"}, "purge": {"audit.py", "retention.py"}}


# Asking, withdrawing, and the pages ------------------------------------------------------


def test_a_learner_asks_to_close_their_account_and_withdraws(app, client, login, make_user):
    person = make_user(name="Priya Sharma", email="priya@example.test")
    login(person)
    profile = client.get("/profile").get_data(as_text=True)
    assert 'href="/profile/close"' in profile
    page = client.get("/profile/close").get_data(as_text=True)
    assert "What is removed" in page and f"For {app.config['RETENTION_RECORD_YEARS']} years" in page
    assert 'action="/profile/data"' in page  # download first

    assert client.post("/profile/close").status_code == 302
    profile = client.get("/profile").get_data(as_text=True)
    assert "you asked to close your account" in profile
    assert client.get("/profile/close").status_code == 302  # already asked: back to the profile
    assert client.post("/profile/close/withdraw").status_code == 302
    assert "you asked to close" not in client.get("/profile").get_data(as_text=True)

    with app.app_context():
        actions = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.subject_user_id)
            .where(AuditEntry.action != AuditAction.SIGNED_IN)
            .order_by(AuditEntry.id)
        ).all()
        assert actions == [
            (AuditAction.CLOSURE_REQUESTED, person.id, person.id),
            (AuditAction.CLOSURE_WITHDRAWN, person.id, person.id),
        ]
        assert db.session.get(User, person.id).closure_requested_at is None


def test_asking_and_withdrawing_need_the_forms_csrf_token(
    app, client, login, make_user, monkeypatch
):
    login(make_user())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/profile/close").status_code == 400
    assert client.post("/profile/close/withdraw").status_code == 400


def test_an_admin_must_type_the_email_to_close_and_cannot_close_their_own(
    app, client, login, history
):
    pid = history["person"]
    login(history["admin"])
    wrong = client.post(f"/admin/users/{pid}/close", data={"email": "someone@else.example"})
    assert wrong.status_code == 422
    assert "does not match" in wrong.get_data(as_text=True)
    assert client.post(f"/admin/users/{pid}/close", data={}).status_code == 422
    own = history["admin"].id
    assert (
        client.post(f"/admin/users/{own}/close", data={"email": "alex@admin.example"}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(User, pid).closed_at is None
        assert db.session.get(User, own).closed_at is None
    client.post(f"/admin/users/{pid}/close", data={"email": EMAIL})
    assert client.get(f"/admin/users/{pid}/close").status_code == 404  # closed already
    page = client.get(f"/admin/users/{pid}").get_data(as_text=True)
    assert "this account was closed on" in page and 'id="roles-heading"' not in page


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("roles", {"roles": ["trainer"]}),
        ("membership", {}),
        ("organisation", {"organisation": "ORG"}),
        ("reset-link", {}),
        ("sign-out", {}),
    ],
)
def test_no_administrator_action_reaches_a_closed_account(
    app, client, login, history, action, data
):
    close(app, history)
    login(history["admin"])
    with app.app_context():
        organisation = db.session.execute(sa.select(Organisation)).scalars().first()
        before = snapshot()
    data = {k: str(organisation.id) if v == "ORG" else v for k, v in data.items()}
    response = client.post(f"/admin/users/{history['person']}/{action}", data=data)
    assert response.status_code == 404
    with app.app_context():
        assert snapshot() == before
        assert db.session.get(User, history["person"]).organisation_id is None


def test_a_reset_asked_for_a_closed_accounts_address_sends_nothing(
    app, client, history, monkeypatch
):
    close(app, history)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    address = erasure.placeholder_email(history["person"])
    with mail.record_messages() as sent:
        response = client.post("/reset-password", data={"email": address})
    assert response.status_code == 200 and sent == []
    with app.app_context():
        to = db.session.execute(sa.select(OutboxMessage.to_address)).scalars().all()
        assert address not in to


def test_the_review_page_lists_requests_and_inactive_accounts_oldest_first(
    app, client, login, make_user
):
    with freeze_time("2023-01-10 09:00:00"):
        never = make_user(name="Never Signed In", email="never@example.test")
    with freeze_time("2023-06-01 09:00:00"):
        old = make_user(name="Old Sign In", email="old@example.test")
        app.test_client().post("/sign-in", data={"email": old.email, "password": PASSWORD})
    with freeze_time("2020-01-01 09:00:00"):
        gone = make_user(name="Gone Person", email="gone@example.test")
    with freeze_time("2025-12-15 09:00:00"):
        recent = make_user(name="Recent Person", email="recent@example.test")
        asker = make_user(name="Asking Person", email="asking@example.test")
        with app.app_context():
            erasure.request_closure(db.session.get(User, asker.id), address="")
            erasure.close_account(
                db.session.get(User, gone.id), by=None, address="", quizzes=curriculum().quizzes
            )
            db.session.commit()
    admin = make_user(Role.ADMIN, name="Alex Admin", email="alex@admin.example")
    with freeze_time("2026-01-15 09:00:00"):
        login(admin)
        with app.app_context():
            found = db.session.execute(retention.inactive(clock.now(), 24)).scalars().all()
            assert [p.id for p in found] == [never.id, old.id]
        page = client.get("/admin/review").get_data(as_text=True)
    requests, inactive = page.split('id="inactive"')
    assert "Asking Person" in requests and "15 January 2026" in requests  # close by
    assert inactive.index("Never Signed In") < inactive.index("Old Sign In")
    for name in ("Recent Person", "Asking Person", "Gone Person", "Closed account"):
        assert name not in inactive
    assert f'href="/admin/users/{never.id}"' in inactive
    assert f'href="/admin/users/{recent.id}"' not in inactive
    assert "Never (joined 10 January 2023)" in inactive
    assert 'href="/admin/review" aria-current="page"' in page  # in the admin menu


def test_the_inactive_list_is_paged(app, client, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    with freeze_time("2020-01-01"):
        for n in range(5):
            make_user(name=f"Idle {n}", email=f"idle{n}@example.test")
    login(make_user(Role.ADMIN))
    page = client.get("/admin/review?page=3").get_data(as_text=True)
    assert "Page 3 of 3" in page and "Idle 4" in page and "Idle 0" not in page


# Retention -----------------------------------------------------------------------------


def test_retention_deletes_only_what_is_past_its_period_and_is_idempotent(app, make_user, history):
    with app.app_context():
        closed_at = clock.now()
    close(app, history)
    later = make_user(name="Closed Later", email="later@example.test")
    with app.app_context():
        db.session.add(
            Completion(user_id=later.id, kind="module", slug="hospital-discharge", version="v")
        )
        old_entry = AuditEntry(at=closed_at - relativedelta(years=7), action=AuditAction.SIGNED_IN)
        db.session.add(old_entry)
        db.session.flush()
        old_id = old_entry.id
        with freeze_time(closed_at + relativedelta(years=4)):
            erasure.close_account(
                db.session.get(User, later.id), by=None, address="", quizzes=curriculum().quizzes
            )
        db.session.commit()
        pid = history["person"]
        facts = retained(pid)

        with freeze_time(closed_at + relativedelta(years=6, days=-1)):
            purge = retention.apply(clock.now(), PERIODS)
        db.session.commit()
        assert purge.accounts == 0 and purge.audit_entries == 1  # only the seven-year-old one
        assert retained(pid) == facts
        assert (
            db.session.execute(sa.select(AuditEntry).where(AuditEntry.id == old_id)).first() is None
        )

        with freeze_time(closed_at + relativedelta(years=6, days=1)):
            dry = retention.apply(clock.now(), PERIODS, dry_run=True)
            db.session.commit()
            assert retained(pid) == facts  # a dry run deletes nothing
            purge = retention.apply(clock.now(), PERIODS)
            db.session.commit()
            again = retention.apply(clock.now(), PERIODS)
            db.session.commit()
        assert purge == dry
        assert purge.accounts == 1
        assert purge.completions == len(facts["completions"])
        assert purge.quiz_attempts == 2 and purge.answers == len(facts["answers"])
        assert purge.certificates == 1 and purge.cohort_places == 2
        assert purge.module_progress == len(facts["progress"])
        assert not any(retained(pid).values())
        assert not again.anything
        assert db.session.get(User, pid) is not None  # the anonymised row stays
        assert _count(Completion, later.id) == 1  # closed four years later: kept until then
        recorded = (
            db.session.execute(
                sa.select(AuditEntry.details)
                .where(AuditEntry.action == AuditAction.RECORDS_PURGED)
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        assert len(recorded) == 2  # the two runs that deleted; not the dry or the idle one
        assert recorded[1]["certificates"] == 1 and recorded[1]["accounts"] == 1
        assert recorded[1]["records_of_accounts_closed_before"] == (
            (closed_at + relativedelta(days=1)).date().isoformat()
        )
    assert app.test_client().get(f"/verify/{history['certificate']}").status_code == 404


def test_retention_deletes_audit_entries_only_past_the_audit_period(app, history):
    with app.app_context():
        count = db.session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar()
        with freeze_time(clock.now() + timedelta(days=6 * 366)):
            purge = retention.apply(clock.now(), PERIODS)
            db.session.commit()
        assert purge.audit_entries == count
        left = db.session.execute(sa.select(AuditEntry.action)).scalars().all()
        assert left == [AuditAction.RECORDS_PURGED]


def test_flask_retention_apply_prints_what_it_did(app, history):
    runner = app.test_cli_runner()
    with freeze_time("2026-03-01 12:00:00"):
        close(app, history)
    with freeze_time("2033-01-01 12:00:00"):
        dry = runner.invoke(args=["retention", "apply", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "1 accounts" in dry.output and "would be deleted" in dry.output
        assert "Dry run: nothing was deleted." in dry.output
        done = runner.invoke(args=["retention", "apply"])
        assert "Recorded in the audit trail as records-purged." in done.output
        assert "1 certificates" in done.output
        idle = runner.invoke(args=["retention", "apply"])
        assert "Nothing is past its retention period." in idle.output
    with app.app_context():
        (purged,) = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.RECORDS_PURGED)
        ).scalars()
        assert purged.actor_name.startswith("Command line (")


def _count(model, user_id: int) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(model).where(model.user_id == user_id)
    ).scalar_one()
