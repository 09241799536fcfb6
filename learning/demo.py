"""Demo data: the organisations, staff and learners a reviewer meets on first run.

``load`` is idempotent: it creates what is missing and leaves what exists alone. Everything
it records (reading, attempts, decisions, completions, requirements, CPD entries) goes
through the domain functions the views call, so the demo cannot drift from the real thing;
past events are recorded by holding the clock at the moment each one happened.
"""

from __future__ import annotations

import functools
import hashlib
import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from . import (
    accounts,
    attempts,
    audit,
    clock,
    cohorts,
    compliance,
    enrolment,
    erasure,
    notify,
    progress,
    records,
)
from .content import Catalogue
from .curriculum import Curriculum
from .extensions import db
from .items import ItemKind
from .models import (
    AuditAction,
    AuditEntry,
    Cohort,
    CpdEntry,
    EnrolmentRoute,
    ModuleProgress,
    Organisation,
    OrganisationKind,
    QuizAttempt,
    RequiredTraining,
    Role,
    User,
)
from .professions import Stage
from .quizzes import QuizCatalogue

TRUST = "Riverside NHS Foundation Trust"
COUNCIL = "Northfield City Council Adult Social Care"
HOMES = "Northfield Homes"
UNIVERSITY = "Northfield University"

ORGANISATIONS = (
    (TRUST, OrganisationKind.NHS_TRUST),
    (COUNCIL, OrganisationKind.LOCAL_AUTHORITY),
    (HOMES, OrganisationKind.HOUSING_PROVIDER),
    (UNIVERSITY, OrganisationKind.UNIVERSITY),
)

Q = Stage.QUALIFIED
S = Stage.STUDENT


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    profession: str
    stage: Stage
    organisation: str | None
    registration_number: str | None = None
    roles: tuple[Role, ...] = ()
    # Said they work for the organisation; its employer has not confirmed it yet.
    pending: bool = False


