"""An employer confirms someone who said they work there: every page passes axe."""

from __future__ import annotations

import sqlalchemy as sa

from learning import demo
from learning.curriculum import curriculum
from learning.extensions import db
from learning.models import Membership, User


def test_an_employer_confirms_a_pending_member(journey, app):
    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"], curriculum())
        db.session.commit()
    password = app.config["DEMO_PASSWORD"]
    page = journey.page

    journey.sign_in("liam.foster@demo.test", password)
    journey.goto("/dashboard")
    assert "Its employers have not confirmed this yet" in page.inner_text("main")

    journey.sign_in("employer@demo.test", password)
    journey.goto("/employer/")
    assert "1 person says they work here" in page.inner_text("main")
    with page.expect_navigation():
        page.click("text=Confirm or decline them")
    journey.assert_accessible()
    assert "Liam Foster" in page.inner_text("main")
    with page.expect_navigation():
        page.click("button:has-text('Confirm Liam Foster')")
    journey.assert_accessible()
    assert "Liam Foster is now confirmed" in page.inner_text("main")
    assert "Nobody is waiting for confirmation" in page.inner_text("main")
    with app.app_context():
        liam = db.session.execute(
            sa.select(User).where(User.email == "liam.foster@demo.test")
        ).scalar_one()
        assert liam.membership is Membership.CONFIRMED

    journey.goto(f"/employer/staff/{liam.id}")
    with page.expect_navigation():
        page.click("text=Liam Foster has left the organisation")
    journey.assert_accessible()
    assert "Their own records are kept" in page.inner_text("main")
    assert "Liam Foster" in page.inner_text("main").split("Left the organisation")[-1]

    journey.sign_in("liam.foster@demo.test", password)
    journey.goto("/dashboard")
    assert "no longer, one of its staff" in page.inner_text("main")
