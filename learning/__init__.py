"""Learning Together: joint training for health and social care.

``create_app`` builds the application: configuration, extensions, blueprints and commands.
Nothing here touches the database, so gunicorn can fork safely after it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, Response, current_app, has_request_context, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from . import clock, curriculum
from . import config as config_module

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Site(Flask):
    """Flask whose absolute URLs all start with the configured ``SITE_URL``.

    Built from the request's Host, a reset link requested with a forged Host would carry a
    valid token to the forger's site. Every ``url_for(..., _external=True)``, in code and in
    templates, comes through here.
    """

    def url_for(self, endpoint: str, *, _external: bool | None = None, **values: Any) -> str:
        """The URL of ``endpoint``; an absolute one is on the configured site, in a request or
        outside one (a command or a job writing an email has no request to take a host from)."""
        if not _external:
            return super().url_for(endpoint, _external=_external, **values)
        values.pop("_scheme", None)
        site = self.config["SITE_URL"].rstrip("/")
        if has_request_context():
            return site + super().url_for(endpoint, _external=False, **values)
        anchor = values.pop("_anchor", None)
        parts = urlsplit(site)
        adapter = self.url_map.bind(parts.netloc, script_name=parts.path or "/")
        path = adapter.build(endpoint, values)
        return site + path.removeprefix(parts.path) + (f"#{url_quote(anchor)}" if anchor else "")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the application; ``config`` overrides the environment (tests use it)."""
    app = Site(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config_module.DEFAULTS)
    app.config["CONTENT_ROOT"] = PROJECT_ROOT
    overrides = config or {}
    if "SQLALCHEMY_DATABASE_URI" in overrides and "SECRET_KEY" in overrides:
        app.config.update(overrides)
    else:
        app.config.update(config_module.from_environ(os.environ, Path(app.instance_path)))
        app.config.update(overrides)

    app.config["CODE_VERSION"] = code_version(PROJECT_ROOT)

    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    _init_extensions(app)
    curriculum.init_app(app)
    _register_blueprints(app)
    _register_commands(app)
    _register_template_helpers(app)
    _register_security_headers(app)
    _register_outbox(app)
    redactor = RedactTokens(app.wsgi_app, token_prefixes(app))
    app.wsgi_app = redactor  # type: ignore[method-assign]
    werkzeug_log = logging.getLogger("werkzeug")
    for old in [f for f in werkzeug_log.filters if isinstance(f, RedactTokens)]:
        werkzeug_log.removeFilter(old)  # the app made last (tests make many) holds the routes
    werkzeug_log.addFilter(redactor)
    return app


def code_version(root: Path) -> str:
    """A hash of the code and templates that draw the pages (``learning/**/*.py`` and
    ``templates/**/*.html``): a new release changes it, and with it every page's ETag, even
    when the content is the same. About 25 ms, once per app, before the workers fork."""
    digest = hashlib.sha256()
    for folder in ("learning", "templates"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".html") and path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def token_prefixes(app: Flask) -> list[str]:
    """The paths that end in a one-time link's token: every rule ending ``<token>``."""
    prefixes = []
    for rule in app.url_map.iter_rules():
        prefix, _, rest = rule.rule.partition("<")
        if rest == "token>":
            prefixes.append(prefix)
    return prefixes