#: The named accounts of the README, then learners enough to fill mixed cohorts.
PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("admin@demo.test", "Alex Morgan", "other", Q, None, roles=(Role.ADMIN,)),
    DemoPerson(
        "trainer@demo.test",
        "Dr Helen Okafor",
        "social-work",
        Q,
        UNIVERSITY,
        "SW58213",
        roles=(Role.TRAINER,),
    ),
    DemoPerson(
        "employer@demo.test",
        "Gareth Lloyd",
        "nursing",
        Q,
        TRUST,
        "98A1234E",
        roles=(Role.EMPLOYER,),
    ),
    DemoPerson(
        "employer.council@demo.test",
        "Sunita Patel",
        "social-work",
        Q,
        COUNCIL,
        "SW41877",
        roles=(Role.EMPLOYER,),
    ),
    DemoPerson("nurse@demo.test", "Grace Adeyemi", "nursing", Q, TRUST, "12B3456E"),
    DemoPerson("socialworker@demo.test", "Tom Brennan", "social-work", Q, COUNCIL, "SW60321"),
    DemoPerson("ot@demo.test", "Priya Sharma", "occupational-therapy", Q, TRUST, "OT61234"),
    DemoPerson("housing@demo.test", "Marcus Campbell", "housing", Q, HOMES),
    DemoPerson("student.nurse@demo.test", "Chloe Evans", "nursing", S, UNIVERSITY),
    DemoPerson("student.sw@demo.test", "Yusuf Hassan", "social-work", S, UNIVERSITY),
    # Riverside NHS Foundation Trust
    DemoPerson("aisha.rahman@demo.test", "Aisha Rahman", "nursing", Q, TRUST, "15C7781E"),
    DemoPerson("daniel.kowalski@demo.test", "Daniel Kowalski", "nursing", Q, TRUST, "09D2213E"),
    DemoPerson("mei.lin@demo.test", "Mei Lin", "occupational-therapy", Q, TRUST, "OT70455"),
    DemoPerson("olumide.bello@demo.test", "Olumide Bello", "nursing", Q, TRUST, "17A9902E"),
    DemoPerson("sarah.whitfield@demo.test", "Sarah Whitfield", "physiotherapy", Q, TRUST),
    DemoPerson("james.oconnor@demo.test", "James O'Connor", "medicine", Q, TRUST),
    # Northfield City Council Adult Social Care
    DemoPerson("fatima.ali@demo.test", "Fatima Ali", "social-work", Q, COUNCIL, "SW77012"),
    DemoPerson("rhys.davies@demo.test", "Rhys Davies", "social-work", Q, COUNCIL, "SW52290"),
    DemoPerson(
        "hannah.greenwood@demo.test",
        "Hannah Greenwood",
        "occupational-therapy",
        Q,
        COUNCIL,
        "OT58810",
    ),
    DemoPerson("kojo.boateng@demo.test", "Kojo Boateng", "social-care", Q, COUNCIL),
    # Northfield Homes
    DemoPerson("lucy.barker@demo.test", "Lucy Barker", "housing", Q, HOMES),
    DemoPerson("imran.siddiqui@demo.test", "Imran Siddiqui", "housing", Q, HOMES),
    DemoPerson("joanne.price@demo.test", "Joanne Price", "housing", Q, HOMES),
    # Northfield University students
    DemoPerson("ella.murphy@demo.test", "Ella Murphy", "nursing", S, UNIVERSITY),
    DemoPerson("kofi.mensah@demo.test", "Kofi Mensah", "nursing", S, UNIVERSITY),
    DemoPerson("zara.hussain@demo.test", "Zara Hussain", "social-work", S, UNIVERSITY),
    DemoPerson("ben.taylor@demo.test", "Ben Taylor", "social-work", S, UNIVERSITY),
    DemoPerson("amelia.wright@demo.test", "Amelia Wright", "occupational-therapy", S, UNIVERSITY),
    DemoPerson("nathan.hughes@demo.test", "Nathan Hughes", "occupational-therapy", S, UNIVERSITY),
    DemoPerson("leah.thompson@demo.test", "Leah Thompson", "housing", S, UNIVERSITY),
    DemoPerson("samuel.osei@demo.test", "Samuel Osei", "housing", S, UNIVERSITY),
    # Waiting for their employer to confirm them
    DemoPerson(
        "liam.foster@demo.test", "Liam Foster", "nursing", Q, TRUST, "21E4410E", pending=True
    ),
    DemoPerson("nadia.khan@demo.test", "Nadia Khan", "social-work", Q, COUNCIL, pending=True),
)

#: The accounts the README and ``make run`` list, with what each shows.
NAMED_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("admin@demo.test", "administrator"),
    ("trainer@demo.test", "trainer"),
    ("employer@demo.test", "employer, Riverside NHS Foundation Trust"),
    ("employer.council@demo.test", "employer, Northfield City Council"),
    ("nurse@demo.test", "qualified nurse"),
    ("socialworker@demo.test", "qualified social worker"),
    ("ot@demo.test", "qualified occupational therapist"),
    ("housing@demo.test", "qualified housing officer"),
    ("student.nurse@demo.test", "student nurse"),
    ("student.sw@demo.test", "student social worker"),
)


#: Modules the named demo learners have completed, and the one each is reading now.
READING: dict[str, tuple[tuple[str, ...], str | None]] = {
    "nurse@demo.test": (("introduction", "nursing", "hospital-discharge"), "social-work"),
    "socialworker@demo.test": (
        ("introduction", "social-work", "safeguarding-adults", "mental-capacity"),
        "housing",
    ),
    "ot@demo.test": (("introduction", "occupational-therapy"), "hospital-discharge"),
    "housing@demo.test": (("introduction", "housing"), "safeguarding-adults"),
    "student.nurse@demo.test": (("introduction",), "nursing"),
    "student.sw@demo.test": ((), "introduction"),
}


