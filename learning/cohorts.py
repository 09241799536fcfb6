"""Cohorts: trainers bring learners together on purpose, with a programme, groups and join codes.

Domain functions take explicit arguments, flush and never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from . import accounts, clock, enrolment, grouping, mix
from .extensions import db
from .models import (
    Cohort,
    CohortGroup,
    CohortMember,
    EnrolmentRoute,
    JoinCode,
    Organisation,
    ProgrammeItem,
    Role,
    User,
    active_member,
    cohort_trainer,
    staff_of,
    waiting_invitation,
)
from .professions import PROFESSIONS, Profession, Stage

#: Letters and digits that cannot be mistaken for each other when read aloud or typed.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 32**10: 50 bits, and joining is rate-limited
INVITATION_MAX_AGE = 14 * 24 * 3600


def audit_subject(cohort: Cohort) -> str:
    """How the audit trail names a cohort (its id stays true after a rename)."""
    return f"Cohort {cohort.id}: {cohort.name}"


def visible_to(user: User) -> sa.Select[tuple[Cohort]]:
    """The cohorts a person may manage: all for an admin, else those they own or co-train."""
    statement = sa.select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    if user.has_role(Role.ADMIN):
        return statement
    co_trained = sa.select(cohort_trainer.c.cohort_id).where(cohort_trainer.c.user_id == user.id)
    return statement.where(sa.or_(Cohort.owner_id == user.id, Cohort.id.in_(co_trained)))


def listed_for(user: User) -> list[Cohort]:
    """The cohorts on a trainer's page, with their co-trainers: the page says whose part is
    what, for every cohort at once."""
    statement = visible_to(user).options(selectinload(Cohort.co_trainers))
    return list(db.session.execute(statement).scalars())


def managed_by(cohort_id: int, user: User) -> Cohort | None:
    """The cohort, if this person may manage it."""
    return db.session.execute(visible_to(user).where(Cohort.id == cohort_id)).scalar_one_or_none()


def sizes(cohorts: Sequence[Cohort]) -> dict[int, int]:
    """How many active members each cohort has, in one query."""
    return dict(
        db.session.execute(
            sa.select(CohortMember.cohort_id, sa.func.count())
            .where(CohortMember.cohort_id.in_([c.id for c in cohorts]), active_member())
            .group_by(CohortMember.cohort_id)
        ).all()
    )


def learners_by_profession() -> list[tuple[Profession, int, int]]:
    """Everyone on the platform to draw on: per profession, students and qualified staff."""
    counts = {
        (code, stage): count
        for code, stage, count in db.session.execute(
            sa.select(User.profession_code, User.stage, sa.func.count(User.id)).group_by(
                User.profession_code, User.stage
            )
        )
    }
    return [
        (p, counts.get((p.code, Stage.STUDENT), 0), counts.get((p.code, Stage.QUALIFIED), 0))
        for p in PROFESSIONS
    ]


def trainers(excluding: User | None = None) -> sa.Select[tuple[User]]:
    """Everyone who holds the trainer role, by name (candidates for co-trainer)."""
    statement = accounts.search_users(role=Role.TRAINER)
    return statement if excluding is None else statement.where(User.id != excluding.id)


@dataclass(frozen=True)
class CohortDetails:
    """What a trainer says about a cohort when creating or editing it."""

    name: str
    description: str
    starts_on: date | None
    ends_on: date | None
    group_size: int
    mix_target: dict
    co_trainer_ids: tuple[int, ...] = ()


def create(owner: User, details: CohortDetails) -> Cohort:
    """A new cohort owned by ``owner``."""
    cohort = Cohort(owner=owner)
    db.session.add(cohort)
    update(cohort, details)
    return cohort


def update(cohort: Cohort, details: CohortDetails) -> None:
    """Change a cohort's details and co-trainers."""
    cohort.name = details.name.strip()
    cohort.description = details.description.strip()
    cohort.starts_on, cohort.ends_on = details.starts_on, details.ends_on
    cohort.group_size = details.group_size
    cohort.mix_target = details.mix_target
    wanted = set(details.co_trainer_ids) - {cohort.owner_id}
    chosen = (
        db.session.execute(trainers().where(User.id.in_(wanted))).scalars().all() if wanted else []
    )
    cohort.co_trainers = list(chosen)
    db.session.flush()


