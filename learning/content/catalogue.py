"""Load ``modules/*.md`` and ``modules/glossary.yaml`` into one immutable :class:`Catalogue`.

Loading validates everything first and reports every problem at once; rendering then happens
once per file version (see :mod:`learning.content.render`), so a page only looks up strings.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from markupsafe import Markup

from learning.professions import BY_CODE, CODES

from . import render, yamlines
from .files import (
    SLUG_PATTERN,
    check_markdown,
    colon_advice,
    content_files,
    decode_utf8,
    relative_path,
    split_front_matter,
    unknown,
)
from .glossary import Glossary, parse_glossary
from .problems import ContentError, Problem
from .render import Callout, Heading
from .search import SearchHit, search

MODULES_DIR = "modules"
GLOSSARY_FILE = "glossary.yaml"
#: Modules with at least this many headings (outside callouts) get a table of contents.
TOC_MIN_HEADINGS = 4
#: Reading speed for a module's stated ``minutes``, in words a minute.
WORDS_A_MINUTE = 200
#: How far ``minutes`` may be from the reading time before the checker warns: half of the
#: reading time, and never less than this many minutes (short texts are read at any pace).
MINUTES_SLACK = 5
#: The rule as docs/authoring.md and modules/README.md state it, word for word.
MINUTES_RULE = (
    "minutes are within half of the reading time at 200 words a minute, or within 5 minutes"
)
WORD = re.compile(r"[^\W_][\w'\u2019-]*")


@dataclass(frozen=True, slots=True)
class Topic:
    """One entry of the controlled list of topics."""

    code: str
    label: str


TOPICS: tuple[Topic, ...] = (
    Topic("roles", "Roles and responsibilities"),
    Topic("values", "Values and ethics"),
    Topic("codes", "Professional codes and standards"),
    Topic("law", "Law and policy"),
    Topic("partnership", "Working in partnership"),
    Topic("communication", "Communication"),
    Topic("assessment", "Assessment"),
    Topic("discharge", "Hospital discharge"),
    Topic("safeguarding", "Safeguarding"),
    Topic("capacity", "Mental capacity and consent"),
    Topic("information-sharing", "Information sharing"),
    Topic("carers", "Carers"),
    Topic("homelessness", "Housing and homelessness"),
    Topic("mental-health", "Mental health"),
    Topic("equality", "Equality and inclusion"),
)
TOPICS_BY_CODE: dict[str, Topic] = {t.code: t for t in TOPICS}

FRONT_MATTER_KEYS = (
    "title",
    "summary",
    "order",
    "minutes",
    "cpd_hours",
    "professions",
    "topics",
    "outcomes",
    "references",
    "quizzes",
    "completion",
    "reviewed",
    "next_review",
)
OPTIONAL_KEYS = frozenset({"references", "quizzes"})
MODULE_FIELDS = frozenset({*FRONT_MATTER_KEYS, "for_all_professions"})
REFERENCE_KEYS = ("title", "author", "publisher", "year", "url")
COMPLETIONS = ("read", "quiz")


@dataclass(frozen=True, slots=True)
class Reference:
    """A source listed at the end of a module."""

    title: str
    author: str | None = None
    publisher: str | None = None
    year: int | None = None
    url: str | None = None


@dataclass(frozen=True)
class Module:
    """One learning module, validated and rendered; ``version`` is its file's sha256."""

    slug: str
    path: str
    version: str
    title: str
    summary: str
    order: int
    minutes: int
    cpd_hours: float
    professions: tuple[str, ...]
    for_all_professions: bool
    topics: tuple[str, ...]
    outcomes: tuple[str, ...]
    references: tuple[Reference, ...]
    quizzes: tuple[str, ...]
    completion: Literal["read", "quiz"]
    reviewed: date
    next_review: date
    #: The body in page order: HTML strings and profession callouts.
    segments: tuple[Markup | Callout, ...] = field(repr=False)
    #: Every heading with an anchor, in page order (including those inside callouts).
    headings: tuple[Heading, ...] = field(repr=False)
    #: Plain text of the body, for search.
    text: str = field(repr=False)
    #: Ids of the glossary terms marked on the page, in page order.
    glossary_ids: tuple[str, ...] = field(repr=False)
    _bodies: MappingProxyType[str | None, Markup] = field(repr=False, compare=False)

    @property
    def toc(self) -> tuple[Heading, ...]:
        """Level 2-3 headings outside callouts, when the module is long enough to need them."""
        outside = [h for h in self.headings if not h.in_callout]
        if len(outside) < TOC_MIN_HEADINGS:
            return ()
        return tuple(h for h in outside if h.level in (2, 3))

    @property
    def callouts(self) -> tuple[Callout, ...]:
        """The profession callouts, in page order."""
        return tuple(s for s in self.segments if isinstance(s, Callout))

    def body_for(self, lens: str | None) -> Markup:
        """The body HTML with ``lens``'s callouts open and labelled "Your profession".

        Pre-rendered at load for every profession that has a callout; costs a dict lookup.
        """
        return self._bodies.get(lens, self._bodies[None])

    def is_for(self, profession: str | None) -> bool:
        """True if the module is written for this profession (or for all)."""
        return self.for_all_professions or profession in self.professions

    def review_overdue(self, today: date) -> bool:
        """True once the planned review date has passed."""
        return self.next_review < today


