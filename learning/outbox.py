"""The outbox: every email is first a row, written in the same transaction as the fact it
reports, and sent after the commit by a job that any number of workers may run at once.

Why code of our own rather than a task queue (Celery, RQ): they need a broker and worker
processes of their own, and a message handed to a broker inside a transaction is sent even
when the transaction is rolled back (or lost when the broker is down). Here the row *is* the
queue, in the database the site already has, so it commits or rolls back with the fact it
reports. Flask-Mail still speaks SMTP; this module only decides what to send, and when.

Sending one message takes three short transactions of its own:

1. claim it: one conditional UPDATE sets ``claimed_at`` and counts the attempt, only if the
   message is unsent, under ``MAX_ATTEMPTS`` and not claimed by another worker within
   ``CLAIM_LEASE``. Of two workers, one updates the row and the other updates nothing and
   moves on, so a message is never sent by two workers.
2. send it through Flask-Mail (with a timeout, so a silent server cannot hold a worker).
3. record the outcome: sent (``sent_at``, the body blanked so no link in it stays readable,
   the claim released), or failed (the error kept and the claim released, for a later run).

A worker that dies between 1 and 3 leaves a claim that lapses after ``CLAIM_LEASE``; a later
run then sends the message, so nothing is lost. Only a worker that dies after the mail server
took the message and before step 3 can cause a second copy, which no protocol over SMTP can
rule out; the copy has the same Message-ID, so mail programs can tell it is the same message.

``queue`` is a domain function like any other: it adds and flushes, and the caller commits.
``deliver`` is a job, not a step of a request: it never touches the caller's session and
commits each step on a connection of its own, as it must for a claim to be seen by other
workers before the SMTP conversation begins.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import flask_mail
import sqlalchemy as sa
from sqlalchemy import orm

from . import clock
from .extensions import db, mail
from .models import OutboxMessage, User

#: A message is tried this many times; then it waits on the outbox page for an administrator.
MAX_ATTEMPTS = 5
#: How long a worker's claim on a message keeps other workers away from it.
CLAIM_LEASE = timedelta(minutes=10)
#: Seconds to wait for the mail server at each step, well inside ``CLAIM_LEASE``.
SMTP_TIMEOUT = 10
#: How many messages one run of ``flask outbox send`` takes on.
BATCH = 200

# Failures of one message (its address, its content): the run goes on with the next one.
# Anything else (no connection, refused sign-in) would fail every message alike: the run stops.
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, flask_mail.BadHeaderError)

_QUEUED = "outbox_queued"
_COMMITTED = "outbox_committed"


def mail_server_configured(config: Mapping[str, Any]) -> bool:
    """Whether an SMTP server has been configured, so that messages are sent at all."""
    return bool(config.get("MAIL_SERVER"))


def queue(to_address: str, subject: str, body: str, *, user: User | None = None) -> OutboxMessage:
    """Add a message to the outbox; the caller's commit keeps it with the fact it reports."""
    message = OutboxMessage(
        user_id=user.id if user is not None else None,
        to_address=to_address,
        # One line: a line break in a header would refuse the message (or forge headers).
        subject=" ".join(subject.split())[:300],
        body=body,
        created_at=clock.now(),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_QUEUED, []).append(message.id)
    return message


@sa.event.listens_for(orm.Session, "after_commit")
def _keep_committed(session: orm.Session) -> None:
    """Messages queued in a transaction that committed are ready to send."""
    queued = session.info.pop(_QUEUED, None)
    if queued:
        session.info.setdefault(_COMMITTED, []).extend(queued)


@sa.event.listens_for(orm.Session, "after_rollback")
def _forget_rolled_back(session: orm.Session) -> None:
    """Messages queued in a transaction that rolled back were never written."""
    session.info.pop(_QUEUED, None)


def committed(session: orm.Session) -> list[int]:
    """The ids of the messages this session queued and committed since it was last asked."""
    return session.info.pop(_COMMITTED, [])


def listing() -> sa.Select:
    """Every message, those waiting first (oldest first), then those sent (newest first)."""
    waiting = OutboxMessage.sent_at.is_(None)
    return sa.select(OutboxMessage).order_by(
        sa.case((waiting, 0), else_=1),
        sa.case((waiting, OutboxMessage.created_at), else_=None).asc(),
        OutboxMessage.sent_at.desc(),
        OutboxMessage.id.desc(),
    )


@dataclass(frozen=True)
class Row:
    """One message as the outbox page lists it."""

    id: int
    to_address: str
    #: The account it is for, when there is one, and its owner's name.
    user_id: int | None
    person: str
    subject: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str
    #: Whether its body (and any link in it) can still be read.
    readable: bool
    given_up: bool


