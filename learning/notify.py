"""Email to people: sent through SMTP when ``MAIL_SERVER`` is configured."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, render_template
from flask_mail import Message

from .extensions import mail
from .models import User


def can_send_mail(config: Mapping[str, Any]) -> bool:
    """Whether an SMTP server has been configured."""
    return bool(config.get("MAIL_SERVER"))


def send_reset_link(user: User, link: str) -> None:
    """Email a password reset link to its owner."""
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    message = Message(
        subject=f"Reset your {current_app.config['SITE_NAME']} password",
        recipients=[user.email],
        body=render_template("email/reset_password.txt", user=user, link=link, minutes=minutes),
    )
    mail.send(message)


def send_registration_link(person_name: str, email: str, link: str) -> None:
    """Email the link that creates a new account to the address it was asked for."""
    message = Message(
        subject=f"Finish creating your {current_app.config['SITE_NAME']} account",
        recipients=[email],
        body=render_template("email/registration.txt", name=person_name, link=link),
    )
    mail.send(message)


def send_account_exists(user: User, sign_in: str, reset: str) -> None:
    """Tell an account's owner that someone tried to register with their address."""
    message = Message(
        subject=f"You already have a {current_app.config['SITE_NAME']} account",
        recipients=[user.email],
        body=render_template("email/account_exists.txt", user=user, sign_in=sign_in, reset=reset),
    )
    mail.send(message)


def send_membership_news(user: User, link: str) -> None:
    """Tell a person that their organisation confirmed or ended their membership."""
    message = Message(
        subject=f"Your organisation on {current_app.config['SITE_NAME']}",
        recipients=[user.email],
        body=render_template("email/membership.txt", user=user, link=link),
    )
    mail.send(message)
