"""A trainer's CSV upload creates or invites people, but never yields a link the trainer can
use: each new account's link to set its password goes only to its own address, through the
outbox; and an upload never places anyone in an organisation."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from flask.sessions import SecureCookieSessionInterface

from learning import compliance
from learning.extensions import db, mail
from learning.models import Membership, Organisation, OutboxMessage, Role, User

from .conftest import PASSWORD

NEW_PEOPLE = (
    "email,name,profession,stage,organisation\n"
    "new.nurse@example.org,Ada Nurse,Nurse,qualified,Riverside NHS Foundation Trust\n"
    "new.sw@example.org,Bo Worker,social worker,student,\n"
)


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER, name="Helen Okafor", profession="social-work")


@pytest.fixture
def riverside(make_organisation):
    return make_organisation("Riverside NHS Foundation Trust")


@pytest.fixture
def cohort_id(make_cohort, trainer):
    return make_cohort(trainer)


@pytest.fixture
def as_trainer(client, trainer, login):
    login(trainer)
    return client


def upload(client, cohort_id: int, content: str):
    return client.post(
        f"/trainer/cohorts/{cohort_id}/upload",
        data={"file": (io.BytesIO(content.encode()), "learners.csv")},
        content_type="multipart/form-data",
    )


def outbox_links(app) -> dict[str, str]:
    """Each waiting message's invitation link (its path), by address."""
    with app.app_context():
        messages = db.session.execute(sa.select(OutboxMessage)).scalars().all()
        return {
            m.to_address: re.search(r"http://localhost(/invitation/\S+)", m.body).group(1)
            for m in messages
        }


def session_contents(app, client) -> str:
    """Everything in the trainer's session cookie (flashed messages too), decoded."""
    cookie = client.get_cookie("session")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return repr(serializer.loads(cookie.value)) if cookie else ""


def test_a_csv_upload_never_yields_a_link_the_trainer_can_use(
    app, as_trainer, cohort_id, riverside
):
    response = upload(as_trainer, cohort_id, NEW_PEOPLE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    links = outbox_links(app)
    assert set(links) == {"new.nurse@example.org", "new.sw@example.org"}
    for link in links.values():
        token = link.removeprefix("/invitation/")
        assert token not in page
        assert token not in session_contents(app, as_trainer)
        assert token not in str(response.headers)
    assert "/invitation/" not in page
    follow_up = as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners").get_data(as_text=True)
    assert "/invitation/" not in follow_up  # nor on the next page (any flashed message)

    # The trainer's page names who was invited, and says who passes the link on.
    assert "Ada Nurse" in page and "Bo Worker" in page
    assert "an administrator will pass each one on to its person" in page
    assert "Waiting for an administrator to pass it on" in page

    # The link works for the person it was written to.
    person = app.test_client()
    assert person.get(links["new.nurse@example.org"]).location == "/invitation"
    assert person.post("/invitation", data={"password": "my own new passphrase"}).status_code == 302
    assert "Ada Nurse" in person.get("/dashboard").get_data(as_text=True)


def test_with_a_mail_server_each_new_person_is_emailed_their_link(
    app, as_trainer, cohort_id, trainer, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    with mail.record_messages() as sent:
        page = upload(
            as_trainer, cohort_id, NEW_PEOPLE.replace("Riverside NHS Foundation Trust", "")
        )
    assert sorted(m.recipients[0] for m in sent) == ["new.nurse@example.org", "new.sw@example.org"]
    for message in sent:
        assert "Helen Okafor" in message.body and '"Discharge together"' in message.body
        assert "/invitation/" in message.body
        assert message.subject.startswith("You are invited to Discharge together")
    body = page.get_data(as_text=True)
    assert "An email is on its way to each person below" in body and "Emailed to them" in body
    assert "/invitation/" not in body
    with app.app_context():
        messages = db.session.execute(sa.select(OutboxMessage)).scalars().all()
        assert all(m.sent_at is not None and m.body == "" for m in messages)


def test_an_upload_that_is_refused_writes_no_email(app, as_trainer, cohort_id):
    response = upload(as_trainer, cohort_id, NEW_PEOPLE)  # the organisation does not exist
    assert response.status_code == 422
    with app.app_context():
        assert db.session.execute(sa.select(OutboxMessage)).first() is None


def test_an_upload_places_nobody_in_an_organisation(
    app, as_trainer, cohort_id, riverside, make_organisation, make_user
):
    council = make_organisation("Northfield City Council")
    known = make_user(email="known@example.org", organisation=council)
    content = (
        NEW_PEOPLE
        + "known@example.org,Known Person,Nurse,qualified,Riverside NHS Foundation Trust\n"
    )
    assert upload(as_trainer, cohort_id, content).status_code == 200
    with app.app_context():
        unchanged = db.session.get(User, known.id)
        assert (unchanged.organisation_id, unchanged.membership) == (
            council.id,
            Membership.CONFIRMED,
        )
        new = db.session.execute(
            sa.select(User).where(User.email == "new.nurse@example.org")
        ).scalar_one()
        # The CSV's organisation is only the person's claim, until the employer confirms it.
        assert (new.organisation_id, new.membership) == (riverside.id, Membership.PENDING)
        trust = db.session.get(Organisation, riverside.id)
        assert (compliance.staff_count(trust), compliance.pending_count(trust)) == (0, 1)
        # Only the new accounts are emailed; the known person keeps their own password.
        assert set(outbox_links(app)) == {"new.nurse@example.org", "new.sw@example.org"}
    assert (
        app.test_client()
        .post("/sign-in", data={"email": "known@example.org", "password": PASSWORD})
        .status_code
        == 302
    )
