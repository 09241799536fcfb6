"""With no mail server, a trainer's upload leaves each new person's link in the outbox: the
trainer never sees it, an administrator reads it there (clearly marked as not sent) and passes
it on, and the person sets their password with it. Every page on the way passes axe."""

from __future__ import annotations

import re

from learning.models import Role

from ..conftest import PASSWORD

NEWCOMER = "email,name,profession,stage\ngrace.a@example.org,Grace Adeyemi,Nurse,qualified\n"


def test_an_admin_passes_on_a_link_that_a_trainers_upload_left_in_the_outbox(
    journey, app, make_user, make_cohort
):
    trainer = make_user(Role.TRAINER, name="Helen Okafor", profession="social-work")
    admin = make_user(Role.ADMIN, name="Ola Admin")
    cohort_id = make_cohort(trainer)
    page = journey.page

    journey.sign_in(trainer.email, PASSWORD)
    journey.goto(f"/trainer/cohorts/{cohort_id}/upload")
    page.set_input_files(
        "#file",
        files=[{"name": "learners.csv", "mimeType": "text/csv", "buffer": NEWCOMER.encode()}],
    )
    with page.expect_navigation():
        page.click("main form [type=submit]")
    journey.assert_accessible()
    assert "Grace Adeyemi" in page.inner_text("main table")
    assert "Waiting for an administrator to pass it on" in page.inner_text("main table")
    assert "/invitation/" not in page.content()

    journey.sign_in(admin.email, PASSWORD)
    journey.goto("/admin/")
    with page.expect_navigation():
        page.click("nav >> text=Outbox")
    journey.assert_accessible()
    assert "Not sent: no mail server is configured" in page.inner_text("main")
    assert "Grace Adeyemi, grace.a@example.org" in page.inner_text("main table")
    with page.expect_navigation():
        page.click("main table >> text=You are invited to Discharge together")
    journey.assert_accessible()
    assert "pass this on to the person yourself" in page.inner_text("main")
    body = page.inner_text("pre.message-body")
    assert "Helen Okafor" in body
    link = re.search(r"http://localhost(/invitation/\S+)", body).group(1)

    page.context.clear_cookies()
    journey.goto(link)
    assert journey.path() == "/invitation"
    page.fill("#password", "grace's own passphrase")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    journey.assert_accessible()
    assert journey.path() == "/dashboard"
    assert "Grace Adeyemi" in page.inner_text("main")