@dataclass(frozen=True, slots=True)
class TopicGroup:
    """The modules on one topic, for the catalogue page."""

    topic: Topic
    modules: tuple[Module, ...]


@dataclass(frozen=True)
class Catalogue:
    """All modules (ordered by ``order`` then slug) and the glossary, loaded once."""

    modules: tuple[Module, ...]
    glossary: Glossary
    #: Warnings found while loading (for example reviews that are overdue).
    warnings: tuple[Problem, ...] = ()
    _by_slug: MappingProxyType[str, Module] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_slug = MappingProxyType({m.slug: m for m in self.modules})
        object.__setattr__(self, "_by_slug", by_slug)

    @classmethod
    def of(
        cls, modules: Iterable[Module], glossary: Glossary, warnings: Iterable[Problem] = ()
    ) -> Catalogue:
        """Build a catalogue, putting the modules in order."""
        ordered = tuple(sorted(modules, key=lambda m: (m.order, m.slug)))
        return cls(ordered, glossary, tuple(warnings))

    @property
    def slugs(self) -> tuple[str, ...]:
        """Module slugs in catalogue order."""
        return tuple(self._by_slug)

    def get(self, slug: str) -> Module | None:
        """The module with this slug, or None."""
        return self._by_slug.get(slug)

    def module(self, slug: str) -> Module:
        """The module with this slug; KeyError if there is none."""
        return self._by_slug[slug]

    def for_profession(self, profession: str | None) -> tuple[Module, ...]:
        """Modules written for this profession; all modules when ``profession`` is None."""
        return tuple(m for m in self.modules if profession is None or m.is_for(profession))

    def by_topic(self, profession: str | None = None) -> tuple[TopicGroup, ...]:
        """Modules grouped by topic in the order of :data:`TOPICS`; a module may be in several."""
        modules = self.for_profession(profession)
        groups = (
            TopicGroup(topic, tuple(m for m in modules if topic.code in m.topics))
            for topic in TOPICS
        )
        return tuple(g for g in groups if g.modules)

    def search(self, query: object, *, limit: int = 50) -> list[SearchHit]:
        """Modules and glossary terms matching ``query``, best first; [] for an odd query."""
        return search(query, self.modules, self.glossary.terms, limit=limit)


class CheckResult(NamedTuple):
    """What ``flask content check`` reports."""

    problems: list[Problem]
    warnings: list[Problem]
    counts: dict[str, int]


