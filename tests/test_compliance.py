"""Required training: compliant, due soon, expired; by profession and stage; per organisation."""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from learning import compliance
from learning.extensions import db
from learning.models import (
    AuditAction,
    AuditEntry,
    Completion,
    Membership,
    Organisation,
    OrganisationKind,
    RequiredTraining,
    Role,
    User,
)
from learning.professions import Stage

from .conftest import table_rows


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


def read_csv(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(text(response).removeprefix("\ufeff"))))


def matrix_pages(client, query: str) -> list[list[str]]:
    """Every row of the matrix, page after page of three, as its cells' text."""
    found = []
    for number in range(1, 100):
        rows = table_rows(
            text(client.get(f"/employer/compliance?{query}&per_page=3&page={number}"))
        )
        if not rows:
            return found
        found += rows
    raise AssertionError("the matrix never ran out of pages")


def as_on_the_page(line: list[str]) -> list[str]:
    """A CSV line as the matrix shows it: name and stage, profession, each cell in words."""
    name, _email, profession, stage, *cells = line
    shown = [f"{name} {stage}", profession]
    for state, completed, expires in zip(cells[::3], cells[1::3], cells[2::3], strict=True):
        words = [state]
        if completed:
            words.append(f"Done {date.fromisoformat(completed):%-d %B %Y}")
        if expires:
            verb = "Expired" if state == "Expired" else "Expires"
            words.append(f"{verb} {date.fromisoformat(expires):%-d %B %Y}")
        shown.append(" ".join(words))
    return shown


@pytest.fixture
def staff_with_history(app, trust, make_user):
    """Eleven staff of three professions and both stages, against three requirements, in every
    state: compliant, due soon, expired, not started, not required."""
    require(app, trust, refresh_months=12)
    require(app, trust, kind="quiz", slug="safeguarding-basics")
    require(app, trust, slug="roles-and-values", profession="nursing", refresh_months=36)
    people = [
        make_user(name=f"{name} {n}", organisation=trust, profession=profession, stage=stage)
        for n, (name, profession, stage) in enumerate(
            [
                ("Zara", "nursing", Stage.QUALIFIED),
                ("Adam", "housing", Stage.STUDENT),
                ("Mia", "social-work", Stage.QUALIFIED),
                ("Ben", "nursing", Stage.STUDENT),
                ("Ola", "housing", Stage.QUALIFIED),
            ]
            * 2
        )
    ]
    days = [date(2026, 1, 5), date(2025, 12, 20), date(2025, 2, 1), None, date(2022, 2, 28)]
    for n, person in enumerate(people):
        if days[n % 5]:
            complete(app, person, "hospital-discharge", days[n % 5])
        if n % 3 == 0:
            complete(app, person, "safeguarding-basics", date(2020, 5, 1), kind="quiz")
        if n % 2 == 0 and days[(n + 2) % 5]:
            complete(app, person, "roles-and-values", days[(n + 2) % 5])
    return people


@freeze_time("2026-11-22")
@pytest.mark.parametrize(
    "query",
    ["", "sort=profession", "profession=nursing", "stage=student&sort=stage", "profession=x"],
)
def test_the_csv_of_all_staff_equals_the_matrix_across_all_pages(
    app, client, employer, staff_with_history, login, monkeypatch, query
):
    monkeypatch.setattr(compliance, "CHUNK", 2)  # many chunks, and one left over
    login(employer)
    shown = matrix_pages(client, query)
    second_page = text(client.get(f"/employer/compliance?{query}&per_page=3&page=2"))
    link = re.search(
        r'href="(/employer/compliance\.csv[^"]*)">Download as CSV: (\d+) ', second_page
    )
    assert int(link[2]) == len(shown)
    exported = read_csv(client.get(html.unescape(link[1])))
    assert exported[0][:4] == ["Name", "Email", "Profession", "Stage"]
    assert exported[0][4:7] == [
        "Hospital discharge: state",
        "Hospital discharge: completed",
        "Hospital discharge: expires",
    ]
    assert [as_on_the_page(line) for line in exported[1:]] == [row[:-1] for row in shown]
    assert len(shown) > 3  # more than one page
    if not query:
        cells = [cell for row in shown for cell in row[2:-1]]
        for state in compliance.State:
            assert any(cell.startswith(state.label) for cell in cells), state


@freeze_time("2026-11-22")
def test_the_download_is_in_the_audit_trail_with_every_row_it_holds(
    app, client, employer, staff_with_history, login
):
    login(employer)
    exported = read_csv(client.get("/employer/compliance.csv?profession=nursing&sort=stage"))
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.REPORT_DOWNLOADED)
        ).scalar_one()
        assert entry.actor_id == employer.id and entry.organisation_id == employer.organisation_id
        # Four nurses, and the employer, a nurse on the staff too.
        assert entry.details == {"report": "compliance", "rows": 5, "profession": "nursing"}
    assert len(exported) == 1 + 5


def test_the_csv_is_sent_as_it_is_made(app, client, employer, staff_with_history, login):
    login(employer)
    response = client.get("/employer/compliance.csv", buffered=False)
    assert response.is_streamed and "Content-Length" not in response.headers
    assert response.headers["Content-Disposition"] == 'attachment; filename="compliance.csv"'
    assert text(response).startswith("\ufeffName,Email,")
    response.close()


