"""A plan the import creates is the plan `plans.open_plan` creates from the same facts: every
row it writes (person, plan, checklist, early-release request, history, audit) compared field
by field, leaving out only what names the row itself (ids, numbers, instants)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Table
from sqlmodel import Session, col, select

from resettlement import plans
from resettlement.actors import Actor, Role
from resettlement.intake import made_up
from resettlement.intake.extract import read_extract
from resettlement.intake.importer import import_extract
from resettlement.intake.models import Outcome
from resettlement.models import (
    AuditEvent,
    ChecklistItem,
    EarlyReleaseRequest,
    Person,
    PersonCreate,
    PlanEvent,
    ReleasePlan,
)
from tests.intake.conftest import ADMIN, OFFICERS, PRISONS

# What names a row rather than what it says: these may differ between the two plans.
_OWN = {"id", "plan_id", "person_id", "object_id", "prison_number", "crn", "at", "created_at",
        "updated_at", "request_id"}  # fmt: skip


def _values(obj: Any) -> dict[str, Any]:
    table: Table = type(obj).__table__
    return {c.name: getattr(obj, c.name) for c in table.columns if c.name not in _OWN}


def _rows(session: Session, model: Any, plan_id: int) -> list[dict[str, Any]]:
    found = session.exec(
        select(model).where(model.plan_id == plan_id).order_by(col(model.id))
    ).all()
    return [_values(r) for r in found]


def _audit(session: Session, plan: ReleasePlan) -> list[tuple[str, str, str]]:
    found = session.exec(
        select(AuditEvent)
        .where(
            ((AuditEvent.object_type == "plan") & (AuditEvent.object_id == str(plan.id)))
            | ((AuditEvent.object_type == "person") & (AuditEvent.object_id == str(plan.person_id)))
        )
        .order_by(col(AuditEvent.id))
    ).all()
    return [(a.actor, a.action, a.object_type) for a in found]


def _row(n: int, release: date, needs: str, term_days: int) -> dict[str, str]:
    row = made_up.made_up_rows(1, today=date.today(), prisons=PRISONS, officers=OFFICERS, first=n)[
        0
    ]
    row.update(
        prison_code="BWI",
        probation_officer=OFFICERS[1],
        sentence_date=(date.today() - timedelta(days=200)).isoformat(),
        term_days=str(term_days),
        release_date=release.isoformat(),
        needs=needs,
    )
    return row


# A Friday (flagged: an early-release request and its history), a Wednesday, a release already
# near (due dates brought forward to today) with needs, and a short sentence.
CASES = {
    "friday, flagged": (date(2027, 3, 12), "", 900),
    "wednesday": (date(2027, 3, 10), "woman;older_person", 900),
    "soon, with needs": (date.today() + timedelta(days=20), "care_leaver", 400),
    "short sentence": (date.today() + timedelta(days=100), "", 300),
}


@pytest.mark.parametrize("case", CASES)
def test_an_imported_plan_is_the_plan_the_service_opens(
    session: Session, known_staff: None, case: str
) -> None:
    release, needs, term = CASES[case]
    row = _row(70_000, release, needs, term)
    report = import_extract(
        session=session, actor=ADMIN, extract=read_extract("one.csv", made_up.as_csv([row]))
    )
    assert report.results[0].outcome == Outcome.CREATED, report.results[0]
    imported = session.get(ReleasePlan, report.results[0].plan_id)
    assert imported is not None

    # The same facts for another person, through the service, by the same actor.
    importer = Actor(user_id=report.run.actor_id, role=Role.INTAKE)
    other = _row(70_001, release, needs, term)
    opened = plans.open_plan(
        session=session,
        actor=importer,
        data=plans.PlanCreate(
            person=PersonCreate(
                prison_number=other["prison_number"],
                crn=other["crn"],
                given_name=row["given_name"],
                family_name=row["family_name"],
                date_of_birth=date.fromisoformat(row["date_of_birth"]),
                nation=row["nation"],
                prison_code=row["prison_code"],
                needs=[n for n in needs.split(";") if n],
            ),
            sentence_type=row["sentence_type"],
            sentence_date=date.fromisoformat(row["sentence_date"]),
            requested_release_date=release,
            term_days=term,
            probation_officer_id=row["probation_officer"],
        ),
    )
    session.expire_all()
    serviced = session.get(ReleasePlan, opened.id)
    assert serviced is not None

    assert _values(imported) == _values(serviced)
    assert imported.updated_at >= imported.created_at
    people = [session.get(Person, p.person_id) for p in (imported, serviced)]
    assert _values(people[0]) == _values(people[1])
    for model in (ChecklistItem, EarlyReleaseRequest):
        mine = _rows(session, model, imported.id or 0)
        assert mine == _rows(session, model, serviced.id or 0), model
    assert _rows(session, ChecklistItem, imported.id or 0), "a checklist is written"
    if case == "friday, flagged":
        assert _rows(session, EarlyReleaseRequest, imported.id or 0)

    events = [_rows(session, PlanEvent, p.id or 0) for p in (imported, serviced)]
    # The one difference by design: the import's "opened" line names the file it came from.
    assert events[0][0].pop("reason") == (
        f"Opened from the prison's records: one.csv (import run {report.run.id})."
    )
    assert events[1][0].pop("reason") is None
    assert events[0] == events[1]
    assert _audit(session, imported) == _audit(session, serviced)
