"""Closing an account (UK GDPR Article 17): the person asks, an administrator completes it.

Closing removes the person's personal data, or makes it irreversibly anonymous, and keeps
without their name the facts others rely on: what they completed and when, their scores,
and the certificates they may already have shown to someone (a verifier holding a code still
learns it was genuinely issued, and when). The retention rule (``learning.retention``,
``flask retention apply``) deletes those facts once the records retention period has passed
since the closure. The account's row stays, anonymised, so the ids in the audit trail and in
the kept facts still resolve.

:data:`PLAN` says what closing does to each table that names a person; a test fails when a
table is added without a decision here. Functions flush, never commit, and each records its
action in the audit trail in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from . import accounts, audit, clock
from .extensions import db
from .models import (
    AuditAction,
    Certificate,
    CohortMember,
    Completion,
    CpdEntry,
    Membership,
    ModuleProgress,
    OutboxMessage,
    QuizAttempt,
    QuizResponse,
    User,
    cohort_trainer,
)

if TYPE_CHECKING:
    from .quizzes import QuizCatalogue

#: Not an argon2 hash, so no password ever verifies against it (Django's "!" convention).
UNUSABLE_HASH = "!closed"

#: What closing does to each table with a column naming a person (tests check none is left
#: out). "Kept" rows are deleted by ``flask retention apply`` after the records period.
PLAN: dict[str, str] = {
    "user_account": (
        "anonymised: name and email become placeholders, password unusable, registration "
        "number and organisation removed, every session ended; the row stays, so ids resolve"
    ),
    "role_grant": "deleted (the roles they had, and nothing of the roles they granted)",
    "cohort_trainer": "deleted: they no longer train any cohort",
    "cohort": "kept: a cohort they own stays with its learners, its owner anonymised",
    "cohort_member": "ended (places and invitations withdrawn); deleted after the records period",
    "cpd_entry": "deleted: their own diary, with what they wrote",
    "quiz_response": (
        "what they typed in their own words removed; choices and marks kept for the records period"
    ),
    "quiz_attempt": "kept (quiz, version, dates, score) for the records period",
    "module_progress": "kept (opened, completed, version) for the records period",
    "completion": "kept for the records period: what an employer must be able to show",
    "certificate": (
        "kept (code, title, dates, hours, organisation) for the records period, without the "
        "name, so a code shown to someone can still be checked"
    ),
    "remember_token": "deleted: every remembered browser signed out",
    "outbox_message": "deleted: no email to them waits or is kept",
    "audit_entry": (
        "kept for the audit period; their name and email replaced by the placeholders in "
        "every entry naming them (the one redaction the trail allows)"
    ),
}


def placeholder_name(user_id: int) -> str:
    """The name a closed account is shown by."""
    return f"Closed account {user_id}"


def placeholder_email(user_id: int) -> str:
    """A unique address that can never receive mail (RFC 2606 reserves ``.invalid``)."""
    return f"closed-{user_id}@closed.invalid"


def request_closure(person: User, *, address: str | None) -> bool:
    """The person asks to close their account; False if it is closed or already asked."""
    if person.closed_at is not None or person.closure_requested_at is not None:
        return False
    person.closure_requested_at = clock.now()
    audit.record(AuditAction.CLOSURE_REQUESTED, actor=person, address=address, subject_user=person)
    return True


def withdraw_request(person: User, *, address: str | None) -> bool:
    """The person no longer wants their account closed; False if there was nothing to withdraw."""
    if person.closed_at is not None or person.closure_requested_at is None:
        return False
    asked = person.closure_requested_at
    person.closure_requested_at = None
    audit.record(
        AuditAction.CLOSURE_WITHDRAWN,
        actor=person,
        address=address,
        subject_user=person,
        details={"asked": asked.isoformat(timespec="seconds")},
    )
    return True


#: UK GDPR Article 12(3): a request is answered without undue delay, within one month.
RESPONSE_TIME = relativedelta(months=1)


def close_by(person: User) -> datetime | None:
    """When a request to close this account must be completed by, if there is one."""
    asked = person.closure_requested_at
    return asked + RESPONSE_TIME if asked is not None else None


def requests() -> sa.Select[tuple[User]]:
    """Accounts whose owners asked to close them, waiting for an administrator, oldest first."""
    return (
        sa.select(User)
        .where(User.closure_requested_at.is_not(None), User.closed_at.is_(None))
        .order_by(User.closure_requested_at, User.id)
    )


@dataclass(frozen=True)
class Closure:
    """What closing an account removed and kept, as the audit entry records it."""

    removed: dict[str, int]
    kept: dict[str, int]
    roles: tuple[str, ...]
    audit_entries_redacted: int


def close_account(
    person: User, *, by: User | None, address: str | None, quizzes: QuizCatalogue
) -> Closure:
    """Close the account: remove or anonymise every personal field, keep the retained facts,
    and record it (``by`` an administrator, or None from the command line).

    ``quizzes`` tells which stored answers are text the person typed (removed) and which are
    choices (kept with their marks). Raises ValueError if the account is already closed.
    """
    if person.closed_at is not None:
        raise ValueError(f"account {person.id} is already closed")
    now = clock.now()
    pid = person.id
    former_name, former_email = person.name, person.email
    organisation = person.organisation
    asked = person.closure_requested_at

    removed = {
        "cpd_entries": _delete(sa.delete(CpdEntry).where(CpdEntry.user_id == pid)),
        "typed_answers": _remove_typed_answers(pid, quizzes),
        "outbox_messages": _delete(
            sa.delete(OutboxMessage).where(
                sa.or_(
                    OutboxMessage.user_id == pid,
                    sa.func.lower(OutboxMessage.to_address) == former_email.lower(),
                )
            )
        ),
        "cohorts_trained": _delete(cohort_trainer.delete().where(cohort_trainer.c.user_id == pid)),
        **_end_cohort_places(pid, now),
    }
    roles = tuple(sorted(role.value for role in person.roles))
    person.role_grants.clear()
    accounts.end_sessions(person)  # every session cookie refused, every remember-me token gone
    db.session.execute(
        sa.update(Certificate)
        .where(Certificate.user_id == pid)
        .values(learner_name=placeholder_name(pid))
    )
    redacted = audit.redact(
        pid, {former_name: placeholder_name(pid), former_email: placeholder_email(pid)}
    )

    person.name = placeholder_name(pid)
    person.email = placeholder_email(pid)
    person.password_hash = UNUSABLE_HASH
    person.registration_number = None
    person.organisation = None
    person.membership = Membership.ENDED
    person.membership_changed_at = now
    person.closed_at = now
    db.session.flush()

    kept = {
        "completions": _count(Completion, pid),
        "module_progress": _count(ModuleProgress, pid),
        "quiz_attempts": _count(QuizAttempt, pid),
        "certificates": _count(Certificate, pid),
    }
    closure = Closure(removed=removed, kept=kept, roles=roles, audit_entries_redacted=redacted)
    audit.record(
        AuditAction.ACCOUNT_CLOSED,
        actor=by,
        address=address,
        subject_user=person,
        subject=f"Account {pid}",
        organisation=organisation,
        details={
            "asked": asked.isoformat(timespec="seconds") if asked else "no",
            "roles_removed": list(roles),
            **{f"removed_{k}": v for k, v in removed.items()},
            "audit_entries_redacted": redacted,
            **{f"kept_{k}": v for k, v in kept.items()},
        },
    )
    return closure


def _delete(statement: sa.Delete) -> int:
    return db.session.execute(statement).rowcount


def _count(model: type, user_id: int) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(model).where(model.user_id == user_id)
    ).scalar_one()


def _remove_typed_answers(user_id: int, quizzes: QuizCatalogue) -> int:
    """Blank every answer the person wrote in their own words; choices and marks stay."""
    found = db.session.execute(
        sa.select(QuizResponse, QuizAttempt.quiz_slug)
        .join(QuizAttempt, QuizResponse.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.user_id == user_id)
    ).all()
    removed = 0
    for response, slug in found:
        quiz = quizzes.get(slug)
        # A quiz whose file is gone could have asked anything: its answers all go.
        if (quiz is None or quiz.shape.typed(quiz, response.question_id)) and response.answer:
            response.answer = ""
            removed += 1
    return removed


def _end_cohort_places(user_id: int, now: datetime) -> dict[str, int]:
    """Withdraw waiting invitations and end the places taken; the rows stay until purged."""
    mine = sa.and_(CohortMember.user_id == user_id, CohortMember.removed_at.is_(None))
    waiting = mine & CohortMember.accepted_at.is_(None) & CohortMember.declined_at.is_(None)
    invitations = db.session.execute(
        sa.select(sa.func.count()).select_from(CohortMember).where(waiting)
    ).scalar_one()
    ended = db.session.execute(sa.update(CohortMember).where(mine).values(removed_at=now)).rowcount
    return {"invitations_withdrawn": invitations, "cohort_places_ended": ended - invitations}
