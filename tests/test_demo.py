"""The demo data a reviewer meets on first run."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from learning import accounts, demo
from learning.extensions import db
from learning.models import ModuleProgress, Organisation, QuizAttempt, Role, User
from learning.professions import Stage


def test_demo_load_creates_the_documented_accounts_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "4 organisations, 33 people," in first.output
    again = runner.invoke(args=["demo", "load"])
    assert (
        "0 organisations, 0 people, 0 module progress records, 0 cohorts and 0 scenario "
        "attempts created" in again.output
    )

    with app.app_context():
        people = {u.email: u for u in db.session.execute(sa.select(User)).scalars()}
        for email, _ in demo.NAMED_ACCOUNTS:
            assert accounts.authenticate(email, app.config["DEMO_PASSWORD"]) is not None
        assert people["admin@demo.test"].roles == {Role.ADMIN}
        assert people["trainer@demo.test"].roles == {Role.TRAINER}
        assert people["employer@demo.test"].organisation.name == demo.TRUST
        assert people["employer.council@demo.test"].organisation.name == demo.COUNCIL
        assert people["student.nurse@demo.test"].stage is Stage.STUDENT
        assert people["housing@demo.test"].profession_code == "housing"

        learners = [u for u in people.values() if not u.roles]
        assert len(learners) >= 24
        professions = Counter(u.profession_code for u in learners)
        for code in ("nursing", "social-work", "occupational-therapy", "housing"):
            assert professions[code] >= 4
        assert {u.stage for u in learners} == set(Stage)
        organisations = {o.name for o in db.session.execute(sa.select(Organisation)).scalars()}
        assert organisations == {name for name, _ in demo.ORGANISATIONS}


def test_demo_load_if_empty_leaves_a_used_database_alone(app, make_user):
    make_user()
    result = app.test_cli_runner().invoke(args=["demo", "load-if-empty"])
    assert "not loaded" in result.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(User.id))).scalar() == 1


def test_users_create_makes_an_administrator(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--admin", "--email", "Boss@Example.org", "--name", "Ada Boss"],
        input="a solid admin passphrase\na solid admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = accounts.user_by_email("boss@example.org")
        assert user is not None and user.roles == {Role.ADMIN}
        from learning.models import AuditAction, AuditEntry

        (entry,) = db.session.execute(sa.select(AuditEntry)).scalars()
        assert entry.action is AuditAction.ACCOUNT_CREATED and entry.subject_user_id == user.id
        assert entry.actor_id is None and entry.actor_name.startswith("Command line (")
        assert entry.details["roles"] == ["admin"]


def test_users_create_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "a@example.org", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least 10" in result.output


def test_demo_learners_have_read_some_modules(app):
    app.test_cli_runner().invoke(args=["demo", "load"])
    with app.app_context():
        nurse = accounts.user_by_email("nurse@demo.test")
        rows = {
            row.module_slug: row
            for row in db.session.execute(
                sa.select(ModuleProgress).where(ModuleProgress.user_id == nurse.id)
            ).scalars()
        }
        # The fixture course has hospital-discharge but not the other named modules.
        assert rows["hospital-discharge"].completed_at is not None
        everyone = db.session.execute(sa.select(sa.func.count()).select_from(ModuleProgress))
        assert everyone.scalar() >= 10


def test_demo_learners_have_submitted_scenarios_with_graded_answers(app):
    app.test_cli_runner().invoke(args=["demo", "load"])
    with app.app_context():
        submitted = db.session.execute(sa.select(QuizAttempt)).scalars().all()
        assert len(submitted) >= 27 * 2
        assert all(a.submitted_at and a.score is not None for a in submitted)
        assert {a.passed for a in submitted} == {True, False}  # a realistic mix
        cases = [a for a in submitted if a.quiz_slug == "discharge-case"]
        assert len({a.outcome_step for a in cases}) >= 2  # more than one ending reached
        professions = {a.as_profession for a in submitted}
        assert {"nursing", "social-work", "occupational-therapy", "housing"} <= professions


def test_demo_cohorts_show_a_good_mix_and_a_poor_one(app):
    from learning import cohorts
    from learning.models import Cohort

    app.test_cli_runner().invoke(args=["demo", "load"])
    with app.app_context():
        found = {c.name: c for c in db.session.execute(sa.select(Cohort)).scalars()}
        assert set(found) == {"Discharge together, spring", "Ward 7 safeguarding update"}
        spring, ward = found["Discharge together, spring"], found["Ward 7 safeguarding update"]

        def summary(cohort):
            members = [u for _, u in db.session.execute(cohorts.active_members(cohort)).all()]
            return cohorts.mix_summary(cohort, members)

        assert summary(spring).warnings == ()
        ward_warnings = " ".join(summary(ward).warnings)
        assert "No housing learners" in ward_warnings and "Nursing is" in ward_warnings
        assert len(spring.groups) == 5 and ward.groups
        assert cohorts.current_join_code(spring) is not None


def test_demo_employers_have_requirements_with_a_realistic_spread(app):
    from learning import PROJECT_ROOT, clock, compliance
    from learning import curriculum as curricula

    real = curricula.load(PROJECT_ROOT)  # the real curriculum, as make run loads it
    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"], real)
        db.session.commit()
        for name in (demo.TRUST, demo.COUNCIL):
            organisation = db.session.execute(
                sa.select(Organisation).where(Organisation.name == name)
            ).scalar_one()
            required = compliance.requirements(organisation)
            states = compliance.summary(organisation, required, clock.today()).overall
            assert len(required) >= 3
            assert states.compliant and states.due_soon and states.expired and states.not_started
        from learning.models import Certificate, CpdEntry

        nurse = accounts.user_by_email("nurse@demo.test")
        assert db.session.execute(
            sa.select(Certificate).where(Certificate.user_id == nurse.id)
        ).first()
        assert db.session.execute(sa.select(CpdEntry).where(CpdEntry.user_id == nurse.id)).first()


def test_demo_cohort_members_accepted_before_the_history_their_trainer_sees(app):
    from learning.models import Cohort, CohortMember

    app.test_cli_runner().invoke(args=["demo", "load"])
    with app.app_context():
        places = db.session.execute(sa.select(CohortMember, User).join(User)).all()
        members = [(m, u) for m, u in places if m.accepted_at and m.removed_at is None]
        assert len(members) >= 20
        # Their reading and scenarios (the employers' older compliance history is theirs, and
        # their employer's, but no trainer's).
        first = dict(
            db.session.execute(
                sa.select(ModuleProgress.user_id, sa.func.min(ModuleProgress.started_at)).group_by(
                    ModuleProgress.user_id
                )
            ).all()
        )
        first_attempt = dict(
            db.session.execute(
                sa.select(QuizAttempt.user_id, sa.func.min(QuizAttempt.started_at)).group_by(
                    QuizAttempt.user_id
                )
            ).all()
        )
        for member, user in members:
            assert member.joined_at <= member.accepted_at
            for earliest in (first.get(user.id), first_attempt.get(user.id)):
                assert earliest is None or member.accepted_at < earliest, user.email
        cohort_of = {c.id: c.name for c in db.session.execute(sa.select(Cohort)).scalars()}
        waiting = [
            (cohort_of[m.cohort_id], u.email)
            for m, u in places
            if m.accepted_at is None and m.declined_at is None and m.removed_at is None
        ]
        declined = [u.email for m, u in places if m.declined_at is not None]
    assert sorted(waiting) == [
        ("Discharge together, spring", "owen.price@demo.test"),  # uploaded, link in the outbox
        ("Discharge together, spring", "ruth.adebayo@demo.test"),
        ("Ward 7 safeguarding update", "socialworker@demo.test"),
    ]
    assert declined == ["sarah.whitfield@demo.test"]


def test_the_demo_has_a_realistic_audit_history(app):
    from learning.models import AuditAction, AuditEntry

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        found = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.at)).scalars().all()
        # The history as told, then what the demo's people did through the domain itself.
        assert len(found) == len(demo.AUDIT_HISTORY) + 4
        assert {e.action for e in found} >= {
            AuditAction.SIGNED_IN,
            AuditAction.ROLES_CHANGED,
            AuditAction.LEARNERS_INVITED,
            AuditAction.INVITATION_ACCEPTED,
            AuditAction.LEARNERS_UPLOADED,
            AuditAction.CLOSURE_REQUESTED,
            AuditAction.ACCOUNT_CLOSED,
        }
        assert (found[-1].at - found[0].at).days >= 30  # weeks of history, not one moment
        trust = db.session.execute(
            sa.select(Organisation).where(Organisation.name == demo.TRUST)
        ).scalar_one()
        assert any(e.organisation_id == trust.id for e in found)  # the trust's employer sees some
    again = runner.invoke(args=["demo", "load"])
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar() == len(found)
    assert again.exit_code == 0


def test_the_demo_has_invitations_in_the_outbox_a_closure_request_and_a_closed_account(app):
    from learning import erasure
    from learning.models import Completion, OutboxMessage

    app.test_cli_runner().invoke(args=["demo", "load"])
    with app.app_context():
        waiting = db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        ).scalars()
        assert {m.to_address for m in waiting} == {e for _, e, _, _ in demo.UPLOADED}
        asked = [u.email for u in db.session.execute(erasure.requests()).scalars()]
        assert asked == [demo.CLOSURE_REQUESTED[0]]
        closed = db.session.execute(sa.select(User).where(User.closed_at.is_not(None))).scalar_one()
        assert closed.name == erasure.placeholder_name(closed.id)
        assert accounts.user_by_email(demo.CLOSED[0]) is None
        kept = db.session.execute(
            sa.select(sa.func.count(Completion.id)).where(Completion.user_id == closed.id)
        ).scalar_one()
        attempts = db.session.execute(
            sa.select(sa.func.count(QuizAttempt.id)).where(QuizAttempt.user_id == closed.id)
        ).scalar_one()
        assert kept + attempts > 0  # the facts stay, without the name
