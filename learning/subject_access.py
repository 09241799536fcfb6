"""Your data: everything held about one person, as a zip of JSON and CSV (UK GDPR Article 15).

What counts as held about a person is read from the tables themselves, not from a list kept
by hand: their account row; every row of every table with a column naming them (``user_id``,
or ``subject_user_id`` and ``actor_id`` in the audit trail); and the rows that belong to those
rows (a quiz attempt's answers and decisions). A table added later is exported without anyone
remembering to add it. Only secrets are withheld: password and token hashes, and the text of
an email still waiting in the outbox (it may hold a link that sets the password).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

import sqlalchemy as sa

from .cpd import safe_cell
from .extensions import db
from .models import User

#: Columns that name the person a row is about, or who did what it records.
PERSON_COLUMNS = ("user_id", "subject_user_id", "actor_id")
#: Secrets that serve the person nothing and would help anyone who took the file.
WITHHELD = {
    "user_account": frozenset({"password_hash", "session_version"}),
    "remember_token": frozenset({"token_hash"}),
    "join_code": frozenset({"code"}),
    # A waiting email's text may hold a link that sets the person's password (a sent one's is
    # blank): who it was to, what about and when are kept in the download, not the link.
    "outbox_message": frozenset({"body"}),
}
#: Where the rows that the person's rows refer to go, in the JSON and the zip.
REFERRED_TO = "what-they-refer-to"
#: The file each table becomes; a table not named here keeps its own name.
FILE_NAMES = {
    "user_account": "profile",
    "role_grant": "roles",
    "module_progress": "module-progress",
    "completion": "completions",
    "quiz_attempt": "attempts",
    "quiz_response": "answers-and-decisions",
    "cpd_entry": "cpd-record",
    "certificate": "certificates",
    "cohort_member": "cohort-memberships",
    "cohort_trainer": "cohorts-you-train",
    "remember_token": "signed-in-devices",
    "audit_entry": "audit-trail",
    "outbox_message": "emails-to-you",
    "organisation": "organisations",
    "cohort": "cohorts",
    "cohort_group": "groups",
}


@dataclass(frozen=True)
class Table:
    """One table's rows about the person, ready for JSON and CSV."""

    name: str
    file: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, object], ...]


def person_tables() -> list[sa.Table]:
    """The tables with a column naming a person (a foreign key to the account)."""
    accounts = User.__table__
    return [
        table
        for table in db.metadata.sorted_tables
        if table is not accounts and _person_columns(table)
    ]


def _person_columns(table: sa.Table) -> list[sa.Column]:
    accounts = User.__table__
    return [
        column
        for column in table.columns
        if column.name in PERSON_COLUMNS
        and any(fk.column.table is accounts for fk in column.foreign_keys)
    ]


def held_about(person: User) -> list[Table]:
    """Every row held about ``person``, table by table (one query per table)."""
    accounts = User.__table__
    found: dict[str, list[sa.Row]] = {
        accounts.name: list(
            db.session.execute(sa.select(accounts).where(accounts.c.id == person.id))
        )
    }
    for table in person_tables():
        condition = sa.or_(*[column == person.id for column in _person_columns(table)])
        found[table.name] = list(db.session.execute(sa.select(table).where(condition)))
    for table in db.metadata.sorted_tables:
        if table.name in found:
            continue
        # Rows that belong to rows already found, such as an attempt's answers.
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.target_fullname):
            parent = fk.column.table
            if parent is accounts or parent.name not in found or not parent.primary_key:
                continue
            ids = [row._mapping[fk.column.name] for row in found[parent.name]]
            rows = db.session.execute(sa.select(table).where(fk.parent.in_(ids))) if ids else []
            found[table.name] = list(rows)
            break
    return [_table(db.metadata.tables[name], rows) for name, rows in found.items()]


