"""A learner's CPD record: totals over dated windows, NMC progress and exports per regulator."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from learning.cpd import (
    NMC_EXPORT,
    Activity,
    Entry,
    Source,
    activity_choices,
    export_for,
    hcpc_profile_summary,
    hcpc_rows,
    nmc_progress,
    nmc_reflective_accounts,
    nmc_rows,
    plain_rows,
    safe_cell,
    swe_rows,
    to_csv,
    totals,
    years_before,
)
from learning.professions import CODES

TODAY = date(2025, 3, 31)


def entry(
    on: date = TODAY, hours: float = 1.0, participatory: bool = False, **fields: object
) -> Entry:
    """An entry with sensible defaults; an id made from the date unless one is given."""
    fields.setdefault("id", f"{on.isoformat()}-{hours}-{participatory}")
    fields.setdefault("activity", Activity.COURSE)
    fields.setdefault("topic", "Safeguarding adults")
    return Entry(on=on, hours=hours, participatory=participatory, **fields)


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


# Entries -----------------------------------------------------------------------------------


def test_entry_accepts_stored_strings_for_activity_and_source():
    e = Entry(1, TODAY, "group", "Discharge", Decimal("1.5"), source="cohort")
    assert e.activity is Activity.GROUP
    assert e.source is Source.COHORT
    assert e.hours == 1.5


@pytest.mark.parametrize("hours", [-1, float("nan"), float("inf"), True, "2"])
def test_entry_refuses_hours_that_are_not_a_non_negative_number(hours):
    with pytest.raises(ValueError, match="hours"):
        entry(hours=hours)


def test_entry_refuses_an_activity_off_the_list():
    with pytest.raises(ValueError):
        entry(activity="knitting")


def test_activity_choices_cover_the_controlled_list_with_labels():
    choices = dict(activity_choices())
    assert choices["course"] == "Course or e-learning"
    assert choices["discussion"] == "Reflective discussion"
    assert set(choices) == {a.value for a in Activity}


# Totals ------------------------------------------------------------------------------------


def test_twelve_months_start_365_days_ago_and_include_both_ends():
    result = totals(
        [
            entry(TODAY - timedelta(days=365), hours=2),  # first day in
            entry(TODAY - timedelta(days=366), hours=4),  # a day too early
            entry(TODAY, hours=1),  # today is in
            entry(TODAY + timedelta(days=1), hours=8),  # the future is not
        ],
        TODAY,
    )
    assert result.year_from == date(2024, 3, 31)
    assert result.hours_12_months == 3
    assert result.entries_12_months == 2


def test_three_years_start_on_the_same_day_three_calendar_years_earlier():
    result = totals(
        [
            entry(date(2022, 3, 31), hours=2),
            entry(date(2022, 3, 30), hours=4),
            entry(date(2024, 1, 1), hours=1),
        ],
        TODAY,
    )
    assert result.three_years_from == date(2022, 3, 31)
    assert result.hours_3_years == 3
    assert result.entries_3_years == 2
    assert result.hours_12_months == 0


def test_three_years_before_29_february_is_28_february():
    assert years_before(date(2024, 2, 29), 3) == date(2021, 2, 28)
    assert totals([], date(2024, 2, 29)).three_years_from == date(2021, 2, 28)


def test_drafts_are_not_counted_but_are_reported_as_waiting():
    result = totals(
        [
            entry(hours=2, participatory=True),
            entry(hours=5, participatory=True, draft=True, source=Source.REFLECTION, id="d1"),
            entry(date(2010, 1, 1), hours=1, draft=True, id="d2"),
        ],
        TODAY,
    )
    assert result.hours_12_months == result.hours_3_years == 2
    assert result.participatory_12_months == 2
    assert result.entries_3_years == 1
    assert result.drafts == 2


def test_participatory_hours_sum_only_learning_with_others():
    result = totals(
        [
            entry(hours=1.5, participatory=True, activity=Activity.GROUP),
            entry(hours=0.1, participatory=True, activity=Activity.DISCUSSION),
            entry(hours=0.2, participatory=True, activity=Activity.SUPERVISION),
            entry(hours=3, participatory=False, activity=Activity.READING),
            entry(date(2023, 6, 1), hours=2, participatory=True),
        ],
        TODAY,
    )
    assert result.hours_12_months == 4.8
    assert result.participatory_12_months == 1.8
    assert result.hours_3_years == 6.8
    assert result.participatory_3_years == 3.8


def test_no_entries_is_all_zero():
    result = totals([], TODAY)
    assert (result.hours_3_years, result.participatory_3_years, result.entries_3_years) == (0, 0, 0)


# NMC progress ------------------------------------------------------------------------------


def test_nurse_with_35_hours_20_participatory_has_met_the_cpd_requirement():
    progress = nmc_progress(
        [entry(hours=20, participatory=True), entry(date(2023, 1, 1), hours=15)], TODAY
    )
    assert (progress.hours, progress.participatory_hours) == (35, 20)
    assert (progress.remaining_hours, progress.remaining_participatory_hours) == (0, 0)
    assert progress.met


def test_nurse_with_enough_hours_but_too_few_participatory_has_not_met_it():
    progress = nmc_progress([entry(hours=19.5, participatory=True), entry(hours=20)], TODAY)
    assert progress.remaining_hours == 0
    assert progress.remaining_participatory_hours == 0.5
    assert not progress.met


def test_nmc_progress_counts_three_years_back_and_ignores_older_and_draft_entries():
    progress = nmc_progress(
        [
            entry(date(2022, 3, 31), hours=10, participatory=True),
            entry(date(2022, 3, 30), hours=30, participatory=True),
            entry(hours=30, participatory=True, draft=True),
        ],
        TODAY,
    )
    assert progress.since == date(2022, 3, 31)
    assert (progress.hours, progress.participatory_hours) == (10, 10)
    assert (progress.remaining_hours, progress.remaining_participatory_hours) == (25, 10)
    assert not progress.met
    assert (progress.required_hours, progress.required_participatory_hours) == (35, 20)


def test_nmc_progress_can_count_from_the_start_of_the_revalidation_period():
    progress = nmc_progress(
        [entry(date(2023, 1, 1), hours=40, participatory=True)], TODAY, since=date(2024, 1, 1)
    )
    assert progress.hours == 0


# Exports -----------------------------------------------------------------------------------

REFLECTED = dict(
    learned="How to make a referral under the duty to refer",
    impact="I now refer on the day of admission",
    standard="Code section 1",
)


def record() -> list[Entry]:
    """A small record, out of date order, with one draft reflection."""
    return [
        entry(
            date(2025, 2, 1),
            hours=2,
            participatory=True,
            activity=Activity.GROUP,
            topic="Joint discharge planning",
            peer_reflection=True,
            source=Source.COHORT,
            id=2,
            **REFLECTED,
        ),
        entry(date(2025, 1, 10), hours=1.25, topic="Mental capacity", id=1),
        entry(
            date(2025, 3, 1),
            hours=0.5,
            activity=Activity.SCENARIO,
            topic="Draft thoughts",
            learned="half written",
            draft=True,
            source=Source.REFLECTION,
            id=3,
        ),
    ]


def test_nmc_record_lists_finished_entries_by_date_with_participatory_hours():
    table = nmc_rows(record())
    assert table.headings == (
        "Date",
        "Method",
        "Topic",
        "Link to the Code",
        "Hours",
        "Participatory hours",
    )
    assert [row.cells() for row in table] == [
        ("2025-01-10", "Course or e-learning", "Mental capacity", "", "1.25", "0"),
        ("2025-02-01", "Group learning", "Joint discharge planning", "Code section 1", "2", "2"),
    ]


def test_nmc_reflective_accounts_are_the_finished_entries_with_learning_and_impact():
    table = nmc_reflective_accounts([*record(), entry(learned="only half", id=9)])
    assert len(table) == 1
    account = table.rows[0]
    assert account.topic == "Joint discharge planning"
    assert account.cells() == (
        "2025-02-01",
        "Group learning",
        "Joint discharge planning",
        REFLECTED["learned"],
        REFLECTED["impact"],
        "Code section 1",
    )
    assert len(account.cells()) == len(table.headings)


def test_social_work_england_entries_carry_learning_impact_and_peer_reflection():
    table = swe_rows(record())
    assert table.headings == (
        "Date",
        "Title",
        "What I learned",
        "Impact on my practice",
        "Discussed with a peer",
        "Standard",
    )
    assert [row.cells() for row in table] == [
        ("2025-01-10", "Mental capacity", "", "", "No", ""),
        (
            "2025-02-01",
            "Joint discharge planning",
            REFLECTED["learned"],
            REFLECTED["impact"],
            "Yes",
            "Code section 1",
        ),
    ]


def test_hcpc_list_is_dated_activities_described_by_topic_and_learning():
    table = hcpc_rows(record())
    assert table.headings == ("Date", "Activity type", "Description")
    assert [row.cells() for row in table] == [
        ("2025-01-10", "Course or e-learning", "Mental capacity"),
        ("2025-02-01", "Group learning", f"Joint discharge planning: {REFLECTED['learned']}"),
    ]


def test_hcpc_profile_summary_totals_finished_activities_by_type_in_list_order():
    entries = [
        *record(),
        entry(hours=0.75, activity=Activity.COURSE, id="c2"),
        entry(hours=1, activity=Activity.READING, id="r1"),
    ]
    table = hcpc_profile_summary(entries)
    assert table.headings == ("Activity type", "Activities", "Hours")
    assert [row.cells() for row in table] == [
        ("Course or e-learning", "2", "2"),
        ("Group learning", "1", "2"),
        ("Reading", "1", "1"),
    ]


def test_plain_export_has_every_field_and_drafts_only_when_asked():
    table = plain_rows(record())
    assert len(table.headings) == 12
    assert [row.entry.id for row in table] == [1, 2]
    assert table.rows[1].cells() == (
        "2",
        "2025-02-01",
        "Group learning",
        "Joint discharge planning",
        "2",
        "Yes",
        REFLECTED["learned"],
        REFLECTED["impact"],
        "Code section 1",
        "Cohort session",
        "No",
        "Yes",
    )
    with_drafts = plain_rows(record(), include_drafts=True)
    assert [row.entry.id for row in with_drafts] == [1, 2, 3]
    assert with_drafts.rows[2].cells()[10] == "Yes"


def test_every_row_has_as_many_cells_as_its_table_has_headings():
    for rows in (nmc_rows, nmc_reflective_accounts, swe_rows, hcpc_rows, hcpc_profile_summary):
        table = rows(record())
        assert table.rows
        assert all(len(row.cells()) == len(table.headings) for row in table)


# Choosing the export -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("nursing", "nmc"),
        ("social-work", "swe"),
        ("occupational-therapy", "hcpc"),
        ("physiotherapy", "hcpc"),
        ("paramedic-science", "hcpc"),
        ("housing", "plain"),
        ("social-care", "plain"),
        ("medicine", "plain"),
        ("pharmacy", "plain"),
        ("other", "plain"),
        ("not-a-profession", "plain"),
        (None, "plain"),
    ],
)
def test_each_profession_gets_its_regulators_export(code, key):
    assert export_for(code).key == key


def test_every_listed_profession_has_an_export():
    assert {export_for(code).key for code in CODES} == {"nmc", "swe", "hcpc", "plain"}


def test_nmc_page_shows_the_record_then_the_reflective_accounts():
    export = export_for("nursing")
    assert export is NMC_EXPORT
    record_table, accounts = export.tables(iter(record()))
    assert (record_table.title, len(record_table)) == ("CPD record", 2)
    assert (accounts.title, len(accounts)) == ("Reflective accounts", 1)
    assert export.filename(TODAY) == "cpd-record-nmc-2025-03-31.csv"


def test_hcpc_page_ends_with_the_profile_summary():
    tables = export_for("occupational-therapy").tables(record())
    assert [t.title for t in tables] == ["CPD activities", "Summary of activities"]


# CSV ---------------------------------------------------------------------------------------


def test_csv_has_a_bom_a_header_and_the_same_rows_as_the_page():
    table = swe_rows(record())
    lines = read_csv(to_csv(table))
    assert lines[0] == list(table.headings)
    assert lines[1:] == [list(row.cells()) for row in table]


def test_csv_of_an_empty_record_still_has_its_header():
    assert read_csv(to_csv(nmc_rows([]))) == [list(nmc_rows([]).headings)]


def test_csv_keeps_commas_quotes_and_line_breaks_inside_cells():
    text = 'Said "no", then\nagreed; café'
    lines = read_csv(to_csv(plain_rows([entry(topic=text)])))
    assert lines[1][3] == text


@pytest.mark.parametrize(
    "typed", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_csv_defuses_cells_a_spreadsheet_would_run_as_formulas(typed):
    lines = read_csv(to_csv(plain_rows([entry(topic=typed, learned=typed, id=typed)])))
    reference, topic, learned = lines[1][0], lines[1][3], lines[1][6]
    assert reference == topic == learned == "'" + typed


@pytest.mark.parametrize("harmless", ["Safeguarding", "1.5", "", "a=b", " =1"])
def test_csv_leaves_ordinary_cells_alone(harmless):
    assert safe_cell(harmless) == harmless
