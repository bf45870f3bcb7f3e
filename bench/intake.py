"""The intake over 100,000 made-up rows on PostgreSQL, beside a plain COPY of the same rows.

Creates the database `resettlement_bench_intake` afresh, migrates it, adds the staff the rows
name, writes a made-up extract (faker, fixed seed) as CSV, then in one run:

1. COPY of the CSV into a staging table of text columns (no checks, no domain);
2. the import (`resettlement.intake.importer.import_extract`): every row read and checked, a
   batch at a time (2,000 rows by default), each new person and plan created with its
   checklist, history, early-release request, audit and its line of the report;
3. the schema's floor: every row the import wrote, written again by one INSERT ... SELECT a
   table inside the server (no Python, no network) and rolled back;
4. the same file again: every row compared and left unchanged;
5. statements at two batch sizes, to show they grow with batches, not rows.

Prints rows per second and SQL statements for each, and the import's rate as a share of COPY's
(the issue's goal: at least a quarter) and of the floor's. The floor shows why that goal is out
of reach for any import that writes what the service holds for a new plan: a new plan is about
sixteen rows in seven tables (eleven of them its checklist), each with its indexes and keys,
where COPY writes one row of text to a table with none. Statements are counted with a
SQLAlchemy event listener on the engine (an executemany counts once).

Run: .venv/bin/python bench/intake.py [--rows 100000] [--batch-size 500]
     [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

from sqlalchemy import Engine, create_engine, event, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402
from sqlmodel import Session  # noqa: E402

from resettlement import migrate, staff  # noqa: E402
from resettlement.actors import Actor, Role  # noqa: E402
from resettlement.config import get_settings  # noqa: E402
from resettlement.intake import made_up  # noqa: E402
from resettlement.intake.extract import read_extract  # noqa: E402
from resettlement.intake.importer import BATCH_SIZE, import_extract  # noqa: E402
from resettlement.intake.models import IntakeRowOutcome, Outcome  # noqa: E402
from resettlement.models import (  # noqa: E402
    AuditEvent,
    ChecklistItem,
    EarlyReleaseRequest,
    Person,
    PlanEvent,
    ReleasePlan,
)
from resettlement.staff import StaffMember  # noqa: E402
from rules.intake_rows import COLUMNS  # noqa: E402

DB_NAME = os.environ.get("BENCH_INTAKE_DB", "resettlement_bench_intake")
PRISONS = ("MDI", "BWI", "SDI", "LPI", "HMI", "WDI", "NMI", "CFI")
OFFICERS = tuple(f"po-bench-{n}" for n in range(20))
ACTOR = Actor(user_id="bench-intake", role=Role.ADMIN)


def fresh_database(admin_url: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{DB_NAME}"


def _backend_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds used so far by each server process connected to the bench's database, read
    from /proc (the server runs on this machine; elsewhere this is empty)."""
    watcher = create_engine(engine.url, poolclass=NullPool)
    with watcher.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
            {"d": DB_NAME},
        ).scalars()
        found: dict[int, float] = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    watcher.dispose()
    return found


class Counter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1

    def __enter__(self) -> Counter:
        self.backends = _backend_cpu(self.engine)
        self.count, self.started, self.cpu = 0, time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: Any) -> None:
        self.seconds = time.perf_counter() - self.started
        # This process's own CPU time, and the server's for this database: on a shared
        # machine wall time is mostly waiting for a core, and CPU time is what the work costs.
        self.cpu = time.process_time() - self.cpu
        after = _backend_cpu(self.engine)
        self.server_cpu = sum(v - self.backends.get(pid, 0.0) for pid, v in after.items())