def load(password: str, content: Curriculum | None = None) -> dict[str, int]:
    """Create whatever demo organisations, people, reading progress and scenario attempts are
    missing; return what was created. Without ``content``, only organisations and people."""
    catalogue = content.modules if content is not None else None
    quizzes = content.quizzes if content is not None else None
    existing = {o.name: o for o in db.session.execute(sa.select(Organisation)).scalars()}
    created = {"organisations": 0, "people": 0}
    for name, kind in ORGANISATIONS:
        if name not in existing:
            existing[name] = accounts.create_organisation(name, kind)
            created["organisations"] += 1

    emails = set(db.session.execute(sa.select(User.email)).scalars())
    if db.session.execute(sa.select(User.id).where(User.closed_at.is_not(None)).limit(1)).first():
        emails.add(CLOSED[0])  # the demo's closed account keeps no trace of its address
    for person in PEOPLE:
        if person.email in emails:
            continue
        user = accounts.register(
            accounts.NewPerson(
                name=person.name,
                email=person.email,
                password=password,
                profession=person.profession,
                stage=person.stage,
                organisation_id=existing[person.organisation].id if person.organisation else None,
                registration_number=person.registration_number,
            )
        )
        if person.organisation and not person.pending:
            accounts.confirm_membership(user)
        for role in person.roles:
            accounts.grant_role(user, role)
        created["people"] += 1
    created["progress"] = _load_progress(catalogue) if catalogue is not None else 0
    cohorts_made, wanted = (
        _load_cohorts(catalogue, quizzes)
        if catalogue is not None and quizzes is not None
        else (0, {})
    )
    created["cohorts"] = cohorts_made
    created["attempts"] = (
        _load_attempts(quizzes, catalogue, wanted)
        if catalogue is not None and quizzes is not None
        else 0
    )
    created["requirements"] = _load_requirements(catalogue, quizzes) if catalogue else 0
    created["records"] = _load_records(catalogue, quizzes) if catalogue and quizzes else 0
    created["audit"] = _load_audit()
    created["privacy"] = _load_privacy(content) if content is not None else 0
    return created


def _load_progress(catalogue: Catalogue) -> int:
    """Give the demo learners a realistic spread of module progress, once."""
    learners = {
        u.email: u
        for u in db.session.execute(
            sa.select(User).where(User.email.in_([p.email for p in PEOPLE if not p.roles]))
        ).scalars()
    }
    if (
        not learners
        or db.session.execute(
            sa.select(ModuleProgress.user_id).where(
                ModuleProgress.user_id.in_([u.id for u in learners.values()])
            )
        ).first()
    ):
        return 0
    chance = random.Random(2026)  # noqa: S311 - demo data, not security
    slugs = [m.slug for m in catalogue.modules]
    now = clock.now()
    rows = 0
    for email, user in sorted(learners.items()):
        done, reading = READING.get(email) or (
            tuple(chance.sample(slugs, k=chance.randint(0, min(4, len(slugs))))),
            chance.choice([*slugs, None]) if slugs else None,
        )
        for n, slug in enumerate(done):
            module = catalogue.get(slug)
            if module is None:
                continue
            started = now - timedelta(days=120 - 20 * n, hours=chance.randint(0, 12))
            finished = started + timedelta(minutes=module.minutes + chance.randint(5, 90))
            with clock.frozen(started):
                progress.open_module(user, module)
            with clock.frozen(finished):
                progress.complete_module(user, module)
            rows += 1
        module = catalogue.get(reading) if reading and reading not in done else None
        if module is not None:
            with clock.frozen(now - timedelta(days=chance.randint(1, 14))):
                progress.open_module(user, module)
            rows += 1
    db.session.flush()
    return rows


def _leaning(profession: str, question_id: str) -> float:
    """How likely a profession's demo learners are to get a question right: stable, varied,
    so the perspectives view has real differences to show."""
    digest = hashlib.sha256(f"{profession}/{question_id}".encode()).digest()
    return 0.45 + 0.5 * digest[0] / 255


