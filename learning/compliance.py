"""Required training and compliance: which staff have done what their employer requires, and
when it runs out. Every report is a fixed number of set-based queries, whatever the number of
staff; nothing here loops over people with a query each.
"""

from __future__ import annotations

import enum
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from . import clock
from .cpd import safe_cell
from .extensions import db
from .items import ItemRef
from .models import (
    Completion,
    Membership,
    Organisation,
    RequiredTraining,
    User,
    UTCDateTime,
    staff_of,
)
from .professions import BY_CODE, Stage


class State(enum.StrEnum):
    COMPLIANT = "compliant"
    DUE_SOON = "due-soon"
    EXPIRED = "expired"
    NOT_STARTED = "not-started"
    NOT_REQUIRED = "not-required"

    @property
    def label(self) -> str:
        return {
            "compliant": "Compliant",
            "due-soon": "Due soon",
            "expired": "Expired",
            "not-started": "Not started",
            "not-required": "Not required",
        }[self.value]

    @property
    def symbol(self) -> str:
        """A sign that goes with the words, so that the state never rests on colour alone."""
        return {
            "compliant": "✓",
            "due-soon": "◷",
            "expired": "✗",
            "not-started": "○",
            "not-required": "–",
        }[self.value]


#: How many people an export reads at a time: it holds one chunk in memory, whatever the total.
CHUNK = 1000


@functools.lru_cache(maxsize=8192)
def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter).

    Cached: a whole organisation's export asks it for every cell, and a few years of days
    cover them all (a relativedelta costs some 25 µs)."""
    return day + relativedelta(months=months)


@dataclass(frozen=True, slots=True)
class Cell:
    """One person's standing on one required item."""

    state: State
    completed_on: date | None = None
    expires_on: date | None = None


def cell_for(requirement: RequiredTraining, completed_on: date | None, today: date) -> Cell:
    """Where a completion (or none) leaves a person against a requirement today."""
    if completed_on is None:
        return Cell(State.NOT_STARTED)
    if requirement.refresh_months is None:
        return Cell(State.COMPLIANT, completed_on)
    expires = add_months(completed_on, requirement.refresh_months)
    if expires <= today:
        return Cell(State.EXPIRED, completed_on, expires)
    if expires <= today + timedelta(days=requirement.due_soon_days):
        return Cell(State.DUE_SOON, completed_on, expires)
    return Cell(State.COMPLIANT, completed_on, expires)


def applies(requirement: RequiredTraining, user: User) -> bool:
    """Whether a requirement applies to this person (by profession and stage)."""
    return (requirement.profession in (None, user.profession_code)) and (
        requirement.stage is None or requirement.stage == user.stage
    )


def requirements(organisation: Organisation) -> list[RequiredTraining]:
    """An organisation's requirements, in the order they were set."""
    return list(
        db.session.execute(
            sa.select(RequiredTraining)
            .where(RequiredTraining.organisation_id == organisation.id)
            .order_by(RequiredTraining.id)
        ).scalars()
    )


def require(
    organisation: Organisation,
    kind: str,
    slug: str,
    *,
    profession: str | None = None,
    stage: Stage | None = None,
    refresh_months: int | None = None,
    due_soon_days: int = 60,
) -> RequiredTraining:
    """Require a module or scenario of the organisation's staff (or of one profession or
    stage), once or again every ``refresh_months``."""
    requirement = RequiredTraining(
        organisation_id=organisation.id,
        kind=kind,
        slug=slug,
        profession=profession,
        stage=stage,
        refresh_months=refresh_months,
        due_soon_days=due_soon_days,
    )
    db.session.add(requirement)
    db.session.flush()
    return requirement


def stop_requiring(organisation: Organisation, requirement_id: int) -> bool:
    """Remove one of the organisation's requirements; False if it has no such requirement."""
    requirement = db.session.get(RequiredTraining, requirement_id)
    if requirement is None or requirement.organisation_id != organisation.id:
        return False
    db.session.delete(requirement)
    db.session.flush()
    return True


def staff_member(organisation: Organisation, user_id: int) -> User | None:
    """One of the organisation's confirmed staff, or None for anyone else."""
    member = db.session.get(User, user_id)
    if member is None or member.staff_organisation is None:
        return None
    return member if member.organisation_id == organisation.id else None


def claimant(organisation: Organisation, user_id: int) -> User | None:
    """Anyone naming the organisation (pending, confirmed or ended), or None for anyone else."""
    member = db.session.get(User, user_id)
    return member if member is not None and member.organisation_id == organisation.id else None


def staff_count(organisation: Organisation) -> int:
    """How many confirmed staff the organisation has."""
    return db.session.execute(
        sa.select(sa.func.count(User.id)).where(staff_of(organisation.id))
    ).scalar_one()


def pending_count(organisation: Organisation) -> int:
    """How many people have named the organisation and wait for it to confirm them."""
    return db.session.execute(
        sa.select(sa.func.count(User.id)).where(
            User.organisation_id == organisation.id, User.membership == Membership.PENDING
        )
    ).scalar_one()