def copy_rows(engine: Engine, content: bytes) -> None:
    """The floor: the same rows into a staging table of text columns, with COPY."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        columns = ", ".join(f"{c} text" for c in COLUMNS)
        cursor.execute(
            f"DROP TABLE IF EXISTS intake_staging; CREATE TABLE intake_staging ({columns})"
        )
        raw.commit()
        with cursor.copy(  # type: ignore[attr-defined]
            f"COPY intake_staging ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(content)
        raw.commit()
    finally:
        raw.close()


# What each table the import writes must hold again, to copy its rows within the server: the
# columns with a unique index get a value no import writes (lower case where the service
# stores upper case), and the import's own report rows and audit lines are picked out.
_FLOOR_TABLES: tuple[tuple[Any, dict[str, str], str], ...] = (
    (Person, {"prison_number": "lower(prison_number)", "crn": "lower(crn)"}, ""),
    (ReleasePlan, {}, ""),
    (ChecklistItem, {"key": "key || '+'"}, ""),
    (EarlyReleaseRequest, {}, ""),
    (PlanEvent, {}, ""),
    (AuditEvent, {}, "WHERE object_type = 'plan' AND action = 'create'"),
    (IntakeRowOutcome, {}, "WHERE run_id = :run"),
)


def server_floor(engine: Engine, rows: int, run_id: int) -> float:
    """The floor the schema sets: every row the import just wrote, written again inside the
    server by one INSERT ... SELECT a table (no Python, no network, no checks but the
    schema's own indexes, keys and triggers), then rolled back. No import that writes what
    the service holds for a new plan can be faster than this."""
    print("floor: the import's rows written again in the server, a table at a time:")
    total = 0.0
    with engine.connect() as connection:
        for model, changed, where in _FLOOR_TABLES:
            table = model.__table__
            names = [c.name for c in table.columns if c.name != "id"]
            picked = ", ".join(changed.get(n, n) for n in names)
            started = time.perf_counter()
            written = connection.execute(
                text(
                    f"INSERT INTO {table.name} ({', '.join(names)}) "
                    f"SELECT {picked} FROM {table.name} {where}"
                ),
                {"run": run_id},
            ).rowcount
            seconds = time.perf_counter() - started
            connection.rollback()
            total += seconds
            print(f"  {table.name:<24} {written:>10,} rows {seconds:>7.2f} s")
    print(f"  {'all of them':<24} {'':>10} {total:>12.2f} s  ({rows / total:,.0f} plans/s)")
    return rows / total


def line(what: str, rows: int, counter: Counter) -> tuple[float, float]:
    rate = rows / counter.seconds
    cpu = counter.cpu + counter.server_cpu
    print(f"{what:<34} {rows:>8,} rows {counter.seconds:>8.2f} s {rate:>10,.0f} rows/s "
          f"{counter.count:>6,} statements  (CPU: Python {counter.cpu:.1f} s, server "
          f"{counter.server_cpu:.1f} s; {rows / cpu:,.0f} rows a CPU second)")  # fmt: skip
    return rate, rows / cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    url = fresh_database(args.admin_url)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    from resettlement.database import get_engine

    engine = get_engine()
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        members = [
            StaffMember(user_id=f"governor-{p.lower()}", name=p, role="governor", prison_code=p)
            for p in PRISONS
        ] + [StaffMember(user_id=o, name=o, role="probation_officer") for o in OFFICERS]
        staff.add_missing(session=session, members=members)
    today = date.today()
    rows = made_up.made_up_rows(args.rows, today=today, prisons=PRISONS, officers=OFFICERS)
    content = made_up.as_csv(rows)
    print(f"{args.rows:,} made-up rows, {len(content) / 1e6:.1f} MB of CSV, batches of "
          f"{args.batch_size}, PostgreSQL at {engine.url.render_as_string()}")  # fmt: skip
    # Warm up what every run loads once (the bank holiday tables), outside the clock.
    warm = made_up.made_up_rows(1, today=today, prisons=PRISONS, officers=OFFICERS, first=900_000)
    with Session(engine, expire_on_commit=False) as session:
        import_extract(
            session=session, actor=ACTOR, extract=read_extract("w.csv", made_up.as_csv(warm))
        )

    counter = Counter(engine)
    with counter:
        copy_rows(engine, content)
    # The COPY goes through the driver's own connection, which the listener does not see: it
    # is one CREATE TABLE and one COPY.
    counter.count = 2
    copy_rate, copy_cpu = line("COPY into a staging table", args.rows, counter)

    with Session(engine, expire_on_commit=False) as session, counter:
        done = import_extract(
            session=session,
            actor=ACTOR,
            extract=read_extract("bench.csv", content),
            batch_size=args.batch_size,
        )
    assert done.count(Outcome.CREATED) == args.rows, {o: done.count(o) for o in Outcome}
    import_rate, import_cpu = line("import (every row a new plan)", args.rows, counter)
    first_statements = counter.count
    floor_rate = server_floor(engine, args.rows, done.run.id or 0)

    with Session(engine, expire_on_commit=False) as session, counter:
        again = import_extract(
            session=session,
            actor=ACTOR,
            extract=read_extract("bench.csv", content),
            batch_size=args.batch_size,
        )
    assert again.count(Outcome.UNCHANGED) == args.rows
    unchanged_rate, _ = line("the same file again (unchanged)", args.rows, counter)

    batches = -(-args.rows // args.batch_size)
    print(f"\nimport / COPY: {import_rate / copy_rate:.3f} (goal at least 0.25); the schema's "
          f"floor / COPY: {floor_rate / copy_rate:.3f}; import / floor: "
          f"{import_rate / floor_rate:.3f}")  # fmt: skip
    print(f"unchanged / COPY: {unchanged_rate / copy_rate:.3f}; import / COPY by CPU time "
          f"(Python and server, whatever else the machine runs): "
          f"{import_cpu / copy_cpu:.3f}")  # fmt: skip
    per_batch, per_row = first_statements / batches, first_statements / args.rows
    print(f"statements: {first_statements:,} for {batches:,} batches "
          f"({per_batch:.1f} a batch, {per_row:.3f} a row)")  # fmt: skip

    # Statements grow with batches, not rows: the same number of batches of twice the rows.
    for size, count in ((100, 1_000), (200, 2_000)):
        more = made_up.made_up_rows(count, today=today, prisons=PRISONS, officers=OFFICERS,
                                    first=500_000 + size * 100)  # fmt: skip
        with Session(engine, expire_on_commit=False) as session, counter:
            extract = read_extract("more.csv", made_up.as_csv(more))
            import_extract(session=session, actor=ACTOR, extract=extract, batch_size=size)
        print(f"{count:>6,} rows in 10 batches of {size}: {counter.count} statements")


if __name__ == "__main__":
    main()
