"""Correcting a plan: editing and removing appointments and contacts, and passing a plan to
another probation officer. Each change is versioned, audited and in the plan's history; an
unchanged save is no change at all; the person's published plan changes only when the officer
publishes again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from resettlement import forty_eight_hours, plans
from resettlement.actors import Actor, Role
from resettlement.errors import InvalidInput, NotFound, VersionConflict
from resettlement.models import (
    Appointment,
    AppointmentCreate,
    AppointmentKind,
    AuditEvent,
    ContactKind,
    PlanEvent,
    ReleasePlan,
    SupportContact,
    SupportContactCreate,
)
from tests.api.conftest import OFFICER, OFFICER_ID, OTHER_OFFICER_ID, Headers, publish

WHEN = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)


def _events(session: Session, plan_id: int) -> list[PlanEvent]:
    return list(
        session.exec(
            select(PlanEvent).where(PlanEvent.plan_id == plan_id).order_by(col(PlanEvent.id))
        ).all()
    )


def _audits(session: Session, action: str) -> int:
    return len(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def _with_appointment(session: Session, plan: ReleasePlan) -> tuple[ReleasePlan, Appointment]:
    assert plan.id is not None
    appointment = forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind.PROBATION,
            starts_at=WHEN,
            location="Probation office, 1 Made Up Street, Leeds",
            with_whom="Alex Madeup",
        ),
    )
    session.refresh(plan)
    return plan, appointment


def _with_contact(session: Session, plan: ReleasePlan) -> tuple[ReleasePlan, SupportContact]:
    assert plan.id is not None
    contact = forty_eight_hours.add_contact(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=SupportContactCreate(
            kind=ContactKind.HELPLINE, name="A made-up helpline", phone="0800 000 0001"
        ),
    )
    session.refresh(plan)
    return plan, contact


def test_saving_an_appointment_unchanged_writes_no_history_and_keeps_the_version(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan, appointment = _with_appointment(session, new_plan())
    assert plan.id is not None and appointment.id is not None
    before = (plan.version, len(_events(session, plan.id)), appointment.sequence)
    forty_eight_hours.change_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        appointment_id=appointment.id,
        expected_version=plan.version,
        # The same instant, given in London time: still no change.
        data=forty_eight_hours.AppointmentChange(
            kind=AppointmentKind.PROBATION,
            starts_at=WHEN.astimezone(UTC),
            location=appointment.location,
            with_whom=appointment.with_whom,
            what_to_bring=None,
        ),
    )
    session.refresh(plan)
    session.refresh(appointment)
    assert (plan.version, len(_events(session, plan.id)), appointment.sequence) == before


def test_a_changed_appointment_is_versioned_audited_and_in_the_history(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan, appointment = _with_appointment(session, new_plan())
    assert plan.id is not None and appointment.id is not None
    loaded = plan.version
    forty_eight_hours.change_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        appointment_id=appointment.id,
        expected_version=loaded,
        data=forty_eight_hours.AppointmentChange(location="Probation office, 9 Other Street"),
    )
    with pytest.raises(VersionConflict):
        forty_eight_hours.change_appointment(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            appointment_id=appointment.id,
            expected_version=loaded,  # now stale
            data=forty_eight_hours.AppointmentChange(location="Somewhere else"),
        )
    session.refresh(appointment)
    assert appointment.location == "Probation office, 9 Other Street"
    assert appointment.sequence == 1
    last = _events(session, plan.id)[-1]
    assert last.kind == "appointment_changed" and last.detail is not None
    assert last.detail["fields"] == ["location"]
    assert _audits(session, "change_appointment") == 1


def test_a_removed_appointment_leaves_the_published_plan_only_when_published_again(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan, appointment = _with_appointment(session, new_plan())
    plan = publish(session, plan)
    assert plan.id is not None and appointment.id is not None
    forty_eight_hours.cancel_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        appointment_id=appointment.id,
        expected_version=plan.version,
    )
    held = forty_eight_hours.latest_published(session, plan.id)
    assert [a["id"] for a in held.snapshot["appointments"]] == [appointment.id]
    session.refresh(plan)
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    again = forty_eight_hours.latest_published(session, plan.id)
    assert again.number == held.number + 1
    assert again.snapshot["appointments"] == []
    assert "appointment_cancelled" in [e.kind for e in _events(session, plan.id)]


def test_a_contact_is_corrected_and_removed_with_history(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan, contact = _with_contact(session, new_plan())
    assert plan.id is not None and contact.id is not None
    same = forty_eight_hours.ContactChange(
        kind=ContactKind.HELPLINE, name="A made-up helpline", phone="0800 000 0001"
    )
    forty_eight_hours.change_contact(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        contact_id=contact.id,
        expected_version=plan.version,
        data=same,
    )
    session.refresh(plan)
    events_before = len(_events(session, plan.id))
    assert _audits(session, "change_contact") == 0
    forty_eight_hours.change_contact(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        contact_id=contact.id,
        expected_version=plan.version,
        data=forty_eight_hours.ContactChange(phone="0800 000 0002"),
    )
    session.refresh(plan)
    session.refresh(contact)
    assert contact.phone == "+448000000002"  # stored in E.164
    assert len(_events(session, plan.id)) == events_before + 1
    forty_eight_hours.remove_contact(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        contact_id=contact.id,
        expected_version=plan.version,
    )
    assert session.get(SupportContact, contact.id) is None
    kinds = [e.kind for e in _events(session, plan.id)]
    assert kinds[-2:] == ["contact_changed", "contact_removed"]
    assert _audits(session, "remove_contact") == 1


def test_another_plans_contact_cannot_be_removed_through_this_plan(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    _, contact = _with_contact(session, new_plan())
    other = new_plan()
    assert other.id is not None and contact.id is not None
    with pytest.raises(NotFound):
        forty_eight_hours.remove_contact(
            session=session,
            actor=OFFICER,
            plan_id=other.id,
            contact_id=contact.id,
            expected_version=other.version,
        )
    assert session.get(SupportContact, contact.id) is not None


def test_a_reassigned_plan_leaves_the_old_officers_caseload_with_history(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    assert plan.id is not None
    with pytest.raises(InvalidInput):
        plans.reassign(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            expected_version=plan.version,
            probation_officer_id=OFFICER_ID,
            reason="Same officer",
        )
    plans.reassign(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        probation_officer_id=OTHER_OFFICER_ID,
        reason="They moved to the Leeds team.",
    )
    with pytest.raises(NotFound):
        plans.get_plan(session=session, actor=OFFICER, plan_id=plan.id)
    new_officer = Actor(user_id=OTHER_OFFICER_ID, role=Role.PROBATION_OFFICER)
    view = plans.get_plan(session=session, actor=new_officer, plan_id=plan.id)
    assert view.plan.probation_officer_id == OTHER_OFFICER_ID
    last = _events(session, plan.id)[-1]
    assert (last.kind, last.actor, last.reason) == (
        "reassigned",
        OFFICER_ID,
        "They moved to the Leeds team.",
    )
    assert last.detail == {"from": OFFICER_ID, "to": OTHER_OFFICER_ID}


# --- the API ------------------------------------------------------------------------------


def test_the_api_edits_and_removes_appointments_and_contacts(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    officer: Headers,
    other_officer: Headers,
) -> None:
    plan, appointment = _with_appointment(session, new_plan())
    plan, contact = _with_contact(session, plan)
    base = f"/api/v1/plans/{plan.id}"
    body = {
        "kind": "probation",
        "starts_at": "2027-03-10T14:00:00+00:00",
        "location": "Probation office, 9 Other Street",
        "with_whom": "Alex Madeup",
        "expected_version": plan.version,
    }
    theirs = client.put(f"{base}/appointments/{appointment.id}", json=body, headers=other_officer)
    assert theirs.status_code == 404
    changed = client.put(f"{base}/appointments/{appointment.id}", json=body, headers=officer)
    assert changed.status_code == 200, changed.text
    shown = changed.json()
    assert shown["appointments"][0]["starts_at"].startswith("2027-03-10T14:00")
    assert shown["appointments"][0]["sequence"] == 1
    stale = client.put(f"{base}/appointments/{appointment.id}", json=body, headers=officer)
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    version = shown["version"]

    missing = client.delete(
        f"{base}/appointments/{appointment.id + 1000}?expected_version={version}", headers=officer
    )
    assert missing.status_code == 404
    removed = client.delete(
        f"{base}/appointments/{appointment.id}?expected_version={version}", headers=officer
    )
    assert removed.status_code == 200 and removed.json()["appointments"] == []
    version = removed.json()["version"]

    contact_body = {
        "kind": "helpline",
        "name": "A made-up helpline",
        "phone": "",
        "expected_version": version,
    }
    invalid = client.put(f"{base}/contacts/{contact.id}", json=contact_body, headers=officer)
    assert invalid.status_code == 422
    contact_body["phone"] = "0800 000 0003"
    fixed = client.put(f"{base}/contacts/{contact.id}", json=contact_body, headers=officer)
    assert fixed.status_code == 200 and fixed.json()["contacts"][0]["phone"] == "+448000000003"
    version = fixed.json()["version"]
    gone = client.delete(
        f"{base}/contacts/{contact.id}?expected_version={version}", headers=officer
    )
    assert gone.status_code == 200 and gone.json()["contacts"] == []
    kinds = [e["kind"] for e in client.get(f"{base}/history", headers=officer).json()]
    assert kinds[-4:] == [
        "appointment_changed",
        "appointment_cancelled",
        "contact_changed",
        "contact_removed",
    ]


def test_the_api_passes_a_plan_to_another_officer(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    officer: Headers,
    other_officer: Headers,
) -> None:
    plan = new_plan()
    url = f"/api/v1/plans/{plan.id}/reassign"
    body = {
        "probation_officer_id": OTHER_OFFICER_ID,
        "reason": "Caseload transfer to the Leeds team.",
        "expected_version": plan.version,
    }
    assert client.post(url, json=body, headers=other_officer).status_code == 404
    moved = client.post(url, json=body, headers=officer)
    assert moved.status_code == 200, moved.text
    assert moved.json()["probation_officer_id"] == OTHER_OFFICER_ID
    assert client.get(f"/api/v1/plans/{plan.id}", headers=officer).status_code == 404
    assert client.get(f"/api/v1/plans/{plan.id}", headers=other_officer).status_code == 200
