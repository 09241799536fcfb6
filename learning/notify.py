"""Email to people, written to the outbox in the caller's transaction and sent after its commit.

Every function here queues a message (``outbox.queue``: add and flush); the view's commit keeps
it with the fact it reports, and ``outbox.deliver`` sends it, when ``MAIL_SERVER`` is set,
straight after the request (and ``flask outbox send`` retries). Without a mail server the
messages that are queued wait on the administrators' outbox page, to be passed on by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, url_for

from . import accounts, cohorts, outbox
from .extensions import db
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


@dataclass(frozen=True)
class Claimant:
    """What an employer's email says about someone who claims to work there: no more."""

    name: str
    profession: str
    stage: str

    @classmethod
    def of(cls, person: User) -> Claimant:
        # One line each: a line break typed into a name must not add lines of its own.
        return cls(
            name=" ".join(person.name.split()),
            profession=person.profession.label,
            stage=person.stage.label.lower(),
        )


def send_claims(claimants: Iterable[User], *, listed_by: User | None = None) -> None:
    """Tell each confirmed employer of the organisations these people now name that they
    claim to work there, and where to confirm or decline them: one email per employer.

    The email says who they are (name, profession, stage), never their email address or
    anything they did; the Joining and leaving page shows the rest to a signed-in employer.
    ``listed_by`` is the trainer whose upload named the organisation for them.
    """
    claims: dict[int, list[Claimant]] = {}
    for person in claimants:
        if person.organisation_id is not None:
            claims.setdefault(person.organisation_id, []).append(Claimant.of(person))
    if not claims:
        return
    link = url_for("employer.people", _external=True)
    for employer in db.session.execute(accounts.employers_of(claims)).scalars():
        organisation = employer.organisation
        people = claims[employer.organisation_id]
        outbox.queue(
            employer.email,
            f"{'Someone says they work' if len(people) == 1 else 'People say they work'} "
            f"at {organisation.name}: please confirm or decline",
            render_template(
                "email/claim.txt",
                user=employer,
                organisation=organisation,
                people=people,
                listed_by=listed_by,
                link=link,
            ),
            user=employer,
        )


def send_invitation_notices(people: Iterable[User], *, invited_by: User, cohort: Cohort) -> None:
    """Tell each person with an account of their own that a trainer invited them to a cohort,
    what its trainers would see if they accept, and where to answer.

    Not for an account an upload has just made: its set-password email (``send_invitations``)
    already says so. The link is to the invitation page, behind sign-in, and carries no token.
    """
    link = url_for("learner.invitation", cohort_id=cohort.id, _external=True)
    for person in people:
        if person.closed_at is not None:
            continue  # a closed account's address receives nothing
        outbox.queue(
            person.email,
            f"You are invited to join {cohort.name} on {current_app.config['SITE_NAME']}",
            render_template(
                "email/cohort_invitation.txt",
                user=person,
                trainer=invited_by,
                cohort=cohort,
                link=link,
            ),
            user=person,
        )
