"""Your data: everything held about one person, as a zip of JSON and CSV (UK GDPR Article 15).

What counts as held about a person is read from the tables themselves, not from a list kept
by hand: their account row; every row of every table with a column naming them (``user_id``,
or ``subject_user_id`` and ``actor_id`` in the audit trail); and the rows that belong to those
rows (a quiz attempt's answers and decisions). A table added later is exported without anyone
remembering to add it. Only secrets are withheld: password and token hashes.
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
}
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


def _table(table: sa.Table, rows: list[sa.Row]) -> Table:
    withheld = WITHHELD.get(table.name, frozenset())
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
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive_file:
        archive_file.writestr("README.txt", _readme(person, site_name, made_at, tables))
        document = {
            "site": site_name,
            "made_at": made_at.isoformat(),
            "person": person.email,
            "tables": {table.file: list(table.rows) for table in tables},
        }
        archive_file.writestr("your-data.json", json.dumps(document, indent=2, default=str))
        for table in tables:
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=table.columns)
            writer.writeheader()
            for row in table.rows:
                writer.writerow({k: _cell(v) for k, v in row.items()})
            # With a byte order mark, so Excel reads the file as UTF-8.
            archive_file.writestr(f"csv/{table.file}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


def _cell(value: object) -> object:
    # Answers are JSON in the database, and stay JSON text in a spreadsheet.
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return safe_cell(value) if isinstance(value, str) else value


def _readme(person: User, site_name: str, made_at: datetime, tables: list[Table]) -> str:
    lines = [
        f"Everything {site_name} holds about {person.name} <{person.email}>",
        f"Made {made_at:%d %B %Y at %H:%M} UTC.",
        "",
        "your-data.json holds it all; csv/ holds the same rows, one file per kind of record:",
        "",
        *(
            f"  csv/{t.file}.csv: {len(t.rows)} row{'s' if len(t.rows) != 1 else ''}"
            for t in tables
        ),
        "",
        "Left out: your password and sign-in tokens, which are kept only as one-way hashes that",
        "are of no use to you and would help anyone who took this file. Learning content",
        "(modules and scenarios) is not personal data; records name it by its slug and version.",
        "Times are UTC (ISO 8601).",
    ]
    return "\n".join(lines) + "\n"
