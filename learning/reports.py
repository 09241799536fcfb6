"""Cohort reports: the progress matrix and the perspectives view.

Each report is a few set-based queries whatever the cohort's size, and hands templates and CSV
exports the same frozen rows, so the page and the file cannot disagree. A trainer's report
counts a learner's work from the moment they accepted their place (``accepted_at``): what
they did before joining stays theirs (and their employer's), never the cohort's.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from . import clock, versions
from .cpd import safe_cell
from .curriculum import Curriculum
from .extensions import db
from .items import ItemKind, ItemRef
from .models import (
    Cohort,
    CohortGroup,
    CohortMember,
    Completion,
    ModuleProgress,
    QuizAttempt,
    QuizResponse,
    User,
    UTCDateTime,
    active_member,
)
from .professions import BY_CODE, Stage
from .quizzes import Quiz

#: Cells with fewer learners than this are not shown, so nobody's answer can be inferred.
SMALLEST_CELL = 3
#: How many learners an export reads at a time: it holds one chunk in memory, whatever the total.
CHUNK = 1000


class Cell(enum.StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    PASSED = "passed"
    NOT_PASSED = "not-passed"

    @property
    def label(self) -> str:
        return {
            "not-started": "Not started",
            "in-progress": "In progress",
            "completed": "Completed",
            "passed": "Passed",
            "not-passed": "Not passed yet",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Status:
    """One learner's standing on one programme item."""

    cell: Cell
    on: datetime | None = None
    score: float | None = None
    overdue: bool = False

    @property
    def done(self) -> bool:
        return self.cell in (Cell.COMPLETED, Cell.PASSED)


@dataclass(frozen=True, slots=True)
class Column:
    """A programme item as a column of the matrix."""

    item_id: int
    kind: ItemKind
    slug: str
    title: str
    due_on: date | None

    @property
    def ref(self) -> ItemRef:
        """The module or quiz this column is about."""
        return ItemRef(self.kind, self.slug)


@dataclass(frozen=True, slots=True)
class Row:
    """A learner as a row of the matrix."""

    user_id: int
    name: str
    email: str
    profession: str
    stage: Stage
    group: str
    statuses: tuple[Status, ...]

    @property
    def done(self) -> int:
        return sum(1 for s in self.statuses if s.done)


SORTS = {
    "name": (User.name, User.id),
    "profession": (User.profession_code, User.name, User.id),
    "stage": (User.stage, User.name, User.id),
    "group": (CohortGroup.number, User.name, User.id),
}


def columns(cohort: Cohort, curriculum: Curriculum) -> tuple[Column, ...]:
    """The programme's items with their titles (an item whose file was removed keeps its slug)."""
    return tuple(
        Column(item.id, item.kind, item.slug, curriculum.title((item.kind, item.slug)), item.due_on)
        for item in cohort.items
    )


