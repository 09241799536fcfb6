"""Turn a module's Markdown body into ready HTML: the only place Markdown runs.

The pipeline, run once per file version at load time:

1. Python-Markdown (tables, fenced code, definition lists, heading ids from ``toc``, and the
   profession callouts below) parses the body into its element tree, in which each callout is
   a private ``<learning-callout>`` element. One Markdown instance per thread is reused, with
   ``reset()`` between documents (building one costs more than converting a fragment).
2. The last tree processor (:class:`_Segments`) takes that tree apart at the callouts, and each
   segment is serialised with Markdown's own serialiser and postprocessors (which put the
   author's raw HTML back), then sanitised by nh3 on its own: an author's unclosed ``<div>`` or
   stray ``</div>`` is closed or dropped inside its own segment and cannot swallow or break the
   page around it.
3. Each sanitised segment is parsed into a small element tree (:mod:`.htmltree`), on which
   internal links are checked and rewritten, glossary terms are marked (first occurrence on the
   page only) and headings and plain text are collected for the table of contents and search.

Why step 3 parses HTML again rather than working on Markdown's tree: only the sanitiser's
output is the final page. The author's raw HTML exists in Markdown's tree only as placeholders
(it is put back after serialising), so links, headings and terms inside it would be missed;
and the glossary marks (``<a class="glossary-term">``) must be added after sanitising, since
the allow-list rightly lets authors write no ``class`` attributes of their own.

:func:`render_body` is looked up through this module by the loader, so a test can replace it
(``monkeypatch.setattr(render, "render_body", ...)``) and prove that pages never call it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit
from xml.etree import ElementTree as etree

import markdown
import nh3
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
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

    @property
    def for_whom(self) -> Markup:
        """Whom the folded callout is for, said before an author's own title ("For nurses: ")
        so that its summary always names the profession; nothing before the default title."""
        default = default_title(self.profession)
        if self.title == default:
            return Markup("")
        return Markup('<span class="callout__for">{}:</span> ').format(default)

    def render(self, *, yours: bool) -> Markup:
        """The callout as a ``<details>`` block: open and labelled when it is the reader's."""
        if yours:
            return Markup(
                '<details class="callout callout--yours" data-profession="{code}" open>'
                '<summary class="callout__summary"><strong class="callout__tag">'
                'Your profession</strong> {whom}<span class="callout__title">{title}</span>'
                '</summary><div class="callout__body">{html}</div></details>\n'
            ).format(code=self.profession, whom=self.for_whom, title=self.title, html=self.html)
        return Markup(
            '<details class="callout" data-profession="{code}">'
            '<summary class="callout__summary">{whom}<span class="callout__title">{title}</span>'
            '</summary><div class="callout__body">{html}</div></details>\n'
        ).format(code=self.profession, whom=self.for_whom, title=self.title, html=self.html)


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


#: A segment of the page as Markdown's tree: (profession, title) for a callout, else None,
#: and a ``<div>`` holding its content.
_Piece = tuple[tuple[str, str] | None, etree.Element]


class _Segments(Treeprocessor):
    """Runs last: takes the finished tree apart at the top-level callouts into ``pieces``.

    The root is left empty, so ``convert()`` has nothing more to serialise; :func:`_html`
    serialises each piece instead. What lies between two callouts (the first callout's tail
    included) is one plain piece, exactly as if the page's HTML had been cut at the callouts.
    """

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.pieces: list[_Piece] = []

    def run(self, root: etree.Element) -> None:
        pieces: list[_Piece] = []
        plain = etree.Element("div")
        plain.text = root.text
        for child in list(root):
            if child.tag != CALLOUT_TAG:
                plain.append(child)
                continue
            pieces.append((None, plain))
            inner = etree.Element("div")
            inner.text = child.text
            inner.extend(child)
            code = child.get("data-profession") or ""
            pieces.append(((code, child.get("data-title") or default_title(code)), inner))
            plain = etree.Element("div")
            plain.text = child.tail
        pieces.append((None, plain))
        self.pieces = pieces
        root.clear()


class _CalloutExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.parser.blockprocessors.register(_CalloutProcessor(md.parser), "callout", 105)
        # After every built-in tree processor (the last, "unescape", has priority 0).
        md.treeprocessors.register(_Segments(md), SEGMENTS, -10)


SEGMENTS = "learning-segments"
_local = threading.local()


def _markdown() -> markdown.Markdown:
    """This thread's Markdown instance, reset for a new document.

    An instance keeps per-document state (stashed HTML, references, the table of contents),
    so threads (Flask's threaded dev server, a debug reload) never share one.
    """
    md = getattr(_local, "markdown", None)
    if md is None:
        md = _local.markdown = markdown.Markdown(
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
    return md.reset()


def _pieces(source: str) -> list[tuple[str, str, str] | str]:
    """The body as plain HTML strings and (profession, title, inner HTML), not yet sanitised."""
    md = _markdown()
    segments: _Segments = md.treeprocessors[SEGMENTS]  # type: ignore[assignment]
    segments.pieces = []
    try:
        md.convert(source)
    except BaseException:
        _local.markdown = None  # an interrupted parse may leave state behind: start afresh
        raise
    found = segments.pieces
    segments.pieces = []
    pieces: list[tuple[str, str, str] | str] = []
    for index, (callout, element) in enumerate(found):
        html = _html(md, element)
        if callout is not None:
            pieces.append((*callout, html))
            continue
        # As convert() strips the whole page: the start of the first piece, the end of the last.
        if index == 0:
            html = html.lstrip()
        if index == len(found) - 1:
            html = html.rstrip()
        if html.strip():
            pieces.append(html)
    return pieces


def _html(md: markdown.Markdown, element: etree.Element) -> str:
    """The HTML inside ``element``, serialised and post-processed as ``convert()`` would."""
    output = md.serializer(element)
    output = output[output.index("<div>") + len("<div>") : output.rindex("</div>")]
    for postprocessor in md.postprocessors:
        output = postprocessor.run(output)
    return output


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
    pieces = _pieces(source)

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
