"""Backups restore: the demo site backed up and restored into an empty database, row for row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from learning import PROJECT_ROOT, backups, create_app, demo
from learning import curriculum as curricula
from learning.extensions import db

from .conftest import CHEAP_HASHING, FIXTURE_COURSE


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database beside the suite's, with nothing in it, not even tables."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    base = sa.make_url(database_url)
    name = f"{base.database}_restore"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def app_on(url: str) -> Flask:
    """The app serving the database at ``url``."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "CONTENT_ROOT": FIXTURE_COURSE,
            **CHEAP_HASHING,
        }
    )


def every_row(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, in a fixed order (JSON columns have none in SQL), read without the
    app's models."""
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {
                name: sorted((tuple(row) for row in connection.execute(sa.select(table))), key=repr)
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def recorded(rows: dict[str, list[tuple]], action: str) -> list[str]:
    """What the audit entries of one action are about, with who made them checked."""
    found = [r for r in rows["audit_entry"] if action in r]
    assert all(any(str(v).startswith("Command line (") for v in r) for r in found)
    return [next(v for v in r if str(v).startswith("Backup file")) for r in found]


@pytest.mark.parametrize("migrated", [False, True], ids=["bare", "tables-but-no-rows"])
def test_the_demo_site_backed_up_and_restored_into_an_empty_database_is_identical(
    app, empty_database_url, tmp_path, migrated
):
    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"], curricula.load(PROJECT_ROOT))
        db.session.commit()
        source_url = db.engine.url.render_as_string(hide_password=False)
    file = tmp_path / "site.backup"
    before = every_row(source_url)

    made = app.test_cli_runner().invoke(args=["backup", "create", str(file)])
    assert made.exit_code == 0, made.output
    target = app_on(empty_database_url)
    if migrated:  # as after `flask db upgrade` on a new database
        with target.app_context():
            db.create_all()
            db.engine.dispose()
    into_empty = target.test_cli_runner()
    restored = into_empty.invoke(args=["backup", "restore", str(file)])
    assert restored.exit_code == 0, restored.output

    after = every_row(empty_database_url)
    assert set(after) == set(before) >= set(db.metadata.tables)
    assert sum(len(rows) for rows in before.values()) > 1000
    # Both commands are in the audit trail: the backup in the source (after the file was
    # written, so not in it), the restore in the restored database, after the backup's history.
    assert recorded(every_row(source_url), "backup-made") == ["Backup file site.backup"]
    assert recorded(after, "backup-restored") == ["Backup file site.backup"]
    after["audit_entry"] = [r for r in after["audit_entry"] if "backup-restored" not in r]
    for name, rows in before.items():
        assert after[name] == rows, name
    # The restored site carries on: new rows take new ids (PostgreSQL's sequences came too).
    made = into_empty.invoke(
        args=["users", "create", "--email", "new@example.test", "--name", "New Person"],
        input="a solid new passphrase\na solid new passphrase\n",
    )
    assert made.exit_code == 0, made.output


def test_restore_refuses_a_database_that_holds_data_unless_told_to_replace_it(
    app, make_user, tmp_path
):
    make_user(email="before@example.test")
    file = tmp_path / "site.backup"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "create", str(file)]).exit_code == 0
    make_user(email="after@example.test")

    refused = runner.invoke(args=["backup", "restore", str(file)])
    assert refused.exit_code == 1
    assert "not empty" in refused.output and "user_account" in refused.output
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM user_account")).scalar() == 2

    replaced = runner.invoke(args=["backup", "restore", "--replace", str(file)])
    assert replaced.exit_code == 0, replaced.output
    with app.app_context():
        db.session.remove()
        emails = db.session.execute(sa.text("SELECT email FROM user_account")).scalars()
        assert list(emails) == ["before@example.test"]


def test_backup_never_overwrites_a_file(app, tmp_path):
    file = tmp_path / "site.backup"
    file.write_text("an older backup")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(file)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert file.read_text() == "an older backup"


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    file = tmp_path / "notes.txt"
    file.write_text("not a database")
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(file)])
    assert result.exit_code == 1 and "is not a" in result.output


def test_postgresql_backups_say_clearly_when_pg_dump_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(backups.shutil, "which", lambda _name: None)
    with pytest.raises(backups.BackupError, match="pg_dump is not on PATH.*postgresql-client"):
        backups.create(sa.make_url("postgresql://nobody@127.0.0.1/none"), tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_an_sqlite_database_in_memory_cannot_be_backed_up(tmp_path):
    with pytest.raises(backups.BackupError, match="in a file"):
        backups.create(sa.make_url("sqlite://"), tmp_path / "b")
