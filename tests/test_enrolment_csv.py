"""Reading a trainer's enrolment CSV: every bad row reported with the line the trainer sees."""

from __future__ import annotations

import os

import pytest

from learning.enrolment import (
    MAX_BYTES,
    MAX_ROWS,
    PROFESSION_SYNONYMS,
    RowError,
    profession_code,
    read_enrolment_csv,
)
from learning.professions import BY_CODE, PROFESSIONS, Stage

HEADER = "email,name,profession,stage,organisation"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join((header, *lines, "")).encode(encoding)


def errors_at(sheet) -> list[tuple[int | None, str | None]]:
    return [(e.line, e.column) for e in sheet.errors]


def test_a_good_sheet_gives_one_row_per_learner():
    sheet = read_enrolment_csv(
        csv_bytes(
            "ann@demo.test,Ann Lee,nursing,qualified,Northshire NHS Trust",
            " Bob@Demo.TEST ,  Bob   Khan ,Social work,student,",
        )
    )
    assert sheet.ok
    assert sheet.warnings == ()
    first, second = sheet.rows
    assert (first.line, first.email, first.name) == (2, "ann@demo.test", "Ann Lee")
    assert (first.profession, first.stage, first.organisation) == (
        "nursing",
        Stage.QUALIFIED,
        "Northshire NHS Trust",
    )
    assert (second.line, second.email, second.name) == (3, "bob@demo.test", "Bob Khan")
    assert (second.profession, second.stage, second.organisation) == (
        "social-work",
        Stage.STUDENT,
        None,
    )


def test_the_organisation_column_is_optional():
    sheet = read_enrolment_csv(
        csv_bytes("ann@demo.test,Ann Lee,OT,student", header="email,name,profession,stage")
    )
    assert sheet.ok
    assert sheet.rows[0].organisation is None


def test_every_bad_row_is_reported_with_its_line_and_column():
    sheet = read_enrolment_csv(
        csv_bytes(
            "ann@demo.test,Ann Lee,nursing,qualified,",  # 2: fine
            ",No Email,nursing,qualified,",  # 3
            "not-an-email,Bad Email,nursing,qualified,",  # 4
            "cal@demo.test,,nursing,qualified,",  # 5
            "dee@demo.test,Dee,wizard,qualified,",  # 6
            "eve@demo.test,Eve,,qualified,",  # 7
            "fay@demo.test,Fay,nursing,veteran,",  # 8
            "gus@demo.test,Gus,nursing,,",  # 9
            "ann@DEMO.test,Ann Again,nursing,qualified,",  # 10: duplicate of line 2
            f"hal@demo.test,{'H' * 121},nursing,qualified,",  # 11
            f"ivy@demo.test,Ivy,nursing,qualified,{'O' * 201}",  # 12
            "jo@demo.invalid,Jo,nursing,qualified,",  # 13: special-use domain
            "kim@localhost,Kim,nursing,qualified,",  # 14: no dot
        )
    )
    assert not sheet.ok
    assert [r.line for r in sheet.rows] == [2]
    assert errors_at(sheet) == [
        (3, "email"),
        (4, "email"),
        (5, "name"),
        (6, "profession"),
        (7, "profession"),
        (8, "stage"),
        (9, "stage"),
        (10, "email"),
        (11, "name"),
        (12, "organisation"),
        (13, "email"),
        (14, "email"),
    ]
    messages = {e.line: e.message for e in sheet.errors}
    assert "not-an-email" in messages[4]
    assert "“wizard” is not a profession we know" in messages[6]
    assert "social-work, nursing, occupational-therapy, housing" in messages[6]
    assert "“veteran” is not a stage we know" in messages[8]
    assert "already on line 2" in messages[10]
    assert "120 characters" in messages[11]


def test_one_row_with_several_problems_reports_each_of_them():
    sheet = read_enrolment_csv(csv_bytes("nope,,wizard,veteran,"))
    assert errors_at(sheet) == [(2, "email"), (2, "name"), (2, "profession"), (2, "stage")]


def test_errors_read_as_the_trainer_would_say_them():
    sheet = read_enrolment_csv(csv_bytes("ann@demo.test,Ann Lee,nursing,veteran,"))
    assert str(sheet.errors[0]).startswith("Line 2, stage: “veteran” is not a stage")
    assert str(RowError(None, None, "Too big")) == "File: Too big"


