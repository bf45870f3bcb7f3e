"""daily_release_scan over 100,000 open plans on PostgreSQL: wall time and SQL statements.

Creates (or, with --reuse, keeps) the database `resettlement_bench_scan`, seeds it with bulk
COPY (people, plans in the stage their walk-out date puts them in, checklists, early-release
requests), then runs the real Prefect flow in this process as `resettlement flows run` does
(local mode: a temporary Prefect server started before the clock starts, no heartbeats), a
second run of the same day (a no-op), and one raw SELECT of the same open plans for scale.
Statements are counted with a SQLAlchemy event listener on the engine the flow uses (an
executemany counts once).

With --from-seed the seeded database is kept as `resettlement_bench_scan_seed` the first time
and every later run starts from a fresh copy of it (CREATE DATABASE ... TEMPLATE, seconds):
runs then do the same work and can be compared side by side. The machine is shared, so run it
three times or more and take the median ratio (scan / raw SELECT), with `uptime` beside it.

Run: .venv/bin/python bench/scan.py [--plans 100000] [--as-of 2026-12-18] [--batch-size 500]
     [--admin-url postgresql://postgres@127.0.0.1:5432/postgres] [--reuse] [--from-seed]
     [--profile scan.html] [--show 10]
     (BENCH_SCAN_DB names the database, to keep two people's runs apart.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="resettlement-bench-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from faker import Faker  # noqa: E402
from sqlalchemy import Engine, create_engine, event, text  # noqa: E402

from resettlement import migrate  # noqa: E402
from resettlement.config import get_settings  # noqa: E402
from resettlement.models import OPEN_STATES  # noqa: E402
from rules.checklists import CORE_KEYS, checklist_for  # noqa: E402
from rules.release_dates import ReleaseAssessment, assess  # noqa: E402
from rules.timings import decision_deadline  # noqa: E402

DB_NAME = os.environ.get("BENCH_SCAN_DB", "resettlement_bench_scan")
NATION = "england-and-wales"
PRISONS = ["MDI", "CFI", "BWI", "LPI", "HMI", "WDI", "NMI", "SDI"]


def create_database(admin_url: str, reuse: bool, from_seed: bool) -> tuple[str, bool]:
    """With from_seed, the database is a fresh copy of `<name>_seed` (seeded once, the first
    time): every run then starts from the same rows, so runs can be compared side by side."""
    seeded = f"{DB_NAME}_seed"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:

        def present(name: str) -> bool:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            return found is not None

        exists = present(DB_NAME)
        if from_seed and present(seeded):
            if exists:
                connection.execute(text(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{DB_NAME}" TEMPLATE "{seeded}"'))
            admin.dispose()
            return admin_url.rsplit("/", 1)[0] + f"/{DB_NAME}", True
        if exists and not reuse:
            connection.execute(text(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)'))
        if not exists or not reuse:
            connection.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{DB_NAME}", bool(exists and reuse)


def keep_seed(admin_url: str) -> None:
    """Copies the freshly seeded database to `<name>_seed`, the template of later runs."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{DB_NAME}_seed" TEMPLATE "{DB_NAME}"'))
    admin.dispose()


