"""Reading a cohort enrolment sheet: the CSV a trainer exports from a spreadsheet.

Pure: bytes in, an :class:`EnrolmentSheet` out; no Flask, no database. Every problem is
reported, each with the line number the trainer sees in their spreadsheet (the heading row is
line 1, blank rows count), so one upload shows everything to fix. The caller enrols nothing
unless ``sheet.ok``.

Accepted columns (headings are matched ignoring case, spaces, punctuation and a trailing
"(optional)"; other columns are ignored with a warning):

=============  ===========================================================================
email          Email, Email address, E-mail, E-mail address, Mail
name           Name, Full name, Learner name, Learner, Participant name, Display name
profession     Profession, Professional group, Profession or discipline, Discipline
stage          Stage, Career stage, Stage of career, Student or qualified
organisation   Organisation, Organization, Organisation name, Org, Employer (optional)
=============  ===========================================================================

Professions may be given as a code (``social-work``), a label (``Social work``) or one of the
synonyms in :data:`PROFESSION_SYNONYMS` ("Nurse", "RN", "SW", "OT", "Housing officer", ...),
in any case, with hyphens or spaces. A synonym naming a student ("Student nurse", "Nursing
student", "Student social worker") gives the profession and implies the student stage: the stage
cell may then be left blank, and a stage of "qualified" is reported as a contradiction.

Stages: ``student`` (also "pre-qualification", "pre-registration", "Pre-qualification student")
and ``qualified`` (also "practitioner", "qualified practitioner", "registered").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from .emails import normalise_email
from .professions import PROFESSIONS, Stage

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
MAX_NAME_LENGTH = 120  # as User.name
MAX_ORGANISATION_LENGTH = 200  # as Organisation.name

REQUIRED_COLUMNS = ("email", "name", "profession", "stage")
OPTIONAL_COLUMNS = ("organisation",)
#: How each column is named in messages.
COLUMN_TITLES = {
    "email": "Email",
    "name": "Name",
    "profession": "Profession",
    "stage": "Stage",
    "organisation": "Organisation",
}

# Headings are compared as lowercase letters and digits only: "E-mail" and "Email" are one key.
_HEADINGS = {
    "email": ("email", "email address", "e-mail", "e-mail address", "mail", "email addresses"),
    "name": (
        "name",
        "full name",
        "learner name",
        "learner",
        "participant name",
        "participant",
        "display name",
        "learner's name",
    ),
    "profession": ("profession", "professional group", "profession or discipline", "discipline"),
    "stage": ("stage", "career stage", "stage of career", "student or qualified"),
    "organisation": (
        "organisation",
        "organization",
        "organisation name",
        "organization name",
        "org",
        "employer",
    ),
}

#: Other names for each profession, beyond its code and label. Case, hyphens, full stops and
#: extra spaces do not matter. "Student ..." and "... student" forms of each are accepted too.
PROFESSION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "social-work": ("social worker", "social workers", "sw", "social work practitioner"),
    "nursing": (
        "nurse",
        "nurses",
        "rn",
        "registered nurse",
        "rgn",
        "rmn",
        "mental health nurse",
        "district nurse",
        "community nurse",
        "learning disability nurse",
        "nursing associate",
    ),
    "occupational-therapy": (
        "ot",
        "occupational therapist",
        "occupational therapists",
    ),
    "housing": (
        "housing officer",
        "housing practitioner",
        "housing worker",
        "housing options officer",
        "housing support officer",
        "homelessness officer",
        "tenancy officer",
    ),
    "medicine": (
        "doctor",
        "doctors",
        "medical",
        "medic",
        "physician",
        "gp",
        "general practitioner",
        "junior doctor",
        "resident doctor",
    ),
    "physiotherapy": ("physio", "physiotherapist", "physiotherapists"),
    "paramedic-science": ("paramedic", "paramedics"),
    "pharmacy": ("pharmacist", "pharmacists", "pharmacy technician"),
    "social-care": (
        "care worker",
        "support worker",
        "care assistant",
        "social care worker",
        "home care worker",
        "domiciliary care worker",
        "residential care worker",
    ),
    "other-health": (
        "healthcare assistant",
        "health care assistant",
        "hca",
        "midwife",
        "speech and language therapist",
        "dietitian",
    ),
}

_STAGES = {
    Stage.STUDENT: (
        "student",
        "pre-qualification",
        "prequalification",
        "pre-qualified",
        "pre-registration",
        "preregistration",
        "pre-reg",
        "not yet qualified",
    ),
    Stage.QUALIFIED: (
        "qualified",
        "practitioner",
        "qualified practitioner",
        "registered",
        "post-qualification",
    ),
}

_EXCEL_WORKBOOK = b"PK\x03\x04"
_OLD_EXCEL_WORKBOOK = b"\xd0\xcf\x11\xe0"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control characters other than tab, line feed and carriage return never occur in a CSV.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True, slots=True)
class Row:
    """One valid learner from the sheet, ready to enrol."""

    line: int
    email: str  # normalised
    name: str
    profession: str  # a code from learning.professions
    stage: Stage
    organisation: str | None


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem on one line of the sheet; ``column`` is None when it concerns the whole line."""

    line: int | None  # None: the file as a whole (too big, not a CSV, ...)
    column: str | None
    message: str

    def __str__(self) -> str:
        where = "File" if self.line is None else f"Line {self.line}"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class EnrolmentSheet:
    """The learners read from an upload, every problem found, and things worth knowing."""

    rows: tuple[Row, ...] = ()
    errors: tuple[RowError, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is nothing to fix: the whole sheet may be enrolled."""
        return not self.errors


def read_enrolment_csv(data: bytes) -> EnrolmentSheet:
    """Read and check an uploaded enrolment CSV, reporting every bad row by line number."""
    if len(data) > MAX_BYTES:
        return _fail(
            f"The file is larger than {MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    text, problem = _decode(data)
    if text is None:
        return _fail(problem)
    records, unreadable = _records(text)
    if unreadable is not None:
        return _fail(
            'This line has a quotation mark (") without its closing pair, so the lines after '
            "it cannot be read. Add the closing quotation mark or remove the opening one.",
            unreadable,
        )
    header_line, header = next(((n, r) for n, r in records if not _blank(r)), (0, None))
    if header is None:
        return _fail("The file is empty. Add a heading row and one row for each learner.")

    columns, errors, warnings = _columns(header_line, header)
    if errors:
        return EnrolmentSheet(errors=tuple(errors), warnings=tuple(warnings))

    data_rows = [(n, r) for n, r in records if n > header_line and not _blank(r)]
    if not data_rows:
        return _fail("The file has headings but no learners. Add one row for each learner.")
    if len(data_rows) > MAX_ROWS:
        return _fail(
            f"The file has {len(data_rows):,} learners; one upload can take at most "
            f"{MAX_ROWS:,}. Split it into smaller files."
        )

    rows: list[Row] = []
    first_line_of: dict[str, int] = {}
    for line, record in data_rows:
        row, row_errors = _row(line, record, columns, first_line_of)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    return EnrolmentSheet(tuple(rows), tuple(errors), tuple(warnings))


def accepted_professions() -> str:
    """The accepted profession values, briefly, for messages and the upload page."""
    return ", ".join(p.code for p in PROFESSIONS)


def _fail(message: str, line: int | None = None) -> EnrolmentSheet:
    return EnrolmentSheet(errors=(RowError(line, None, message),))


def _decode(data: bytes) -> tuple[str | None, str]:
    """The text of the file, or None and why it cannot be read as a CSV."""
    if data.startswith((_EXCEL_WORKBOOK, _OLD_EXCEL_WORKBOOK)):
        return None, (
            "This looks like an Excel workbook, not a CSV file. In Excel choose File, Save As, "
            "and pick “CSV UTF-8 (Comma delimited)”."
        )
    try:
        if data.startswith(_UTF16_BOMS):  # Excel's "Unicode Text"
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel's plain "CSV (Comma delimited)" on Windows
        except UnicodeDecodeError:
            text = None
    if text is None or _CONTROL.search(text):
        return None, (
            "This file could not be read as a CSV file: it contains characters that do not "
            "belong in text. Save it from your spreadsheet as “CSV UTF-8 (Comma delimited)”."
        )
    return text, ""


def _records(text: str) -> tuple[list[tuple[int, list[str]]], int | None]:
    """Each record with its spreadsheet line number (a quoted line break stays in one cell),
    and the line of an unmatched quotation mark, if there is one."""
    first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        for line, record in enumerate(reader, start=1):
            if any(_swallowed(cell, delimiter) for cell in record):
                return records, line
            records.append((line, record))
    except csv.Error:  # a swallowed tail longer than the csv module's cell limit
        return records, len(records) + 1
    return records, None


def _swallowed(cell: str, delimiter: str) -> bool:
    """Whether a cell holds whole lines of the file: the mark of an unclosed quotation mark.

    A line break alone is fine (Alt+Enter in Excel); later lines with delimiters are not.
    """
    return any(delimiter in part for part in cell.splitlines()[1:])


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the heading row into the most recognised columns."""

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(_heading_key(c) in _HEADING_LOOKUP for c in cells), len(cells)

    return max(_DELIMITERS, key=score)


def _key(value: str) -> str:
    """Letters and digits only, lowercase: how headings are compared."""
    return re.sub(r"[^0-9a-z]", "", value.lower())


def _heading_key(value: str) -> str:
    # "Organisation (optional)", "Email *": the note is not part of the name.
    return _key(re.sub(r"\(.*?\)|\*", "", value))


_NAME_PARTS = {"firstname", "forename", "givenname", "lastname", "surname", "familyname"}
_HEADING_LOOKUP = {_key(h): column for column, hs in _HEADINGS.items() for h in hs}


def _words(value: str) -> str:
    """Lowercase words separated by single spaces: how professions and stages are compared."""
    value = re.sub(r"[.'’]", "", value.lower())
    return " ".join(re.sub(r"[^0-9a-z]+", " ", value).split())


def _profession_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for p in PROFESSIONS:
        names = (p.code, p.label, *PROFESSION_SYNONYMS.get(p.code, ()))
        for name in names:
            lookup[_words(name)] = p.code
    return lookup


_PROFESSION_LOOKUP = _profession_lookup()
_STAGE_LOOKUP = {
    _words(name): stage
    for stage, names in _STAGES.items()
    for name in (stage.value, stage.label, *names)
}


def profession_code(value: str) -> tuple[str | None, Stage | None]:
    """The profession code a trainer's wording means, and the stage it implies, if any."""
    words = _words(value)
    if words in _PROFESSION_LOOKUP:
        return _PROFESSION_LOOKUP[words], None
    parts = words.split()
    if "student" in parts:
        rest = " ".join(w for w in parts if w != "student")
        if rest in _PROFESSION_LOOKUP:
            return _PROFESSION_LOOKUP[rest], Stage.STUDENT
    return None, None


def stage_of(value: str) -> Stage | None:
    """The stage a trainer's wording means, or None if it is not one we know."""
    return _STAGE_LOOKUP.get(_words(value))


def _blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _columns(
    line: int, header: list[str]
) -> tuple[dict[str, tuple[int, str]], list[RowError], list[str]]:
    """Where each known column is (index, heading as written), and problems with the headings."""
    columns: dict[str, tuple[int, str]] = {}
    errors: list[RowError] = []
    ignored: list[str] = []
    for index, heading in enumerate(header):
        heading = heading.strip()
        column = _HEADING_LOOKUP.get(_heading_key(heading))
        if column is None:
            if heading:
                ignored.append(heading)
        elif column in columns:
            errors.append(
                RowError(
                    line,
                    heading,
                    f"“{columns[column][1]}” and “{heading}” are both "
                    f"{COLUMN_TITLES[column].lower()} columns. Keep one of them.",
                )
            )
        else:
            columns[column] = (index, heading)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            message = (
                f"The {COLUMN_TITLES[column].lower()} column is missing. "
                f"Add a column headed “{COLUMN_TITLES[column]}”."
            )
            if column == "name" and {_heading_key(h) for h in ignored} & _NAME_PARTS:
                message += " Put each learner’s full name in that one column."
            errors.append(RowError(line, COLUMN_TITLES[column], message))
    warnings = [f"The column “{heading}” is not used and was ignored." for heading in ignored]
    return columns, errors, warnings


def _row(
    line: int,
    record: list[str],
    columns: dict[str, tuple[int, str]],
    first_line_of: dict[str, int],
) -> tuple[Row | None, list[RowError]]:
    """The learner on this line, or the reasons it cannot be enrolled (every one of them)."""
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(line, columns[column][1], message))

    values: dict[str, str] = {}
    for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
        index = columns[column][0] if column in columns else len(record)
        # Spaces and line breaks inside a cell are tidied to single spaces.
        values[column] = " ".join(record[index].split()) if index < len(record) else ""

    email = normalise_email(values["email"])
    if not email:
        error("email", "Enter the learner’s email address.")
    else:
        try:
            # .test is allowed (demo and training data use it); .invalid, .local etc. are not.
            validate_email(email, check_deliverability=False, test_environment=True)
        except EmailNotValidError as exc:
            error("email", f"“{values['email']}” is not a valid email address. {exc}")
        else:
            if email in first_line_of:
                error(
                    "email",
                    f"{email} is already on line {first_line_of[email]}. "
                    "Each learner can appear only once.",
                )
            else:
                first_line_of[email] = line

    name = values["name"]
    if not name:
        error("name", "Enter the learner’s full name.")
    elif len(name) > MAX_NAME_LENGTH:
        error("name", f"The name must be {MAX_NAME_LENGTH} characters or fewer.")

    profession, implied_stage = profession_code(values["profession"])
    if not values["profession"]:
        error("profession", f"Enter a profession: one of {accepted_professions()}.")
    elif profession is None:
        error(
            "profession",
            f"“{values['profession']}” is not a profession we know. Use one of: "
            f"{accepted_professions()} (or a name such as “Nurse” or “Social worker”).",
        )

    stage = stage_of(values["stage"]) if values["stage"] else implied_stage
    if values["stage"] and stage is None:
        error(
            "stage",
            f"“{values['stage']}” is not a stage we know. Use “student” (or "
            "“pre-qualification”) or “qualified” (or “practitioner”).",
        )
    elif stage is None:
        error("stage", "Enter a stage: “student” or “qualified”.")
    elif implied_stage is not None and stage is not implied_stage:
        error(
            "stage",
            f"“{values['profession']}” is a student, but the stage is “{values['stage']}”. "
            "Make them agree.",
        )

    organisation = values["organisation"] or None
    if organisation is not None and len(organisation) > MAX_ORGANISATION_LENGTH:
        error(
            "organisation",
            f"The organisation must be {MAX_ORGANISATION_LENGTH} characters or fewer.",
        )

    if errors or profession is None or stage is None:
        return None, errors
    return Row(line, email, name, profession, stage, organisation), errors