def _load_attempts(quizzes: QuizCatalogue, modules: Catalogue, wanted: dict[int, set[str]]) -> int:
    """Give the demo learners submitted attempts on several scenarios, once: most of their
    cohorts' scenarios, and a few others. Each is taken as a learner takes it: started,
    answered (or decided) a minute a question, and submitted after the quiz's minutes."""
    learners = list(
        db.session.execute(
            sa.select(User)
            .where(User.email.in_([p.email for p in PEOPLE if not p.roles]))
            .order_by(User.id)
        ).scalars()
    )
    if not learners or not len(quizzes):
        return 0
    if db.session.execute(
        sa.select(QuizAttempt.id).where(QuizAttempt.user_id.in_([u.id for u in learners]))
    ).first():
        return 0
    chance = random.Random(42)  # noqa: S311 - demo data, not security
    now = clock.now()
    made = 0
    for user in learners:
        profession = user.profession_code
        chosen = {q.slug for q in chance.sample(list(quizzes), k=min(len(quizzes), 2))}
        chosen |= {slug for slug in sorted(wanted.get(user.id, ())) if chance.random() < 0.85}
        for quiz in (q for q in quizzes if q.slug in chosen):
            started = now - timedelta(days=chance.randint(2, 90), minutes=chance.randint(0, 600))
            with clock.frozen(started):
                attempt = attempts.start(user, quiz, profession)
            leaning = functools.partial(_leaning, profession)
            play = quiz.shape.demo_play(quiz, profession, chance, leaning)
            for n, (key, answer) in enumerate(play):
                with clock.frozen(started + timedelta(minutes=n + 1)):
                    attempts.respond(attempt, quiz, key, answer)
            with clock.frozen(started + timedelta(minutes=quiz.minutes)):
                attempts.submit(attempt, quiz, Curriculum(modules, quizzes))
            made += 1
    db.session.flush()
    return made


#: The two demo cohorts: (name, description, members by email, programme, mix target).
COHORTS = (
    (
        "Discharge together, spring",
        "Nurses, social workers, occupational therapists and housing officers from Riverside, "
        "Northfield council, Northfield Homes and the university plan discharges together.",
        (
            "nurse@demo.test",
            "student.nurse@demo.test",
            "aisha.rahman@demo.test",
            "kofi.mensah@demo.test",
            "socialworker@demo.test",
            "student.sw@demo.test",
            "rhys.davies@demo.test",
            "zara.hussain@demo.test",
            "ot@demo.test",
            "mei.lin@demo.test",
            "hannah.greenwood@demo.test",
            "amelia.wright@demo.test",
            "housing@demo.test",
            "lucy.barker@demo.test",
            "imran.siddiqui@demo.test",
            "leah.thompson@demo.test",
            "kojo.boateng@demo.test",
        ),
        (
            (ItemKind.MODULE, "introduction", -20),
            (ItemKind.MODULE, "hospital-discharge", -6),
            (ItemKind.QUIZ, "mrs-khan-goes-home", 5),
            (ItemKind.QUIZ, "medically-optimised-nowhere-to-go", 12),
            (ItemKind.QUIZ, "where-should-mr-osei-live", 19),
            (ItemKind.QUIZ, "friday-afternoon-discharge", 26),
        ),
    ),
    (
        "Ward 7 safeguarding update",
        "A safeguarding refresher for the nurses of Ward 7 at Riverside, with the ward's social "
        "worker and occupational therapist.",
        (
            "nurse@demo.test",
            "aisha.rahman@demo.test",
            "daniel.kowalski@demo.test",
            "olumide.bello@demo.test",
            "ella.murphy@demo.test",
            "kofi.mensah@demo.test",
            "student.nurse@demo.test",
            "fatima.ali@demo.test",
            "mei.lin@demo.test",
        ),
        (
            (ItemKind.MODULE, "safeguarding-adults", -10),
            (ItemKind.QUIZ, "money-goes-missing", -3),
            (ItemKind.QUIZ, "an-unexplained-injury", 4),
            (ItemKind.QUIZ, "behind-the-front-door", 11),
        ),
    ),
)


#: Invitations still waiting, or declined: (cohort, email, days ago invited, days ago declined).
INVITATIONS = (
    ("Ward 7 safeguarding update", "socialworker@demo.test", 3, None),
    ("Discharge together, spring", "sarah.whitfield@demo.test", 130, 128),
)
#: How long ago the trainer made each demo cohort and invited its members (who accepted over
#: the next week, before any of the history their trainer sees).
COHORT_AGE_DAYS = 130


