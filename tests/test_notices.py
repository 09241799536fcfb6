"""Two notices by email, written to the outbox with the fact they report: an organisation's
confirmed employers hear when someone claims to work there, and a person with an account hears
when a trainer invites them to a cohort. Neither is written when the action is refused or
rolled back, nor without a mail server (as for membership news)."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from learning import notify
from learning.extensions import db, mail
from learning.models import Membership, OutboxMessage, Role, User
from learning.professions import Stage

from .conftest import PASSWORD
from .test_auth import NEW_PERSON
from .test_outbox import SmtpServer

CLAIMANT_EMAIL = NEW_PERSON["email"].strip().lower()


def text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, user: User) -> FlaskClient:
    """A browser of the person's own, signed in."""
    browser = app.test_client()
    response = browser.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def by_recipient(messages) -> Counter:
    return Counter(m.recipients[0] for m in messages)


def waiting(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.execute(sa.select(OutboxMessage)).scalars().all()
        db.session.expunge_all()
        return messages


@pytest.fixture
def mail_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def trust(make_organisation):
    return make_organisation("Riverside NHS Foundation Trust")


@pytest.fixture
def council(make_organisation):
    return make_organisation("Northfield City Council")


@pytest.fixture
def employers(make_user, trust, council) -> dict[str, User]:
    """Riverside's two confirmed employers, and employers who must hear nothing about it: one
    whose claim waits, one who has left, one of another organisation; and a confirmed member of
    Riverside's staff who is no employer."""
    return {
        "gareth": make_user(
            Role.EMPLOYER, name="Gareth Lloyd", email="gareth@riverside.example", organisation=trust
        ),
        "fatima": make_user(
            Role.EMPLOYER, name="Fatima Khan", email="fatima@riverside.example", organisation=trust
        ),
        "pending": make_user(
            Role.EMPLOYER,
            email="pending@riverside.example",
            organisation=trust,
            membership=Membership.PENDING,
        ),
        "ended": make_user(
            Role.EMPLOYER,
            email="ended@riverside.example",
            organisation=trust,
            membership=Membership.ENDED,
        ),
        "council": make_user(
            Role.EMPLOYER, name="Colin Hart", email="colin@council.example", organisation=council
        ),
        "staff": make_user(email="staff@riverside.example", organisation=trust),
    }


RIVERSIDE_EMPLOYERS = {"gareth@riverside.example", "fatima@riverside.example"}


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER, name="Helen Okafor", profession="social-work")


@pytest.fixture
def cohort_id(make_cohort, trainer):
    return make_cohort(trainer)


@pytest.fixture
def as_trainer(app, trainer) -> FlaskClient:
    return signed_in(app, trainer)


def upload(client, cohort_id: int, content: str):
    return client.post(
        f"/trainer/cohorts/{cohort_id}/upload",
        data={"file": (io.BytesIO(content.encode()), "learners.csv")},
        content_type="multipart/form-data",
    )


def registration_link(client, data: dict) -> str:
    """Register, and the path of the emailed link that makes the account."""
    with mail.record_messages() as sent:
        client.post("/register", data=data)
    return re.search(r"http://localhost(/register/\S+)", sent[0].body).group(1)


# Employers hear of a claim ----------------------------------------------------------------------


def test_registering_with_an_organisation_tells_each_of_its_confirmed_employers_once(
    mail_on, client, trust, employers
):
    link = registration_link(client, {**NEW_PERSON, "organisation": str(trust.id)})
    with mail.record_messages() as sent:
        assert client.get(link).status_code == 302
    assert by_recipient(sent) == Counter(RIVERSIDE_EMPLOYERS)
    for message in sent:
        assert message.subject == "Someone says they work at Riverside NHS Foundation Trust: " + (
            "please confirm or decline"
        )
        body = message.body
        assert "Grace Adeyemi (Nursing, qualified practitioner)" in body
        assert "named Riverside NHS Foundation Trust as their employer" in body
        assert "http://localhost/employer/people" in body
        # Who they are, not how to reach them nor anything else they gave.
        assert CLAIMANT_EMAIL not in body.lower()
        assert NEW_PERSON["registration_number"] not in body
    assert {m.body.splitlines()[0] for m in sent} == {"Hello Gareth Lloyd,", "Hello Fatima Khan,"}


