"""The cohort mix: counts, warnings against the target, and a chart that agrees with its table."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from learning.mix import (
    CORE_PROFESSIONS,
    Mix,
    MixRow,
    MixTarget,
    mix_chart_svg,
    mix_of,
    mix_table_rows,
    warnings,
)
from learning.professions import Sector, Stage

SVG = "{http://www.w3.org/2000/svg}"


def cohort(**counts: int) -> Mix:
    """A cohort of qualified learners, e.g. cohort(nursing=3, social_work=2)."""
    return mix_of(
        (code.replace("_", "-"), "qualified") for code, n in counts.items() for _ in range(n)
    )


WELL_MIXED = dict(nursing=3, social_work=3, occupational_therapy=2, housing=2)


def test_counts_by_profession_sector_and_stage():
    mix = mix_of(
        [
            ("nursing", "qualified"),
            ("nursing", "student"),
            ("social-work", Stage.STUDENT),
            ("housing", "qualified"),
            ("social-care", "qualified"),
        ]
    )
    assert mix.total == 5
    assert dict(mix.by_profession) == {
        "social-work": 1,
        "nursing": 2,
        "housing": 1,
        "social-care": 1,
    }
    assert mix.professions == 4
    assert dict(mix.by_sector) == {
        Sector.HEALTH: 2,
        Sector.SOCIAL_CARE: 2,
        Sector.HOUSING: 1,
        Sector.OTHER: 0,
    }
    assert dict(mix.by_stage) == {Stage.STUDENT: 2, Stage.QUALIFIED: 3}
    assert mix.count("nursing") == 2
    assert mix.count("medicine") == 0
    assert mix.share("nursing") == 40.0
    assert mix.shares == {
        "social-work": 20.0,
        "nursing": 40.0,
        "housing": 20.0,
        "social-care": 20.0,
    }


def test_an_empty_cohort():
    mix = mix_of([])
    assert (mix.total, mix.professions, mix.share("nursing")) == (0, 0, 0.0)
    assert set(mix.by_sector.values()) == {0}
    assert warnings(mix, MixTarget()) == ["No learners yet"]


def test_unknown_professions_and_stages_are_refused():
    with pytest.raises(ValueError, match="astrology"):
        mix_of([("astrology", "qualified")])
    with pytest.raises(ValueError):
        mix_of([("nursing", "retired")])


def test_the_mix_cannot_be_changed_after_counting():
    mix = cohort(nursing=1)
    with pytest.raises(TypeError):
        mix.by_profession["nursing"] = 5  # type: ignore[index]


def test_a_well_mixed_cohort_meets_the_target():
    assert warnings(cohort(**WELL_MIXED), MixTarget()) == []


def test_too_few_professions():
    mix = cohort(nursing=2, social_work=2)
    target = MixTarget(require_housing=False)
    assert warnings(mix, target) == ["Only 2 professions (target: at least 3)"]
    assert warnings(cohort(nursing=1), MixTarget(max_share=100, require_housing=False))[0] == (
        "Only 1 profession (target: at least 3)"
    )


def test_no_housing_learners():
    mix = cohort(nursing=2, social_work=2, occupational_therapy=2)
    assert warnings(mix, MixTarget()) == ["No housing learners"]
    assert warnings(mix, MixTarget(require_housing=False)) == []


def test_no_social_care_learners():
    mix = cohort(nursing=2, occupational_therapy=2, housing=2)
    assert warnings(mix, MixTarget()) == ["No social care learners"]
    assert warnings(mix, MixTarget(require_health_and_social_care=False)) == []


def test_no_health_learners():
    mix = cohort(social_work=2, social_care=2, housing=2)
    assert warnings(mix, MixTarget()) == ["No health learners"]


def test_a_profession_above_its_share():
    # The example: 15 nurses of 24 is 62.5%, shown as the table rounds it.
    mix = cohort(nursing=15, social_work=5, housing=4)
    assert warnings(mix, MixTarget()) == [
        "Nursing is 63% of the cohort (target: no profession above 50%)"
    ]
    assert warnings(mix, MixTarget(max_share=70)) == []


def test_exactly_the_maximum_share_is_allowed():
    assert warnings(cohort(nursing=5, social_work=3, housing=2), MixTarget()) == []


def test_a_share_just_above_the_maximum_does_not_read_as_the_maximum():
    mix = cohort(nursing=126, social_work=100, housing=24)  # 50.4%
    assert warnings(mix, MixTarget()) == [
        "Nursing is 50.4% of the cohort (target: no profession above 50%)"
    ]


def test_a_nursing_heavy_ward_cohort_gets_every_warning_it_earns():
    mix = cohort(nursing=8, medicine=1)
    assert warnings(mix, MixTarget()) == [
        "Only 2 professions (target: at least 3)",
        "No social care learners",
        "No housing learners",
        "Nursing is 89% of the cohort (target: no profession above 50%)",
    ]


def test_the_target_round_trips_through_json_data():
    target = MixTarget(min_professions=4, require_health_and_social_care=False, max_share=40)
    data = target.to_dict()
    assert data == {
        "min_professions": 4,
        "require_health_and_social_care": False,
        "max_share": 40,
        "require_housing": True,
    }
    assert MixTarget.from_dict(data) == target
    assert MixTarget.from_dict({}) == MixTarget() == MixTarget.from_dict(None)
    assert MixTarget.from_dict({"max_share": 60}) == MixTarget(max_share=60)


@pytest.mark.parametrize(
    "data",
    [
        {"min_professions": 0},
        {"min_professions": 99},
        {"min_professions": "3"},
        {"min_professions": True},
        {"max_share": 0},
        {"max_share": 101},
        {"max_share": 50.5},
        {"require_housing": "yes"},
        {"maximum_share": 50},
    ],
)
def test_a_malformed_target_is_refused(data):
    with pytest.raises(ValueError):
        MixTarget.from_dict(data)


def test_table_rows_show_present_professions_and_the_core_four():
    rows = mix_table_rows(cohort(nursing=15, medicine=4, social_work=5))
    assert rows == (
        MixRow("social-work", "Social work", Sector.SOCIAL_CARE, 5, 21),
        MixRow("nursing", "Nursing", Sector.HEALTH, 15, 63),
        MixRow("occupational-therapy", "Occupational therapy", Sector.HEALTH, 0, 0),
        MixRow("housing", "Housing", Sector.HOUSING, 0, 0),
        MixRow("medicine", "Medicine", Sector.HEALTH, 4, 17),
    )
    assert rows[0].sector_label == "Social care"
    assert [r.code for r in mix_table_rows(mix_of([]))] == list(CORE_PROFESSIONS)


def chart_rows(svg: Markup) -> list[tuple[str, str, str, str]]:
    # Our own output, parsed to read it back; nothing untrusted reaches the parser.
    root = ET.fromstring(str(svg))  # noqa: S314
    found = []
    for group in root.iter(f"{SVG}g"):
        texts = {t.get("class"): t.text for t in group.iter(f"{SVG}text")}
        found.append(
            (
                group.get("data-profession"),
                texts["mix-label"],
                texts["mix-sector"],
                texts["mix-value"],
            )
        )
    return found


def test_the_chart_and_the_table_show_the_same_numbers():
    mix = cohort(nursing=15, medicine=4, social_work=5, social_care=1)
    assert chart_rows(mix_chart_svg(mix)) == [
        (r.code, r.label, r.sector_label, f"{r.count} ({r.percent}%)") for r in mix_table_rows(mix)
    ]


def test_the_chart_is_an_accessible_image_with_a_title_and_description():
    svg = str(mix_chart_svg(cohort(nursing=15, social_work=5, housing=4), chart_id="ward-7"))
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "ward-7-title ward-7-desc"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
    assert root.find(f"{SVG}title").get("id") == "ward-7-title"
    assert root.find(f"{SVG}title").text == "Learners by profession"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == "ward-7-desc"
    assert desc.text.startswith("24 learners in 3 professions. Social work: 5 (21%), social care;")
    assert "Nursing: 15 (63%), health" in desc.text
    assert "Occupational therapy: 0 (0%), health" in desc.text
    assert "By sector: health 15, social care 5, housing 4, other 0." in desc.text
    assert "<script" not in svg and "onload" not in svg


def test_the_chart_shows_every_label_and_value_as_text():
    svg = mix_chart_svg(cohort(nursing=2, physiotherapy=1))
    for text in [
        "Nursing",
        "Physiotherapy",
        "Social work",
        "Housing",
        "2 (67%)",
        "1 (33%)",
        "0 (0%)",
    ]:
        assert f">{text}<" in svg
    assert ">Health<" in svg and ">Social care<" in svg


def test_bars_are_as_long_as_their_counts():
    root = ET.fromstring(str(mix_chart_svg(cohort(nursing=4, social_work=2, housing=1))))  # noqa: S314
    widths = [int(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths == [
        widths[1] // 2,
        widths[1],
        round(widths[1] / 4),
    ]  # social work, nursing, housing


def test_text_in_the_chart_is_escaped():
    svg = mix_chart_svg(cohort(nursing=1), title='Ward <7> & "friends"', chart_id='x"><script>')
    assert isinstance(svg, Markup)
    assert "<script>" not in svg
    assert "Ward &lt;7&gt; &amp; &#34;friends&#34;" in svg
    ET.fromstring(str(svg))  # noqa: S314 - still well-formed
