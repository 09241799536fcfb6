"""An administrator searches the audit trail: every page on the way passes axe."""

from __future__ import annotations

from learning import demo
from learning.curriculum import curriculum
from learning.extensions import db


def test_an_admin_searches_the_audit_trail_and_downloads_it(journey, app):
    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"], curriculum())
        db.session.commit()
    page = journey.page
    journey.sign_in("admin@demo.test", app.config["DEMO_PASSWORD"])

    journey.goto("/admin/")
    with page.expect_navigation():
        page.click("nav >> text=Audit trail")
    journey.assert_accessible()
    assert "Sign in refused" in page.inner_text("main table")

    page.fill("#subject", "priya")
    page.select_option("#action", "signed-out-everywhere")
    with page.expect_navigation():
        page.click("main >> text=Search")
    journey.assert_accessible()
    table = page.inner_text("main table")
    assert "Signed out everywhere" in table and "Priya Sharma" in table
    assert "Sign in refused" not in table

    page.fill("#since", "2026-06-30")
    page.fill("#until", "2026-06-01")
    with page.expect_navigation():
        page.click("main >> text=Search")
    journey.assert_accessible()
    assert page.locator(".error-summary").is_visible()
    assert page.input_value("#subject") == "priya"

    page.fill("#since", "")
    page.fill("#until", "")
    with page.expect_navigation():
        page.click("main >> text=Search")
    with page.expect_download() as download:
        page.click("text=Download these entries as CSV")
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: PTH123
    assert text.startswith("When (UTC),Action,By,About")
    assert "Signed out everywhere" in text and "Sign in refused" not in text


def test_an_employer_reads_the_entries_about_their_organisation(journey, app):
    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"], curriculum())
        db.session.commit()
    page = journey.page
    journey.sign_in("employer@demo.test", app.config["DEMO_PASSWORD"])
    journey.goto("/employer/")
    with page.expect_navigation():
        page.click("nav >> text=Audit trail")
    journey.assert_accessible()
    table = page.inner_text("main table")
    assert "Requirement added" in table and "Priya Sharma" in table  # signed out everywhere
    assert "Tom Brennan" not in table  # the council's social worker
