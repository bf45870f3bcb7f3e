"""The Prefect harness (one per session, never nested) and a database the flows can find.

The flows open their own sessions through resettlement.database.get_engine(), which reads the
settings; `flow_db` points the settings at the test's own database and back again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from prefect.testing.utilities import prefect_test_harness
from sqlalchemy import Engine
from sqlmodel import Session, select

from resettlement import checklists, forty_eight_hours, plans
from resettlement.actors import Actor, Role
from resettlement.config import get_settings
from resettlement.database import engine_for
from resettlement.models import ChecklistStatus, ReleasePlan
from resettlement.plans import NightOne, PlanCreate
from rules.checklists import CORE_KEYS

OFFICER = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=60):
        yield


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def point_settings_at(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()


@pytest.fixture
def flow_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The test database, as the flows see it."""
    url = url_of(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield engine
    engine_for(get_settings().sqlalchemy_url).dispose()


def version(session: Session, plan_id: int) -> int:
    plan = session.get(ReleasePlan, plan_id)
    assert plan is not None
    session.refresh(plan)
    return plan.version


def start_core_items(session: Session, plan_id: int, keys: Any = CORE_KEYS) -> None:
    for key in sorted(keys):
        checklists.update_item(
            session=session,
            actor=OFFICER,
            plan_id=plan_id,
            key=key,
            expected_version=version(session, plan_id),
            status=ChecklistStatus.IN_PROGRESS,
        )


def move(session: Session, plan_id: int, event: str, today: date) -> None:
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan_id,
        event=event,
        expected_version=version(session, plan_id),
        today=today,
    )


def publish(session: Session, plan_id: int, address: str = "12 Station Road, Cardiff") -> None:
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan_id,
        expected_version=version(session, plan_id),
        data=NightOne(accommodation_address=address),
    )
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan_id, expected_version=version(session, plan_id)
    )


@pytest.fixture
def plan_in_pre_release(
    session: Session, plan_data: Callable[..., PlanCreate]
) -> Callable[..., ReleasePlan]:
    """A plan the officer has taken to pre-release; `ready=True` also publishes its plan."""

    def build(ready: bool = False, **overrides: Any) -> ReleasePlan:
        plan = plans.open_plan(session=session, actor=OFFICER, data=plan_data(**overrides))
        assert plan.id is not None and plan.walk_out_date is not None
        start_core_items(session, plan.id)
        move(session, plan.id, "start_resettlement_planning", plan.walk_out_date)
        move(session, plan.id, "start_pre_release", plan.walk_out_date)
        if ready:
            publish(session, plan.id)
        session.refresh(plan)
        return plan

    return build


def states(session: Session) -> dict[int, str]:
    session.expire_all()
    return {p.id: p.state for p in session.exec(select(ReleasePlan))}  # type: ignore[misc]


def days(n: int) -> timedelta:
    return timedelta(days=n)


def run_directly(actions: tuple[str, ...], as_of: date, batch_size: int = 500) -> dict[str, int]:
    """The flow's work without the Prefect engine (task bodies via .fn()), for tests about
    what the actions decide rather than how the flow runs them: about a second faster a run."""
    from collections import Counter

    from workflows.flows import batches
    from workflows.tasks import find_due, run_batch

    summary: Counter[str] = Counter()
    for action in actions:
        ids = find_due.fn(action, as_of)
        summary[f"{action}.due"] += len(ids)
        for chunk in batches(ids, batch_size):
            for outcome, count in run_batch.fn(action, chunk, as_of).items():
                summary[f"{action}.{outcome}"] += count
                if outcome == "notifications":
                    summary["notifications"] += count
    return dict(summary)


# --- GOV.UK Notify and GOV.UK's bank holidays, played by local HTTP servers ---------------

NOTIFY_SERVICE_ID = "1f1f1f1f-2e2e-4d4d-8c8c-3b3b3b3b3b3b"
NOTIFY_SECRET = "9a9a9a9a-8b8b-4c4c-9d9d-7e7e7e7e7e7e"
NOTIFY_API_KEY = f"resettlement_test-{NOTIFY_SERVICE_ID}-{NOTIFY_SECRET}"


