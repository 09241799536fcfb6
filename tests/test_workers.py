"""Several gunicorn workers serve one site: sessions and rate limits hold across them."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade

from learning import accounts, create_app
from learning.extensions import db
from learning.professions import Stage

from .conftest import CHEAP_HASHING, FIXTURE_COURSE, PASSWORD

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PEOPLE = {"nurse@site.test": "nursing", "ot@site.test": "occupational-therapy"}
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def _redis_answers() -> bool:
    parsed = urllib.parse.urlsplit(REDIS)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _migrate_and_add_people(database: str) -> None:
    """The site's tables, by its migrations, and the two people the tests sign in as.

    Done in this process: only the server needs to be separate processes.
    """
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": "not the site's key",
            "CONTENT_ROOT": FIXTURE_COURSE,
            **CHEAP_HASHING,
        }
    )
    with app.app_context():
        upgrade()
        for email, profession in PEOPLE.items():
            accounts.register(
                accounts.NewPerson(
                    name=email.split("@")[0].title(),
                    email=email,
                    password=PASSWORD,
                    profession=profession,
                    stage=Stage.QUALIFIED,
                )
            )
        db.session.commit()
        db.engine.dispose()


def _site_env(folder: Path, database: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "INSTANCE_PATH": str(folder),
        "LOGIN_LIMIT_ACCOUNT": "4 per minute",
        "CONTENT_ROOT": str(FIXTURE_COURSE),
        # The workers do not share the test app's config: tell them to hash cheaply too.
        **{name: str(value) for name, value in CHEAP_HASHING.items()},
    }
    env.pop("SECRET_KEY", None)  # the workers must agree on the generated one
    env.pop("RATELIMIT_STORAGE_URI", None)
    return env


@contextmanager
def _serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Run a real gunicorn until the block ends; yield its address once it answers."""
    server = subprocess.Popen(  # noqa: S603
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 - our own local server
            break
        except urllib.error.HTTPError:
            break  # it answers, if only to refuse
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        server.send_signal(signal.SIGQUIT)  # quick shutdown: no request is left to finish
        server.wait(timeout=10)


def _make_run_command(port: int) -> tuple[list[str], dict[str, str]]:
    """The server command of `make run`, as make expands it, and any variables it sets."""
    shown = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-n", "run", f"PORT={port}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in shown.splitlines() if "gunicorn " in line and "echo" not in line)
    words = shlex.split(line)
    settings = {}
    while "=" in words[0] and not words[0].startswith("-"):
        name, value = words.pop(0).split("=", 1)
        settings[name] = value
    return words, settings


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    if not _redis_answers():
        pytest.skip(f"Redis is not reachable at {REDIS}")
    folder = tmp_path_factory.mktemp("site")
    database = f"sqlite:///{folder / 'site.sqlite3'}"
    _migrate_and_add_people(database)
    env = {
        **_site_env(folder, database),
        "RATELIMIT_STORAGE_URI": REDIS,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    port = _free_port()
    command = [str(BIN / "gunicorn"), "--workers", "3", "--bind", f"127.0.0.1:{port}", "app:app"]
    with _serving(command, env, port) as base:
        yield base


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, forms; never follows redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post_form(self, path: str, data: dict[str, str]) -> int:
        _, page = self.get(path)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def test_a_session_started_on_one_worker_is_honoured_by_the_others(site):
    browser = Browser(site)
    status = browser.post_form("/sign-in", {"email": "nurse@site.test", "password": PASSWORD})
    assert status == 302
    # Three workers; twelve requests land on more than one of them.
    assert all(browser.get("/dashboard")[0] == 200 for _ in range(12))


def test_the_account_limit_is_shared_by_every_worker_through_redis(site):
    statuses = [
        Browser(site).post_form("/sign-in", {"email": "ot@site.test", "password": "wrong pass"})
        for _ in range(6)
    ]
    assert statuses[:4] == [422] * 4
    assert statuses[4:] == [429, 429]


def test_the_account_limit_holds_when_served_as_make_run_serves_it(tmp_path):
    """`make run` keeps the default memory:// store, so it must serve from one process."""
    database = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    _migrate_and_add_people(database)
    port = _free_port()
    command, settings = _make_run_command(port)
    with _serving(command, {**_site_env(tmp_path, database), **settings}, port) as base:
        statuses = [
            Browser(base).post_form("/sign-in", {"email": "ot@site.test", "password": "wrong"})
            for _ in range(12)
        ]
    assert statuses[:4] == [422] * 4
    assert statuses[4:] == [429] * 8


def test_several_workers_without_a_shared_store_refuse_to_serve(tmp_path):
    database = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    _migrate_and_add_people(database)
    port = _free_port()
    command = [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:app"]
    with _serving(command, _site_env(tmp_path, database), port) as base:
        assert [Browser(base).get("/sign-in")[0] for _ in range(4)] == [503] * 4
