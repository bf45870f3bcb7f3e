"""A made-up extract of 10,000 people with 1% bad rows, imported, imported again, then a second
extract a week later with 500 new release dates, 100 transfers and 50 recalls. Counted in the
database. Runs in CI with the rest of the suite (marked `volume` so it can be picked alone)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from resettlement.intake import made_up
from resettlement.intake.extract import read_extract
from resettlement.intake.importer import import_extract
from resettlement.intake.models import Outcome
from resettlement.models import (
    CancelReason,
    EarlyReleaseRequest,
    Person,
    PlanEvent,
    PlanState,
    ReleasePlan,
    RequestState,
)
from rules.release_dates import assess
from tests.intake.conftest import ADMIN, OFFICERS, PRISONS

pytestmark = pytest.mark.volume

ROWS = 10_000
# The domain's tables: a second import of the same file must leave every one as it was.
DOMAIN_TABLES = (
    "person",
    "person_event",
    "release_plan",
    "checklist_item",
    "plan_event",
    "early_release_request",
)
# Which column a kind of bad row is refused on.
REFUSED_ON = {
    "prison_number": "prison_number",
    "impossible_date": "sentence_date",
    "unknown_prison": "prison_code",
    "duplicate": "prison_number",
    "duplicate (copied)": "prison_number",
}


def _counts(session: Session) -> dict[str, Any]:
    counts: dict[str, Any] = {
        t: session.exec(text(f"SELECT count(*) FROM {t}")).one()[0]  # type: ignore[call-overload]
        for t in DOMAIN_TABLES
    }
    counts["plan versions"] = session.exec(select(func.sum(ReleasePlan.version))).one()
    counts["person versions"] = session.exec(select(func.sum(Person.version))).one()
    counts["audit changes"] = session.exec(
        text("SELECT count(*) FROM audit_event WHERE action NOT IN ('import', 'read')")  # type: ignore[call-overload]
    ).one()[0]
    return counts


def test_ten_thousand_rows_bad_ones_refused_twice_unchanged_then_changes(
    session: Session, known_staff: None
) -> None:
    today = date.today()
    rows = made_up.made_up_rows(ROWS, today=today, prisons=PRISONS, officers=OFFICERS)
    spoiled = made_up.spoil(rows, 0.01)
    assert sum(1 for k in spoiled.values() if k != "duplicate (copied)") == ROWS // 100
    content = made_up.as_csv(rows)

    first = import_extract(session=session, actor=ADMIN, extract=read_extract("a.csv", content))

    # CSV line numbers: the header is line 1, so row index i is on line i + 2.
    refused = {r.line - 2: r for r in first.results if r.outcome == Outcome.REFUSED}
    assert set(refused) == set(spoiled)
    for index, kind in spoiled.items():
        assert refused[index].problems[0].field == REFUSED_ON[kind], (kind, refused[index])
        if kind.startswith("duplicate"):
            assert "rows of this file" in refused[index].problems[0].reason
    created = [r for r in first.results if r.outcome == Outcome.CREATED]
    assert len(created) == ROWS - len(spoiled)
    assert first.run.created == len(created) and first.run.refused == len(spoiled)
    after_first = _counts(session)
    assert after_first["person"] == after_first["release_plan"] == len(created)
    # Each new plan is audited to the run's own actor, as plans.open_plan audits the plan it
    # opens (with the person it opens it for): tests/intake/test_same_as_service.py.
    assert after_first["audit changes"] == len(created)
    assert (
        session.exec(
            text("SELECT count(DISTINCT actor) FROM audit_event WHERE action = 'create'")  # type: ignore[call-overload]
        ).one()[0]
        == 1
    )
    flagged_plans = session.exec(
        select(func.count()).select_from(ReleasePlan).where(col(ReleasePlan.flagged))
    ).one()
    assert flagged_plans > 0

    second = import_extract(session=session, actor=ADMIN, extract=read_extract("a.csv", content))
    assert second.count(Outcome.UNCHANGED) == len(created)
    assert second.count(Outcome.REFUSED) == len(spoiled)
    assert second.count(Outcome.CREATED) == second.count(Outcome.CHANGED) == 0
    assert _counts(session) == after_first

    good = [i for i in range(ROWS) if i not in spoiled]
    later, which = made_up.changed_extract(
        [r for i, r in enumerate(rows)],
        new_dates=500,
        transfers=100,
        recalls=50,
        prisons=PRISONS,
        among=good,
    )
    plan_of = {r.line - 2: r.plan_id for r in created}
    before = _plan_states(session)
    live_before = _live_requests(session)

    third = import_extract(
        session=session, actor=ADMIN, extract=read_extract("b.csv", made_up.as_csv(later))
    )

    changed = {r.line - 2 for r in third.results if r.outcome == Outcome.CHANGED}
    assert changed == set(which["release_date"]) | set(which["transfer"]) | set(which["recall"])
    assert third.count(Outcome.REFUSED) == len(spoiled)
    after = _plan_states(session)
    moved = {plan_id for plan_id in after if after[plan_id] != before[plan_id]}
    assert moved == {plan_of[i] for i in changed}
    actor = third.run.actor_id
    kinds = _history(session, actor)
    live_after = _live_requests(session)

    for index in which["release_date"]:
        plan_id = plan_of[index]
        plan = session.get(ReleasePlan, plan_id)
        assert plan is not None
        wanted = date.fromisoformat(later[index]["release_date"])
        assert plan.requested_release_date == wanted
        assert "release_date_changed" in kinds[plan_id]
        assessment = assess(
            wanted,
            plan_person_nation(session, plan),
            term_days=plan.term_days,
            served_days=(wanted - plan.sentence_date).days,
            sentence=plan.sentence_type,
        )
        live = live_after.get(plan_id, set())
        if plan_id in live_before:
            # The stale request is withdrawn by the rules, attributed to the import.
            assert "early_release_withdrawn" in kinds[plan_id]
        opens = assessment.flagged and assessment.earliest_date is not None
        assert (assessment.release_date in live) == opens
        assert len(live) == (1 if opens else 0)
    for index in which["transfer"]:
        plan_id = plan_of[index]
        plan = session.get(ReleasePlan, plan_id)
        assert plan is not None
        person = session.get(Person, plan.person_id)
        assert person is not None and person.prison_code == later[index]["prison_code"]
        assert "moved_prison" in kinds[plan_id]
        prisons = session.exec(
            select(EarlyReleaseRequest.prison_code).where(
                EarlyReleaseRequest.plan_id == plan_id,
                EarlyReleaseRequest.state == RequestState.FLAGGED.value,
            )
        ).all()
        assert set(prisons) <= {person.prison_code}
    for index in which["recall"]:
        plan_id = plan_of[index]
        plan = session.get(ReleasePlan, plan_id)
        assert plan is not None
        assert (plan.state, plan.cancel_reason) == (PlanState.CANCELLED.value, CancelReason.RECALL)
        assert plan_id not in live_after
        assert "transition" in kinds[plan_id]

    # And the second extract, again, changes nothing.
    settled = _counts(session)
    fourth = import_extract(
        session=session, actor=ADMIN, extract=read_extract("b.csv", made_up.as_csv(later))
    )
    assert fourth.count(Outcome.CHANGED) == fourth.count(Outcome.CREATED) == 0
    assert _counts(session) == settled


def plan_person_nation(session: Session, plan: ReleasePlan) -> Any:
    person = session.get(Person, plan.person_id)
    assert person is not None
    return person.nation


def _plan_states(session: Session) -> dict[int, tuple[Any, ...]]:
    return {
        row[0]: tuple(row[1:])
        for row in session.exec(
            select(ReleasePlan.id, ReleasePlan.version, ReleasePlan.state)
        ).all()
    }


def _live_requests(session: Session) -> dict[int, set[date]]:
    found: dict[int, set[date]] = {}
    for plan_id, day in session.exec(
        select(EarlyReleaseRequest.plan_id, EarlyReleaseRequest.release_date).where(
            EarlyReleaseRequest.state != RequestState.WITHDRAWN.value
        )
    ).all():
        found.setdefault(plan_id, set()).add(day)
    return found


def _history(session: Session, actor: str) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for plan_id, kind in session.exec(
        select(PlanEvent.plan_id, PlanEvent.kind).where(PlanEvent.actor == actor)
    ).all():
        found.setdefault(plan_id, set()).add(kind)
    return found