class FakeNotify:
    """GOV.UK Notify's API as the client sees it, over real HTTP: POST /v2/notifications/email
    and /sms, GET /v2/notifications/{id} and GET /v2/notifications?reference=. It checks the
    bearer token as Notify does (HS256 with the key's secret, iss = the service id) and fails
    on purpose: `script` holds what the next POSTs meet ("429", "500", "400", "timeout",
    "late" (accepted, then answered too late), anything else succeeds)."""

    def __init__(self) -> None:
        import threading

        self.script: list[str] = []
        self.notifications: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.statuses: dict[str, str] = {}
        self.lock = threading.Lock()
        self.delay = 1.0

    def by_reference(self, reference: str) -> list[dict[str, Any]]:
        return [n for n in self.notifications.values() if n["reference"] == reference]


@pytest.fixture
def notify_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNotify]:
    import contextlib
    import json
    import threading
    import time
    import uuid
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlparse

    import jwt

    fake = FakeNotify()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            # The client gave up waiting (a timeout on purpose): nobody reads the answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(raw)

        def _authorised(self) -> bool:
            header = self.headers.get("Authorization", "")
            try:
                claims = jwt.decode(
                    header.removeprefix("Bearer "), NOTIFY_SECRET, algorithms=["HS256"]
                )
            except jwt.PyJWTError:
                claims = {}
            if claims.get("iss") != NOTIFY_SERVICE_ID:
                self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
                return False
            return True

        def do_POST(self) -> None:
            path = urlparse(self.path).path
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            with fake.lock:
                fake.requests.append(("POST", path))
                planned = fake.script.pop(0) if fake.script else "ok"
            if not self._authorised():
                return
            if planned in ("429", "500", "400"):
                error = {"429": "RateLimitError", "500": "Exception", "400": "BadRequestError"}
                self._answer(
                    int(planned),
                    {
                        "status_code": int(planned),
                        "errors": [{"error": error[planned], "message": "on purpose"}],
                    },
                )
                return
            if planned == "timeout":
                time.sleep(fake.delay)
                return
            kind = path.rsplit("/", 1)[-1]
            made = {
                "id": str(uuid.uuid4()),
                "reference": payload.get("reference"),
                "type": kind,
                "status": "created",
                "template_id": payload.get("template_id"),
                "personalisation": payload.get("personalisation"),
                "email_address": payload.get("email_address"),
                "phone_number": payload.get("phone_number"),
            }
            with fake.lock:
                fake.notifications[made["id"]] = made
            if planned == "late":
                time.sleep(fake.delay)
            self._answer(
                201,
                {
                    "id": made["id"],
                    "reference": made["reference"],
                    "content": {"body": (payload.get("personalisation") or {}).get("body")},
                    "uri": f"/v2/notifications/{made['id']}",
                    "template": {"id": made["template_id"], "version": 1, "uri": "/"},
                },
            )

        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            with fake.lock:
                fake.requests.append(("GET", parsed.path + ("?" if parsed.query else "")))
            if not self._authorised():
                return
            if parsed.path == "/v2/notifications":
                reference = parse_qs(parsed.query).get("reference", [None])[0]
                found = [n for n in fake.notifications.values() if n["reference"] == reference]
                self._answer(200, {"notifications": found, "links": {}})
                return
            notification_id = parsed.path.rsplit("/", 1)[-1]
            found_one = fake.notifications.get(notification_id)
            if found_one is None:
                self._answer(404, {"errors": [{"error": "NoResultFound", "message": "none"}]})
                return
            status = fake.statuses.get(notification_id, found_one["status"])
            self._answer(200, found_one | {"status": status})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_API_KEY", NOTIFY_API_KEY)
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_BASE_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_TIMEOUT_SECONDS", "0.4")
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_RETRY_WAIT_SECONDS", "0.01")
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_TEMPLATE_IDS", '{"default": "tmpl-1"}')
    get_settings.cache_clear()
    yield fake
    server.shutdown()
    server.server_close()
    get_settings.cache_clear()
