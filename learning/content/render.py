"""Turn a module's Markdown body into ready HTML: the only place Markdown runs.

The pipeline, run once per file version at load time:

1. Python-Markdown (tables, fenced code, definition lists, heading ids from ``toc``, and the
   profession callouts below) produces HTML in which each callout is wrapped in a private
   ``<learning-callout>`` element.
2. That HTML is cut at the callout elements (found with the standard HTML parser) into plain
   segments and callout segments, and each segment is sanitised by nh3 on its own: an author's
   unclosed ``<div>`` or stray ``</div>`` is closed or dropped inside its own segment and cannot
   swallow or break the page around it.
3. Each sanitised segment is parsed into a small element tree, on which internal links are
   checked and rewritten, glossary terms are marked (first occurrence on the page only) and
   headings and plain text are collected for the table of contents and search.

:func:`render_body` is looked up through this module by the loader, so a test can replace it
(``monkeypatch.setattr(render, "render_body", ...)``) and prove that pages never call it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urlsplit
from xml.etree import ElementTree as etree

import markdown
import nh3
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markupsafe import Markup

from learning.professions import BY_CODE

from . import htmltree
from .glossary import Glossary

CALLOUT_TAG = "learning-callout"
#: A callout line as the Markdown parser reads it; the loader checks the line more strictly.
CALLOUT_LINE = re.compile(r'(?:^|\n)!!![ \t]+([A-Za-z0-9_-]+)(?:[ \t]+"([^"\n]*)")?[ \t]*(?:\n|$)')
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
ALLOWED_TAGS = frozenset(
    {
        *_HEADINGS,
        *"p br hr strong em b i u s del ins sub sup mark small blockquote".split(),
        *"ul ol li dl dt dd code pre kbd samp var a img table thead tbody tfoot tr th td".split(),
        *"caption abbr dfn cite q span div figure figcaption details summary".split(),
    }
)
ALLOWED_ATTRIBUTES = {
    **{h: {"id"} for h in _HEADINGS},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "dfn": {"title"},
    "code": {"class"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "details": {"open"},
}


@dataclass(frozen=True, slots=True)
class Callout:
    """A block of the page written for one profession."""

    profession: str
    title: str
    html: Markup

    @property
    def label(self) -> str:
        """The profession's name, e.g. "Nursing"."""
        found = BY_CODE.get(self.profession)
        return found.label if found else self.profession

    def render(self, *, yours: bool) -> Markup:
        """The callout as a ``<details>`` block: open and labelled when it is the reader's."""
        if yours:
            return Markup(
                '<details class="callout callout--yours" data-profession="{code}" open>'
                '<summary class="callout__summary"><strong class="callout__tag">'
                'Your profession</strong> <span class="callout__title">{title}</span></summary>'
                '<div class="callout__body">{html}</div></details>\n'
            ).format(code=self.profession, title=self.title, html=self.html)
        return Markup(
            '<details class="callout" data-profession="{code}">'
            '<summary class="callout__summary"><span class="callout__title">{title}</span>'
            '</summary><div class="callout__body">{html}</div></details>\n'
        ).format(code=self.profession, title=self.title, html=self.html)


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading on a module page: level 1-6, its anchor id and its text."""

    level: int
    id: str
    text: str
    in_callout: bool = False


@dataclass(frozen=True, slots=True)
class ModuleLink:
    """A link from a module to a module (``slug``) or to an anchor on the same page."""

    href: str
    slug: str | None  # None: an anchor on the same page
    fragment: str
    known: bool


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """Everything the catalogue keeps from one rendering of a module body."""

    segments: tuple[Markup | Callout, ...]
    headings: tuple[Heading, ...]
    links: tuple[ModuleLink, ...]
    text: str
    glossary_ids: tuple[str, ...]


def default_title(profession: str) -> str:
    """The callout title used when the author gives none, e.g. "For nurses"."""
    found = BY_CODE.get(profession)
    return f"For {found.plural}" if found else f"For {profession}"


def lens_bodies(segments: tuple[Markup | Callout, ...]) -> dict[str | None, Markup]:
    """The segments joined once per lens: no lens, and each profession that has a callout."""
    lenses = {s.profession for s in segments if isinstance(s, Callout)}
    return {
        lens: Markup("").join(
            s.render(yours=s.profession == lens) if isinstance(s, Callout) else s for s in segments
        )
        for lens in (None, *sorted(lenses))
    }


class _CalloutProcessor(BlockProcessor):
    """``!!! nursing "Title"`` followed by indented text, at the left margin only."""

    def test(self, parent: etree.Element, block: str) -> bool:
        if parent is not self.parser.root:
            return False
        return bool(CALLOUT_LINE.search(block)) or self._open_callout(parent, block) is not None

    def _open_callout(self, parent: etree.Element, block: str) -> etree.Element | None:
        last = self.lastChild(parent)
        if last is not None and last.tag == CALLOUT_TAG and block.startswith(" " * 4):
            return last
        return None

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        match = CALLOUT_LINE.search(block)
        if match:
            if match.start() > 0:
                self.parser.parseBlocks(parent, [block[: match.start()]])
            code = match.group(1)
            title = match.group(2) or default_title(code)
            callout = etree.SubElement(
                parent, CALLOUT_TAG, {"data-profession": code, "data-title": title}
            )
            block, rest = self.detab(block[match.end() :])
        else:
            callout = self._open_callout(parent, block)
            block, rest = self.detab(block)
        self.parser.parseChunk(callout, block)
        if rest:
            blocks.insert(0, rest)


class _CalloutExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.parser.blockprocessors.register(_CalloutProcessor(md.parser), "callout", 105)


class _CalloutCutter(HTMLParser):
    """Finds the offsets of the top-level ``<learning-callout>`` elements in HTML."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0]
        self.line_starts += [m.end() for m in re.finditer("\n", html)]
        self.depth = 0
        self.found: list[tuple[int, int, int, int, dict[str, str | None]]] = []
        self._open: tuple[int, int, dict[str, str | None]] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != CALLOUT_TAG:
            return
        self.depth += 1
        if self.depth == 1:
            start = self._offset()
            self._open = (start, start + len(self.get_starttag_text() or ""), dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag != CALLOUT_TAG or not self.depth:
            return
        self.depth -= 1
        if self.depth == 0 and self._open is not None:
            start, inner_start, attrs = self._open
            inner_end = self._offset()
            end = self.html.index(">", inner_end) + 1
            self.found.append((start, inner_start, inner_end, end, attrs))
            self._open = None


def _cut(html: str) -> list[tuple[str, str, str] | str]:
    """Split rendered HTML into plain HTML strings and (profession, title, inner HTML)."""
    cutter = _CalloutCutter(html)
    cutter.feed(html)
    cutter.close()
    pieces: list[tuple[str, str, str] | str] = []
    position = 0
    for start, inner_start, inner_end, end, attrs in cutter.found:
        pieces.append(html[position:start])
        code = attrs.get("data-profession") or ""
        pieces.append(
            (code, attrs.get("data-title") or default_title(code), html[inner_start:inner_end])
        )
        position = end
    pieces.append(html[position:])
    return [p for p in pieces if not isinstance(p, str) or p.strip()]


def _sanitise(html: str) -> str:
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES, link_rel=None)