def _load_cohorts(catalogue: Catalogue, quizzes: QuizCatalogue) -> tuple[int, dict[int, set[str]]]:
    """The two demo cohorts with programmes, groups and a join code, once; returns how many
    were made and, per learner, the scenarios their cohorts ask of them. The trainer invited
    the members, who accepted within a week; one invitation waits and one was declined."""
    trainer = accounts.user_by_email("trainer@demo.test")
    people = {u.email: u for u in db.session.execute(sa.select(User)).scalars()}
    existing = {c.name for c in db.session.execute(sa.select(Cohort)).scalars()}
    today = clock.today()
    now = clock.now()
    made = 0
    wanted: dict[int, set[str]] = {}
    made_now: dict[str, Cohort] = {}
    for name, description, emails, programme in COHORTS:
        members = [people[e] for e in emails if e in people]
        slugs = {slug for kind, slug, _ in programme if kind is ItemKind.QUIZ}
        for member in members:
            wanted.setdefault(member.id, set()).update(slugs)
        if name in existing or trainer is None:
            continue
        with clock.frozen(now - timedelta(days=COHORT_AGE_DAYS)):
            cohort = cohorts.create(
                trainer,
                cohorts.CohortDetails(
                    name=name,
                    description=description,
                    starts_on=today - timedelta(days=COHORT_AGE_DAYS - 10),
                    ends_on=today + timedelta(days=60),
                    group_size=4,
                    mix_target={},
                ),
            )
            for kind, slug, due_in in programme:
                known = Curriculum(catalogue, quizzes).get((kind, slug))
                if known is not None:
                    cohorts.add_item(cohort, kind, slug, today + timedelta(days=due_in))
            invitations = cohorts.invite(cohort, members, EnrolmentRoute.PICKED)
        for n, invitation in enumerate(invitations):
            days = COHORT_AGE_DAYS - 1 - n % 7
            with clock.frozen(now - timedelta(days=days, hours=n % 5)):
                cohorts.accept(invitation)
        cohorts.allocate_groups(cohort, size=4, count=None, seed=1)
        cohorts.create_join_code(cohort, now + timedelta(days=14))
        made_now[name] = cohort
        made += 1
    for name, email, invited, declined in INVITATIONS:
        if name not in made_now or email not in people:
            continue
        with clock.frozen(now - timedelta(days=invited)):
            (invitation,) = cohorts.invite(made_now[name], [people[email]], EnrolmentRoute.PICKED)
        if declined is not None:
            with clock.frozen(now - timedelta(days=declined)):
                cohorts.decline(invitation)
    db.session.flush()
    return made, wanted


#: What the demo employers require: (organisation, kind, slug, profession, months, due soon).
REQUIREMENTS = (
    (TRUST, ItemKind.MODULE, "safeguarding-adults", None, 36, 60),
    (TRUST, ItemKind.MODULE, "information-sharing", None, 12, 30),
    (TRUST, ItemKind.MODULE, "hospital-discharge", "nursing", None, 60),
    (TRUST, ItemKind.QUIZ, "mrs-khan-goes-home", "occupational-therapy", 24, 60),
    (COUNCIL, ItemKind.MODULE, "safeguarding-adults", None, 36, 60),
    (COUNCIL, ItemKind.MODULE, "mental-capacity", None, 24, 60),
    (COUNCIL, ItemKind.QUIZ, "money-goes-missing", "social-work", 36, 90),
)

#: Months since staff last did each item, dealt out in turn: some current, some due soon
#: (just inside the window), some expired, some never.
AGES = (3, 34, None, 14, 40, 8, None, 23, 1, 11)


def _load_requirements(catalogue: Catalogue, quizzes: QuizCatalogue | None) -> int:
    """The demo employers' required training and a realistic history against it, once."""
    organisations = {o.name: o for o in db.session.execute(sa.select(Organisation)).scalars()}
    if db.session.execute(sa.select(RequiredTraining.id).limit(1)).first():
        return 0
    made = 0
    now = clock.now()
    for n, (org_name, kind, slug, profession, months, soon) in enumerate(REQUIREMENTS):
        organisation = organisations.get(org_name)
        exists = catalogue.get(slug) if kind is ItemKind.MODULE else (quizzes and quizzes.get(slug))
        if organisation is None or exists is None:
            continue
        compliance.require(
            organisation,
            kind,
            slug,
            profession=profession,
            refresh_months=months,
            due_soon_days=soon,
        )
        made += 1
        staff = db.session.execute(
            sa.select(User).where(User.organisation_id == organisation.id).order_by(User.id)
        ).scalars()
        for i, person in enumerate(staff):
            if profession and person.profession_code != profession:
                continue
            age = AGES[(i + n) % len(AGES)]
            if age is None:
                continue
            progress.record_completion(
                person.id, kind, slug, exists.version, now - timedelta(days=30 * age + 3 * i)
            )
    db.session.flush()
    return made