# Members ---------------------------------------------------------------------------------


def active_members(cohort: Cohort) -> sa.Select[tuple[CohortMember, User]]:
    """The cohort's members (who accepted, and were not removed since), by name."""
    return (
        sa.select(CohortMember, User)
        .join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort.id, active_member())
        .order_by(User.name, User.id)
    )


def invite(cohort: Cohort, users: Iterable[User], route: EnrolmentRoute) -> list[CohortMember]:
    """Invite people to a cohort: each becomes a member only by accepting (``accept``).

    Someone removed earlier, or who declined, gets a fresh invitation; members and people
    already invited are left as they are. Returns the invitations made.
    """
    return _place(cohort, users, route, accepted=False)


def enrol(cohort: Cohort, users: Iterable[User], route: EnrolmentRoute) -> list[CohortMember]:
    """Make people members at once, as if each accepted now; returns the places taken up.

    Only for a learner's own act (joining with a code) and for demo data standing for people
    who agreed. A trainer's pick or upload invites instead (``invite``).
    """
    return _place(cohort, users, route, accepted=True)


def _place(
    cohort: Cohort, users: Iterable[User], route: EnrolmentRoute, *, accepted: bool
) -> list[CohortMember]:
    users = [u for u in users if u.closed_at is None]  # a closed account is in no cohort
    if not users:
        return []
    existing = {
        m.user_id: m
        for m in db.session.execute(
            sa.select(CohortMember).where(
                CohortMember.cohort_id == cohort.id,
                CohortMember.user_id.in_([u.id for u in users]),
            )
        ).scalars()
    }
    now = clock.now()
    placed = []
    for user in users:
        member = existing.get(user.id)
        if member is None:
            member = CohortMember(cohort_id=cohort.id, user_id=user.id, route=route, joined_at=now)
            db.session.add(member)
            existing[user.id] = member
        elif member.active or (member.waiting and not accepted):
            continue
        elif not member.waiting:
            # Removed, or declined: a fresh place, carrying nothing over from the old one.
            member.route, member.joined_at = route, now
            member.declined_at = member.removed_at = member.group_id = None
        # A waiting invitation that the learner takes up by joining with a code keeps its date.
        member.accepted_at = now if accepted else None
        placed.append(member)
    db.session.flush()
    return placed


def invited(cohort: Cohort) -> sa.Select[tuple[CohortMember, User]]:
    """The cohort's invitations that are not accepted: waiting, or declined; by name."""
    return (
        sa.select(CohortMember, User)
        .join(User, User.id == CohortMember.user_id)
        .where(
            CohortMember.cohort_id == cohort.id,
            CohortMember.accepted_at.is_(None),
            CohortMember.removed_at.is_(None),
        )
        .order_by(User.name, User.id)
    )


def withdraw(cohort: Cohort, user_id: int) -> bool:
    """Take back an invitation that waits for an answer; False if there is none."""
    member = db.session.get(CohortMember, (cohort.id, user_id))
    if member is None or not member.waiting:
        return False
    member.removed_at = clock.now()
    db.session.flush()
    return True


def invitations_for(user: User) -> sa.Select[tuple[CohortMember]]:
    """The invitations waiting for a person's answer, newest first, with each cohort and
    the trainer who owns it."""
    return (
        sa.select(CohortMember)
        .options(
            joinedload(CohortMember.cohort).joinedload(Cohort.owner),
            joinedload(CohortMember.cohort).selectinload(Cohort.co_trainers),
        )
        .where(CohortMember.user_id == user.id, waiting_invitation())
        .order_by(CohortMember.joined_at.desc(), CohortMember.cohort_id.desc())
    )


