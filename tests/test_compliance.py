"""Required training: compliant, due soon, expired; by profession and stage; per organisation."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from learning import compliance
from learning.extensions import db
from learning.models import Completion, Organisation, OrganisationKind, RequiredTraining, Role, User
from learning.professions import Stage


def text(response) -> str:
    return response.get_data(as_text=True)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=-70, max_value=70),
)
def test_the_sql_cut_off_matches_the_calendar_month_expiry(day, months, offset):
    boundary = compliance.first_current(day, months)
    completed = boundary + timedelta(days=offset)
    assert (compliance.add_months(completed, months) <= day) == (completed < boundary)


def requirement(**kw) -> RequiredTraining:
    return RequiredTraining(kind="module", slug="hospital-discharge", **{"due_soon_days": 60, **kw})


def test_a_completion_is_compliant_then_due_soon_then_expired():
    rule = requirement(refresh_months=36)
    done = date(2024, 3, 15)
    assert compliance.cell_for(rule, done, date(2026, 1, 1)).state is compliance.State.COMPLIANT
    soon = compliance.cell_for(rule, done, date(2027, 1, 20))
    assert soon.state is compliance.State.DUE_SOON and soon.expires_on == date(2027, 3, 15)
    assert compliance.cell_for(rule, done, date(2027, 3, 15)).state is compliance.State.EXPIRED
    assert compliance.cell_for(rule, None, date(2026, 1, 1)).state is compliance.State.NOT_STARTED


def test_once_only_training_never_expires():
    rule = requirement(refresh_months=None)
    cell = compliance.cell_for(rule, date(2001, 1, 1), date(2090, 1, 1))
    assert cell.state is compliance.State.COMPLIANT and cell.expires_on is None


@pytest.fixture
def trust(make_organisation):
    return make_organisation("Riverside NHS Foundation Trust")


@pytest.fixture
def employer(make_user, trust):
    return make_user(Role.EMPLOYER, name="Gareth Lloyd", organisation=trust)


def complete(app, user, slug, on: date, kind="module"):
    with app.app_context():
        db.session.add(
            Completion(
                user_id=user.id,
                kind=kind,
                slug=slug,
                version="v",
                completed_at=datetime(on.year, on.month, on.day, 10, tzinfo=UTC),
            )
        )
        db.session.commit()


def require(app, organisation, **kw):
    with app.app_context():
        rule = RequiredTraining(
            organisation_id=organisation.id,
            **{"kind": "module", "slug": "hospital-discharge", "due_soon_days": 60, **kw},
        )
        db.session.add(rule)
        db.session.commit()
        return rule.id


@freeze_time("2026-11-22")
def test_an_employer_sets_a_requirement_and_reads_the_matrix(
    app, client, employer, trust, make_user, login
):
    nurse = make_user(name="Grace Adeyemi", organisation=trust)
    make_user(name="Tom Brennan", organisation=trust, profession="social-work")
    complete(app, nurse, "hospital-discharge", date(2024, 1, 10))
    login(employer)
    response = client.post(
        "/employer/requirements",
        data={
            "item": "module:hospital-discharge",
            "profession": "",
            "stage": "",
            "refresh_months": "36",
            "due_soon_days": "60",
        },
    )
    assert response.status_code == 302
    page = text(client.get("/employer/compliance"))
    grace = page.split("Grace Adeyemi")[1].split("</tr>")[0]
    assert "Due soon" in grace and "Expires 10 January 2027" in grace
    tom = page.split("Tom Brennan")[1].split("</tr>")[0]
    assert "Not started" in tom
    overview = text(client.get("/employer/"))
    assert "50%" in overview  # 2 staff... 1 of 2 up to date (the employer has no profession rule)


def test_a_bad_requirement_form_keeps_what_was_typed(client, employer, login):
    login(employer)
    response = client.post(
        "/employer/requirements",
        data={"item": "", "refresh_months": "999", "due_soon_days": "30"},
    )
    page = text(response)
    assert response.status_code == 422
    assert "Choose what to require" in page and "from 1 to 120" in page
    assert 'value="999"' in page


@freeze_time("2026-11-22")
def test_rules_by_profession_and_stage_mark_others_not_required(
    app, client, employer, trust, make_user, login
):
    require(app, trust, profession="nursing", stage=Stage.QUALIFIED, refresh_months=12)
    make_user(name="Qualified Nurse", organisation=trust, profession="nursing")
    make_user(name="Student Nurse", organisation=trust, profession="nursing", stage=Stage.STUDENT)
    make_user(name="Housing Officer", organisation=trust, profession="housing")
    login(employer)
    page = text(client.get("/employer/compliance"))
    for name, state in (
        ("Qualified Nurse", "Not started"),
        ("Student Nurse", "Not required"),
        ("Housing Officer", "Not required"),
    ):
        assert state in page.split(name)[1].split("</tr>")[0], name


def test_another_organisations_person_is_not_found(
    app, client, employer, make_user, make_organisation, login
):
    council = make_organisation("Northfield City Council", OrganisationKind.LOCAL_AUTHORITY)
    outsider = make_user(name="Tom Brennan", organisation=council)
    login(employer)
    assert client.get(f"/employer/staff/{outsider.id}").status_code == 404
    page = text(client.get("/employer/compliance"))
    assert "Tom Brennan" not in page
    with app.app_context():
        rule_id = require(app, council, refresh_months=12)
    assert client.post(f"/employer/requirements/{rule_id}/remove").status_code == 404


@freeze_time("2026-11-22")
def test_the_matrix_and_its_csv_carry_the_same_rows(app, client, employer, trust, make_user, login):
    require(app, trust, refresh_months=12)
    for n in range(5):
        make_user(name=f"Staff {n}", organisation=trust)
    login(employer)
    page = text(client.get("/employer/compliance?sort=name&per_page=3&page=2"))
    shown = re.findall(r'<th scope="row"><a href="/employer/staff/\d+">([^<]+)</a>', page)
    exported = text(client.get("/employer/compliance.csv?sort=name&per_page=3&page=2"))
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == shown and len(shown) == 3


@freeze_time("2026-11-22")
def test_the_summary_computed_in_sql_agrees_with_each_persons_cells(
    app, employer, trust, make_user
):
    require(app, trust, refresh_months=12, due_soon_days=60)
    require(app, trust, kind="quiz", slug="safeguarding-basics", refresh_months=None)
    require(app, trust, slug="roles-and-values", profession="housing", refresh_months=36)
    people = [
        make_user(organisation=trust, profession=p, stage=s)
        for p in ("nursing", "housing", "social-work")
        for s in (Stage.STUDENT, Stage.QUALIFIED)
        for _ in range(2)
    ]
    days = [date(2025, 1, 5), date(2025, 12, 20), date(2026, 1, 31), None, date(2023, 2, 28)]
    for n, person in enumerate(people):
        if days[n % 5]:
            complete(app, person, "hospital-discharge", days[n % 5])
        if n % 3 == 0:
            complete(app, person, "safeguarding-basics", date(2020, 5, 1), kind="quiz")
        if n % 2 == 0 and days[(n + 1) % 5]:
            complete(app, person, "roles-and-values", days[(n + 1) % 5])
    today = date(2026, 11, 22)
    with app.app_context():
        organisation = db.session.get(Organisation, trust.id)
        required = compliance.requirements(organisation)
        staff = db.session.execute(compliance.staff(organisation)).scalars().all()
        summary = compliance.summary(organisation, required, today)
        for index, rule in enumerate(required):
            states = Counter(
                row.cells[index].state for row in compliance.rows(staff, required, today)
            )
            tally = summary.by_item[rule.id]
            assert (tally.compliant, tally.due_soon, tally.expired, tally.not_started) == (
                states[compliance.State.COMPLIANT],
                states[compliance.State.DUE_SOON],
                states[compliance.State.EXPIRED],
                states[compliance.State.NOT_STARTED],
            ), rule.slug


def test_joint_learning_lists_the_cohorts_staff_took_part_in(
    app, client, employer, trust, make_user, login
):
    from learning import cohorts
    from learning.models import EnrolmentRoute

    trainer = make_user(Role.TRAINER)
    staff = [
        make_user(organisation=trust, profession=p) for p in ("nursing", "social-work", "housing")
    ]
    with app.app_context():
        cohort = cohorts.create(
            db.session.get(User, trainer.id),
            cohorts.CohortDetails("Discharge together", "", None, None, 4, {}),
        )
        people = [db.session.get(User, s.id) for s in staff]
        for invitation in cohorts.invite(cohort, people, EnrolmentRoute.PICKED):
            cohorts.accept(invitation)
        db.session.commit()
    login(employer)
    page = text(client.get("/employer/joint-learning"))
    assert "Discharge together" in page
    assert "<strong>3</strong> of your staff took part in cohorts that met the mix rule" in page
