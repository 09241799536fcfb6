"""Sessions that end: sign-out, password changes, an administrator, and remember-me tokens."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from learning.extensions import db
from learning.models import RememberToken, Role
from learning.views.auth import REMEMBER_COOKIE

from .conftest import PASSWORD, csrf_token


def _signed_in(app, user, *, remember: bool = False):
    """A new browser signed in as ``user``."""
    browser = app.test_client()
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert browser.post("/sign-in", data=data).status_code == 302
    return browser


def _copy(browser, app, name: str = "session"):
    """Another browser holding a copy of one of ``browser``'s cookies."""
    thief = app.test_client()
    thief.set_cookie(name, browser.get_cookie(name).value)
    return thief


def _remembered_only(browser):
    """Drop the session cookie, as a browser does when it is closed."""
    browser.delete_cookie("session")
    return browser


def test_a_copied_session_cookie_is_refused_after_sign_out(app, make_user):
    browser = _signed_in(app, make_user())
    thief = _copy(browser, app)
    assert thief.get("/dashboard").status_code == 200
    browser.post("/sign-out")
    assert thief.get("/dashboard").status_code == 302
    assert browser.get("/dashboard").status_code == 302


def test_signing_out_on_one_device_leaves_the_persons_other_devices_signed_in(app, make_user):
    user = make_user()
    laptop, phone = _signed_in(app, user), _signed_in(app, user)
    remembered = _remembered_only(_signed_in(app, user, remember=True))
    laptop.post("/sign-out")
    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 200
    assert remembered.get("/dashboard").status_code == 200


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(app, make_user):
    with freeze_time() as clock:
        browser = _signed_in(app, make_user())
        for _ in range(11):
            clock.tick(timedelta(hours=1))
            assert browser.get("/dashboard").status_code == 200
        clock.tick(timedelta(hours=1))
        assert browser.get("/dashboard").status_code == 302


def test_a_copied_cookie_of_a_session_that_signed_in_again_is_still_refused(app, make_user):
    user = make_user()
    browser = _signed_in(app, user)
    thief = _copy(browser, app)
    browser.post("/sign-out")
    browser.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert browser.get("/dashboard").status_code == 200
    assert thief.get("/dashboard").status_code == 302


def test_a_password_change_ends_copied_sessions_and_keeps_the_one_that_changed_it(app, make_user):
    user = make_user()
    laptop = _signed_in(app, user)
    thief = _copy(laptop, app)
    response = laptop.post(
        "/profile/password",
        data={"current_password": PASSWORD, "password": "fresh passphrase for me"},
    )
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 200
    assert thief.get("/dashboard").status_code == 302


def test_an_administrator_signs_a_person_out_everywhere(app, client, make_user, login):
    person = make_user(name="Lost Phone")
    phone = _signed_in(app, person, remember=True)
    remembered = _copy(phone, app, REMEMBER_COOKIE)
    login(make_user(Role.ADMIN))
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Sign Lost Phone out everywhere" in page
    response = client.post(f"/admin/users/{person.id}/sign-out", follow_redirects=True)
    assert "Lost Phone has been signed out everywhere" in response.get_data(as_text=True)
    assert phone.get("/dashboard").status_code == 302
    assert remembered.get("/dashboard").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_signing_a_person_out_everywhere_needs_an_administrator_and_a_csrf_token(
    app, client, make_user, login, monkeypatch
):
    person = make_user()
    phone = _signed_in(app, person)
    login(make_user(Role.TRAINER))
    assert client.post(f"/admin/users/{person.id}/sign-out").status_code in {403, 404}
    client.post("/sign-out")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    admin = make_user(Role.ADMIN)
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/admin/users/{person.id}/sign-out").status_code == 400
    assert phone.get("/dashboard").status_code == 200


