"""A COMMIT whose reply is lost: done if it committed, Unavailable (503) only if it did not.

The connection is made to report itself lost right after, or right before, the database
commits: the two cases a client cannot tell apart from the error alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from resettlement import plans
from resettlement.errors import Unavailable
from resettlement.models import PlanEvent, ReleasePlan
from tests.conftest import OFFICER


class ConnectionLost(Exception):
    """Stands for the driver's error when the server goes away mid-COMMIT."""


def lose_the_reply(engine: Engine, monkeypatch: pytest.MonkeyPatch, *, after: bool) -> None:
    commit = engine.dialect.do_commit

    def lost(dbapi_connection: Any) -> None:
        if after:
            commit(dbapi_connection)
        raise OperationalError("COMMIT", {}, ConnectionLost("server closed the connection"))

    monkeypatch.setattr(engine.dialect, "do_commit", lost)


def night_one(session: Session, plan: ReleasePlan) -> ReleasePlan:
    assert plan.id is not None
    return plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 9, 1 Made Up Street, York"),
    )


def changes(engine: Engine, plan_id: int) -> int:
    with Session(engine) as fresh:
        return len(
            fresh.exec(
                select(PlanEvent).where(
                    PlanEvent.plan_id == plan_id, PlanEvent.kind == "night_one_changed"
                )
            ).all()
        )


def test_a_commit_whose_reply_is_lost_after_it_committed_is_answered_as_done(
    engine: Engine, new_plan: Callable[..., ReleasePlan], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = new_plan()
    assert plan.id is not None
    lose_the_reply(engine, monkeypatch, after=True)
    with Session(engine, expire_on_commit=False) as writer:
        changed = night_one(writer, writer.get(ReleasePlan, plan.id))  # type: ignore[arg-type]
    monkeypatch.undo()
    assert changed.accommodation_address == "Flat 9, 1 Made Up Street, York"
    assert changes(engine, plan.id) == 1


def test_a_commit_lost_before_it_committed_is_unavailable_and_changes_nothing(
    engine: Engine, new_plan: Callable[..., ReleasePlan], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = new_plan()
    assert plan.id is not None
    lose_the_reply(engine, monkeypatch, after=False)
    with Session(engine, expire_on_commit=False) as writer, pytest.raises(Unavailable):
        night_one(writer, writer.get(ReleasePlan, plan.id))  # type: ignore[arg-type]
    monkeypatch.undo()
    assert changes(engine, plan.id) == 0
