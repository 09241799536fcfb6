"""The retention rule: how long things are kept, which accounts to review, and the purge.

The periods are configuration (``RETENTION_*``, stated on the privacy notice):

- a closed account's retained facts (completions, module progress, attempts with their
  marks, certificates, cohort places) are kept ``RETENTION_RECORD_YEARS`` after the closure,
  then deleted; the anonymised account row stays, holding nothing about anyone;
- audit entries are kept ``RETENTION_AUDIT_YEARS`` from when they were made, then deleted
  (the second exception to the trail's append-only rule, ``audit.purge``);
- an account nobody has signed in to for ``RETENTION_INACTIVE_MONTHS`` is listed for an
  administrator to review; nothing is closed without one.

Only ``flask retention apply`` deletes, through :func:`apply`: idempotent (a second run finds
nothing), and recorded in the audit trail with its counts. Functions flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import selectinload

from . import audit
from .extensions import db
from .models import (
    AuditAction,
    AuditEntry,
    Certificate,
    CohortMember,
    Completion,
    ModuleProgress,
    QuizAttempt,
    QuizResponse,
    User,
)


@dataclass(frozen=True)
class Periods:
    """The retention periods in force."""

    record_years: int
    audit_years: int
    inactive_months: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Periods:
        """The periods the app is configured with."""
        return cls(
            record_years=config["RETENTION_RECORD_YEARS"],
            audit_years=config["RETENTION_AUDIT_YEARS"],
            inactive_months=config["RETENTION_INACTIVE_MONTHS"],
        )

    def records_kept_until(self, closed_at: datetime) -> datetime:
        """When the retained facts of an account closed at ``closed_at`` are deleted."""
        return closed_at + relativedelta(years=self.record_years)


def last_seen() -> sa.ColumnElement[datetime]:
    """When an account was last used: its last sign-in, or its creation if it never signed in."""
    return sa.func.coalesce(User.last_login_at, User.created_at)


def inactive(now: datetime, months: int) -> sa.Select[tuple[User]]:
    """Open accounts unused for ``months`` or more, the longest unused first."""
    return (
        sa.select(User)
        .options(selectinload(User.organisation))
        .where(User.closed_at.is_(None), last_seen() < now - relativedelta(months=months))
        .order_by(last_seen(), User.id)
    )


@dataclass(frozen=True)
class Purge:
    """What the retention rule deleted (or, in a dry run, would delete)."""

    records_before: datetime
    audit_before: datetime
    accounts: int = 0
    completions: int = 0
    module_progress: int = 0
    quiz_attempts: int = 0
    answers: int = 0
    certificates: int = 0
    cohort_places: int = 0
    audit_entries: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Every count by name."""
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}

    @property
    def anything(self) -> bool:
        """Whether there is anything to delete."""
        return any(self.counts.values())


#: The retained facts of a closed account, in the order they are deleted (answers first).
_FACTS = (
    ("completions", Completion),
    ("module_progress", ModuleProgress),
    ("certificates", Certificate),
    ("cohort_places", CohortMember),
)


def apply(now: datetime, periods: Periods, *, dry_run: bool = False, by: str = "") -> Purge:
    """Delete what is past its retention period: the retained facts of accounts closed more
    than the records period ago, and audit entries older than the audit period. Records what
    it did in the audit trail (``records-purged``, by the operator ``by`` names); a dry run
    only counts."""
    records_before = now - relativedelta(years=periods.record_years)
    audit_before = now - relativedelta(years=periods.audit_years)
    expired = sa.select(User.id).where(User.closed_at < records_before).scalar_subquery()
    attempts = sa.select(QuizAttempt.id).where(QuizAttempt.user_id.in_(expired))
    answers = QuizResponse.attempt_id.in_(attempts)
    counts = {
        "answers": _count(QuizResponse, answers),
        "quiz_attempts": _count(QuizAttempt, QuizAttempt.user_id.in_(expired)),
        **{name: _count(model, model.user_id.in_(expired)) for name, model in _FACTS},
        "audit_entries": _count(AuditEntry, AuditEntry.at < audit_before),
    }
    holders = [sa.select(model.user_id).where(model.user_id.in_(expired)) for _, model in _FACTS]
    holders.append(sa.select(QuizAttempt.user_id).where(QuizAttempt.user_id.in_(expired)))
    counts["accounts"] = db.session.execute(
        sa.select(sa.func.count()).select_from(sa.union(*holders).subquery())
    ).scalar_one()
    purge = Purge(records_before=records_before, audit_before=audit_before, **counts)
    if dry_run or not purge.anything:
        return purge

    db.session.execute(sa.delete(QuizResponse).where(answers))
    db.session.execute(sa.delete(QuizAttempt).where(QuizAttempt.user_id.in_(expired)))
    for _, model in _FACTS:
        db.session.execute(sa.delete(model).where(model.user_id.in_(expired)))
    audit.purge(audit_before)
    audit.record(
        AuditAction.RECORDS_PURGED,
        actor=None,
        actor_name=by,
        address=None,
        subject="Retention rule (flask retention apply)",
        details={
            **purge.counts,
            "records_of_accounts_closed_before": records_before.date().isoformat(),
            "audit_entries_made_before": audit_before.date().isoformat(),
        },
    )
    return purge


def _count(model: type, condition: sa.ColumnElement[bool]) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(model).where(condition)
    ).scalar_one()
