"""Every report page takes as many queries for a lot of data as for a little: none per row.

One shared world holds two of everything, a small and a large side: a learner in 2 cohorts or
12, a trainer whose first cohort has 5 learners or 40, an employer with 5 staff or 40, all with
completions, attempts, certificates and CPD entries. Each test asks for the same page as the
small side and as the large side (or, for admin lists of everyone, before and after the large
side exists) and compares the number of SQL statements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

import pytest
from flask import Flask
from flask.testing import FlaskClient

from learning.extensions import db
from learning.models import (
    Certificate,
    Cohort,
    CohortGroup,
    CohortMember,
    Completion,
    CpdEntry,
    EnrolmentRoute,
    Membership,
    ModuleProgress,
    Organisation,
    OrganisationKind,
    ProgrammeItem,
    QuizAttempt,
    QuizResponse,
    RequiredTraining,
    Role,
    RoleGrant,
    User,
)
from learning.professions import Stage

from .conftest import PASSWORD

PROFESSIONS = ("nursing", "social-work", "occupational-therapy", "housing")
# The fixture course's items, in the order every cohort's programme lists them.
PROGRAMME = (
    ("module", "hospital-discharge"),
    ("quiz", "safeguarding-basics"),
    ("module", "roles-and-values"),
    ("quiz", "discharge-case"),
)
# Answers to the fixture quizzes, as attempts store them; the second set disagrees.
ANSWERS = {
    "safeguarding-basics": (
        [("who-leads", "the-local-authority"), ("dementia", False)],
        [("who-leads", "the-gp"), ("dementia", True)],
    ),
    "discharge-case": (
        [("admission", "plan-now"), ("home-visit", "equipment"), ("discharge-meeting", "package")],
        [("admission", "wait"), ("home-visit", "skip")],
    ),
}
OUTCOMES = {"discharge-case": ("home-safe", "readmitted")}


@dataclass(frozen=True)
class Size:
    label: str
    cohorts: int
    learners: int


SMALL = Size("small", cohorts=2, learners=5)
LARGE = Size("large", cohorts=12, learners=40)


@dataclass(frozen=True)
class Side:
    """One side of the world: whose pages are compared, and the ids their pages take."""

    size: Size
    learner: User  # in half the side's cohorts, invited to the others; programmes finished
    trainer: User  # owns the side's cohorts
    employer: User  # of the trust every learner of the side works for
    cohort_id: int  # the trainer's first cohort: every learner of the side, in groups
    learner_id: int


class World:
    """The two sides, each built the first time it is asked for."""

    def __init__(self, app: Flask, make_user: Callable[..., User]) -> None:
        self.app = app
        self.make_user = make_user

    @cached_property
    def admin(self) -> User:
        return self.make_user(Role.ADMIN, name="Ada Admin")

    @cached_property
    def small(self) -> Side:
        return self._build(SMALL)

    @cached_property
    def large(self) -> Side:
        return self._build(LARGE)

    def client(self, user: User) -> FlaskClient:
        """A client of its own, signed in as ``user`` through the sign-in form."""
        client = self.app.test_client()
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def _build(self, size: Size) -> Side:
        now = datetime.now(UTC).replace(microsecond=0)
        with self.app.app_context():
            trust = Organisation(name=f"Trust ({size.label})", kind=OrganisationKind.NHS_TRUST)
            db.session.add(trust)
            db.session.add_all(
                Organisation(name=f"Council {i} ({size.label})", kind=OrganisationKind.VOLUNTARY)
                for i in range(size.cohorts - 1)
            )
            db.session.commit()
            trust_id = trust.id
            db.session.expunge_all()
        trust = Organisation(id=trust_id)
        learner = self.make_user(name=f"Lee Learner ({size.label})", organisation=trust)
        trainer = self.make_user(Role.TRAINER, name=f"Tess Trainer ({size.label})")
        employer = self.make_user(Role.EMPLOYER, name=f"Emma Employer ({size.label})")
        with self.app.app_context():
            others = [
                User(
                    email=f"{size.label}-{i}@example.test",
                    name=f"Person {i} ({size.label})",
                    password_hash="not a hash: these people never sign in",
                    profession_code=PROFESSIONS[i % len(PROFESSIONS)],
                    stage=Stage.STUDENT if i % 3 == 0 else Stage.QUALIFIED,
                    organisation_id=trust_id,
                    membership=Membership.CONFIRMED,
                )
                for i in range(size.learners - 1)
            ]
            co_trainer = User(
                email=f"co-trainer-{size.label}@example.test",
                name=f"Colin Co-trainer ({size.label})",
                password_hash="not a hash",
                profession_code="housing",
                stage=Stage.QUALIFIED,
                role_grants=[RoleGrant(role=Role.TRAINER)],
            )
            # People who say they work at the trust, waiting or gone: listed, never counted.
            claimants = [
                User(
                    email=f"{size.label}-claimant-{i}@example.test",
                    name=f"Claimant {i} ({size.label})",
                    password_hash="not a hash",
                    profession_code=PROFESSIONS[i % len(PROFESSIONS)],
                    stage=Stage.QUALIFIED,
                    organisation_id=trust_id,
                    membership=Membership.PENDING if i % 2 else Membership.ENDED,
                )
                for i in range(size.learners // 4)
            ]
            db.session.add_all([*others, *claimants, co_trainer])
            db.session.flush()
            manager = db.session.get(User, employer.id)
            manager.organisation_id, manager.membership = trust_id, Membership.CONFIRMED
            everyone = [learner.id, *(o.id for o in others)]
            self._requirements(trust_id)
            cohort_ids = self._cohorts(
                size, trainer.id, co_trainer, everyone, [c.id for c in claimants], now
            )
            for n, user_id in enumerate(everyone):
                self._learning(user_id, n, now, repeats=size.cohorts if n == 0 else 1)
            self._records(size, learner.id, cohort_ids, now)
            db.session.commit()
        return Side(size, learner, trainer, employer, cohort_ids[0], learner.id)

    @staticmethod
    def _requirements(trust_id: int) -> None:
        db.session.add_all(
            [
                RequiredTraining(
                    organisation_id=trust_id,
                    kind="module",
                    slug="hospital-discharge",
                    refresh_months=12,
                ),
                RequiredTraining(organisation_id=trust_id, kind="quiz", slug="safeguarding-basics"),
                RequiredTraining(
                    organisation_id=trust_id,
                    kind="module",
                    slug="roles-and-values",
                    profession="nursing",
                    stage=Stage.QUALIFIED,
                    refresh_months=24,
                ),
            ]
        )

    @staticmethod
    def _cohorts(
        size: Size,
        trainer_id: int,
        co_trainer: User,
        everyone: list[int],
        invitees: list[int],
        now: datetime,
    ) -> list[int]:
        """The trainer's cohorts: the first has everyone, in groups of four (half of them
        joined long ago, half after some of their learning), and invitations to the claimants,
        waiting or declined; each other one has a few others and the learner, who accepted
        every other one and is invited to the rest. Every cohort has the whole programme."""
        cohorts = []
        for k in range(size.cohorts):
            cohort = Cohort(
                name=f"Cohort {k} ({size.label})",
                description="Learning together",
                starts_on=date(2026, 1, 1) + timedelta(days=k),
                owner_id=trainer_id,
                co_trainers=[co_trainer],
            )
            for position, (kind, slug) in enumerate(PROGRAMME):
                cohort.items.append(
                    ProgrammeItem(
                        position=position,
                        kind=kind,
                        slug=slug,
                        due_on=date(2026, 3, 1) if position else None,
                    )
                )
            db.session.add(cohort)
            cohorts.append(cohort)
        db.session.flush()
        groups = [
            CohortGroup(cohort_id=cohorts[0].id, number=g + 1)
            for g in range((len(everyone) + 3) // 4)
        ]
        db.session.add_all(groups)
        db.session.flush()
        long_ago = now - timedelta(days=365)
        for n, user_id in enumerate(everyone):
            db.session.add(
                CohortMember(
                    cohort_id=cohorts[0].id,
                    user_id=user_id,
                    route=EnrolmentRoute.PICKED,
                    accepted_at=long_ago if n % 2 == 0 else now - timedelta(days=20),
                    group_id=groups[n // 4].id,
                )
            )
        for n, user_id in enumerate(invitees):
            db.session.add(
                CohortMember(
                    cohort_id=cohorts[0].id,
                    user_id=user_id,
                    route=EnrolmentRoute.PICKED,
                    declined_at=now - timedelta(days=1) if n % 3 == 0 else None,
                )
            )
        for k, cohort in enumerate(cohorts[1:], start=1):
            for user_id in everyone[:3]:
                waiting = user_id == everyone[0] and k % 2 == 1
                db.session.add(
                    CohortMember(
                        cohort_id=cohort.id,
                        user_id=user_id,
                        route=EnrolmentRoute.UPLOAD,
                        accepted_at=None if waiting else long_ago,
                    )
                )
        return [c.id for c in cohorts]

    @staticmethod
    def _learning(user_id: int, n: int, now: datetime, *, repeats: int) -> None:
        """Reading, completions and attempts: the more so the smaller ``n``; the learner
        (``n == 0``) finishes everything, ``repeats`` times over."""
        for r in range(repeats):
            done = now - timedelta(days=30 * r + n)
            for kind, slug in PROGRAMME:
                if n == 0 or (kind, slug) == PROGRAMME[0] or n % 2 == 0:
                    db.session.add(
                        Completion(
                            user_id=user_id, kind=kind, slug=slug, version="v1", completed_at=done
                        )
                    )
        for kind, slug in PROGRAMME:
            if kind == "module" and (n == 0 or slug == "hospital-discharge" or n % 3 != 2):
                finished = n == 0 or slug == "hospital-discharge" or n % 2 == 0
                db.session.add(
                    ModuleProgress(
                        user_id=user_id,
                        module_slug=slug,
                        started_at=now - timedelta(days=60),
                        completed_at=now - timedelta(days=n) if finished else None,
                        completed_version="v1" if finished else None,
                    )
                )
        for slug, (good, poor) in ANSWERS.items():
            for r in range(repeats if n == 0 else 1 + n % 2):
                passed = n % 2 == 0 or n == 0
                attempt = QuizAttempt(
                    user_id=user_id,
                    quiz_slug=slug,
                    number=r + 1,
                    quiz_version="v1",
                    as_profession=PROFESSIONS[n % len(PROFESSIONS)],
                    started_at=now - timedelta(days=10 + r),
                    updated_at=now - timedelta(days=10 + r),
                    submitted_at=now - timedelta(days=10 + r),
                    score=4 if passed else 1,
                    max_score=5,
                    passed=passed,
                    outcome_step=OUTCOMES.get(slug, ("", ""))[0 if passed else 1] or None,
                )
                for sequence, (question, answer) in enumerate(good if passed else poor):
                    attempt.responses.append(
                        QuizResponse(
                            question_id=question,
                            sequence=sequence,
                            answer=answer,
                            points=1 if passed else 0,
                            correct=passed,
                        )
                    )
                db.session.add(attempt)
        if n % 4 == 1:  # someone halfway through a scenario
            db.session.add(
                QuizAttempt(
                    user_id=user_id,
                    quiz_slug="safeguarding-basics",
                    number=1 + (repeats if n == 0 else 1 + n % 2),  # after those taken above
                    quiz_version="v1",
                    as_profession=PROFESSIONS[n % len(PROFESSIONS)],
                )
            )

    @staticmethod
    def _records(size: Size, user_id: int, cohort_ids: list[int], now: datetime) -> None:
        """Certificates the learner downloaded and CPD entries they wrote."""
        for k, cohort_id in enumerate(cohort_ids):
            db.session.add(
                Certificate(
                    code=f"{size.label[0].upper()}{k:03d}-0000-0000-0000",
                    user_id=user_id,
                    kind="cohort",
                    ref=str(cohort_id),
                    title=f"Cohort {k} ({size.label})",
                    learner_name=f"Lee Learner ({size.label})",
                    completed_on=now.date(),
                    cpd_hours=1.5,
                )
            )
            db.session.add(
                CpdEntry(
                    user_id=user_id,
                    on=now.date() - timedelta(days=7 * k),
                    activity="reading",
                    topic=f"Journal article {k}",
                    hours=1,
                    learned="Something new",
                )
            )


@pytest.fixture
def world(app, make_user) -> World:
    """The shared small and large data for query counts; each side is built on first use."""
    return World(app, make_user)


def growing(world: World, count_queries, who: str, paths: list[str]) -> dict[str, tuple]:
    """The pages whose query count for the large side differs from the small side's, with
    both counts; the user ``who`` of each side asks for their own pages."""
    counts = {}
    for side in (world.small, world.large):
        client = world.client(getattr(side, who))
        for path in paths:
            counts.setdefault(path, []).append(count_queries(client, path.format(side=side)))
    return {path: tuple(n) for path, n in counts.items() if n[0] != n[1]}


LEARNER_PAGES = [
    "/dashboard",
    "/certificates",
    "/cpd",
    "/cpd/export",
    "/cpd/export.csv",
    "/cohorts",
    "/cohorts/{side.cohort_id}",
    "/modules",
    "/quizzes",
]
TRAINER_PAGES = [
    "/trainer/",
    "/trainer/cohorts/{side.cohort_id}",
    "/trainer/cohorts/{side.cohort_id}/learners",
    "/trainer/cohorts/{side.cohort_id}/progress",
    "/trainer/cohorts/{side.cohort_id}/progress.csv",
    "/trainer/cohorts/{side.cohort_id}/perspectives",
    "/trainer/cohorts/{side.cohort_id}/groups",
]
EMPLOYER_PAGES = [
    "/employer/",
    "/employer/compliance",
    "/employer/compliance.csv",
    "/employer/staff/{side.learner_id}",
    "/employer/joint-learning",
    "/employer/requirements",
    "/employer/people",
]
# Pages that list everyone: compared before and after the large side exists.
ADMIN_LISTS = ["/admin/", "/admin/?q=person", "/admin/organisations", "/trainer/"]


def test_a_learners_pages_take_as_many_queries_for_twelve_cohorts_as_for_two(world, count_queries):
    assert growing(world, count_queries, "learner", LEARNER_PAGES) == {}


def test_the_dashboards_compared_show_each_learner_their_required_training(world):
    for side in (world.small, world.large):
        page = world.client(side.learner).get("/dashboard").get_data(as_text=True)
        assert f"Training Trust ({side.size.label}) requires of you" in page
        assert "Roles and values" in page.split('id="required-heading"')[1].split("</section>")[0]


def test_a_trainers_pages_take_as_many_queries_for_forty_learners_as_for_five(world, count_queries):
    assert growing(world, count_queries, "trainer", TRAINER_PAGES) == {}


def test_an_employers_pages_take_as_many_queries_for_forty_staff_as_for_five(world, count_queries):
    assert growing(world, count_queries, "employer", EMPLOYER_PAGES) == {}


def test_an_admins_pages_take_as_many_queries_for_many_more_rows(world, count_queries):
    admin = world.client(world.admin)
    _ = world.small
    before = {path: count_queries(admin, path) for path in ADMIN_LISTS}
    _ = world.large
    after = {path: count_queries(admin, path) for path in ADMIN_LISTS}
    assert after == before
    people = [f"/admin/users/{side.learner_id}" for side in (world.small, world.large)]
    assert count_queries(admin, people[1]) == count_queries(admin, people[0])
