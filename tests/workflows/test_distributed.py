"""The README's "At scale" path, for real: a Prefect server on PostgreSQL (its own database), the
deployments of prefect.yaml registered with `prefect deploy --all`, and a worker started from
this environment with `resettlement flows worker`.

It holds what broke with prefect 3.8.8: the server's scheduler never created a scheduled run
(SQLAlchemy 2.1) and `prefect deploy --all` stopped after the first deployment (FastAPI 0.151+).
PostgreSQL only: the server's database is what is under test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from resettlement.models import PlanState
from rules.timings import RESETTLEMENT_PLANNING_OPENS_DAYS

from .conftest import days, states, url_of

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="a Prefect server on PostgreSQL"
)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEPLOYMENTS = (
    "daily-release-scan",
    "release-day",
    "forty-eight-hour-followup",
    "message-sweep",
    "calendar-refresh",
    "retention",
    "intake-folder",
)
WEDNESDAY = date(2027, 3, 10)


def free_port() -> int:
    # Port 0 gives one from the kernel's ephemeral range, never Prefect's own 8000-8999.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check, seconds: float, logs: list[Path]):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
    raise AssertionError(f"{what} within {seconds} s\n{tails}")


@pytest.fixture
def prefect_database(engine: Engine) -> Iterator[str]:
    """A database of its own for the Prefect server, beside the service's test database."""
    name = f"resettlement_prefect_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    from tests.conftest import admin_url

    # The administrator creates it and the server uses it: the service's role may not create
    # databases, as in production.
    base = make_url(admin_url())
    admin = create_engine(
        base.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(drivername="postgresql+asyncpg", database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in reversed(started):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in reversed(started):
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_server_on_postgresql_schedules_every_deployment_and_a_worker_runs_the_scan(
    flow_db: Engine,
    session,
    new_plan,
    prefect_database: str,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    plan = new_plan()  # sentence planning; walk-out Wednesday 10 March 2027
    as_of = WEDNESDAY - days(RESETTLEMENT_PLANNING_OPENS_DAYS)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PREFECT_", "RESETTLEMENT_")) and k != "DATABASE_URL"
    }
    base_env |= {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": api,
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    logs = [tmp_path / n for n in ("server.log", "worker.log")]

    def start(argv: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip

    start(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        base_env | {"PREFECT_API_DATABASE_CONNECTION_URL": prefect_database},
        logs[0],
    )
    client = httpx.Client(base_url=api, timeout=10)

    def healthy() -> bool:
        try:
            return client.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    wait_for("the Prefect server answered", healthy, 90, logs)

    def prefect(*args: str, **env: str) -> str:
        done = subprocess.run(
            [str(BIN / "prefect"), "--no-prompt", *args],
            env=base_env | env, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    # The work pool, and the automation that crashes runs whose heartbeats stop.
    setup = subprocess.run(
        [str(BIN / "resettlement"), "flows", "setup"],
        env=base_env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stdout + setup.stderr
    [automation] = client.post("/automations/filter", json={}).raise_for_status().json()
    assert automation["name"] == "resettlement: crash flow runs whose heartbeats stopped"
    assert automation["actions"][0]["state"] == "CRASHED"
    # Times come from the settings of the deploying shell, as in local mode.
    prefect("deploy", "--all", RESETTLEMENT_SCAN_TIME="05:45")

    deployments = {
        d["name"]: d for d in client.post("/deployments/filter", json={}).raise_for_status().json()
    }
    assert sorted(deployments) == sorted(DEPLOYMENTS)
    scan = deployments["daily-release-scan"]
    assert scan["pull_steps"] in (None, [])  # workers use their own installed code
    assert scan["entrypoint"] == "workflows.flows:daily_release_scan"
    assert scan["job_variables"]["env"]["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == "30"
    crons = {n: d["schedules"][0]["schedule"]["cron"] for n, d in deployments.items()}
    assert crons == {
        "daily-release-scan": "45 5 * * *",
        "release-day": "30 6 * * *",
        "forty-eight-hour-followup": "0 9 * * *",
        "message-sweep": "*/5 * * * *",
        "calendar-refresh": "30 2 * * *",
        "retention": "0 3 * * *",
        "intake-folder": "*/10 * * * *",
    }

    def scheduled() -> dict[str, list[datetime]]:
        runs = client.post(
            "/flow_runs/filter",
            json={"flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}},
        ).raise_for_status()
        by_deployment: dict[str, list[datetime]] = {}
        names = {d["id"]: n for n, d in deployments.items()}
        for run in runs.json():
            when = datetime.fromisoformat(run["expected_start_time"])
            by_deployment.setdefault(names[run["deployment_id"]], []).append(when)
        return by_deployment if len(by_deployment) == len(DEPLOYMENTS) else {}

    # The server's scheduler service, not the deploy command, creates these.
    upcoming = wait_for("scheduled runs for every deployment", scheduled, 60, logs)
    london = ZoneInfo("Europe/London")
    assert {w.astimezone(london).strftime("%H:%M") for w in upcoming["daily-release-scan"]} == {
        "05:45"
    }
    assert all(w > datetime.now(UTC) for ws in upcoming.values() for w in ws)

    start(
        [str(BIN / "resettlement"), "flows", "worker", "--pool", "resettlement"],
        base_env | {"DATABASE_URL": url_of(flow_db), "PREFECT_WORKER_QUERY_SECONDS": "1"},
        logs[1],
    )
    run = client.post(
        f"/deployments/{scan['id']}/create_flow_run",
        json={"parameters": {"as_of": as_of.isoformat()}},
    ).raise_for_status()

    def finished() -> dict[str, str] | None:
        state = client.get(f"/flow_runs/{run.json()['id']}").raise_for_status().json()["state"]
        return state if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

    state = wait_for("the triggered scan finished", finished, 120, logs)
    assert state["type"] == "COMPLETED", (state, logs[1].read_text()[-3000:])
    assert states(session)[plan.id] == PlanState.RESETTLEMENT_PLANNING.value
