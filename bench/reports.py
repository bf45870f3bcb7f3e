"""The outcomes report over 1,000,000 completed plans on PostgreSQL: every breakdown, its time
as a ratio to one hand-written GROUP BY of the same rows, and the SQL statements it makes.

Creates (or, with --reuse, keeps) the database `resettlement_bench_reports`, migrates it, and
fills it in SQL (INSERT ... SELECT FROM generate_series: made-up people, numbers and outcomes
derived from the row number, no personal data), with one person in twenty having an earlier
plan cancelled by a recall, and an early-release request for each flagged release. Then for
each breakdown it times `resettlement.reports.outcomes` (median of --repeat runs, after one
warm-up) and counts its statements with a SQLAlchemy event listener.

Each breakdown's time is the median of --repeat runs, beside the median of as many runs of the
hand-written GROUP BY made just before it (the first run of all warms the cache).

Run: .venv/bin/python bench/reports.py [--plans 1000000] [--repeat 3]
     [--admin-url postgresql://postgres@127.0.0.1:5432/postgres] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

from sqlalchemy import Engine, create_engine, event, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from resettlement import migrate, reports  # noqa: E402
from resettlement.actors import Actor, Role  # noqa: E402
from resettlement.reports import Breakdown  # noqa: E402

DB_NAME = os.environ.get("BENCH_REPORTS_DB", "resettlement_bench_reports")
TODAY = date(2026, 11, 30)
PERIOD = (TODAY - timedelta(days=365), TODAY)
ADMIN = Actor(user_id="bench-admin", role=Role.ADMIN)

# The yardstick: what a careful analyst would write by hand for one breakdown (prison) over
# the same rows: one scan, one GROUP BY, the JSON flags read as in the report.
HAND_WRITTEN = """
SELECT person.prison_code, count(*),
       sum(CASE WHEN (plan.followup ->> 'night_in_planned_accommodation')::boolean
           THEN 1 ELSE 0 END),
       sum(CASE WHEN (plan.followup ->> 'gp_registered')::boolean THEN 1 ELSE 0 END),
       sum(CASE WHEN (plan.followup ->> 'id_in_hand')::boolean THEN 1 ELSE 0 END),
       sum(CASE WHEN (plan.followup ->> 'bank_account_in_hand')::boolean THEN 1 ELSE 0 END),
       sum(CASE WHEN (plan.followup ->> 'universal_credit_claim_made')::boolean THEN 1 ELSE 0 END),
       sum(CASE WHEN (plan.followup ->> 'first_appointment_attended')::boolean THEN 1 ELSE 0 END)
FROM release_plan AS plan JOIN person ON person.id = plan.person_id
WHERE plan.walk_out_date BETWEEN :start AND :end
  AND plan.state IN ('released', 'completed')
  AND plan.followup_recorded_at IS NOT NULL
GROUP BY person.prison_code
"""

SEED_PEOPLE = """
INSERT INTO person (id, prison_number, crn, given_name, family_name, date_of_birth, nation,
    prison_code, preferred_language, needs, ethnic_group, sex, disability,
    religion, version, created_at)
SELECT g,
    'B' || lpad(to_hex(g), 6, '0'),
    'C' || lpad(to_hex(g), 6, '0'),
    'Bench', 'Person ' || g,
    DATE '2026-11-30' - ((18 * 365) + ((g::bigint * 7919) % (55 * 365))::int),
    (ARRAY['england-and-wales', 'england-and-wales', 'england-and-wales', 'scotland',
           'northern-ireland'])[1 + g % 5],
    (ARRAY['MDI', 'BWI', 'SDI', 'BAR', 'MGH'])[1 + g % 5],
    'en',
    (ARRAY['[]', '[]', '["woman"]', '["older_person"]', '["care_leaver"]',
           '["learning_disability", "autism_or_adhd"]', '["on_remand"]', '[]'])
        [1 + ((g::bigint * 13) % 8)::int]::json,
    CASE WHEN g % 7 = 0 THEN NULL ELSE
        (ARRAY['white_british', 'white_other', 'black_african', 'black_caribbean',
               'asian_pakistani', 'asian_indian', 'mixed_other', 'other_arab', 'white_british',
               'white_british', 'prefer_not_to_say'])[1 + ((g::bigint * 17) % 11)::int] END,
    CASE WHEN g % 7 = 0 THEN NULL WHEN g % 5 = 2 THEN 'female' ELSE 'male' END,
    CASE WHEN g % 7 = 0 THEN NULL WHEN ((g::bigint * 3) % 10)::int < 3 THEN 'yes' ELSE 'no' END,
    CASE WHEN g % 7 = 0 THEN NULL ELSE
        (ARRAY['no_religion', 'christian', 'muslim', 'other', 'no_religion'])
        [1 + ((g::bigint * 11) % 5)::int]
    END,
    1, now()
FROM generate_series(1, :plans) AS g
"""

SEED_CONSENTS = """
INSERT INTO consent (person_id, kind, scope, given_at, given_how, recorded_by, version)
SELECT g, 'monitoring_characteristics', '[]'::json, now(), 'in_person', 'po-bench', 1
FROM generate_series(1, :plans) AS g WHERE g % 7 <> 0
"""

SEED_RECALLS = """
INSERT INTO release_plan (person_id, probation_officer_id, state, cancel_reason, sentence_type,
    sentence_date, published_out_of_date, flagged, version, created_at, updated_at)
