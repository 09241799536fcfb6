"""Time comes from one place: the clock, which tests freeze and every due date follows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from learning import clock, cohorts, compliance, progress, records
from learning.curriculum import curriculum
from learning.extensions import db
from learning.models import EnrolmentRoute, Organisation, Role, User
from tests.conftest import PASSWORD


def test_now_is_an_aware_moment_in_utc():
    with freeze_time("2026-06-14 23:30:00"):
        assert clock.now() == datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
        assert clock.now().tzinfo is UTC


def test_today_is_the_date_on_the_wall_in_england():
    with freeze_time("2026-06-14 23:30:00"):  # half past midnight, British Summer Time
        assert clock.today() == date(2026, 6, 15)
    with freeze_time("2026-12-01 23:30:00"):  # Greenwich Mean Time: the same as UTC
        assert clock.today() == date(2026, 12, 1)


def test_a_day_in_england_begins_and_ends_at_local_midnight():
    assert clock.start_of(date(2026, 6, 15)) == datetime(2026, 6, 14, 23, tzinfo=UTC)
    assert clock.start_of(date(2026, 12, 1)) == datetime(2026, 12, 1, tzinfo=UTC)
    assert clock.end_of(date(2026, 6, 15)) < clock.start_of(date(2026, 6, 16))
    assert clock.end_of(date(2026, 6, 15)) + timedelta(microseconds=1) == clock.start_of(
        date(2026, 6, 16)
    )
    assert clock.day_of(datetime(2026, 6, 14, 23, 30, tzinfo=UTC)) == date(2026, 6, 15)


def test_the_clock_can_be_held_at_a_past_moment_and_lets_go_after():
    moment = datetime(2025, 1, 2, 9, 30, tzinfo=UTC)
    with freeze_time("2026-12-01 12:00:00"):
        with clock.frozen(moment):
            assert clock.now() == moment and clock.today() == date(2025, 1, 2)
        assert clock.now() == datetime(2026, 12, 1, 12, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        with clock.frozen(datetime(2025, 1, 2, 9, 30)):
            pass


def _sign_in(app, user: User):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_one_freeze_moves_every_due_date(app, make_user, make_organisation):
    """Programme due dates, refresher expiry, CPD windows and join-code defaults all read the
    same clock: nothing on these pages keeps its own idea of today.

    Only the clock is held here (freezegun would also stop ``date.today()``, hiding a page
    that bypassed the clock), so a stray call to the system clock would see the real date.
    """
    trust = make_organisation("Riverside NHS Foundation Trust")
    trainer = make_user(Role.TRAINER, name="Dr Helen Okafor")
    employer = make_user(Role.EMPLOYER, name="Gareth Lloyd", organisation=trust)
    nurse = make_user(name="Grace Adeyemi", organisation=trust)
    with clock.frozen(datetime(2026, 3, 1, 12, tzinfo=UTC)), app.app_context():
        module = curriculum().modules.get("hospital-discharge")
        owner, learner = db.session.get(User, trainer.id), db.session.get(User, nurse.id)
        cohort = cohorts.create(
            owner,
            cohorts.CohortDetails("Spring", "", None, None, group_size=4, mix_target={}),
        )
        cohorts.add_item(cohort, "module", module.slug, date(2026, 3, 10))
        for invitation in cohorts.invite(cohort, [learner], EnrolmentRoute.PICKED):
            cohorts.accept(invitation)
        organisation = db.session.get(Organisation, trust.id)
        compliance.require(organisation, "module", module.slug, refresh_months=12, due_soon_days=30)
        done = datetime(2026, 2, 20, 10, tzinfo=UTC)
        progress.record_completion(learner.id, "module", module.slug, module.version, done)
        records.add_cpd_entry(
            learner, on=date(2026, 2, 25), activity="reading", topic="Guidance", hours=2
        )
        db.session.commit()
        cohort_id = cohort.id

    def pages() -> dict[str, str]:
        as_trainer, as_nurse = _sign_in(app, trainer), _sign_in(app, nurse)
        as_employer = _sign_in(app, employer)
        return {
            "progress": as_trainer.get(f"/trainer/cohorts/{cohort_id}/progress").text,
            "learners": as_trainer.get(f"/trainer/cohorts/{cohort_id}/learners").text,
            "cohort": as_nurse.get(f"/cohorts/{cohort_id}").text,
            "cpd": as_nurse.get("/cpd").text,
            "matrix": as_employer.get("/employer/compliance").text,
        }

    def last_year(cpd_page: str) -> str:
        return re.search(r"participatory, (\d+) activit", cpd_page).group(1)

    with clock.frozen(datetime(2026, 3, 5, 12, tzinfo=UTC)):
        before = pages()
    assert "Overdue" not in before["progress"] and "Overdue" not in before["cohort"]
    assert 'value="2026-03-19"' in before["learners"]  # a join code's last day: in two weeks
    assert "Compliant" in before["matrix"].split("Grace Adeyemi")[1].split("</tr>")[0]
    assert last_year(before["cpd"]) == "2"

    with clock.frozen(datetime(2027, 3, 1, 12, tzinfo=UTC)):
        after = pages()
    assert "Overdue" in after["progress"] and "Overdue" in after["cohort"]
    assert 'value="2027-03-15"' in after["learners"]
    assert "Expired" in after["matrix"].split("Grace Adeyemi")[1].split("</tr>")[0]
    assert last_year(after["cpd"]) == "0"


def test_a_timestamp_shows_the_day_it_was_in_england(app):
    show = app.jinja_env.filters["date"]
    assert show(datetime(2026, 6, 14, 23, 30, tzinfo=UTC)) == "15 June 2026"
    assert show(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == "1 December 2026"
    assert show(date(2026, 6, 14)) == "14 June 2026"
