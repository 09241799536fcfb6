"""Absolute links come from the configured site, never from the request's Host."""

from __future__ import annotations

import re

from flask import render_template_string, url_for

from learning.config import from_environ
from learning.extensions import mail
from learning.models import Role


def test_a_reset_asked_for_with_a_forged_host_mails_a_link_on_the_site(
    app, client, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    monkeypatch.setitem(app.config, "SITE_URL", "https://learning.example.test")
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", None)  # as if a proxy let it through
    user = make_user()
    with mail.record_messages() as outbox:
        client.post(
            "/reset-password",
            data={"email": user.email},
            headers={"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"},
        )
    body = outbox[0].body
    assert "attacker.example" not in body
    assert re.search(r"https://learning\.example\.test/reset-password/\S+", body)


def test_a_request_for_an_untrusted_host_is_refused(client):
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400
    assert client.post("/reset-password", headers={"Host": "attacker.example"}).status_code == 400


def test_the_trusted_hosts_are_served(client):
    for host in ("localhost", "127.0.0.1:8000"):
        assert client.get("/", headers={"Host": host}).status_code == 200


def test_an_admins_reset_link_is_on_the_site(app, client, make_user, login, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_URL", "https://learning.example.test")
    person = make_user(email="person@example.test")
    login(make_user(Role.ADMIN))
    page = client.post(f"/admin/users/{person.id}/reset-link").get_data(as_text=True)
    assert "https://learning.example.test/reset-password/" in page


def test_the_site_url_and_trusted_hosts_come_from_the_environment(tmp_path):
    config = from_environ(
        {"SITE_URL": "https://learning.example.test", "TRUSTED_HOSTS": "learning.example.test, "},
        tmp_path,
    )
    assert config["SITE_URL"] == "https://learning.example.test"
    assert config["TRUSTED_HOSTS"] == ["learning.example.test"]


def test_certificate_and_join_links_are_on_the_site_whatever_the_host(app, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_URL", "https://learning.example.test/")
    with app.test_request_context("/", headers={"Host": "127.0.0.1:8000"}):
        assert (
            url_for("records.verify", code="AAAA", _external=True)
            == "https://learning.example.test/verify/AAAA"
        )
        assert render_template_string(
            "{{ url_for('learner.join', code='XY', _external=True) }}"
        ).startswith("https://learning.example.test/join")
        assert url_for("records.verify", code="AAAA") == "/verify/AAAA"


def test_absolute_links_made_outside_a_request_are_on_the_site_too(app, monkeypatch):
    # A command or a job writing an email has no request, and no Host to be fooled by.
    monkeypatch.setitem(app.config, "SITE_URL", "https://learning.example.test")
    with app.app_context():
        assert url_for("records.verify", code="ABC 1", _external=True) == (
            "https://learning.example.test/verify/ABC%201"
        )
        assert url_for("learner.dashboard", _external=True, _anchor="cohorts") == (
            "https://learning.example.test/dashboard#cohorts"
        )
        assert render_template_string("{{ url_for('auth.sign_in', _external=True) }}") == (
            "https://learning.example.test/sign-in"
        )
