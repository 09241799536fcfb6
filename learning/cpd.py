"""A learner's CPD record: totals, NMC revalidation progress, and exports per regulator.

Pure: no Flask, no database. The caller loads a person's entries, turns them into
:class:`Entry` objects and passes ``today`` in, so every result is a function of its
arguments (and tests freeze time by passing a date).

What the regulators ask for, and how far this module relies on it. Sections refer to the
project's domain fact sheet (FACTS.md); [V] verified, [S] secondary sources only:

- NMC revalidation, every 3 years (FACTS §2.2 [S]): 35 hours of CPD, of which at least 20
  participatory (learning that involves interaction with one or more other professionals);
  five written reflective accounts, each linked to the Code. FACTS does not give the column
  names of the NMC's CPD record or reflective account forms, so the headings used here are
  plain descriptions of what the issue asks for (dates, method, topic, link to the Code,
  hours, participatory hours), not the NMC's own wording.
- Social Work England (FACTS §1.1 [V]): standard 4 is "Maintain my continuing professional
  development" and registration is renewed every year. FACTS says nothing about the shape of
  an SWE CPD entry or a peer reflection question; the columns (learning, impact, discussed
  with a peer) come from the issue and are kept generic.
- HCPC (FACTS §3.2 [S]): registrants renew every two years and the HCPC audits a sample for
  CPD. FACTS does not cover the HCPC's CPD standards or its profile format, so the dated
  list of activities and the summary by activity type are a generic shape.
- Everyone else (housing practitioners, care workers, GMC and GPhC registrants) gets the
  plain export of every field.

Drafts (reflections written in quizzes and not yet finished) never count towards totals and
are left out of the regulator exports.
"""

from __future__ import annotations

import csv
import enum
import io
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import ClassVar, Generic, Protocol, TypeVar

from dateutil.relativedelta import relativedelta

from .professions import BY_CODE, Regulator

#: NMC revalidation: CPD hours in the 3 years, and how many of them participatory (FACTS §2.2).
NMC_HOURS = 35
NMC_PARTICIPATORY_HOURS = 20
#: NMC revalidation asks for five written reflective accounts (FACTS §2.2).
NMC_REFLECTIVE_ACCOUNTS = 5


class Activity(enum.StrEnum):
    """The controlled list of kinds of CPD activity (the "method" of the NMC record)."""

    COURSE = "course"  # a course or e-learning module
    SCENARIO = "scenario"  # a scenario quiz or case study
    GROUP = "group"  # group learning, e.g. a cohort session
    READING = "reading"  # reading articles, guidance, serious case reviews
    DISCUSSION = "discussion"  # a reflective discussion with a colleague
    CONFERENCE = "conference"  # a conference, seminar or webinar
    SUPERVISION = "supervision"  # supervision or mentoring
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "course": "Course or e-learning",
            "scenario": "Scenario or case study",
            "group": "Group learning",
            "reading": "Reading",
            "discussion": "Reflective discussion",
            "conference": "Conference or seminar",
            "supervision": "Supervision",
            "other": "Other",
        }[self.value]


class Source(enum.StrEnum):
    """Where an entry came from: made by the platform, or written by the learner."""

    MODULE = "module"  # a completed module
    SCENARIO = "scenario"  # a passed scenario quiz
    COHORT = "cohort"  # a cohort session attended
    MANUAL = "manual"  # added by the learner
    REFLECTION = "reflection"  # a reflection written in a quiz

    @property
    def label(self) -> str:
        return {
            "module": "Module completed",
            "scenario": "Scenario passed",
            "cohort": "Cohort session",
            "manual": "Added by me",
            "reflection": "Reflection from a quiz",
        }[self.value]


def activity_choices() -> list[tuple[str, str]]:
    """(code, label) pairs of the kinds of activity for a select field, in list order."""
    return [(a.value, a.label) for a in Activity]


@dataclass(frozen=True, slots=True)
class Entry:
    """One CPD activity in a learner's record.

    ``activity`` and ``source`` accept their enum or its string value (as stored in the
    database). ``standard`` is free text: the standard of the learner's code it relates to.
    """

    id: str | int
    on: date
    activity: Activity
    topic: str
    hours: float
    participatory: bool = False
    learned: str = ""
    impact: str = ""  # how it changed the learner's practice
    standard: str = ""
    source: Source = Source.MANUAL
    draft: bool = False
    peer_reflection: bool = False  # discussed with a peer (asked by Social Work England)

    def __post_init__(self) -> None:
        # Coerce the stored string forms so callers can pass database values straight in.
        object.__setattr__(self, "activity", Activity(self.activity))
        object.__setattr__(self, "source", Source(self.source))
        if isinstance(self.hours, bool | str | bytes):
            raise ValueError(f"hours must be a number, not {self.hours!r}")
        hours = float(self.hours)  # a database Numeric arrives as a Decimal
        if not math.isfinite(hours) or hours < 0:
            raise ValueError(f"hours must be zero or more, not {self.hours!r}")
        object.__setattr__(self, "hours", hours)

    @property
    def participatory_hours(self) -> float:
        """The hours that count as participatory: all of them or none."""
        return self.hours if self.participatory else 0.0

    @property
    def reflected(self) -> bool:
        """Whether the learner wrote both what they learned and how it changed their practice."""
        return bool(self.learned.strip() and self.impact.strip())


