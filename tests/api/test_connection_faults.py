"""Connections killed under load: a committed change is never answered as a failure.

A real uvicorn server runs the production session and engine (pool, ping-when-idle) against
PostgreSQL while writers and readers keep it busy and another thread terminates every one of
the API's backends again and again. Every answer must be right or a 503 problem+json with
Retry-After; every write answered 2xx must be in the database, and none answered 5xx.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import Session, col, select

from api.main import create_app
from api.settings import get_api_settings
from resettlement.config import get_settings
from resettlement.database import engine_for
from resettlement.models import Goal, PlanEvent, ReleasePlan, SupportContact
from tests.api.conftest import Headers
from tests.conftest import POSTGRES, free_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="terminates PostgreSQL backends"),
]

APP_NAME = "resettlement-fault-test"
LOAD_SECONDS = 20
WRITERS = 4
READERS = 3
PROBLEM = "application/problem+json"


@dataclass
class Outcome:
    kind: str  # "contact", "goals" or "read"
    plan_id: int
    token: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


@pytest.fixture
def server(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """The production app under uvicorn; its connections carry a name the killer looks for."""
    url = make_url(database_url).update_query_dict({"application_name": APP_NAME})
    rendered = url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", rendered)
    get_settings.cache_clear()
    get_api_settings.cache_clear()
    app = create_app()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="critical")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}", rendered
    server.should_exit = True
    thread.join(timeout=20)
    engine_for(get_settings().sqlalchemy_url).dispose()


def kill_repeatedly(killer: Engine, stop: threading.Event, kills: list[int]) -> None:
    while not stop.is_set():
        with killer.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": APP_NAME},
            ).scalar_one()
            connection.commit()
        kills.append(killed)
        stop.wait(random.uniform(0.1, 0.6))


def write_repeatedly(
    base: str,
    headers: Headers,
    plan_id: int,
    version: int,
    stop: threading.Event,
    out: list[Outcome],
) -> None:
    number = 0
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while not stop.is_set():
            number += 1
            token = f"p{plan_id}w{number}"
            if number % 2:
                kind = "contact"
                response = client.post(
                    f"/api/v1/plans/{plan_id}/contacts",
                    json={
                        "kind": "support_organisation",
                        "name": token,
                        "phone": "0800 000 000",
                        "expected_version": version,
                    },
                )
            else:
                kind = "goals"
                response = client.put(
                    f"/api/v1/plans/{plan_id}/goals",
                    json={
                        "goals": [{"area": "work", "in_their_words": token}],
                        "expected_version": version,
                    },
                )
            body = response.json()
            out.append(
                Outcome(kind, plan_id, token, response.status_code, body, dict(response.headers))
            )
            if response.is_success:
                version = body["version"]


def read_repeatedly(
    base: str, headers: Headers, plan_ids: list[int], stop: threading.Event, out: list[Outcome]
) -> None:
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while not stop.is_set():
            plan_id = random.choice(plan_ids)
            response = client.get(f"/api/v1/plans/{plan_id}")
            out.append(
                Outcome(
                    "read",
                    plan_id,
                    "",
                    response.status_code,
                    response.json(),
                    dict(response.headers),
                )
            )


def test_killed_connections_never_turn_a_committed_change_into_an_error(
    server: tuple[str, str],
    database_url: str,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    officer: Headers,
) -> None:
    base, _ = server
    opened = [new_plan() for _ in range(WRITERS)]
    plan_ids = [p.id for p in opened if p.id is not None]
    stop = threading.Event()
    outcomes: list[Outcome] = []
    kills: list[int] = []
    killer = create_engine(database_url)
    threads = [
        threading.Thread(target=kill_repeatedly, args=(killer, stop, kills)),
        *(
            threading.Thread(
                target=write_repeatedly, args=(base, officer, p.id, p.version, stop, outcomes)
            )
            for p in opened
        ),
        *(
            threading.Thread(target=read_repeatedly, args=(base, officer, plan_ids, stop, outcomes))
            for _ in range(READERS)
        ),
    ]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    killer.dispose()

    statuses = Counter((o.kind, o.status) for o in outcomes)
    print(f"killed {sum(kills)} connections; answers {sorted(statuses.items())}")
    assert sum(kills) >= 20, "the killer must actually have cut connections"
    unavailable = [o for o in outcomes if o.status == 503]
    wrong = [
        (o.kind, o.status, o.body.get("detail"))
        for o in outcomes
        if not (o.status in (200, 201) or o.status == 503)
    ]
    assert wrong == [], wrong[:5]
    for o in unavailable:
        assert o.headers["content-type"] == PROBLEM
        assert int(o.headers["retry-after"]) >= 1
    # Enough happened, on both sides, for the test to mean something.
    writes = [o for o in outcomes if o.kind != "read"]
    assert sum(o.status < 300 for o in writes) >= 20
    assert sum(o.status < 300 for o in outcomes if o.kind == "read") >= 20

    for o in outcomes:
        if o.kind == "read" and o.status == 200:
            assert o.body["id"] == o.plan_id
        if o.kind == "contact" and o.status == 201:
            assert o.token in [c["name"] for c in o.body["contacts"]]
        if o.kind == "goals" and o.status == 200:
            assert [g["in_their_words"] for g in o.body["goals"]] == [o.token]

    session.expire_all()
    stored_contacts = set(session.exec(select(SupportContact.name)).all())
    for o in writes:
        if o.kind == "contact":
            assert (o.token in stored_contacts) == (o.status == 201), (o.token, o.status)
    for plan_id in plan_ids:
        mine = [o for o in writes if o.plan_id == plan_id and o.kind == "goals"]
        saved = [o for o in mine if o.status == 200]
        events = session.exec(
            select(PlanEvent.id).where(
                PlanEvent.plan_id == plan_id, col(PlanEvent.kind) == "goals_changed"
            )
        ).all()
        # One history row per goals write that committed: exactly those answered 200.
        assert len(events) == len(saved), (plan_id, len(events), len(saved))
        goals = session.exec(select(Goal.in_their_words).where(Goal.plan_id == plan_id)).all()
        assert list(goals) == ([saved[-1].token] if saved else [])
