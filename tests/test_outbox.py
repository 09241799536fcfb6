"""The outbox: every email is a row written with the fact it reports, then sent once, by a real
SMTP server's account (aiosmtpd on 127.0.0.1, started here), however often or concurrently the
sending runs, and retried when the server is away."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from learning import clock, outbox, subject_access
from learning.extensions import db
from learning.models import AuditAction, AuditEntry, OutboxMessage, Role, User

NO_MAIL_SERVER = "Not sent: no mail server is configured — pass this on to the person yourself"


def visible(page: str) -> str:
    """A page's text, without its tags."""
    return re.sub(r"<[^>]+>", "", page)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that keeps every message the server accepts."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.received.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1 and a free port, for as long as a test runs."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def received(self) -> list[Message]:
        return self.recorder.received

    def config(self, app) -> dict:
        """The app's settings, sending through this server."""
        return {
            **app.config,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_SUPPRESS_SEND": False,
        }


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def person(make_user) -> User:
    return make_user(name="Ada Nurse", email="ada@example.org")


def queue_messages(app, person: User, count: int = 1, body: str = "Your link: {n}") -> list[int]:
    """Queue and commit ``count`` messages to the person; their ids."""
    with app.app_context():
        user = db.session.get(User, person.id)
        ids = [
            outbox.queue(user.email, f"Message {n}", body.format(n=n), user=user).id
            for n in range(count)
        ]
        db.session.commit()
        return ids


def stored(app, message_id: int) -> OutboxMessage:
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def deliver(app, config) -> outbox.Delivery:
    with app.app_context():
        return outbox.deliver(config)


# Written with the fact -------------------------------------------------------------------------


def test_a_message_is_kept_only_if_its_transaction_commits(app, person):
    with app.app_context():
        user = db.session.get(User, person.id)
        outbox.queue(user.email, "Rolled back", "A link that must never go", user=user)
        db.session.rollback()
        assert db.session.execute(sa.select(OutboxMessage)).first() is None
        assert outbox.committed(db.session) == []

        kept = outbox.queue(user.email, "Committed", "A link", user=user).id
        assert outbox.committed(db.session) == []  # not before the commit
        db.session.commit()
        assert outbox.committed(db.session) == [kept]
        assert outbox.committed(db.session) == []  # handed out once


