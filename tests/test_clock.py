"""Time comes from one place: the clock, which tests freeze and every due date follows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from learning import clock


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
