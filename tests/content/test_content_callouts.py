"""Profession callouts: checked with line numbers, rendered once, highlighted per reader."""

from __future__ import annotations

from learning.content import Callout, load_catalogue


def test_callouts_become_segments_with_profession_title_and_html(catalogue):
    nursing, social_work = catalogue.module("roles-and-values").callouts
    assert (nursing.profession, nursing.title) == ("nursing", "Nurses in the team")
    assert "You often coordinate the discharge." in nursing.html
    assert (social_work.profession, social_work.title) == ("social-work", "For social workers")
    assert social_work.label == "Social work"


def test_readers_own_callout_is_open_and_labelled_your_profession(catalogue):
    body = catalogue.module("roles-and-values").body_for("nursing")
    assert (
        '<details class="callout callout--yours" data-profession="nursing" open>'
        '<summary class="callout__summary"><strong class="callout__tag">Your profession</strong>'
        ' <span class="callout__for">For nurses:</span>'
        ' <span class="callout__title">Nurses in the team</span></summary>'
    ) in body
    assert body.count("Your profession") == 1


def test_a_callout_with_its_own_title_says_whom_it_is_for_and_the_default_title_once(catalogue):
    body = catalogue.module("roles-and-values").body_for(None)
    assert '<span class="callout__for">For nurses:</span>' in body
    assert (
        '<summary class="callout__summary"><span class="callout__title">For social workers</span>'
    ) in body


def test_other_professions_callouts_are_collapsed_details(catalogue):
    body = catalogue.module("roles-and-values").body_for("nursing")
    assert '<details class="callout" data-profession="social-work"><summary' in body
    assert body.count(" open>") == 1


def test_switching_lens_shows_what_another_profession_is_told(catalogue):
    body = catalogue.module("roles-and-values").body_for("social-work")
    assert 'callout--yours" data-profession="social-work" open>' in body
    assert '<details class="callout" data-profession="nursing">' in body


def test_no_lens_or_a_lens_without_a_callout_collapses_every_callout(catalogue):
    module = catalogue.module("roles-and-values")
    for lens in (None, "pharmacy", "not-a-profession"):
        body = module.body_for(lens)
        assert "Your profession" not in body and " open>" not in body
        assert body.count('<details class="callout"') == 2


def test_text_around_callouts_stays_in_page_order(catalogue):
    body = catalogue.module("roles-and-values").body_for(None)
    order = ["Shared values", 'data-profession="nursing"', 'data-profession="social-work"',
             "Working together"]  # fmt: skip
    positions = [body.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_callout_title_is_escaped(course, front, add_module):
    add_module(course, "test-module", front + '!!! nursing "Nurses <b>& midwives</b>"\n    Hi.\n')
    module = load_catalogue(course).module("test-module")
    assert "Nurses &lt;b&gt;&amp; midwives&lt;/b&gt;" in module.body_for("nursing")


def test_unclosed_html_in_a_callout_cannot_swallow_the_rest_of_the_page(course, front, add_module):
    body = "!!! nursing\n    <div><b>Unclosed tags\n\nAfter the callout.</div></div>\n"
    add_module(course, "test-module", front + body)
    module = load_catalogue(course).module("test-module")
    callout, after = module.segments
    assert isinstance(callout, Callout)
    assert "After the callout" not in callout.html
    assert after == "<p>After the callout.</p>"


def test_unknown_profession_in_callout_names_file_and_line(
    course, front, body_line, add_module, problems
):
    add_module(course, "test-module", front + "Intro.\n\n!!! nurses\n    Text.\n")
    assert problems(course) == [
        f'modules/test-module.md:{body_line + 2}: unknown profession "nurses"'
        ' (did you mean "nursing"?) in callout'
    ]


def test_empty_callout_names_file_and_line(course, front, body_line, add_module, problems):
    add_module(course, "test-module", front + "!!! housing\n\nNot indented.\n")
    assert problems(course) == [
        f'modules/test-module.md:{body_line}: the callout for "housing" is empty: indent its'
        " text by four spaces on the lines under !!!"
    ]


def test_callout_title_without_closing_quote_names_file_and_line(
    course, front, body_line, add_module, problems
):
    add_module(course, "test-module", front + 'Intro.\n\n!!! nursing "For nurses\n    Text.\n')
    assert problems(course) == [
        f"modules/test-module.md:{body_line + 2}: the callout title has no closing quote:"
        ' write !!! nursing "For nurses"'
    ]


def test_callout_without_a_profession_names_file_and_line(
    course, front, body_line, add_module, problems
):
    add_module(course, "test-module", front + "!!!\n    Text.\n")
    assert problems(course) == [
        f"modules/test-module.md:{body_line}: a callout needs a profession after !!!,"
        " e.g. !!! nursing"
    ]


def test_nested_or_indented_callout_names_file_and_line(
    course, front, body_line, add_module, problems
):
    body = "!!! nursing\n    Text.\n\n    !!! housing\n        Inner.\n"
    add_module(course, "test-module", front + body)
    (found,) = problems(course)
    assert found.startswith(
        f"modules/test-module.md:{body_line + 3}: a callout must start at the very beginning"
    )


def test_callout_syntax_inside_a_code_block_is_just_code(course, front, add_module):
    body = "```\n!!! not-a-profession\n```\n"
    add_module(course, "test-module", front + body)
    module = load_catalogue(course).module("test-module")
    assert "!!! not-a-profession" in module.body_for(None)
    assert module.callouts == ()


def test_unclosed_code_block_names_the_line_where_it_opens(
    course, front, body_line, add_module, problems
):
    add_module(course, "test-module", front + "Intro.\n\n```\ncode that never ends\n")
    assert problems(course) == [
        f"modules/test-module.md:{body_line + 2}: the code block opened with ``` is never closed"
    ]
