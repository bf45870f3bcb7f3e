"""A person's record: a new plan never rewrites it, it changes only through its own audited,
versioned service, and opening a plan says nothing about records the caller may not see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from resettlement import plans
from resettlement.models import AuditEvent, Person, PersonEvent, PlanEvent, ReleasePlan
from tests.api.conftest import OFFICER, Headers

PROBLEM = "application/problem+json"


def cancel(session: Session, plan: ReleasePlan) -> None:
    assert plan.id is not None
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="cancel",
        expected_version=plan.version,
        cancel_reason="transfer",
    )


def person_details(person: Person) -> dict[str, Any]:
    return {
        "prison_number": person.prison_number,
        "crn": person.crn,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "nation": person.nation,
        "prison_code": person.prison_code,
    }


def open_body(**person: Any) -> dict[str, Any]:
    return {
        "person": {
            "prison_number": "K4321ZZ",
            "crn": "K765432",
            "given_name": "Alex",
            "family_name": "Madeup",
            "date_of_birth": "1985-04-03",
            "nation": "england-and-wales",
            "prison_code": "MDI",
        }
        | person,
        "sentence_date": "2025-06-02",
        "requested_release_date": "2027-03-10",
        "term_days": 900,
    }


def stored(session: Session, person_id: int) -> tuple[Any, ...]:
    session.expire_all()
    person = session.get(Person, person_id)
    assert person is not None
    return (
        person.given_name,
        person.family_name,
        person.date_of_birth,
        person.prison_code,
        person.version,
    )


# --- item 4: overwriting the person on someone else's plan ---------------------------------


def test_another_officer_cannot_overwrite_the_person_on_a_closed_plan(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    other_officer: Headers,
) -> None:
    plan = new_plan()
    cancel(session, plan)
    person = session.get(Person, plan.person_id)
    assert person is not None
    before = stored(session, person.id)  # type: ignore[arg-type]
    plan_events = session.exec(select(PlanEvent).where(PlanEvent.plan_id == plan.id)).all()
    attack = open_body(
        prison_number=person.prison_number,
        crn=person.crn,
        given_name="Overwritten",
        family_name="Byattacker",
        date_of_birth="1970-01-01",
        prison_code="BWI",
    )
    response = client.post("/api/v1/plans", json=attack, headers=other_officer)
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert stored(session, person.id) == before  # type: ignore[arg-type]
    assert session.exec(select(PlanEvent).where(PlanEvent.plan_id == plan.id)).all() == list(
        plan_events
    )
    plans_for_person = session.exec(
        select(ReleasePlan).where(ReleasePlan.person_id == person.id)
    ).all()
    assert len(plans_for_person) == 1


def test_a_new_plan_for_a_known_person_leaves_the_person_as_recorded(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    cancel(session, plan)
    person = session.get(Person, plan.person_id)
    assert person is not None
    before = stored(session, person.id)  # type: ignore[arg-type]
    changed = client.post(
        "/api/v1/plans",
        json=open_body(**person_details(person) | {"given_name": "Different"}),
        headers=officer,
    )
    assert changed.status_code == 409
    assert "given_name" in changed.json()["detail"]
    assert stored(session, person.id) == before  # type: ignore[arg-type]
    recall = client.post("/api/v1/plans", json=open_body(**person_details(person)), headers=officer)
    assert recall.status_code == 201, recall.text
    assert recall.json()["person"]["id"] == person.id
    assert stored(session, person.id) == before  # type: ignore[arg-type]


def test_a_persons_details_change_through_their_own_versioned_audited_service(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    officer: Headers,
    other_officer: Headers,
) -> None:
    plan = new_plan()
    person_id = plan.person_id
    seen = client.get(f"/api/v1/people/{person_id}", headers=officer).json()
    change = {"expected_version": seen["version"], "prison_code": "BWI", "given_name": "Robin"}
    # Someone not on the person's open plan cannot, and learns nothing.
    stranger = client.patch(f"/api/v1/people/{person_id}", json=change, headers=other_officer)
    missing = client.patch("/api/v1/people/999999", json=change, headers=other_officer)
    assert stranger.status_code == missing.status_code == 404
    assert stranger.json()["detail"].replace(str(person_id), "N") == missing.json()[
        "detail"
    ].replace("999999", "N")
    response = client.patch(f"/api/v1/people/{person_id}", json=change, headers=officer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["prison_code"], body["given_name"]) == ("BWI", "Robin")
    assert body["version"] == seen["version"] + 1
    # The same change from the old version is refused, not applied twice.
    stale = client.patch(f"/api/v1/people/{person_id}", json=change, headers=officer)
    assert stale.status_code == 409
    assert stale.headers["content-type"] == PROBLEM
    events = session.exec(select(PersonEvent).where(PersonEvent.person_id == person_id)).all()
    assert len(events) == 1
    assert events[0].detail == {
        "changed": {
            "prison_code": {"from": "MDI", "to": "BWI"},
            "given_name": {"from": seen["given_name"], "to": "Robin"},
        }
    }
    audited = session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "person", AuditEvent.object_id == str(person_id))
        .order_by(col(AuditEvent.id))
    ).all()
    assert "update" in audited and "denied" in audited
    history = client.get(f"/api/v1/people/{person_id}/history", headers=officer).json()
    assert [e["kind"] for e in history] == ["details_changed"]


# --- item 11: what opening a plan says about records the caller may not see ----------------


def test_opening_a_plan_with_someone_elses_numbers_says_nothing_about_their_record(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    other_officer: Headers,
) -> None:
    open_one = new_plan()
    closed = new_plan()
    cancel(session, closed)
    people = {p.id: p for p in session.exec(select(Person)).all()}
    with_open_plan, with_closed_plan = people[open_one.person_id], people[closed.person_id]
    attempts = {
        "prison number with an open plan": open_body(
            prison_number=with_open_plan.prison_number, crn=with_open_plan.crn
        ),
        "prison number with a closed plan": open_body(
            prison_number=with_closed_plan.prison_number, crn=with_closed_plan.crn
        ),
        "prison number, another CRN": open_body(prison_number=with_open_plan.prison_number),
        "a CRN someone has": open_body(crn=with_open_plan.crn),
    }
    answers = {}
    for name, body in attempts.items():
        response = client.post("/api/v1/plans", json=body, headers=other_officer)
        assert response.headers["content-type"] == PROBLEM, name
        answers[name] = (response.status_code, response.json()["title"], response.json()["detail"])
    assert len(set(answers.values())) == 1, answers
    status, _, detail = next(iter(answers.values()))
    assert status == 409
    assert "open release plan" not in detail
    assert str(open_one.id) not in detail and str(closed.id) not in detail
    for person in (with_open_plan, with_closed_plan):
        assert person.prison_number not in detail and person.crn not in detail


def test_a_null_in_a_change_leaves_a_required_detail_as_it_is(
    client: TestClient, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan(person={"needs": ["care_leaver"]})
    seen = client.get(f"/api/v1/people/{plan.person_id}", headers=officer).json()
    response = client.patch(
        f"/api/v1/people/{plan.person_id}",
        json={"expected_version": seen["version"], "needs": None, "given_name": None},
        headers=officer,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["needs"], body["given_name"]) == (seen["needs"], seen["given_name"])
    assert body["version"] == seen["version"]
