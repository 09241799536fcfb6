"""Error pages: plain words, a way forward, and no half-done writes left behind."""

from __future__ import annotations

from flask import Blueprint, render_template
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import db

bp = Blueprint("errors", __name__)

_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html", 429: "errors/429.html"}


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Render our own page for the common errors; others get a generic page."""
    if error.code is not None and error.code >= 500:
        db.session.rollback()
    template = _TEMPLATES.get(error.code or 0, "errors/generic.html")
    return render_template(template, error=error), error.code


@bp.app_errorhandler(SecurityError)
def untrusted_host(error: SecurityError):
    """A request for a host not in ``TRUSTED_HOSTS``: plain words, since no URL can be built."""
    return (
        "Bad request: this site is not served at that address.",
        400,
        {"Content-Type": "text/plain; charset=utf-8"},
    )


@bp.app_errorhandler(500)
def server_error(error: Exception):
    """Undo the request's writes and apologise."""
    db.session.rollback()
    return render_template("errors/500.html"), 500
