"""The real curriculum in modules/ meets the editorial standard (issue #5)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from learning import PROJECT_ROOT
from learning.content import load_catalogue
from learning.curriculum import check

CURRICULUM = (
    "introduction",
    "social-work",
    "nursing",
    "occupational-therapy",
    "housing",
    "codes-compared",
    "partnership-working",
    "law-and-policy",
    "mental-capacity",
    "safeguarding-adults",
    "safeguarding-children",
    "hospital-discharge",
    "information-sharing",
    "communication",
)
FOUR = ("nursing", "social-work", "occupational-therapy", "housing")
PROFESSION_MODULES = {"social-work", "nursing", "occupational-therapy", "housing"}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(PROJECT_ROOT)


def body_words(slug: str) -> int:
    text = (PROJECT_ROOT / "modules" / f"{slug}.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    body = re.sub(r"^!!! .*$", "", body, flags=re.M)  # callout openers are not prose
    return len(re.findall(r"[A-Za-z0-9][\w'’-]*", body))


def test_the_real_content_passes_the_checker():
    result = check(PROJECT_ROOT, today=date.today())
    assert [str(p) for p in result.problems] == []


def test_all_fourteen_modules_exist_in_catalogue_order(catalogue):
    assert [m.slug for m in catalogue.modules] == list(CURRICULUM)


@pytest.mark.parametrize("slug", CURRICULUM)
def test_each_module_meets_the_editorial_standard(catalogue, slug):
    module = catalogue.get(slug)
    assert len(module.outcomes) >= 3
    assert len(module.references) >= 3
    assert all(ref.title for ref in module.references)
    words = body_words(slug)
    assert 15 <= module.minutes <= 30
    assert abs(module.minutes - words / 200) <= 0.5 * (words / 200), (module.minutes, words)
    assert module.body_for(None)  # renders


@pytest.mark.parametrize("slug", sorted(PROFESSION_MODULES))
def test_profession_modules_speak_to_the_other_three_professions(catalogue, slug):
    module = catalogue.get(slug)
    callouts = {c.profession for c in module.callouts}
    assert set(FOUR) - {slug} <= callouts


def test_the_glossary_has_the_terms_that_trip_people_up(catalogue):
    glossary = catalogue.glossary
    assert len(glossary.terms) >= 50
    abbreviations = {a for t in glossary.terms for a in t.abbreviations}
    for needed in (
        "MDT",
        "D2A",
        "CHC",
        "DST",
        "FNC",
        "SAB",
        "SAR",
        "MSP",
        "AMHP",
        "DoLS",
        "IMCA",
        "LPA",
        "DNACPR",
        "DFG",
        "PHP",
        "HRA",
        "NFA",
        "CMHT",
        "ICB",
        "BCF",
    ):
        assert needed in abbreviations, needed
    assert len(glossary.by_abbreviation("HRA")) == 2
    assert len(glossary.by_abbreviation("NFA")) == 2


def test_every_module_marks_glossary_terms(catalogue):
    unmarked = [m.slug for m in catalogue.modules if not m.glossary_ids]
    assert unmarked == []