def test_columns_are_named_as_the_trainer_headed_them():
    sheet = read_enrolment_csv(
        csv_bytes(
            "ann@demo.test,,Nurse,qualified",
            header="Email address,Full name,Profession,Stage",
        )
    )
    assert errors_at(sheet) == [(2, "Full name")]


def test_a_duplicate_is_reported_on_each_later_line_naming_the_first():
    sheet = read_enrolment_csv(
        csv_bytes(
            "ann@demo.test,Ann Lee,nursing,qualified,",
            "bob@demo.test,Bob Khan,nursing,qualified,",
            "ANN@demo.test,Ann L,nursing,qualified,",
            "ann@demo.test ,A Lee,nursing,qualified,",
        )
    )
    assert [(e.line, e.message) for e in sheet.errors] == [
        (4, "ann@demo.test is already on line 2. Each learner can appear only once."),
        (5, "ann@demo.test is already on line 2. Each learner can appear only once."),
    ]


def test_a_duplicate_of_a_row_with_other_problems_is_still_a_duplicate():
    sheet = read_enrolment_csv(
        csv_bytes(
            "ann@demo.test,Ann Lee,wizard,qualified,",
            "ann@demo.test,Ann Lee,nursing,qualified,",
        )
    )
    assert errors_at(sheet) == [(2, "profession"), (3, "email")]


def test_blank_rows_are_skipped_but_still_counted_as_spreadsheet_lines():
    sheet = read_enrolment_csv(
        csv_bytes(
            "",
            ",,,,",
            "ann@demo.test,Ann Lee,nursing,qualified,",
            "  ,  ,,,",
            "bob@demo.test,Bob,wizard,qualified,",
        )
    )
    assert [r.line for r in sheet.rows] == [4]
    assert errors_at(sheet) == [(6, "profession")]


def test_a_quoted_line_break_stays_in_one_spreadsheet_row_as_a_space():
    sheet = read_enrolment_csv(
        csv_bytes(
            'ann@demo.test,Ann Lee,nursing,qualified,"Northshire\nNHS Trust"',
            "bob@demo.test,Bob,wizard,qualified,",
        )
    )
    assert sheet.rows[0].organisation == "Northshire NHS Trust"
    assert errors_at(sheet) == [(3, "profession")]


@pytest.mark.parametrize("tail", ["", "x" * 200_000])
def test_an_unmatched_quote_is_pointed_out(tail):
    sheet = read_enrolment_csv(
        csv_bytes('"ann@demo.test,Ann Lee,nursing,qualified,', "bob@demo.test,Bob,OT,student,")
        + tail.encode()
    )
    assert errors_at(sheet) == [(2, None)]
    assert "quotation mark" in sheet.errors[0].message
    assert sheet.rows == ()


def test_a_utf8_file_with_a_byte_order_mark_and_windows_line_endings():
    data = "\ufeffEmail,Name,Profession,Stage\r\nzoe@demo.test,Zoë Adeyemi,nursing,student\r\n"
    sheet = read_enrolment_csv(data.encode("utf-8"))
    assert sheet.ok
    assert sheet.rows[0].name == "Zoë Adeyemi"


def test_semicolons_as_excel_saves_them_in_much_of_europe():
    sheet = read_enrolment_csv(
        csv_bytes(
            "ann@demo.test;Lee, Ann;nursing;qualified;Trust, North",
            header="Email;Name;Profession;Stage;Organisation",
        )
    )
    assert sheet.ok
    assert (sheet.rows[0].name, sheet.rows[0].organisation) == ("Lee, Ann", "Trust, North")


def test_windows_1252_names_from_excels_plain_csv():
    sheet = read_enrolment_csv(
        csv_bytes(
            "zoe@demo.test,Zoë Brontë,nursing,student,Café Trust",
            "sean@demo.test,Seán O’Neill,housing,qualified,",
            encoding="cp1252",
        )
    )
    assert sheet.ok
    assert [r.name for r in sheet.rows] == ["Zoë Brontë", "Seán O’Neill"]
    assert sheet.rows[0].organisation == "Café Trust"


