"""A small element tree built with the standard library's HTML parser.

Used on HTML that the sanitiser has already made well formed, so that glossary marking, link
rewriting and text extraction work on elements and text nodes rather than on raw strings. It
parses the sanitiser's output, not Markdown's: that is the only HTML that includes the author's
raw HTML and is final (see :mod:`learning.content.render`). The serialiser is ours so that
the pages' bytes do not depend on how a library chooses to escape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
BLOCK = frozenset(
    "address article aside blockquote dd details div dl dt figcaption figure footer h1 h2 h3 h4"
    " h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul"
    " br".split()
)


@dataclass(eq=False)
class Element:
    """An element: its tag, attributes in order, and children (elements or text)."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        """Return an attribute's value, or None."""
        return self.attrs.get(name)

    def text(self) -> str:
        """All text inside, with a space between block-level elements."""
        return " ".join("".join(_text_parts(self)).split())

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()


def _text_parts(node: Element) -> Iterator[str]:
    for child in node.children:
        if isinstance(child, str):
            yield child
        else:
            if child.tag in BLOCK:
                yield " "
            yield from _text_parts(child)
            if child.tag in BLOCK:
                yield " "


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#fragment")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        # A stray end tag is ignored; it never closes anything outside this fragment.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def parse(html: str) -> Element:
    """Parse an HTML fragment into an element tree under a ``#fragment`` root."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def serialise(node: Element | str) -> str:
    """Turn a node back into HTML; text and attribute values are escaped."""
    if isinstance(node, str):
        return escape(node, quote=False)
    inner = "".join(serialise(child) for child in node.children)
    if node.tag == "#fragment":
        return inner
    attrs = "".join(
        f" {name}" if value is None else f' {name}="{escape(value, quote=True)}"'
        for name, value in node.attrs.items()
    )
    if node.tag in VOID:
        return f"<{node.tag}{attrs}>"
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"


def serialise_children(node: Element) -> str:
    """The HTML of everything inside ``node``."""
    return "".join(serialise(child) for child in node.children)
