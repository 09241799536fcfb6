"""A learner asks to close their account from their profile and an administrator closes it:
every page on the way passes axe."""

from __future__ import annotations

import sqlalchemy as sa

from learning.extensions import db
from learning.models import AuditAction, AuditEntry, Role, User

from ..conftest import PASSWORD


def test_a_learner_asks_to_close_their_account_and_an_administrator_closes_it(
    journey, app, make_user, make_organisation
):
    organisation = make_organisation("Riverside NHS Foundation Trust")
    learner = make_user(name="Priya Sharma", email="priya@example.test", organisation=organisation)
    admin = make_user(Role.ADMIN, name="Alex Admin", email="alex@admin.example")
    page = journey.page

    journey.sign_in(learner.email, PASSWORD)
    journey.goto("/profile")
    with page.expect_navigation():
        page.click("text=ask to close your account")
    journey.assert_accessible()
    main = page.inner_text("main")
    assert "What is removed" in main and "What is kept" in main
    assert f"For {app.config['RETENTION_RECORD_YEARS']} years" in main
    with page.expect_navigation():
        page.click("button:has-text('Ask to close my account')")
    journey.assert_accessible()
    assert "you asked to close your account" in page.inner_text("main")
    assert page.locator("button:has-text('Withdraw your request')").is_visible()

    journey.sign_in(admin.email, PASSWORD)
    journey.goto("/admin/")
    with page.expect_navigation():
        page.click("nav >> text=Accounts to review")
    journey.assert_accessible()
    with page.expect_navigation():
        page.click("#requests ~ table >> text=Priya Sharma")
    journey.assert_accessible()
    assert "Asked to close" in page.inner_text("main")
    with page.expect_navigation():
        page.click(".notice >> text=Close this account")
    journey.assert_accessible()
    assert "Close Priya Sharma's account" in page.inner_text("h1")

    page.fill("#email", "someone@else.example")
    with page.expect_navigation():
        page.click("button:has-text('Close this account')")
    journey.assert_accessible()
    assert page.locator(".error-summary").is_visible()
    assert page.input_value("#email") == "someone@else.example"

    page.fill("#email", learner.email)
    with page.expect_navigation():
        page.click("button:has-text('Close this account')")
    journey.assert_accessible()
    main = page.inner_text("main")
    assert f"Account {learner.id} is closed" in main
    assert "this account was closed on" in main and "Priya Sharma" not in main

    page.context.clear_cookies()
    journey.goto("/sign-in")
    page.fill("#email", learner.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main input[type=submit]")
    journey.assert_accessible()
    assert "The email address or password is not right" in page.inner_text("main")

    with app.app_context():
        closed = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.ACCOUNT_CLOSED)
        ).scalar_one()
        assert closed.actor_id == admin.id and closed.subject == f"Account {learner.id}"
        assert db.session.get(User, learner.id).closed_at is not None
