"""People and facts about them. Content (modules, quizzes) lives in files, not here.

Relationships load lazily, one row's worth at a time. A query that reads a relationship for
many rows asks for it (``selectinload``, ``joinedload``), so no page runs a query per row.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import clock
from .extensions import db
from .items import ItemKind
from .professions import BY_CODE, Profession, Stage


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC (from the clock, so tests can freeze it)."""
    return clock.now()


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are stored as UTC and
    the zone is put back on load.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_class: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store an enum by its value as VARCHAR, the same on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    """Roles granted by an admin. Everyone is a learner; these add to that."""

    TRAINER = "trainer"
    EMPLOYER = "employer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"trainer": "Trainer", "employer": "Employer", "admin": "Administrator"}[self.value]

    @property
    def description(self) -> str:
        return {
            "trainer": "builds mixed cohorts and sees how each profession answered",
            "employer": "manages the required training of their organisation's staff",
            "admin": "manages people, roles and organisations",
        }[self.value]


class OrganisationKind(enum.StrEnum):
    """What sort of body an organisation is."""

    NHS_TRUST = "nhs-trust"
    LOCAL_AUTHORITY = "local-authority"
    HOUSING_PROVIDER = "housing-provider"
    UNIVERSITY = "university"
    CARE_PROVIDER = "care-provider"
    VOLUNTARY = "voluntary"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "nhs-trust": "NHS trust",
            "local-authority": "Local authority",
            "housing-provider": "Housing provider",
            "university": "University",
            "care-provider": "Care provider",
            "voluntary": "Voluntary organisation",
            "other": "Other",
        }[self.value]


class Membership(enum.StrEnum):
    """Where a person stands with the organisation they name: only confirmed members are staff."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {
            "pending": "Waiting for your employer to confirm",
            "confirmed": "Confirmed",
            "ended": "Left the organisation",
        }[self.value]


class Organisation(db.Model):
    """An employer or university that people belong to."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    """A person who signs in. Every user is a learner; roles add to that."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    profession_code: Mapped[str] = mapped_column("profession", sa.String(32), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    # A claim the person makes is pending until an employer of the organisation confirms it.
    membership: Mapped[Membership] = mapped_column(
        enum_column(Membership), default=Membership.PENDING
    )
    membership_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_number: Mapped[str | None] = mapped_column(sa.String(40))
    # Part of the session identifier: bumping it signs out every other session and cookie.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The person asked to close their account; an administrator completes it (learning.erasure).
    closure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Closed: personal data removed, the retained facts kept (see learning.erasure).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")
    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleGrant.user_id"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"

    def get_id(self) -> str:
        """Flask-Login's session identifier: id and session version."""
        return f"{self.id}:{self.session_version}"

    @property
    def profession(self) -> Profession:
        return BY_CODE[self.profession_code]

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.role_grants)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def staff_organisation(self) -> Organisation | None:
        """The organisation that has confirmed this person as staff, if any."""
        return self.organisation if self.membership is Membership.CONFIRMED else None


def staff_of(organisation_id: int | sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """The condition that a person is confirmed staff of the organisation (for any query)."""
    return sa.and_(User.organisation_id == organisation_id, User.membership == Membership.CONFIRMED)


class RoleGrant(db.Model):
    """A role an admin has granted to a user."""

    __tablename__ = "role_grant"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])


class ModuleProgress(db.Model):
    """A learner's progress through one module: opened, and perhaps completed.

    The module is named by slug; ``completed_version`` is the content hash in force when the
    learner completed it, so later edits to the file never rewrite the record.
    """

    __tablename__ = "module_progress"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    module_slug: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_version: Mapped[str | None] = mapped_column(sa.String(64))


