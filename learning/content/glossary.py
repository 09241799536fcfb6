"""The shared glossary (``modules/glossary.yaml``) and the marking of terms on module pages.

Each term has an id (its anchor on the glossary page), the term itself, aliases and
abbreviations, a plain-English definition, the sectors that use it, and optionally what it means
to particular professions. Two terms may share an abbreviation (HRA: Human Rights Act 1998 or
Homelessness Reduction Act 2017); a page then shows every meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import MappingProxyType

from learning.professions import BY_CODE

from . import yamlines
from .files import unknown
from .htmltree import Element
from .problems import Problem

#: Sectors a term can belong to, in display order.
SECTORS: tuple[str, ...] = ("all", "health", "social-care", "housing")
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TERM_KEYS = ("id", "term", "aliases", "abbreviations", "definition", "sectors", "meanings")
REQUIRED_TERM_KEYS = ("id", "term", "definition", "sectors")

#: Never mark a glossary term inside these elements.
UNMARKED = frozenset(
    "h1 h2 h3 h4 h5 h6 a code pre kbd samp var abbr dfn script style button summary".split()
)


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a term means to one profession, where that differs from the definition."""

    profession: str
    text: str

    @property
    def profession_label(self) -> str:
        return BY_CODE[self.profession].label


@dataclass(frozen=True, slots=True)
class Term:
    """One glossary entry."""

    id: str
    term: str
    definition: str
    aliases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ("all",)
    meanings: tuple[Meaning, ...] = ()

    def in_sector(self, sector: str | None) -> bool:
        """True if the term is used in this sector (every term matches no sector or ``all``)."""
        return not sector or sector == "all" or "all" in self.sectors or sector in self.sectors

    def meaning_for(self, profession: str | None) -> str | None:
        """What this term means to the profession, if that differs from the definition."""
        return next((m.text for m in self.meanings if m.profession == profession), None)


@dataclass(frozen=True)
class Glossary:
    """Every glossary term, sorted by term, with lookups by id and abbreviation."""

    terms: tuple[Term, ...] = ()
    version: str = ""
    _by_id: MappingProxyType[str, Term] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )
    _by_abbreviation: MappingProxyType[str, tuple[Term, ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )
    _matcher: _Matcher | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, terms: Iterable[Term], version: str = "") -> Glossary:
        """Build a glossary and its lookups from terms in any order."""
        ordered = tuple(sorted(terms, key=lambda t: (t.term.casefold(), t.id)))
        by_abbreviation: dict[str, list[Term]] = {}
        for term in ordered:
            for abbreviation in term.abbreviations:
                by_abbreviation.setdefault(abbreviation, []).append(term)
        return cls(
            terms=ordered,
            version=version,
            _by_id=MappingProxyType({t.id: t for t in ordered}),
            _by_abbreviation=MappingProxyType({k: tuple(v) for k, v in by_abbreviation.items()}),
            _matcher=_Matcher(ordered, by_abbreviation) if ordered else None,
        )

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self):
        return iter(self.terms)

    def get(self, term_id: str) -> Term | None:
        """The term with this id, or None."""
        return self._by_id.get(term_id)

    def __getitem__(self, term_id: str) -> Term:
        return self._by_id[term_id]

    def by_abbreviation(self, abbreviation: str) -> tuple[Term, ...]:
        """Every term with this abbreviation (more than one when it is ambiguous)."""
        return self._by_abbreviation.get(abbreviation, ())

    @property
    def ambiguous(self) -> dict[str, tuple[Term, ...]]:
        """Abbreviations that stand for more than one term."""
        return {a: ts for a, ts in self._by_abbreviation.items() if len(ts) > 1}

    def for_sector(self, sector: str | None) -> tuple[Term, ...]:
        """Terms used in a sector; every term when ``sector`` is empty or ``all``."""
        return tuple(t for t in self.terms if t.in_sector(sector))

    def mark(self, root: Element, *, seen: dict[str, None], url: str) -> None:
        """Mark under ``root``, in place, the first occurrence of each term not yet ``seen``.

        ``seen`` collects the ids of the terms marked, in page order (a dict used as an ordered
        set), so that one call per segment marks each term once on the whole page.
        """
        if self._matcher is not None:
            self._matcher.mark(root, seen, url)


class _Matcher:
    """Finds terms, aliases (any case) and abbreviations (exact case) as whole words."""

    def __init__(self, terms: tuple[Term, ...], by_abbreviation: dict[str, list[Term]]) -> None:
        self.by_words: dict[str, Term] = {}
        for term in terms:
            for form in (term.term, *term.aliases):
                self.by_words[_words_key(form)] = term
        self.by_abbreviation = {k: tuple(v) for k, v in by_abbreviation.items()}
        longest_first = sorted(self.by_words, key=len, reverse=True)
        words = "|".join(r"\s+".join(map(re.escape, form.split())) for form in longest_first)
        abbreviations = "|".join(
            map(re.escape, sorted(self.by_abbreviation, key=len, reverse=True))
        )
        alternatives = []
        if words:
            alternatives.append(f"(?P<words>(?i:{words}))")
        if abbreviations:
            alternatives.append(f"(?P<abbr>{abbreviations})")
        self.pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")

    def mark(self, element: Element, seen: dict[str, None], url: str) -> None:
        children: list[Element | str] = []
        for child in element.children:
            if isinstance(child, str):
                children.extend(self._mark_text(child, seen, url))
            else:
                if child.tag not in UNMARKED:
                    self.mark(child, seen, url)
                children.append(child)
        element.children = children

    def _mark_text(self, text: str, seen: dict[str, None], url: str) -> list[Element | str]:
        pieces: list[Element | str] = []
        start = 0
        for match in self.pattern.finditer(text):
            if match.lastgroup == "words":
                terms: tuple[Term, ...] = (self.by_words[_words_key(match.group())],)
                tag = "dfn"
            else:
                terms = self.by_abbreviation[match.group()]
                tag = "abbr"
            if all(t.id in seen for t in terms):
                continue
            seen.update(dict.fromkeys(t.id for t in terms))
            if text[start : match.start()]:
                pieces.append(text[start : match.start()])
            pieces.append(_marked(match.group(), terms, tag, url))
            start = match.end()
        if text[start:]:
            pieces.append(text[start:])
        return pieces


