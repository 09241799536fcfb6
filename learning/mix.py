"""The mix of a cohort: who is in it by profession, sector and stage, and the target it aims at.

Pure: no Flask, no database. The chart and its table alternative are drawn from the same rows
(:func:`mix_table_rows`), so they cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from types import MappingProxyType
from typing import Any

from markupsafe import Markup, escape

from .professions import BY_CODE, PROFESSIONS, Sector, Stage

#: Always shown in the chart and table, even at zero: the platform is built around them.
CORE_PROFESSIONS = ("social-work", "nursing", "occupational-therapy", "housing")


@dataclass(frozen=True, slots=True)
class MixTarget:
    """What a well-mixed cohort looks like; stored as JSON with the cohort."""

    min_professions: int = 3
    require_health_and_social_care: bool = True
    max_share: int = 50  # percent: no profession above it
    # Housing is one of the platform's four core professions; a trainer may switch this off.
    require_housing: bool = True

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            wanted = bool if f.name.startswith("require_") else int
            if type(value) is not wanted:
                raise ValueError(f"{f.name} must be a {wanted.__name__}, not {value!r}")
        if not 1 <= self.min_professions <= len(PROFESSIONS):
            raise ValueError(f"min_professions must be from 1 to {len(PROFESSIONS)}")
        if not 1 <= self.max_share <= 100:
            raise ValueError("max_share must be a percentage from 1 to 100")

    def to_dict(self) -> dict[str, Any]:
        """The target as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> MixTarget:
        """The target stored as :meth:`to_dict` made it; missing keys take the defaults."""
        data = dict(data or {})
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"Unknown mix target settings: {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Mix:
    """Counts of a cohort's learners by profession, sector and stage."""

    total: int
    #: Professions present, in the order of the controlled list.
    by_profession: Mapping[str, int]
    #: Every sector, zero or not.
    by_sector: Mapping[Sector, int]
    #: Every stage, zero or not.
    by_stage: Mapping[Stage, int]

    @property
    def professions(self) -> int:
        """How many different professions are present."""
        return len(self.by_profession)

    def count(self, code: str) -> int:
        """Learners of this profession (0 if none)."""
        return self.by_profession.get(code, 0)

    def share(self, code: str) -> float:
        """This profession's share of the cohort, in percent (0 for an empty cohort)."""
        return 100 * self.count(code) / self.total if self.total else 0.0

    @property
    def shares(self) -> dict[str, float]:
        """Each present profession's share of the cohort, in percent."""
        return {code: self.share(code) for code in self.by_profession}


@dataclass(frozen=True, slots=True)
class MixRow:
    """One profession's line in the chart and in the table alternative."""

    code: str
    label: str
    sector: Sector
    count: int
    percent: int  # rounded half up

    @property
    def sector_label(self) -> str:
        return self.sector.label


def mix_of(members: Iterable[tuple[str, str]]) -> Mix:
    """Count (profession code, stage) pairs; an unknown code or stage is a ValueError."""
    professions: Counter[str] = Counter()
    stages: Counter[Stage] = Counter()
    for code, stage in members:
        if code not in BY_CODE:
            raise ValueError(f"Unknown profession code: {code!r}")
        professions[code] += 1
        stages[Stage(stage)] += 1
    sectors = Counter({s: 0 for s in Sector})
    for code, n in professions.items():
        sectors[BY_CODE[code].sector] += n
    return Mix(
        total=professions.total(),
        by_profession=MappingProxyType(
            {p.code: professions[p.code] for p in PROFESSIONS if professions[p.code]}
        ),
        by_sector=MappingProxyType({s: sectors[s] for s in Sector}),
        by_stage=MappingProxyType({s: stages[s] for s in Stage}),
    )


def warnings(mix: Mix, target: MixTarget) -> list[str]:
    """Where the cohort misses its target, in plain English; empty when the target is met."""
    if not mix.total:
        return ["No learners yet"]
    found = []
    if mix.professions < target.min_professions:
        noun = "profession" if mix.professions == 1 else "professions"
        found.append(f"Only {mix.professions} {noun} (target: at least {target.min_professions})")
    if target.require_health_and_social_care:
        if not mix.by_sector[Sector.HEALTH]:
            found.append("No health learners")
        if not mix.by_sector[Sector.SOCIAL_CARE]:
            found.append("No social care learners")
    if target.require_housing and not mix.by_sector[Sector.HOUSING]:
        found.append("No housing learners")
    for code, n in mix.by_profession.items():
        if n * 100 > target.max_share * mix.total:
            found.append(
                f"{BY_CODE[code].label} is {_percent_above(n, mix.total, target.max_share)}% "
                f"of the cohort (target: no profession above {target.max_share}%)"
            )
    return found


