"""Every version of a module or quiz that a learner took is kept, so history reads as it was.

Each content file's sha256 is its version. An attempt stores the quiz's version when it starts,
a completion the version completed; the first of them to use a version also stores the file's
text (:class:`~learning.models.ContentVersion`, once per item and hash), in the same
transaction. Reviews, score bands, the perspectives view, achievements and the CPD record then
read the version the learner took, through the same loaders as the files: each stored version
is parsed once per worker and kept in memory by its hash, whose meaning never changes.

Versions used before their texts were kept fall back to today's file when its hash matches;
otherwise they are :data:`NOT_KEPT`, and pages say so. A kept version that today's code no
longer reads is :data:`UNREADABLE`, and pages say that instead of failing.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from .content import Module
from .content.catalogue import MODULES_DIR, read_module
from .curriculum import Curriculum
from .extensions import db
from .items import ItemKind
from .models import ContentVersion, utcnow
from .quizzes import Quiz, kinds, read_quiz
from .quizzes.loader import QUIZZES_DIR

log = logging.getLogger(__name__)

#: Where each kind of item lives under the content root.
FOLDERS = {ItemKind.MODULE: MODULES_DIR, ItemKind.QUIZ: QUIZZES_DIR}
#: Why the version taken cannot be shown: its text was not kept (used before texts were).
NOT_KEPT = "not-kept"
#: Why the version taken cannot be shown: today's code no longer reads its text.
UNREADABLE = "unreadable"

#: A version as stored attempts and completions name it: (kind, slug, content hash).
Ref = tuple[ItemKind, str, str]


# Keeping ---------------------------------------------------------------------------------


def keep(kind: ItemKind, slug: str, version: str) -> bool:
    """Store the text of this version of a module or quiz unless it is stored already; call
    it in the transaction of the attempt or completion that uses the version.

    Two workers keeping the same new version at once both succeed: the database keeps one row
    and neither fails. False, with a warning logged, when the file on disk is no longer that
    version (edited under a running worker), so there is no true text to keep.
    """
    kind = ItemKind(kind)
    path = f"{FOLDERS[kind]}/{slug}.md"
    root = str(Path(current_app.config["CONTENT_ROOT"]).resolve())
    try:
        source = _source(root, path, version)
    except (OSError, ValueError) as why:
        log.warning("the text of %s version %s is not kept: %s", path, version[:12], why)
        return False
    values = {
        "version": version,
        "kind": kind,
        "slug": slug,
        "path": path,
        "source": source,
        "kept_at": utcnow(),
    }
    db.session.execute(_insert_if_absent(values))
    return True


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _insert_if_absent(values: dict) -> sa.Insert:
    """INSERT ... ON CONFLICT DO NOTHING, in the database's own words."""
    dialect = db.session.get_bind(mapper=sa.inspect(ContentVersion)).dialect.name
    return _INSERTS[dialect](ContentVersion).values(values).on_conflict_do_nothing()


@functools.lru_cache(maxsize=256)
def _source(root: str, path: str, version: str) -> str:
    """The file's text, read once per worker and version; ValueError if it is another
    version now (not cached, so a file put back is found again)."""
    data = (Path(root) / path).read_bytes()
    if hashlib.sha256(data).hexdigest() != version:
        raise ValueError("the file on disk is another version now")
    text = data.decode("utf-8")  # not utf-8-sig: a byte-order mark is part of the version
    if "\x00" in text:
        raise ValueError("the file holds a NUL character, which a database text cannot")
    return text


# Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    """A module or quiz as a learner took it, beside today's version of the same file."""

    kind: ItemKind
    slug: str
    version: str
    #: The version taken, read as its file was; None when it cannot be shown (``missing``).
    item: Module | Quiz | None
    #: Today's version; None once its file is gone.
    current: Module | Quiz | None
    #: Why ``item`` is None: :data:`NOT_KEPT` or :data:`UNREADABLE` ("" when it is there).
    missing: str = ""

    @property
    def changed(self) -> bool:
        """Whether the file has changed (or gone) since the learner took it."""
        return self.current is None or self.current.version != self.version

    @property
    def shown(self) -> Module | Quiz | None:
        """What pages show: the version taken, else today's (with a notice that says so)."""
        return self.item if self.item is not None else self.current


