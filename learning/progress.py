"""Learners' progress through the modules. Functions flush, never commit."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from . import clock, versions
from .content import Catalogue, Module
from .extensions import db
from .items import ItemKind
from .models import Completion, ModuleProgress, User


class Status(enum.StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {
            "not-started": "Not started",
            "in-progress": "In progress",
            "completed": "Completed",
        }[self.value]


@dataclass(frozen=True, slots=True)
class ModuleStatus:
    """Where a learner stands with one module."""

    status: Status
    completed_at: datetime | None = None
    #: True when the module's file has changed since the learner completed it.
    updated_since: bool = False


NOT_STARTED = ModuleStatus(Status.NOT_STARTED)


def _status(row: ModuleProgress | None, module: Module) -> ModuleStatus:
    if row is None:
        return NOT_STARTED
    if row.completed_at is None:
        return ModuleStatus(Status.IN_PROGRESS)
    return ModuleStatus(
        Status.COMPLETED, row.completed_at, updated_since=row.completed_version != module.version
    )


def _progress(user: User, slug: str) -> ModuleProgress | None:
    return db.session.get(ModuleProgress, (user.id, slug))


def open_module(user: User, module: Module) -> ModuleStatus:
    """Note that a learner has opened a module; return their status with it."""
    row = _progress(user, module.slug)
    if row is None:
        row = ModuleProgress(user_id=user.id, module_slug=module.slug)
        db.session.add(row)
        db.session.flush()
    return _status(row, module)


#: A module completed again after this long counts as a refresher (for required training).
REFRESHER_AFTER = timedelta(days=30)


def complete_module(user: User, module: Module) -> ModuleStatus:
    """Record that a learner completed a module. Repeating it soon changes nothing; reading it
    again after REFRESHER_AFTER records a refresher (the first completion is kept)."""
    row = _progress(user, module.slug)
    if row is None:
        row = ModuleProgress(user_id=user.id, module_slug=module.slug)
        db.session.add(row)
    now = clock.now()
    if row.completed_at is None:
        row.completed_at = now
        row.completed_version = module.version
        record_completion(user.id, ItemKind.MODULE, module.slug, module.version, now)
    elif can_refresh(user, module.slug, now):
        row.completed_version = module.version
        record_completion(user.id, ItemKind.MODULE, module.slug, module.version, now)
    db.session.flush()
    return _status(row, module)


def record_completion(user_id: int, kind: ItemKind, slug: str, version: str, on: datetime) -> None:
    """Add to the history of completions that required training is measured against, and
    keep the text of the version completed."""
    versions.keep(kind, slug, version)
    db.session.add(
        Completion(user_id=user_id, kind=kind, slug=slug, version=version, completed_at=on)
    )


def last_completed(user: User, kind: ItemKind, slug: str) -> datetime | None:
    """When the learner last completed this module or passed this scenario."""
    return db.session.execute(
        sa.select(sa.func.max(Completion.completed_at)).where(
            Completion.user_id == user.id, Completion.kind == kind, Completion.slug == slug
        )
    ).scalar_one_or_none()


def can_refresh(user: User, slug: str, now: datetime) -> bool:
    """Whether reading a completed module again would count as a refresher."""
    last = last_completed(user, ItemKind.MODULE, slug)
    return last is not None and now - last >= REFRESHER_AFTER


def module_statuses(user: User, modules: Iterable[Module]) -> dict[str, ModuleStatus]:
    """A learner's status with each module, in one query."""
    modules = list(modules)
    rows = {
        row.module_slug: row
        for row in db.session.execute(
            sa.select(ModuleProgress).where(
                ModuleProgress.user_id == user.id,
                ModuleProgress.module_slug.in_([m.slug for m in modules]),
            )
        ).scalars()
    }
    return {m.slug: _status(rows.get(m.slug), m) for m in modules}


@dataclass(frozen=True, slots=True)
class Summary:
    """A learner's progress across the catalogue, for the dashboard."""

    total: int
    completed: int
    in_progress: int
    next_module: Module | None
    cpd_hours: float


def summary(user: User, catalogue: Catalogue) -> Summary:
    """Counts, hours and the next module to read: the first in progress, else the first new
    module written for the learner's profession, else any new module."""
    statuses = module_statuses(user, catalogue.modules)
    done = [m for m in catalogue.modules if statuses[m.slug].status is Status.COMPLETED]
    started = [m for m in catalogue.modules if statuses[m.slug].status is Status.IN_PROGRESS]
    fresh = [m for m in catalogue.modules if statuses[m.slug].status is Status.NOT_STARTED]
    mine = [m for m in fresh if m.is_for(user.profession_code)]
    next_module = (started or mine or fresh or [None])[0]
    return Summary(
        total=len(catalogue.modules),
        completed=len(done),
        in_progress=len(started),
        next_module=next_module,
        cpd_hours=sum(m.cpd_hours for m in done),
    )
