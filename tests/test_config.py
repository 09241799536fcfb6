"""Configuration from the environment, and the database settings that workers rely on."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.config import database_url, from_environ
from learning.extensions import db


def test_postgres_urls_are_normalised_to_psycopg():
    assert database_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert database_url("postgresql://h/d") == "postgresql+psycopg://h/d"
    assert database_url("postgresql+psycopg://h/d") == "postgresql+psycopg://h/d"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_configuration_comes_from_the_environment(tmp_path):
    config = from_environ(
        {
            "DATABASE_URL": "postgres://db/site",
            "SECRET_KEY": "from-env",
            "MAIL_SERVER": "smtp.example.test",
            "MAIL_PORT": "587",
            "MAIL_USE_TLS": "true",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "SECURE_COOKIES": "1",
        },
        tmp_path,
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/site"
    assert config["SECRET_KEY"] == "from-env"
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (
        "smtp.example.test",
        587,
        True,
    )
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert not (tmp_path / "secret_key").exists()


def test_without_settings_the_database_is_sqlite_in_the_instance_folder(tmp_path):
    config = from_environ({}, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'learning.sqlite3'}"
    assert config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()


def test_sqlite_enforces_foreign_keys_and_uses_wal(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000


def test_timestamps_come_back_timezone_aware_utc(app, make_user):
    from learning.models import User

    user = make_user()
    with app.app_context():
        created = db.session.get(User, user.id).created_at
        assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0