def members_query(
    cohort: Cohort,
    *,
    profession: str = "",
    stage: str = "",
    group: int | None = None,
    sort: str = "name",
) -> sa.Select:
    """Members (accepted, not removed) with their accounts and groups, filtered and sorted:
    one query."""
    statement = (
        sa.select(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .outerjoin(CohortGroup, CohortGroup.id == CohortMember.group_id)
        .options(contains_eager(CohortMember.user), contains_eager(CohortMember.group))
        .where(CohortMember.cohort_id == cohort.id, active_member())
    )
    if profession in BY_CODE:
        statement = statement.where(User.profession_code == profession)
    if stage in {s.value for s in Stage}:
        statement = statement.where(User.stage == Stage(stage))
    if group is not None:
        statement = statement.where(CohortGroup.number == group)
    return statement.order_by(*SORTS.get(sort, SORTS["name"]))


def progress_rows(
    cols: Sequence[Column],
    members: Sequence[CohortMember],
    today: date,
    *,
    since_joining: bool,
) -> list[Row]:
    """The matrix rows for these members: their statuses come from one more query.

    ``since_joining`` (a trainer's view; the members are of one cohort) counts only what each
    learner did from the moment they accepted their place: completions recorded since then,
    modules opened since then, attempts started since then. Without it (the learner's own
    view) their whole history counts.
    """
    ids = [member.user_id for member in members]
    module_slugs = [c.slug for c in cols if c.kind == ItemKind.MODULE]
    quiz_slugs = [c.slug for c in cols if c.kind == ItemKind.QUIZ]
    found: dict[tuple[int, str, str], Status] = {}
    if ids and (module_slugs or quiz_slugs):
        if since_joining:
            cohort_ids = {member.cohort_id for member in members}
            if len(cohort_ids) != 1:
                raise ValueError("a report since joining is about the members of one cohort")
            statement = _since_joining(cohort_ids.pop(), ids, module_slugs, quiz_slugs)
        else:
            statement = _all_along(ids, module_slugs, quiz_slugs)
        for user_id, kind, slug, on, started, score, passed in db.session.execute(statement):
            status = _status(kind, on, started, score, passed)
            earlier = found.get((user_id, kind, slug))
            if earlier is None or not earlier.done:  # a completion outranks an opening
                found[(user_id, kind, slug)] = status
    rows = []
    for member in members:
        user = member.user
        statuses = []
        for col in cols:
            status = found.get((user.id, col.kind, col.slug), Status(Cell.NOT_STARTED))
            if col.due_on and col.due_on < today and not status.done:
                status = Status(status.cell, status.on, status.score, overdue=True)
            statuses.append(status)
        rows.append(
            Row(
                user_id=user.id,
                name=user.name,
                email=user.email,
                profession=user.profession_code,
                stage=user.stage,
                group=member.group.name if member.group else "",
                statuses=tuple(statuses),
            )
        )
    return rows


def _quiz_columns():
    return (
        QuizAttempt.user_id,
        sa.literal(ItemKind.QUIZ.value),
        QuizAttempt.quiz_slug,
        sa.func.max(QuizAttempt.submitted_at),
        sa.func.min(QuizAttempt.started_at),
        sa.func.max(100 * QuizAttempt.score / sa.func.nullif(QuizAttempt.max_score, 0)),
        sa.func.max(sa.case((QuizAttempt.passed.is_(True), 1), else_=0)),
    )


def _all_along(ids: list[int], module_slugs: list[str], quiz_slugs: list[str]) -> sa.CompoundSelect:
    """Statuses from a learner's whole history: a module's first completion, every attempt."""
    modules = sa.select(
        ModuleProgress.user_id.label("user_id"),
        sa.literal(ItemKind.MODULE.value).label("kind"),
        ModuleProgress.module_slug.label("slug"),
        ModuleProgress.completed_at.label("on"),
        ModuleProgress.started_at.label("started"),
        sa.cast(sa.null(), sa.Float).label("score"),
        sa.cast(sa.null(), sa.Integer).label("passed"),
    ).where(ModuleProgress.user_id.in_(ids), ModuleProgress.module_slug.in_(module_slugs))
    quizzes = (
        sa.select(*_quiz_columns())
        .where(QuizAttempt.user_id.in_(ids), QuizAttempt.quiz_slug.in_(quiz_slugs))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_slug)
    )
    return sa.union_all(modules, quizzes)