@freeze_time("2026-11-22")
def test_the_csv_takes_the_same_queries_for_each_chunk_whatever_its_size(
    app, client, employer, trust, make_user, login, monkeypatch, count_queries
):
    require(app, trust, refresh_months=12)
    require(app, trust, kind="quiz", slug="safeguarding-basics")
    monkeypatch.setattr(compliance, "CHUNK", 3)
    login(employer)
    counts = []
    for _ in range(3):
        counts.append(count_queries(client, "/employer/compliance.csv"))
        for n in range(3):  # one more chunk of staff, each with completions
            person = make_user(organisation=trust, name=f"Extra {len(counts)}.{n}")
            complete(app, person, "hospital-discharge", date(2026, 3, 1))
            complete(app, person, "safeguarding-basics", date(2026, 3, 1), kind="quiz")
    per_chunk = {b - a for a, b in itertools.pairwise(counts)}
    assert per_chunk == {1}, counts  # the chunk's completions: none per person


def test_a_formula_in_a_name_is_not_run_by_a_spreadsheet(
    app, client, employer, trust, make_user, login
):
    make_user(name='=HYPERLINK("http://evil.example")', organisation=trust)
    login(employer)
    assert "'=HYPERLINK" in text(client.get("/employer/compliance.csv"))


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


# What a learner sees of it -----------------------------------------------------------------


@freeze_time("2026-11-22")
def test_a_member_of_staff_sees_what_is_required_of_them_the_most_urgent_first(
    app, client, trust, make_user, login
):
    nurse = make_user(name="Grace Adeyemi", organisation=trust, profession="nursing")
    require(app, trust, refresh_months=12)  # done in January: due soon
    require(app, trust, kind="quiz", slug="safeguarding-basics")  # never done
    require(app, trust, slug="roles-and-values", refresh_months=36)  # done in 2022: expired
    require(app, trust, slug="safeguarding-adults")  # once, and done
    require(app, trust, kind="quiz", slug="discharge-case", profession="housing")  # not hers
    require(app, trust, slug="a-module-since-removed")  # its file is gone: named, not linked
    complete(app, nurse, "hospital-discharge", date(2026, 1, 5))
    complete(app, nurse, "roles-and-values", date(2022, 2, 28))
    complete(app, nurse, "safeguarding-adults", date(2021, 6, 1))
    login(nurse)
    page = text(client.get("/dashboard"))
    section = page.split('id="required-heading"')[1].split("</section>")[0]
    assert "Training Riverside NHS Foundation Trust requires of you" in page
    assert table_rows(section) == [
        [
            "Roles and values Module, every 36 months",
            "Expired Done 28 February 2022",
            "Now: it ran out on 28 February 2025",
        ],
        ["Safeguarding basics Scenario, once", "Not started", "Now"],
        ["a-module-since-removed Module, once", "Not started", "Now"],
        [
            "Hospital discharge Module, every 12 months",
            "Due soon Done 5 January 2026",
            "5 January 2027",
        ],
        [
            "Safeguarding adults Module, once",
            "Compliant Done 1 June 2021",
            "Not again: once is enough",
        ],
    ]
    assert "Mrs Khan goes home" not in section  # required of housing officers only
    for href in ("/modules/roles-and-values", "/quizzes/safeguarding-basics"):
        assert f'href="{href}"' in section
    assert "/modules/a-module-since-removed" not in section
    for symbol in ("✗", "○", "◷", "✓"):  # with the words, hidden from screen readers
        assert f'<span aria-hidden="true">{symbol} </span>' in section


@pytest.mark.parametrize("membership", [Membership.PENDING, Membership.ENDED, None])
def test_only_confirmed_staff_see_required_training(
    app, client, trust, make_user, login, membership
):
    require(app, trust, refresh_months=12)
    if membership is None:
        person = make_user(name="No Employer")
    else:
        person = make_user(organisation=trust, membership=membership)
    login(person)
    page = text(client.get("/dashboard"))
    assert "requires of you" not in page and "Hospital discharge" not in page


def test_staff_with_nothing_required_are_told_so(client, trust, make_user, login):
    login(make_user(organisation=trust))
    page = text(client.get("/dashboard"))
    assert "Riverside NHS Foundation Trust does not require any training of you" in page


def test_the_dashboard_takes_as_many_queries_for_many_requirements_as_for_one(
    app, client, trust, make_user, login, count_queries
):
    nurse = make_user(organisation=trust)
    require(app, trust, refresh_months=12)
    complete(app, nurse, "hospital-discharge", date(2025, 1, 5))
    login(nurse)
    one = count_queries(client, "/dashboard")
    require(app, trust, kind="quiz", slug="safeguarding-basics", refresh_months=24)
    require(app, trust, slug="roles-and-values", refresh_months=36)
    require(app, trust, slug="safeguarding-adults")
    for years in range(8):
        complete(app, nurse, "hospital-discharge", date(2018 + years, 1, 5))
        complete(app, nurse, "safeguarding-basics", date(2018 + years, 2, 5), kind="quiz")
        complete(app, nurse, "roles-and-values", date(2018 + years, 3, 5))
    assert count_queries(client, "/dashboard") == one