def context_of(tables: list[Table]) -> list[Table]:
    """What the person's rows refer to, so ids can be read: the cohorts, groups and
    organisations named, without any column that names a person (a cohort's owner)."""
    accounts = User.__table__
    held = {table.name for table in tables}
    wanted: dict[tuple[str, str], set[object]] = {}
    for table in tables:
        for fk in db.metadata.tables[table.name].foreign_keys:
            target = fk.column.table
            if target is accounts or target.name in held:
                continue
            values = {row[fk.parent.name] for row in table.rows} - {None}
            wanted.setdefault((target.name, fk.column.name), set()).update(values)
    found: dict[str, list[sa.Row]] = {}
    for (name, column), values in sorted(wanted.items()):
        target = db.metadata.tables[name]
        if values:
            rows = db.session.execute(sa.select(target).where(target.c[column].in_(values)))
            found.setdefault(name, []).extend(rows)
    result = []
    for name, rows in found.items():
        table = db.metadata.tables[name]
        people = {
            c.name
            for c in table.columns
            if any(fk.column.table is accounts for fk in c.foreign_keys)
        }
        key = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
        unique = list({tuple(row._mapping[k] for k in key): row for row in rows}.values())
        result.append(_table(table, unique, leave_out=people))
    return result


def _table(table: sa.Table, rows: list[sa.Row], leave_out: set[str] | None = None) -> Table:
    withheld = WITHHELD.get(table.name, frozenset()) | (leave_out or set())
    columns = tuple(c.name for c in table.columns if c.name not in withheld)
    return Table(
        name=table.name,
        file=FILE_NAMES.get(table.name, table.name.replace("_", "-")),
        columns=columns,
        rows=tuple({name: _plain(row._mapping[name]) for name in columns} for row in rows),
    )


def _plain(value: object) -> object:
    """A value JSON can hold: times and dates as ISO 8601, enums by their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def archive(person: User, site_name: str, made_at: datetime) -> bytes:
    """The zip a person downloads: a README, everything in one JSON file, a CSV per table."""
    tables = held_about(person)
    context = context_of(tables)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive_file:
        readme = _readme(person, site_name, made_at, tables, context)
        archive_file.writestr("README.txt", readme)
        document = {
            "site": site_name,
            "made_at": made_at.isoformat(),
            "person": person.email,
            "tables": {table.file: list(table.rows) for table in tables},
            REFERRED_TO: {table.file: list(table.rows) for table in context},
        }
        archive_file.writestr("your-data.json", json.dumps(document, indent=2, default=str))
        for folder, group in (("csv", tables), (f"csv/{REFERRED_TO}", context)):
            for table in group:
                archive_file.writestr(f"{folder}/{table.file}.csv", _csv(table))
    return buffer.getvalue()


def _csv(table: Table) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=table.columns)
    writer.writeheader()
    for row in table.rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return "\ufeff" + text.getvalue()  # a byte order mark, so Excel reads UTF-8


def _cell(value: object) -> object:
    # Answers are JSON in the database, and stay JSON text in a spreadsheet.
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return safe_cell(value) if isinstance(value, str) else value


def _readme(
    person: User, site_name: str, made_at: datetime, tables: list[Table], context: list[Table]
) -> str:
    lines = [
        f"Everything {site_name} holds about {person.name} <{person.email}>",
        f"Made {made_at:%d %B %Y at %H:%M} UTC.",
        "",
        "your-data.json holds it all; csv/ holds the same rows, one file per kind of record:",
        "",
        *(f"  csv/{t.file}.csv: {_rows(t)}" for t in tables),
        "",
        f"csv/{REFERRED_TO}/ names what those rows refer to by id (cohorts, groups,",
        "organisations): it is not about you, and leaves out anyone else's id.",
        *(f"  csv/{REFERRED_TO}/{t.file}.csv: {_rows(t)}" for t in context),
        "",
        "Left out: your password and sign-in tokens, which are kept only as one-way hashes that",
        "are of no use to you and would help anyone who took this file; and the text of any",
        "email still waiting to be sent to you, which may hold a link that sets your password",
        "(who it is to, what about and when are here). Learning content",
        "(modules and scenarios) is not personal data; records name it by its slug and version.",
        "Times are UTC (ISO 8601).",
    ]
    return "\n".join(lines) + "\n"


def _rows(table: Table) -> str:
    return f"{len(table.rows)} row{'s' if len(table.rows) != 1 else ''}"