def staff(
    organisation: Organisation, *, profession: str = "", stage: str = "", sort: str = "name"
) -> sa.Select[tuple[User]]:
    """The organisation's staff, filtered and sorted, for a page of the matrix."""
    statement = sa.select(User).where(staff_of(organisation.id))
    if profession in BY_CODE:
        statement = statement.where(User.profession_code == profession)
    if stage in {s.value for s in Stage}:
        statement = statement.where(User.stage == Stage(stage))
    order = {
        "profession": (User.profession_code, User.name, User.id),
        "stage": (User.stage, User.name, User.id),
    }.get(sort, (User.name, User.id))
    return statement.order_by(*order)


def _latest(user_ids: Sequence[int] | None, items: set[tuple[str, str]]):
    """Each person's latest completion of each required item (a subquery)."""
    statement = sa.select(
        Completion.user_id,
        Completion.kind,
        Completion.slug,
        sa.func.max(Completion.completed_at).label("done_at"),
    ).group_by(Completion.user_id, Completion.kind, Completion.slug)
    if user_ids is not None:
        statement = statement.where(Completion.user_id.in_(user_ids))
    if items:
        statement = statement.where(sa.tuple_(Completion.kind, Completion.slug).in_(list(items)))
    return statement


def _day(value: datetime | None) -> date | None:
    return None if value is None else clock.day_of(value)


@dataclass(frozen=True)
class PersonRow:
    """One member of staff and their cells, in the order of the requirements."""

    user: User
    cells: tuple[Cell, ...]

    @property
    def compliant(self) -> int:
        return sum(1 for c in self.cells if c.state in (State.COMPLIANT, State.DUE_SOON))

    @property
    def required(self) -> int:
        return sum(1 for c in self.cells if c.state is not State.NOT_REQUIRED)


def rows(
    people: Sequence[User], required: Sequence[RequiredTraining], today: date
) -> list[PersonRow]:
    """The matrix rows for a page of staff: one query for all their completions."""
    items = {(r.kind, r.slug) for r in required}
    done: dict[tuple[int, str, str], date] = {}
    if people and items:
        for user_id, kind, slug, done_at in db.session.execute(
            _latest([p.id for p in people], items)
        ):
            done[(user_id, kind, slug)] = _day(done_at)
    return [
        PersonRow(
            person,
            tuple(
                cell_for(r, done.get((person.id, r.kind, r.slug)), today)
                if applies(r, person)
                else Cell(State.NOT_REQUIRED)
                for r in required
            ),
        )
        for person in people
    ]


def every_row(
    staff: sa.Select[tuple[User]],
    required: Sequence[RequiredTraining],
    today: date,
    *,
    chunk: int | None = None,
) -> Iterator[PersonRow]:
    """The matrix rows of everyone a select of staff finds, on all its pages, read a chunk at a
    time through a server-side cursor: one query for the staff, one per chunk for completions."""
    found = db.session.execute(staff.execution_options(yield_per=chunk or CHUNK)).scalars()
    for people in found.partitions():
        yield from rows(people, required, today)


def csv_lines(
    organisation: Organisation,
    staff: sa.Select[tuple[User]],
    titles: Mapping[ItemRef, str],
    today: date,
    *,
    chunk: int | None = None,
) -> Iterator[list[str]]:
    """The whole matrix for a select of staff as CSV lines, made as they are read: a header,
    then a line per person. Cells a spreadsheet would run as a formula are made safe.

    Nothing is read until the first line is asked for, so a view may commit first.
    """
    required = requirements(organisation)
    header = ["Name", "Email", "Profession", "Stage"]
    for r in required:
        title = titles.get(ItemRef(r.kind, r.slug), r.slug)
        header += [f"{title}: state", f"{title}: completed", f"{title}: expires"]
    yield [safe_cell(cell) for cell in header]
    yield from _lines(every_row(staff, required, today, chunk=chunk))


def _lines(found: Iterable[PersonRow]) -> Iterator[list[str]]:
    for row in found:
        line = [row.user.name, row.user.email, row.user.profession.label, row.user.stage.label]
        for cell in row.cells:
            line += [
                cell.state.label,
                cell.completed_on.isoformat() if cell.completed_on else "",
                cell.expires_on.isoformat() if cell.expires_on else "",
            ]
        yield [safe_cell(cell) for cell in line]


@dataclass(frozen=True, slots=True)
class Duty:
    """One item a person's employer requires of them, and where they stand on it."""

    ref: ItemRef
    refresh_months: int | None
    cell: Cell

    @property
    def due_on(self) -> date | None:
        """When it falls due: the day it runs out (passed, if expired); None when it is due now
        (not started) or once was enough."""
        return self.cell.expires_on


_URGENCY = (State.EXPIRED, State.NOT_STARTED, State.DUE_SOON, State.COMPLIANT)


def duties(person: User, today: date) -> list[Duty]:
    """What the person's organisation requires of them (only if it has confirmed them as staff),
    the most urgent first: two queries, whatever they have done."""
    organisation = person.staff_organisation
    if organisation is None:
        return []
    required = [r for r in requirements(organisation) if applies(r, person)]
    (row,) = rows([person], required, today)
    found = [
        Duty(ItemRef(r.kind, r.slug), r.refresh_months, cell)
        for r, cell in zip(required, row.cells, strict=True)
    ]
    return sorted(
        found, key=lambda d: (_URGENCY.index(d.cell.state), d.due_on is None, d.due_on or today)
    )


