"""Registering says nothing about whether an address already has an account."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from learning.extensions import db, mail
from learning.models import User

from .test_auth import NEW_PERSON


@pytest.fixture
def mail_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")


def _page(response, email):
    return response.status_code, response.get_data(as_text=True).replace(email, "EMAIL")


def test_registering_answers_the_same_for_a_new_and_an_existing_email(
    mail_on, app, client, make_user
):
    make_user(email="known@example.org", name="Known Person")
    known = client.post("/register", data={**NEW_PERSON, "email": "known@example.org"})
    new = client.post("/register", data={**NEW_PERSON, "email": "new@example.org"})
    assert _page(known, "known@example.org") == _page(new, "new@example.org")
    assert known.status_code == 200
    assert "Check your email" in known.get_data(as_text=True)
    with app.app_context():
        emails = db.session.execute(sa.select(User.email)).scalars().all()
    assert emails == ["known@example.org"]  # nothing is made until the link is followed


def test_the_owner_of_an_existing_email_is_told_by_mail(mail_on, client, make_user):
    make_user(email="known@example.org", name="Known Person")
    with mail.record_messages() as outbox:
        client.post("/register", data={**NEW_PERSON, "email": "Known@Example.org"})
    assert [m.recipients for m in outbox] == [["known@example.org"]]
    assert "already have" in outbox[0].subject
    assert "http://localhost/reset-password" in outbox[0].body
    assert "/register/" not in outbox[0].body


def test_a_new_email_gets_a_link_that_makes_the_account_once(mail_on, app, client):
    with mail.record_messages() as outbox:
        client.post("/register", data={**NEW_PERSON, "email": "new@example.org"})
    assert [m.recipients for m in outbox] == [["new@example.org"]]
    link = re.search(r"http://localhost(/register/\S+)", outbox[0].body).group(1)
    assert client.get(link).status_code == 302
    assert client.get("/dashboard").status_code == 200
    client.post("/sign-out")
    assert client.get(link).status_code == 404  # spent: the address has an account now
    with app.app_context():
        user = db.session.execute(sa.select(User)).scalar_one()
    assert user.email == "new@example.org"
    assert NEW_PERSON["password"] not in outbox[0].body
    assert (
        client.post(
            "/sign-in", data={"email": "new@example.org", "password": NEW_PERSON["password"]}
        ).status_code
        == 302
    )


def test_a_tampered_registration_link_is_refused(client):
    assert client.get("/register/not-a-token").status_code == 404


def test_without_mail_registering_makes_nothing_and_says_so(app, client):
    response = client.post("/register", data=NEW_PERSON)
    assert response.status_code == 200
    assert "cannot send email" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(User)).first() is None
