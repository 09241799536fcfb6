"""``make bench``: time the main pages against a bare Flask route, in one process and one run.

Requests go through each app's WSGI test client (no network), so the figures are the app's own
cost: routing, sessions, queries, templates. Each page is also checked for its number of SQL
queries, which must not grow with the data.

The whole-organisation compliance CSV is then downloaded at 20,000 and 100,000 staff, each
size in a fresh process (``python -m tests.benchmark --export <database>``) that starts the
app, signs in and reads the streamed file chunk by chunk as a client would: its peak memory
is that process's own, not what building the data cost this one.
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from learning import PROJECT_ROOT, create_app, demo
from learning.curriculum import curriculum
from learning.extensions import db
from learning.models import (
    Cohort,
    Completion,
    Membership,
    Organisation,
    QuizAttempt,
    RequiredTraining,
    User,
    staff_of,
)
from learning.professions import Stage

ROUNDS = 200
#: Staff in the demo trust for the whole-organisation CSV, and how many downloads to time at each.
EXPORT_SIZES = ((20_000, 5), (100_000, 3))


def timed(call: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    for _ in range(10):  # warm up
        call()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def add_staff(count: int, start: int = 0) -> int:
    """Bulk-add staff to the demo trust, with completions of its required training for most of
    them, so the compliance pages run against a large organisation. Returns its staff count.
    ``start`` numbers the new people after those an earlier call added."""
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
    before = db.session.execute(sa.select(sa.func.max(User.id))).scalar_one()
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"staff{i}@bench.test",
                "name": f"Staff Member {i:06d}",
                "password_hash": "not-a-real-hash",
                "profession_code": professions[i % len(professions)],
                "stage": Stage.QUALIFIED,
                "organisation_id": trust.id,
                "membership": Membership.CONFIRMED,  # staff the employer's pages count
                "created_at": now,
            }
            for i in range(start, start + count)
        ],
    )
    ids = (
        db.session.execute(
            sa.select(User.id).where(User.email.like("%@bench.test"), User.id > before)
        )
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
        sa.select(sa.func.count(User.id)).where(staff_of(trust.id))
    ).scalar_one()


def _resident_mb(field: str) -> float:
    """The process's resident memory now (``VmRSS``) or at its highest (``VmHWM``), from Linux's
    /proc: unlike getrusage's ru_maxrss, the highest mark is this program's own, not the
    benchmark's that started it (ru_maxrss survives fork and exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _forget_highest_mark() -> None:
    """Start the highest resident mark again from now (Linux 4.0 and later; else a no-op)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def export(database: str, rounds: int) -> dict:
    """In a fresh process: download the employer's whole compliance CSV ``rounds`` times,
    reading each streamed chunk and dropping it, and measure time, queries and peak memory."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": "bench",
            "CONTENT_ROOT": PROJECT_ROOT,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    employer = app.test_client()
    employer.post(
        "/sign-in",
        data={"email": "employer@demo.test", "password": app.config["DEMO_PASSWORD"]},
    )
    queries = 0

    def download() -> tuple[int, int]:
        nonlocal queries
        queries = 0
        response = employer.get("/employer/compliance.csv", buffered=False)
        assert response.status_code == 200, response.status_code
        size = lines = 0
        for piece in response.response:
            size += len(piece)
            lines += piece.count(b"\n")
        response.close()
        return size, lines

    with app.app_context():

        @sa.event.listens_for(db.engine, "before_cursor_execute")
        def count(*_args: object) -> None:
            nonlocal queries
            queries += 1

    assert employer.get("/employer/requirements").status_code == 200  # templates, titles
    gc.collect()
    before = _resident_mb("VmRSS")
    _forget_highest_mark()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        size, lines = download()
        samples.append((time.perf_counter() - start) * 1000)
    peak = _resident_mb("VmHWM")
    tracemalloc.start()  # slows Python down, so apart from the timed downloads
    download()
    python_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        "median": statistics.median(samples),
        "max": max(samples),
        "queries": queries,
        "rows": lines - 1,
        "mb": size / 2**20,
        "rss_peak": peak,
        "rss_growth": peak - before,
        "python_peak": python_peak,
    }


def whole_organisation_csv(app: Flask, database: str, baseline: float) -> None:
    """Grow the demo trust to each of EXPORT_SIZES and time its whole CSV in a fresh process."""
    print(
        "\nWhole-organisation compliance CSV, streamed, each size in a fresh process: peak RSS "
        "is its highest resident memory while it downloads, RSS + how much of that the "
        "downloads added, Python MB tracemalloc's peak during one download\n"
    )
    print(
        f"{'export':<36} {'median ms':>10} {'max ms':>8} {'x bare':>7} {'queries':>8} "
        f"{'MB sent':>8} {'peak RSS MB':>12} {'RSS + MB':>9} {'Python MB':>10}"
    )
    for size, rounds in EXPORT_SIZES:
        with app.app_context():
            added = db.session.execute(
                sa.select(sa.func.count(User.id)).where(User.email.like("%@bench.test"))
            ).scalar_one()
            if size > added:
                add_staff(size - added, start=added)
        found = subprocess.run(  # noqa: S603 - this interpreter, this module, our own file
            [sys.executable, "-m", "tests.benchmark", "--export", database, str(rounds)],
            check=True,
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
        )
        result = json.loads(found.stdout.splitlines()[-1])
        label = f"compliance CSV, all {result['rows']:,} staff"
        print(
            f"{label:<36} {result['median']:>10.0f} {result['max']:>8.0f} "
            f"{result['median'] / baseline:>7.0f} {result['queries']:>8} {result['mb']:>8.1f} "
            f"{result['rss_peak']:>12.0f} {result['rss_growth']:>9.1f} "
            f"{result['python_peak']:>10.1f}"
        )


def main() -> int:
    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "hello")
    bare_client = bare.test_client()
    baseline = statistics.median(timed(lambda: bare_client.get("/")))

    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database,
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
        anonymous_revalidation(app, baseline)
        whole_organisation_csv(app, database, baseline)
    return 0


def anonymous_revalidation(app: Flask, baseline: float) -> None:
    """Whether the anonymous module page sets a cookie (with CSRF on, as in production), and
    what answering a reader whose copy is current (a 304 to ``If-None-Match``) costs."""
    path = "/modules/hospital-discharge"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        reader = app.test_client()
        first = reader.get(path)
        assert first.status_code == 200, first.status_code
        etag = first.headers.get("ETag")
        cookie = "sets a cookie" if "Set-Cookie" in first.headers else "sets no cookie"
        print(
            f"\nmodule page, anonymous: {cookie}; Cache-Control: {first.headers['Cache-Control']}"
        )
        if etag is None:
            print("  no ETag, so no revalidation to time")
            return
        again = reader.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, again.status_code
        samples = timed(lambda: reader.get(path, headers={"If-None-Match": etag}))
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1]
        label = "module page, anonymous, 304"
        print(f"{label:<36} {median:>10.2f} {p95:>8.2f} {median / baseline:>7.1f}")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


if __name__ == "__main__":
    if sys.argv[1:2] == ["--export"]:
        print(json.dumps(export(sys.argv[2], int(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main())