def test_tolerant_headings_in_any_case_and_order():
    sheet = read_enrolment_csv(
        csv_bytes(
            "Occupational therapist,ann@demo.test,PRE-QUALIFICATION,Ann Lee,Trust",
            header="PROFESSION ,E-mail,Stage,Full Name,Organization (optional)",
        )
    )
    assert sheet.ok
    row = sheet.rows[0]
    assert (row.email, row.name, row.profession, row.stage, row.organisation) == (
        "ann@demo.test",
        "Ann Lee",
        "occupational-therapy",
        Stage.STUDENT,
        "Trust",
    )


def test_extra_columns_are_ignored_with_a_warning():
    sheet = read_enrolment_csv(
        csv_bytes("ann@demo.test,Ann Lee,nursing,qualified,ward 7", header=f"{HEADER[:-13]},Notes")
    )
    assert sheet.ok
    assert sheet.warnings == ("The column “Notes” is not used and was ignored.",)


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("name,profession,stage", ["Email"]),
        ("email,profession,stage", ["Name"]),
        ("email,name,stage", ["Profession"]),
        ("email,name,profession", ["Stage"]),
        ("email,name", ["Profession", "Stage"]),
    ],
)
def test_a_missing_column_is_one_error_on_line_1_naming_it(header, missing):
    sheet = read_enrolment_csv(csv_bytes("x,y", header=header))
    assert [(e.line, e.column) for e in sheet.errors] == [(1, m) for m in missing]
    for error, column in zip(sheet.errors, missing, strict=True):
        assert f"The {column.lower()} column is missing" in error.message
    assert sheet.rows == ()


def test_first_and_last_name_columns_get_a_hint():
    sheet = read_enrolment_csv(
        csv_bytes(
            "a@demo.test,Ann,Lee,nursing,student",
            header="email,first name,surname,profession,stage",
        )
    )
    assert [e.column for e in sheet.errors] == ["Name"]
    assert "full name in that one column" in sheet.errors[0].message


def test_two_columns_for_one_field_is_an_error():
    sheet = read_enrolment_csv(
        csv_bytes(
            "a@demo.test,b@demo.test,Ann,nursing,student",
            header="Email,E-mail,name,profession,stage",
        )
    )
    assert errors_at(sheet) == [(1, "E-mail")]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("nursing", "nursing"),
        ("Nursing", "nursing"),
        ("Nurse", "nursing"),
        ("RN", "nursing"),
        ("registered nurse", "nursing"),
        ("Social work", "social-work"),
        ("social-work", "social-work"),
        ("Social Worker", "social-work"),
        ("SW", "social-work"),
        ("OT", "occupational-therapy"),
        ("O.T.", "occupational-therapy"),
        ("Occupational therapist", "occupational-therapy"),
        ("occupational_therapy", "occupational-therapy"),
        ("Housing officer", "housing"),
        ("HOUSING", "housing"),
        ("Doctor", "medicine"),
        ("GP", "medicine"),
        ("Physio", "physiotherapy"),
        ("Paramedic", "paramedic-science"),
        ("Pharmacist", "pharmacy"),
        ("Support worker", "social-care"),
        ("Social care (support and care work)", "social-care"),
        ("Healthcare assistant", "other-health"),
        ("Other", "other"),
    ],
)
def test_professions_by_code_label_or_common_name(written, code):
    sheet = read_enrolment_csv(csv_bytes(f"a@demo.test,Ann,{written},qualified,"))
    assert sheet.ok, sheet.errors
    assert sheet.rows[0].profession == code


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Student nurse", "nursing"),
        ("Nursing student", "nursing"),
        ("student social worker", "social-work"),
        ("Medical student", "medicine"),
        ("Student OT", "occupational-therapy"),
    ],
)
def test_a_student_profession_implies_the_student_stage(written, code):
    sheet = read_enrolment_csv(
        csv_bytes(f"a@demo.test,Ann,{written},,", f"b@demo.test,Bob,{written},student,")
    )
    assert sheet.ok, sheet.errors
    assert [(r.profession, r.stage) for r in sheet.rows] == [(code, Stage.STUDENT)] * 2