def load_catalogue(
    root: Path,
    *,
    quiz_slugs: frozenset[str] | None = None,
    today: date | None = None,
    module_url: str = "/modules/",
    glossary_url: str = "/glossary",
) -> Catalogue:
    """Load and render every module and the glossary under ``root/modules``.

    Raises :class:`ContentError` listing every problem. ``quiz_slugs`` (when given) are the
    quizzes modules may name; ``today`` (when given) turns overdue reviews into warnings.
    """
    catalogue, problems = _load(root, quiz_slugs, today, module_url, glossary_url)
    if problems:
        raise ContentError(problems)
    return catalogue


def examine(
    root: Path, *, quiz_slugs: frozenset[str] | None = None, today: date | None = None
) -> tuple[Catalogue, list[Problem]]:
    """Read everything without raising: a catalogue of every module whose front matter could
    be read (with problems or without: the caller decides what to leave out), the glossary's
    valid terms, the warnings in ``catalogue.warnings``, and every problem in file order."""
    return _load(root, quiz_slugs, today, "/modules/", "/glossary")


def check(
    root: Path, *, quiz_slugs: frozenset[str] | None = None, today: date | None = None
) -> CheckResult:
    """Validate the modules and the glossary without raising: problems, warnings and counts.

    ``quiz_slugs`` (when given) are the quizzes modules may name. The whole content, quizzes
    included, is checked one level up, by :func:`learning.curriculum.check`.
    """
    catalogue, problems = _load(root, quiz_slugs, today, "/modules/", "/glossary")
    counts = {"modules": len(catalogue.modules), "glossary terms": len(catalogue.glossary)}
    return CheckResult(problems, list(catalogue.warnings), counts)


def module_slugs_in(root: Path) -> frozenset[str]:
    """The slugs of ``root/modules/*.md``, valid or not (what quizzes may link to)."""
    folder = Path(root) / MODULES_DIR
    return frozenset(p.stem for p in content_files(folder)) if folder.is_dir() else frozenset()


def quiz_slugs_in(root: Path) -> frozenset[str] | None:
    """The slugs of ``root/quizzes/*.md``, or None when there is no quizzes folder."""
    folder = Path(root) / "quizzes"
    if not folder.is_dir():
        return None
    return frozenset(p.stem for p in content_files(folder))


# Loading ---------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A module whose front matter is valid, waiting for its body to be rendered."""

    slug: str
    path: str
    version: str
    fields: dict[str, Any]
    body: str
    body_line: int
    body_lines: list[str]
    #: The line of each front matter key.
    lines: dict[str, int] = field(default_factory=dict)


def _load(
    root: Path,
    quiz_slugs: frozenset[str] | None,
    today: date | None,
    module_url: str,
    glossary_url: str,
) -> tuple[Catalogue, list[Problem]]:
    root = Path(root)
    folder = root / MODULES_DIR
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if not folder.is_dir():
        problems.append(Problem(MODULES_DIR, 1, "there is no modules folder"))
        return Catalogue.of((), Glossary.of(())), problems

    glossary = Glossary.of(())
    glossary_path = folder / GLOSSARY_FILE
    if glossary_path.is_file():
        data = glossary_path.read_bytes()
        text = decode_utf8(data, relative_path(glossary_path, root), problems)
        if text is not None:
            glossary, found = parse_glossary(
                text, relative_path(glossary_path, root), hashlib.sha256(data).hexdigest()
            )
            problems += found

    drafts: list[_Draft] = []
    for path in content_files(folder):
        relative = relative_path(path, root)
        data = path.read_bytes()
        text = decode_utf8(data, relative, problems)
        if text is None:
            continue
        draft = _read_module(text, relative, path.stem, data, quiz_slugs, today, problems, warnings)
        if draft is not None:
            drafts.append(draft)

    slugs = frozenset(d.slug for d in drafts) | frozenset(
        p.stem for p in content_files(folder) if SLUG_PATTERN.fullmatch(p.stem)
    )
    rendered = {d.slug: _render(d, glossary, slugs, module_url, glossary_url) for d in drafts}
    anchors = {slug: {h.id for h in body.headings} for slug, body in rendered.items()}
    problems += _same_titles(drafts)
    modules = []
    for draft in drafts:
        body = rendered[draft.slug]
        problems += _link_problems(draft, body, anchors)
        warnings += _reading_time(draft, body)
        # A module whose front matter has problems is still rendered, to check its links.
        if MODULE_FIELDS <= draft.fields.keys():
            modules.append(_module(draft, body))
    problems.sort(key=lambda p: (p.path, p.line))
    warnings.sort(key=lambda p: (p.path, p.line))
    return Catalogue.of(modules, glossary, warnings), problems