SELECT g, 'po-bench', 'cancelled', 'recall', 'determinate', DATE '2024-01-01', false, false, 1,
    now(), now()
FROM generate_series(1, :plans) AS g WHERE g % 20 = 0
"""

SEED_PLANS = """
INSERT INTO release_plan (person_id, probation_officer_id, state, sentence_type, sentence_date,
    term_days, requested_release_date, release_date, walk_out_date, flagged, flag_reason,
    published_out_of_date, followup, followup_recorded_at, version, created_at, updated_at)
SELECT g, 'po-bench', 'completed',
    (ARRAY['determinate', 'determinate', 'determinate', 'hdc', 'parole', 'indeterminate'])
        [1 + ((g::bigint * 5) % 6)::int],
    DATE '2024-06-01',
    (ARRAY[90, 200, 300, 500, 1000, 2000])[1 + ((g::bigint * 19) % 6)::int],
    walk + CASE WHEN g % 10 = 1 THEN 1 ELSE 0 END,
    walk + CASE WHEN g % 10 = 1 THEN 1 ELSE 0 END,
    walk,
    g % 5 = 1, CASE WHEN g % 5 = 1 THEN 'friday' END,
    false,
    json_build_object(
        'night_in_planned_accommodation', ((g::bigint * 31) % 100)::int < 72,
        'gp_registered', ((g::bigint * 37) % 100)::int < 61,
        'id_in_hand', ((g::bigint * 41) % 100)::int < 70,
        'bank_account_in_hand', ((g::bigint * 43) % 100)::int < 60,
        'universal_credit_claim_made', ((g::bigint * 47) % 100)::int < 76,
        'first_appointment_attended', ((g::bigint * 53) % 100)::int < 83),
    now(), 1, now(), now()
FROM (SELECT g, DATE '2026-11-29' - (g % 365) AS walk FROM generate_series(1, :plans) AS g) AS s
"""

SEED_REQUESTS = """
INSERT INTO early_release_request (plan_id, state, version, prison_code, release_date,
    flag_reason, earliest_date, latest_date, decision_deadline, needs, assessed_by,
    submitted_at, decided_at, created_at)
SELECT plan.id, CASE WHEN plan.id % 3 = 0 THEN 'refused' ELSE 'approved' END, 1, 'MDI',
    plan.release_date, 'friday', plan.release_date - 2, plan.release_date - 1,
    plan.release_date - 7, '[]'::json, 'po-bench', now(), now(), now()
FROM release_plan AS plan WHERE plan.flagged
"""


def create_database(admin_url: str, reuse: bool) -> tuple[str, bool]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME}
        ).first()
        if exists and not reuse:
            connection.execute(text(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)'))
        if not exists or not reuse:
            connection.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{DB_NAME}", bool(exists and reuse)


def seed(engine: Engine, plans: int) -> float:
    started = time.perf_counter()
    with engine.begin() as connection:
        for statement in (SEED_PEOPLE, SEED_CONSENTS, SEED_RECALLS, SEED_PLANS, SEED_REQUESTS):
            connection.execute(text(statement), {"plans": plans})
        connection.execute(text("SELECT setval('person_id_seq', (SELECT max(id) FROM person))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _median_seconds(run: Any, repeat: int, warm: bool = False) -> float:
    if warm:
        run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plans", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    url, reused = create_database(args.admin_url, args.reuse)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    if not reused:
        migrate.upgrade(engine)
        print(f"seeded {args.plans:,} completed plans in {seed(engine, args.plans):.1f} s")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def hand_written() -> None:
        with engine.connect() as connection:
            connection.execute(text(HAND_WRITTEN), {"start": PERIOD[0], "end": PERIOD[1]}).all()

    # The machine may be shared: each breakdown is timed beside its own run of the yardstick,
    # so a neighbour's load falls on both sides of the ratio alike.
    results: dict[str, Any] = {"plans": args.plans}
    _median_seconds(hand_written, 1, warm=True)
    rows: dict[str, Any] = {}
    for breakdown in Breakdown:
        counted: dict[str, int] = {}

        def report(breakdown: Breakdown = breakdown, counted: dict[str, int] = counted) -> None:
            statements.clear()
            with Session(engine) as session:
                made = reports.outcomes(
                    session=session,
                    actor=ADMIN,
                    start=PERIOD[0],
                    end=PERIOD[1],
                    breakdown=breakdown,
                    today=TODAY,
                )
            counted["statements"] = len(statements)
            counted["groups"] = len(made.rows)
            counted["people"] = made.rows[-1].denominator.count if made.rows else 0

        yardstick = _median_seconds(hand_written, args.repeat)
        seconds = _median_seconds(report, args.repeat)
        rows[str(breakdown)] = {
            "seconds": round(seconds, 3),
            "hand_written_seconds": round(yardstick, 3),
            "ratio": round(seconds / yardstick, 2),
            **counted,
        }
        print(
            f"{breakdown!s:16} {seconds:7.3f} s  hand-written {yardstick:7.3f} s  "
            f"{seconds / yardstick:5.2f}x  {counted['statements']} statements  "
            f"{counted['groups']:3} rows  {counted['people']:,} people",
            flush=True,
        )
    results["breakdowns"] = rows
    print(json.dumps(results))


if __name__ == "__main__":
    main()