def years_before(day: date, years: int) -> date:
    """The same day ``years`` calendar years earlier; 29 February becomes 28 February."""
    return day - relativedelta(years=years)


def window(entries: Iterable[Entry], start: date, end: date) -> list[Entry]:
    """The finished (non-draft) entries dated from ``start`` to ``end``, both included."""
    return [e for e in entries if not e.draft and start <= e.on <= end]


def _sum(values: Iterable[float]) -> float:
    # Rounded so that 0.1 + 0.2 hours shows as 0.3 and compares as expected.
    return round(math.fsum(values), 2)


# Totals ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CpdTotals:
    """Hours in the last 12 months and the last 3 years, counting finished entries only.

    The 12 months run from ``year_from`` (today minus 365 days) to today; the 3 years from
    ``three_years_from`` (the same day three calendar years earlier) to today; both ends are
    included and entries dated after today are not counted.
    """

    today: date
    year_from: date
    three_years_from: date
    hours_12_months: float
    participatory_12_months: float
    entries_12_months: int
    hours_3_years: float
    participatory_3_years: float
    entries_3_years: int
    drafts: int  # drafts waiting to be finished, whatever their date


def totals(entries: Iterable[Entry], today: date) -> CpdTotals:
    """Hours, participatory hours and entry counts for the last 12 months and 3 years."""
    entries = list(entries)
    year_from = today - timedelta(days=365)
    three_years_from = years_before(today, 3)
    year = window(entries, year_from, today)
    three = window(entries, three_years_from, today)
    return CpdTotals(
        today=today,
        year_from=year_from,
        three_years_from=three_years_from,
        hours_12_months=_sum(e.hours for e in year),
        participatory_12_months=_sum(e.participatory_hours for e in year),
        entries_12_months=len(year),
        hours_3_years=_sum(e.hours for e in three),
        participatory_3_years=_sum(e.participatory_hours for e in three),
        entries_3_years=len(three),
        drafts=sum(e.draft for e in entries),
    )


@dataclass(frozen=True, slots=True)
class NmcProgress:
    """Progress toward the CPD requirement of NMC revalidation (FACTS §2.2)."""

    since: date
    today: date
    hours: float
    participatory_hours: float
    required_hours: int = NMC_HOURS
    required_participatory_hours: int = NMC_PARTICIPATORY_HOURS

    @property
    def remaining_hours(self) -> float:
        return max(0.0, _sum([self.required_hours, -self.hours]))

    @property
    def remaining_participatory_hours(self) -> float:
        return max(0.0, _sum([self.required_participatory_hours, -self.participatory_hours]))

    @property
    def met(self) -> bool:
        """Both the 35 hours and the 20 participatory hours are reached."""
        return self.remaining_hours == 0 and self.remaining_participatory_hours == 0


def nmc_progress(entries: Iterable[Entry], today: date, since: date | None = None) -> NmcProgress:
    """Hours toward the NMC's 35 CPD hours, 20 of them participatory (FACTS §2.2 [S]).

    The NMC counts the 3 years before the revalidation date; without ``since`` (the start of
    the learner's revalidation period, if they told us) the window is the 3 calendar years
    up to today. Participatory hours are part of the 35, not in addition to them. Only the
    CPD hours are checked: practice hours, feedback, reflective accounts and the other
    revalidation requirements are not in this record.
    """
    since = years_before(today, 3) if since is None else since
    counted = window(entries, since, today)
    return NmcProgress(
        since=since,
        today=today,
        hours=_sum(e.hours for e in counted),
        participatory_hours=_sum(e.participatory_hours for e in counted),
    )


# Rows for exports ------------------------------------------------------------------------


