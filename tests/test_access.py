"""Who can open what: every route, for every kind of person."""

from __future__ import annotations

from datetime import date

import pytest

from learning import clock
from learning.extensions import db
from learning.models import (
    Certificate,
    Cohort,
    CohortGroup,
    CohortMember,
    CpdEntry,
    EnrolmentRoute,
    OutboxMessage,
    ProgrammeItem,
    QuizAttempt,
    Role,
    User,
)

ANON, LEARNER, TRAINER, EMPLOYER, ADMIN = "anonymous", "learner", "trainer", "employer", "admin"
AUDIENCES = (ANON, LEARNER, TRAINER, EMPLOYER, ADMIN)

SIGNED_IN = {ANON: 302, LEARNER: 200, TRAINER: 200, EMPLOYER: 200, ADMIN: 200}
ANYONE = dict.fromkeys(AUDIENCES, 200)
TRAINERS = {ANON: 302, LEARNER: 403, TRAINER: 200, EMPLOYER: 403, ADMIN: 200}
THEIRS = {ANON: 302, LEARNER: 403, TRAINER: 404, EMPLOYER: 403, ADMIN: 200}
THEIRS_302 = {**THEIRS, ADMIN: 302}
NOT_YOURS = {ANON: 302, LEARNER: 404, TRAINER: 404, EMPLOYER: 404, ADMIN: 404}
SIGNED_OUT_ONLY = {ANON: 200, LEARNER: 302, TRAINER: 302, EMPLOYER: 302, ADMIN: 302}


def only(audience: str, ok: int = 200) -> dict[str, int]:
    """The door admits one role; others are refused, anonymous people sent to sign in."""
    return {a: (ok if a == audience else 302 if a == ANON else 403) for a in AUDIENCES}


