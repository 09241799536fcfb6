"""``make bench``: time the main pages against a bare Flask route, in one process and one run.

Requests go through each app's WSGI test client (no network), so the figures are the app's own
cost: routing, sessions, queries, templates. Each page is also checked for its number of SQL
queries, which must not grow with the data.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from learning import PROJECT_ROOT, create_app, demo
from learning.curriculum import curriculum
from learning.extensions import db
from learning.models import Cohort, Completion, Organisation, QuizAttempt, RequiredTraining, User
from learning.professions import Stage

ROUNDS = 200


def timed(call: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    for _ in range(10):  # warm up
        call()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def add_staff(count: int) -> int:
    """Bulk-add staff to the demo trust, with completions of its required training for most of
    them, so the compliance pages run against a large organisation. Returns its staff count."""
    trust = db.session.execute(
        sa.select(Organisation).where(Organisation.name == demo.TRUST)
    ).scalar_one()
    required = (
        db.session.execute(
            sa.select(RequiredTraining).where(RequiredTraining.organisation_id == trust.id)
        )
        .scalars()
        .all()
    )
    now = datetime.now(UTC)
    professions = ["nursing", "social-work", "occupational-therapy", "housing", "medicine"]
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"staff{i}@bench.test",
                "name": f"Staff Member {i:05d}",
                "password_hash": "not-a-real-hash",
                "profession_code": professions[i % len(professions)],
                "stage": Stage.QUALIFIED,
                "organisation_id": trust.id,
                "created_at": now,
            }
            for i in range(count)
        ],
    )
    ids = (
        db.session.execute(sa.select(User.id).where(User.email.like("%@bench.test")))
        .scalars()
        .all()
    )
    db.session.execute(
        sa.insert(Completion),
        [
            {
                "user_id": user_id,
                "kind": rule.kind,
                "slug": rule.slug,
                "version": "bench",
                "completed_at": now - timedelta(days=(user_id * 37) % 1500),
            }
            for rule in required
            for user_id in ids
            if user_id % 4
        ],
    )
    db.session.commit()
    return db.session.execute(
        sa.select(sa.func.count(User.id)).where(User.organisation_id == trust.id)
    ).scalar_one()


def main() -> int:
    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "hello")
    bare_client = bare.test_client()
    baseline = statistics.median(timed(lambda: bare_client.get("/")))

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "SECRET_KEY": "bench",
                "CONTENT_ROOT": PROJECT_ROOT,
                "RATELIMIT_ENABLED": False,
            }
        )
        queries = 0

        with app.app_context():
            db.create_all()
            demo.load(app.config["DEMO_PASSWORD"], curriculum())
            nurse_attempts = {
                a.quiz_slug: a.id
                for a in db.session.execute(
                    sa.select(QuizAttempt).join(User).where(User.email == "nurse@demo.test")
                ).scalars()
            }
            db.session.commit()

            @sa.event.listens_for(db.engine, "before_cursor_execute")
            def count(*_args: object) -> None:
                nonlocal queries
                queries += 1

        app.config["WTF_CSRF_ENABLED"] = False  # the bench signs in through the form
        anonymous = app.test_client()
        learner = app.test_client()
        learner.post(
            "/sign-in", data={"email": "nurse@demo.test", "password": app.config["DEMO_PASSWORD"]}
        )
        trainer = app.test_client()
        trainer.post(
            "/sign-in",
            data={"email": "trainer@demo.test", "password": app.config["DEMO_PASSWORD"]},
        )
        with app.app_context():
            spring = db.session.execute(
                sa.select(Cohort.id).where(Cohort.name == "Discharge together, spring")
            ).scalar_one()
        employer = app.test_client()
        employer.post(
            "/sign-in",
            data={"email": "employer@demo.test", "password": app.config["DEMO_PASSWORD"]},
        )
        with app.app_context():
            staff = add_staff(20_000)
        admin = app.test_client()
        admin.post(
            "/sign-in", data={"email": "admin@demo.test", "password": app.config["DEMO_PASSWORD"]}
        )

        pages = [
            ("home, anonymous", anonymous, "/"),
            ("module catalogue, learner", learner, "/modules"),
            ("module page, anonymous", anonymous, "/modules/hospital-discharge"),
            ("module page, learner", learner, "/modules/hospital-discharge"),
            ("module page, other lens", learner, "/modules/hospital-discharge?lens=housing"),
            ("glossary", anonymous, "/glossary"),
            ("search 'duty to refer'", anonymous, "/search?q=duty+to+refer"),
            ("learner dashboard", learner, "/dashboard"),
            ("scenario catalogue, learner", learner, "/quizzes"),
            ("scenario page, learner", learner, "/quizzes/money-goes-missing"),
            *[
                (f"review: {slug[:22]}", learner, f"/attempts/{attempt}/review")
                for slug, attempt in sorted(nurse_attempts.items())[:3]
            ],
            ("cohort overview (17)", trainer, f"/trainer/cohorts/{spring}"),
            ("cohort groups", trainer, f"/trainer/cohorts/{spring}/groups"),
            ("cohort progress matrix", trainer, f"/trainer/cohorts/{spring}/progress"),
            ("cohort progress CSV", trainer, f"/trainer/cohorts/{spring}/progress.csv"),
            ("cohort perspectives", trainer, f"/trainer/cohorts/{spring}/perspectives"),
            ("admin people list", admin, "/admin/"),
            (f"compliance overview ({staff:,} staff)", employer, "/employer/"),
            ("compliance matrix, page 1", employer, "/employer/compliance"),
            ("compliance matrix, page 200", employer, "/employer/compliance?page=200"),
            ("compliance CSV, page 1", employer, "/employer/compliance.csv"),
        ]
        print(f"Bare Flask route: {baseline:.3f} ms (median of {ROUNDS})\n")
        print(f"{'page':<36} {'median ms':>10} {'p95 ms':>8} {'x bare':>7} {'queries':>8}")
        for label, client, path in pages:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            queries = 0
            client.get(path)
            per_request = queries
            samples = timed(lambda c=client, p=path: c.get(p))
            median = statistics.median(samples)
            p95 = statistics.quantiles(samples, n=20)[-1]
            print(
                f"{label:<36} {median:>10.2f} {p95:>8.2f} {median / baseline:>7.1f} "
                f"{per_request:>8}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
