"""Trainers, employers and administrators at work: every page they visit passes axe."""

from __future__ import annotations

import sqlalchemy as sa

from learning import demo
from learning.curriculum import curriculum
from learning.extensions import db
from learning.models import Organisation, Role, User


def _load_demo(app) -> str:
    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"], curriculum())
        db.session.commit()
    return app.config["DEMO_PASSWORD"]


def test_an_admin_makes_a_nurse_a_trainer_and_adds_an_organisation(journey, app):
    password = _load_demo(app)
    page = journey.page
    journey.sign_in("admin@demo.test", password)

    journey.goto("/admin/")
    page.fill("#q", "adeyemi")
    with page.expect_navigation():
        page.click("main >> text=Search")
    journey.assert_accessible()
    with page.expect_navigation():
        page.click("text=Grace Adeyemi")
    journey.assert_accessible()
    page.check("input[value=trainer]")
    with page.expect_navigation():
        page.click("text=Save roles")
    journey.assert_accessible()
    assert "Roles saved for Grace Adeyemi" in page.inner_text("main")
    with page.expect_navigation():
        page.click("text=Create a reset link")
    journey.assert_accessible()
    assert "/reset-password/" in page.input_value("#reset-link")

    journey.goto("/admin/organisations")
    with page.expect_navigation():
        page.click("text=Add an organisation")
    journey.assert_accessible()
    with page.expect_navigation():
        page.click("text=Save organisation")
    journey.assert_accessible()
    assert page.locator(".error-summary").is_visible()
    page.fill("#name", "Age UK Northfield")
    page.select_option("#kind", "voluntary")
    with page.expect_navigation():
        page.click("text=Save organisation")
    journey.assert_accessible()
    assert "Age UK Northfield" in page.inner_text("main")
    with app.app_context():
        assert db.session.execute(
            sa.select(Organisation).where(Organisation.name == "Age UK Northfield")
        ).scalar_one()
        nurse = db.session.execute(
            sa.select(User).where(User.email == "aisha.rahman@demo.test")
        ).scalar_one_or_none()
        grace = db.session.execute(sa.select(User).where(User.name == "Grace Adeyemi")).scalar_one()
        assert nurse is not None and Role.TRAINER in grace.roles


def test_trainer_and_employer_pages_and_refusals_are_accessible(journey, app):
    password = _load_demo(app)
    journey.sign_in("trainer@demo.test", password)
    journey.goto("/trainer/")
    assert "Occupational therapy" in journey.page.inner_text("main")
    journey.goto("/admin/")
    assert "You do not have access" in journey.page.inner_text("main")
    journey.goto("/no-such-page")
    assert "Page not found" in journey.page.inner_text("main")

    journey.sign_in("employer@demo.test", password)
    journey.goto("/employer/")
    journey.goto("/employer/requirements")
    journey.goto("/employer/joint-learning")
    journey.goto("/employer/compliance")
    text = journey.page.inner_text("main")
    assert "Grace Adeyemi" in text and "Tom Brennan" not in text
    journey.goto("/profile/password")
    journey.goto("/reset-password")
    journey.goto("/reset-password/expired-or-made-up")
    assert "This link cannot be used" in journey.page.inner_text("main")
