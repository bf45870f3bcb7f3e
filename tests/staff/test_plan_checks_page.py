"""The officer's plan page shows what the plan checks find before publishing, asks for a reason
to publish with warnings, and offers no publish button while something blocks it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from resettlement import clock, forty_eight_hours, plans
from resettlement.models import AppointmentCreate, AppointmentKind, ReleasePlan
from tests.staff.conftest import FRIDAY
from tests.staff.test_pages import OFFICER, SignedIn, csrf_version


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _appointment(session: Session, plan: ReleasePlan, kind: str, when: datetime) -> None:
    assert plan.id is not None
    forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind(kind),
            starts_at=when,
            location="Jobcentre Plus, 1 Made Up Street",
            with_whom="A made-up adviser",
        ),
    )
    session.refresh(plan)


def _night_one(session: Session, plan: ReleasePlan) -> None:
    assert plan.id is not None
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 1, 2 Made Up Road, Leeds"),
    )
    session.refresh(plan)


def test_a_warning_is_shown_and_publishing_needs_a_reason(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan(requested_release_date=FRIDAY)
    _night_one(session, plan)
    _appointment(session, plan, "jobcentre", datetime(2027, 3, 13, 10, tzinfo=clock.LONDON))
    officer = signed_in("officer")
    page = _text(officer.get(f"/staff/plans/{plan.id}").text)
    assert "Check these before you publish:" in page
    assert "Saturday 13 March 2027 (a weekend)" in page
    refused = officer.post(
        f"/staff/plans/{plan.id}/publish", {"expected_version": csrf_version(officer.last)}
    )
    assert refused.status_code == 422
    assert 'href="#accept-warnings-reason"' in refused.text
    assert "Say why the plan can be published with these warnings" in _text(refused.text)
    reason = "The Jobcentre confirmed it is open that Saturday."
    check = officer.post(
        f"/staff/plans/{plan.id}/publish",
        {"expected_version": csrf_version(officer.last), "accept_warnings_reason": reason},
    )
    # The check page carries the reason through to the step that publishes.
    assert check.status_code == 200
    assert reason in _text(check.text)
    done = officer.post(
        f"/staff/plans/{plan.id}/publish",
        {
            "expected_version": csrf_version(officer.last),
            "accept_warnings_reason": reason,
            "confirmed": "yes",
        },
    )
    assert done.status_code == 303
    assert "done=published" in done.headers["location"]


def test_a_blocking_finding_is_shown_and_there_is_no_publish_button(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()  # walks out on Wednesday 10 March 2027
    _night_one(session, plan)
    _appointment(session, plan, "probation", datetime(2027, 3, 9, 10, tzinfo=clock.LONDON))
    officer = signed_in("officer")
    html = officer.get(f"/staff/plans/{plan.id}").text
    assert "Fix these before you publish:" in _text(html)
    assert "is before the walk-out date, Wednesday 10 March 2027" in _text(html)
    assert 'id="publish"' not in html
    refused = officer.post(
        f"/staff/plans/{plan.id}/publish", {"expected_version": csrf_version(html)}
    )
    assert refused.status_code == 409
    assert "they will still be in prison" in _text(refused.text)


def test_the_caseload_and_plan_page_say_when_the_published_plan_is_out_of_date(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    _night_one(session, plan)
    assert plan.id is not None
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    officer = signed_in("officer")
    assert "48-hour plan out of date" not in officer.get("/staff/caseload").text
    _appointment(session, plan, "probation", datetime(2027, 3, 10, 10, tzinfo=clock.LONDON))
    assert "48-hour plan out of date" in officer.get("/staff/caseload").text
    page = _text(officer.get(f"/staff/plans/{plan.id}").text)
    assert "The published plan is out of date" in page
    assert "the release cannot be recorded until you publish again" in page


def test_a_flagged_release_the_scheme_does_not_cover_says_why_on_the_plan_page(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan(requested_release_date=FRIDAY, sentence_type="hdc")
    assert plan.flagged
    page = _text(signed_in("officer").get(f"/staff/plans/{plan.id}").text)
    assert "Friday release" in page
    assert (
        "Not eligible for early release: Home detention curfew releases are not covered by the "
        "scheme." in page
    )
    assert "Assess this release day" not in page


def test_an_eligible_flagged_release_offers_the_assessment_and_no_ineligibility(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan(requested_release_date=FRIDAY)
    page = _text(signed_in("officer").get(f"/staff/plans/{plan.id}").text)
    assert "Not eligible for early release" not in page
    assert "Assess this release day" in page
