"""Backups of the whole platform that restore: one file per backup, on SQLite or PostgreSQL.

SQLite is copied with its online backup API, page by page from a consistent snapshot, so it is
safe while the site is serving. PostgreSQL is dumped with ``pg_dump`` in its custom format and
read back with ``pg_restore``; both must be on ``PATH`` (Debian's ``postgresql-client``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore, called with argument lists only
from pathlib import Path

import sqlalchemy as sa

SQLITE_HEADER = b"SQLite format 3\x00"
PG_HEADER = b"PGDMP"
#: Kept by Alembic, not data: a migrated but unused database is still empty.
BOOKKEEPING_TABLES = frozenset({"alembic_version"})


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message for the operator."""


def create(url: sa.URL, path: Path) -> None:
    """Write a backup of the database at ``url`` to ``path``, which must not exist yet.

    The backup is written beside ``path`` first and renamed into place when complete, so a
    failed backup never leaves a file that looks like a good one.
    """
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(Path(_sqlite_path(url)), partial)
        elif url.get_backend_name() == "postgresql":
            _run(
                "pg_dump",
                ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
                url,
            )
        else:
            raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore(url: sa.URL, path: Path, *, replace: bool = False) -> None:
    """Restore the backup at ``path`` into the database at ``url``.

    A database that holds any row is refused unless ``replace`` is given: a restore replaces
    everything in it.
    """
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    header = path.read_bytes()[: len(SQLITE_HEADER)]
    backend = url.get_backend_name()
    if backend == "sqlite" and not header.startswith(SQLITE_HEADER):
        raise BackupError(f"{path} is not an SQLite backup")
    if backend == "postgresql" and not header.startswith(PG_HEADER):
        raise BackupError(f"{path} is not a pg_dump custom-format backup")
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {backend} databases are not supported")
    tables = populated_tables(url)
    if tables and not replace:
        raise BackupError(
            f"the database is not empty ({', '.join(tables[:5])}"
            f"{' and more' if len(tables) > 5 else ''} hold rows): restoring would replace "
            "everything in it; pass --replace if that is what you want"
        )
    if backend == "sqlite":
        _sqlite_copy(path, Path(_sqlite_path(url)))
    else:
        _run(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(path),
            ],
            url,
        )


def populated_tables(url: sa.URL) -> list[str]:
    """The tables of the database at ``url`` that hold at least one row (bookkeeping aside)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            names = sa.inspect(connection).get_table_names()
            return [
                name
                for name in sorted(names)
                if name not in BOOKKEEPING_TABLES
                and connection.execute(
                    sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)
                ).first()
                is not None
            ]
    finally:
        engine.dispose()


def _sqlite_path(url: sa.URL) -> str:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("only an SQLite database in a file can be backed up or restored")
    return database


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database over another with the online backup API."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def _run(program: str, arguments: list[str], url: sa.URL) -> None:
    """Run a PostgreSQL client program against ``url``; the password goes in the environment,
    where other users of the machine cannot read it, never on the command line."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not on PATH: install PostgreSQL's client programs "
            "(Debian and Ubuntu: apt-get install postgresql-client), of the server's version "
            "or newer"
        )
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None)
    command = [executable, *arguments, f"--dbname={target.render_as_string()}"]
    result = subprocess.run(  # noqa: S603 - a fixed program and our own arguments
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")
