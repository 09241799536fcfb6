"""Shared fixtures: one app per run, on SQLite or PostgreSQL, with a clean database per test.

``TEST_DB=postgresql`` runs the suite on ``TEST_DATABASE_URL`` (default: the local ``test``
database); otherwise on a temporary SQLite file. ``REQUIRE_POSTGRES=1`` turns an unreachable
PostgreSQL into a failure instead of a skipped run. Under pytest-xdist (``-n``) each worker has
a database of its own: its own SQLite file, or ``<database>_gw0`` and so on beside the
PostgreSQL one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from itertools import count
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from learning import accounts, cohorts, create_app
from learning.extensions import db, limiter
from learning.models import Membership, Organisation, OrganisationKind, Role, User
from learning.professions import Stage

# Hypothesis's per-example deadline is a timing assertion: on a loaded two-core machine it fails
# tests whose logic is right. Time is measured by `make bench`, never asserted in a test.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
# Cheap argon2id keeps the suite fast; test_security checks that production keeps its cost.
CHEAP_HASHING = {
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_COST": 1024,
    "PASSWORD_HASH_PARALLELISM": 1,
}
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery"


def _wanted(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


def postgres_url() -> str:
    """The PostgreSQL URL the suite runs against with TEST_DB=postgresql."""
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG_URL


def postgres_reachable(url: str) -> str | None:
    """None if PostgreSQL answers at ``url``, else the reason it does not."""
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure means "not reachable", reported below
        return str(error).splitlines()[0]
    return None


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("TEST_DB") == "postgresql":
        reason = postgres_reachable(postgres_url())
        if reason is not None:
            message = f"PostgreSQL is not reachable at {postgres_url()}: {reason}"
            if _wanted("REQUIRE_POSTGRES"):
                pytest.exit(message + " (REQUIRE_POSTGRES=1)", returncode=1)
            pytest.exit(message + "; skipping the PostgreSQL run", returncode=0)


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {os.environ.get('TEST_DB') or 'sqlite'}"


def worker_database(url: str, worker: str) -> str:
    """The PostgreSQL database of one pytest-xdist worker (``test_gw0``...), created if new:
    workers run at once, so each needs tables of its own."""
    base = sa.make_url(url)
    wanted = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": wanted}
        ).first()
        if exists is None:
            connection.execute(sa.text(f'CREATE DATABASE "{wanted}"'))
    engine.dispose()
    return base.set(database=wanted).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if os.environ.get("TEST_DB") == "postgresql":
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return worker_database(postgres_url(), worker) if worker else postgres_url()
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


class Client(FlaskClient):
    """A test client that reads each response's whole body before returning it, as a server
    does: a streamed download runs its queries, and meets any error, within the request.
    ``buffered=False`` keeps a streamed body to be read."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            # Generous by default; the rate-limit tests tighten these.
            "LOGIN_LIMIT_ADDRESS": "1000 per minute",
            "LOGIN_LIMIT_ACCOUNT": "1000 per minute",
            "LOGIN_LIMIT_ACCOUNT_CEILING": "1000 per minute",
            "RESET_LIMIT_ADDRESS": "1000 per minute",
            "REGISTER_LIMIT_ADDRESS": "1000 per minute",
            "MAIL_SUPPRESS_SEND": True,
            "SERVER_NAME": None,
            "SITE_URL": "http://localhost",
            "CONTENT_ROOT": FIXTURE_COURSE,
            # A fixture file with a problem must stop the suite, not be left out quietly.
            "STRICT_CONTENT": True,
            **CHEAP_HASHING,
        }
    )
    app.test_client_class = Client
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with empty tables and fresh rate-limit counters."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    limiter.reset()
    yield
    with app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    limiter.reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


_serial = count(1)


@pytest.fixture
def make_organisation(app: Flask) -> Callable[..., Organisation]:
    """Create an organisation and return it (detached but with its id)."""

    def make(name: str | None = None, kind: OrganisationKind = OrganisationKind.NHS_TRUST):
        with app.app_context():
            organisation = Organisation(name=name or f"Organisation {next(_serial)}", kind=kind)
            db.session.add(organisation)
            db.session.commit()
            db.session.refresh(organisation)
            db.session.expunge(organisation)
            return organisation

    return make


@pytest.fixture
def make_cohort(app: Flask) -> Callable[..., int]:
    """Create a cohort owned by a trainer, through the domain as the trainer's form does, and
    return its id."""

    def make(owner: User, name: str = "Discharge together", description: str = "") -> int:
        with app.app_context():
            cohort = cohorts.create(
                db.session.get(User, owner.id),
                cohorts.CohortDetails(name, description, None, None, 4, {}),
            )
            db.session.commit()
            return cohort.id

    return make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user with the given roles and return it (detached but with its id)."""

    def make(
        *roles: Role,
        email: str | None = None,
        name: str = "Sam Example",
        profession: str = "nursing",
        stage: Stage = Stage.QUALIFIED,
        organisation: Organisation | None = None,
        password: str = PASSWORD,
        membership: Membership = Membership.CONFIRMED,
    ) -> User:
        with app.app_context():
            user = accounts.register(
                accounts.NewPerson(
                    name=name,
                    email=email or f"person{next(_serial)}@example.test",
                    password=password,
                    profession=profession,
                    stage=stage,
                    organisation_id=organisation.id if organisation else None,
                )
            )
            if organisation is not None:  # most tests' people are their organisation's staff
                user.membership = membership
            for role in roles:
                accounts.grant_role(user, role)
            db.session.commit()
            user_id = user.id
            db.session.expunge_all()
            user = db.session.get(User, user_id)
            assert user is not None
            _ = user.role_grants, user.organisation
            db.session.expunge_all()
            return user

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Sign a user in through the real sign-in form."""

    def sign_in(user: User, password: str = PASSWORD) -> FlaskClient:
        response = client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture
def count_queries(app: Flask) -> Callable[[FlaskClient, str], int]:
    """How many SQL statements one GET of a page runs; the page must answer 200."""

    def count(client: FlaskClient, path: str) -> int:
        statements = 0

        def counter(*_args: object) -> None:
            nonlocal statements
            statements += 1

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            response = client.get(path)
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)
        assert response.status_code == 200, (path, response.status_code)
        return statements

    return count


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = CSRF_PATTERN.search(html) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class _BodyRows(HTMLParser):
    """The cells of a page's table body rows, as the text a reader hears."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_body = False
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag in ("th", "td"):
            self._cell = []
        elif self._cell is not None and ("aria-hidden", "true") in attrs:
            self._hidden += 1
        elif self._cell is not None and tag == "br":
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif self._cell is not None and tag in ("th", "td"):
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif self._hidden and tag == "span":
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    """Each row of the page's table bodies as its cells' text, without what is hidden from
    screen readers; whitespace collapsed."""
    parser = _BodyRows()
    parser.feed(html)
    return parser.rows
