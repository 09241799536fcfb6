"""Membership: a person's claim to an organisation counts only once the organisation confirms it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from learning import accounts, cohorts, compliance, demo
from learning.extensions import db, mail
from learning.models import Completion, EnrolmentRoute, Membership, RequiredTraining, Role, User

from .test_auth import NEW_PERSON


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def trust(make_organisation):
    return make_organisation("Riverside NHS Foundation Trust")


@pytest.fixture
def employer(make_user, trust):
    return make_user(
        Role.EMPLOYER, name="Gareth Lloyd", organisation=trust, profession="social-work"
    )


@pytest.fixture
def mail_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")


@pytest.fixture
def required(app, trust):
    with app.app_context():
        db.session.add(
            RequiredTraining(
                organisation_id=trust.id,
                kind="module",
                slug="hospital-discharge",
                profession="nursing",
                due_soon_days=60,
                refresh_months=36,
            )
        )
        db.session.commit()


def complete(app, user, on: date) -> None:
    with app.app_context():
        db.session.add(
            Completion(
                user_id=user.id,
                kind="module",
                slug="hospital-discharge",
                version="v",
                completed_at=datetime(on.year, on.month, on.day, 10, tzinfo=UTC),
            )
        )
        db.session.commit()


def figures(app, trust) -> tuple[int, int, int]:
    """Staff count, how many required items apply, and how many are up to date."""
    with app.app_context():
        organisation = db.session.get(type(trust), trust.id)
        required = compliance.requirements(organisation)
        overall = compliance.summary(organisation, required, date(2026, 11, 22)).overall
        return compliance.staff_count(organisation), overall.applicable, overall.compliant


def membership_of(app, user) -> Membership:
    with app.app_context():
        return db.session.get(User, user.id).membership


def test_registering_with_an_organisation_makes_a_pending_claim(mail_on, app, client, trust):
    with mail.record_messages() as outbox:
        client.post("/register", data={**NEW_PERSON, "organisation": str(trust.id)})
    link = re.search(r"http://localhost(/register/\S+)", outbox[0].body).group(1)
    client.get(link)
    with app.app_context():
        grace = db.session.execute(sa.select(User)).scalar_one()
        assert grace.organisation_id == trust.id
        assert grace.membership is Membership.PENDING
        assert grace.staff_organisation is None
    page = text(client.get("/dashboard"))
    assert "you said you work for Riverside NHS Foundation Trust" in page
    assert "Waiting for your employer to confirm" in text(client.get("/profile"))


@freeze_time("2026-11-22")
def test_a_strangers_claim_stays_pending_and_out_of_the_compliance_figures(
    app, client, employer, trust, make_user, login, required
):
    nurse = make_user(name="Grace Adeyemi", organisation=trust)
    complete(app, nurse, date(2026, 1, 10))
    stranger = make_user(name="Mallory Stranger", organisation=trust, membership=Membership.PENDING)
    complete(app, stranger, date(2026, 1, 10))
    assert figures(app, trust) == (2, 1, 1)  # the employer and Grace; only she is a nurse
    login(employer)
    assert "Mallory Stranger" not in text(client.get("/employer/compliance"))
    assert "Mallory Stranger" not in text(client.get("/employer/compliance.csv"))
    assert client.get(f"/employer/staff/{stranger.id}").status_code == 404
    overview = text(client.get("/employer/"))
    assert "2 staff on the platform" in overview and "1 person says they work" in overview
    people = text(client.get("/employer/people"))
    assert "Mallory Stranger" in people and "Grace Adeyemi" not in people


@freeze_time("2026-11-22")
def test_confirming_brings_a_claimant_into_the_figures_and_tells_them(
    mail_on, app, client, employer, trust, make_user, login, required
):
    nurse = make_user(name="Grace Adeyemi", email="grace@example.org", organisation=trust)
    nurse = make_user(
        name="Grace Adeyemi",
        email="grace.a@example.org",
        organisation=trust,
        membership=Membership.PENDING,
    )
    login(employer)
    with mail.record_messages() as outbox:
        response = client.post(f"/employer/people/{nurse.id}/confirm")
    assert response.status_code == 302
    assert membership_of(app, nurse) is Membership.CONFIRMED
    assert figures(app, trust) == (3, 2, 0)
    assert [m.recipients for m in outbox] == [["grace.a@example.org"]]
    assert "has confirmed that you are one of its staff" in outbox[0].body
    assert "is now confirmed" in text(client.get("/employer/people"))


@freeze_time("2026-11-22")
def test_ending_a_membership_drops_them_from_the_figures_and_keeps_their_records(
    mail_on, app, client, employer, trust, make_user, login, required
):
    nurse = make_user(name="Grace Adeyemi", email="grace@example.org", organisation=trust)
    complete(app, nurse, date(2026, 1, 10))
    assert figures(app, trust) == (2, 1, 1)
    login(employer)
    assert "has left the organisation" in text(client.get(f"/employer/staff/{nurse.id}"))
    with mail.record_messages() as outbox:
        assert client.post(f"/employer/people/{nurse.id}/end").status_code == 302
    assert figures(app, trust) == (1, 0, 0)
    assert membership_of(app, nurse) is Membership.ENDED
    with app.app_context():
        kept = db.session.execute(sa.select(Completion).where(Completion.user_id == nurse.id))
        assert len(kept.all()) == 1
        assert db.session.get(User, nurse.id).organisation_id == trust.id
    assert "no longer, one of its staff" in outbox[0].body
    former = text(client.get("/employer/people")).split("<h2>Left the organisation")[1]
    assert "Grace Adeyemi" in former
    assert client.get(f"/employer/staff/{nurse.id}").status_code == 404
    client.post("/sign-out")
    login(nurse)
    assert "no longer, one of its staff" in text(client.get("/dashboard"))


def test_an_employer_cannot_confirm_or_end_another_organisations_people(
    client, employer, make_organisation, make_user, login
):
    other = make_organisation("Hillside Council")
    theirs = make_user(organisation=other, membership=Membership.PENDING)
    nobodys = make_user()
    login(employer)
    for person in (theirs, nobodys):
        assert client.post(f"/employer/people/{person.id}/confirm").status_code == 404
        assert client.post(f"/employer/people/{person.id}/end").status_code == 404
    assert client.post(f"/employer/people/{employer.id}/end").status_code == 404


def test_a_pending_employer_sees_no_staff(client, make_user, trust, login):
    claimant = make_user(Role.EMPLOYER, organisation=trust, membership=Membership.PENDING)
    login(claimant)
    assert "does not belong to an organisation yet" in text(client.get("/employer/"))
    assert client.get("/employer/people").status_code == 404


def test_an_administrator_confirms_a_claim_and_a_move_is_confirmed(
    app, client, make_user, trust, make_organisation, login
):
    admin = make_user(Role.ADMIN)
    claimant = make_user(name="Grace Adeyemi", organisation=trust, membership=Membership.PENDING)
    login(admin)
    page = text(client.get(f"/admin/users/{claimant.id}"))
    assert "Confirm Grace Adeyemi works for Riverside NHS Foundation Trust" in page
    assert client.post(f"/admin/users/{claimant.id}/membership").status_code == 302
    assert membership_of(app, claimant) is Membership.CONFIRMED
    mover = make_user(organisation=trust, membership=Membership.ENDED)
    other = make_organisation("Hillside Council")
    client.post(f"/admin/users/{mover.id}/organisation", data={"organisation": str(other.id)})
    assert membership_of(app, mover) is Membership.CONFIRMED


def test_organisation_sizes_count_confirmed_staff_and_waiting_claims_apart(
    app, make_user, make_organisation, trust
):
    make_user(organisation=trust)
    make_user(organisation=trust, membership=Membership.PENDING)
    make_user(organisation=trust, membership=Membership.PENDING)
    make_user(organisation=trust, membership=Membership.ENDED)
    make_organisation("Hillside Council")
    with app.app_context():
        sizes = {o.name: (n, w) for o, n, w in db.session.execute(accounts.organisation_sizes())}
    assert sizes == {"Riverside NHS Foundation Trust": (1, 2), "Hillside Council": (0, 0)}


def test_administrators_see_how_many_claims_wait_at_each_organisation(
    client, login, make_user, trust
):
    make_user(organisation=trust, membership=Membership.PENDING)
    login(make_user(Role.ADMIN))
    page = client.get("/admin/organisations").get_data(as_text=True)
    row = page.split("Riverside NHS Foundation Trust", 1)[1].split("</tr>", 1)[0]
    assert "1 waiting" in row


def test_the_demo_has_a_pending_claim_for_each_employer(app):
    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"])
        db.session.commit()
        pending = db.session.execute(
            sa.select(User).where(
                User.membership == Membership.PENDING, User.organisation_id.is_not(None)
            )
        ).scalars()
        places = {u.organisation.name for u in pending}
        staff = db.session.execute(
            sa.select(User).where(User.email == "nurse@demo.test")
        ).scalar_one()
    assert places == {demo.TRUST, demo.COUNCIL}
    assert staff.membership is Membership.CONFIRMED


def test_choosing_an_organisation_in_the_profile_is_a_pending_claim(
    app, client, make_user, trust, make_organisation, login
):
    other = make_organisation("Hillside Council")
    nurse = make_user(name="Grace Adeyemi", organisation=other)
    login(nurse)
    form = {"name": "Grace Adeyemi", "profession": "nursing", "stage": "qualified"}
    client.post("/profile", data=form)  # the organisation left out: nothing changes
    assert membership_of(app, nurse) is Membership.CONFIRMED
    client.post("/profile", data={**form, "organisation": str(other.id)})
    assert membership_of(app, nurse) is Membership.CONFIRMED  # the same one: still confirmed
    assert client.post("/profile", data={**form, "organisation": str(trust.id)}).status_code == 302
    with app.app_context():
        grace = db.session.get(User, nurse.id)
        assert (grace.organisation_id, grace.membership) == (trust.id, Membership.PENDING)
    assert "Its employers have not confirmed this yet" in text(client.get("/profile"))
    client.post("/profile", data={**form, "organisation": "0"})
    with app.app_context():
        assert db.session.get(User, nurse.id).organisation_id is None


def test_joint_learning_counts_confirmed_staff_only(app, client, employer, trust, make_user, login):
    trainer = make_user(Role.TRAINER)
    people = [
        make_user(organisation=trust, profession="nursing"),
        make_user(organisation=trust, profession="social-work"),
        make_user(organisation=trust, profession="housing", membership=Membership.PENDING),
        make_user(organisation=trust, profession="nursing", membership=Membership.ENDED),
    ]
    with app.app_context():
        cohort = cohorts.create(
            db.session.get(User, trainer.id),
            cohorts.CohortDetails("Discharge together", "", None, None, 4, {}),
        )
        picked = [db.session.get(User, p.id) for p in people]
        for invitation in cohorts.invite(cohort, picked, EnrolmentRoute.PICKED):
            cohorts.accept(invitation)
        db.session.commit()
        found = cohorts.joint_learning(db.session.get(type(trust), trust.id))
    assert [ours for _, ours, _ in found.rows] == [2]
