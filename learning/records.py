"""A learner's records: what they have achieved, certificates for it, and their CPD record.

Domain functions take explicit arguments, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from . import certificates, clock, cpd, reports, versions
from .curriculum import Curriculum
from .extensions import db
from .items import ItemKind
from .models import (
    Certificate,
    Cohort,
    CohortMember,
    Completion,
    CpdEntry,
    ProgrammeItem,
    QuizAttempt,
    QuizResponse,
    User,
    active_member,
)

#: What a certificate is for, as pages and certificates name it, by its stored kind.
KIND_LABELS = {**{k.value: k.noun for k in ItemKind}, "cohort": "cohort programme"}


@dataclass(frozen=True, slots=True)
class Achievement:
    """Something a learner may have a certificate for."""

    kind: str  # an ItemKind, or "cohort"
    ref: str
    title: str
    completed_on: date
    cpd_hours: float


def _day(value: datetime | date) -> date:
    return clock.day_of(value) if isinstance(value, datetime) else value


def achievements(user: User, curriculum: Curriculum) -> list[Achievement]:
    """Completed modules, passed scenarios and finished cohort programmes, newest first."""
    found: list[Achievement] = []
    first_done: dict[tuple[str, str], tuple[str, datetime]] = {}
    for kind, slug, version, on in db.session.execute(
        sa.select(Completion.kind, Completion.slug, Completion.version, Completion.completed_at)
        .where(Completion.user_id == user.id)
        .order_by(Completion.completed_at, Completion.id)
    ):
        first_done.setdefault((kind, slug), (version, on))
    # Titles and hours as they were in the version first completed.
    taken = versions.as_taken(curriculum, [(*item, v) for item, (v, _) in first_done.items()])
    for (kind, slug), (version, on) in first_done.items():
        content = taken[(kind, slug, version)].shown
        if content is not None:
            found.append(Achievement(kind, slug, content.title, _day(on), content.cpd_hours))
    memberships = (
        db.session.execute(
            sa.select(CohortMember)
            .options(joinedload(CohortMember.cohort).selectinload(Cohort.items))
            .where(CohortMember.user_id == user.id, active_member())
        )
        .scalars()
        .all()
    )
    programmes = {m.cohort_id: reports.columns(m.cohort, curriculum) for m in memberships}
    # Every programme's items at once, so the statuses take one query however many cohorts.
    items = {(c.kind, c.slug): c for cols in programmes.values() for c in cols}
    if items:
        # The learner's own record: their whole history counts, from before joining too.
        row = reports.progress_rows(
            list(items.values()), memberships[:1], clock.today(), since_joining=False
        )[0]
        status = dict(zip(items, row.statuses, strict=True))
        for membership in memberships:
            cols = programmes[membership.cohort_id]
            done = [status[(c.kind, c.slug)] for c in cols]
            if cols and all(s.done for s in done):
                finished = max(_day(s.on) for s in done if s.on)
                hours = sum(_hours(c, curriculum) for c in cols)
                cohort = membership.cohort
                found.append(Achievement("cohort", str(cohort.id), cohort.name, finished, hours))
    found.sort(key=lambda a: (a.completed_on, a.title), reverse=True)
    return found


def _hours(col: reports.Column, curriculum: Curriculum) -> float:
    content = curriculum.get(col.ref)
    return content.cpd_hours if content is not None else 0.0


def issue(user: User, achievement: Achievement) -> Certificate:
    """The learner's certificate for an achievement, made the first time it is asked for."""
    existing = db.session.execute(
        sa.select(Certificate).where(
            Certificate.user_id == user.id,
            Certificate.kind == achievement.kind,
            Certificate.ref == achievement.ref,
            Certificate.completed_on == achievement.completed_on,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    certificate = Certificate(
        code=certificates.new_code(),
        user_id=user.id,
        kind=achievement.kind,
        ref=achievement.ref,
        title=achievement.title,
        learner_name=user.name,
        organisation_name=user.staff_organisation.name if user.staff_organisation else None,
        completed_on=achievement.completed_on,
        cpd_hours=achievement.cpd_hours,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def certificates_of(user: User) -> list[Certificate]:
    """Every certificate a person has been issued, newest first."""
    return list(
        db.session.execute(
            sa.select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at.desc())
        ).scalars()
    )


def revoke(certificate: Certificate) -> None:
    """Mark a certificate as revoked (once: the first revocation's time is kept)."""
    if certificate.revoked_at is None:
        certificate.revoked_at = clock.now()
        db.session.flush()


def by_code(text: str) -> Certificate | None:
    """The certificate a typed or scanned code names, if any."""
    code = certificates.normalise_code(text)
    if not code:
        return None
    return db.session.execute(
        sa.select(Certificate).where(Certificate.code == code)
    ).scalar_one_or_none()


def pdf(certificate: Certificate, *, platform: str, verify_url: str) -> bytes:
    """The certificate as a PDF."""
    return certificates.render_pdf(
        certificates.CertificateData(
            learner_name=certificate.learner_name,
            title=certificate.title,
            kind=KIND_LABELS[certificate.kind],
            completed_on=certificate.completed_on,
            cpd_hours=certificate.cpd_hours,
            platform_name=platform,
            verification_code=certificate.code,
            verify_url=verify_url,
            organisation_name=certificate.organisation_name,
        )
    )


# CPD record ------------------------------------------------------------------------------


def add_cpd_entry(
    user: User,
    *,
    on: date,
    activity: str,
    topic: str,
    hours: float,
    participatory: bool = False,
    learned: str = "",
    impact: str = "",
    standard: str = "",
    peer_reflection: bool = False,
) -> CpdEntry:
    """Record a learning activity the learner enters by hand."""
    entry = CpdEntry(
        user_id=user.id,
        on=on,
        activity=activity,
        topic=topic,
        hours=hours,
        participatory=participatory,
        learned=learned,
        impact=impact,
        standard=standard,
        peer_reflection=peer_reflection,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_cpd_entry(user: User, entry_id: int) -> bool:
    """Delete an entry the learner added by hand; False if they have no such entry."""
    entry = db.session.get(CpdEntry, entry_id)
    if entry is None or entry.user_id != user.id:
        return False
    db.session.delete(entry)
    db.session.flush()
    return True


def cpd_entries(user: User, curriculum: Curriculum) -> list[cpd.Entry]:
    """The learner's whole CPD record: automatic entries from completions (participatory
    when the item was part of one of their cohorts), manual entries, and reflections written
    in scenarios (as drafts to finish)."""
    in_cohorts = {
        (kind, slug)
        for kind, slug in db.session.execute(
            sa.select(ProgrammeItem.kind, ProgrammeItem.slug)
            .join(CohortMember, CohortMember.cohort_id == ProgrammeItem.cohort_id)
            .where(CohortMember.user_id == user.id, active_member())
        )
    }
    completions = list(
        db.session.execute(sa.select(Completion).where(Completion.user_id == user.id)).scalars()
    )
    reflections = db.session.execute(
        sa.select(QuizAttempt, QuizResponse)
        .join(QuizResponse, QuizResponse.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.submitted_at.is_not(None))
    ).all()
    # Titles, hours and questions as they were in the versions taken, from one query at most.
    taken = versions.as_taken(
        curriculum,
        [(c.kind, c.slug, c.version) for c in completions]
        + [(ItemKind.QUIZ, a.quiz_slug, a.quiz_version) for a, _ in reflections],
    )
    entries: list[cpd.Entry] = []
    for completion in completions:
        content = taken[(completion.kind, completion.slug, completion.version)].shown
        if content is None:
            continue
        together = (completion.kind, completion.slug) in in_cohorts
        entries.append(
            cpd.Entry(
                id=f"{completion.kind}-{completion.id}",
                on=clock.day_of(completion.completed_at),
                activity=(
                    cpd.Activity.GROUP
                    if together
                    else cpd.Activity.COURSE
                    if completion.kind == ItemKind.MODULE
                    else cpd.Activity.SCENARIO
                ),
                topic=content.title,
                hours=content.cpd_hours,
                participatory=together,
                source=cpd.Source.COHORT
                if together
                else (
                    cpd.Source.MODULE if completion.kind == ItemKind.MODULE else cpd.Source.SCENARIO
                ),
            )
        )
    for row in db.session.execute(sa.select(CpdEntry).where(CpdEntry.user_id == user.id)).scalars():
        entries.append(
            cpd.Entry(
                id=row.id,
                on=row.on,
                activity=row.activity,
                topic=row.topic,
                hours=row.hours,
                participatory=row.participatory,
                learned=row.learned,
                impact=row.impact,
                standard=row.standard,
                peer_reflection=row.peer_reflection,
            )
        )
    for attempt, response in reflections:
        quiz = taken[(ItemKind.QUIZ, attempt.quiz_slug, attempt.quiz_version)].shown
        written = quiz and quiz.shape.reflection(quiz, response.question_id, response.answer)
        if not written:
            continue
        entries.append(
            cpd.Entry(
                id=f"reflection-{attempt.id}-{response.question_id}",
                on=clock.day_of(attempt.submitted_at),
                activity=cpd.Activity.OTHER,
                topic=f"Reflection: {quiz.title}",
                hours=0,
                learned=response.answer,
                source=cpd.Source.REFLECTION,
                draft=True,
            )
        )
    entries.sort(key=lambda e: (e.on, str(e.id)), reverse=True)
    return entries