def test_the_link_in_the_email_opens_the_employers_joining_and_leaving_page(
    app, mail_on, client, trust, employers
):
    link = registration_link(client, {**NEW_PERSON, "organisation": str(trust.id)})
    with mail.record_messages() as sent:
        client.get(link)
    page = re.search(r"http://localhost(/employer/\S+)", sent[0].body).group(1)
    response = signed_in(app, employers["gareth"]).get(page)
    assert response.status_code == 200
    assert "Joining and leaving" in text(response) and "Grace Adeyemi" in text(response)


def test_registering_without_an_organisation_or_at_one_without_employers_tells_nobody(
    mail_on, app, trust, council, make_organisation, employers
):
    empty = make_organisation("Hillside Hospice")
    for n, organisation in enumerate(["0", str(empty.id)]):
        client = app.test_client()
        data = {**NEW_PERSON, "email": f"person{n}@example.org", "organisation": organisation}
        link = registration_link(client, data)
        with mail.record_messages() as sent:
            assert client.get(link).status_code == 302
        assert sent == []


def test_claiming_an_organisation_in_the_profile_tells_its_employers_once(
    mail_on, app, trust, council, employers, make_user, make_organisation
):
    nurse = make_user(
        name="Grace Adeyemi", email="grace@example.org", stage=Stage.STUDENT, organisation=council
    )
    browser = signed_in(app, nurse)
    form = {"name": "Grace Adeyemi", "profession": "nursing", "stage": "student"}

    with mail.record_messages() as sent:
        assert browser.post("/profile", data={**form, "organisation": str(trust.id)}).status_code
    assert by_recipient(sent) == Counter(RIVERSIDE_EMPLOYERS)
    assert "Grace Adeyemi (Nursing, pre-qualification student)" in sent[0].body
    assert "grace@example.org" not in sent[0].body

    # The same claim again, no organisation, or one without employers: nobody is told.
    empty = make_organisation("Hillside Hospice")
    for organisation in [trust.id, trust.id, 0, empty.id]:
        with mail.record_messages() as sent:
            browser.post("/profile", data={**form, "organisation": str(organisation)})
        assert sent == []
    with app.app_context():
        assert db.session.get(User, nurse.id).organisation_id == empty.id

    # Back to the council: its employer hears, and Riverside's do not.
    with mail.record_messages() as sent:
        browser.post("/profile", data={**form, "organisation": str(council.id)})
    assert by_recipient(sent) == Counter(["colin@council.example"])


def test_an_upload_tells_each_employer_once_of_the_new_accounts_naming_their_organisation(
    mail_on, app, as_trainer, cohort_id, trust, council, employers, make_user
):
    make_user(name="Known Person", email="known@example.org", organisation=council)
    content = (
        "email,name,profession,stage,organisation\n"
        "ada@example.org,Ada Nurse,Nurse,qualified,Riverside NHS Foundation Trust\n"
        "bo@example.org,Bo Worker,social worker,student,riverside nhs foundation trust\n"
        "cy@example.org,Cy Officer,Housing officer,qualified,Northfield City Council\n"
        "di@example.org,Di Nobody,Nurse,qualified,\n"
        # An existing account's organisation is not changed by an upload: no claim.
        "known@example.org,Known Person,Nurse,qualified,Riverside NHS Foundation Trust\n"
    )
    with mail.record_messages() as sent:
        assert upload(as_trainer, cohort_id, content).status_code == 200
    to_employers = [m for m in sent if m.recipients[0] in RIVERSIDE_EMPLOYERS]
    assert by_recipient(to_employers) == Counter(RIVERSIDE_EMPLOYERS)
    for message in to_employers:
        assert message.subject.startswith("People say they work at Riverside")
        assert "Helen Okafor, a trainer on" in message.body
        assert "Ada Nurse (Nursing, qualified practitioner)" in message.body
        assert "Bo Worker (Social work, pre-qualification student)" in message.body
        assert "Cy Officer" not in message.body and "Known Person" not in message.body
        assert "@example.org" not in message.body
        assert "/invitation" not in message.body
    (to_council,) = [m for m in sent if m.recipients[0] == "colin@council.example"]
    assert "Cy Officer (Housing, qualified practitioner)" in to_council.body
    assert "Ada Nurse" not in to_council.body
    assert not {"pending@riverside.example", "ended@riverside.example"} & set(by_recipient(sent))


