"""Email to people, written to the outbox in the caller's transaction and sent after its commit.

Every function here queues a message (``outbox.queue``: add and flush); the view's commit keeps
it with the fact it reports, and ``outbox.deliver`` sends it, when ``MAIL_SERVER`` is set,
straight after the request (and ``flask outbox send`` retries). Without a mail server the
messages that are queued wait on the administrators' outbox page, to be passed on by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app, render_template, url_for

from . import cohorts, outbox
from .models import Cohort, User


def can_send_mail(config: Mapping[str, Any]) -> bool:
    """Whether an SMTP server has been configured."""
    return outbox.mail_server_configured(config)


def send_reset_link(user: User, link: str) -> None:
    """Email a password reset link to its owner."""
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    outbox.queue(
        user.email,
        f"Reset your {current_app.config['SITE_NAME']} password",
        render_template("email/reset_password.txt", user=user, link=link, minutes=minutes),
        user=user,
    )


def send_registration_link(person_name: str, email: str, link: str) -> None:
    """Email the link that creates a new account to the address it was asked for."""
    outbox.queue(
        email,
        f"Finish creating your {current_app.config['SITE_NAME']} account",
        render_template("email/registration.txt", name=person_name, link=link),
    )


def send_account_exists(user: User, sign_in: str, reset: str) -> None:
    """Tell an account's owner that someone tried to register with their address."""
    outbox.queue(
        user.email,
        f"You already have a {current_app.config['SITE_NAME']} account",
        render_template("email/account_exists.txt", user=user, sign_in=sign_in, reset=reset),
        user=user,
    )


def send_membership_news(user: User, link: str) -> None:
    """Tell a person that their organisation confirmed or ended their membership."""
    outbox.queue(
        user.email,
        f"Your organisation on {current_app.config['SITE_NAME']}",
        render_template("email/membership.txt", user=user, link=link),
        user=user,
    )


def send_invitations(people: Iterable[User], *, invited_by: User, cohort: Cohort) -> None:
    """Email each account a trainer's upload made its own link to set a first password.

    The link goes to the person's own address and nowhere else: whoever holds it can set the
    password, so the trainer who made the account never sees it.
    """
    secret = current_app.config["SECRET_KEY"]
    days = cohorts.INVITATION_MAX_AGE // (24 * 3600)
    for person in people:
        token = cohorts.invitation_token(person, secret)
        outbox.queue(
            person.email,
            f"You are invited to {cohort.name} on {current_app.config['SITE_NAME']}",
            render_template(
                "email/invitation.txt",
                user=person,
                trainer=invited_by,
                cohort=cohort,
                link=url_for("auth.accept_invitation", token=token, _external=True),
                days=days,
            ),
            user=person,
        )
