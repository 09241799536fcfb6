"""Search over modules and glossary terms, ranked title > heading > body.

Every word of the query must appear somewhere in a result (as the start of a word, any case).
A word found in a title scores 100, in a heading 10, in the body 1, so a title match always
outranks a heading match, which outranks a body match. Queries that contain no words (empty,
only punctuation) return no results; long queries are cut to their first words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from .catalogue import Module
    from .glossary import Term

MAX_QUERY_CHARS = 200
MAX_WORDS = 8
SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 200
TITLE, HEADING, BODY = 100, 10, 1


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: a module (key = slug) or a glossary term (key = term id)."""

    kind: Literal["module", "term"]
    key: str
    title: str
    snippet: Markup
    score: int
    #: Where the best match was: "title", "heading" or "body".
    matched_in: str
    #: The anchor of the first matching heading, to link straight to it.
    anchor: str | None = None


def query_words(query: object) -> tuple[str, ...]:
    """The distinct words of a query, lower-cased, at most :data:`MAX_WORDS`."""
    if not isinstance(query, str):
        return ()
    # NFKC folds look-alikes such as full-width letters into the plain ones.
    text = unicodedata.normalize("NFKC", query[:MAX_QUERY_CHARS]).casefold()
    words = re.findall(r"\w+", text)
    return tuple(dict.fromkeys(words))[:MAX_WORDS]


def search(
    query: object, modules: Sequence[Module], terms: Iterable[Term], *, limit: int = 50
) -> list[SearchHit]:
    """Rank modules and glossary terms against ``query``; never raises for any string."""
    words = query_words(query)
    if not words:
        return []
    finders = [re.compile(r"(?<!\w)" + re.escape(word), re.IGNORECASE) for word in words]
    highlighter = re.compile("|".join(f"{f.pattern}\\w*" for f in finders), re.IGNORECASE)
    ranked: list[tuple[int, int, SearchHit]] = []

    for position, module in enumerate(modules):
        score, places, anchor = 0, [], None
        for finder in finders:
            if finder.search(module.title):
                score, place = score + TITLE, "title"
            elif heading := next((h for h in module.headings if finder.search(h.text)), None):
                score, place = score + HEADING, "heading"
                anchor = anchor or heading.id
            elif finder.search(module.text) or finder.search(module.summary):
                score, place = score + BODY, "body"
            else:
                break
            places.append(place)
        else:
            snippet = _snippet(module.text, finders, highlighter) or _highlight(
                module.summary, highlighter
            )
            best = min(places, key=("title", "heading", "body").index)
            hit = SearchHit("module", module.slug, module.title, snippet, score, best, anchor)
            ranked.append((-score, position, hit))

    for position, term in enumerate(terms, start=len(modules)):
        names = " ".join((term.term, *term.aliases, *term.abbreviations))
        score, places = 0, []
        for finder in finders:
            if finder.search(names):
                score, place = score + TITLE, "title"
            elif finder.search(term.definition):
                score, place = score + BODY, "body"
            else:
                break
            places.append(place)
        else:
            snippet = _highlight(term.definition, highlighter)
            best = "title" if "title" in places else "body"
            ranked.append(
                (-score, position, SearchHit("term", term.id, term.term, snippet, score, best))
            )

    ranked.sort(key=lambda item: item[:2])
    return [hit for _, _, hit in ranked[:limit]]


def _snippet(text: str, finders: list[re.Pattern[str]], highlighter: re.Pattern[str]) -> Markup:
    """A window of ``text`` around the first match, with every match in ``<mark>``."""
    starts = [m.start() for f in finders if (m := f.search(text))]
    if not starts:
        return Markup("")
    first = min(starts)
    start = max(0, first - SNIPPET_BEFORE)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + SNIPPET_LENGTH)
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    window = _highlight(text[start:end], highlighter)
    return Markup("{}{}{}").format("… " if start else "", window, " …" if end < len(text) else "")


def _highlight(text: str, highlighter: re.Pattern[str]) -> Markup:
    """``text`` escaped, with each match of ``highlighter`` wrapped in ``<mark>``."""
    pieces: list[Markup] = []
    position = 0
    for match in highlighter.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(Markup("<mark>{}</mark>").format(match.group()))
        position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)
