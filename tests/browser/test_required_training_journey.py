"""A nurse finds on her dashboard what her employer requires of her, and goes to do it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from learning.extensions import db
from learning.models import Completion, RequiredTraining

from ..conftest import PASSWORD


def test_a_nurse_sees_her_required_training_and_follows_a_link_to_do_it(
    journey, app, make_user, make_organisation
):
    trust = make_organisation("Riverside NHS Foundation Trust")
    nurse = make_user(name="Grace Adeyemi", profession="nursing", organisation=trust)
    with app.app_context():
        db.session.add_all(
            [
                RequiredTraining(
                    organisation_id=trust.id,
                    kind="module",
                    slug="hospital-discharge",
                    refresh_months=12,
                ),
                RequiredTraining(organisation_id=trust.id, kind="quiz", slug="safeguarding-basics"),
            ]
        )
        db.session.add(
            Completion(
                user_id=nurse.id,
                kind="module",
                slug="hospital-discharge",
                version="v",
                completed_at=datetime.now(UTC) - timedelta(days=400),
            )
        )
        db.session.commit()
    page = journey.page
    journey.sign_in(nurse.email, PASSWORD)

    assert journey.path() == "/dashboard"
    required = page.locator("section[aria-labelledby=required-heading]")
    assert "Training Riverside NHS Foundation Trust requires of you" in required.inner_text()
    rows = required.locator("tbody tr")
    assert (
        "Expired" in rows.nth(0).inner_text() and "Now: it ran out on" in rows.nth(0).inner_text()
    )
    assert "Not started" in rows.nth(1).inner_text()

    journey.tab_to(text="Safeguarding basics")
    journey.press_enter_and_check()
    assert journey.path() == "/quizzes/safeguarding-basics"