def test_employers_are_found_in_one_query_for_every_organisation_claimed(
    app, trust, council, employers
):
    statements: list[str] = []

    def keep(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.test_request_context():
        people = [
            db.session.get(User, employers["staff"].id),
            db.session.get(User, employers["council"].id),
        ]
        sa.event.listen(db.engine, "before_cursor_execute", keep)
        try:
            notify.send_claims(people)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", keep)
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 1
        recipients = db.session.execute(sa.select(OutboxMessage.to_address)).scalars().all()
        assert sorted(recipients) == sorted(RIVERSIDE_EMPLOYERS | {"colin@council.example"})
        db.session.rollback()


# People with an account hear of an invitation ---------------------------------------------------


def test_inviting_by_search_emails_each_person_invited_once(
    mail_on, app, as_trainer, cohort_id, make_user, trust
):
    priya = make_user(name="Priya Sharma", email="priya@example.org", organisation=trust)
    tom = make_user(name="Tom Brennan", email="tom@example.org", profession="social-work")
    picked = {"user": [str(priya.id), str(tom.id), "999999"]}
    with mail.record_messages() as sent:
        response = as_trainer.post(f"/trainer/cohorts/{cohort_id}/learners", data=picked)
    assert response.status_code == 302
    assert by_recipient(sent) == Counter(["priya@example.org", "tom@example.org"])
    page = text(as_trainer.get(response.location))
    assert "2 people invited" in page and "and is told of it by email" in page
    for message in sent:
        assert message.subject == "You are invited to join Discharge together on Learning Together"
        body = message.body
        assert "Helen Okafor, a trainer on Learning Together, has invited you" in body
        assert 'to join their cohort "Discharge together"' in body
        assert "name, email address, profession and stage" in body
        assert "your work on the cohort's programme from the day you accept" in body
        assert "will not see what you did before then" in body
        assert f"http://localhost/cohorts/{cohort_id}/invitation\n" in body
        # The invitation page is behind sign-in: no token, nothing that signs anyone in.
        assert "/invitation/" not in body and "token" not in body.lower()

    # The link shows the invitation to the person it was sent to.
    path = re.search(r"http://localhost(/\S+)", sent[0].body).group(1)
    page = signed_in(app, priya).get(path)
    assert page.status_code == 200 and "Do you want to join Discharge together?" in text(page)

    # Inviting them again changes nothing, and says nothing again.
    with mail.record_messages() as sent:
        as_trainer.post(f"/trainer/cohorts/{cohort_id}/learners", data=picked)
    assert sent == []


def test_an_upload_emails_an_existing_account_its_invitation_and_a_new_one_only_its_link(
    mail_on, app, as_trainer, cohort_id, make_user
):
    make_user(name="Known Person", email="known@example.org")
    content = (
        "email,name,profession,stage,organisation\n"
        "ada@example.org,Ada Nurse,Nurse,qualified,\n"
        "Known@Example.org,Known Person,Nurse,qualified,\n"
    )
    with mail.record_messages() as sent:
        response = upload(as_trainer, cohort_id, content)
    assert response.status_code == 200
    assert "Everyone who already had an account is told of it by email" in text(response)
    assert by_recipient(sent) == Counter(["ada@example.org", "known@example.org"])
    (new,) = [m for m in sent if m.recipients[0] == "ada@example.org"]
    assert "/invitation/" in new.body and "choose your password" in new.body
    (known,) = [m for m in sent if m.recipients[0] == "known@example.org"]
    assert f"http://localhost/cohorts/{cohort_id}/invitation\n" in known.body
    assert "/invitation/" not in known.body and "password" not in known.body
    assert "Helen Okafor" in known.body

    with mail.record_messages() as sent:  # the same file again invites nobody
        assert upload(as_trainer, cohort_id, content).status_code == 200
    assert sent == []


def test_an_invitation_email_goes_through_a_real_mail_server_after_the_commit(
    app, as_trainer, cohort_id, smtp, make_user, trust, employers, monkeypatch
):
    for name, value in smtp.config(app).items():
        if name.startswith("MAIL_"):
            monkeypatch.setitem(app.config, name, value)
    make_user(name="Known Person", email="known@example.org")
    content = (
        "email,name,profession,stage,organisation\n"
        "ada@example.org,Ada Nurse,Nurse,qualified,Riverside NHS Foundation Trust\n"
        "known@example.org,Known Person,Nurse,qualified,\n"
    )
    assert upload(as_trainer, cohort_id, content).status_code == 200
    received = {m["To"]: m for m in smtp.received}
    assert sorted(received) == sorted(
        {"ada@example.org", "known@example.org"} | RIVERSIDE_EMPLOYERS
    )
    invitation = received["known@example.org"]
    assert (
        invitation["Subject"] == "You are invited to join Discharge together on Learning Together"
    )
    body = invitation.get_payload(decode=True).decode()
    assert f"http://localhost/cohorts/{cohort_id}/invitation" in body
    claim = received["gareth@riverside.example"].get_payload(decode=True).decode()
    assert "Ada Nurse (Nursing, qualified practitioner)" in claim
    assert "ada@example.org" not in claim
    assert all(m.sent_at is not None and m.body == "" for m in waiting(app))


# Nothing without a mail server, a refusal or a rollback -------------------------------------


def test_without_a_mail_server_only_the_new_accounts_links_wait(
    app, as_trainer, cohort_id, make_user, trust, employers
):
    known = make_user(name="Known Person", email="known@example.org")
    content = (
        "email,name,profession,stage,organisation\n"
        "ada@example.org,Ada Nurse,Nurse,qualified,Riverside NHS Foundation Trust\n"
        "known@example.org,Known Person,Nurse,qualified,\n"
    )
    assert upload(as_trainer, cohort_id, content).status_code == 200
    assert [m.to_address for m in waiting(app)] == ["ada@example.org"]
    other = make_user(name="Other Person", email="other@example.org")
    as_trainer.post(f"/trainer/cohorts/{cohort_id}/learners", data={"user": [str(other.id)]})
    signed_in(app, known).post(
        "/profile",
        data={
            "name": "Known Person",
            "profession": "nursing",
            "stage": "qualified",
            "organisation": str(trust.id),
        },
    )
    assert [m.to_address for m in waiting(app)] == ["ada@example.org"]


def test_refused_actions_write_no_email(
    mail_on, app, as_trainer, cohort_id, make_user, trust, employers
):
    person = make_user(name="Known Person", email="known@example.org")
    # An upload with a bad line changes nothing and tells nobody.
    bad = (
        "email,name,profession,stage,organisation\n"
        "ada@example.org,Ada Nurse,Nurse,qualified,Riverside NHS Foundation Trust\n"
        "known@example.org,Known Person,Nurse,qualified,Nowhere Trust\n"
    )
    assert upload(as_trainer, cohort_id, bad).status_code == 422
    # Another trainer's cohort is not found.
    stranger = signed_in(app, make_user(Role.TRAINER, name="Someone Else"))
    response = stranger.post(f"/trainer/cohorts/{cohort_id}/learners", data={"user": [person.id]})
    assert response.status_code == 404
    # A profile form with a problem saves nothing.
    response = signed_in(app, person).post(
        "/profile",
        data={"name": "", "profession": "nursing", "stage": "qualified", "organisation": trust.id},
    )
    assert response.status_code == 422
    assert waiting(app) == []
    with app.app_context():
        assert db.session.get(User, person.id).organisation_id is None


@pytest.mark.parametrize("action", ["profile", "invite", "upload"])
def test_an_action_rolled_back_after_its_email_was_queued_leaves_no_email(
    mail_on, app, as_trainer, cohort_id, make_user, trust, employers, monkeypatch, action
):
    person = make_user(name="Known Person", email="known@example.org")
    browser = signed_in(app, person)

    def refuse(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", refuse)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    if action == "profile":
        data = {"name": "Known Person", "profession": "nursing", "stage": "qualified"}
        response = browser.post("/profile", data={**data, "organisation": str(trust.id)})
    elif action == "invite":
        response = as_trainer.post(
            f"/trainer/cohorts/{cohort_id}/learners", data={"user": [str(person.id)]}
        )
    else:
        content = (
            "email,name,profession,stage,organisation\n"
            "ada@example.org,Ada Nurse,Nurse,qualified,Riverside NHS Foundation Trust\n"
            "known@example.org,Known Person,Nurse,qualified,\n"
        )
        response = upload(as_trainer, cohort_id, content)
    assert response.status_code == 500
    monkeypatch.undo()
    assert waiting(app) == []
