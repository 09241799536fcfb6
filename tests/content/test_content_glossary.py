"""The glossary file, and the marking of its terms on module pages."""

from __future__ import annotations

import pytest

from learning.content import Glossary, Term, load_catalogue
from learning.content.render import render_body


def render(text: str, glossary: Glossary) -> str:
    return "".join(map(str, render_body(text, glossary=glossary, slugs=frozenset()).segments))


GLOSSARY = Glossary.of(
    [
        Term("discharge-to-assess", "discharge to assess", "Home first.", abbreviations=("D2A",)),
        Term("quote", "Quoted thing", 'A "quoted" <definition> & more.'),
    ]
)


def test_glossary_loads_terms_sorted_with_lookups(catalogue):
    glossary = catalogue.glossary
    assert len(glossary) == 6
    assert glossary.terms[0].id == "care-act"
    assert glossary["mental-capacity-act"].aliases == ("Mental Capacity Act",)
    assert glossary.get("nope") is None
    safeguarding = glossary["safeguarding"]
    assert safeguarding.meaning_for("nursing").startswith("Also covers the duty")
    assert safeguarding.meaning_for("housing") is None


def test_ambiguous_abbreviation_has_every_meaning(catalogue):
    meanings = catalogue.glossary.by_abbreviation("HRA")
    assert [t.id for t in meanings] == ["homelessness-reduction-act", "human-rights-act"]
    assert set(catalogue.glossary.ambiguous) == {"HRA"}


def test_glossary_filters_by_sector(catalogue):
    housing = {t.id for t in catalogue.glossary.for_sector("housing")}
    assert "homelessness-reduction-act" in housing and "human-rights-act" in housing
    assert "care-act" not in housing


def test_first_occurrence_of_a_term_is_marked_and_later_ones_are_not(catalogue):
    body = catalogue.module("roles-and-values").body_for(None)
    assert body.count('href="/glossary#care-act"') == 1
    assert '<dfn title="The law that sets out councils&#x27; duties' in body
    assert ">Care Act 2014</dfn></a> and the Care Act guidance." in body


def test_an_abbreviation_counts_as_an_occurrence_of_its_term(catalogue):
    body = catalogue.module("hospital-discharge").body_for(None)
    assert '<abbr title="discharge to assess: Leaving hospital' in body
    assert body.count('href="/glossary#discharge-to-assess"') == 1
    assert "(discharge to assess)" in body


def test_terms_are_never_marked_in_headings_code_or_links(catalogue):
    body = catalogue.module("hospital-discharge").body_for(None)
    assert '<h2 id="what-d2a-means">What D2A means</h2>' in body
    assert "<pre><code>D2A in code is never marked" in body
    assert '2005/9">the Mental Capacity Act</a>' in body
    assert '<a class="glossary-term" href="/glossary#mental-capacity-act"><abbr' in body


def test_ambiguous_abbreviation_on_a_page_shows_every_meaning(catalogue):
    body = catalogue.module("hospital-discharge").body_for(None)
    assert body.count("glossary-term--ambiguous") == 1
    assert (
        '<abbr title="HRA has more than one meaning. Homelessness Reduction Act 2017: The law'
        " that gives councils a duty to prevent and relieve homelessness. Or: Human Rights Act"
        ' 1998: The law that makes the European Convention on Human Rights part of UK law.">'
        "HRA</abbr>"
    ) in body
    assert catalogue.module("hospital-discharge").glossary_ids[:3] == (
        "discharge-to-assess",
        "homelessness-reduction-act",
        "human-rights-act",
    )


def test_a_term_is_marked_once_per_page_even_across_callouts(catalogue):
    module = catalogue.module("roles-and-values")
    assert module.glossary_ids == ("care-act", "safeguarding")
    assert "Care Act" in module.callouts[1].html
    assert "glossary-term" not in module.callouts[1].html


def test_terms_match_any_case_but_abbreviations_only_exact_case():
    assert 'href="/glossary#discharge-to-assess"><dfn' in render("DISCHARGE TO ASSESS.", GLOSSARY)
    assert "glossary-term" not in render("The d2a team.", GLOSSARY)