def invitation(cohort_id: int, user: User) -> CohortMember | None:
    """A person's invitation to a cohort, if it waits for their answer."""
    member = db.session.get(CohortMember, (cohort_id, user.id))
    return member if member is not None and member.waiting else None


def accept(invitation: CohortMember) -> None:
    """The learner takes up the place: a member from now on, and the day they joined is the
    day from which the cohort's trainers see their work."""
    if not invitation.waiting:
        raise ValueError("only an invitation waiting for an answer can be accepted")
    invitation.accepted_at = clock.now()
    db.session.flush()


def decline(invitation: CohortMember) -> None:
    """The learner says no: the trainers see that they declined, and nothing else."""
    if not invitation.waiting:
        raise ValueError("only an invitation waiting for an answer can be declined")
    invitation.declined_at = clock.now()
    db.session.flush()


def people(user_ids: Iterable[int]) -> list[User]:
    """The accounts with these ids (unknown ids are left out)."""
    ids = list(user_ids)
    return list(db.session.execute(sa.select(User).where(User.id.in_(ids))).scalars())


def membership(cohort_id: int, user: User) -> CohortMember | None:
    """A learner's current membership of a cohort, if they accepted and are still in it."""
    member = db.session.get(CohortMember, (cohort_id, user.id))
    return member if member is not None and member.active else None


def group_members(member: CohortMember) -> list[User]:
    """The people in a member's group, by name (none when they are in no group)."""
    if member.group_id is None:
        return []
    return list(
        db.session.execute(
            sa.select(User)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.group_id == member.group_id, active_member())
            .order_by(User.name)
        ).scalars()
    )


def remove(cohort: Cohort, user_id: int) -> bool:
    """Take a learner out of a cohort; their records stay. False if they were not in it."""
    member = db.session.get(CohortMember, (cohort.id, user_id))
    if member is None or not member.active:
        return False
    member.removed_at = clock.now()
    member.group_id = None
    db.session.flush()
    return True


def candidates(
    cohort: Cohort, query: str = "", profession: str = "", organisation_id: int | None = None
) -> sa.Select[tuple[User]]:
    """People a trainer might invite: matching the search, neither members nor invited and
    waiting for an answer (someone who declined or was removed may be invited again), and
    not closed."""
    statement = accounts.search_users(query)
    current = sa.select(CohortMember.user_id).where(
        CohortMember.cohort_id == cohort.id, sa.or_(active_member(), waiting_invitation())
    )
    statement = statement.where(User.id.not_in(current), User.closed_at.is_(None))
    if profession:
        statement = statement.where(User.profession_code == profession)
    if organisation_id:
        statement = statement.where(staff_of(organisation_id))
    return statement


@dataclass(frozen=True)
class UploadProblem:
    """Something wrong with one line of an upload (line 0: the file as a whole)."""

    line: int
    message: str
    column: str = ""


# The mix ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MixSummary:
    """A cohort's mix against its target: numbers, warnings, the chart and its table."""

    mix: mix.Mix
    target: mix.MixTarget
    warnings: tuple[str, ...]
    chart: object
    rows: tuple[mix.MixRow, ...]


def target_of(cohort: Cohort) -> mix.MixTarget:
    """The cohort's mix target (the defaults if it has none or it no longer reads)."""
    try:
        return mix.MixTarget.from_dict(cohort.mix_target)
    except ValueError:
        return mix.MixTarget()


def mix_summary(cohort: Cohort, members: Iterable[User]) -> MixSummary:
    """The mix of these members against the cohort's target."""
    found = mix.mix_of((u.profession_code, u.stage.value) for u in members)
    target = target_of(cohort)
    return MixSummary(
        mix=found,
        target=target,
        warnings=tuple(mix.warnings(found, target)),
        chart=mix.mix_chart_svg(found, title=f"Learners in {cohort.name} by profession"),
        rows=mix.mix_table_rows(found),
    )


# Uploads ---------------------------------------------------------------------------------

UPLOAD_LIMIT = enrolment.MAX_BYTES