def test_a_student_profession_with_a_qualified_stage_is_a_contradiction():
    sheet = read_enrolment_csv(csv_bytes("a@demo.test,Ann,Student nurse,qualified,"))
    assert errors_at(sheet) == [(2, "stage")]
    assert "Make them agree" in sheet.errors[0].message


def test_synonyms_never_point_two_ways():
    names = [(p.code, p.label) for p in PROFESSIONS] + [
        (code, name) for code, names in PROFESSION_SYNONYMS.items() for name in names
    ]
    for code, name in names:
        assert code in BY_CODE
        assert profession_code(name) == (code, None), name


@pytest.mark.parametrize(
    ("written", "stage"),
    [
        ("student", Stage.STUDENT),
        ("Student", Stage.STUDENT),
        ("pre-qualification", Stage.STUDENT),
        ("Pre-Qualification", Stage.STUDENT),
        ("Pre-qualification student", Stage.STUDENT),
        ("qualified", Stage.QUALIFIED),
        ("QUALIFIED", Stage.QUALIFIED),
        ("practitioner", Stage.QUALIFIED),
        ("Qualified practitioner", Stage.QUALIFIED),
    ],
)
def test_stages_in_any_case(written, stage):
    sheet = read_enrolment_csv(csv_bytes(f"a@demo.test,Ann,nursing,{written},"))
    assert sheet.ok, sheet.errors
    assert sheet.rows[0].stage is stage


def test_special_use_test_domains_are_accepted_for_demo_data():
    sheet = read_enrolment_csv(csv_bytes("a@demo.test,Ann,nursing,student,"))
    assert sheet.ok


def test_a_file_with_only_headings_is_an_error():
    sheet = read_enrolment_csv(csv_bytes("", ",,,,"))
    assert errors_at(sheet) == [(None, None)]
    assert "no learners" in sheet.errors[0].message


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_an_error(data):
    sheet = read_enrolment_csv(data)
    assert not sheet.ok
    assert "empty" in sheet.errors[0].message


def test_five_thousand_learners_are_accepted_and_one_more_is_not():
    lines = [f"learner{i}@demo.test,Learner {i},nursing,student," for i in range(MAX_ROWS)]
    sheet = read_enrolment_csv(csv_bytes(*lines))
    assert sheet.ok
    assert len(sheet.rows) == MAX_ROWS
    assert sheet.rows[-1].line == MAX_ROWS + 1

    sheet = read_enrolment_csv(csv_bytes(*lines, "one.more@demo.test,One More,nursing,student,"))
    assert [e.message for e in sheet.errors] == [
        "The file has 5,001 learners; one upload can take at most 5,000. "
        "Split it into smaller files."
    ]
    assert sheet.rows == ()


def test_a_file_over_2_mb_is_refused_before_it_is_read():
    data = csv_bytes("a@demo.test,Ann,nursing,student,")
    data += b"#" * (MAX_BYTES - len(data) + 1)
    sheet = read_enrolment_csv(data)
    assert [e.message for e in sheet.errors] == [
        "The file is larger than 2 MB. Split it into smaller files."
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03garbage\xff\xfe",
        bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        os.urandom(4096),
    ],
)
def test_binary_garbage_is_a_clear_error_not_an_exception(data):
    sheet = read_enrolment_csv(data)
    assert not sheet.ok
    assert sheet.rows == ()
    assert "could not be read as a CSV file" in sheet.errors[0].message


def test_an_excel_workbook_gets_told_how_to_save_as_csv():
    sheet = read_enrolment_csv(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100)
    assert "Excel workbook" in sheet.errors[0].message


def test_text_that_is_not_an_enrolment_sheet_names_the_missing_columns():
    sheet = read_enrolment_csv(b"Dear trainer,\nplease find attached\n")
    assert [e.column for e in sheet.errors] == ["Email", "Name", "Profession", "Stage"]
    assert {e.line for e in sheet.errors} == {1}


def test_the_sheet_and_its_rows_are_frozen():
    sheet = read_enrolment_csv(csv_bytes("a@demo.test,Ann,nursing,student,"))
    with pytest.raises(AttributeError):
        sheet.rows[0].email = "b@demo.test"  # type: ignore[misc]
