"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay usable after the one commit a request makes, without reloading them.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
limiter = Limiter(get_remote_address)


def login_limit_address() -> str:
    """Per-address sign-in limit, read from configuration at request time."""
    return current_app.config["LOGIN_LIMIT_ADDRESS"]


def login_limit_account() -> str:
    """Per-account limit (on sign-in, per account and address), read at request time."""
    return current_app.config["LOGIN_LIMIT_ACCOUNT"]


def login_limit_account_ceiling() -> str:
    """Refused sign-ins allowed for one account from all addresses together."""
    return current_app.config["LOGIN_LIMIT_ACCOUNT_CEILING"]


def submitted_email() -> str:
    """Rate-limit key for the account a sign-in or reset form names."""
    return "account:" + request.form.get("email", "").strip().lower()


def submitted_email_from_address() -> str:
    """Rate-limit key for the account a form names, tried from this request's address."""
    return f"{submitted_email()} from:{get_remote_address()}"