@dataclass(frozen=True)
class CheckedUpload:
    """An upload read and checked, before anything is written."""

    rows: tuple[enrolment.Row, ...]
    problems: tuple[UploadProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def read_upload(data: bytes) -> CheckedUpload:
    """Read an enrolment CSV; every problem is reported with its line and column."""
    sheet = enrolment.read_enrolment_csv(data)
    problems = tuple(
        UploadProblem(error.line or 0, error.message, error.column or "") for error in sheet.errors
    )
    return CheckedUpload(rows=sheet.rows, problems=problems)


@dataclass(frozen=True)
class UploadResult:
    """What an upload did (or, with problems, would not do)."""

    problems: tuple[UploadProblem, ...] = ()
    created: tuple[User, ...] = ()
    #: The people invited by this upload (members and people already invited are left out).
    invited: tuple[User, ...] = ()
    #: How many rows name someone already in the cohort or invited to it.
    already: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def enrol_upload(cohort: Cohort, rows: Sequence) -> UploadResult:
    """Invite everyone a checked upload lists, creating missing accounts: all or nothing.

    Each person, new account or not, becomes a member only by accepting. Rows name an
    organisation by name; an unknown organisation is a problem on that line. Uploading the
    same file again changes nothing.
    """
    organisations = {
        o.name.casefold(): o for o in db.session.execute(sa.select(Organisation)).scalars()
    }
    problems = [
        UploadProblem(
            row.line,
            f'unknown organisation "{row.organisation}": an administrator can add it first',
        )
        for row in rows
        if row.organisation and row.organisation.casefold() not in organisations
    ]
    if problems:
        return UploadResult(problems=tuple(problems))
    emails = [accounts.normalise_email(row.email) for row in rows]
    known = {
        u.email: u
        for u in db.session.execute(sa.select(User).where(User.email.in_(emails))).scalars()
    }
    created: list[User] = []
    people: list[User] = []
    for row, email in zip(rows, emails, strict=True):
        user = known.get(email)
        if user is None:
            organisation = organisations.get((row.organisation or "").casefold())
            user = accounts.register(
                accounts.NewPerson(
                    name=row.name,
                    email=email,
                    # Nobody knows this password: the invitation link sets a real one.
                    password=secrets.token_urlsafe(32),
                    profession=row.profession,
                    stage=row.stage,
                    organisation_id=organisation.id if organisation else None,
                )
            )
            created.append(user)
        people.append(user)
    invited = {m.user_id for m in invite(cohort, people, EnrolmentRoute.UPLOAD)}
    return UploadResult(
        created=tuple(created),
        invited=tuple(p for p in people if p.id in invited),
        already=sum(1 for p in people if p.id not in invited),
    )


def invitation_token(user: User, secret_key: str) -> str:
    """A link token for a new account to set its first password (valid 14 days, once)."""
    return accounts.reset_token(user, secret_key, salt=accounts.INVITATION)


# Join codes ------------------------------------------------------------------------------


def new_code() -> str:
    """A random join code, e.g. "K7PQ-M2XH-9A"."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_join_code(cohort: Cohort, expires_at: datetime) -> JoinCode:
    """A new code for this cohort; any earlier code is revoked."""
    now = clock.now()
    for old in db.session.execute(
        sa.select(JoinCode).where(JoinCode.cohort_id == cohort.id, JoinCode.revoked_at.is_(None))
    ).scalars():
        old.revoked_at = now
    code = JoinCode(cohort_id=cohort.id, code=new_code(), expires_at=expires_at)
    db.session.add(code)
    db.session.flush()
    return code


def current_join_code(cohort: Cohort) -> JoinCode | None:
    """The cohort's code that has not been revoked, if any (it may have expired)."""
    return db.session.execute(
        sa.select(JoinCode)
        .where(JoinCode.cohort_id == cohort.id, JoinCode.revoked_at.is_(None))
        .order_by(JoinCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def revoke_join_code(cohort: Cohort) -> None:
    """Stop the current code from working."""
    code = current_join_code(cohort)
    if code is not None:
        code.revoked_at = clock.now()
        db.session.flush()


def normalise_code(text: str) -> str:
    """Codes are typed with or without dashes or spaces, in any case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[:32]


def join(user: User, text: str) -> Cohort | None:
    """Join the cohort a code belongs to, if the code is usable; None otherwise. Typing the
    code is the learner's own consent, so they are a member at once."""
    code = db.session.execute(
        sa.select(JoinCode).where(JoinCode.code == normalise_code(text))
    ).scalar_one_or_none()
    if code is None or not code.usable(clock.now()):
        return None
    enrol(code.cohort, [user], EnrolmentRoute.JOIN_CODE)
    return code.cohort


def default_last_day(cohort: Cohort) -> date:
    """A new code's suggested last day: the cohort's start date if that is later than two
    weeks from today, else two weeks from today."""
    fortnight = clock.today() + timedelta(days=14)
    if cohort.starts_on and cohort.starts_on > fortnight:
        return cohort.starts_on
    return fortnight


# Programme -------------------------------------------------------------------------------


def add_item(cohort: Cohort, kind: str, slug: str, due_on: date | None) -> ProgrammeItem:
    """Add a module or scenario at the end of the programme."""
    item = ProgrammeItem(kind=kind, slug=slug, due_on=due_on, position=len(cohort.items))
    cohort.items.append(item)
    db.session.flush()
    return item


def remove_item(cohort: Cohort, item_id: int) -> bool:
    """Take an item out of the programme; learners' records of it stay."""
    item = next((i for i in cohort.items if i.id == item_id), None)
    if item is None:
        return False
    cohort.items.remove(item)
    for position, remaining in enumerate(cohort.items):
        remaining.position = position
    db.session.flush()
    return True


def move_item(cohort: Cohort, item_id: int, offset: int) -> bool:
    """Move an item up (-1) or down (+1) the programme."""
    items = list(cohort.items)
    index = next((n for n, i in enumerate(items) if i.id == item_id), None)
    if index is None or not 0 <= index + offset < len(items):
        return False
    items[index], items[index + offset] = items[index + offset], items[index]
    for position, item in enumerate(items):
        item.position = position
    cohort.items.sort(key=lambda i: i.position)
    db.session.flush()
    return True


def my_cohorts(user: User) -> sa.Select[tuple[Cohort]]:
    """The cohorts a learner belongs to (accepted, not removed), with their programmes."""
    return (
        sa.select(Cohort)
        .options(selectinload(Cohort.items))
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id, active_member())
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    )


# Groups ----------------------------------------------------------------------------------


def _learners(members: Sequence[tuple[CohortMember, User]]) -> list[grouping.Learner]:
    return [grouping.Learner(u.id, u.profession_code, u.stage.value) for _, u in members]


def current_allocation(
    cohort: Cohort, members: Sequence[tuple[CohortMember, User]]
) -> tuple[grouping.Allocation, list[CohortGroup], list[User]]:
    """The groups as they stand, the group rows in order, and members in no group yet."""
    rows = list(cohort.groups)
    index = {g.id: n for n, g in enumerate(rows)}
    groups: list[list[int]] = [[] for _ in rows]
    unplaced = []
    for member, user in members:
        if member.group_id in index:
            groups[index[member.group_id]].append(user.id)
        else:
            unplaced.append(user)
    allocation = grouping.Allocation(
        groups=tuple(tuple(sorted(g)) for g in groups),
        professions={u.id: u.profession_code for _, u in members},
        locked=frozenset(n for n, g in enumerate(rows) if g.locked),
        seed=cohort.group_seed,
    )
    return allocation, rows, unplaced


def allocate_groups(cohort: Cohort, *, size: int | None, count: int | None, seed: int) -> int:
    """Form groups afresh, keeping locked groups as they are; returns the number of groups."""
    members = db.session.execute(active_members(cohort)).all()
    locked_rows = [g for g in cohort.groups if g.locked]
    locked_ids = {g.id for g in locked_rows}
    in_locked: dict[int, list[int]] = {g.id: [] for g in locked_rows}
    for member, _ in members:
        if member.group_id in locked_ids:
            in_locked[member.group_id].append(member.user_id)
    locked_rows = [g for g in locked_rows if in_locked[g.id]]  # an emptied group is not kept
    allocation = grouping.allocate(
        _learners(members),
        size=size,
        groups=count,
        seed=seed,
        locked={n: in_locked[g.id] for n, g in enumerate(locked_rows)},
    )
    keep = {g.id for g in locked_rows}
    for member, _ in members:
        if member.group_id not in keep:
            member.group_id = None
    for group in list(cohort.groups):
        if group.id not in keep:
            cohort.groups.remove(group)
    db.session.flush()
    # Renumber in two steps so that numbers never collide on the way.
    for n, group in enumerate(locked_rows):
        group.number = -(n + 1)
    db.session.flush()
    rows: list[CohortGroup] = []
    for n in range(len(allocation.groups)):
        if n < len(locked_rows):
            group = locked_rows[n]
            group.number = n + 1
        else:
            group = CohortGroup(number=n + 1)
            cohort.groups.append(group)
        rows.append(group)
    db.session.flush()
    by_user = {member.user_id: member for member, _ in members}
    for group, ids in zip(rows, allocation.groups, strict=True):
        for user_id in ids:
            by_user[user_id].group_id = group.id
    cohort.group_seed = seed
    if size:
        cohort.group_size = size
    db.session.flush()
    return len(rows)


def move_to_group(cohort: Cohort, user_id: int, group_id: int | None) -> bool:
    """Move a learner by hand to another group of the cohort (or out of every group)."""
    member = db.session.get(CohortMember, (cohort.id, user_id))
    if member is None or not member.active:
        return False
    if group_id is not None and group_id not in {g.id for g in cohort.groups}:
        return False
    member.group_id = group_id
    db.session.flush()
    return True


def set_locked(cohort: Cohort, group_id: int, locked: bool) -> bool:
    """Lock a group so that forming groups again leaves it as it is (or unlock it)."""
    group = next((g for g in cohort.groups if g.id == group_id), None)
    if group is None:
        return False
    group.locked = locked
    db.session.flush()
    return True


def members_of(cohort_ids: Sequence[int]) -> dict[int, list[User]]:
    """The active members of several cohorts, in one query."""
    found: dict[int, list[User]] = {}
    if not cohort_ids:
        return found
    for cohort_id, user in db.session.execute(
        sa.select(CohortMember.cohort_id, User)
        .join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id.in_(cohort_ids), active_member())
    ):
        found.setdefault(cohort_id, []).append(user)
    return found


@dataclass(frozen=True)
class JointLearning:
    """The cohorts an organisation's staff took part in, each with how many of them and the
    cohort's mix; and how many staff were in a cohort that met its mix rule."""

    rows: tuple[tuple[Cohort, int, MixSummary], ...]
    staff_in_mixed: int


def joint_learning(organisation: Organisation) -> JointLearning:
    """Which cohorts the organisation's staff took part in, and whether each met the mix rule."""
    taking_part = db.session.execute(
        sa.select(Cohort, sa.func.count(CohortMember.user_id))
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .join(User, User.id == CohortMember.user_id)
        .where(staff_of(organisation.id), active_member())
        .group_by(Cohort.id)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    ).all()
    members = members_of([c.id for c, _ in taking_part])
    rows = tuple(
        (cohort, ours, mix_summary(cohort, members.get(cohort.id, [])))
        for cohort, ours in taking_part
    )
    mixed = [cohort.id for cohort, _, summary in rows if not summary.warnings]
    staff_in_mixed = db.session.execute(
        sa.select(sa.func.count(sa.distinct(CohortMember.user_id)))
        .join(User, User.id == CohortMember.user_id)
        .where(
            staff_of(organisation.id),
            active_member(),
            CohortMember.cohort_id.in_(mixed or [0]),
        )
    ).scalar_one()
    return JointLearning(rows, staff_in_mixed)
