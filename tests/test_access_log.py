"""No secret reaches a log line: one-time links' tokens stay out of gunicorn's access log."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import pytest

from learning import accounts, create_app, token_prefixes
from learning.extensions import db

from .conftest import CHEAP_HASHING, FIXTURE_COURSE
from .test_workers import Browser, _free_port, _migrate_and_add_people, _serving, _site_env

BIN = Path(sys.executable).parent
SECRET = "the access log test's key"


def _tokens(database: str) -> dict[str, str]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": SECRET,
            "CONTENT_ROOT": FIXTURE_COURSE,
            **CHEAP_HASHING,
        }
    )
    with app.app_context():
        nurse = accounts.user_by_email("nurse@site.test")
        ot = accounts.user_by_email("ot@site.test")
        tokens = {
            "reset": accounts.reset_token(nurse, SECRET),
            "invitation": accounts.reset_token(ot, SECRET, salt=accounts.INVITATION),
        }
        db.engine.dispose()
    return tokens


def _read_when_written(log: Path, *needed: str) -> str:
    """The access log once every one of ``needed`` is in it. gunicorn writes a line after its
    response, from whichever thread served it, so lines can land out of order: waiting for
    the last request's line alone sometimes read the log before an earlier line was in."""
    for _ in range(150):
        written = log.read_text()
        if all(part in written for part in needed):
            break
        time.sleep(0.1)
    return written


@pytest.fixture(scope="module")
def logged_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logged-site")
    database = f"sqlite:///{folder / 'site.sqlite3'}"
    _migrate_and_add_people(database)
    log = folder / "access.log"
    env = {**_site_env(folder, database), "SECRET_KEY": SECRET}
    port = _free_port()
    command = [
        str(BIN / "gunicorn"),
        *("--workers", "1", "--threads", "2", "--bind", f"127.0.0.1:{port}"),
        *("--access-logfile", str(log), "app:app"),
    ]
    with _serving(command, env, port) as base:
        yield base, log, _tokens(database)


def test_one_time_link_tokens_never_reach_the_access_log(logged_site):
    base, log, tokens = logged_site
    reset, invitation = Browser(base), Browser(base)
    assert reset.get("/reset-password/" + tokens["reset"])[0] == 302
    assert reset.get("/new-password")[0] == 200
    assert reset.post_form("/new-password", {"password": "a new passphrase from the log test"})
    assert invitation.get("/invitation/" + tokens["invitation"])[0] == 302
    assert invitation.post_form("/invitation", {"password": "my first passphrase here"}) == 302
    assert Browser(base).get("/register/" + tokens["reset"])[0] == 404  # a bad link: logged too
    # A page linked from a token's address says where it came from.
    referred = Browser(base)
    referred.opener.addheaders = [("Referer", f"{base}/invitation/{tokens['invitation']}")]
    assert referred.get("/")[0] == 200

    written = _read_when_written(
        log,
        "GET /reset-password/",
        "GET /new-password",
        "POST /invitation",
        "GET /register/",
        f'"{base}/invitation/',  # the Referer's line
    )
    assert written.count("[redacted]") == 4, written
    assert "GET /new-password" in written and "POST /invitation" in written
    for token in tokens.values():
        assert token not in written
        assert token[-20:] not in written


def test_every_route_ending_in_a_token_is_redacted(app):
    assert sorted(token_prefixes(app)) == ["/invitation/", "/register/", "/reset-password/"]


def test_the_debug_servers_request_lines_are_redacted_too(app, caplog):
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        def __init__(self) -> None:  # no socket: only the logging is under test
            self.requestline = "GET /invitation/secret-token-123 HTTP/1.1"
            self.client_address = ("127.0.0.1", 1)

    with caplog.at_level(logging.INFO, logger="werkzeug"):
        Handler().log_request(200, 10)
    assert "secret-token-123" not in caplog.text
    assert "/invitation/[redacted]" in caplog.text
