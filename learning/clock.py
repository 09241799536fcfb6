"""The one place the platform asks what time it is.

``now()`` is the moment, timezone-aware UTC: what timestamps store. ``today()`` is the calendar
date in England (Europe/London, GMT in winter and BST in summer): what due dates, refresher
dates and CPD windows are measured against, because that is the date on the wall of the people
who use the site. Between midnight and one in the morning in summer the two calendars differ,
and a due date of "14 June" should be overdue when an English reader's calendar says 15 June.
``day_of`` and ``start_of`` convert between the two, so a timestamp and a date are always
compared in the same calendar.

Tests freeze time with freezegun, which this module follows. The demo records past events
through the same domain functions the views call, holding the clock at each event's moment with
:func:`frozen` (a context variable, so one request or thread never sees another's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

#: The calendar the site's users live by.
LOCAL = ZoneInfo("Europe/London")

_held: ContextVar[datetime | None] = ContextVar("held", default=None)


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    held = _held.get()
    return held if held is not None else datetime.now(UTC)


def today() -> date:
    """Today's date in England (Europe/London)."""
    return day_of(now())


def day_of(moment: datetime) -> date:
    """The date in England at a moment (a timestamp's calendar day, as users see it)."""
    return moment.astimezone(LOCAL).date()


def start_of(day: date) -> datetime:
    """The first moment of a day in England, in UTC."""
    return datetime.combine(day, time.min, tzinfo=LOCAL).astimezone(UTC)


def end_of(day: date) -> datetime:
    """The last moment of a day in England, in UTC (a deadline "on" that day)."""
    return datetime.combine(day, time.max, tzinfo=LOCAL).astimezone(UTC)


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Hold ``now()`` at a moment inside the block, e.g. to record a past event as it was."""
    if at.tzinfo is None:
        raise ValueError("the clock holds timezone-aware moments only")
    token = _held.set(at.astimezone(UTC))
    try:
        yield at
    finally:
        _held.reset(token)