def _hours(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


class Row(Protocol):
    """A row of an export: the page reads its fields, the CSV its cells."""

    HEADINGS: ClassVar[tuple[str, ...]]

    def cells(self) -> tuple[str, ...]: ...


R = TypeVar("R", bound=Row)


@dataclass(frozen=True, slots=True)
class Table(Generic[R]):
    """A titled table of rows: what a printable page shows and what :func:`to_csv` writes."""

    title: str
    headings: tuple[str, ...]
    rows: tuple[R, ...]

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _finished(entries: Iterable[Entry]) -> list[Entry]:
    return sorted((e for e in entries if not e.draft), key=lambda e: (e.on, str(e.id)))


@dataclass(frozen=True, slots=True)
class NmcRow:
    """One line of the NMC CPD record (headings are descriptive, not the NMC form's)."""

    HEADINGS: ClassVar[tuple[str, ...]] = (
        "Date",
        "Method",
        "Topic",
        "Link to the Code",
        "Hours",
        "Participatory hours",
    )

    on: date
    method: str
    topic: str
    code_link: str
    hours: float
    participatory_hours: float

    def cells(self) -> tuple[str, ...]:
        return (
            self.on.isoformat(),
            self.method,
            self.topic,
            self.code_link,
            _hours(self.hours),
            _hours(self.participatory_hours),
        )


def nmc_rows(entries: Iterable[Entry]) -> Table[NmcRow]:
    """The NMC CPD record: finished entries by date, with hours and participatory hours."""
    rows = tuple(
        NmcRow(e.on, e.activity.label, e.topic, e.standard, e.hours, e.participatory_hours)
        for e in _finished(entries)
    )
    return Table("CPD record", NmcRow.HEADINGS, rows)


@dataclass(frozen=True, slots=True)
class ReflectiveAccount:
    """A finished entry with a written reflection, for drafting an NMC reflective account.

    The NMC asks for five reflective accounts on its own form, each linked to the Code
    (FACTS §2.2 [S]); the form's questions are not in FACTS, so these headings are generic.
    """

    HEADINGS: ClassVar[tuple[str, ...]] = (
        "Date",
        "Activity",
        "Topic",
        "What I learned",
        "How it changed my practice",
        "Link to the Code",
    )

    on: date
    activity: str
    topic: str
    learned: str
    impact: str
    code_link: str

    def cells(self) -> tuple[str, ...]:
        return (
            self.on.isoformat(),
            self.activity,
            self.topic,
            self.learned,
            self.impact,
            self.code_link,
        )


def nmc_reflective_accounts(entries: Iterable[Entry]) -> Table[ReflectiveAccount]:
    """Finished entries where the learner wrote what they learned and how it changed practice."""
    rows = tuple(
        ReflectiveAccount(e.on, e.activity.label, e.topic, e.learned, e.impact, e.standard)
        for e in _finished(entries)
        if e.reflected
    )
    return Table("Reflective accounts", ReflectiveAccount.HEADINGS, rows)


@dataclass(frozen=True, slots=True)
class SweRow:
    """One Social Work England CPD entry (a generic shape: FACTS §1.1 gives no form)."""

    HEADINGS: ClassVar[tuple[str, ...]] = (
        "Date",
        "Title",
        "What I learned",
        "Impact on my practice",
        "Discussed with a peer",
        "Standard",
    )

    on: date
    title: str
    learned: str
    impact: str
    peer_reflection: bool
    standard: str

    def cells(self) -> tuple[str, ...]:
        return (
            self.on.isoformat(),
            self.title,
            self.learned,
            self.impact,
            _yes(self.peer_reflection),
            self.standard,
        )


def swe_rows(entries: Iterable[Entry]) -> Table[SweRow]:
    """Social Work England CPD entries: learning, impact and whether it was shared with a peer."""
    rows = tuple(
        SweRow(e.on, e.topic, e.learned, e.impact, e.peer_reflection, e.standard)
        for e in _finished(entries)
    )
    return Table("CPD entries", SweRow.HEADINGS, rows)


@dataclass(frozen=True, slots=True)
class HcpcRow:
    """One dated activity for an HCPC CPD record (generic: FACTS has no HCPC CPD format)."""

    HEADINGS: ClassVar[tuple[str, ...]] = ("Date", "Activity type", "Description")

    on: date
    activity: str
    description: str

    def cells(self) -> tuple[str, ...]:
        return (self.on.isoformat(), self.activity, self.description)


def _description(entry: Entry) -> str:
    learned = entry.learned.strip()
    return f"{entry.topic}: {learned}" if learned else entry.topic


def hcpc_rows(entries: Iterable[Entry]) -> Table[HcpcRow]:
    """The HCPC dated list of activities, each described by its topic and what was learned."""
    rows = tuple(HcpcRow(e.on, e.activity.label, _description(e)) for e in _finished(entries))
    return Table("CPD activities", HcpcRow.HEADINGS, rows)


@dataclass(frozen=True, slots=True)
class ActivityTotal:
    """How many activities of one kind, and their hours, for a profile's summary section."""

    HEADINGS: ClassVar[tuple[str, ...]] = ("Activity type", "Activities", "Hours")

    activity: Activity
    entries: int
    hours: float

    def cells(self) -> tuple[str, ...]:
        return (self.activity.label, str(self.entries), _hours(self.hours))


def hcpc_profile_summary(entries: Iterable[Entry]) -> Table[ActivityTotal]:
    """Finished entries totalled by activity type, in list order, leaving out absent types."""
    finished = _finished(entries)
    rows = tuple(
        ActivityTotal(a, len(of_kind), _sum(e.hours for e in of_kind))
        for a in Activity
        if (of_kind := [e for e in finished if e.activity is a])
    )
    return Table("Summary of activities", ActivityTotal.HEADINGS, rows)


@dataclass(frozen=True, slots=True)
class PlainRow:
    """Every field of an entry, for learners without a regulator's format."""

    HEADINGS: ClassVar[tuple[str, ...]] = (
        "Reference",
        "Date",
        "Activity",
        "Topic",
        "Hours",
        "Participatory",
        "What I learned",
        "How it changed my practice",
        "Standard",
        "Source",
        "Draft",
        "Discussed with a peer",
    )

    entry: Entry

    def cells(self) -> tuple[str, ...]:
        e = self.entry
        return (
            str(e.id),
            e.on.isoformat(),
            e.activity.label,
            e.topic,
            _hours(e.hours),
            _yes(e.participatory),
            e.learned,
            e.impact,
            e.standard,
            e.source.label,
            _yes(e.draft),
            _yes(e.peer_reflection),
        )


def plain_rows(entries: Iterable[Entry], *, include_drafts: bool = False) -> Table[PlainRow]:
    """Every field of every finished entry (and of drafts too, if asked), by date."""
    entries = list(entries)
    chosen = entries if include_drafts else [e for e in entries if not e.draft]
    rows = tuple(PlainRow(e) for e in sorted(chosen, key=lambda e: (e.on, str(e.id))))
    return Table("CPD record", PlainRow.HEADINGS, rows)


# Choosing an export ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CpdExport:
    """The export that fits a learner's regulator: its main table and the page's extras."""

    key: str  # "nmc", "swe", "hcpc" or "plain"; stable, used in URLs and file names
    title: str
    regulator: Regulator | None
    rows: Callable[[Iterable[Entry]], Table]
    extras: tuple[Callable[[Iterable[Entry]], Table], ...] = field(default=())

    def tables(self, entries: Iterable[Entry]) -> tuple[Table, ...]:
        """Every table of the printable page: the main one first, then the extras."""
        entries = list(entries)
        return (self.rows(entries), *(extra(entries) for extra in self.extras))

    def filename(self, today: date) -> str:
        """A CSV file name such as ``cpd-record-nmc-2025-03-31.csv``."""
        return f"cpd-record-{self.key}-{today.isoformat()}.csv"


NMC_EXPORT = CpdExport("nmc", "NMC CPD record", Regulator.NMC, nmc_rows, (nmc_reflective_accounts,))
SWE_EXPORT = CpdExport("swe", "Social Work England CPD record", Regulator.SWE, swe_rows)
HCPC_EXPORT = CpdExport(
    "hcpc", "HCPC CPD record", Regulator.HCPC, hcpc_rows, (hcpc_profile_summary,)
)
PLAIN_EXPORT = CpdExport("plain", "CPD record", None, plain_rows)

_BY_REGULATOR = {
    Regulator.NMC: NMC_EXPORT,
    Regulator.SWE: SWE_EXPORT,
    Regulator.HCPC: HCPC_EXPORT,
}
EXPORTS: dict[str, CpdExport] = {
    x.key: x for x in (NMC_EXPORT, SWE_EXPORT, HCPC_EXPORT, PLAIN_EXPORT)
}


def export_for(profession_code: str | None) -> CpdExport:
    """The export for a profession's regulator; the plain one for anyone else or unknown codes."""
    profession = BY_CODE.get(profession_code) if profession_code else None
    if profession is None or profession.regulator is None:
        return PLAIN_EXPORT
    return _BY_REGULATOR.get(profession.regulator, PLAIN_EXPORT)


# CSV ------------------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection");
# tab and carriage return are on OWASP's list too.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The cell with a leading single quote if a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def to_csv(table: Table) -> str:
    """The table as CSV text: a header row, then its rows; with a BOM so Excel reads UTF-8.

    Encode the result as UTF-8 when sending it (the BOM is the text's first character).
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in table.headings])
    writer.writerows([safe_cell(c) for c in row.cells()] for row in table.rows)
    return "\ufeff" + out.getvalue()