def test_remember_me_brings_a_person_back_once_and_rotates_the_token(app, make_user):
    user = make_user()
    browser = _remembered_only(_signed_in(app, user, remember=True))
    first = browser.get_cookie(REMEMBER_COOKIE).value
    thief = _copy(browser, app, REMEMBER_COOKIE)
    assert browser.get("/dashboard").status_code == 200
    second = browser.get_cookie(REMEMBER_COOKIE).value
    assert second != first
    # The spent token is worth nothing to whoever copied it...
    assert _remembered_only(thief).get("/dashboard").status_code == 302
    # ...while the new one works, once.
    assert _remembered_only(browser).get("/dashboard").status_code == 200
    assert browser.get_cookie(REMEMBER_COOKIE).value not in {first, second}
    with app.app_context():
        stored = db.session.execute(sa.select(RememberToken.token_hash)).scalars().all()
    current = browser.get_cookie(REMEMBER_COOKIE).value
    assert stored == [hashlib.sha256(current.encode()).hexdigest()]


def test_remember_me_tokens_differ_at_every_sign_in(app, make_user):
    user = make_user()
    tokens = {
        _signed_in(app, user, remember=True).get_cookie(REMEMBER_COOKIE).value for _ in range(3)
    }
    assert len(tokens) == 3


def test_remember_me_fails_after_sign_out(app, make_user):
    user = make_user()
    browser = _signed_in(app, user, remember=True)
    copied = _copy(browser, app, REMEMBER_COOKIE)
    browser.post("/sign-out")
    assert browser.get_cookie(REMEMBER_COOKIE) is None
    assert copied.get("/dashboard").status_code == 302


def test_remember_me_fails_after_a_password_change(app, make_user):
    user = make_user()
    laptop = _signed_in(app, user)
    phone = _remembered_only(_signed_in(app, user, remember=True))
    laptop.post(
        "/profile/password",
        data={"current_password": PASSWORD, "password": "fresh passphrase for me"},
    )
    assert phone.get("/dashboard").status_code == 302
    assert phone.get_cookie(REMEMBER_COOKIE) is None


def test_an_expired_remember_me_token_fails(app, make_user):
    user = make_user()
    with freeze_time() as clock:
        browser = _remembered_only(_signed_in(app, user, remember=True))
        clock.tick(timedelta(days=13))
        assert browser.get("/dashboard").status_code == 200
        # Rotating the token did not move its expiry: 14 days from signing in, not from use.
        clock.tick(timedelta(days=1, minutes=1))
        assert _remembered_only(browser).get("/dashboard").status_code == 302


def test_a_persons_expired_remember_me_tokens_are_removed_when_a_new_one_is_made(app, make_user):
    user = make_user()
    with freeze_time() as clock:
        _signed_in(app, user, remember=True)
        clock.tick(timedelta(days=15))
        _signed_in(app, user, remember=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(RememberToken.id))).scalar() == 1


def test_a_remember_me_token_presented_by_several_requests_at_once_works_for_one(app, make_user):
    browser = _remembered_only(_signed_in(app, make_user(), remember=True))
    copies = [_copy(browser, app, REMEMBER_COOKIE) for _ in range(6)]
    start = threading.Barrier(len(copies))

    def visit(copy):
        start.wait()
        return copy.get("/dashboard").status_code

    with ThreadPoolExecutor(len(copies)) as pool:
        statuses = list(pool.map(visit, copies))
    assert sorted(statuses) == [200] + [302] * 5


def test_signing_out_twice_at_once_ends_the_session_without_an_error(app, make_user):
    browser = _signed_in(app, make_user())
    copies = [_copy(browser, app) for _ in range(4)]
    start = threading.Barrier(len(copies))

    def sign_out(copy):
        start.wait()
        return copy.post("/sign-out").status_code

    with ThreadPoolExecutor(len(copies)) as pool:
        assert list(pool.map(sign_out, copies)) == [302] * 4
    assert browser.get("/dashboard").status_code == 302
