"""The officer's appointment form takes four-digit years between today and two years ahead: a
mistyped year is refused with what to fix, never saved (year 27) and never able to break the
person's calendar (year 9999)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from resettlement import clock
from resettlement.models import Appointment, ReleasePlan
from tests.staff.conftest import Browser

SignedIn = Callable[[str], Browser]


def _version(html: str) -> str:
    found = re.search(r'name="expected_version" value="(\d+)"', html)
    assert found
    return found.group(1)


def _post(officer: Browser, plan_id: int, day: str, month: str, year: str) -> Any:
    officer.get(f"/staff/plans/{plan_id}/appointments/new")
    return officer.post(
        f"/staff/plans/{plan_id}/appointments/new",
        {
            "kind": "probation",
            "date-day": day,
            "date-month": month,
            "date-year": year,
            "time": "10:00",
            "location": "Probation office, 1 High Street",
            "with_whom": "Sam Officer",
            "expected_version": _version(officer.last),
        },
    )


@pytest.mark.parametrize(
    ("day", "month", "year", "says"),
    [
        ("3", "3", "27", "Enter the year with four digits"),
        ("1", "1", "2020", "The appointment must be today or in the future"),
        ("31", "12", "9999", "The appointment must be on or before"),
        ("1", "1", "9999999999", "Enter the year with four digits"),
    ],
)
def test_a_mistyped_appointment_year_is_refused_and_nothing_is_saved(
    signed_in: SignedIn,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    day: str,
    month: str,
    year: str,
    says: str,
) -> None:
    plan = new_plan()
    assert plan.id is not None
    officer = signed_in("officer")
    response = _post(officer, plan.id, day, month, year)
    assert response.status_code == 422
    text = re.sub(r"\s+", " ", response.text)
    assert says in text
    assert 'href="#date-day"' in text
    assert session.exec(select(Appointment).where(Appointment.plan_id == plan.id)).all() == []


def test_an_appointment_next_year_is_saved_for_that_year(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    assert plan.id is not None
    next_year = clock.today().year + 1
    response = _post(signed_in("officer"), plan.id, "3", "3", str(next_year))
    assert response.status_code == 303
    saved = session.exec(select(Appointment).where(Appointment.plan_id == plan.id)).one()
    assert clock.london(saved.starts_at).date().isoformat() == f"{next_year}-03-03"


def test_a_nul_in_a_staff_form_field_is_422_naming_it(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    assert plan.id is not None
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}/appointments/new")
    response = officer.post(
        f"/staff/plans/{plan.id}/appointments/new",
        {
            "kind": "probation",
            "date-day": "3",
            "date-month": "3",
            "date-year": str(clock.today().year + 1),
            "time": "10:00",
            "location": "Probation office\x00",
            "with_whom": "Sam Officer",
            "expected_version": _version(officer.last),
        },
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["location"]
    assert session.exec(select(Appointment).where(Appointment.plan_id == plan.id)).all() == []


@pytest.mark.parametrize(
    "query",
    [
        "start-day=1&start-month=1&start-year=9999999999",
        "end-day=1&end-month=1&end-year=99999999999999999999",
        "end-day=1&end-month=1&end-year=0001",
        "start-day=1&start-month=1&start-year=0001&end-day=1&end-month=3&end-year=0001",
    ],
)
def test_report_page_years_too_big_or_small_are_a_page_with_an_error(
    signed_in: SignedIn, query: str
) -> None:
    page = signed_in("admin").get(f"/staff/reports/outcomes?{query}")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "govuk-error-summary" in page.text
