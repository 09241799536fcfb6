"""A trainer builds a mixed cohort: creates it, invites learners by upload (fixing a bad row),
and once they have accepted forms groups, opens the perspectives view and exports the progress
matrix."""

from __future__ import annotations

import sqlalchemy as sa

from learning import cohorts
from learning.extensions import db
from learning.models import CohortMember, Role

from ..conftest import PASSWORD

BAD = (
    "email,name,profession,stage\n"
    "grace.a@example.org,Grace Adeyemi,Nurse,qualified\n"
    "tom.b@example.org,Tom Brennan,Social worker,qualified\n"
    "priya.s@example.org,Priya Sharma,OT,qualified\n"
    "marcus.c@example.org,Marcus Campbell,Housing officer,astronaut\n"
)
GOOD = BAD.replace("astronaut", "qualified")


def test_a_trainer_builds_a_mixed_cohort(journey, app, make_user):
    trainer = make_user(Role.TRAINER, name="Helen Okafor", profession="social-work")
    page = journey.page
    journey.sign_in(trainer.email, PASSWORD)

    journey.goto("/trainer/")
    with page.expect_navigation():
        page.click("text=Create a cohort")
    journey.assert_accessible()
    page.fill("#name", "Discharge together, spring")
    page.fill("#starts_on", "2027-03-01")
    page.fill("#ends_on", "2027-05-28")
    page.fill("#group_size", "2")
    with page.expect_navigation():
        page.click("main input[value='Save cohort']")
    journey.assert_accessible()
    assert "has been created" in page.inner_text("main")
    assert "No learners yet" in page.inner_text("main")

    with page.expect_navigation():
        page.click("nav.subnav >> text=Programme")
    journey.assert_accessible()
    page.select_option("#item", "quiz:safeguarding-basics")
    with page.expect_navigation():
        page.click("main input[value='Add to programme']")
    journey.assert_accessible()

    with page.expect_navigation():
        page.click("nav.subnav >> text=Learners")
    journey.assert_accessible()
    page.set_input_files(
        "#file", files=[{"name": "learners.csv", "mimeType": "text/csv", "buffer": BAD.encode()}]
    )
    with page.expect_navigation():
        page.click("main input[value='Check and invite']")
    journey.assert_accessible()
    assert "Line 5" in page.inner_text(".error-summary")
    page.set_input_files(
        "#file", files=[{"name": "learners.csv", "mimeType": "text/csv", "buffer": GOOD.encode()}]
    )
    with page.expect_navigation():
        page.click("main input[value='Check and invite']")
    journey.assert_accessible()
    assert "4 people invited" in page.inner_text("main")
    # Each of them accepts on their own dashboard (tests/browser/test_invitation_journey.py).
    with app.app_context():
        for invitation in db.session.execute(sa.select(CohortMember)).scalars().all():
            cohorts.accept(invitation)
        db.session.commit()

    with page.expect_navigation():
        page.click("nav.subnav >> text=Overview")
    journey.assert_accessible()
    assert "Mix target met" in page.inner_text("main")

    with page.expect_navigation():
        page.click("nav.subnav >> text=Groups")
    journey.assert_accessible()
    page.fill("#value", "2")
    with page.expect_navigation():
        page.click("main input[value='Form groups']")
    journey.assert_accessible()
    assert "2 groups formed" in page.inner_text("main")

    with page.expect_navigation():
        page.click("nav.subnav >> text=Perspectives")
    journey.assert_accessible()
    with page.expect_navigation():
        page.click("nav.subnav >> text=Progress")
    journey.assert_accessible()
    with page.expect_download() as download:
        page.click("a:has-text('Download as CSV')")
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert exported.splitlines()[0].startswith("Name,Email,Profession,Stage,Group")
    assert len(exported.splitlines()) == 5


def test_demo_cohort_pages_are_accessible_for_trainer_and_learner(journey, app):
    import sqlalchemy as sa

    from learning import demo
    from learning.curriculum import curriculum
    from learning.extensions import db
    from learning.models import Cohort

    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"], curriculum())
        db.session.commit()
        ids = [c.id for c in db.session.execute(sa.select(Cohort).order_by(Cohort.id)).scalars()]
    page = journey.page
    journey.sign_in("trainer@demo.test", app.config["DEMO_PASSWORD"])
    for cohort_id in ids:
        for part in ("", "/programme", "/learners", "/groups", "/progress", "/perspectives"):
            journey.goto(f"/trainer/cohorts/{cohort_id}{part}")
        journey.goto(f"/trainer/cohorts/{cohort_id}/perspectives?print=1")
        journey.goto(f"/trainer/cohorts/{cohort_id}/edit")
    journey.sign_in("nurse@demo.test", app.config["DEMO_PASSWORD"])
    journey.goto("/cohorts")
    for cohort_id in ids:
        journey.goto(f"/cohorts/{cohort_id}")
        assert "Group" in page.inner_text("main")
    journey.goto("/join")
