"""The audit trail: an append-only record of staff and administrator actions and sign-ins.

Every entry is added in the same transaction as the action it records (flush, never commit),
so an action that is rolled back leaves no entry, and an entry never outlives its action.
The session refuses to flush a change or a deletion of an entry, and to run an ORM bulk
update or delete of entries (``AppendOnly``), with exactly two exceptions, each opened only
while one function here runs and each itself recorded by its caller:

- :func:`redact`, called by ``erasure.close_account`` alone: in the entries that name a
  closed account, its former name and email are replaced by the account's placeholders, in
  ``actor_name``, ``subject`` and ``details`` and nowhere else; any other change is refused.
- :func:`purge`, called by ``retention.apply`` alone (``flask retention apply``): entries
  older than the audit retention period are deleted.

``tests/test_erasure.py`` checks that no other module calls either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from . import clock, cpd
from .extensions import db
from .models import AuditAction, AuditEntry, Organisation, User

__all__ = [
    "AuditAction",
    "Filters",
    "Row",
    "csv_lines",
    "purge",
    "record",
    "redact",
    "rows",
    "search",
]


class AppendOnly(Exception):
    """Something tried to change or delete an audit entry."""


#: ``session.info`` keys that open the two exceptions, set only while redact or purge runs.
_REDACTING = "audit.redacting"
_PURGING = "audit.purging"
#: The only columns a redaction may change.
REDACTABLE = ("actor_name", "subject", "details")


@dataclass(frozen=True)
class _Redaction:
    entry_ids: frozenset[int]
    replacements: tuple[tuple[str, str], ...]


@sa.event.listens_for(orm.Session, "before_flush")
def _refuse_changes(session: orm.Session, _context: object, _instances: object) -> None:
    """The trail is append-only: a flush that would change or delete an entry fails, and the
    transaction with it (a redaction in progress may only redact)."""
    for entry in session.deleted:
        if isinstance(entry, AuditEntry):
            raise AppendOnly("audit entries are never deleted")
    redaction: _Redaction | None = session.info.get(_REDACTING)
    for entry in session.dirty:
        if isinstance(entry, AuditEntry) and session.is_modified(entry):
            if redaction is None or not _only_redacted(entry, redaction):
                raise AppendOnly("audit entries are never changed")


def _only_redacted(entry: AuditEntry, redaction: _Redaction) -> bool:
    """Whether every change to the entry is the redaction of a closed account's name."""
    if entry.id not in redaction.entry_ids:
        return False
    state = sa.inspect(entry)
    for attribute in state.mapper.column_attrs:
        history = state.attrs[attribute.key].history
        if not history.has_changes():
            continue
        if attribute.key not in REDACTABLE or len(history.deleted) != 1:
            return False
        if history.added != [_redacted(history.deleted[0], redaction.replacements)]:
            return False
    return True


@sa.event.listens_for(orm.Session, "do_orm_execute")
def _refuse_bulk_changes(state: orm.ORMExecuteState) -> None:
    """An ORM ``update(AuditEntry)`` is refused, and so is a ``delete`` outside :func:`purge`."""
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or mapper.class_ is not AuditEntry:
        return
    if state.is_update or not state.session.info.get(_PURGING):
        raise AppendOnly("audit entries are never changed or deleted in bulk")