#: Activities the named demo learners recorded by hand: (days ago, activity, topic, hours,
#: with others, what they learned, how it changed their practice, standard).
CPD_DIARY = (
    (
        20,
        "group",
        "Multidisciplinary discharge planning meeting, Ward 7",
        1.5,
        True,
        "How the housing options team assesses someone who is threatened with homelessness.",
        "I now ask about housing on the first day, not when the person is medically optimised.",
        "Working with others",
    ),
    (
        75,
        "reading",
        "Care and support statutory guidance, chapter 14",
        2.0,
        False,
        "The six safeguarding principles, and that a concern does not need proof.",
        "I talk to the person about what they want to happen before I raise a concern.",
        "Safeguarding",
    ),
    (
        160,
        "conference",
        "Regional conference on integrated care",
        6.0,
        True,
        "How care transfer hubs bring health, social care and housing into one conversation.",
        "I know who to call in the hub, and I use the shared referral form.",
        "Working with others",
    ),
)


def _load_records(catalogue: Catalogue, quizzes: QuizCatalogue) -> int:
    """Certificates and CPD diary entries for the named demo learners, once."""
    if db.session.execute(sa.select(CpdEntry.id).limit(1)).first():
        return 0
    made = 0
    today = clock.today()
    for email, _ in NAMED_ACCOUNTS[4:]:
        user = accounts.user_by_email(email)
        if user is None:
            continue
        for days, activity, topic, hours, together, learned, impact, standard in CPD_DIARY:
            records.add_cpd_entry(
                user,
                on=today - timedelta(days=days),
                activity=activity,
                topic=topic,
                hours=hours,
                participatory=together,
                learned=learned,
                impact=impact,
                standard=standard,
                peer_reflection=together,
            )
            made += 1
        for achievement in records.achievements(user, Curriculum(catalogue, quizzes))[:2]:
            records.issue(user, achievement)
            made += 1
    db.session.flush()
    return made


#: The demo's audit history: (days ago, hour, action, actor, subject person, about, details).
#: The addresses are documentation ranges (RFC 5737), never anyone's real address.
AUDIT_HISTORY = (
    (140, 9, "signed-in", "admin@demo.test", None, "", {}),
    (140, 9, "roles-changed", "admin@demo.test", "trainer@demo.test", "", {"after": ["trainer"]}),
    (140, 9, "roles-changed", "admin@demo.test", "employer@demo.test", "", {"after": ["employer"]}),
    (130, 10, "learners-invited", "trainer@demo.test", None, "Discharge together, spring", {}),
    (130, 10, "learners-invited", "trainer@demo.test", None, "Ward 7 safeguarding update", {}),
    (129, 18, "invitation-accepted", "nurse@demo.test", None, "Discharge together, spring", {}),
    (
        128,
        8,
        "invitation-declined",
        "sarah.whitfield@demo.test",
        None,
        "Discharge together, spring",
        {},
    ),
    (31, 8, "sign-in-refused", None, "nurse@demo.test", "", {}),
    (31, 8, "signed-in", "trainer@demo.test", None, "", {}),
    (28, 14, "signed-in", "employer@demo.test", None, "", {}),
    (28, 14, "requirement-added", "employer@demo.test", None, "Module: Safeguarding adults", {}),
    (14, 11, "report-downloaded", "employer@demo.test", None, "Compliance matrix (CSV)", {}),
    (9, 16, "report-downloaded", "trainer@demo.test", None, "Ward 7 safeguarding update", {}),
    (6, 12, "signed-out-everywhere", "admin@demo.test", "ot@demo.test", "", {"why": "lost phone"}),
    (3, 15, "learners-invited", "trainer@demo.test", None, "Ward 7 safeguarding update", {}),
    (2, 9, "reset-link-made", "admin@demo.test", "socialworker@demo.test", "", {}),
)


