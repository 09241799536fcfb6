"""Your data: a person downloads every row held about them, and nobody else's."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from learning import PROJECT_ROOT, accounts, clock, demo, subject_access
from learning import curriculum as curricula
from learning.extensions import db
from learning.models import (
    AuditAction,
    AuditEntry,
    Cohort,
    QuizAttempt,
    QuizResponse,
    Role,
    User,
)

#: What the issue asks the download to hold, by table: each must have rows for the demo nurse.
EXPECTED = (
    "user_account",
    "module_progress",
    "completion",
    "quiz_attempt",
    "quiz_response",
    "cpd_entry",
    "certificate",
    "cohort_member",
    "audit_entry",
)


@pytest.fixture
def two_people(app):
    """The demo site, with two learners who each have data in every table about people."""
    with app.app_context():
        demo.load(app.config["DEMO_PASSWORD"], curricula.load(PROJECT_ROOT))
        people = [accounts.user_by_email(e) for e in ("nurse@demo.test", "socialworker@demo.test")]
        cohort = db.session.execute(sa.select(Cohort).limit(1)).scalar_one()
        for person in people:
            accounts.remember(person, clock.now() + timedelta(days=14))
            accounts.grant_role(person, Role.TRAINER)
            cohort.co_trainers.append(person)
        db.session.commit()
        ids = [person.id for person in people]
    return ids


def test_every_table_naming_a_person_is_in_the_download(app):
    with app.app_context():
        covered = {table.name for table in subject_access.person_tables()}
        for table in db.metadata.tables.values():
            if "user_id" in table.columns:
                assert table.name in covered


def test_the_download_holds_every_row_about_the_person_and_nobody_elses(app, two_people):
    nurse_id, other_id = two_people
    with app.app_context():
        nurse = db.session.get(User, nurse_id)
        exported = {table.name: table for table in subject_access.held_about(nurse)}
        for name in EXPECTED:
            assert exported[name].rows, name

        assert [row["id"] for row in exported["user_account"].rows] == [nurse_id]
        assert "password_hash" not in exported["user_account"].columns
        for table in subject_access.person_tables():
            columns = [c for c in table.columns if c.name in subject_access.PERSON_COLUMNS]
            theirs = sa.or_(*[c == nurse_id for c in columns])
            count = db.session.execute(sa.select(sa.func.count()).where(theirs)).scalar()
            rows = exported[table.name].rows
            assert len(rows) == count, table.name
            for row in rows:
                assert nurse_id in [row[c.name] for c in columns], table.name
            withheld = subject_access.WITHHELD.get(table.name, frozenset())
            assert set(exported[table.name].columns) == {c.name for c in table.columns} - withheld

        attempts = sa.select(QuizAttempt.id).where(QuizAttempt.user_id == nurse_id)
        answers = db.session.execute(
            sa.select(sa.func.count()).where(QuizResponse.attempt_id.in_(attempts))
        ).scalar()
        assert len(exported["quiz_response"].rows) == answers
        ids = {row["id"] for row in exported["quiz_attempt"].rows}
        assert {row["attempt_id"] for row in exported["quiz_response"].rows} <= ids

        other = db.session.get(User, other_id)
        everything = json.dumps([t.rows for t in exported.values()], default=str)
        assert other.email not in everything


def test_a_learner_downloads_their_data_from_their_profile_as_a_zip(app, client, login, two_people):
    nurse_id, _ = two_people
    with app.app_context():
        nurse = db.session.get(User, nurse_id)
        db.session.expunge(nurse)
    login(nurse, password=app.config["DEMO_PASSWORD"])
    profile = client.get("/profile").get_data(as_text=True)
    assert 'action="/profile/data"' in profile and "Download your data" in profile
    assert client.get("/profile/data").status_code == 405

    response = client.post("/profile/data")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="your-data-')
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"README.txt", "your-data.json", "csv/profile.csv", "csv/attempts.csv"} <= names
    document = json.loads(archive.read("your-data.json"))
    assert document["person"] == nurse.email
    assert document["tables"]["profile"][0]["email"] == nurse.email
    assert document["tables"]["answers-and-decisions"]
    with app.app_context():
        for table in subject_access.held_about(db.session.get(User, nurse_id)):
            text = archive.read(f"csv/{table.file}.csv").decode("utf-8-sig")
            assert len(list(csv.DictReader(io.StringIO(text)))) == len(table.rows), table.name
            assert len(document["tables"][table.file]) == len(table.rows)
    assert "password" in archive.read("README.txt").decode()
    with app.app_context():
        entries = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.PERSONAL_DATA_DOWNLOADED)
        ).scalars()
        assert [(e.actor_id, e.subject_user_id) for e in entries] == [(nurse_id, nurse_id)]
    downloaded = [row["action"] for row in document["tables"]["audit-trail"]]
    assert "personal-data-downloaded" in downloaded


def test_the_download_needs_the_forms_csrf_token(app, make_user, login, client, monkeypatch):
    person = make_user()
    login(person)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/profile/data").status_code == 400


def test_the_download_names_what_the_rows_refer_to_without_naming_anyone_else(app, two_people):
    nurse_id, _ = two_people
    with app.app_context():
        nurse = db.session.get(User, nurse_id)
        held = subject_access.held_about(nurse)
        context = {table.name: table for table in subject_access.context_of(held)}
        memberships = next(t for t in held if t.name == "cohort_member").rows
        assert {r["cohort_id"] for r in memberships} <= {r["id"] for r in context["cohort"].rows}
        assert "owner_id" not in context["cohort"].columns
        assert nurse.organisation_id in {r["id"] for r in context["organisation"].rows}
        archive = zipfile.ZipFile(io.BytesIO(subject_access.archive(nurse, "Site", clock.now())))
        assert "csv/what-they-refer-to/cohorts.csv" in archive.namelist()
        names = {r["name"] for r in context["cohort"].rows}
        document = json.loads(archive.read("your-data.json"))
        assert {r["name"] for r in document["what-they-refer-to"]["cohorts"]} == names