def record(
    action: AuditAction,
    *,
    actor: User | None,
    address: str | None,
    subject_user: User | None = None,
    subject: str = "",
    organisation: Organisation | None = None,
    details: dict | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Add one entry about an action now being done; the caller's commit keeps both or neither.

    ``organisation`` is the organisation the action concerns (an employer sees its entries);
    it defaults to the subject person's. ``details`` is a small JSON object (ids, counts).
    ``actor_name`` names who acted when nobody is signed in (an operator at the command line).
    """
    if organisation is None and subject_user is not None:
        organisation = subject_user.organisation
    entry = AuditEntry(
        at=clock.now(),
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_name=f"{actor.name} <{actor.email}>" if actor is not None else actor_name[:254],
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


#: How many entries a CSV download reads at a time.
CHUNK = 1000


def csv_lines(entries: sa.Select, *, chunk: int = CHUNK) -> Iterator[list[str]]:
    """The header and one line per entry a search finds, read a chunk at a time through a
    server-side cursor (one query per chunk for the organisations' names), each cell made safe
    for spreadsheets. Nothing is read until the first line is asked for."""
    yield HEADER
    found = db.session.execute(entries.execution_options(yield_per=chunk)).scalars()
    for part in found.partitions():
        for row in rows(part):
            cells = [
                row.at.isoformat(timespec="seconds"),
                row.action.label,
                row.actor,
                row.subject,
                row.organisation,
                row.address,
                row.details,
            ]
            yield [cpd.safe_cell(cell) for cell in cells]


# The two exceptions to append-only ------------------------------------------------------


def _redacted(value: object, replacements: Sequence[tuple[str, str]]) -> object:
    """``value`` with every occurrence of each former text (in any case) replaced; JSON
    values are redacted in their keys and strings, whatever their depth."""
    if isinstance(value, str):
        for former, placeholder in replacements:
            value = re.sub(re.escape(former), lambda _m, p=placeholder: p, value, flags=re.I)
        return value
    if isinstance(value, dict):
        return {_redacted(k, replacements): _redacted(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, replacements) for v in value]
    return value


def naming(person_id: int, texts: Iterable[str]) -> sa.ColumnElement[bool]:
    """The condition that an entry names a person: by id as actor or subject, or by any of
    ``texts`` (their name and email) in its copied names or details."""
    conditions = [AuditEntry.actor_id == person_id, AuditEntry.subject_user_id == person_id]
    details = sa.cast(AuditEntry.details, sa.Text)
    for text in texts:
        # Stored JSON may escape non-ASCII letters, so look for that spelling too.
        for form in {text, json.dumps(text)[1:-1]}:
            for column in (AuditEntry.actor_name, AuditEntry.subject, details):
                conditions.append(sa.func.lower(column).contains(form.lower(), autoescape=True))
                conditions.append(column.contains(form, autoescape=True))
    return sa.or_(*conditions)


def redact(person_id: int, replacements: Mapping[str, str]) -> int:
    """The first exception to append-only, for ``erasure.close_account`` alone: replace a
    closed account's former name and email (the keys) by its placeholders (the values) in
    every entry naming it, in ``actor_name``, ``subject`` and ``details`` only. Returns how
    many entries changed. The guard checks each change is exactly this replacement."""
    pairs = tuple(sorted(((k, v) for k, v in replacements.items() if k), key=lambda p: -len(p[0])))
    entries = (
        db.session.execute(sa.select(AuditEntry).where(naming(person_id, [k for k, _ in pairs])))
        .scalars()
        .all()
    )
    changed = 0
    redaction = _Redaction(frozenset(e.id for e in entries), pairs)
    db.session.flush()  # nothing else pending may pass the guard under the redaction's key
    db.session.info[_REDACTING] = redaction
    try:
        for entry in entries:
            redacted = {c: _redacted(getattr(entry, c), pairs) for c in REDACTABLE}
            different = {c: v for c, v in redacted.items() if v != getattr(entry, c)}
            for column, value in different.items():
                setattr(entry, column, value)
            changed += bool(different)
        db.session.flush()
    finally:
        db.session.info.pop(_REDACTING, None)
    return changed


def purge(before: datetime) -> int:
    """The second exception to append-only, for ``retention.apply`` alone: delete the entries
    made before ``before`` (the audit retention period's start). Returns how many went."""
    db.session.flush()
    db.session.info[_PURGING] = True
    try:
        result = db.session.execute(
            sa.delete(AuditEntry).where(AuditEntry.at < before),
            execution_options={"synchronize_session": False},
        )
    finally:
        db.session.info.pop(_PURGING, None)
    return result.rowcount