def read_module(
    data: bytes,
    path: str,
    *,
    glossary: Glossary,
    slugs: frozenset[str],
    module_url: str = "/modules/",
    glossary_url: str = "/glossary",
) -> tuple[Module | None, list[Problem]]:
    """One module file on its own (a version kept from the past): the module, rendered with
    today's glossary and links to today's modules, or None and its problems.

    The file's own checks apply; what it names elsewhere (quizzes, other modules' headings)
    is not checked, since those may have changed since the version was current.
    """
    problems: list[Problem] = []
    text = decode_utf8(data, path, problems)
    if text is None:
        return None, problems
    draft = _read_module(text, path, Path(path).stem, data, None, None, problems, [])
    if draft is None or problems or not MODULE_FIELDS <= draft.fields.keys():
        return None, problems
    body = _render(draft, glossary, slugs, module_url, glossary_url)
    return _module(draft, body), problems


def _render(
    draft: _Draft, glossary: Glossary, slugs: frozenset[str], module_url: str, glossary_url: str
) -> render.RenderedBody:
    """Render a body once per (body, glossary, set of modules, URLs); see :func:`_rendered`."""
    return _rendered(draft.body, glossary, slugs, module_url, glossary_url)


@functools.lru_cache(maxsize=2048)
def _rendered(
    body: str, glossary: Glossary, slugs: frozenset[str], module_url: str, glossary_url: str
) -> render.RenderedBody:
    """The rendering of one body, kept so that reloading renders only what changed."""
    return render.render_body(
        body, glossary=glossary, slugs=slugs, module_url=module_url, glossary_url=glossary_url
    )


def _module(draft: _Draft, body: render.RenderedBody) -> Module:
    bodies = render.lens_bodies(body.segments)
    return Module(
        slug=draft.slug,
        path=draft.path,
        version=draft.version,
        segments=body.segments,
        headings=body.headings,
        text=body.text,
        glossary_ids=body.glossary_ids,
        _bodies=MappingProxyType(bodies),
        **draft.fields,
    )


