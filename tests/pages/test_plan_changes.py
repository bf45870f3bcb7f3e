"""What changed between two published versions, from the person's side."""

from __future__ import annotations

from datetime import UTC, datetime

from resettlement import forty_eight_hours, leaver_access, plans
from resettlement.forty_eight_hours import AppointmentChange
from resettlement.models import ContactKind, SupportContactCreate
from resettlement.plan_changes import ChangeKind, compare
from tests.pages.conftest import ACCEPTED, OFFICER, sign_in


def _snapshot(**overrides):
    base = {
        "accommodation": {"address": "1 Road", "ask_for": "Jo", "from": "3pm"},
        "travel": "Train",
        "appointments": [
            {
                "id": 1,
                "kind": "probation",
                "starts_at": "2026-12-18T10:00:00+00:00",
                "location": "Office",
                "with_whom": "Sam",
                "what_to_bring": None,
            },
            {
                "id": 2,
                "kind": "gp",
                "starts_at": "2026-12-18T14:00:00+00:00",
                "location": "Surgery",
                "with_whom": "Dr A",
                "what_to_bring": None,
            },
        ],
        "contacts": [{"kind": "probation_officer", "name": "Sam", "phone": "1", "hours": None}],
    }
    base.update(overrides)
    return base


def test_the_same_snapshot_has_no_changes():
    assert compare(_snapshot(), _snapshot()) == []


def test_appointments_added_moved_changed_and_cancelled_are_told_apart():
    old = _snapshot()
    new_appointments = [
        {**old["appointments"][0], "starts_at": "2026-12-18T11:00:00+00:00"},
        {
            "id": 3,
            "kind": "jobcentre",
            "starts_at": "2026-12-19T09:00:00+00:00",
            "location": "Jobcentre",
            "with_whom": "Work coach",
            "what_to_bring": "ID",
        },
    ]
    kinds = [c.kind for c in compare(old, _snapshot(appointments=new_appointments))]
    assert kinds == [
        ChangeKind.APPOINTMENT_MOVED,
        ChangeKind.APPOINTMENT_CANCELLED,
        ChangeKind.APPOINTMENT_ADDED,
    ]
    changed = [{**a, "location": "Another office"} for a in old["appointments"]]
    assert {c.kind for c in compare(old, _snapshot(appointments=changed))} == {
        ChangeKind.APPOINTMENT_CHANGED
    }


def test_a_new_address_and_new_contacts_are_changes():
    old = _snapshot()
    new = _snapshot(
        accommodation={"address": "2 Street", "ask_for": "Jo", "from": "3pm"},
        contacts=[
            {"kind": "probation_officer", "name": "Sam", "phone": "2", "hours": None},
            {"kind": "helpline", "name": "Line", "phone": "3", "hours": None},
        ],
    )
    kinds = [c.kind for c in compare(old, new)]
    assert kinds == [
        ChangeKind.ADDRESS_CHANGED,
        ChangeKind.CONTACT_CHANGED,
        ChangeKind.CONTACT_ADDED,
    ]
    only_arrival = _snapshot(accommodation={"address": "1 Road", "ask_for": "Al", "from": "3pm"})
    assert [c.kind for c in compare(old, only_arrival)] == [ChangeKind.ARRIVAL_CHANGED]


def test_the_page_shows_what_changed_since_the_version_the_person_last_saw(
    client, session, published
):
    p = published()
    assert sign_in(client, p).status_code == 200
    first = client.get("/my-plan").text
    assert "Your plan has changed" not in first

    plan = p.plan
    session.refresh(plan)
    forty_eight_hours.change_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        appointment_id=p.appointment_ids["probation"],
        expected_version=plan.version,
        data=AppointmentChange(starts_at=datetime(2026, 12, 18, 11, 30, tzinfo=UTC)),
    )
    session.refresh(plan)
    forty_eight_hours.cancel_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        appointment_id=p.appointment_ids["mental_health"],
        expected_version=plan.version,
    )
    session.refresh(plan)
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Room 4, 10 New Street, Leeds LS1 1AA"),
    )
    session.refresh(plan)
    forty_eight_hours.add_contact(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=SupportContactCreate(
            kind=ContactKind.SUPPORT_ORGANISATION, name="Housing charity", phone="0113 496 0123"
        ),
    )
    session.refresh(plan)
    forty_eight_hours.publish(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        accept_warnings_reason=ACCEPTED,
    )

    page = client.get("/my-plan").text
    assert "Your plan has changed since you last looked" in page
    assert "Moved: Probation appointment is now Friday 18 December, 11:30am." in page
    assert "It was Friday 18 December, 10am." in page
    assert "Cancelled: Mental health appointment, Friday 18 June, 11am." in page
    assert "The new address is Room 4, 10 New Street, Leeds LS1 1AA." in page
    assert "New contact: Housing charity, 0113 496 0123." in page
    # The person has now been shown version 2's changes: the banner goes until a newer one.
    assert "Your plan has changed" not in client.get("/my-plan").text
    session.refresh(p.link)
    assert (p.link.changes_from_number, p.link.seen_number) == (None, 2)


def test_a_new_link_carries_on_from_what_the_person_saw_with_the_old_one(
    client, session, published
):
    p = published()
    sign_in(client, p)
    client.get("/my-plan")
    session.refresh(p.plan)
    forty_eight_hours.publish(
        session=session,
        actor=OFFICER,
        plan_id=p.plan.id,
        expected_version=p.plan.version,
        accept_warnings_reason=ACCEPTED,
    )
    link, _ = leaver_access.issue_link(session=session, actor=OFFICER, plan_id=p.plan.id)
    view = leaver_access.open_published_plan(session=session, link=link)
    assert view.earlier is not None and view.earlier.number == 1
    assert view.published.number == 2


def test_the_changed_banner_shows_once_per_change_then_clears(client, session, published):
    p = published()
    sign_in(client, p)
    assert "Your plan has changed" not in client.get("/my-plan").text

    def change_and_publish(hour: int) -> None:
        session.refresh(p.plan)
        forty_eight_hours.change_appointment(
            session=session,
            actor=OFFICER,
            plan_id=p.plan.id,
            appointment_id=p.appointment_ids["probation"],
            expected_version=p.plan.version,
            data=AppointmentChange(starts_at=datetime(2026, 12, 18, hour, 0, tzinfo=UTC)),
        )
        session.refresh(p.plan)
        forty_eight_hours.publish(
            session=session,
            actor=OFFICER,
            plan_id=p.plan.id,
            expected_version=p.plan.version,
            accept_warnings_reason=ACCEPTED,
        )

    change_and_publish(11)
    assert "Moved: Probation appointment is now Friday 18 December, 11am." in (
        client.get("/my-plan").text
    )
    assert "Your plan has changed" not in client.get("/my-plan").text
    change_and_publish(12)
    again = client.get("/my-plan").text
    assert "Your plan has changed since you last looked" in again
    assert "Moved: Probation appointment is now Friday 18 December, midday." in again
    assert "It was Friday 18 December, 11am." in again
    assert "Your plan has changed" not in client.get("/my-plan").text