# (endpoint, method, path, expected status by audience). {user} and {org} are filled in.
MATRIX = [
    ("learner.home", "GET", "/", ANYONE),
    ("learner.privacy", "GET", "/privacy", ANYONE),
    ("learner.accessibility", "GET", "/accessibility", ANYONE),
    ("learner.dashboard", "GET", "/dashboard", SIGNED_IN),
    ("learner.profile", "GET", "/profile", SIGNED_IN),
    ("learner.change_password", "GET", "/profile/password", SIGNED_IN),
    ("learner.download_data", "POST", "/profile/data", SIGNED_IN),
    ("learner.close_account", "GET", "/profile/close", SIGNED_IN),
    ("learner.request_closure", "POST", "/profile/close", dict.fromkeys(AUDIENCES, 302)),
    ("learner.withdraw_closure", "POST", "/profile/close/withdraw", dict.fromkeys(AUDIENCES, 302)),
    ("auth.register", "GET", "/register", SIGNED_OUT_ONLY),
    ("auth.confirm_registration", "GET", "/register/not-a-token", dict.fromkeys(AUDIENCES, 404)),
    ("auth.sign_in", "GET", "/sign-in", SIGNED_OUT_ONLY),
    ("auth.sign_out", "POST", "/sign-out", dict.fromkeys(AUDIENCES, 302)),
    ("auth.request_reset", "GET", "/reset-password", ANYONE),
    ("auth.reset_password", "GET", "/reset-password/not-a-token", dict.fromkeys(AUDIENCES, 404)),
    ("auth.new_password", "GET", "/new-password", dict.fromkeys(AUDIENCES, 404)),  # no link
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
    ("trainer.dashboard", "GET", "/trainer/", TRAINERS),
    ("trainer.new_cohort", "GET", "/trainer/cohorts/new", TRAINERS),
    # Another trainer's cohort: not found for a trainer, open to an admin.
    ("trainer.cohort", "GET", "/trainer/cohorts/{cohort}", THEIRS),
    ("trainer.edit_cohort", "GET", "/trainer/cohorts/{cohort}/edit", THEIRS),
    ("trainer.programme", "GET", "/trainer/cohorts/{cohort}/programme", THEIRS),
    ("trainer.change_item", "POST", "/trainer/cohorts/{cohort}/programme/{item}/up", THEIRS_302),
    ("trainer.learners", "GET", "/trainer/cohorts/{cohort}/learners", THEIRS),
    ("trainer.add_learners", "POST", "/trainer/cohorts/{cohort}/learners", THEIRS_302),
    (
        "trainer.remove_learner",
        "POST",
        "/trainer/cohorts/{cohort}/learners/{user}/remove",
        THEIRS_302,
    ),
    (
        "trainer.withdraw_invitation",
        "POST",
        "/trainer/cohorts/{cohort}/learners/{invitee}/withdraw",
        THEIRS_302,
    ),
    ("trainer.upload_form", "GET", "/trainer/cohorts/{cohort}/upload", THEIRS),
    ("trainer.upload", "POST", "/trainer/cohorts/{cohort}/upload", {**THEIRS, ADMIN: 422}),
    ("trainer.make_join_code", "POST", "/trainer/cohorts/{cohort}/join-code", THEIRS_302),
    ("trainer.revoke_join_code", "POST", "/trainer/cohorts/{cohort}/join-code/revoke", THEIRS_302),
    ("trainer.progress", "GET", "/trainer/cohorts/{cohort}/progress", THEIRS),
    ("trainer.progress_csv", "GET", "/trainer/cohorts/{cohort}/progress.csv", THEIRS),
    ("trainer.perspectives", "GET", "/trainer/cohorts/{cohort}/perspectives", THEIRS),
    ("trainer.groups", "GET", "/trainer/cohorts/{cohort}/groups", THEIRS),
    ("trainer.allocate", "POST", "/trainer/cohorts/{cohort}/groups", THEIRS_302),
    # No learner named in the form: a bad request once past the door.
    (
        "trainer.move_learner",
        "POST",
        "/trainer/cohorts/{cohort}/groups/move",
        {**THEIRS, ADMIN: 400},
    ),
    ("trainer.lock_group", "POST", "/trainer/cohorts/{cohort}/groups/{group}/lock", THEIRS_302),
    ("records.certificates", "GET", "/certificates", SIGNED_IN),
    ("records.issue", "POST", "/certificates", NOT_YOURS),  # nothing achieved yet: not found
    ("records.download", "GET", "/certificates/{certificate}.pdf", NOT_YOURS),
    ("records.verify", "GET", "/verify/{certificate}", ANYONE),
    ("records.cpd_record", "GET", "/cpd", SIGNED_IN),
    ("records.new_cpd_entry", "GET", "/cpd/new", SIGNED_IN),
    ("records.delete_cpd_entry", "POST", "/cpd/{cpd}/delete", NOT_YOURS),
    ("records.cpd_export", "GET", "/cpd/export", SIGNED_IN),
    ("records.cpd_export_csv", "GET", "/cpd/export.csv", SIGNED_IN),
    (
        "admin.revoke_certificate",
        "POST",
        "/admin/certificates/{certificate_id}/revoke",
        only(ADMIN, 302),
    ),
    ("learner.my_cohorts", "GET", "/cohorts", SIGNED_IN),
    ("learner.my_cohort", "GET", "/cohorts/{cohort}", NOT_YOURS),
    # Someone else's invitation (the invitee's): not found for everyone signed in.
    ("learner.invitation", "GET", "/cohorts/{cohort}/invitation", NOT_YOURS),
    ("learner.accept_invitation", "POST", "/cohorts/{cohort}/invitation/accept", NOT_YOURS),
    ("learner.decline_invitation", "POST", "/cohorts/{cohort}/invitation/decline", NOT_YOURS),
    ("learner.join", "GET", "/join", SIGNED_IN),
    ("auth.accept_invitation", "GET", "/invitation/not-a-token", dict.fromkeys(AUDIENCES, 404)),
    ("auth.first_password", "GET", "/invitation", dict.fromkeys(AUDIENCES, 404)),
    ("employer.dashboard", "GET", "/employer/", only(EMPLOYER)),
    ("employer.matrix", "GET", "/employer/compliance", only(EMPLOYER)),
    ("employer.matrix_csv", "GET", "/employer/compliance.csv", only(EMPLOYER)),
    ("employer.person", "GET", "/employer/staff/{user}", only(EMPLOYER)),
    ("employer.people", "GET", "/employer/people", only(EMPLOYER)),
    ("employer.confirm_member", "POST", "/employer/people/{user}/confirm", only(EMPLOYER, 302)),
    ("employer.end_member", "POST", "/employer/people/{user}/end", only(EMPLOYER, 302)),
    ("admin.confirm_membership", "POST", "/admin/users/{user}/membership", only(ADMIN, 302)),
    ("employer.requirements", "GET", "/employer/requirements", only(EMPLOYER)),
    # No such requirement in the employer's organisation: not found.
    (
        "employer.remove_requirement",
        "POST",
        "/employer/requirements/999999/remove",
        only(EMPLOYER, 404),
    ),
    ("employer.joint_learning", "GET", "/employer/joint-learning", only(EMPLOYER)),
    ("admin.users", "GET", "/admin/", only(ADMIN)),
    ("admin.user", "GET", "/admin/users/{user}", only(ADMIN)),
    ("admin.set_roles", "POST", "/admin/users/{user}/roles", only(ADMIN, 302)),
    ("admin.move_user", "POST", "/admin/users/{user}/organisation", only(ADMIN, 302)),
    ("admin.create_reset_link", "POST", "/admin/users/{user}/reset-link", only(ADMIN)),
    ("admin.sign_out_everywhere", "POST", "/admin/users/{user}/sign-out", only(ADMIN, 302)),
    ("admin.accounts_to_review", "GET", "/admin/review", only(ADMIN)),
    ("admin.confirm_close", "GET", "/admin/users/{user}/close", only(ADMIN)),
    # No email typed to confirm: the form is shown again with the error.
    ("admin.close_account", "POST", "/admin/users/{user}/close", only(ADMIN, 422)),
    ("admin.organisations", "GET", "/admin/organisations", only(ADMIN)),
    ("admin.new_organisation", "GET", "/admin/organisations/new", only(ADMIN)),
    ("admin.edit_organisation", "GET", "/admin/organisations/{org}/edit", only(ADMIN)),
    ("admin.audit_trail", "GET", "/admin/audit", only(ADMIN)),
    ("admin.audit_csv", "GET", "/admin/audit.csv", only(ADMIN)),
    ("admin.outbox_messages", "GET", "/admin/outbox", only(ADMIN)),
    ("admin.outbox_message", "GET", "/admin/outbox/{message}", only(ADMIN)),
    ("admin.content", "GET", "/admin/content", only(ADMIN)),
    ("employer.audit_trail", "GET", "/employer/audit", only(EMPLOYER)),
]


