"""A learner's own say over their data: every page passes axe.

Part 1: a learner accepts an invitation to a cohort. They sign in, find it on their dashboard,
read what its trainers will see, accept with the keyboard, and land in the cohort.
Part 2: they download everything held about them from their profile, and find the cohort place
they just accepted in it. Part 3: they ask to close their account, and the profile says it
waits for an administrator.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from learning import cohorts
from learning.extensions import db
from learning.models import EnrolmentRoute, Role, User

from ..conftest import PASSWORD


def test_a_learner_accepts_an_invitation_downloads_their_data_and_asks_to_close_their_account(
    journey, app, make_user, make_organisation
):
    trust = make_organisation("Riverside NHS Foundation Trust")
    trainer = make_user(Role.TRAINER, name="Helen Okafor", profession="social-work")
    learner = make_user(
        name="Priya Sharma",
        email="priya.sharma@riverside.example",
        profession="occupational-therapy",
        organisation=trust,
    )
    with app.app_context():
        cohort = cohorts.create(
            db.session.get(User, trainer.id),
            cohorts.CohortDetails(
                name="Discharge together",
                description="Six weeks on hospital discharge, with housing and social care.",
                starts_on=date(2027, 3, 1),
                ends_on=date(2027, 4, 9),
                group_size=4,
                mix_target={},
            ),
        )
        cohorts.add_item(cohort, "module", "hospital-discharge", None)
        cohorts.invite(cohort, [db.session.get(User, learner.id)], EnrolmentRoute.PICKED)
        db.session.commit()
        cohort_id = cohort.id
    page = journey.page

    # Part 1: the invitation, read and accepted ---------------------------------------------
    journey.sign_in(learner.email, PASSWORD)
    journey.goto("/dashboard")
    invitation = page.inner_text("section[aria-labelledby='invitations-heading']")
    assert "Invitation to join Discharge together" in invitation
    assert "Helen Okafor invited you" in invitation
    assert "1 March 2027 to 9 April 2027" in invitation
    assert "Six weeks on hospital discharge" in invitation
    assert "your name, email address, profession and stage" in invitation
    assert "from today" in invitation and "not see what you did before today" in invitation

    journey.goto("/cohorts")  # the same invitation, beside the cohorts they are in
    assert "Invitation to join Discharge together" in page.inner_text("main")
    journey.goto(f"/cohorts/{cohort_id}/invitation")
    assert "Do you want to join Discharge together?" in page.inner_text("h1")

    journey.goto("/dashboard")
    journey.tab_to(text="Accept the invitation to Discharge together")
    journey.press_enter_and_check()
    assert journey.path() == f"/cohorts/{cohort_id}"
    main = page.inner_text("main")
    assert "You have joined “Discharge together”" in page.inner_text("body")
    assert "Hospital discharge" in main and "You joined on" in main
    journey.goto("/dashboard")
    assert "Invitation to join" not in page.inner_text("main")

    # Part 2: everything held about them, downloaded from the profile ------------------------
    journey.goto("/profile")
    journey.tab_to(text="Download your data")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    data = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    names = data.namelist()
    assert "README.txt" in names or any(n.lower().startswith("readme") for n in names)
    everything = json.loads(data.read(next(n for n in names if n.endswith(".json"))))
    text = json.dumps(everything)
    assert "priya.sharma@riverside.example" in text
    assert '"accepted_at"' in text and f'"cohort_id": {cohort_id}' in text

    # Part 3: asking to close the account ----------------------------------------------------
    with page.expect_navigation():
        page.click("text=ask to close your account")
    journey.assert_accessible()
    main = page.inner_text("main")
    assert "What is removed" in main and "What is kept" in main
    journey.tab_to(text="Ask to close my account")
    journey.press_enter_and_check()
    assert journey.path() == "/profile"
    assert "you asked to close your account" in page.inner_text("main")
    with app.app_context():
        assert db.session.get(User, learner.id).closure_requested_at is not None