def _words_key(form: str) -> str:
    return " ".join(form.split()).casefold()


def _marked(text: str, terms: tuple[Term, ...], tag: str, url: str) -> Element:
    if len(terms) == 1:
        title = f"{terms[0].term}: {terms[0].definition}" if tag == "abbr" else terms[0].definition
        classes = "glossary-term"
    else:
        title = f"{text} has more than one meaning. " + " Or: ".join(
            f"{t.term}: {t.definition}" for t in terms
        )
        classes = "glossary-term glossary-term--ambiguous"
    inner = Element(tag, {"title": title}, [text])
    return Element("a", {"class": classes, "href": f"{url}#{terms[0].id}"}, [inner])


# Reading glossary.yaml ---------------------------------------------------------------------


def parse_glossary(text: str, path: str, version: str = "") -> tuple[Glossary, list[Problem]]:
    """Read the glossary file; return the valid terms and every problem found."""
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    try:
        data = yamlines.load(text)
    except yamlines.YAMLProblem as error:
        problem(error.line, error.message)
        return Glossary.of((), version), problems
    if data is None or data == []:
        problem(
            1,
            "the glossary has no terms: start each term with '- id:' (docs/authoring.md shows"
            " one), or delete the file if the modules need no glossary",
        )
        return Glossary.of((), version), problems
    if not isinstance(data, yamlines.LineList):
        problem(1, "the glossary must be a list of terms, each starting with '- id:'")
        return Glossary.of((), version), problems

    terms: list[Term] = []
    ids: dict[str, int] = {}
    forms: dict[str, tuple[str, int]] = {}
    for entry, line in zip(data, data.lines, strict=True):
        term = _parse_term(entry, line, problem)
        if term is None:
            continue
        if term.id in ids:
            problem(line, f'duplicate glossary id "{term.id}" (first used at line {ids[term.id]})')
            continue
        ids[term.id] = line
        duplicate = False
        for form in (term.term, *term.aliases):
            key = _words_key(form)
            if key in forms and forms[key][0] != term.id:
                first_id, first_line = forms[key]
                problem(
                    line,
                    f'duplicate glossary term "{form}": already used by "{first_id}"'
                    f" at line {first_line}",
                )
                duplicate = True
            forms.setdefault(key, (term.id, line))
        if not duplicate:
            terms.append(term)
    return Glossary.of(terms, version), problems


def _parse_term(entry: object, line: int, problem) -> Term | None:
    if not isinstance(entry, yamlines.LineDict):
        problem(line, "each glossary entry must have keys such as 'id:', 'term:', 'definition:'")
        return None
    ok = True
    for key, key_line in entry.duplicates:
        problem(key_line, f'"{key}" appears twice in this glossary entry')
        ok = False
    for key in entry:
        if key not in TERM_KEYS:
            problem(entry.lines[key], unknown("glossary key", key, TERM_KEYS))
            ok = False
    for key in REQUIRED_TERM_KEYS:
        if key not in entry:
            problem(entry.line, f'glossary entry is missing "{key}"')
            ok = False

    def text(key: str) -> str:
        nonlocal ok
        value = entry.get(key)
        if key in entry and (not isinstance(value, str) or not value.strip()):
            problem(entry.lines[key], f'"{key}" must be some text')
            ok = False
            return ""
        return " ".join(str(value or "").split())

    def texts(key: str) -> tuple[str, ...]:
        nonlocal ok
        value = entry.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problem(entry.lines[key], f'"{key}" must be a list of words or phrases')
            ok = False
            return ()
        return tuple(" ".join(v.split()) for v in value)

    term_id = text("id")
    if term_id and not ID_PATTERN.fullmatch(term_id):
        problem(
            entry.lines["id"],
            f'glossary id "{term_id}" must be lower-case letters, digits and hyphens,'
            " e.g. discharge-to-assess",
        )
        ok = False
    name, definition = text("term"), text("definition")
    aliases, abbreviations, sectors = texts("aliases"), texts("abbreviations"), texts("sectors")
    for sector in sectors:
        if sector not in SECTORS:
            problem(entry.lines["sectors"], unknown("sector", sector, SECTORS))
            ok = False

    meanings: list[Meaning] = []
    raw_meanings = entry.get("meanings", {})
    if not isinstance(raw_meanings, dict):
        problem(entry.lines["meanings"], '"meanings" must map profession codes to text')
        ok = False
    else:
        for code, meaning in raw_meanings.items():
            code_line = raw_meanings.lines[code]
            if code not in BY_CODE:
                problem(code_line, unknown("profession", code, tuple(BY_CODE)))
                ok = False
            elif not isinstance(meaning, str) or not meaning.strip():
                problem(code_line, f'the meaning for "{code}" must be some text')
                ok = False
            else:
                meanings.append(Meaning(code, " ".join(meaning.split())))
    if not ok:
        return None
    return Term(
        id=term_id,
        term=name,
        definition=definition,
        aliases=aliases,
        abbreviations=abbreviations,
        sectors=sectors,
        meanings=tuple(meanings),
    )