def _since_joining(
    cohort_id: int, ids: list[int], module_slugs: list[str], quiz_slugs: list[str]
) -> sa.CompoundSelect:
    """Statuses from what each member did since accepting their place in the cohort.

    A module's progress row keeps only its first completion, which may be from before; the
    completion history keeps each one, so a module counts as completed by the first
    completion since joining, and as in progress if it was first opened since joining.
    """

    def joined(user_id: sa.ColumnElement[int], at: sa.ColumnElement) -> tuple:
        return (
            CohortMember,
            sa.and_(
                CohortMember.cohort_id == cohort_id,
                CohortMember.user_id == user_id,
                at >= CohortMember.accepted_at,
            ),
        )

    completed = (
        sa.select(
            Completion.user_id.label("user_id"),
            sa.literal(ItemKind.MODULE.value).label("kind"),
            Completion.slug.label("slug"),
            sa.func.min(Completion.completed_at).label("on"),
            sa.func.min(Completion.completed_at).label("started"),
            sa.cast(sa.null(), sa.Float).label("score"),
            sa.cast(sa.null(), sa.Integer).label("passed"),
        )
        .join(*joined(Completion.user_id, Completion.completed_at))
        .where(
            Completion.user_id.in_(ids),
            Completion.kind == ItemKind.MODULE,
            Completion.slug.in_(module_slugs),
        )
        .group_by(Completion.user_id, Completion.slug)
    )
    opened = (
        sa.select(
            ModuleProgress.user_id,
            sa.literal(ItemKind.MODULE.value),
            ModuleProgress.module_slug,
            sa.cast(sa.null(), UTCDateTime),
            ModuleProgress.started_at,
            sa.cast(sa.null(), sa.Float),
            sa.cast(sa.null(), sa.Integer),
        )
        .join(*joined(ModuleProgress.user_id, ModuleProgress.started_at))
        .where(ModuleProgress.user_id.in_(ids), ModuleProgress.module_slug.in_(module_slugs))
    )
    quizzes = (
        sa.select(*_quiz_columns())
        .join(*joined(QuizAttempt.user_id, QuizAttempt.started_at))
        .where(QuizAttempt.user_id.in_(ids), QuizAttempt.quiz_slug.in_(quiz_slugs))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_slug)
    )
    return sa.union_all(completed, opened, quizzes)


def _status(kind, on, started, score, passed) -> Status:
    if kind == ItemKind.MODULE:
        return Status(Cell.COMPLETED, on) if on else Status(Cell.IN_PROGRESS)
    if on is None:
        return Status(Cell.IN_PROGRESS)
    # From 0 to 100, as the marking counts it: a case's points can fall below nothing.
    share = None if score is None else min(100.0, max(0.0, score))
    return Status(Cell.PASSED if passed else Cell.NOT_PASSED, on, share)


def every_row(
    cols: Sequence[Column],
    members: sa.Select,
    today: date,
    *,
    chunk: int | None = None,
) -> Iterator[Row]:
    """The matrix rows of every member a :func:`members_query` finds, on all its pages, read a
    chunk at a time through a server-side cursor: one query for the members, one per chunk for
    their statuses (counted since joining, as the trainer's page counts them)."""
    found = db.session.execute(members.execution_options(yield_per=chunk or CHUNK)).scalars()
    for chunk_of_members in found.partitions():
        yield from progress_rows(cols, chunk_of_members, today, since_joining=True)


def csv_rows(cols: Sequence[Column], rows: Iterable[Row]) -> Iterator[list[str]]:
    """The matrix as CSV rows, made as they are asked for: a header, then one row per learner,
    as on the page. Cells that a spreadsheet would run as a formula are made safe."""
    header = ["Name", "Email", "Profession", "Stage", "Group"]
    for col in cols:
        header += [f"{col.title}: status", f"{col.title}: date", f"{col.title}: score"]
    yield [safe_cell(cell) for cell in header]
    for row in rows:
        line = [
            row.name,
            row.email,
            BY_CODE[row.profession].label if row.profession in BY_CODE else row.profession,
            row.stage.label,
            row.group,
        ]
        for status in row.statuses:
            label = status.cell.label + (" (overdue)" if status.overdue else "")
            line += [
                label,
                clock.day_of(status.on).isoformat() if status.on else "",
                f"{status.score:.0f}%" if status.score is not None else "",
            ]
        yield [safe_cell(cell) for cell in line]


