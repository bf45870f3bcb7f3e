"""One check of an appointment's time, in the domain: the API, the services and the person's
calendar all refuse or never see a year that is mistyped, past or centuries away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from resettlement import clock, forty_eight_hours
from resettlement.errors import InvalidInput
from resettlement.forty_eight_hours import AppointmentChange
from resettlement.models import Appointment, AppointmentCreate, ReleasePlan
from tests.api.conftest import OFFICER, Headers


def _body(starts_at: str, version: int) -> dict[str, object]:
    return {
        "kind": "probation",
        "starts_at": starts_at,
        "location": "Probation office",
        "with_whom": "Sam Officer",
        "expected_version": version,
    }


@pytest.mark.parametrize(
    "starts_at",
    [
        "0027-03-03T10:00:00+00:00",  # `3 3 27` as the API would have been sent it
        "2020-01-01T10:00:00+00:00",
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+14:00",
    ],
)
def test_the_api_refuses_appointment_years_outside_the_range(
    client: TestClient,
    officer: Headers,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    starts_at: str,
) -> None:
    plan = new_plan()
    response = client.post(
        f"/api/v1/plans/{plan.id}/appointments",
        json=_body(starts_at, plan.version),
        headers=officer,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["starts_at"]
    assert session.exec(select(Appointment)).all() == []


def test_the_services_refuse_an_appointment_no_model_checked(
    new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    assert plan.id is not None
    unchecked = AppointmentCreate.model_construct(
        kind="gp",
        starts_at=datetime(9999, 12, 31, 12, tzinfo=UTC),
        location="Surgery",
        with_whom="Dr Who",
        what_to_bring=None,
    )
    with pytest.raises(InvalidInput) as refused:
        forty_eight_hours.add_appointment(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            expected_version=plan.version,
            data=unchecked,
        )
    assert refused.value.field == "starts_at"
    assert session.exec(select(Appointment)).all() == []


def test_moving_an_appointment_into_the_past_is_refused(
    new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    assert plan.id is not None
    soon = datetime.combine(clock.today() + timedelta(days=7), datetime.min.time(), clock.LONDON)
    appointment = forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(kind="gp", starts_at=soon, location="Surgery", with_whom="Dr Who"),
    )
    session.refresh(plan)
    with pytest.raises(ValueError, match="today or in the future"):
        AppointmentChange(starts_at=datetime(2020, 1, 1, 10, tzinfo=UTC))
    with pytest.raises(InvalidInput):
        forty_eight_hours.change_appointment(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            appointment_id=appointment.id,  # type: ignore[arg-type]
            expected_version=plan.version,
            data=AppointmentChange.model_construct(starts_at=datetime(2020, 1, 1, 10, tzinfo=UTC)),
        )
    session.refresh(appointment)
    assert appointment.starts_at == soon