def _read_module(
    text: str,
    path: str,
    slug: str,
    data: bytes,
    quiz_slugs: frozenset[str] | None,
    today: date | None,
    problems: list[Problem],
    warnings: list[Problem],
) -> _Draft | None:
    """Check one module's front matter and body; a draft unless the front matter is unreadable."""

    def problem(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    if not SLUG_PATTERN.fullmatch(slug):
        problem(
            1,
            f'the file name "{slug}.md" must be lower-case letters, digits and hyphens'
            " (it becomes the address of the page)",
        )
    split = split_front_matter(text, problem)
    if split is None:
        return None
    front, close, body_lines, body_line = split  # close: the line of the closing ---
    fields = _front_matter(front, close, quiz_slugs, problem)
    _check_body(body_lines, body_line, problem)
    if today is not None and isinstance(fields.get("next_review"), date):
        if fields["next_review"] < today:
            warnings.append(
                Problem(
                    path,
                    front.lines["next_review"],
                    f"review overdue: next_review was {fields['next_review'].isoformat()}",
                )
            )
    version = hashlib.sha256(data).hexdigest()
    lines = {key: line for key, line in front.lines.items() if isinstance(key, str)}
    return _Draft(slug, path, version, fields, "".join(body_lines), body_line, body_lines, lines)


def _front_matter(
    front: yamlines.LineDict,
    end_line: int,
    quiz_slugs: frozenset[str] | None,
    problem: Callable[[int, str], None],
) -> dict[str, Any]:
    """Check every front-matter key; return the valid values under their Module field names."""
    fields: dict[str, Any] = {}
    for key, line in front.duplicates:
        problem(line, f'"{key}" appears twice in the front matter')
    for key in front:
        if key not in FRONT_MATTER_KEYS:
            problem(front.lines[key], unknown("front matter key", key, FRONT_MATTER_KEYS))
    for key in FRONT_MATTER_KEYS:
        if key not in front and key not in OPTIONAL_KEYS:
            problem(end_line, f'the front matter is missing "{key}"')

    def check(key: str, convert: Callable[[Any, int], Any]) -> None:
        if key in front:
            value = convert(front[key], front.lines[key])
            if value is not None:
                fields[key] = value
        elif key in OPTIONAL_KEYS:
            fields[key] = ()

    def text(value: Any, line: int, key: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
        advice = colon_advice(value)
        problem(line, f'"{key}" must be some text' + (f": {advice}" if advice else ""))
        return None

    def whole(value: Any, line: int, key: str, example: str, minimum: int) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            return value
        problem(line, f'"{key}" must be a whole number of at least {minimum}, e.g. {example}')
        return None

    def words(value: Any, line: int, key: str) -> tuple[list[Any], list[int]] | None:
        if isinstance(value, yamlines.LineList) and value:
            return list(value), value.lines
        problem(line, f'"{key}" must be a list with at least one item, one per line after "- "')
        return None

    check("title", lambda v, n: text(v, n, "title"))
    check("summary", lambda v, n: text(v, n, "summary"))
    check("order", lambda v, n: whole(v, n, "order", "10", -1_000_000))
    check("minutes", lambda v, n: whole(v, n, "minutes", "20", 1))

    def cpd_hours(value: Any, line: int) -> float | None:
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
        problem(line, '"cpd_hours" must be a number of hours, e.g. 1 or 0.5')
        return None

    check("cpd_hours", cpd_hours)

    def professions(value: Any, line: int) -> tuple[str, ...] | None:
        if value == "all" or value == ["all"]:
            fields["for_all_professions"] = True
            return CODES
        found = words(value, line, "professions")
        if found is None:
            return None
        codes = []
        for code, item_line in zip(*found, strict=True):
            if code == "all":
                problem(item_line, 'write "professions: all" on its own, not in a list')
            elif code not in BY_CODE:
                problem(item_line, unknown("profession", code, CODES))
            else:
                codes.append(code)
        fields["for_all_professions"] = False
        return tuple(codes) if len(codes) == len(found[0]) else None

    check("professions", professions)

    def topics(value: Any, line: int) -> tuple[str, ...] | None:
        found = words(value, line, "topics")
        if found is None:
            return None
        codes = []
        for code, item_line in zip(*found, strict=True):
            if code in TOPICS_BY_CODE:
                codes.append(code)
            else:
                problem(item_line, unknown("topic", code, TOPICS_BY_CODE))
        return tuple(codes) if len(codes) == len(found[0]) else None

    check("topics", topics)

    def outcomes(value: Any, line: int) -> tuple[str, ...] | None:
        found = words(value, line, "outcomes")
        if found is None:
            return None
        texts = [
            text(item, item_line, "each outcome") for item, item_line in zip(*found, strict=True)
        ]
        return tuple(texts) if all(texts) else None

    check("outcomes", outcomes)

    def references(value: Any, line: int) -> tuple[Reference, ...] | None:
        if not isinstance(value, yamlines.LineList):
            problem(line, '"references" must be a list; start each reference with "- title:"')
            return None
        found = [
            _reference(item, item_line, problem)
            for item, item_line in zip(value, value.lines, strict=True)
        ]
        return tuple(found) if all(found) else None

    check("references", references)

    def quizzes(value: Any, line: int) -> tuple[str, ...] | None:
        if not isinstance(value, yamlines.LineList):
            problem(line, '"quizzes" must be a list of scenarios, one per line after "- "')
            return None
        ok = True
        for slug, item_line in zip(value, value.lines, strict=True):
            if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug):
                problem(item_line, f'"{slug}" must be a file name in quizzes/ without .md')
                ok = False
            elif quiz_slugs is not None and slug not in quiz_slugs:
                problem(item_line, unknown("scenario", slug, sorted(quiz_slugs)))
                ok = False
        return tuple(value) if ok else None

    check("quizzes", quizzes)

    def completion(value: Any, line: int) -> str | None:
        if value in COMPLETIONS:
            return value
        problem(line, f'"completion" must be "read" or "quiz", not "{value}"')
        return None

    check("completion", completion)

    def day(key: str) -> Callable[[Any, int], date | None]:
        def convert(value: Any, line: int) -> date | None:
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            if isinstance(value, str):
                try:
                    return date.fromisoformat(value.strip())
                except ValueError:
                    pass
            problem(line, f'"{key}" must be a date written as YYYY-MM-DD, e.g. 2025-09-30')
            return None

        return convert

    check("reviewed", day("reviewed"))
    check("next_review", day("next_review"))

    if fields.get("completion") == "quiz" and not front.get("quizzes"):
        problem(
            front.lines["completion"], '"completion: quiz" needs at least one scenario in "quizzes"'
        )
    if (
        "reviewed" in fields
        and "next_review" in fields
        and fields["next_review"] <= fields["reviewed"]
    ):
        problem(front.lines["next_review"], '"next_review" must be after "reviewed"')
    return fields


def _reference(item: Any, line: int, problem: Callable[[int, str], None]) -> Reference | None:
    if not isinstance(item, yamlines.LineDict):
        problem(line, 'each reference needs at least a "title:"')
        return None
    ok = True
    for key in item:
        if key not in REFERENCE_KEYS:
            problem(item.lines[key], unknown("reference key", key, REFERENCE_KEYS))
            ok = False
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        problem(item.lines.get("title", item.line), 'each reference needs a "title"')
        ok = False
    values: dict[str, Any] = {}
    for key in ("author", "publisher"):
        if key in item:
            if isinstance(item[key], str) and item[key].strip():
                values[key] = " ".join(item[key].split())
            else:
                problem(item.lines[key], f'the reference\'s "{key}" must be some text')
                ok = False
    year = item.get("year")
    if "year" in item and (
        not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999
    ):
        problem(item.lines["year"], 'the reference\'s "year" must be a year such as 2014')
        ok = False
    url = item.get("url")
    if "url" in item and not (isinstance(url, str) and re.fullmatch(r"https?://\S+", url)):
        problem(item.lines["url"], 'the reference\'s "url" must start with https:// or http://')
        ok = False
    if not ok:
        return None
    return Reference(title=" ".join(title.split()), year=year, url=url, **values)


def _check_body(lines: list[str], first_line: int, problem: Callable[[int, str], None]) -> None:
    """A module has some text; its callouts and code fences are checked as in scenarios."""
    if not "".join(lines).strip():
        problem(max(first_line - 1, 1), "the module has no text after its front matter")
        return
    check_markdown(lines, first_line, problem)


def _same_titles(drafts: list[_Draft]) -> list[Problem]:
    """Two modules with one title cannot be told apart in lists: each after the first (in
    file order) is reported, naming the first."""
    found: list[Problem] = []
    first: dict[str, _Draft] = {}
    for draft in sorted(drafts, key=lambda d: d.path):
        title = draft.fields.get("title")
        if not title:
            continue
        other = first.setdefault(title.casefold(), draft)
        if other is not draft:
            found.append(
                Problem(
                    draft.path,
                    draft.lines.get("title", 1),
                    f'{other.path} already has the title "{other.fields["title"]}":'
                    " give each module a title of its own, so learners can tell them apart",
                )
            )
    return found


def _reading_time(draft: _Draft, body: render.RenderedBody) -> list[Problem]:
    """A warning when the stated minutes are far from the time the text takes to read."""
    minutes = draft.fields.get("minutes")
    if minutes is None:
        return []
    words = len(WORD.findall(body.text))
    reading = words / WORDS_A_MINUTE
    if abs(minutes - reading) <= max(MINUTES_SLACK, reading / 2):
        return []
    about = max(1, round(reading))
    return [
        Problem(
            draft.path,
            draft.lines.get("minutes", 1),
            f'"minutes" is {minutes}, but the text has {words} words, about {about}'
            f" minute{'s' if about != 1 else ''} at {WORDS_A_MINUTE} words a minute"
            f" (editorial standard: {MINUTES_RULE})",
        )
    ]


def _link_problems(
    draft: _Draft, body: render.RenderedBody, anchors: dict[str, set[str]]
) -> list[Problem]:
    """Broken links between modules, each at the first body line that contains it."""
    found: list[Problem] = []
    searched_from: dict[str, int] = {}
    for link in body.links:
        target = link.slug or draft.slug
        if not link.known:
            message = f'link to "{link.href}": there is no module "{link.slug}"'
        elif link.fragment and link.fragment not in anchors.get(target, set()):
            where = "on this page" if link.slug is None else f'in "{link.slug}"'
            message = f'link to "{link.href}": there is no heading "#{link.fragment}" {where}'
        else:
            continue
        start = searched_from.get(link.href, 0)
        index = next(
            (i for i in range(start, len(draft.body_lines)) if link.href in draft.body_lines[i]),
            None,
        )
        searched_from[link.href] = (index or start) + 1
        line = draft.body_line + index if index is not None else draft.body_line
        found.append(Problem(draft.path, line, message))
    return found


# One catalogue per process -----------------------------------------------------------------


def catalogue_for(
    root: Path,
    *,
    debug: bool = False,
    quiz_slugs: frozenset[str] | None = None,
    module_url: str = "/modules/",
    glossary_url: str = "/glossary",
) -> Catalogue:
    """The catalogue for ``root``, loaded on first use and then kept.

    With ``debug``, the files' modification times are compared on every call and the
    catalogue is reloaded when one changed (only changed files are rendered again). Raises
    :class:`ContentError` when (re)loading finds problems.
    """
    root = Path(root).resolve()
    stamp = _fingerprint(root) if debug else None
    return _catalogue(root, quiz_slugs, module_url, glossary_url, stamp)


@functools.lru_cache(maxsize=32)
def _catalogue(
    root: Path,
    quiz_slugs: frozenset[str] | None,
    module_url: str,
    glossary_url: str,
    stamp: tuple | None,
) -> Catalogue:
    """One loaded catalogue per root, URLs and (in debug mode) state of the files."""
    return load_catalogue(
        root, quiz_slugs=quiz_slugs, module_url=module_url, glossary_url=glossary_url
    )


def _fingerprint(root: Path) -> tuple:
    """Name, size and modification time of every content file."""
    folder = root / MODULES_DIR
    if not folder.is_dir():
        return ()
    return tuple(
        (p.name, s.st_size, s.st_mtime_ns)
        for p in [*content_files(folder), folder / GLOSSARY_FILE]
        if p.exists() and (s := p.stat())
    )