def rows(messages: Sequence[OutboxMessage]) -> list[Row]:
    """The page's rows for these messages, with the names of the people they are for."""
    ids = {m.user_id for m in messages if m.user_id is not None}
    names = dict(
        db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()
        if ids
        else []
    )
    return [
        Row(
            id=m.id,
            to_address=m.to_address,
            user_id=m.user_id,
            person=names.get(m.user_id, "") if m.user_id is not None else "",
            subject=m.subject,
            created_at=m.created_at,
            sent_at=m.sent_at,
            attempts=m.attempts,
            last_error=m.last_error,
            readable=m.sent_at is None and bool(m.body),
            given_up=given_up(m),
        )
        for m in messages
    ]


def waiting_count() -> sa.Select:
    """How many messages wait to be sent (or passed on)."""
    return sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None))


def given_up(message: OutboxMessage) -> bool:
    """Whether the message has failed as often as it may be tried."""
    return message.sent_at is None and message.attempts >= MAX_ATTEMPTS


@dataclass(frozen=True)
class Delivery:
    """What one run of :func:`deliver` did."""

    sent: int = 0
    failed: int = 0


def deliver(config: Mapping[str, Any], ids: Iterable[int] | None = None) -> Delivery:
    """Send the messages that are due (or those of ``ids`` that are): at most once each.

    Safe to run at any time, as often as wanted, in as many workers as wanted: a message
    another worker is sending, or has sent, is left alone. Without ``MAIL_SERVER`` nothing is
    sent and the messages wait for an administrator.
    """
    if not mail_server_configured(config):
        return Delivery()
    state = mail.init_mail(config, testing=bool(config.get("TESTING")))
    sent = failed = 0
    for message_id in _due(None if ids is None else list(ids)):
        row = _claim(message_id)
        if row is None:
            continue  # another worker has it, or has sent it
        error = _send(state, _email(row, config))
        if error is None:
            _record_sent(message_id)
            sent += 1
            continue
        _record_failure(message_id, error)
        failed += 1
        if not isinstance(error, _MESSAGE_ERRORS):
            break  # the server is unreachable: the others would fail the same way
    return Delivery(sent=sent, failed=failed)


def _send(state: Any, email: flask_mail.Message) -> BaseException | None:
    """Hand one email to the mail server (step 2): None once it has taken it, else the error.

    A failure to say goodbye after the server has taken the message is no failure: counting
    it as one would send the message again.
    """
    taken = False
    try:
        with _Connection(state) as connection:
            connection.send(email)
            taken = True
    except (smtplib.SMTPException, OSError, flask_mail.BadHeaderError) as error:
        return None if taken else error
    return None


def _due(ids: Sequence[int] | None) -> list[int]:
    """The messages a run could claim now, oldest first."""
    query = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(BATCH)
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    with db.engine.connect() as connection:
        return list(connection.execute(query).scalars())


def _claim(message_id: int) -> sa.Row | None:
    """Take the message for this worker (step 1), committed before anything is sent."""
    table = OutboxMessage.__table__
    now = clock.now()
    with db.engine.begin() as connection:
        claimed = connection.execute(
            sa.update(table)
            .where(
                table.c.id == message_id,
                table.c.sent_at.is_(None),
                table.c.attempts < MAX_ATTEMPTS,
                sa.or_(table.c.claimed_at.is_(None), table.c.claimed_at < now - CLAIM_LEASE),
            )
            .values(claimed_at=now, attempts=table.c.attempts + 1)
        )
        if claimed.rowcount != 1:
            return None
        return connection.execute(sa.select(table).where(table.c.id == message_id)).one()


def _record_sent(message_id: int) -> None:
    """The server took the message: keep who, what and when, not the body."""
    table = OutboxMessage.__table__
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.id == message_id)
            .values(sent_at=clock.now(), body="", claimed_at=None, last_error="")
        )


def _record_failure(message_id: int, error: BaseException) -> None:
    """Keep why it failed, and let a later run try again."""
    table = OutboxMessage.__table__
    text = f"{type(error).__name__}: {error}"[:500]
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.id == message_id)
            .values(claimed_at=None, last_error=text)
        )


def _email(row: sa.Row, config: Mapping[str, Any]) -> flask_mail.Message:
    """The email for an outbox row; its Message-ID is the row's, the same at every attempt."""
    message = flask_mail.Message(
        subject=row.subject,
        recipients=[row.to_address],
        body=row.body,
        sender=config.get("MAIL_DEFAULT_SENDER"),
    )
    host = urlsplit(str(config.get("SITE_URL") or "")).hostname or "localhost"
    message.msgId = f"<outbox.{row.id}.{row.created_at:%Y%m%d%H%M%S}@{host}>"
    return message


class _Connection(flask_mail.Connection):
    """Flask-Mail's connection with a timeout.

    Flask-Mail opens ``smtplib.SMTP`` without one, so a server that accepts the connection and
    then says nothing would hold the worker (and a request sending after its commit) for ever.
    """

    def configure_host(self) -> smtplib.SMTP:
        settings = self.mail
        opener = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
        host = opener(settings.server, settings.port, timeout=SMTP_TIMEOUT)
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
        return host