def _copy(engine: Engine, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def seed(engine: Engine, count: int, as_of: date, seed_value: int = 20261218) -> Counter[str]:
    """Plans spread evenly over walk-out dates from 3 days ago to two years ahead, each in the
    stage yesterday's scan would have left it: so today's scan has a day's work to do."""
    rng = random.Random(seed_value)
    fake = Faker("en_GB")
    fake.seed_instance(seed_value)
    given = [fake.first_name() for _ in range(500)]
    family = [fake.last_name() for _ in range(500)]
    now = datetime.now(UTC)
    assessments: dict[date, ReleaseAssessment] = {}
    checklists: dict[date, list[Any]] = {}
    people, plans, items, requests = [], [], [], []
    stats: Counter[str] = Counter()
    for i in range(count):
        pid = i + 1
        requested = as_of + timedelta(days=rng.randint(-3, 730))
        if requested not in assessments:
            assessments[requested] = assess(
                requested, NATION, term_days=900, served_days=450, sentence="determinate"
            )
        a = assessments[requested]
        walk_out = a.release_date
        days_left = (walk_out - as_of).days
        # One day behind: plans whose threshold is today are still in the earlier stage.
        if days_left < 0:
            state = "released"
        elif days_left < 14:
            state = "pre_release"
        elif days_left < 84:
            state = "resettlement_planning"
        else:
            state = "sentence_planning"
        stats[state] += 1
        letters = f"{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}"
        people.append(
            (
                f"{chr(65 + (i // 260000) % 26)}{i % 10000:04d}{letters}",
                f"{chr(65 + (i // 1000000) % 26)}{i % 1000000:06d}",
                rng.choice(given),
                rng.choice(family),
                date(1970, 1, 1) + timedelta(days=rng.randint(0, 12000)),
                NATION,
                rng.choice(PRISONS),
                "cy" if rng.random() < 0.05 else "en",
                "[]",
                now,
            )
        )
        plans.append(
            (
                pid,
                state,
                1,
                f"po-{rng.randint(1, 400)}",
                a.release_date,
                walk_out,
                a.flagged,
                a.flag_reason,
                "determinate",
                as_of - timedelta(days=450),
                requested,
                900,
                now,
                now,
            )
        )
        if walk_out not in checklists:
            checklists[walk_out] = checklist_for([], walk_out)
        started = state != "sentence_planning" and rng.random() < 0.9
        for spec in checklists[walk_out]:
            if started and spec.key in CORE_KEYS:
                status = "done" if rng.random() < 0.6 else "in_progress"
            elif spec.due_date < as_of and rng.random() < 0.7:
                status = "done"
            else:
                status = "not_started"
            items.append(
                (pid, spec.key, spec.title, str(spec.category), str(spec.owner), spec.partner,
                 status, spec.due_date, spec.rule_id, now)
            )  # fmt: skip
        # A few flagged plans have no request yet, as if imported: the scan opens theirs.
        if a.flagged and a.earliest_date is not None and days_left >= 0 and rng.random() > 0.02:
            request_state = rng.choice(["flagged", "assessed", "submitted"])
            requests.append(
                (pid, request_state, 1, people[-1][6],
                 a.release_date, a.flag_reason, a.presumptive_date, a.earliest_date,
                 a.presumptive_date or a.release_date,
                 decision_deadline(a.release_date, NATION), "[]", now)
            )  # fmt: skip
    _copy(
        engine,
        "person",
        ["prison_number", "crn", "given_name", "family_name", "date_of_birth", "nation",
         "prison_code", "preferred_language", "needs", "created_at"],
        people,
    )  # fmt: skip
    _copy(
        engine,
        "release_plan",
        ["person_id", "state", "version", "probation_officer_id", "release_date",
         "walk_out_date", "flagged", "flag_reason", "sentence_type", "sentence_date",
         "requested_release_date", "term_days", "created_at", "updated_at"],
        plans,
    )  # fmt: skip
    _copy(
        engine,
        "checklist_item",
        ["plan_id", "key", "title", "category", "owner", "partner", "status", "due_date",
         "rule_id", "updated_at"],
        items,
    )  # fmt: skip
    _copy(
        engine,
        "early_release_request",
        ["plan_id", "state", "version", "prison_code", "release_date", "flag_reason",
         "presumptive_date", "earliest_date", "latest_date", "decision_deadline", "needs",
         "created_at"],
        requests,
    )  # fmt: skip
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    stats["checklist_items"] = len(items)
    stats["early_release_requests"] = len(requests)
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 12, 18))
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument(
        "--from-seed",
        action="store_true",
        help="start from a copy of the seeded database (seeded and kept the first time)",
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="write a pyinstrument profile of the scan (HTML)"
    )
    parser.add_argument("--show", type=int, default=0, help="print the N most frequent statements")
    args = parser.parse_args()

    url, reused = create_database(args.admin_url, args.reuse, args.from_seed)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    from resettlement.database import get_engine

    engine = get_engine()
    if not reused:
        migrate.upgrade(engine)
        started = time.perf_counter()
        stats = seed(engine, args.plans, args.as_of)
        print(f"seeded in {time.perf_counter() - started:.1f} s: {dict(stats)}")
        if args.from_seed:
            engine.dispose()
            keep_seed(args.admin_url)

    statements = Counter[str]()
    texts = Counter[str]()

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements[statement.split(None, 1)[0].upper()] += 1
        texts[" ".join(statement.split())[:110]] += 1

    from prefect import flow

    from workflows.flows import daily_release_scan
    from workflows.in_process import run_in_process

    @flow(name="bench-warm-up")
    def warm_up() -> None:
        """Starts the temporary Prefect server before the clock does."""

    warm_up()

    profiled: list[str] = []

    def timed(label: str) -> dict[str, int]:
        statements.clear()
        profiler = None
        if args.profile and not profiled:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
        started = time.perf_counter()
        summary = run_in_process(daily_release_scan, as_of=args.as_of, batch_size=args.batch_size)
        seconds = time.perf_counter() - started
        if profiler is not None:
            profiler.stop()
            Path(args.profile).write_text(profiler.output_html())
            print(profiler.output_text(unicode=False, color=False, show_all=False))
            profiled.append(label)
        total = sum(statements.values())
        print(f"{label}: {seconds:.1f} s, {total} SQL statements {dict(statements)}")
        if args.show:
            for statement, count in texts.most_common(args.show):
                print(f"  {count:6d}  {statement}")
        texts.clear()
        return summary

    summary = timed("daily_release_scan (real Prefect flow)")
    print(json.dumps({k: v for k, v in summary.items() if v}, indent=1))
    timed("second run for the same day (no-op)")

    open_states = ", ".join(f"'{s.value}'" for s in OPEN_STATES)
    with engine.connect() as connection:
        started = time.perf_counter()
        rows = connection.execute(
            text(f"SELECT * FROM release_plan WHERE state IN ({open_states})")
        ).all()
        seconds = time.perf_counter() - started
    print(f"raw SELECT of the {len(rows)} open plans: {seconds:.2f} s")


if __name__ == "__main__":
    main()