def test_terms_match_whole_words_only():
    assert "glossary-term" not in render("D2As and XD2A and D2A2.", GLOSSARY)


def test_a_term_split_over_two_lines_is_still_found():
    assert "<dfn" in render("We discharge\nto assess.", GLOSSARY)


def test_definition_in_the_title_is_escaped():
    html = render("A Quoted thing.", GLOSSARY)
    assert 'title="A &quot;quoted&quot; &lt;definition&gt; &amp; more."' in html


def test_glossary_url_is_a_parameter():
    segments = render_body(
        "D2A.", glossary=GLOSSARY, slugs=frozenset(), glossary_url="/learn/glossary"
    ).segments
    assert 'href="/learn/glossary#discharge-to-assess"' in segments[0]


def test_duplicate_glossary_id_and_term_are_reported_with_lines(course, problems):
    path = course / "modules" / "glossary.yaml"
    path.write_text(
        path.read_text()
        + "\n- id: care-act\n  term: Another\n  definition: D.\n  sectors: [all]\n"
        + "\n- id: care-act-again\n  term: care act 2014\n  definition: D.\n  sectors: [all]\n"
    )
    assert problems(course) == [
        'modules/glossary.yaml:44: duplicate glossary id "care-act" (first used at line 31)',
        'modules/glossary.yaml:49: duplicate glossary term "care act 2014": already used by'
        ' "care-act" at line 31',
    ]


def test_glossary_mistakes_are_reported_with_lines(course, problems):
    (course / "modules" / "glossary.yaml").write_text(
        "- id: one\n"  # 1
        "  term: One\n"  # 2
        "  sectors: [health, hospitals]\n"  # 3
        "  meanings:\n"  # 4
        "    nurses: Something else.\n"  # 5
        "  colour: blue\n"  # 6
        "- id: Two Words\n"  # 7
        "  term: Two\n"  # 8
        "  definition: Fine.\n"  # 9
        "  sectors: all\n"  # 10
    )
    assert problems(course) == [
        'modules/glossary.yaml:1: glossary entry is missing "definition"',
        'modules/glossary.yaml:3: unknown sector "hospitals"'
        " (use one of: all, health, social-care, housing)",
        'modules/glossary.yaml:5: unknown profession "nurses" (did you mean "nursing"?)',
        'modules/glossary.yaml:6: unknown glossary key "colour" (use one of: id, term, aliases,'
        " abbreviations, definition, sectors, meanings)",
        'modules/glossary.yaml:7: glossary id "Two Words" must be lower-case letters, digits and'
        " hyphens, e.g. discharge-to-assess",
    ]


def test_glossary_that_is_not_yaml_names_the_line(course, problems):
    (course / "modules" / "glossary.yaml").write_text("- id: one\n  term: [unclosed\n")
    (found,) = problems(course)
    assert found.startswith("modules/glossary.yaml:2: the list in [ ] that starts here is not")


def test_course_without_a_glossary_loads_with_an_empty_one(course):
    (course / "modules" / "glossary.yaml").unlink()
    catalogue = load_catalogue(course)
    assert len(catalogue.glossary) == 0
    assert "glossary-term" not in catalogue.module("hospital-discharge").body_for(None)


def test_glossary_terms_marked_in_a_new_module(course, front, add_module):
    add_module(course, "test-module", front + "The MCA and the HRA.\n")
    module = load_catalogue(course).module("test-module")
    assert module.glossary_ids == (
        "mental-capacity-act",
        "homelessness-reduction-act",
        "human-rights-act",
    )


@pytest.mark.parametrize("text", ["", "# every term was removed\n", "[]\n"])
def test_a_glossary_with_no_terms_is_a_problem(course, problems, text):
    (course / "modules" / "glossary.yaml").write_text(text)
    assert problems(course) == [
        "modules/glossary.yaml:1: the glossary has no terms: start each term with '- id:'"
        " (docs/authoring.md shows one), or delete the file if the modules need no glossary"
    ]
