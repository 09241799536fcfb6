"""Employers and records: an employer sets required training and reads compliance; a nurse
downloads a certificate, checks it, adds to her CPD record and exports it for the NMC."""

from __future__ import annotations

import re

from learning.models import Role

from ..conftest import PASSWORD


def test_an_employer_sets_a_requirement_and_downloads_the_matrix(
    journey, make_user, make_organisation
):
    trust = make_organisation("Riverside NHS Foundation Trust")
    employer = make_user(Role.EMPLOYER, name="Gareth Lloyd", organisation=trust)
    make_user(name="Grace Adeyemi", organisation=trust)
    page = journey.page
    journey.sign_in(employer.email, PASSWORD)
    journey.goto("/employer/")
    with page.expect_navigation():
        page.click("nav.subnav >> text=Required training")
    journey.assert_accessible()
    with page.expect_navigation():
        page.click("main input[value='Add requirement']")
    journey.assert_accessible()
    assert page.locator(".error-summary").is_visible()
    page.select_option("#item", "module:hospital-discharge")
    page.fill("#refresh_months", "36")
    with page.expect_navigation():
        page.click("main input[value='Add requirement']")
    journey.assert_accessible()
    assert "is now required" in page.inner_text("main")
    with page.expect_navigation():
        page.click("nav.subnav >> text=Staff compliance")
    journey.assert_accessible()
    assert "Not started" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("a:has-text('Download as CSV')")
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Name,Email,Profession,Stage,Hospital discharge: state")
    assert len(lines) == 3  # the employer and Grace
    with page.expect_navigation():
        page.click("main >> text=Grace Adeyemi")
    journey.assert_accessible()
    journey.goto("/employer/joint-learning")


def test_a_nurse_gets_a_certificate_checks_it_and_exports_her_cpd(journey, make_user):
    nurse = make_user(name="Grace Adeyemi", profession="nursing")
    page = journey.page
    journey.sign_in(nurse.email, PASSWORD)
    journey.goto("/modules/hospital-discharge")
    with page.expect_navigation():
        page.click("text=Mark as complete")
    journey.assert_accessible()

    journey.goto("/certificates")
    with page.expect_download() as download:
        page.click("text=Download certificate")
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    code = re.search(r"certificate-([A-Z0-9-]+)\.pdf", download.value.suggested_filename).group(1)
    journey.goto(f"/verify/{code}")
    assert "Genuine" in page.inner_text("main")

    journey.goto("/cpd")
    with page.expect_navigation():
        page.click("text=Add an activity")
    journey.assert_accessible()
    page.fill("#on", "2026-10-01")
    page.select_option("#activity", "group")
    page.fill("#topic", "Joint discharge planning workshop")
    page.fill("#hours", "3")
    page.check("#participatory")
    page.fill("#learned", "How housing assesses threatened homelessness.")
    page.fill("#impact", "I ask about housing on admission.")
    with page.expect_navigation():
        page.click("main input[value='Add to my record']")
    journey.assert_accessible()
    assert "Joint discharge planning workshop" in page.inner_text("main")
    with page.expect_navigation():
        page.click("text=NMC CPD record: printable")
    journey.assert_accessible()
    assert (
        "Reflective accounts" in page.inner_text("main")
        or "reflective" in page.inner_text("main").lower()
    )
    with page.expect_download() as download:
        page.click("text=Download as CSV")
    assert "Link to the Code" in download.value.path().read_text(encoding="utf-8-sig")
