"""Configuration: defaults here, the environment read once by :func:`from_environ`.

Every variable is documented in the README's configuration table.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

#: Defaults that hold in every environment. ``create_app`` adds the database URL and secret key.
DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "Learning Together",
    # Every absolute URL (emails, certificates, exports) starts here, never at the request's Host.
    "SITE_URL": "http://127.0.0.1:8000",
    # Requests for any other host are refused with 400 (Flask's TRUSTED_HOSTS).
    "TRUSTED_HOSTS": ["127.0.0.1", "localhost"],
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "WTF_CSRF_TIME_LIMIT": None,  # valid for the session: a long read must not lose a form
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_LIMIT_ADDRESS": "20 per 10 minutes",
    "LOGIN_LIMIT_ACCOUNT": "8 per 10 minutes",
    "LOGIN_LIMIT_ACCOUNT_CEILING": "40 per hour",
    "RESET_LIMIT_ADDRESS": "10 per hour",
    "REGISTER_LIMIT_ADDRESS": "20 per hour",
    "JOIN_LIMIT": "10 per hour",
    "PASSWORD_RESET_MAX_AGE": 3600,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "no-reply@localhost",
    "DEMO_PASSWORD": "demo-password-2026",
    "TRUSTED_PROXIES": 0,
    "PAGE_SIZE": 25,
    # argon2id's cost: RFC 9106's "low memory" profile (3 passes over 64 MiB in 4 lanes).
    "PASSWORD_HASH_TIME_COST": 3,
    "PASSWORD_HASH_MEMORY_COST": 65536,  # KiB
    "PASSWORD_HASH_PARALLELISM": 4,
    # Uploads (enrolment CSVs) are at most 2 MB; refuse anything far larger before reading it.
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    # The privacy notice (/privacy) is a template the organisation running the site completes
    # here; until it does, the page says plainly which details are missing.
    "PRIVACY_CONTROLLER": None,  # who decides why and how the data is used, e.g. an NHS trust
    "PRIVACY_CONTACT": None,  # where to write about personal data: an email or postal address
    "PRIVACY_DPO": None,  # the data protection officer: name and how to reach them
    "PRIVACY_LAWFUL_BASIS": (
        "performing a task in the public interest (UK GDPR Article 6(1)(e)): training the health "
        "and social care workforce"
    ),
    # The accessibility statement (/accessibility), which the public sector bodies accessibility
    # regulations require, is a template completed here in the same way.
    "ACCESSIBILITY_ORGANISATION": None,  # who runs this site, e.g. an NHS trust or a council
    "ACCESSIBILITY_CONTACT": None,  # where to ask for another format or report a problem
    "ACCESSIBILITY_RESPONSE_DAYS": None,  # working days within which the organisation replies
    "ACCESSIBILITY_TESTED": None,  # when the site was last tested, and by whom
    "ACCESSIBILITY_REVIEWED": None,  # when the organisation last reviewed this statement
    # How long things are kept (stated on the notice; the erasure and review work follows them).
    "RETENTION_INACTIVE_MONTHS": 24,  # an account unused this long is reviewed for closing
    "RETENTION_RECORD_YEARS": 6,  # completions and certificates kept after an account closes
    "RETENTION_AUDIT_YEARS": 6,  # entries in the audit trail
    "RETENTION_BACKUP_DAYS": 35,  # backups, deleted after this by the organisation's rota
    # A content file with a problem is left out and listed for administrators; strict refuses
    # to start instead (make test and release pipelines set STRICT_CONTENT=1).
    "STRICT_CONTENT": False,
}

_BOOLEAN = {"1": True, "true": True, "yes": True, "on": True}
_TEXT = (
    "SITE_NAME",
    "SITE_URL",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "LOGIN_LIMIT_ADDRESS",
    "LOGIN_LIMIT_ACCOUNT",
    "LOGIN_LIMIT_ACCOUNT_CEILING",
    "RESET_LIMIT_ADDRESS",
    "REGISTER_LIMIT_ADDRESS",
    "JOIN_LIMIT",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "DEMO_PASSWORD",
    "PRIVACY_CONTROLLER",
    "PRIVACY_CONTACT",
    "PRIVACY_DPO",
    "PRIVACY_LAWFUL_BASIS",
    "ACCESSIBILITY_ORGANISATION",
    "ACCESSIBILITY_CONTACT",
    "ACCESSIBILITY_TESTED",
    "ACCESSIBILITY_REVIEWED",
)
_INTEGER = (
    "MAIL_PORT",
    "TRUSTED_PROXIES",
    "PASSWORD_RESET_MAX_AGE",
    "PASSWORD_HASH_TIME_COST",
    "PASSWORD_HASH_MEMORY_COST",
    "PASSWORD_HASH_PARALLELISM",
    "RETENTION_INACTIVE_MONTHS",
    "RETENTION_RECORD_YEARS",
    "RETENTION_AUDIT_YEARS",
    "RETENTION_BACKUP_DAYS",
    "ACCESSIBILITY_RESPONSE_DAYS",
)
_FLAGS = ("MAIL_USE_TLS", "MAIL_USE_SSL", "STRICT_CONTENT")


def from_environ(environ: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Read the settings this app understands from the environment."""
    config: dict[str, Any] = {}
    for name in _TEXT:
        if environ.get(name):
            config[name] = environ[name]
    for name in _INTEGER:
        if environ.get(name):
            config[name] = int(environ[name])
    for name in _FLAGS:
        if name in environ:
            config[name] = environ[name].strip().lower() in _BOOLEAN
    if environ.get("TRUSTED_HOSTS"):
        hosts = environ["TRUSTED_HOSTS"].split(",")
        config["TRUSTED_HOSTS"] = [host.strip() for host in hosts if host.strip()]
    if environ.get("SECURE_COOKIES", "").strip().lower() in _BOOLEAN:
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = True
    config["SQLALCHEMY_DATABASE_URI"] = database_url(
        environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'learning.sqlite3'}"
    )
    config["SECRET_KEY"] = environ.get("SECRET_KEY") or instance_secret_key(instance_path)
    if environ.get("CONTENT_ROOT"):
        config["CONTENT_ROOT"] = Path(environ["CONTENT_ROOT"])
    return config


def database_url(url: str) -> str:
    """Normalise Heroku-style ``postgres://`` URLs to SQLAlchemy's psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance_path: Path) -> str:
    """Return the key kept in ``instance/secret_key``, creating it (mode 0600) on first use.

    Creation is exclusive, so several workers starting at once agree on one key.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_hex(32)
        handle.write(key)
    return key
