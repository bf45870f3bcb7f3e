"""A fresh, migrated database per test: SQLite by default, PostgreSQL when DATABASE_URL says so.

SQLite: the schema is migrated once into a template file, copied for each test.
PostgreSQL: each pytest worker gets its own database, migrated once, emptied after each test.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import Session, SQLModel

# Settings are read lazily; point everything at a throwaway data directory before any import
# of the application can cache them.
_DATA_DIR = Path(tempfile.mkdtemp(prefix="resettlement-tests-"))
os.environ["RESETTLEMENT_DATA_DIR"] = str(_DATA_DIR)
os.environ.setdefault("PREFECT_HOME", str(_DATA_DIR / "prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Prefect's temporary server gives up after 20 s; a busy 2-core CI machine needs longer.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from resettlement import migrate  # noqa: E402
from resettlement.config import Settings, get_settings  # noqa: E402
from resettlement.database import _sqlite_pragmas  # noqa: E402
from resettlement.observability.settings import get_watch_settings  # noqa: E402
from tests import log_scan  # noqa: E402

POSTGRES = bool(os.environ.get("DATABASE_URL"))
# The administrator's URL, read once: some workflow tests point DATABASE_URL at a test
# database's service role, which must not be the one that drops that database afterwards.
_ADMIN_URL = Settings().sqlalchemy_url if POSTGRES else ""


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """The service role's URL: on PostgreSQL a role of its own, apart from the owner that
    migrates, with only INSERT and SELECT on the audit trail, as in production."""
    if not POSTGRES:
        template = _DATA_DIR / f"template-{_worker()}.db"
        engine = _sqlite_engine(f"sqlite:///{template}")
        migrate.upgrade(engine)
        engine.dispose()
        yield f"sqlite:///{template}"
        return
    name = f"resettlement_test_{_worker()}_{os.getpid()}"
    urls = create_database(name)
    yield urls.service
    drop_database(name)


@dataclass(frozen=True)
class DatabaseUrls:
    owner: str
    service: str


# The superuser's URL, read once: tests point DATABASE_URL at their own databases' roles.
_ADMIN_URL = Settings().sqlalchemy_url


def admin_url() -> str:
    """The administrator's URL (PostgreSQL only): it may create databases and roles."""
    return _ADMIN_URL


def _admin() -> Engine:
    return create_engine(_ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_database(name: str) -> DatabaseUrls:
    """A new PostgreSQL database owned by a role of its own, migrated by that owner, with a
    service role granted what `resettlement db upgrade` grants it."""
    base = make_url(_ADMIN_URL)
    owner, service = f"{name}_owner", f"{name}_service"
    admin = _admin()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for role in (owner, service):
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
            connection.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER'))
        connection.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))
    admin.dispose()
    urls = DatabaseUrls(
        owner=base.set(username=owner, database=name).render_as_string(hide_password=False),
        service=base.set(username=service, database=name).render_as_string(hide_password=False),
    )
    engine = create_engine(urls.owner)
    migrate.upgrade(engine, service_role=service)
    engine.dispose()
    return urls


def drop_database(name: str) -> None:
    admin = _admin()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for role in (f"{name}_owner", f"{name}_service"):
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def owner_url_for(service_url: str) -> str:
    """The owner's URL for a test database, from its service role's."""
    url = make_url(service_url)
    owner = f"{url.database}_owner"
    return url.set(username=owner).render_as_string(hide_password=False)


def _sqlite_engine(url: str) -> Engine:
    from sqlalchemy import event

    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    if not POSTGRES:
        template = Path(database_url.removeprefix("sqlite:///"))
        copy = tmp_path / "test.db"
        shutil.copyfile(template, copy)
        engine = _sqlite_engine(f"sqlite:///{copy}")
        yield engine
        log_scan.remember_people(engine)
        engine.dispose()
        return
    engine = create_engine(database_url, pool_size=20, max_overflow=60)
    yield engine
    log_scan.remember_people(engine)
    engine.dispose()
    empty_as_owner(database_url)


def empty_as_owner(service_url: str) -> None:
    """Empties every table as the owner: only the owner may, and only by switching the audit
    trail's trigger off for its own transaction (the service's role can do neither)."""
    tables = ", ".join(
        f'"{t.name}"' for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version"
    )
    owner = create_engine(owner_url_for(service_url))
    with owner.begin() as connection:
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
    owner.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    get_watch_settings.cache_clear()
    yield
    get_settings.cache_clear()
    get_watch_settings.cache_clear()


# --- the log scan (tests/log_scan.py) ----------------------------------------------------

log_scan.log_dir()
log_scan.remember_link_secrets()


@pytest.fixture(autouse=True)
def _logs_scanned() -> None:
    log_scan.attach()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    log_scan.save_values()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller scans every worker's files once they have all finished
    directory = log_scan.log_dir()
    findings = log_scan.scan(directory)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"log scan: {log_scan.lines_scanned(directory)} lines logged by the app and its "
            f"servers, {len(findings)} with a link secret, date of birth or phone number "
            f"({directory})"
        )
        for finding in findings[:50]:
            reporter.write_line(f"  {finding}")
    if findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- factories ----------------------------------------------------------------------------