@dataclass(frozen=True)
class Tally:
    """How many people a requirement applies to, and how many are in each state."""

    applicable: int = 0
    compliant: int = 0
    due_soon: int = 0
    expired: int = 0
    not_started: int = 0

    @property
    def percent(self) -> float | None:
        """The share who are compliant (due soon still counts as compliant)."""
        if not self.applicable:
            return None
        return 100 * (self.compliant + self.due_soon) / self.applicable

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.applicable + other.applicable,
            self.compliant + other.compliant,
            self.due_soon + other.due_soon,
            self.expired + other.expired,
            self.not_started + other.not_started,
        )


@dataclass(frozen=True)
class Summary:
    """Compliance for the whole organisation: overall, per item, and per item by profession."""

    overall: Tally
    by_item: dict[int, Tally]
    by_profession: dict[str, Tally]
    by_item_and_profession: dict[tuple[int, str], Tally]


def summary(
    organisation: Organisation, required: Sequence[RequiredTraining], today: date
) -> Summary:
    """Counts for every requirement and profession across all staff: one aggregate query.

    Each requirement's cut-off dates are worked out here in calendar months (exactly as
    :func:`cell_for` does) and compared in SQL.
    """
    if not required:
        return Summary(Tally(), {}, {}, {})

    def per_rule(dates: dict[int, datetime | None]):
        """A CASE giving each requirement's own cut-off, as a typed parameter."""
        whens = {rid: sa.bindparam(None, day, type_=UTCDateTime) for rid, day in dates.items()}
        known = {rid: value for rid, value in whens.items() if dates[rid] is not None}
        if not known:
            return sa.null()
        return sa.case(known, value=RequiredTraining.id, else_=sa.null())

    cutoffs = {r.id: _cutoffs(r, today) for r in required}
    expired_before = per_rule({rid: c[0] for rid, c in cutoffs.items()})
    due_before = per_rule({rid: c[1] for rid, c in cutoffs.items()})
    latest = _latest(None, {(r.kind, r.slug) for r in required}).subquery()
    done_at = latest.c.done_at
    never = done_at.is_(None)
    expired = sa.and_(~never, done_at < expired_before)
    due = sa.and_(~never, done_at >= expired_before, done_at < due_before)
    current = sa.and_(~never, sa.or_(expired_before.is_(None), done_at >= due_before))

    def count(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    statement = (
        sa.select(
            RequiredTraining.id,
            User.profession_code,
            sa.func.count(),
            count(current),
            count(due),
            count(expired),
            count(never),
        )
        .select_from(User)
        .join(
            RequiredTraining,
            sa.and_(
                RequiredTraining.organisation_id == User.organisation_id,
                sa.or_(
                    RequiredTraining.profession.is_(None),
                    RequiredTraining.profession == User.profession_code,
                ),
                sa.or_(RequiredTraining.stage.is_(None), RequiredTraining.stage == User.stage),
            ),
        )
        .outerjoin(
            latest,
            sa.and_(
                latest.c.user_id == User.id,
                latest.c.kind == RequiredTraining.kind,
                latest.c.slug == RequiredTraining.slug,
            ),
        )
        .where(staff_of(organisation.id))
        .group_by(RequiredTraining.id, User.profession_code)
    )
    by_pair: dict[tuple[int, str], Tally] = {}
    by_item: dict[int, Tally] = defaultdict(Tally)
    by_profession: dict[str, Tally] = defaultdict(Tally)
    overall = Tally()
    for rid, profession, *numbers in db.session.execute(statement):
        tally = Tally(*(int(n or 0) for n in numbers))
        by_pair[(rid, profession)] = tally
        by_item[rid] += tally
        by_profession[profession] += tally
        overall += tally
    return Summary(overall, dict(by_item), dict(by_profession), by_pair)


def first_current(day: date, months: int) -> date:
    """The earliest completion date still current on ``day``: completions before it have run
    out (their expiry, completion + ``months``, is on or before ``day``).

    Not a plain subtraction: adding months clamps at month ends (31 January + 1 month is
    28 February), so several completion days share one expiry and the boundary is found by
    stepping from ``day - months`` (at most a few days).
    """
    candidate = day - relativedelta(months=months)
    while add_months(candidate, months) <= day:
        candidate += timedelta(days=1)
    while add_months(candidate - timedelta(days=1), months) > day:
        candidate -= timedelta(days=1)
    return candidate


def _cutoffs(requirement: RequiredTraining, today: date) -> tuple[datetime | None, ...]:
    """Completions before the first moment have expired; before the second, are due soon."""
    if requirement.refresh_months is None:
        return None, None
    months = requirement.refresh_months
    soon = today + timedelta(days=requirement.due_soon_days)
    return tuple(clock.start_of(first_current(day, months)) for day in (today, soon))
