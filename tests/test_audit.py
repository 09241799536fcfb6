"""The audit trail: every staff and administrator action and every sign-in, append-only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from learning import accounts, audit, clock
from learning.extensions import db
from learning.models import (
    AuditAction,
    AuditEntry,
    Certificate,
    Cohort,
    CohortGroup,
    CohortMember,
    EnrolmentRoute,
    Organisation,
    OrganisationKind,
    ProgrammeItem,
    RequiredTraining,
    Role,
    User,
)

from .test_access import MATRIX, audience_client  # noqa: F401 - a fixture used below


def entries(app) -> list[AuditEntry]:
    with app.app_context():
        found = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        db.session.expunge_all()
        return list(found)


@pytest.fixture
def world(app, make_user, make_organisation):
    """An organisation with a member of staff, a trainer's cohort, a certificate and a rule."""
    organisation = make_organisation("Riverside NHS Foundation Trust")
    people = {
        "admin": make_user(Role.ADMIN, name="Alex Admin", email="alex@admin.example"),
        "trainer": make_user(Role.TRAINER, name="Tina Trainer", email="tina@trainer.example"),
        "employer": make_user(
            Role.EMPLOYER,
            name="Erin Employer",
            email="erin@riverside.example",
            organisation=organisation,
        ),
        "learner": make_user(
            name="Priya Sharma", email="priya@riverside.example", organisation=organisation
        ),
        "invitee": make_user(
            name="Tom Brennan", email="tom@riverside.example", organisation=organisation
        ),
    }
    with app.app_context():
        cohort = Cohort(name="Discharge together", owner_id=people["trainer"].id)
        db.session.add(cohort)
        db.session.flush()
        item = ProgrammeItem(cohort_id=cohort.id, position=0, kind="module", slug="safeguarding")
        group = CohortGroup(cohort_id=cohort.id, number=1)
        db.session.add_all([item, group])
        db.session.flush()
        db.session.add_all(
            [
                CohortMember(
                    cohort_id=cohort.id,
                    user_id=people["learner"].id,
                    route=EnrolmentRoute.PICKED,
                    accepted_at=clock.now(),
                    group_id=group.id,
                ),
                CohortMember(
                    cohort_id=cohort.id, user_id=people["invitee"].id, route=EnrolmentRoute.PICKED
                ),
            ]
        )
        certificate = Certificate(
            code="AAAA-BBBB-CCCC-DDDD",
            user_id=people["learner"].id,
            kind="module",
            ref="hospital-discharge",
            title="Hospital discharge",
            learner_name="Priya Sharma",
            completed_on=date(2026, 1, 1),
            cpd_hours=0.5,
        )
        requirement = RequiredTraining(
            organisation_id=organisation.id, kind="module", slug="hospital-discharge"
        )
        db.session.add_all([certificate, requirement])
        db.session.commit()
        ids = {
            "org": organisation.id,
            "user": people["learner"].id,
            "invitee": people["invitee"].id,
            "cohort": cohort.id,
            "certificate": certificate.id,
            "requirement": requirement.id,
            "item": item.id,
            "group": group.id,
        }
    return people, ids


UPLOAD = (
    "email,name,profession,stage,organisation\nnew.nurse@example.org,Ada Nurse,Nurse,qualified,\n"
)

# (action, who does it, method, path, form data); {name} is filled in from the world's ids.
COHORT = {
    "name": "Safeguarding together",
    "starts_on": "2027-03-01",
    "ends_on": "2027-05-31",
    "group_size": "5",
    "min_professions": "3",
    "max_share": "50",
}

