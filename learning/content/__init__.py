"""The learning content: Markdown modules and a glossary, loaded into an immutable catalogue.

Files live under ``<root>/modules``: one ``<slug>.md`` per module (YAML front matter, then
Markdown) and ``glossary.yaml``. ``docs/authoring.md`` is the authors' guide to the format.

:func:`load_catalogue` reads, validates and renders everything once, and raises
:class:`ContentError` listing every problem as ``path:line: message``. A file's version is the
sha256 of its bytes.

How profession lenses work without rendering per request: a module's body is kept as
``segments``, a tuple of HTML strings (``Markup``) and :class:`Callout` objects (profession
code, title, inner HTML). At load time the segments are also joined into one HTML body per
lens (no lens, plus each profession that has a callout): the reader's callout becomes an open
``<details>`` labelled "Your profession", the others closed ``<details>``, so it works without
JavaScript. A view calls ``module.body_for(lens)`` (a dict lookup), or a template can loop over
``module.segments`` itself.

Markdown runs only in :func:`learning.content.render.render_body`, once per file version.
"""

from .catalogue import (
    TOPICS,
    Catalogue,
    CheckResult,
    Module,
    Reference,
    Topic,
    TopicGroup,
    catalogue_for,
    check,
    examine,
    load_catalogue,
    module_slugs_in,
    quiz_slugs_in,
)
from .glossary import SECTORS, Glossary, Meaning, Term
from .problems import ContentError, Problem
from .render import Callout, Heading
from .search import SearchHit

__all__ = [
    "SECTORS",
    "TOPICS",
    "Callout",
    "Catalogue",
    "CheckResult",
    "ContentError",
    "Glossary",
    "Heading",
    "Meaning",
    "Module",
    "Problem",
    "Reference",
    "SearchHit",
    "Term",
    "Topic",
    "TopicGroup",
    "catalogue_for",
    "check",
    "examine",
    "load_catalogue",
    "module_slugs_in",
    "quiz_slugs_in",
]
