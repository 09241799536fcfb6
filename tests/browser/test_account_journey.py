"""A newcomer registers, signs out, signs in and edits their profile, using only the keyboard."""

from __future__ import annotations

import re

import sqlalchemy as sa

from learning.extensions import db, mail
from learning.models import User


def test_a_social_worker_does_everything_by_keyboard(journey, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    page = journey.page
    journey.goto("/")

    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert journey.focused()["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert journey.focused()["id"] == "main"

    journey.tab_to(text="Create an account")
    journey.press_enter_and_check()
    assert journey.path() == "/register"

    # Submitting an empty form shows an error summary linked to each field.
    journey.tab_to(text="Create account")
    journey.press_enter_and_check()
    assert page.locator(".error-summary").is_visible()
    assert page.locator(".error-summary a[href='#name']").is_visible()

    journey.type_into("name", "Tom Brennan")
    journey.type_into("email", "tom.brennan@council.example.org")
    journey.type_into("password", "kettle on by the window")
    journey.tab_to(id="profession")
    page.keyboard.type("Social work")
    journey.tab_to(id="stage-0")
    page.keyboard.press("ArrowDown")  # moves to and selects "Qualified practitioner"
    page.keyboard.press("Space")
    journey.type_into("registration_number", "SW60321")
    journey.tab_to(text="Create account")
    with mail.record_messages() as outbox:
        journey.press_enter_and_check()
    assert "Check your email" in page.inner_text("main")
    # The emailed link finishes the account and signs Tom in.
    journey.goto(re.search(r"http://localhost(/register/\S+)", outbox[0].body).group(1))
    assert journey.path() == "/dashboard"
    assert "Welcome, Tom Brennan" in page.content()
    assert "Social Work England" in page.inner_text("main")

    journey.tab_to(text="Sign out")
    journey.press_enter_and_check()
    assert journey.path() == "/"
    assert "You have signed out" in page.inner_text("main")

    journey.tab_to(text="Sign in")
    journey.press_enter_and_check()
    journey.type_into("email", "tom.brennan@council.example.org")
    journey.type_into("password", "not the password")
    journey.press_enter_and_check()
    assert "The email address or password is not right" in page.inner_text("main")

    journey.type_into("password", "kettle on by the window")
    journey.tab_to(id="remember")
    page.keyboard.press("Space")
    journey.tab_to(text="Sign in")
    journey.press_enter_and_check()
    assert journey.path() == "/dashboard"

    journey.tab_to(text="Profile: Tom Brennan")
    journey.press_enter_and_check()
    assert journey.path() == "/profile"
    journey.type_into("name", "Tom Brennan-Shah")
    journey.type_into("registration_number", "SW60322")
    journey.tab_to(text="Save changes")
    journey.press_enter_and_check()
    assert "Your profile has been saved" in page.inner_text("main")

    with app.app_context():
        user = db.session.execute(sa.select(User)).scalar_one()
        assert (user.name, user.profession_code, user.stage.value, user.registration_number) == (
            "Tom Brennan-Shah",
            "social-work",
            "qualified",
            "SW60322",
        )
