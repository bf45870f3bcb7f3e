"""API throughput and latency on PostgreSQL, beside a bare FastAPI endpoint serving the same JSON.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/api.py

`--workers N` runs both servers with N uvicorn worker processes (one by default).

Seeds 10,000 made-up plans (faker) into a separate database, `resettlement_bench`, with bulk
inserts; starts the real app and a bare FastAPI app (bench/bare_app.py) under uvicorn on
127.0.0.1 with the same settings (the same number of worker processes, one by default); and
drives each with the same HTTP client, request count and concurrency, in alternating rounds.
Goal: the real endpoints reach at least half the bare endpoint's throughput. It prints the ratio
over all rounds and, since the client, PostgreSQL and both servers share the machine's cores,
the spread and median of the ratios of each real round to the bare round run beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "resettlement_bench"
OFFICERS = [f"po-bench-{n:03d}" for n in range(100)]
PRISONS = ["MDI", "BWI", "SDI", "LEI", "HMI"]


# --- the servers ---------------------------------------------------------------------------


def serve(kind: str, port: int, workers: int) -> None:
    """Runs in a subprocess: the real app or the bare one, with identical uvicorn settings."""
    import uvicorn

    app: dict[str, Any] = {"app": "api.main:app"}
    if kind == "bare":
        app = {"app": "bare_app:create", "factory": True, "app_dir": str(Path(__file__).parent)}
    uvicorn.run(
        **app, host="127.0.0.1", port=port, workers=workers, log_level="warning", access_log=False
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, kind: str, env: dict[str, str], workers: int) -> None:
        self.port = _free_port()
        args = [sys.executable, __file__, "--serve", kind, "--port", str(self.port)]
        args += ["--workers", str(workers)]
        self.process = subprocess.Popen(args, env=env, cwd=ROOT)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        import httpx

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/openapi.json", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(10)


# --- seeding -------------------------------------------------------------------------------


def bench_url(base: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": BENCH_DB}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{BENCH_DB}"


def _chunks(rows: list[dict[str, Any]], size: int = 2000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def seed(url: str, count: int) -> None:
    """Bulk inserts `count` plans with people, checklists, events and published 48-hour plans."""
    from faker import Faker
    from sqlalchemy import create_engine, func, insert, select, text
    from sqlmodel import SQLModel

    from resettlement import migrate
    from resettlement.models import (
        ChecklistItem,
        Person,
        PlanEvent,
        PublishedPlan,
        ReleasePlan,
    )
    from rules.checklists import checklist_for

    engine = create_engine(url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        have = connection.execute(select(func.count()).select_from(ReleasePlan)).scalar_one()
    if have == count:
        print(f"{BENCH_DB}: {count} plans already seeded")
        engine.dispose()
        return
    started = time.perf_counter()
    fake = Faker("en_GB")
    fake.seed_instance(4)
    rng = random.Random(4)
    now = datetime.now(UTC)
    today = date.today()
    people, plans, items, events, published = [], [], [], [], []
    item_id = 0
    for n in range(1, count + 1):
        walk_out = today + timedelta(days=rng.randint(1, 120))
        given, family = fake.first_name(), fake.last_name()
        people.append(
            {
                "id": n,
                "prison_number": f"A{n:04d}{chr(65 + n // 10000 % 26)}{chr(65 + n % 26)}"[:7],
                "crn": f"X{n:06d}",
                "given_name": given,
                "family_name": family,
                "date_of_birth": date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
                "nation": "england-and-wales",
                "prison_code": PRISONS[n % len(PRISONS)],
                "preferred_language": "en",
                "needs": [],
                "monitoring_consent": False,
                "created_at": now,
            }
        )
        plans.append(
            {
                "id": n,
                "person_id": n,
                "state": "resettlement_planning",
                "version": 2,
                "probation_officer_id": OFFICERS[n % len(OFFICERS)],
                "sentence_type": "determinate",
                "sentence_date": today - timedelta(days=400),
                "requested_release_date": walk_out,
                "term_days": 900,
                "release_date": walk_out,
                "walk_out_date": walk_out,
                "flagged": False,
                "accommodation_address": fake.address().replace("\n", ", "),
                "travel_arrangements": "Train from the station by the gate.",
                "created_at": now,
                "updated_at": now,
            }
        )
        shown = []
        for spec in checklist_for([], walk_out, today=today):
            item_id += 1
            items.append(
                {
                    "id": item_id,
                    "plan_id": n,
                    "key": spec.key,
                    "title": spec.title,
                    "category": spec.category.value,
                    "owner": spec.owner.value,
                    "partner": spec.partner,
                    "status": "in_progress",
                    "due_date": spec.due_date,
                    "rule_id": spec.rule_id,
                    "updated_at": now,
                }
            )
            shown.append(
                {
                    "key": spec.key,
                    "title": spec.title,
                    "status": "in_progress",
                    "category": spec.category.value,
                }
            )
        events.append(
            {
                "plan_id": n,
                "at": now,
                "actor": OFFICERS[n % len(OFFICERS)],
                "actor_role": "probation_officer",
                "kind": "opened",
                "to_state": "sentence_planning",
            }
        )
        published.append(
            {
                "plan_id": n,
                "number": 1,
                "published_by": OFFICERS[n % len(OFFICERS)],
                "published_at": now,
                "snapshot": {
                    "given_name": given,
                    "preferred_language": "en",
                    "walk_out_date": walk_out.isoformat(),
                    "accommodation": {
                        "address": plans[-1]["accommodation_address"],
                        "ask_for": "The front desk",
                        "from": "2pm",
                    },
                    "travel": "Train from the station by the gate.",
                    "appointments": [
                        {
                            "id": n * 3 + k,
                            "kind": kind,
                            "starts_at": f"{walk_out.isoformat()}T1{k}:00:00+00:00",
                            "location": fake.street_address(),
                            "with_whom": fake.name(),
                            "what_to_bring": "Your licence and any ID.",
                            "sequence": 0,
                        }
                        for k, kind in enumerate(("probation", "gp", "jobcentre"))
                    ],
                    "contacts": [
                        {
                            "kind": "out_of_hours",
                            "name": "Out of hours",
                            "phone": "0800 000 0000",
                            "hours": "Any time",
                        },
                    ],
                    "checklist": shown,
                    "goals": [{"area": "work", "in_their_words": "A job with regular hours."}],
                },
            }
        )
    tables = ", ".join(
        f'"{t.name}"' for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version"
    )
    with engine.begin() as connection:
        # The bench's database is its own, migrated by the role it connects as (the owner):
        # only an owner can switch the audit trail's trigger off, and only to empty it.
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        for model, rows in (
            (Person, people),
            (ReleasePlan, plans),
            (ChecklistItem, items),
            (PlanEvent, events),
            (PublishedPlan, published),
        ):
            for chunk in _chunks(rows):
                connection.execute(insert(model), chunk)  # type: ignore[call-overload]
        for table in ("person", "release_plan", "checklist_item"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        connection.execute(text("ANALYZE"))
    engine.dispose()
    print(
        f"seeded {count} plans ({len(items)} checklist items) in "
        f"{time.perf_counter() - started:.1f} s"
    )


# --- the client ----------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


async def drive(
    name: str, url: str, calls: list[tuple[str, dict[str, str]]], concurrency: int
) -> Result:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(calls)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            for path, headers in queue:
                start = time.perf_counter()
                response = await client.get(path, headers=headers)
                await response.aread()
                latencies.append(time.perf_counter() - start)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Result(name, len(calls), seconds, latencies, statuses)


def run(args: argparse.Namespace) -> None:
    from api.auth import mint_token
    from resettlement.config import Settings

    base = Settings().sqlalchemy_url
    if not base.startswith("postgresql"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1/test"
        )
    url = bench_url(base)
    seed(url, args.plans)

    data_dir = tempfile.mkdtemp(prefix="resettlement-bench-")
    os.environ["RESETTLEMENT_DATA_DIR"] = data_dir
    env = {
        **os.environ,
        "DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://"),
        "RESETTLEMENT_DATA_DIR": data_dir,
    }
    officer_tokens = {o: mint_token(role="probation_officer", user=o) for o in OFFICERS}
    rng = random.Random(7)

    def plan_calls(n: int) -> list[tuple[str, dict[str, str]]]:
        calls = []
        for _ in range(n):
            plan_id = rng.randint(1, args.plans)
            token = officer_tokens[OFFICERS[plan_id % len(OFFICERS)]]
            calls.append((f"/api/v1/plans/{plan_id}", {"Authorization": f"Bearer {token}"}))
        return calls

    def me_calls(n: int) -> list[tuple[str, dict[str, str]]]:
        calls = []
        for _ in range(n):
            # A different prison leaver for each call, as on release day.
            plan_id = rng.randint(1, args.plans)
            token = mint_token(role="prison_leaver", user=f"leaver-{plan_id}", plan=plan_id)
            calls.append(("/api/v1/me/plan", {"Authorization": f"Bearer {token}"}))
        return calls

    payloads: dict[str, Any] = {}
    rounds = args.rounds
    per_round = max(1, args.requests // rounds)
    totals: dict[str, list[Result]] = {}
    with Server("real", env, args.workers) as real:
        import httpx

        for name, make in (("plan", plan_calls), ("me", me_calls)):
            path, headers = make(1)[0]
            payloads[name] = httpx.get(real.url + path, headers=headers).json()
        payload_file = Path(data_dir) / "payloads.json"
        payload_file.write_text(json.dumps(payloads))
        bare_env = {**env, "BENCH_PAYLOAD_FILE": str(payload_file)}
        with Server("bare", bare_env, args.workers) as bare:
            pairs = (
                ("GET /api/v1/plans/{id}", real.url, plan_calls, "plan"),
                ("GET /api/v1/me/plan", real.url, me_calls, "me"),
            )
            for _, url, make, name in pairs:
                asyncio.run(drive("warm-up", url, make(args.warmup), args.concurrency))
                bare_calls = [(f"/bare/{name}", {})] * args.warmup
                asyncio.run(drive("warm-up", bare.url, bare_calls, args.concurrency))
            # Rounds alternate real and bare, so a change in the machine's load (other jobs,
            # the database's own work) falls on both alike.
            for _ in range(rounds):
                for label, url, make, name in pairs:
                    got = asyncio.run(drive(label, url, make(per_round), args.concurrency))
                    totals.setdefault(label, []).append(got)
                    bare_label = f"bare, same JSON as {name}"
                    bare_calls = [(f"/bare/{name}", {})] * per_round
                    got = asyncio.run(drive(bare_label, bare.url, bare_calls, args.concurrency))
                    totals.setdefault(bare_label, []).append(got)
    results = [
        Result(
            label,
            sum(r.requests for r in parts),
            sum(r.seconds for r in parts),
            [x for r in parts for x in r.latencies],
            {
                status: sum(r.statuses.get(status, 0) for r in parts)
                for status in {s for r in parts for s in r.statuses}
            },
        )
        for label, parts in totals.items()
    ]

    print(
        f"\n{args.requests} requests each in {args.rounds} alternating rounds, "
        f"concurrency {args.concurrency}, {args.workers} uvicorn worker(s) each, "
        f"{args.plans} plans on PostgreSQL ({BENCH_DB})"
    )
    print(f"{'endpoint':<32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for r in results:
        print(
            f"{r.name:<32} {r.rps:>8.0f} {r.percentile(0.50):>8.1f} {r.percentile(0.99):>8.1f}"
            f"  {dict(sorted(r.statuses.items()))}"
        )
    by_name = {r.name: r for r in results}
    for real_name, bare_name in (
        ("GET /api/v1/plans/{id}", "bare, same JSON as plan"),
        ("GET /api/v1/me/plan", "bare, same JSON as me"),
    ):
        ratio = by_name[real_name].rps / by_name[bare_name].rps
        # Each real round ran just before its bare twin: their ratio cancels most of the drift in
        # what the shared machine gives the run, which the totals above carry in full.
        paired = sorted(
            r.rps / b.rps for r, b in zip(totals[real_name], totals[bare_name], strict=True)
        )
        median = statistics.median(paired)
        verdict = "meets" if median >= 0.5 else "misses"
        print(
            f"{real_name}: {ratio:.0%} of the bare endpoint's throughput over all rounds; "
            f"round by round {paired[0]:.0%} to {paired[-1]:.0%}, median {median:.0%} "
            f"({verdict} the 50% goal)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes, for both servers"
    )
    parser.add_argument("--serve", choices=["real", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.workers)
    else:
        run(args)


if __name__ == "__main__":
    main()