class QuizAttempt(db.Model):
    """One go at a quiz: saved as the learner goes, graded once on submission.

    ``quiz_version`` is the content hash in force when the attempt started, so the attempt stays
    readable (and is reviewed against the version it was taken on) after the file changes.
    """

    __tablename__ = "quiz_attempt"
    # A learner's attempts at a quiz are numbered 1, 2, 3...: two clicks on Start at the same
    # moment take the same number and the database keeps one, so the quiz's limit holds.
    __table_args__ = (
        sa.Index("ix_quiz_attempt_user_quiz", "user_id", "quiz_slug"),
        sa.UniqueConstraint("user_id", "quiz_slug", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    quiz_slug: Mapped[str] = mapped_column(sa.String(100))
    #: This is the learner's n-th attempt at the quiz (see the unique constraint above).
    number: Mapped[int] = mapped_column(default=1)
    quiz_version: Mapped[str] = mapped_column(sa.String(64))
    #: The profession whose lens the case was played through (the learner's own by default).
    as_profession: Mapped[str] = mapped_column(sa.String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(sa.Float)
    max_score: Mapped[float | None] = mapped_column(sa.Float)
    passed: Mapped[bool | None] = mapped_column(sa.Boolean)
    #: Branching cases: the outcome step reached.
    outcome_step: Mapped[str | None] = mapped_column(sa.String(100))

    responses: Mapped[list[QuizResponse]] = relationship(
        back_populates="attempt",
        cascade="all, delete-orphan",
        order_by="QuizResponse.sequence",
    )

    @property
    def percent(self) -> float | None:
        """The score as a share of the most it could be, from 0 to 100 as the marking counts it:
        a case's wrong turns can take its points below nothing, never its percentage."""
        if self.score is None or not self.max_score:
            return None
        return min(100.0, max(0.0, 100 * self.score / self.max_score))


class QuizResponse(db.Model):
    """One answer in an attempt: to a question, or a decision at a step of a branching case.

    ``sequence`` orders decisions as they were made. Points and correctness are filled in when
    the attempt is graded, so reports can aggregate answers in SQL.
    """

    __tablename__ = "quiz_response"

    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("quiz_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    sequence: Mapped[int] = mapped_column(default=0)
    answer: Mapped[object] = mapped_column(sa.JSON)
    points: Mapped[float | None] = mapped_column(sa.Float)
    correct: Mapped[bool | None] = mapped_column(sa.Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="responses")


class EnrolmentRoute(enum.StrEnum):
    """How a learner came into a cohort."""

    PICKED = "picked"
    UPLOAD = "upload"
    JOIN_CODE = "join-code"


class Cohort(db.Model):
    """A group of learners a trainer brings together on purpose, with a programme."""

    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: The mix the trainer aims for (see learning.mix.MixTarget).
    mix_target: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    group_size: Mapped[int] = mapped_column(default=5)
    group_seed: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    co_trainers: Mapped[list[User]] = relationship(secondary="cohort_trainer")
    items: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="ProgrammeItem.position"
    )
    groups: Mapped[list[CohortGroup]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortGroup.number"
    )

    def is_trainer(self, user: User) -> bool:
        """Whether this person owns or co-trains the cohort."""
        return user.id == self.owner_id or any(t.id == user.id for t in self.co_trainers)


cohort_trainer = sa.Table(
    "cohort_trainer",
    db.metadata,
    sa.Column("cohort_id", sa.ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class CohortGroup(db.Model):
    """A small mixed group within a cohort."""

    __tablename__ = "cohort_group"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    number: Mapped[int]
    locked: Mapped[bool] = mapped_column(default=False)

    cohort: Mapped[Cohort] = relationship(back_populates="groups")

    @property
    def name(self) -> str:
        return f"Group {self.number}"


class CohortMember(db.Model):
    """A learner's place in a cohort. Removing a learner keeps the row (and their records).

    A trainer's pick and an upload make an invitation (``accepted_at`` None): the learner is a
    member only once they accept it, and their trainers see their work from that moment on,
    never their history from before. Joining with a code is itself consent (accepted at once).
    """

    __tablename__ = "cohort_member"

    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: When the invitation was made (or the learner joined with a code).
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    route: Mapped[EnrolmentRoute] = mapped_column(enum_column(EnrolmentRoute))
    #: When the learner agreed to join; None while the invitation waits for an answer.
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the learner said no to the invitation.
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cohort_group.id", ondelete="SET NULL")
    )

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship()
    group: Mapped[CohortGroup | None] = relationship()

    @property
    def active(self) -> bool:
        """A member: the place was accepted and has not been taken away since."""
        return self.accepted_at is not None and self.removed_at is None

    @property
    def waiting(self) -> bool:
        """An invitation that waits for the learner's answer."""
        return self.accepted_at is None and self.declined_at is None and self.removed_at is None


def active_member() -> sa.ColumnElement[bool]:
    """The condition that a cohort place is taken up: accepted and not removed (for any query)."""
    return sa.and_(CohortMember.accepted_at.is_not(None), CohortMember.removed_at.is_(None))


def waiting_invitation() -> sa.ColumnElement[bool]:
    """The condition that a cohort place is an invitation still waiting for an answer."""
    return sa.and_(
        CohortMember.accepted_at.is_(None),
        CohortMember.declined_at.is_(None),
        CohortMember.removed_at.is_(None),
    )


class ProgrammeItem(db.Model):
    """A module or scenario in a cohort's programme, in order, perhaps with a due date."""

    __tablename__ = "programme_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, length=10))
    slug: Mapped[str] = mapped_column(sa.String(100))
    due_on: Mapped[date | None] = mapped_column(sa.Date)

    cohort: Mapped[Cohort] = relationship(back_populates="items")


class JoinCode(db.Model):
    """A code (and link) that lets learners join a cohort themselves until it expires."""

    __tablename__ = "join_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class RequiredTraining(db.Model):
    """A module or scenario an organisation requires of its staff, or of some of them.

    ``profession`` and ``stage`` narrow who it applies to (None: everyone). ``refresh_months``
    is how long a completion lasts (None: once is enough); "due soon" starts ``due_soon_days``
    before it runs out.
    """

    __tablename__ = "required_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, length=10))
    slug: Mapped[str] = mapped_column(sa.String(100))
    profession: Mapped[str | None] = mapped_column(sa.String(32))
    stage: Mapped[Stage | None] = mapped_column(enum_column(Stage))
    refresh_months: Mapped[int | None]
    due_soon_days: Mapped[int] = mapped_column(default=60)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class Completion(db.Model):
    """Each time a learner completed a module or passed a scenario: the history that refresher
    dates are worked out from (a module's progress row keeps only the first completion)."""

    __tablename__ = "completion"
    __table_args__ = (sa.Index("ix_completion_user_item", "user_id", "kind", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, length=10))
    slug: Mapped[str] = mapped_column(sa.String(100))
    version: Mapped[str] = mapped_column(sa.String(64))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContentVersion(db.Model):
    """The source of a module or quiz file as it was at one version (its content hash).

    Content is files, and files change: a completion or attempt stores the version in force,
    and the first one to use a version stores its text here in the same transaction, so the
    version a learner took can always be read again. Kept once per item and hash; never
    changed. It names no one.
    """

    __tablename__ = "content_version"

    version: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, length=10), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    #: Where the file was, relative to the content root (``quizzes/<slug>.md``).
    path: Mapped[str] = mapped_column(sa.String(300))
    source: Mapped[str] = mapped_column(sa.Text)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(db.Model):
    """A certificate a learner downloaded, verifiable by its code at /verify/<code>.

    What it certifies is copied in when it is issued, so it reads the same after content or
    names change.
    """

    __tablename__ = "certificate"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "ref", "completed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # module, scenario, cohort programme
    ref: Mapped[str] = mapped_column(sa.String(100))  # slug, or cohort id
    title: Mapped[str] = mapped_column(sa.String(300))
    learner_name: Mapped[str] = mapped_column(sa.String(120))
    organisation_name: Mapped[str | None] = mapped_column(sa.String(200))
    completed_on: Mapped[date]
    cpd_hours: Mapped[float] = mapped_column(sa.Float)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class CpdEntry(db.Model):
    """A learning activity a learner records by hand for their CPD record."""

    __tablename__ = "cpd_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date]
    activity: Mapped[str] = mapped_column(sa.String(20))
    topic: Mapped[str] = mapped_column(sa.String(200))
    hours: Mapped[float] = mapped_column(sa.Float)
    participatory: Mapped[bool] = mapped_column(default=False)
    learned: Mapped[str] = mapped_column(sa.Text, default="")
    impact: Mapped[str] = mapped_column(sa.Text, default="")
    standard: Mapped[str] = mapped_column(sa.String(300), default="")
    peer_reflection: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RememberToken(db.Model):
    """A "keep me signed in" token, kept only as its SHA-256: used once, then replaced.

    It expires at a fixed time from the sign-in that made it; rotating it keeps that time.
    """

    __tablename__ = "remember_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EndedSession(db.Model):
    """A browser's session that signing out ended, kept (as its id's SHA-256) until it would
    have expired anyway, so a copy of its cookie is refused."""

    __tablename__ = "ended_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuditAction(enum.StrEnum):
    """What an audit entry records: every staff and administrator action, and every sign-in."""

    SIGNED_IN = "signed-in"
    SIGN_IN_REFUSED = "sign-in-refused"
    ROLES_CHANGED = "roles-changed"
    PERSON_MOVED = "person-moved"
    MEMBERSHIP_CONFIRMED = "membership-confirmed"
    MEMBERSHIP_ENDED = "membership-ended"
    RESET_LINK_MADE = "reset-link-made"
    SIGNED_OUT_EVERYWHERE = "signed-out-everywhere"
    ORGANISATION_CREATED = "organisation-created"
    ORGANISATION_EDITED = "organisation-edited"
    CERTIFICATE_REVOKED = "certificate-revoked"
    LEARNERS_ENROLLED = "learners-enrolled"
    LEARNERS_UPLOADED = "learners-uploaded"
    LEARNER_REMOVED = "learner-removed"
    COHORT_CREATED = "cohort-created"
    COHORT_EDITED = "cohort-edited"
    PROGRAMME_CHANGED = "programme-changed"
    JOIN_CODE_MADE = "join-code-made"
    JOIN_CODE_REVOKED = "join-code-revoked"
    GROUPS_FORMED = "groups-formed"
    GROUPS_CHANGED = "groups-changed"
    REQUIREMENT_ADDED = "requirement-added"
    REQUIREMENT_REMOVED = "requirement-removed"
    REPORT_DOWNLOADED = "report-downloaded"
    AUDIT_DOWNLOADED = "audit-downloaded"
    PERSONAL_DATA_DOWNLOADED = "personal-data-downloaded"
    LEARNERS_INVITED = "learners-invited"
    INVITATION_WITHDRAWN = "invitation-withdrawn"
    INVITATION_ACCEPTED = "invitation-accepted"
    INVITATION_DECLINED = "invitation-declined"
    OUTBOX_READ = "outbox-read"
    CLOSURE_REQUESTED = "closure-requested"
    CLOSURE_WITHDRAWN = "closure-withdrawn"
    ACCOUNT_CLOSED = "account-closed"
    RECORDS_PURGED = "records-purged"
    ACCOUNT_CREATED = "account-created"
    BACKUP_MADE = "backup-made"
    BACKUP_RESTORED = "backup-restored"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class AuditEntry(db.Model):
    """One line of the audit trail: who did what, to whom or what, when and from where.

    Append-only: the app adds entries (``audit.record``) and never edits or deletes them. The
    actor's and subject's names are copied in, so an entry still reads right after a rename.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, 40), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    actor_name: Mapped[str] = mapped_column(sa.String(254), default="")
    subject_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    address: Mapped[str] = mapped_column(sa.String(45), default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class OutboxMessage(db.Model):
    """An email to a person, written in the same transaction as the fact it reports, then sent.

    With a mail server configured, messages are sent after the commit and retried until they
    go (``sent_at``); without one they wait here, and administrators read them on the outbox
    page to pass each on by hand. A sent message keeps who, what and when, not its body, so no
    link that was in it stays readable.
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The account it is for, when there is one (a registration link has none yet).
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    #: When a worker took the message to send it; another leaves it alone until the claim
    #: lapses (``outbox.CLAIM_LEASE``), so a worker that dies mid-send loses nothing.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def render_migration_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our column types into migrations as plain SQLAlchemy types."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
