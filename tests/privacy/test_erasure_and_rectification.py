"""Erasure ahead of schedule (an admin, with a reason, through the retention anonymisation)
and rectification of a person's details by an admin with a reason, over the API."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from api.auth import mint_token
from resettlement.actors import Role
from resettlement.models import AuditEvent, Person, PersonEvent


def _bearer(role: Role, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(role=role, user=user)}"}


ADMIN = _bearer(Role.ADMIN, "admin-dpo")
OFFICER = _bearer(Role.PROBATION_OFFICER, "po-test")


def _close(session: Session, plan_id: int) -> None:
    session.execute(
        text("UPDATE release_plan SET state = 'cancelled' WHERE id = :id"), {"id": plan_id}
    )
    session.commit()


def test_an_admin_erases_a_person_ahead_of_schedule_with_a_reason(
    client, session, engine, new_plan
):
    plan = new_plan(person={"monitoring_consent": True, "sex": "female"})
    person = session.get(Person, plan.person_id)
    name, number = person.family_name, person.prison_number
    url = f"/api/v1/people/{plan.person_id}/erasure"
    reason = {"reason": "The person's request under Article 17, agreed by the DPO"}

    assert client.post(url, json=reason, headers=OFFICER).status_code == 403
    assert client.post(url, json={"reason": ""}, headers=ADMIN).status_code == 422
    still_open = client.post(url, json=reason, headers=ADMIN)
    assert still_open.status_code == 409
    assert "still open" in still_open.json()["detail"]

    _close(session, plan.id)
    erased = client.post(url, json=reason, headers=ADMIN)
    assert erased.status_code == 200, erased.text
    assert erased.json()["age_band"]
    with Session(engine) as fresh:
        gone = fresh.get(Person, plan.person_id)
        assert gone.anonymised_at is not None
        assert name not in (gone.given_name, gone.family_name) and gone.prison_number != number
        # Characteristics held with consent stay, as statistics about no one.
        assert gone.sex == "female"
        [event] = fresh.exec(select(PersonEvent).where(PersonEvent.person_id == gone.id)).all()
        assert event.kind == "anonymised" and "Article 17" in event.detail["why"]
        actions = {
            (a.actor, a.action)
            for a in fresh.exec(
                select(AuditEvent).where(AuditEvent.object_id == str(gone.id))
            ).all()
        }
        assert {("admin-dpo", "erase"), ("admin-dpo", "anonymise")} <= actions
    # Twice changes nothing.
    again = client.post(url, json=reason, headers=ADMIN)
    assert again.status_code == 200 and again.json() == erased.json()
    # An anonymised record cannot be corrected back into someone.
    patched = client.patch(
        f"/api/v1/people/{plan.person_id}",
        json={"family_name": name, "reason": "typo", "expected_version": 1},
        headers=ADMIN,
    )
    assert patched.status_code == 409


def test_an_admin_corrects_a_persons_details_only_with_a_reason(client, session, new_plan):
    plan = new_plan()
    person = session.get(Person, plan.person_id)
    url = f"/api/v1/people/{plan.person_id}"
    no_reason = client.patch(
        url, json={"given_name": "Corrected", "expected_version": person.version}, headers=ADMIN
    )
    assert no_reason.status_code == 403
    done = client.patch(
        url,
        json={
            "given_name": "Corrected",
            "reason": "Spelling on the warrant",
            "expected_version": person.version,
        },
        headers=ADMIN,
    )
    assert done.status_code == 200 and done.json()["given_name"] == "Corrected"
    [event] = session.exec(
        select(PersonEvent).where(
            PersonEvent.person_id == plan.person_id, PersonEvent.kind == "details_changed"
        )
    ).all()
    assert event.detail["reason"] == "Spelling on the warrant"
    assert event.detail["changed"]["given_name"]["to"] == "Corrected"
    assert session.exec(
        select(AuditEvent).where(AuditEvent.actor == "admin-dpo", AuditEvent.action == "rectify")
    ).first()
    stale = client.patch(
        url,
        json={"given_name": "Again", "reason": "x", "expected_version": person.version},
        headers=ADMIN,
    )
    assert stale.status_code == 409