def as_taken(content: Curriculum, wanted: Iterable[Ref]) -> dict[Ref, Taken]:
    """Each wanted version as taken, by ``(kind, slug, version)``.

    Today's versions and versions this worker has read before cost nothing; the others'
    texts come from one query, however many there are.
    """
    found: dict[Ref, Taken] = {}
    unread: dict[Ref, tuple[Hashable, Module | Quiz | None]] = {}
    for kind, slug, version in set(wanted):
        ref = (ItemKind(kind), slug, version)
        current = content.get((ref[0], slug))
        if current is not None and current.version == version:
            found[ref] = Taken(*ref, current, current)
            continue
        key = (*ref, _context(content, ref[0]))
        read = _READ.get(key)
        if read is None:
            unread[ref] = (key, current)
        else:
            found[ref] = _taken(ref, read, current)
    if unread:
        rows = db.session.execute(
            sa.select(
                ContentVersion.kind,
                ContentVersion.slug,
                ContentVersion.version,
                ContentVersion.path,
                ContentVersion.source,
            ).where(ContentVersion.version.in_(sorted({ref[2] for ref in unread})))
        )
        for kind, slug, version, path, source in rows:
            ref = (ItemKind(kind), slug, version)
            if ref not in unread:
                continue
            key, current = unread.pop(ref)
            read = _read(content, ref, path, source)
            _READ.put(key, read)
            found[ref] = _taken(ref, read, current)
        for ref, (_key, current) in unread.items():
            found[ref] = Taken(*ref, None, current, NOT_KEPT)
    return found


def quiz_as_taken(content: Curriculum, slug: str, version: str) -> Taken:
    """One quiz as a learner took it (one query at most)."""
    ref = (ItemKind.QUIZ, slug, version)
    return as_taken(content, [ref])[ref]


def _taken(ref: Ref, read: Module | Quiz | str, current: Module | Quiz | None) -> Taken:
    if isinstance(read, str):
        return Taken(*ref, None, current, read)
    return Taken(*ref, read, current)


def _context(content: Curriculum, kind: ItemKind) -> Hashable:
    """What reading a stored version depends on besides its text: the modules its links may
    name, and the question kinds (quizzes) or the glossary (modules) of today."""
    slugs = frozenset(content.modules.slugs)
    if kind == ItemKind.QUIZ:
        return slugs, kinds.names()
    return slugs, content.glossary.version


def _read(content: Curriculum, ref: Ref, path: str, source: str) -> Module | Quiz | str:
    """A stored version read with today's loader, or why it cannot be."""
    kind, slug, version = ref
    data = source.encode("utf-8")
    item: Module | Quiz | None
    if hashlib.sha256(data).hexdigest() != version or Path(path).stem != slug:
        log.warning("the stored text of %s is not version %s", path, version[:12])
        return UNREADABLE
    module_slugs = frozenset(content.modules.slugs)
    if kind == ItemKind.QUIZ:
        item, problems = read_quiz(data, path, module_slugs)
        if item is None:
            # A module it names may have gone since: read it without checking what it names.
            item, problems = read_quiz(data, path, None)
    else:
        item, problems = read_module(data, path, glossary=content.glossary, slugs=module_slugs)
    if item is None:
        log.warning(
            "version %s of %s no longer reads: %s",
            version[:12],
            path,
            "; ".join(str(p) for p in problems),
        )
        return UNREADABLE
    return item


class _Kept:
    """The stored versions this worker has read, by content hash and reading context: a
    bounded, thread-safe LRU (a hash names the same text in every database)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Module | Quiz | str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Module | Quiz | str | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Module | Quiz | str) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_READ = _Kept(256)