# Perspectives ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Share:
    """How many of one column's learners gave one answer (None when suppressed)."""

    count: int | None
    percent: float | None


@dataclass(frozen=True, slots=True)
class PerspectiveColumn:
    key: str
    label: str
    learners: int

    @property
    def suppressed(self) -> bool:
        return self.learners < SMALLEST_CELL


@dataclass(frozen=True)
class Decision:
    """One question or case step, with the answers given, split by profession and by stage."""

    quiz: Quiz
    key: str
    title: str
    answers: tuple[str, ...]
    professions: tuple[PerspectiveColumn, ...]
    stages: tuple[PerspectiveColumn, ...]
    by_profession: dict[tuple[str, str], Share]
    by_stage: dict[tuple[str, str], Share]
    #: How far apart the professions' answers are (0 to 100); None with under two columns shown.
    divergence: float | None
    right: frozenset[str]
    #: Asked differently today: these learners took an earlier version (``quiz`` is that one).
    earlier: bool = False
    #: Learners who took a version whose text was not kept, counted as if they took ``quiz``.
    unkept: int = 0


@dataclass(frozen=True, slots=True)
class _Asked:
    """A decision as one version of a scenario asks it. Learners are compared only where
    their versions ask alike: the same heading, the same answers, the same right ones."""

    key: str
    title: str
    answers: tuple[str, ...]
    right: frozenset[str]
    #: Where the decision comes in its version, to list it in the author's order.
    position: int = field(compare=False)


def _asked(quiz: Quiz, known: dict[str, dict[str, _Asked]]) -> dict[str, _Asked]:
    """The decisions of one version of a quiz, by key (worked out once per version)."""
    if quiz.version not in known:
        shape = quiz.shape
        known[quiz.version] = {
            key: _Asked(key, shape.decision_title(quiz, key), *_order(quiz, key), position=n)
            for n, key in enumerate(shape.decision_keys(quiz))
        }
    return known[quiz.version]


def _order(quiz: Quiz, key: str) -> tuple[tuple[str, ...], frozenset[str]]:
    texts, right = quiz.shape.category_order(quiz, key)
    return tuple(texts), frozenset(right)


