"""The audit trail: an append-only record of staff and administrator actions and sign-ins.

Every entry is added in the same transaction as the action it records (flush, never commit),
so an action that is rolled back leaves no entry, and an entry never outlives its action.
Nothing here, or anywhere in the app, edits or deletes an entry, and the session refuses to
flush a change or a deletion of one (``AppendOnly``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from . import clock, cpd
from .extensions import db
from .models import AuditAction, AuditEntry, Organisation, User

__all__ = ["AuditAction", "Filters", "Row", "csv_rows", "record", "rows", "search"]


class AppendOnly(Exception):
    """Something tried to change or delete an audit entry."""


@sa.event.listens_for(orm.Session, "before_flush")
def _refuse_changes(session: orm.Session, _context: object, _instances: object) -> None:
    """The trail is append-only: a flush that would change or delete an entry fails, and the
    transaction with it."""
    for entry in session.deleted:
        if isinstance(entry, AuditEntry):
            raise AppendOnly("audit entries are never deleted")
    for entry in session.dirty:
        if isinstance(entry, AuditEntry) and session.is_modified(entry):
            raise AppendOnly("audit entries are never changed")


def record(
    action: AuditAction,
    *,
    actor: User | None,
    address: str | None,
    subject_user: User | None = None,
    subject: str = "",
    organisation: Organisation | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Add one entry about an action now being done; the caller's commit keeps both or neither.

    ``organisation`` is the organisation the action concerns (an employer sees its entries);
    it defaults to the subject person's. ``details`` is a small JSON object (ids, counts).
    """
    if organisation is None and subject_user is not None:
        organisation = subject_user.organisation
    entry = AuditEntry(
        at=clock.now(),
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_name=f"{actor.name} <{actor.email}>" if actor is not None else "",
        subject_user_id=subject_user.id if subject_user is not None else None,
        subject=(subject or _person(subject_user))[:300],
        organisation_id=organisation.id if organisation is not None else None,
        address=(address or "")[:45],
        details=details or {},
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _person(user: User | None) -> str:
    return f"{user.name} <{user.email}>" if user is not None else ""


@dataclass(frozen=True)
class Filters:
    """What an administrator searches the trail by; empty fields match everything."""

    actor: str = ""
    action: AuditAction | None = None
    subject: str = ""
    since: date | None = None
    until: date | None = None


def search(filters: Filters, organisation: Organisation | None = None) -> sa.Select:
    """Entries matching the filters, newest first (only one organisation's, if given)."""
    query = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if organisation is not None:
        query = query.where(AuditEntry.organisation_id == organisation.id)
    if filters.actor:
        query = query.where(_contains(AuditEntry.actor_name, filters.actor))
    if filters.action is not None:
        query = query.where(AuditEntry.action == filters.action)
    if filters.subject:
        query = query.where(_contains(AuditEntry.subject, filters.subject))
    if filters.since is not None:
        query = query.where(AuditEntry.at >= clock.start_of(filters.since))
    if filters.until is not None:
        query = query.where(AuditEntry.at < clock.start_of(filters.until + timedelta(days=1)))
    return query


def _contains(column: sa.ColumnElement[str], text: str) -> sa.ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(column).like(f"%{escaped.lower()}%", escape="\\")


@dataclass(frozen=True)
class Row:
    """One entry as the page and the CSV show it."""

    id: int
    at: datetime
    action: AuditAction
    actor: str
    subject: str
    organisation: str
    address: str
    details: str


def rows(entries: Sequence[AuditEntry]) -> list[Row]:
    """The rows for a page of entries: one query for their organisations' names."""
    ids = {e.organisation_id for e in entries if e.organisation_id is not None}
    names = (
        dict(
            db.session.execute(
                sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return [
        Row(
            id=e.id,
            at=e.at,
            action=e.action,
            actor=e.actor_name or "Nobody signed in",
            subject=e.subject,
            organisation=names.get(e.organisation_id, ""),
            address=e.address,
            details=", ".join(f"{k}: {_value(v)}" for k, v in sorted(e.details.items())),
        )
        for e in entries
    ]


def _value(value: object) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


HEADER = ["When (UTC)", "Action", "By", "About", "Organisation", "Address", "Details"]


def csv_rows(found: Iterable[Row]) -> list[list[str]]:
    """The header and one line per row, each cell made safe for spreadsheets."""
    lines = [HEADER]
    for row in found:
        cells = [
            row.at.isoformat(timespec="seconds"),
            row.action.label,
            row.actor,
            row.subject,
            row.organisation,
            row.address,
            row.details,
        ]
        lines.append([cpd.safe_cell(cell) for cell in cells])
    return lines
