"""A run that fails half-way and runs again ends exactly where one clean run ends; a transient
database error is retried, a domain error is not."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from resettlement import plans, scheduling
from resettlement.config import get_settings
from resettlement.database import engine_for
from resettlement.leaver_access import LeaverLink
from resettlement.models import (
    AuditEvent,
    EarlyReleaseRequest,
    PersonCreate,
    PlanEvent,
    ReleasePlan,
)
from resettlement.notifications import Notification
from tests.conftest import create_database, drop_database
from workflows.flows import daily_release_scan, release_day

from .conftest import OFFICER, point_settings_at, publish, start_core_items, url_of

POSTGRES = bool(os.environ.get("DATABASE_URL"))
AS_OF = date(2027, 3, 1)
RELEASES = [
    date(2027, 3, 1),  # Monday: release day
    date(2027, 3, 1),
    date(2027, 3, 3),  # within the pre-release window
    date(2027, 3, 5),  # a Friday: an early-release request, escalated
    date(2027, 3, 9),
    date(2027, 3, 12),  # a Friday
    date(2027, 4, 14),
    date(2027, 5, 19),  # opens resettlement planning
    date(2027, 5, 20),
    date(2027, 9, 15),  # nothing yet
]


@pytest.fixture
def control_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A second, empty, migrated database for the uninterrupted run."""
    if not POSTGRES:
        path = tmp_path / "control.db"
        shutil.copyfile(database_url.removeprefix("sqlite:///"), path)
        engine = create_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    control = f"{make_url(database_url).database}_control"
    engine = create_engine(create_database(control).service)
    yield engine
    engine.dispose()
    engine_for(engine.url.render_as_string(hide_password=False)).dispose()
    drop_database(control)


def seed(engine: Engine) -> None:
    """The same people and plans, with the same ids, in whichever database it is given."""
    fake = Faker("en_GB")
    fake.seed_instance(42)
    with Session(engine, expire_on_commit=False) as session:
        for index, release in enumerate(RELEASES):
            data = plans.PlanCreate(
                person=PersonCreate(
                    prison_number=fake.bothify("?####??", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
                    crn=fake.bothify("?######", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
                    given_name=fake.first_name(),
                    family_name=fake.last_name(),
                    date_of_birth=fake.date_of_birth(minimum_age=20, maximum_age=70),
                    nation="england-and-wales",
                    prison_code="MDI" if index % 2 else "CFI",
                    preferred_language="cy" if index % 3 == 0 else "en",
                ),
                probation_officer_id=f"po-{index % 3}",
                sentence_date=date(2025, 6, 1),
                requested_release_date=release,
                term_days=900,
            )
            plan = plans.open_plan(session=session, actor=OFFICER, data=data)
            assert plan.id is not None
            if index % 4 != 3:
                start_core_items(session, plan.id)
            if release <= date(2027, 3, 5) and index % 4 != 3:
                for event in ("start_resettlement_planning", "start_pre_release"):
                    plans.transition(
                        session=session,
                        actor=OFFICER,
                        plan_id=plan.id,
                        event=event,
                        expected_version=session.get(ReleasePlan, plan.id).version,  # type: ignore[union-attr]
                        today=release,
                    )
                if index != 1:
                    publish(session, plan.id)


SECRET = re.compile(r"(?<=/plan-link/)\S+")


def outcome(engine: Engine) -> dict[str, Any]:
    """Everything a run can change, without the instants at which it changed it."""
    with Session(engine) as session:
        return {
            "plans": sorted((p.id, p.state, p.version) for p in session.exec(select(ReleasePlan))),
            "events": Counter(
                (e.plan_id, e.actor, e.kind, e.from_state, e.to_state, e.reason)
                for e in session.exec(select(PlanEvent))
            ),
            "requests": sorted(
                (r.id, r.plan_id, r.state, r.version, r.escalated_at is not None)
                for r in session.exec(select(EarlyReleaseRequest))
            ),
            # Each sign-in link holds a fresh random secret: compare everything but the secret.
            "notifications": sorted(
                (
                    n.idempotency_key,
                    n.recipient_role,
                    n.recipient_id,
                    n.subject,
                    SECRET.sub("", n.body),
                )
                for n in session.exec(select(Notification))
            ),
            "links": Counter(link.plan_id for link in session.exec(select(LeaverLink))),
            "audit": Counter(
                (a.actor, a.action, a.object_type, a.object_id)
                for a in session.exec(select(AuditEvent))
            ),
        }


def failing_on_call(number: int, error: Callable[[], Exception]) -> Callable[..., Any]:
    real = scheduling.enqueue
    calls = {"n": 0}

    def enqueue(*args: Any, **kwargs: Any) -> list[int]:
        calls["n"] += 1
        if calls["n"] == number:
            raise error()
        return real(*args, **kwargs)

    enqueue.calls = calls  # type: ignore[attr-defined]
    return enqueue


class Injected(RuntimeError):
    pass


@pytest.mark.parametrize(
    ("flow", "fail_on"),
    [(daily_release_scan, 2), (daily_release_scan, 7), (release_day, 2)],
    ids=["scan-early", "scan-late", "release-day"],
)
def test_a_run_that_fails_half_way_and_reruns_ends_like_one_clean_run(
    flow, fail_on, engine, control_engine, monkeypatch
):
    seed(engine)
    seed(control_engine)

    point_settings_at(url_of(control_engine))
    clean = flow(as_of=AS_OF, batch_size=2)
    assert clean["notifications"] >= 2

    point_settings_at(url_of(engine))
    before = outcome(engine)
    monkeypatch.setattr(scheduling, "enqueue", failing_on_call(fail_on, lambda: Injected("boom")))
    with pytest.raises(Injected):
        flow(as_of=AS_OF, batch_size=2)
    half = outcome(engine)
    assert half != before, "the first batches committed before the failure"
    assert half != outcome(control_engine), "the failure left work undone"
    monkeypatch.undo()
    point_settings_at(url_of(engine))

    flow(as_of=AS_OF, batch_size=2)

    assert outcome(engine) == outcome(control_engine)
    engine_for(url_of(engine)).dispose()
    get_settings.cache_clear()


def test_a_transient_database_error_is_retried_and_a_domain_error_is_not(
    flow_db, session, new_plan, monkeypatch
):
    new_plan()
    flaky = failing_on_call(1, lambda: OperationalError("SELECT 1", {}, Exception("gone away")))
    monkeypatch.setattr(scheduling, "enqueue", flaky)
    summary = daily_release_scan(as_of=date(2027, 3, 1))
    assert summary["checklist_reminders.plans_reminded"] == 1
    assert flaky.calls["n"] >= 2  # type: ignore[attr-defined]

    refusing = failing_on_call(1, lambda: Injected("a domain error"))
    monkeypatch.setattr(scheduling, "enqueue", refusing)
    with pytest.raises(Injected):
        daily_release_scan(as_of=date(2027, 3, 2))
    assert refusing.calls["n"] == 1  # type: ignore[attr-defined]