ACTIONS = [
    (AuditAction.COHORT_CREATED, "trainer", "POST", "/trainer/cohorts/new", COHORT),
    (AuditAction.COHORT_EDITED, "trainer", "POST", "/trainer/cohorts/{cohort}/edit", COHORT),
    (
        AuditAction.PROGRAMME_CHANGED,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/programme",
        {"item": "module:hospital-discharge"},
    ),
    (
        AuditAction.PROGRAMME_CHANGED,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/programme/{item}/remove",
        {},
    ),
    (
        AuditAction.JOIN_CODE_MADE,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/join-code",
        {"expires_on": "2099-01-01"},
    ),
    (
        AuditAction.JOIN_CODE_REVOKED,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/join-code/revoke",
        {},
    ),
    (
        AuditAction.GROUPS_FORMED,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/groups",
        {"by": "size", "value": "4", "seed": "7"},
    ),
    (
        AuditAction.GROUPS_CHANGED,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/groups/move",
        {"user": "{user}", "group": ""},
    ),
    (
        AuditAction.GROUPS_CHANGED,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/groups/{group}/lock",
        {},
    ),
    (
        AuditAction.ROLES_CHANGED,
        "admin",
        "POST",
        "/admin/users/{user}/roles",
        {"roles": ["trainer"]},
    ),
    (
        AuditAction.PERSON_MOVED,
        "admin",
        "POST",
        "/admin/users/{user}/organisation",
        {"organisation": 0},
    ),
    (AuditAction.MEMBERSHIP_CONFIRMED, "admin", "POST", "/admin/users/{user}/membership", {}),
    (
        AuditAction.MEMBERSHIP_CONFIRMED,
        "employer",
        "POST",
        "/employer/people/{user}/confirm",
        {},
    ),
    (AuditAction.MEMBERSHIP_ENDED, "employer", "POST", "/employer/people/{user}/end", {}),
    (AuditAction.RESET_LINK_MADE, "admin", "POST", "/admin/users/{user}/reset-link", {}),
    (AuditAction.SIGNED_OUT_EVERYWHERE, "admin", "POST", "/admin/users/{user}/sign-out", {}),
    (
        AuditAction.ORGANISATION_CREATED,
        "admin",
        "POST",
        "/admin/organisations/new",
        {"name": "Northshire Council", "kind": "local-authority"},
    ),
    (
        AuditAction.ORGANISATION_EDITED,
        "admin",
        "POST",
        "/admin/organisations/{org}/edit",
        {"name": "Riverside NHS Trust", "kind": "nhs-trust"},
    ),
    (
        AuditAction.CERTIFICATE_REVOKED,
        "admin",
        "POST",
        "/admin/certificates/{certificate}/revoke",
        {},
    ),
    (
        AuditAction.LEARNERS_INVITED,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/learners",
        {"user": ["{user}"]},
    ),
    (
        AuditAction.INVITATION_WITHDRAWN,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/learners/{invitee}/withdraw",
        {},
    ),
    (
        AuditAction.INVITATION_ACCEPTED,
        "invitee",
        "POST",
        "/cohorts/{cohort}/invitation/accept",
        {},
    ),
    (
        AuditAction.INVITATION_DECLINED,
        "invitee",
        "POST",
        "/cohorts/{cohort}/invitation/decline",
        {},
    ),
    (
        AuditAction.LEARNER_REMOVED,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/learners/{user}/remove",
        {},
    ),
    (
        AuditAction.LEARNERS_UPLOADED,
        "trainer",
        "POST",
        "/trainer/cohorts/{cohort}/upload",
        "upload",
    ),
    (
        AuditAction.REPORT_DOWNLOADED,
        "trainer",
        "GET",
        "/trainer/cohorts/{cohort}/progress.csv",
        None,
    ),
    (
        AuditAction.REQUIREMENT_ADDED,
        "employer",
        "POST",
        "/employer/requirements",
        {"item": "quiz:safeguarding-basics", "due_soon_days": 60},
    ),
    (
        AuditAction.REQUIREMENT_REMOVED,
        "employer",
        "POST",
        "/employer/requirements/{requirement}/remove",
        {},
    ),
    (AuditAction.REPORT_DOWNLOADED, "employer", "GET", "/employer/compliance.csv", None),
    (AuditAction.AUDIT_DOWNLOADED, "admin", "GET", "/admin/audit.csv", None),
    (AuditAction.CLOSURE_REQUESTED, "learner", "POST", "/profile/close", {}),
    (
        AuditAction.ACCOUNT_CLOSED,
        "admin",
        "POST",
        "/admin/users/{user}/close",
        {"email": "priya@riverside.example"},
    ),
]


def _filled(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_filled(v, ids) for v in value]
    return value