def perspectives(cohort: Cohort, content: Curriculum) -> list[Decision]:
    """Every decision of the programme's scenarios, ranked by how differently the professions
    answered. Uses each member's first submitted attempt started since they joined: their own
    first judgement as part of the cohort (attempts from before joining are not the cohort's).

    Each learner's answers are read with the version of the scenario they took, and compared
    like with like: a question asked alike in two versions is one decision; one whose
    heading, answers or right answers changed is one decision per way it was asked."""
    quizzes = content.quizzes
    slugs = [i.slug for i in cohort.items if i.kind == ItemKind.QUIZ and quizzes.get(i.slug)]
    if not slugs:
        return []
    first_attempts = (
        sa.select(
            QuizAttempt.id,
            sa.func.row_number()
            .over(
                partition_by=(QuizAttempt.user_id, QuizAttempt.quiz_slug),
                order_by=(QuizAttempt.submitted_at, QuizAttempt.id),
            )
            .label("n"),
        )
        .join(CohortMember, CohortMember.user_id == QuizAttempt.user_id)
        .where(
            CohortMember.cohort_id == cohort.id,
            active_member(),
            QuizAttempt.started_at >= CohortMember.accepted_at,
            QuizAttempt.quiz_slug.in_(slugs),
            QuizAttempt.submitted_at.is_not(None),
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            QuizAttempt.quiz_slug,
            QuizAttempt.quiz_version,
            QuizAttempt.user_id,
            User.profession_code,
            User.stage,
            QuizResponse.question_id,
            QuizResponse.answer,
            QuizResponse.correct,
            QuizResponse.points,
        )
        .join(
            first_attempts, sa.and_(first_attempts.c.id == QuizAttempt.id, first_attempts.c.n == 1)
        )
        .join(User, User.id == QuizAttempt.user_id)
        .join(QuizResponse, QuizResponse.attempt_id == QuizAttempt.id)
    ).all()
    # Every version taken, from one query at most.
    taken = versions.as_taken(content, {(ItemKind.QUIZ, row[0], row[1]) for row in rows})

    known: dict[str, dict[str, _Asked]] = {}
    # (slug, decision as asked) -> learner -> (profession, stage, answers)
    given: dict[tuple[str, _Asked], dict[int, tuple[str, Stage, tuple[str, ...]]]] = defaultdict(
        dict
    )
    asked_by: dict[tuple[str, _Asked], Quiz] = {}
    unkept: dict[tuple[str, _Asked], set[int]] = defaultdict(set)
    for slug, version, user_id, profession, stage, key, answer, correct, points in rows:
        version_taken = taken[(ItemKind.QUIZ, slug, version)]
        # A version whose text was not kept is read as today's: the best there is (and said).
        quiz = version_taken.shown
        asked = _asked(quiz, known).get(key)
        if asked is None:  # not a decision of the version taken
            continue
        answers = quiz.shape.categories(quiz, key, answer, correct, points)
        if answers or quiz.shape.counts_unanswered:
            group = (slug, asked)
            given[group][user_id] = (profession, stage, answers)
            asked_by.setdefault(group, quiz)
            if version_taken.item is None:
                unkept[group].add(user_id)

    decisions = []
    for slug in slugs:
        today = _asked(quizzes.get(slug), known)
        groups = sorted(
            (group for group in given if group[0] == slug),
            key=lambda g: (today.get(g[1].key) != g[1], g[1].position, g[1].title),
        )
        for group in groups:
            asked, learners = group[1], given[group]
            earlier = today.get(asked.key) != asked
            quiz = asked_by[group] if earlier else quizzes.get(slug)
            seen = {a for _, _, answers in learners.values() for a in answers}
            answers = asked.answers + tuple(sorted(seen - set(asked.answers)))
            by_prof, prof_cols = _split(learners, answers, lambda p, s: p)
            by_stage, stage_cols = _split(learners, answers, lambda p, s: s.value)
            decisions.append(
                Decision(
                    quiz=quiz,
                    key=asked.key,
                    title=asked.title,
                    answers=answers,
                    professions=tuple(
                        PerspectiveColumn(k, BY_CODE[k].label if k in BY_CODE else k, n)
                        for k, n in prof_cols
                    ),
                    stages=tuple(PerspectiveColumn(k, Stage(k).label, n) for k, n in stage_cols),
                    by_profession=by_prof,
                    by_stage=by_stage,
                    divergence=_divergence(by_prof, prof_cols, answers),
                    right=asked.right,
                    earlier=earlier,
                    unkept=len(unkept[group]),
                )
            )
    decisions.sort(key=lambda d: (d.divergence is None, -(d.divergence or 0)))
    return decisions


def _split(learners, answers, column_of):
    """Counts per (column, answer), suppressing columns of fewer than SMALLEST_CELL."""
    sizes: dict[str, int] = defaultdict(int)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for profession, stage, given in learners.values():
        column = column_of(profession, stage)
        sizes[column] += 1
        for answer in given:
            counts[(column, answer)] += 1
    columns = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    shares = {}
    for column, size in columns:
        for answer in answers:
            if size < SMALLEST_CELL:
                shares[(column, answer)] = Share(None, None)
            else:
                count = counts[(column, answer)]
                shares[(column, answer)] = Share(count, 100 * count / size)
    return shares, columns


def _divergence(shares, columns, answers) -> float | None:
    """The largest gap, in percentage points, between two professions on any one answer."""
    shown = [c for c, size in columns if size >= SMALLEST_CELL]
    if len(shown) < 2:
        return None
    return max(
        abs(shares[(a, answer)].percent - shares[(b, answer)].percent)
        for a, b in combinations(shown, 2)
        for answer in answers
    )