from collections.abc import Callable  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from faker import Faker  # noqa: E402

from resettlement.actors import Actor, Role  # noqa: E402
from resettlement.models import PersonCreate, ReleasePlan  # noqa: E402
from resettlement.plans import PlanCreate, open_plan  # noqa: E402

OFFICER = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)


@pytest.fixture
def fake() -> Faker:
    faker = Faker("en_GB")
    faker.seed_instance(1234)
    return faker


@pytest.fixture
def plan_data(fake: Faker) -> Callable[..., PlanCreate]:
    """Valid plan input with made-up people; keyword arguments override any field."""

    def build(**overrides: Any) -> PlanCreate:
        person: dict[str, Any] = {
            "prison_number": fake.bothify("?####??", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
            "crn": fake.bothify("?######", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
            "given_name": fake.first_name(),
            "family_name": fake.last_name(),
            "date_of_birth": fake.date_of_birth(minimum_age=20, maximum_age=70),
            "nation": "england-and-wales",
            "prison_code": "MDI",
        }
        person.update(overrides.pop("person", {}))
        fields: dict[str, Any] = {
            "person": PersonCreate(**person),
            "probation_officer_id": OFFICER.user_id,
            "sentence_date": date.today() - timedelta(days=400),
            # A Wednesday with no nearby holiday: not flagged.
            "requested_release_date": date(2027, 3, 10),
            "term_days": 900,
        }
        fields.update(overrides)
        return PlanCreate(**fields)

    return build


@pytest.fixture
def new_plan(session: Session, plan_data: Callable[..., PlanCreate]) -> Callable[..., ReleasePlan]:
    def build(**overrides: Any) -> ReleasePlan:
        return open_plan(session=session, actor=OFFICER, data=plan_data(**overrides))

    return build


# --- the app, a live server and a browser, shared by the API, page and staff tests --------

import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from api.deps import get_session  # noqa: E402
from api.main import create_app  # noqa: E402
from resettlement.observability.settings import WatchSettings  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium keeps calling out, and this machine's network says no.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def make_app(engine: Engine) -> Iterator[Callable[..., FastAPI]]:
    """Builds the real application (with the given watch settings), its session dependency
    and its metrics pointed at this test's database."""
    built: list[FastAPI] = []

    def build(watch: WatchSettings | None = None) -> FastAPI:
        application = create_app(watch=watch)

        def test_session() -> Iterator[Session]:
            with Session(engine, expire_on_commit=False) as session:
                yield session

        application.dependency_overrides[get_session] = test_session
        if application.state.metrics is not None:
            application.state.metrics.engine = lambda: engine
        built.append(application)
        return application

    yield build
    for application in built:
        application.dependency_overrides.clear()


@pytest.fixture
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    """The real application, its session dependency pointed at this test's database."""
    return make_app()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app under real uvicorn on 127.0.0.1 in a thread. Its access log is on and reaches
    the session's log scan (log_config=None: uvicorn's loggers propagate)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_config=None, log_level="info")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app under real uvicorn on 127.0.0.1, for the browser."""
    with serving(app) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    # CI installs Chromium; there a missing browser must fail the run, not skip quietly.
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- a server in a process of its own, as production runs it ---------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402

import httpx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def server_process(
    engine: Engine,
    arguments: list[str],
    port: int,
    env: dict[str, str] | None = None,
    start_seconds: float = 60,
) -> Iterator[str]:
    """A server started as `python <arguments>`, on this test's database, until it answers."""
    environment = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        **(env or {}),
    }
    # What the server logs goes to the session's log scan (tests/log_scan.py), as JSON lines:
    # the format a deployment collects.
    environment.setdefault("RESETTLEMENT_LOG_FORMAT", "json")
    log = log_scan.server_log_file().open("ab")
    server = subprocess.Popen(
        [sys.executable, *arguments], cwd=ROOT, env=environment, stdout=log, stderr=log
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            assert server.poll() is None, "uvicorn exited"
            assert time.monotonic() < deadline, "uvicorn did not start"
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- watching the service: a request that logs a person's details and then fails with them
# in its exception, as a careless change might (tests/pages/test_json_logs.py and others) ----

import logging  # noqa: E402

# Ofcom's drama range: nobody's real number.
MOBILE = "+447700900123"


def add_a_route_that_logs_and_fails(app: FastAPI, date_of_birth: date) -> None:
    """A request whose handler logs the person's details and then fails with them in the
    exception's message, as a careless change might."""
    log = logging.getLogger("api")

    @app.get("/plan-link/{secret}/fails")
    def fails(secret: str) -> None:
        log.warning(
            "looking up %s for someone born %s on %s",
            f"/plan-link/{secret}",
            date_of_birth,
            MOBILE,
        )
        raise RuntimeError(f"no plan for {secret}, born {date_of_birth:%d/%m/%Y}")
