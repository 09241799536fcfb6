"""CSRF, rate limits, password storage and the secret key."""

from __future__ import annotations

import os
import stat

import pytest
from argon2 import PasswordHasher

from learning import accounts
from learning.config import DEFAULTS, from_environ, instance_secret_key

from .conftest import CHEAP_HASHING, PASSWORD, csrf_token


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_a_form_posted_without_its_csrf_token_is_refused(csrf_on, client, make_user):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_a_form_posted_with_its_csrf_token_is_accepted(csrf_on, client, make_user):
    user = make_user()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_signing_out_without_a_csrf_token_is_refused(csrf_on, client, make_user):
    user = make_user()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/sign-out").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_admin_actions_without_a_csrf_token_are_refused(csrf_on, app, client, make_user):
    from learning.models import Role

    admin = make_user(Role.ADMIN)
    other = make_user()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    response = client.post(f"/admin/users/{other.id}/roles", data={"roles": ["admin"]})
    assert response.status_code == 400


def test_sign_in_is_limited_per_account_across_addresses(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ACCOUNT_CEILING", "3 per minute")
    user = make_user()
    for n in range(3):
        address = {"REMOTE_ADDR": f"10.0.0.{n}"}
        response = client.post(
            "/sign-in", data={"email": user.email, "password": "wrong!"}, environ_base=address
        )
        assert response.status_code == 422
    blocked = client.post(
        "/sign-in",
        data={"email": user.email.upper(), "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    other = make_user()
    response = client.post("/sign-in", data={"email": other.email, "password": PASSWORD})
    assert response.status_code == 302


def test_an_attacker_failing_from_one_address_cannot_lock_the_owner_out(
    app, client, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ACCOUNT", "8 per 10 minutes")
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ACCOUNT_CEILING", "40 per hour")
    owner = make_user()
    attacker = {"REMOTE_ADDR": "203.0.113.66"}
    statuses = [
        client.post(
            "/sign-in", data={"email": owner.email, "password": "guess!"}, environ_base=attacker
        ).status_code
        for _ in range(20)
    ]
    assert statuses == [422] * 8 + [429] * 12
    # Even the right password is refused from the address that has been guessing...
    right = {"email": owner.email, "password": PASSWORD}
    assert client.post("/sign-in", data=right, environ_base=attacker).status_code == 429
    # ...but not from the owner's own address.
    owner_browser = app.test_client()
    response = owner_browser.post("/sign-in", data=right, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302
    assert owner_browser.get("/dashboard").status_code == 200


def test_signing_in_successfully_does_not_count_against_the_limits(
    app, client, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ADDRESS", "3 per minute")
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ACCOUNT", "3 per minute")
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ACCOUNT_CEILING", "3 per minute")
    user = make_user()
    for _ in range(6):  # a shared ward computer: many sign-ins and sign-outs from one address
        assert (
            client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code
            == 302
        )
        client.post("/sign-out")


def test_guessing_one_password_from_many_addresses_meets_the_account_ceiling(
    app, client, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ACCOUNT", "8 per 10 minutes")
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ACCOUNT_CEILING", "40 per hour")
    user = make_user()
    statuses = []
    for n in range(50):  # five guesses from each of ten addresses, each under its own limit
        address = {"REMOTE_ADDR": f"198.51.100.{n // 5}"}
        response = client.post(
            "/sign-in", data={"email": user.email, "password": f"guess {n}"}, environ_base=address
        )
        statuses.append(response.status_code)
    assert statuses == [422] * 40 + [429] * 10
    fresh_address = {"REMOTE_ADDR": "192.0.2.200"}
    right = {"email": user.email, "password": PASSWORD}
    assert client.post("/sign-in", data=right, environ_base=fresh_address).status_code == 429


def test_sign_in_is_limited_per_address_across_accounts(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ADDRESS", "4 per minute")
    for n in range(4):
        response = client.post(
            "/sign-in", data={"email": f"guess{n}@example.test", "password": "guess!"}
        )
        assert response.status_code == 422
    user = make_user()
    blocked = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    elsewhere = client.post(
        "/sign-in",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert elsewhere.status_code == 302


def test_reading_the_sign_in_page_is_not_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ADDRESS", "2 per minute")
    assert all(client.get("/sign-in").status_code == 200 for _ in range(5))


def hash_as_in_production(app, monkeypatch) -> None:
    """From now on the app hashes at production's cost (the suite's app hashes cheaply)."""
    for name in CHEAP_HASHING:
        monkeypatch.setitem(app.config, name, DEFAULTS[name])


def test_passwords_are_hashed_with_argon2id_at_recommended_strength(app, monkeypatch, tmp_path):
    hash_as_in_production(app, monkeypatch)
    assert {name: DEFAULTS[name] for name in CHEAP_HASHING} == {
        "PASSWORD_HASH_TIME_COST": 3,
        "PASSWORD_HASH_MEMORY_COST": 65536,
        "PASSWORD_HASH_PARALLELISM": 4,
    }
    assert not CHEAP_HASHING.keys() & from_environ({}, tmp_path).keys()  # no env, no change
    with app.app_context():
        hashed = accounts.hash_password("a perfectly fine passphrase")
        assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert PasswordHasher().verify(hashed, "a perfectly fine passphrase")
        assert hashed != accounts.hash_password("a perfectly fine passphrase")  # salted


def test_a_password_hashed_at_a_lower_cost_is_rehashed_at_the_next_sign_in(
    app, make_user, monkeypatch
):
    user = make_user()
    hash_as_in_production(app, monkeypatch)
    with app.app_context():
        assert accounts.user_by_email(user.email).password_hash.startswith("$argon2id$v=19$m=1024,")
        signed_in = accounts.authenticate(user.email, PASSWORD)
        assert signed_in.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10"),
        ("qwertyuiop", "too common"),
        ("Password123", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("x" * 257, "256 characters or fewer"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert problem in accounts.password_problem(password)


def test_a_password_made_of_the_email_address_is_refused():
    assert accounts.password_problem("grace.adeyemi1", email="grace.adeyemi@example.org")
    assert accounts.password_problem("river tea kettle") is None


def test_the_generated_secret_key_is_kept_private_and_reused(tmp_path):
    key = instance_secret_key(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600
    assert len(key) >= 64
    assert instance_secret_key(tmp_path) == key


def test_responses_do_not_leak_the_password_hash(client, make_user, login):
    user = make_user()
    login(user)
    for path in ("/dashboard", "/profile"):
        assert "$argon2" not in client.get(path).get_data(as_text=True)
