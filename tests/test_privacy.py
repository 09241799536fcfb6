"""The privacy notice: public, linked from every page, completed by configuration."""

from __future__ import annotations

from learning import create_app
from learning.config import DEFAULTS

from .conftest import FIXTURE_COURSE


def test_anyone_can_read_the_privacy_notice_from_the_footer_of_every_page(client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in home.split('class="site-footer"')[1]
    page = client.get("/privacy")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for heading in ("Who is responsible for your data", "What we hold", "Your rights"):
        assert heading in text
    assert "ico.org.uk" in text


def test_an_unconfigured_notice_says_which_details_the_organisation_must_give(client):
    text = client.get("/privacy").get_data(as_text=True)
    for setting in ("PRIVACY_CONTROLLER", "PRIVACY_CONTACT", "PRIVACY_DPO"):
        assert f"sets {setting}" in text
    assert f"{DEFAULTS['RETENTION_RECORD_YEARS']} years after it closes" in text
    assert f"{DEFAULTS['RETENTION_INACTIVE_MONTHS']} months" in text


def test_the_organisation_completes_the_notice_through_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-not-for-production")
    monkeypatch.setenv("CONTENT_ROOT", str(FIXTURE_COURSE))
    monkeypatch.setenv("PRIVACY_CONTROLLER", "Northshire Community NHS Trust")
    monkeypatch.setenv("PRIVACY_CONTACT", "information.governance@northshire.example")
    monkeypatch.setenv("PRIVACY_DPO", "Priya Shah, dpo@northshire.example")
    monkeypatch.setenv("RETENTION_RECORD_YEARS", "8")
    monkeypatch.setenv("RETENTION_BACKUP_DAYS", "14")
    app = create_app({"TESTING": True})
    text = app.test_client().get("/privacy").get_data(as_text=True)
    assert "Northshire Community NHS Trust" in text
    assert "information.governance@northshire.example" in text
    assert "Priya Shah, dpo@northshire.example" in text
    assert "Not yet given" not in text
    assert "certificates for 8 years after it closes" in text
    assert "<td>14 days</td>" in text


def test_the_notice_says_how_to_close_an_account_and_what_is_kept(client, make_user, login):
    text = client.get("/privacy").get_data(as_text=True)
    assert 'id="closing"' in text and "Closing your account" in text
    assert f"without your name for {DEFAULTS['RETENTION_RECORD_YEARS']} years" in text
    assert f"{DEFAULTS['RETENTION_AUDIT_YEARS']} years after they were made" in text
    login(make_user())
    assert 'href="/profile/close"' in client.get("/privacy").get_data(as_text=True)
