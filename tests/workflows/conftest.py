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