class RedactTokens:
    """WSGI middleware: no one-time link's token reaches the server's access log.

    gunicorn writes its access log line from the very ``environ`` the app was given, after the
    app has answered; so once the app has answered, the token is blanked there in the request
    line, the path and the Referer. Flask's debug server logs its own copy of the request
    line, through the ``werkzeug`` logger: :meth:`filter` blanks it there.
    """

    FIELDS = ("RAW_URI", "REQUEST_URI", "PATH_INFO", "HTTP_REFERER")

    def __init__(self, wsgi_app: Any, prefixes: list[str]) -> None:
        self.wsgi_app = wsgi_app
        self.prefixes = prefixes
        self.pattern = re.compile(
            "(" + "|".join(re.escape(prefix) for prefix in prefixes) + r")[^/?#\s]+"
        )

    def redact(self, text: str) -> str:
        """``text`` with every one-time link's token blanked."""
        return self.pattern.sub(r"\1[redacted]", text) if self.prefixes else text

    def filter(self, record: logging.LogRecord) -> bool:
        """A logging filter: blank tokens in the record's arguments, and let it through."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.redact(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            for name in self.FIELDS:
                if isinstance(environ.get(name), str):
                    environ[name] = self.redact(environ[name])


# No inline script or style anywhere: the pages use only their own files, so neither
# 'unsafe-inline' nor nonces are needed. Keep it so: tests/browser checks the browser agrees.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Same-origin: Flask-WTF's CSRF check needs the Referer on HTTPS; other sites get nothing.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        """Send the security headers on every response.

        A dozen fixed lines, so no library: Flask-Talisman would add a dependency (and HTTPS
        redirects the README's local run cannot use) for what this does.
        Every page may show a person's data (a certificate's name on the public verify page,
        CSV and PDF exports), so no browser or proxy may store it: ``no-store``. Two
        exceptions: the static files, and the reading pages a view has made the same for
        everyone (``Cache-Control: public``, see :mod:`learning.views.modules`), which stay
        public only if no one is signed in and the response sets no cookie.
        """
        response.headers.update(SECURITY_HEADERS)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = HSTS
        if request.endpoint != "static" and not _same_for_everyone(response):
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("ETag", None)
        return response


def _same_for_everyone(response: Response) -> bool:
    """Whether a shared cache may keep this response for everyone: a view marked it public,
    no one is signed in, and neither the session nor the response sets a cookie. The last
    two are checked here, whatever the view did, because a page someone signed in to, or one
    whose cookie a cache would hand to the next reader, must never be shared."""
    from flask_login import current_user

    return (
        bool(response.cache_control.public)
        and not current_user.is_authenticated
        and not session.modified
        and "Set-Cookie" not in response.headers
    )


def _register_outbox(app: Flask) -> None:
    from . import outbox
    from .extensions import db

    @app.after_request
    def send_committed_mail(response: Response) -> Response:
        """Send the email this request queued and committed, now rather than at the next run
        of ``flask outbox send``. The person's action is already committed: a failure is kept
        on the message, for the command to retry, and never breaks the response."""
        ids = outbox.committed(db.session)
        if ids:
            try:
                outbox.deliver(app.config, ids)
            except Exception:  # the database or anything else: the command will retry
                app.logger.exception("Sending email after a request failed; it stays queued")
        return response


def _init_extensions(app: Flask) -> None:
    from .extensions import csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    from .models import render_migration_item

    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        app.before_request(_refuse_several_processes)

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):  # noqa: ANN202 - Flask-Login's callback
        from .accounts import user_for_session
        from .views.auth import signed_in

        return user_for_session(session_id, *signed_in(), app.config["PERMANENT_SESSION_LIFETIME"])

    from .views.auth import remembered_user

    login_manager.request_loader(remembered_user)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)


def _refuse_several_processes() -> Response | None:
    """Rate-limit counters in one process's memory would give every worker the whole limit."""
    if request.environ.get("wsgi.multiprocess"):
        current_app.logger.critical(
            "Several worker processes share no rate-limit store: set RATELIMIT_STORAGE_URI "
            "to Redis, or serve with one worker and threads (gunicorn --workers 1 --threads 8)."
        )
        return Response("This site is misconfigured: rate limits are not shared.", 503)
    return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on; WAL and a busy timeout so several workers can write."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _register_blueprints(app: Flask) -> None:
    from . import views
    from .views import admin, auth, employer, errors, learner, modules, quizzes, records, trainer

    app.url_map.converters["int"] = views.RowId  # before any route is added
    app.before_request(views.refuse_nul)
    app.register_blueprint(errors.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(learner.bp)
    app.register_blueprint(modules.bp)
    app.register_blueprint(quizzes.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(trainer.bp)
    app.register_blueprint(employer.bp)
    app.register_blueprint(admin.bp)


def _register_commands(app: Flask) -> None:
    from .cli import backup_cli, demo_cli, outbox_cli, retention_cli, users_cli

    # ``flask content check`` is a CLI plugin (pyproject.toml), usable when the app cannot start.
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(retention_cli)


def _register_template_helpers(app: Flask) -> None:
    from .models import Role
    from .professions import BY_CODE

    @app.context_processor
    def site() -> dict[str, Any]:
        return {"site_name": app.config["SITE_NAME"], "Role": Role, "PROFESSIONS": BY_CODE}

    @app.template_filter("date")
    def format_date(value: Any) -> str:
        # A timestamp shows the day it was in England, the calendar due dates are kept in.
        if isinstance(value, datetime):
            value = clock.day_of(value)
        return value.strftime("%-d %B %Y") if value else ""

    @app.template_filter("datetime")
    def format_datetime(value: Any) -> str:
        return value.strftime("%-d %B %Y, %H:%M UTC") if value else ""
