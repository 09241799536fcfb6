"""The accessibility statement: public, linked from every page, completed by configuration."""

from __future__ import annotations

from learning import create_app

from .conftest import FIXTURE_COURSE

SETTINGS = (
    "ACCESSIBILITY_ORGANISATION",
    "ACCESSIBILITY_CONTACT",
    "ACCESSIBILITY_RESPONSE_DAYS",
    "ACCESSIBILITY_TESTED",
    "ACCESSIBILITY_REVIEWED",
)


def test_anyone_reads_the_statement_from_the_footer_of_every_page(client, make_user, login):
    for path in ("/", "/modules", "/sign-in", "/no-such-page"):
        footer = client.get(path).get_data(as_text=True).split('class="site-footer"')[1]
        assert 'href="/accessibility"' in footer, path
    login(make_user())
    footer = client.get("/dashboard").get_data(as_text=True).split('class="site-footer"')[1]
    assert 'href="/accessibility"' in footer
    page = client.get("/accessibility")
    assert page.status_code == 200


def test_the_statement_says_what_the_regulations_ask(client):
    text = client.get("/accessibility").get_data(as_text=True)
    for heading in (
        "Accessibility statement for Learning Together",
        "How accessible this website is",
        "Known problems",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Preparation of this accessibility statement",
    ):
        assert heading in text, heading
    assert "WCAG) version 2.2 at level AA" in text
    assert "partially compliant" in text
    assert "Public Sector Bodies (Websites and Mobile Applications) (No. 2)" in text
    assert "equalityadvisoryservice.com" in text


def test_an_unconfigured_statement_says_which_details_the_organisation_must_give(client):
    text = client.get("/accessibility").get_data(as_text=True)
    for setting in SETTINGS:
        assert f"sets {setting}" in text, setting


def test_the_organisation_completes_the_statement_through_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-not-for-production")
    monkeypatch.setenv("CONTENT_ROOT", str(FIXTURE_COURSE))
    monkeypatch.setenv("ACCESSIBILITY_ORGANISATION", "Northshire Community NHS Trust")
    monkeypatch.setenv("ACCESSIBILITY_CONTACT", "accessibility@northshire.example, 0300 000 0000")
    monkeypatch.setenv("ACCESSIBILITY_RESPONSE_DAYS", "5")
    monkeypatch.setenv("ACCESSIBILITY_TESTED", "on 2 March 2027 by the trust's digital team")
    monkeypatch.setenv("ACCESSIBILITY_REVIEWED", "9 March 2027")
    app = create_app({"TESTING": True})
    text = app.test_client().get("/accessibility").get_data(as_text=True)
    assert "Northshire Community NHS Trust is committed to making its website accessible" in text
    assert "accessibility@northshire.example, 0300 000 0000" in text
    assert "reply within 5 working days" in text
    assert "on 2 March 2027 by the trust&#39;s digital team" in text
    assert "9 March 2027" in text
    assert "Not yet given" not in text