def test_a_request_refused_after_queueing_leaves_no_message(app, client, person, monkeypatch):
    """A reset request that fails after its email was queued takes the email down with it."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")

    def refuse(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", refuse)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert client.post("/reset-password", data={"email": person.email}).status_code == 500
    monkeypatch.undo()
    with app.app_context():
        assert db.session.execute(sa.select(OutboxMessage)).first() is None


# Sent once ----------------------------------------------------------------------------------


def test_delivery_sends_each_message_once_however_often_it_runs(app, smtp, person):
    ids = queue_messages(app, person, 2)
    assert deliver(app, smtp.config(app)) == outbox.Delivery(sent=2)
    assert deliver(app, smtp.config(app)) == outbox.Delivery()
    assert sorted(m["Subject"] for m in smtp.received) == ["Message 0", "Message 1"]
    assert {m["To"] for m in smtp.received} == {"ada@example.org"}
    assert "Your link: 0" in smtp.received[0].get_payload(decode=True).decode()
    assert re.fullmatch(rf"<outbox\.{ids[0]}\.\d{{14}}@localhost>", smtp.received[0]["Message-ID"])
    for message_id in ids:
        message = stored(app, message_id)
        assert message.sent_at is not None and message.attempts == 1
        assert message.body == ""  # no link stays readable once sent
        assert message.claimed_at is None and message.last_error == ""


def test_concurrent_runs_send_each_message_once(app, smtp, person):
    ids = queue_messages(app, person, 6)
    smtp.recorder.delay = 0.1  # each send takes a while, so the runs overlap
    results: list[outbox.Delivery] = []
    start = threading.Barrier(3)

    def run() -> None:
        with app.app_context():
            start.wait()
            results.append(outbox.deliver(smtp.config(app)))

    workers = [threading.Thread(target=run) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sum(r.sent for r in results) == 6 and sum(r.failed for r in results) == 0
    assert sorted(m["Subject"] for m in smtp.received) == [f"Message {n}" for n in range(6)]
    assert all(stored(app, i).attempts == 1 for i in ids)


def test_a_server_that_is_down_leaves_messages_waiting_for_a_later_run(app, smtp, person):
    first, second = queue_messages(app, person, 2)
    closed = {**smtp.config(app), "MAIL_PORT": free_port()}
    assert deliver(app, closed) == outbox.Delivery(failed=1)  # it stops at the first
    waiting = stored(app, first)
    assert waiting.sent_at is None and waiting.attempts == 1 and waiting.claimed_at is None
    assert "Connection refused" in waiting.last_error or "ConnectionRefused" in waiting.last_error
    assert waiting.body == "Your link: 0"
    assert stored(app, second).attempts == 0

    assert deliver(app, smtp.config(app)) == outbox.Delivery(sent=2)
    assert len(smtp.received) == 2
    sent = stored(app, first)
    assert sent.sent_at is not None and sent.attempts == 2 and sent.last_error == ""


def test_a_message_is_tried_a_bounded_number_of_times(app, smtp, person):
    (message_id,) = queue_messages(app, person)
    closed = {**smtp.config(app), "MAIL_PORT": free_port()}
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        deliver(app, closed)
    message = stored(app, message_id)
    assert message.attempts == outbox.MAX_ATTEMPTS and message.sent_at is None
    assert outbox.given_up(message)
    assert deliver(app, smtp.config(app)) == outbox.Delivery()
    assert smtp.received == []


def test_a_worker_that_dies_while_sending_loses_nothing(app, smtp, person):
    (message_id,) = queue_messages(app, person)
    with app.app_context():
        assert outbox._claim(message_id) is not None  # a worker takes it, then dies
    assert deliver(app, smtp.config(app)) == outbox.Delivery()  # another leaves it alone
    table = OutboxMessage.__table__
    with app.app_context(), db.engine.begin() as connection:
        lapsed = clock.now() - outbox.CLAIM_LEASE - timedelta(minutes=1)
        connection.execute(sa.update(table).values(claimed_at=lapsed))
    assert deliver(app, smtp.config(app)) == outbox.Delivery(sent=1)
    assert len(smtp.received) == 1
    assert stored(app, message_id).attempts == 2


def test_without_a_mail_server_messages_wait(app, person):
    (message_id,) = queue_messages(app, person)
    assert deliver(app, {**app.config, "MAIL_SERVER": None}) == outbox.Delivery()
    message = stored(app, message_id)
    assert message.attempts == 0 and message.body == "Your link: 0"


def test_email_written_by_a_request_is_sent_through_the_server_after_its_commit(
    app, client, smtp, person, monkeypatch
):
    for name, value in smtp.config(app).items():
        if name.startswith("MAIL_"):
            monkeypatch.setitem(app.config, name, value)
    assert client.post("/reset-password", data={"email": person.email}).status_code == 200
    (received,) = smtp.received
    assert received["To"] == person.email
    body = received.get_payload(decode=True).decode()
    link = re.search(r"http://localhost(/reset-password/\S+)", body).group(1)
    with app.app_context():
        message = db.session.execute(sa.select(OutboxMessage)).scalar_one()
        assert message.sent_at is not None and message.body == ""
        assert message.user_id == person.id
    assert app.test_client().get(link).location == "/new-password"


def test_flask_outbox_send_sends_what_waits_and_says_so(app, smtp, person, monkeypatch):
    queue_messages(app, person, 2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "No mail server is configured (MAIL_SERVER): 2 waiting messages" in result.output

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_SUPPRESS_SEND", False)
    failed = runner.invoke(args=["outbox", "send"])
    assert failed.exit_code == 1 and "Sent 0, failed 1." in failed.output

    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "Sent 2, failed 0." in result.output
    assert len(smtp.received) == 2


# The administrators' outbox page ----------------------------------------------------------


def test_admins_see_waiting_and_sent_messages_and_that_nothing_is_sent(
    app, client, login, make_user, smtp, person
):
    sent_id, waiting_id = queue_messages(app, person, 2, body="Set it: http://localhost/x/{n}")
    with app.app_context():
        db.session.get(OutboxMessage, sent_id).sent_at = clock.now()
        db.session.get(OutboxMessage, sent_id).body = ""
        db.session.commit()
    login(make_user(Role.ADMIN))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert NO_MAIL_SERVER in visible(page)
    assert "1 message waiting" in page
    assert page.index("Message 1") < page.index("Message 0")  # waiting first
    assert "Ada Nurse, ada@example.org" in page
    assert "http://localhost/x/" not in page  # a body only on its own page
    assert f'href="/admin/outbox/{waiting_id}"' in page
    assert 'href="/admin/outbox"' in page and 'aria-current="page">Outbox' in page


def test_reading_a_waiting_message_is_recorded_in_the_audit_trail(
    app, client, login, make_user, person
):
    (message_id,) = queue_messages(app, person, body="Set it: http://localhost/invitation/tok{n}")
    admin = make_user(Role.ADMIN, name="Ola Admin")
    login(admin)
    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "http://localhost/invitation/tok0" in page
    assert NO_MAIL_SERVER in visible(page)
    with app.app_context():
        entry = db.session.execute(sa.select(AuditEntry)).scalars().all()[-1]
        assert entry.action is AuditAction.OUTBOX_READ
        assert (entry.actor_id, entry.subject_user_id) == (admin.id, person.id)
        assert entry.details == {"message": message_id}


def test_a_sent_message_shows_no_text_and_reading_it_records_nothing(
    app, client, login, make_user, person
):
    (message_id,) = queue_messages(app, person)
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        message.sent_at, message.body = clock.now(), ""
        db.session.commit()
    login(make_user(Role.ADMIN))
    with app.app_context():
        before = db.session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar()
    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "Its text is not kept once sent" in page
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar() == before


def test_a_message_that_failed_every_time_says_so(
    app, client, login, make_user, person, monkeypatch
):
    (message_id,) = queue_messages(app, person)
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        message.attempts, message.last_error = outbox.MAX_ATTEMPTS, "SMTPConnectError: gone"
        db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    login(make_user(Role.ADMIN))
    listing = client.get("/admin/outbox").get_data(as_text=True)
    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert f"Not sent: gave up after {outbox.MAX_ATTEMPTS} attempts" in listing
    assert "SMTPConnectError: gone" in listing
    assert f"Not sent:</strong> sending it failed {outbox.MAX_ATTEMPTS} times" in page


def test_an_unknown_message_is_not_found(client, login, make_user):
    login(make_user(Role.ADMIN))
    assert client.get("/admin/outbox/999999").status_code == 404


@pytest.mark.parametrize("role", [None, Role.TRAINER, Role.EMPLOYER])
def test_only_administrators_open_the_outbox(app, client, login, make_user, person, role):
    (message_id,) = queue_messages(app, person)
    login(make_user(*([role] if role else [])))
    for path in ("/admin/outbox", f"/admin/outbox/{message_id}"):
        assert client.get(path).status_code == 403
    with app.app_context():
        assert (
            db.session.execute(
                sa.select(AuditEntry.id).where(AuditEntry.action == AuditAction.OUTBOX_READ)
            ).first()
            is None
        )


def test_the_outbox_is_read_a_page_at_a_time(app, client, login, make_user, person):
    queue_messages(app, person, 30)
    login(make_user(Role.ADMIN))
    first = client.get("/admin/outbox").get_data(as_text=True)
    assert "30 messages waiting" in first and "Page 1 of 2" in first
    second = client.get("/admin/outbox?page=2").get_data(as_text=True)
    assert "Message 29" in second and "Message 0" not in second


# Their own data -----------------------------------------------------------------------------


def test_a_persons_emails_are_in_their_data_without_any_link(app, person, make_user):
    queue_messages(app, person, body="Set it: http://localhost/invitation/secret{n}")
    other = make_user(email="someone.else@example.org")
    queue_messages(app, other)
    with app.app_context():
        user = db.session.get(User, person.id)
        tables = {t.name: t for t in subject_access.held_about(user)}
        emails = tables["outbox_message"]
        assert [row["to_address"] for row in emails.rows] == ["ada@example.org"]
        assert "body" not in emails.columns and emails.file == "emails-to-you"
        assert "secret0" not in str(emails.rows)