@pytest.mark.parametrize(
    ("action", "actor", "method", "path", "data"),
    ACTIONS,
    ids=[f"{row[0].value}-by-{row[1]}" for row in ACTIONS],
)
def test_each_staff_action_writes_exactly_one_entry(
    app, client, login, world, action, actor, method, path, data
):
    people, ids = world
    login(people[actor])
    before = len(entries(app))
    if data == "upload":
        response = client.post(
            path.format(**ids),
            data={"file": (io.BytesIO(UPLOAD.encode()), "learners.csv")},
            content_type="multipart/form-data",
        )
    else:
        form = {k: _filled(v, ids) for k, v in (data or {}).items()}
        response = client.open(path.format(**ids), method=method, data=form or None)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:2000]
    new = entries(app)[before:]
    assert [e.action for e in new] == [action]
    entry = new[0]
    assert entry.actor_id == people[actor].id
    assert entry.actor_name == f"{people[actor].name} <{people[actor].email}>"
    assert entry.address == "127.0.0.1"
    assert entry.at.tzinfo is not None


def test_a_sign_in_and_a_refused_sign_in_are_recorded_with_the_address(app, client, make_user):
    person = make_user(email="sam@example.test")
    client.post(
        "/sign-in",
        data={"email": "sam@example.test", "password": "wrong"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    client.post(
        "/sign-in",
        data={"email": "nobody@example.test", "password": "wrong"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    client.post(
        "/sign-in",
        data={"email": "sam@example.test", "password": "correct horse battery"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    refused, unknown, signed_in = entries(app)
    assert refused.action is AuditAction.SIGN_IN_REFUSED
    assert refused.actor_id is None and refused.subject_user_id == person.id
    assert refused.address == "203.0.113.9"
    assert unknown.subject == "Unknown address nobody@example.test"
    assert unknown.subject_user_id is None
    assert signed_in.action is AuditAction.SIGNED_IN and signed_in.actor_id == person.id
    assert signed_in.address == "198.51.100.7"


def test_an_entry_is_rolled_back_with_its_action(app, make_user):
    admin = make_user(Role.ADMIN)
    learner = make_user()
    with app.app_context():
        actor = db.session.get(User, admin.id)
        person = db.session.get(User, learner.id)
        accounts.set_roles(person, {Role.TRAINER}, granted_by=actor)
        audit.record(
            AuditAction.ROLES_CHANGED, actor=actor, address="127.0.0.1", subject_user=person
        )
        organisation = accounts.create_organisation("Short-lived Trust", OrganisationKind.NHS_TRUST)
        audit.record(
            AuditAction.ORGANISATION_CREATED,
            actor=actor,
            address="127.0.0.1",
            organisation=organisation,
        )
        assert db.session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar() == 2
        db.session.rollback()
        assert db.session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar() == 0
        assert db.session.get(User, learner.id).roles == frozenset()
        assert (
            db.session.execute(sa.select(Organisation).filter_by(name="Short-lived Trust")).first()
            is None
        )


def test_a_view_that_fails_before_committing_leaves_no_entry(
    app, client, login, world, monkeypatch
):
    people, ids = world
    login(people["admin"])
    before = len(entries(app))

    def broken_commit():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.post(f"/admin/users/{ids['user']}/sign-out")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
        monkeypatch.undo()
    assert response.status_code == 500
    assert len(entries(app)) == before


def test_employers_see_only_their_own_organisations_entries(
    app, client, login, make_user, make_organisation, world
):
    people, ids = world
    other = make_organisation("Northshire Council", OrganisationKind.LOCAL_AUTHORITY)
    outsider = make_user(name="Olu Outsider", email="olu@northshire.example", organisation=other)
    login(people["admin"])
    client.post(f"/admin/users/{ids['user']}/sign-out")
    client.post(f"/admin/users/{outsider.id}/sign-out")
    client.post("/sign-out")
    login(people["employer"])
    page = client.get("/employer/audit").get_data(as_text=True)
    assert "<caption" in page
    table = page.split("<table")[1]
    assert "Priya Sharma" in table
    assert "Olu Outsider" not in table and "olu@northshire.example" not in table


def test_employers_filter_their_entries_and_never_reach_another_organisations(
    app, client, login, make_user, make_organisation, world
):
    people, ids = world
    other = make_organisation("Northshire Council", OrganisationKind.LOCAL_AUTHORITY)
    outsider = make_user(name="Olu Outsider", email="olu@northshire.example", organisation=other)
    login(people["admin"])
    client.post(f"/admin/users/{ids['user']}/sign-out")
    client.post(f"/admin/users/{outsider.id}/sign-out")
    client.post("/sign-out")
    login(people["employer"])

    def table(query: str) -> str:
        response = client.get(f"/employer/audit?{query}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return page.split("<table")[1] if "<table" in page else ""

    assert "Priya Sharma" in table("action=signed-out-everywhere")
    assert table("subject=olu") == ""
    assert "Olu Outsider" not in table("action=signed-out-everywhere")
    assert table("action=requirement-added") == ""
    response = client.get("/employer/audit?since=2026-06-30&until=2026-06-01&subject=priya")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="priya"' in page and "error-summary" in page


def test_an_admin_searches_by_actor_action_subject_and_dates(app, client, login, world):
    people, ids = world
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        learner = db.session.get(User, ids["user"])
        with clock.frozen(datetime(2026, 3, 2, 10, tzinfo=UTC)):
            audit.record(
                AuditAction.SIGNED_OUT_EVERYWHERE,
                actor=admin,
                address="10.0.0.1",
                subject_user=learner,
            )
        with clock.frozen(datetime(2026, 6, 2, 10, tzinfo=UTC)):
            audit.record(
                AuditAction.RESET_LINK_MADE, actor=admin, address="10.0.0.1", subject_user=admin
            )
        db.session.commit()
    login(people["admin"])

    def found(query: str) -> str:
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    page = found("action=signed-out-everywhere")
    assert "Priya Sharma" in page and "Reset link made" not in page.split("<table")[1]
    page = found("subject=priya")
    assert "Signed out everywhere" in page.split("<table")[1]
    page = found("actor=alex%40admin&since=2026-06-01&until=2026-06-30")
    table = page.split("<table")[1]
    assert "Reset link made" in table and "Signed out everywhere" not in table
    page = found("actor=nobody-like-this")
    assert "No entries match" in page


def test_a_bad_date_range_is_explained_and_the_typing_kept(client, login, world):
    people, _ = world
    login(people["admin"])
    response = client.get("/admin/audit?since=2026-06-30&until=2026-06-01&actor=alex")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page and 'href="#until"' in page
    assert 'value="alex"' in page
    response = client.get("/admin/audit?since=yesterday")
    assert response.status_code == 422 and 'href="#since"' in response.get_data(as_text=True)


def test_the_audit_csv_is_the_search_made_safe_for_spreadsheets(app, client, login, world):
    people, _ = world
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        audit.record(
            AuditAction.ORGANISATION_CREATED,
            actor=admin,
            address="10.0.0.1",
            subject="=HYPERLINK(1)",
        )
        audit.record(
            AuditAction.RESET_LINK_MADE, actor=admin, address="10.0.0.1", subject="Someone"
        )
        db.session.commit()
    login(people["admin"])
    response = client.get("/admin/audit.csv?action=organisation-created")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == audit.HEADER
    assert [line[3] for line in lines[1:]] == ["'=HYPERLINK(1)"]
    downloaded = entries(app)[-1]
    assert downloaded.action is AuditAction.AUDIT_DOWNLOADED
    assert downloaded.details == {"rows": 1, "action": "organisation-created"}


def test_the_audit_csv_read_in_chunks_holds_every_entry_once_in_the_pages_order(
    app, client, login, world
):
    people, _ = world
    login(people["admin"])
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        for n in range(7):
            with clock.frozen(datetime(2026, 3, 1 + n, 10, tzinfo=UTC)):
                audit.record(
                    AuditAction.ORGANISATION_EDITED,
                    actor=admin,
                    address="10.0.0.1",
                    subject=f"Trust {n}",
                )
        db.session.commit()
        search = audit.search(audit.Filters(action=AuditAction.ORGANISATION_EDITED))
        in_chunks = list(audit.csv_lines(search, chunk=2))
        on_pages = audit.rows(db.session.execute(search).scalars().all())
    assert in_chunks[0] == audit.HEADER
    assert [line[3] for line in in_chunks[1:]] == [row.subject for row in on_pages]
    assert [line[3] for line in in_chunks[1:]] == [f"Trust {n}" for n in reversed(range(7))]
    response = client.get("/admin/audit.csv?action=organisation-edited")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines == in_chunks


def test_the_trail_is_paged(app, client, login, world):
    people, _ = world
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        for n in range(app.config["PAGE_SIZE"] + 3):
            audit.record(
                AuditAction.RESET_LINK_MADE, actor=admin, address="", subject=f"Person {n}"
            )
        db.session.commit()
    login(people["admin"])
    page = client.get("/admin/audit?action=reset-link-made&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page and "Person 0<" in page


def test_no_route_edits_or_deletes_entries(app, audience_client):  # noqa: F811
    """Every route, for an administrator, leaves the entries already written as they were."""
    client, ids = audience_client("admin")
    with app.app_context():
        db.session.add(
            AuditEntry(
                at=clock.now(), action=AuditAction.SIGNED_IN, actor_name="Kept", address="10.0.0.1"
            )
        )
        db.session.commit()
    first = entries(app)
    kept = [(e.id, e.at, e.action, e.actor_id, e.actor_name, e.subject, e.details) for e in first]
    for endpoint, method, path, _ in MATRIX:
        if endpoint == "auth.sign_out":
            continue
        data = {"roles": ["admin"], "organisation": ids["org"]} if method == "POST" else None
        client.open(path.format(**ids), method=method, data=data)
    after = entries(app)
    assert [
        (e.id, e.at, e.action, e.actor_id, e.actor_name, e.subject, e.details)
        for e in after[: len(kept)]
    ] == kept
    audit_rules = [r for r in app.url_map.iter_rules() if "audit" in r.endpoint]
    assert audit_rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in audit_rules)


def test_the_trail_pages_run_as_many_queries_for_many_entries_as_for_few(
    app, client, login, world, count_queries
):
    people, ids = world
    login(people["admin"])

    def add(n: int) -> None:
        with app.app_context():
            admin = db.session.get(User, people["admin"].id)
            learner = db.session.get(User, ids["user"])
            for _ in range(n):
                audit.record(
                    AuditAction.RESET_LINK_MADE, actor=admin, address="", subject_user=learner
                )
            db.session.commit()

    add(2)
    few = count_queries(client, "/admin/audit")
    add(40)
    assert count_queries(client, "/admin/audit") == few
    client.post("/sign-out")
    login(people["employer"])
    few = count_queries(client, "/employer/audit")
    add(40)
    assert count_queries(client, "/employer/audit") == few


def test_a_browser_remembered_by_keep_me_signed_in_is_a_sign_in_too(app, make_user):
    person = make_user(email="kept@example.test")
    browser = app.test_client()
    browser.post(
        "/sign-in",
        data={"email": person.email, "password": "correct horse battery", "remember": "y"},
    )
    browser.delete_cookie("session")  # the browser was closed
    assert browser.get("/dashboard").status_code == 200
    signed_in = [e for e in entries(app) if e.action is AuditAction.SIGNED_IN]
    assert [e.details for e in signed_in] == [{}, {"by": "keep me signed in"}]
    assert all(e.actor_id == person.id for e in signed_in)


def test_a_persons_page_links_to_the_entries_about_them_and_by_them(client, login, world):
    people, ids = world
    login(people["admin"])
    client.post(f"/admin/users/{ids['user']}/sign-out")
    page = client.get(f"/admin/users/{ids['user']}").get_data(as_text=True)
    assert "/admin/audit?subject=priya@riverside.example" in page
    found = client.get("/admin/audit?subject=priya%40riverside.example").get_data(as_text=True)
    assert "Signed out everywhere" in found.split("<table")[1]


def test_the_database_session_refuses_to_change_or_delete_an_entry(app, make_user):
    admin = make_user(Role.ADMIN)
    with app.app_context():
        actor = db.session.get(User, admin.id)
        entry_id = audit.record(AuditAction.SIGNED_IN, actor=actor, address="10.0.0.1").id
        db.session.commit()
        entry = db.session.get(AuditEntry, entry_id)
        entry.address = "10.9.9.9"
        with pytest.raises(audit.AppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEntry, entry_id))
        with pytest.raises(audit.AppendOnly):
            db.session.commit()
        db.session.rollback()
        assert db.session.get(AuditEntry, entry_id).address == "10.0.0.1"