def _load_audit() -> int:
    """A realistic few weeks of the audit trail, recorded as it happened, once."""
    if db.session.execute(sa.select(AuditEntry.id).limit(1)).first():
        return 0
    people = {u.email: u for u in db.session.execute(sa.select(User)).scalars()}
    trust = db.session.execute(sa.select(Organisation).filter_by(name=TRUST)).scalar()
    today = clock.start_of(clock.today())
    made = 0
    for n, (days, hour, action, actor, subject, about, details) in enumerate(AUDIT_HISTORY):
        if actor is not None and actor not in people:
            continue
        who = people.get(actor) if actor else None
        about_employer = who is not None and who.has_role(Role.EMPLOYER) and not subject
        with clock.frozen(today - timedelta(days=days, hours=-hour, minutes=-7 * n)):
            audit.record(
                AuditAction(action),
                actor=who,
                address=f"192.0.2.{10 + n}",
                subject_user=people.get(subject) if subject else None,
                subject=about,
                organisation=trust if about_employer else None,
                details=details,
            )
        made += 1
    db.session.flush()
    return made


#: Students a trainer's upload invited two days ago: new accounts whose set-password links wait
#: in the outbox (no mail server in ``make run``) for an administrator to pass on.
UPLOADED = (
    ("Discharge together, spring", "ruth.adebayo@demo.test", "Ruth Adebayo", "nursing"),
    ("Discharge together, spring", "owen.price@demo.test", "Owen Price", "housing"),
)
#: A learner who asked to close their account five days ago (waiting for an administrator).
CLOSURE_REQUESTED = ("ben.taylor@demo.test", 5)
#: A student who left the course, asked to close their account and had it closed: (email, days
#: ago asked, days ago closed). The account now reads "Closed account N"; the facts are kept.
CLOSED = ("samuel.osei@demo.test", 45, 41)


def _load_privacy(content: Curriculum) -> int:
    """An upload whose invitations wait in the outbox, a request to close an account, and a
    closed account, each done as the people would have done it; once. Returns the accounts
    touched."""
    people = {u.email: u for u in db.session.execute(sa.select(User)).scalars()}
    admin, trainer = people.get("admin@demo.test"), people.get("trainer@demo.test")
    if admin is None or trainer is None or any(email in people for _, email, _, _ in UPLOADED):
        return 0
    cohort_named = {c.name: c for c in db.session.execute(sa.select(Cohort)).scalars()}
    now = clock.now()
    touched = 0
    with clock.frozen(now - timedelta(days=2, hours=3)):
        for name in sorted({name for name, *_ in UPLOADED}):
            cohort = cohort_named.get(name)
            if cohort is None:
                continue
            rows = [
                enrolment.Row(n + 2, email, person, profession, Stage.STUDENT, None)
                for n, (cohort_name, email, person, profession) in enumerate(UPLOADED)
                if cohort_name == name
            ]
            result = cohorts.enrol_upload(cohort, rows)
            notify.send_invitations(result.created, invited_by=trainer, cohort=cohort)
            audit.record(
                AuditAction.LEARNERS_UPLOADED,
                actor=trainer,
                address="192.0.2.40",
                subject=cohorts.audit_subject(cohort),
                details={
                    "cohort": cohort.id,
                    "rows": len(rows),
                    "invited": sorted(u.id for u in result.invited),
                    "accounts_created": sorted(u.id for u in result.created),
                },
            )
            touched += len(result.created)
    email, days = CLOSURE_REQUESTED
    if email in people:
        with clock.frozen(now - timedelta(days=days, hours=-2)):
            touched += int(erasure.request_closure(people[email], address="192.0.2.41"))
    email, asked, closed = CLOSED
    if email in people:
        with clock.frozen(now - timedelta(days=asked, hours=-3)):
            erasure.request_closure(people[email], address="192.0.2.42")
        with clock.frozen(now - timedelta(days=closed, hours=-4)):
            erasure.close_account(
                people[email], by=admin, address="192.0.2.43", quizzes=content.quizzes
            )
        touched += 1
    db.session.flush()
    return touched