def _module_target(href: str, module_url: str) -> tuple[str | None, str] | None:
    """(slug or None for this page, fragment) if ``href`` points at a module, else None."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    for prefix in {"/modules/", module_url.rstrip("/") + "/"}:
        if path.startswith(prefix):
            return path[len(prefix) :].strip("/"), parts.fragment
    if path.endswith(".md"):
        return PurePosixPath(path).stem, parts.fragment
    if not path and parts.fragment:
        return None, parts.fragment
    return None


def render_body(
    source: str,
    *,
    glossary: Glossary,
    slugs: frozenset[str],
    module_url: str = "/modules/",
    glossary_url: str = "/glossary",
) -> RenderedBody:
    """Render one module body (Markdown without its front matter); see the module docstring."""
    md = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "sane_lists",
            "def_list",
            "toc",
            _CalloutExtension(),
        ],
        extension_configs={"tables": {"use_align_attribute": True}},
    )
    pieces = _cut(md.convert(source))

    trees: list[tuple[htmltree.Element, tuple[str, str] | None]] = []
    for piece in pieces:
        if isinstance(piece, str):
            trees.append((htmltree.parse(_sanitise(piece)), None))
        else:
            code, title, inner = piece
            trees.append((htmltree.parse(_sanitise(inner)), (code, title)))

    links: list[ModuleLink] = []
    headings: list[Heading] = []
    seen_terms: dict[str, None] = {}
    texts: list[str] = []
    base = module_url.rstrip("/") + "/"
    for tree, callout in trees:
        for element in tree.iter():
            href = element.get("href") if element.tag == "a" else None
            target = _module_target(href, module_url) if href else None
            if target is not None:
                slug, fragment = target
                known = slug is None or slug in slugs
                links.append(ModuleLink(href, slug, fragment, known))
                if slug is not None and known:
                    element.attrs["href"] = base + slug + (f"#{fragment}" if fragment else "")
            elif element.tag in _HEADINGS and element.get("id"):
                headings.append(
                    Heading(int(element.tag[1]), element.get("id"), element.text(), bool(callout))
                )
        glossary.mark(tree, seen=seen_terms, url=glossary_url)
        if callout:
            texts.append(callout[1])
        texts.append(tree.text())

    segments: list[Markup | Callout] = []
    for tree, callout in trees:
        # Safe: sanitised by nh3, and the serialiser escapes every text node and attribute.
        html = Markup(htmltree.serialise(tree))  # noqa: S704
        if callout is None:
            segments.append(html)
        else:
            segments.append(Callout(callout[0], callout[1], html))
    return RenderedBody(
        segments=tuple(segments),
        headings=tuple(headings),
        links=tuple(links),
        text=" ".join(" ".join(texts).split()),
        glossary_ids=tuple(seen_terms),
    )