def _percent_above(count: int, total: int, limit: int) -> str:
    """The share as the table shows it, unless that hides the excess: 50.4% is not "50%"."""
    rounded = _rounded_percent(count, total)
    if rounded > limit:
        return str(rounded)
    share = 100 * count / total
    for places in range(1, 4):
        text = f"{share:.{places}f}"
        if float(text) > limit:
            return text
    return f"{share:.4f}"


def _rounded_percent(count: int, total: int) -> int:
    return (200 * count + total) // (2 * total) if total else 0


def mix_table_rows(mix: Mix) -> tuple[MixRow, ...]:
    """The professions present plus the core four, in list order: the chart's data as rows."""
    shown = [p for p in PROFESSIONS if p.code in mix.by_profession or p.code in CORE_PROFESSIONS]
    return tuple(
        MixRow(
            p.code,
            p.label,
            p.sector,
            mix.count(p.code),
            _rounded_percent(mix.count(p.code), mix.total),
        )
        for p in shown
    )


# Each passes WCAG 1.4.11 against white (at least 6:1); the sector is also written under the label.
SECTOR_COLOURS = {
    Sector.HEALTH: "#005eb8",
    Sector.SOCIAL_CARE: "#7c2855",
    Sector.HOUSING: "#006747",
    Sector.OTHER: "#425563",
}
_TEXT = "#212b32"  # 14:1 on white
_SECONDARY_TEXT = "#4c6272"  # 6.4:1 on white
_WIDTH = 720
_LABEL_WIDTH = 300
_BAR_SPACE = 320
_ROW_HEIGHT = 48


def _learners(n: int) -> str:
    return f"{n} learner" if n == 1 else f"{n} learners"


def mix_description(mix: Mix, rows: Iterable[MixRow] | None = None) -> str:
    """A sentence or three giving the chart's numbers, for its <desc> and for screen readers."""
    rows = mix_table_rows(mix) if rows is None else rows
    professions = "; ".join(
        f"{r.label}: {r.count} ({r.percent}%), {r.sector_label.lower()}" for r in rows
    )
    sectors = ", ".join(f"{s.label.lower()} {n}" for s, n in mix.by_sector.items())
    stages = ", ".join(f"{s.label.lower()} {n}" for s, n in mix.by_stage.items())
    return (
        f"{_learners(mix.total)} in {mix.professions} "
        f"{'profession' if mix.professions == 1 else 'professions'}. {professions}. "
        f"By sector: {sectors}. By stage: {stages}."
    )


def mix_chart_svg(
    mix: Mix, *, title: str = "Learners by profession", chart_id: str = "mix-chart"
) -> Markup:
    """An accessible horizontal bar chart of learners by profession, drawn on the server."""
    rows = mix_table_rows(mix)
    largest = max((r.count for r in rows), default=0)
    height = len(rows) * _ROW_HEIGHT + 8
    ident = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'id="{ident}" class="mix-chart" font-family="Arial, Helvetica, sans-serif">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(mix_description(mix, rows))}</desc>',
    ]
    for i, row in enumerate(rows):
        top = i * _ROW_HEIGHT + 4
        width = round(_BAR_SPACE * row.count / largest) if largest else 0
        parts.append(
            f'<g class="mix-row" data-profession="{escape(row.code)}">'
            f'<text class="mix-label" x="0" y="{top + 18}" font-size="14" font-weight="bold" '
            f'fill="{_TEXT}">{escape(row.label)}</text>'
            f'<text class="mix-sector" x="0" y="{top + 36}" font-size="13" '
            f'fill="{_SECONDARY_TEXT}">{escape(row.sector_label)}</text>'
        )
        if width:
            parts.append(
                f'<rect x="{_LABEL_WIDTH}" y="{top + 6}" width="{width}" height="26" '
                f'fill="{SECTOR_COLOURS[row.sector]}"/>'
            )
        parts.append(
            f'<text class="mix-value" x="{_LABEL_WIDTH + width + 8}" y="{top + 25}" '
            f'font-size="15" fill="{_TEXT}">{row.count} ({row.percent}%)</text></g>'
        )
    # The axis the bars grow from, so a zero still has a visible place.
    parts.append(
        f'<line x1="{_LABEL_WIDTH}" y1="0" x2="{_LABEL_WIDTH}" y2="{height}" '
        f'stroke="{_SECONDARY_TEXT}" stroke-width="1"/></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
