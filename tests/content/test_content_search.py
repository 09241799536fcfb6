"""Search: titles outrank headings, which outrank body text; odd queries never fail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def modules(hits):
    return [(hit.key, hit.matched_in) for hit in hits if hit.kind == "module"]


def test_title_match_outranks_heading_match_which_outranks_body_match(catalogue):
    assert modules(catalogue.search("discharge")) == [
        ("hospital-discharge", "title"),
        ("safeguarding-adults", "heading"),
        ("roles-and-values", "body"),
    ]


def test_heading_match_links_to_the_heading(catalogue):
    (hit,) = [h for h in catalogue.search("discharge") if h.key == "safeguarding-adults"]
    assert hit.anchor == "safeguarding-after-discharge"


def test_every_word_of_the_query_must_match(catalogue):
    assert modules(catalogue.search("discharge neglect")) == [("safeguarding-adults", "heading")]
    assert catalogue.search("discharge zebra") == []


def test_words_match_at_the_start_of_words_in_any_case(catalogue):
    assert modules(catalogue.search("NEGLEC")) == [("safeguarding-adults", "heading")]


def test_snippet_highlights_matches_and_escapes_text(catalogue):
    (hit,) = [h for h in catalogue.search("risk") if h.kind == "module"]
    assert "<mark>risk</mark> &amp; who else" in hit.snippet


def test_glossary_terms_are_found_by_name_abbreviation_and_definition(catalogue):
    terms = [(h.key, h.matched_in) for h in catalogue.search("hra") if h.kind == "term"]
    assert terms == [("homelessness-reduction-act", "title"), ("human-rights-act", "title")]
    (hit,) = [h for h in catalogue.search("convention") if h.kind == "term"]
    assert hit.key == "human-rights-act"
    assert "<mark>Convention</mark>" in hit.snippet


@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!", "?*+[(", "\x00", None, 42, "\u200b", "-- OR 1=1 --"],
)
def test_queries_without_words_return_nothing(catalogue, query):
    assert catalogue.search(query) == []


def test_html_in_a_query_is_never_echoed_unescaped(catalogue):
    for hit in catalogue.search("<script>discharge</script>"):
        assert "<script" not in hit.snippet


def test_very_long_query_is_cut_short_not_rejected(catalogue):
    assert catalogue.search("discharge " + "x" * 100_000) == []
    assert catalogue.search("discharge " * 10_000)[0].key == "hospital-discharge"


def test_unicode_query_is_searched_like_any_other(catalogue):
    assert catalogue.search("Ünïcödé ÿ 中文") == []
    assert catalogue.search("ＤＩＳＣＨＡＲＧＥ")[0].key == "hospital-discharge"


@settings(max_examples=200, deadline=None)
@given(query=st.text(max_size=300))
def test_search_never_raises_for_any_text(catalogue, query):
    for hit in catalogue.search(query):
        assert hit.score > 0