def test_the_access_matrix_covers_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == {row[0] for row in MATRIX}


@pytest.fixture
def audience_client(app, client, make_user, make_organisation, login):
    organisation = make_organisation("Riverside NHS Foundation Trust")
    target = make_user(email="target@example.test", organisation=organisation)
    invitee = make_user(email="invitee@example.test")
    with app.app_context():
        attempt = QuizAttempt(
            user_id=target.id,
            quiz_slug="safeguarding-basics",
            quiz_version="v",
            as_profession="nursing",
        )
        db.session.add(attempt)
        owner = db.session.get(User, make_user(Role.TRAINER, email="owner@example.test").id)
        cohort = Cohort(name="Someone else's cohort", owner=owner)
        db.session.add(cohort)
        db.session.flush()
        item = ProgrammeItem(
            cohort_id=cohort.id, position=0, kind="module", slug="hospital-discharge"
        )
        group = CohortGroup(cohort_id=cohort.id, number=1)
        db.session.add_all([item, group])
        db.session.flush()
        db.session.add_all(
            [
                CohortMember(
                    cohort_id=cohort.id,
                    user_id=target.id,
                    route=EnrolmentRoute.PICKED,
                    accepted_at=clock.now(),
                    group_id=group.id,
                ),
                CohortMember(cohort_id=cohort.id, user_id=invitee.id, route=EnrolmentRoute.PICKED),
            ]
        )
        certificate = Certificate(
            code="AAAA-BBBB-CCCC-DDDD",
            user_id=target.id,
            kind="module",
            ref="hospital-discharge",
            title="Hospital discharge",
            learner_name="Target",
            completed_on=date(2026, 1, 1),
            cpd_hours=0.5,
        )
        entry = CpdEntry(
            user_id=target.id, on=date(2026, 1, 1), activity="reading", topic="x", hours=1
        )
        message = OutboxMessage(
            user_id=target.id, to_address=target.email, subject="Reset", body="A link"
        )
        db.session.add_all([certificate, entry, message])
        db.session.commit()
        attempt_id, ids = (
            attempt.id,
            {
                "cohort": cohort.id,
                "invitee": invitee.id,
                "item": item.id,
                "group": group.id,
                "certificate": certificate.code,
                "certificate_id": certificate.id,
                "cpd": entry.id,
                "message": message.id,
            },
        )
    roles = {
        LEARNER: (),
        TRAINER: (Role.TRAINER,),
        EMPLOYER: (Role.EMPLOYER,),
        ADMIN: (Role.ADMIN,),
    }

    def for_audience(audience: str):
        if audience != ANON:
            login(make_user(*roles[audience], organisation=organisation))
        return client, {"user": target.id, "org": organisation.id, "attempt": attempt_id, **ids}

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
