"""Registering, signing in and out, resetting and changing passwords."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from learning import accounts
from learning.extensions import db, mail
from learning.models import User
from learning.views.auth import REMEMBER_COOKIE, SIGN_IN_FAILED

from .conftest import PASSWORD

NEW_PERSON = {
    "name": "Grace Adeyemi",
    "email": "Grace.Adeyemi@Example.org ",
    "password": "tea and biscuits on the ward",
    "profession": "nursing",
    "stage": "qualified",
    "organisation": "0",
    "registration_number": "12B3456E",
}


def test_a_nurse_registers_and_lands_on_her_dashboard_signed_in(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    with mail.record_messages() as outbox:
        client.post("/register", data=NEW_PERSON)
    link = re.search(r"http://localhost(/register/\S+)", outbox[0].body).group(1)
    response = client.get(link, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Welcome, Grace Adeyemi" in page
    assert "Nursing and Midwifery Council (NMC)" in page
    with app.app_context():
        user = db.session.execute(sa.select(User)).scalar_one()
        assert user.email == "grace.adeyemi@example.org"
        assert user.profession.regulator.short == "NMC"
        assert user.password_hash.startswith("$argon2id$")
        assert NEW_PERSON["password"] not in user.password_hash


def test_registering_with_mistakes_lists_every_problem_and_keeps_what_was_typed(client):
    data = {**NEW_PERSON, "email": "not-an-email", "password": "short", "profession": ""}
    response = client.post("/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page
    assert 'href="#email"' in page and 'href="#password"' in page and 'href="#profession"' in page
    assert "Password must be at least 10 characters" in page
    assert 'value="Grace Adeyemi"' in page and 'value="not-an-email"' in page
    assert 'value="12B3456E"' in page
    assert 'value="short"' not in page  # passwords are never echoed back


def test_a_common_password_is_refused(client):
    response = client.post("/register", data={**NEW_PERSON, "password": "password123"})
    assert response.status_code == 422
    assert "too common" in response.get_data(as_text=True)


def test_an_email_can_only_register_once_whatever_its_case(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    make_user(email="grace.adeyemi@example.org")
    with mail.record_messages() as outbox:
        response = client.post("/register", data=NEW_PERSON)
    assert response.status_code == 200
    assert "/register/" not in outbox[0].body
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(User.id))).scalar_one() == 1


def test_an_unknown_profession_code_is_refused(client):
    response = client.post("/register", data={**NEW_PERSON, "profession": "astronaut"})
    assert response.status_code == 422


def test_unknown_email_and_wrong_password_get_the_same_message(client, make_user):
    user = make_user()
    unknown = client.post("/sign-in", data={"email": "nobody@example.test", "password": PASSWORD})
    wrong = client.post("/sign-in", data={"email": user.email, "password": "not my password"})
    assert unknown.status_code == wrong.status_code == 422

    def message(response):
        return re.findall(
            r'class="error-message"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S
        )

    assert message(unknown) == message(wrong)
    assert SIGN_IN_FAILED in unknown.get_data(as_text=True)


def test_signing_in_records_the_time_and_remember_me_sets_a_cookie(app, client, make_user):
    user = make_user()
    response = client.post(
        "/sign-in", data={"email": user.email.upper(), "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    assert client.get_cookie(REMEMBER_COOKIE) is not None
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None


def test_without_remember_me_no_lasting_cookie_is_set(client, make_user):
    user = make_user()
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD}
    assert client.post("/sign-in?next=/profile", data=data).location == "/profile"
    client.post("/sign-out")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert client.post(f"/sign-in?next={evil}", data=data).location == "/dashboard"
        client.post("/sign-out")


def test_signing_out_needs_a_post_and_ends_the_session(client, make_user, login):
    login(make_user())
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 302
    assert client.get("/dashboard").status_code == 302


def _reset_link(app, user) -> str:
    with app.app_context():
        person = db.session.get(User, user.id)
        return "/reset-password/" + accounts.reset_token(person, app.config["SECRET_KEY"])


def test_a_reset_link_sets_a_new_password_once_only(app, client, make_user):
    user = make_user()
    link = _reset_link(app, user)
    assert client.get(link).location == "/new-password"  # the token leaves the URL at once
    assert client.get("/new-password").status_code == 200
    response = client.post("/new-password", data={"password": "a brand new passphrase"})
    assert response.status_code == 302
    assert client.post("/new-password", data={"password": "another new one"}).status_code == 404
    assert client.get(link).status_code == 404
    ok = client.post("/sign-in", data={"email": user.email, "password": "a brand new passphrase"})
    assert ok.status_code == 302


def test_a_reset_link_expires_after_an_hour(app, client, make_user):
    user = make_user()
    with freeze_time() as clock:
        link = _reset_link(app, user)
        clock.tick(timedelta(minutes=59))
        assert client.get(link).status_code == 302
        clock.tick(timedelta(minutes=2))
        assert client.get("/new-password").status_code == 404
        assert client.get(link).status_code == 404


def test_a_tampered_reset_link_is_refused(app, client, make_user):
    link = _reset_link(app, make_user())
    assert client.get(link[:-2] + ("AA" if not link.endswith("AA") else "BB")).status_code == 404


def test_asking_for_a_reset_says_the_same_whether_or_not_the_account_exists(client, make_user):
    user = make_user()
    known = client.post("/reset-password", data={"email": user.email}).get_data(as_text=True)
    unknown = client.post("/reset-password", data={"email": "nobody@example.test"}).get_data(
        as_text=True
    )
    assert known.replace(user.email, "EMAIL") == unknown.replace("nobody@example.test", "EMAIL")
    assert "ask your administrator" in known


def test_with_mail_configured_the_reset_link_is_emailed(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    user = make_user()
    with mail.record_messages() as outbox:
        client.post("/reset-password", data={"email": user.email})
        client.post("/reset-password", data={"email": "nobody@example.test"})
    assert [m.recipients for m in outbox] == [[user.email]]
    link = re.search(r"http://localhost(/reset-password/\S+)", outbox[0].body).group(1)
    assert client.get(link).status_code == 302
    assert (
        client.post("/new-password", data={"password": "emailed link passphrase"}).status_code
        == 302
    )


def test_changing_the_password_signs_out_other_sessions_but_not_this_one(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/sign-in", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    response = laptop.post(
        "/profile/password",
        data={"current_password": PASSWORD, "password": "fresh passphrase for me"},
    )
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 200
    assert phone.get("/dashboard").status_code == 302
    # The phone's remember-me cookie no longer works either.
    phone.delete_cookie("session")
    assert phone.get("/dashboard").status_code == 302


def test_changing_the_password_needs_the_current_one(client, make_user, login):
    login(make_user())
    response = client.post(
        "/profile/password",
        data={"current_password": "wrong one!", "password": "new passphrase ok"},
    )
    assert response.status_code == 422
    assert "Your current password is not right" in response.get_data(as_text=True)


def test_a_learner_edits_their_profile(app, client, make_user, login):
    user = make_user(profession="nursing")
    login(user)
    page = client.get("/profile").get_data(as_text=True)
    assert 'value="nursing" selected' in page or 'selected value="nursing"' in page
    response = client.post(
        "/profile",
        data={
            "name": "Sam Example-Jones",
            "profession": "occupational-therapy",
            "stage": "student",
            "registration_number": "",
        },
        follow_redirects=True,
    )
    assert "Your profile has been saved" in response.get_data(as_text=True)
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.name, saved.profession_code, saved.stage.value) == (
            "Sam Example-Jones",
            "occupational-therapy",
            "student",
        )
        assert saved.registration_number is None


def test_a_profile_with_a_blank_name_is_refused_and_the_rest_kept(client, make_user, login):
    login(make_user())
    response = client.post(
        "/profile",
        data={
            "name": " ",
            "profession": "housing",
            "stage": "qualified",
            "registration_number": "X1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your full name" in page
    assert 'value="X1"' in page
