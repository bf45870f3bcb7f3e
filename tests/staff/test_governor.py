"""The governor's pages beyond the queue: the plan behind a request (read-only, audited), the
check step before a decision is recorded, and the decided requests with date, reasons and
decider."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from resettlement import goals
from resettlement.actors import Actor, Role
from resettlement.goals import GoalText
from resettlement.models import AuditEvent, EarlyReleaseRequest, GoalArea, Person, ReleasePlan
from tests.staff.conftest import FRIDAY, Browser
from tests.staff.test_pages import _submitted, _text, csrf_version

SignedIn = Callable[[str], Browser]


@pytest.fixture
def submitted(session: Session, new_plan: Callable[..., ReleasePlan]) -> tuple[ReleasePlan, int]:
    plan = new_plan(requested_release_date=FRIDAY)
    return plan, _submitted(session, plan)


def _answers(page: str, **more: str) -> dict[str, str]:
    return {
        "decision": "refuse",
        "reasons": "The hostel can take them on the Friday after all.",
        "expected_version": csrf_version(page),
        **more,
    }


def test_the_plan_behind_a_request_is_readable_and_audited_but_offers_no_change(
    signed_in: SignedIn, submitted: tuple[ReleasePlan, int], session: Session
) -> None:
    plan, request_id = submitted
    assert plan.id is not None
    person = Actor(user_id="leaver-link:7", role=Role.PRISON_LEAVER, plan_id=plan.id)
    goals.add_goal(
        session=session,
        actor=person,
        plan_id=plan.id,
        data=GoalText(area=GoalArea.WORK, in_their_words="Back to the bakery by spring."),
    )
    governor = signed_in("governor")
    request_page = governor.get(f"/staff/early-release/{request_id}")
    assert f'href="/staff/early-release/{request_id}/plan"' in request_page.text
    page = governor.get(f"/staff/early-release/{request_id}/plan")
    assert page.status_code == 200
    assert "Plan for release" in page.text and "Checklist" in page.text
    assert "Only the probation officer named on it can change it." in page.text
    assert re.findall(r'<form[^>]*action="([^"]+)"', page.text) == ["/staff/sign-out"]
    assert f"/staff/plans/{plan.id}" not in page.text
    # The person's goal, marked as theirs, as the officer's page marks it.
    name = session.get(Person, plan.person_id)
    assert name is not None
    shown = _text(page.text)
    assert "Back to the bakery by spring." in shown
    assert f"Written by {name.given_name} {name.family_name}" in shown
    reads = session.exec(
        select(AuditEvent.action, AuditEvent.object_id).where(
            AuditEvent.actor == "governor-mdi", AuditEvent.object_type == "plan"
        )
    ).all()
    assert list(reads).count(("read", str(plan.id))) == 2
    assert (
        signed_in("other_governor").get(f"/staff/early-release/{request_id}/plan").status_code
        == 404
    )
    assert signed_in("officer").get(f"/staff/early-release/{request_id}/plan").status_code == 403


def test_a_decision_is_shown_back_to_check_and_can_be_changed_before_it_is_recorded(
    signed_in: SignedIn, submitted: tuple[ReleasePlan, int], session: Session
) -> None:
    _, request_id = submitted
    governor = signed_in("governor")
    page = governor.get(f"/staff/early-release/{request_id}")
    check = governor.post(f"/staff/early-release/{request_id}", _answers(page.text))
    assert check.status_code == 200
    shown = _text(check.text)
    assert "Check your decision" in shown and "Decision Refuse" in shown
    assert "The hostel can take them on the Friday after all." in shown
    request = session.get(EarlyReleaseRequest, request_id)
    assert request is not None and request.state == "submitted"
    changed = governor.post(
        f"/staff/early-release/{request_id}", _answers(check.text, step="change")
    )
    assert changed.status_code == 200 and "Decide on the early release" in changed.text
    assert re.search(r'value="refuse"\s+checked', changed.text)
    assert "The hostel can take them on the Friday after all.</textarea>" in changed.text
    session.refresh(request)
    assert request.state == "submitted"


def test_a_decided_request_shows_the_decision_and_is_listed_among_decided_requests(
    signed_in: SignedIn, submitted: tuple[ReleasePlan, int], session: Session
) -> None:
    _, request_id = submitted
    governor = signed_in("governor")
    page = governor.get(f"/staff/early-release/{request_id}")
    check = governor.post(f"/staff/early-release/{request_id}", _answers(page.text))
    done = governor.post(f"/staff/early-release/{request_id}", _answers(check.text, step="confirm"))
    assert done.status_code == 303
    # Confirming twice records nothing twice: the request is no longer before the governor.
    again = governor.post(
        f"/staff/early-release/{request_id}", _answers(check.text, step="confirm")
    )
    assert again.status_code == 409
    decided = governor.get(f"/staff/early-release/{request_id}")
    shown = _text(decided.text)
    assert "Decide on the early release" not in decided.text
    assert "Early-release decision" in shown and "Refused" in shown
    assert "Decided by governor-mdi" in shown
    assert "Reasons The hostel can take them on the Friday after all." in shown
    assert 'name="decision"' not in decided.text
    listed = governor.get("/staff/early-release/decided")
    assert listed.status_code == 200
    row = _text(listed.text)
    assert "Refused" in row and "by governor-mdi" in row
    assert "The hostel can take them on the Friday after all." in row
    assert f'href="/staff/early-release/{request_id}"' in listed.text
    other = signed_in("other_governor").get("/staff/early-release/decided")
    assert f"/staff/early-release/{request_id}" not in other.text
    listed_reads = session.exec(
        select(AuditEvent.object_id).where(
            AuditEvent.actor == "governor-mdi",
            AuditEvent.action == "list",
            AuditEvent.object_type == "early_release_request",
        )
    ).all()
    assert str(request_id) in listed_reads


def test_the_northern_ireland_governors_empty_queue_says_why_it_stays_empty(
    client, signed_in: SignedIn
) -> None:
    from datetime import date

    from resettlement.actors import Role
    from rules import configure_commencement

    governor = Browser(client).use_token(Role.GOVERNOR, "governor-mgh", prison="MGH")
    page = _text(governor.get("/staff/early-release").text)
    assert "HMP Maghaberry" in page
    assert (
        "Northern Ireland has no Friday or pre-bank-holiday early-release scheme in force" in page
    )
    assert "Rule NI-EARLY-RELEASE:" in page
    assert "There are no requests waiting for your decision." not in page
    # A governor in England with an empty queue: nothing to explain beyond it being empty.
    moorland = _text(signed_in("governor").get("/staff/early-release").text)
    assert "There are no requests waiting for your decision." in moorland
    assert "NI-EARLY-RELEASE" not in moorland
    # When a scheme commences (a change of data), the explanation goes with it.
    configure_commencement("NI-EARLY-RELEASE", date(2020, 1, 1))
    try:
        page = _text(governor.get("/staff/early-release").text)
    finally:
        configure_commencement("NI-EARLY-RELEASE", None)
    assert "NI-EARLY-RELEASE" not in page
    assert "There are no requests waiting for your decision." in page
