"""Demo data: the organisations, staff and learners a reviewer meets on first run.

``load`` is idempotent: it creates what is missing and leaves what exists alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from . import accounts
from .content import Catalogue
from .extensions import db
from .models import ModuleProgress, Organisation, OrganisationKind, Role, User, utcnow
from .professions import Stage

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
    DemoPerson("kwame.asante@demo.test", "Kwame Asante", "social-care", Q, COUNCIL),
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


def load(password: str, catalogue: Catalogue | None = None) -> dict[str, int]:
    """Create whatever demo organisations, people and reading progress are missing; return
    what was created."""
    existing = {o.name: o for o in db.session.execute(sa.select(Organisation)).scalars()}
    created = {"organisations": 0, "people": 0}
    for name, kind in ORGANISATIONS:
        if name not in existing:
            existing[name] = Organisation(name=name, kind=kind)
            db.session.add(existing[name])
            created["organisations"] += 1
    db.session.flush()

    emails = set(db.session.execute(sa.select(User.email)).scalars())
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
        for role in person.roles:
            accounts.grant_role(user, role)
        created["people"] += 1
    created["progress"] = _load_progress(catalogue) if catalogue is not None else 0
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
    now = utcnow()
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
            db.session.add(
                ModuleProgress(
                    user_id=user.id,
                    module_slug=slug,
                    started_at=started,
                    completed_at=finished,
                    completed_version=module.version,
                )
            )
            rows += 1
        if reading and reading not in done and catalogue.get(reading) is not None:
            started = now - timedelta(days=chance.randint(1, 14))
            db.session.add(ModuleProgress(user_id=user.id, module_slug=reading, started_at=started))
            rows += 1
    db.session.flush()
    return rows
