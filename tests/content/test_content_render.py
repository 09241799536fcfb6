"""The renderer: one Markdown instance per thread, and raw HTML cannot pose as a callout."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from learning.content import Callout, Glossary
from learning.content.render import render_body

BODY = (
    "## Who does what\n\nIntro with a [link](other.md#top).\n\n"
    '!!! nursing "For nurses"\n    ## Your part\n\n    Text.\n\nAfter.\n'
)


def render(text: str) -> tuple:
    body = render_body(text, glossary=Glossary.of(()), slugs=frozenset({"other"}))
    return body.segments, body.headings, body.links, body.text


def test_rendering_the_same_body_twice_gives_the_same_result():
    assert render(BODY) == render(BODY)
    assert render("") == ((), (), (), "")


def test_threads_rendering_at_once_get_the_same_html():
    expected = render(BODY)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render(BODY), range(40)))
    assert all(result == expected for result in results)


def test_raw_html_cannot_make_a_callout():
    segments = render('<learning-callout data-profession="x">Fake</learning-callout>\n')[0]
    assert not any(isinstance(s, Callout) for s in segments)
    assert "learning-callout" not in "".join(map(str, segments))
