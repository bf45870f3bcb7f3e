"""Staff as people: the staff table the demo seeds and sign-in lists, names instead of ids on
the pages, and the plan naming its probation officer and prison case manager with how to
reach each."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from resettlement import demo, staff
from resettlement.models import ReleasePlan
from resettlement.staff import PRISON_CASE_MANAGER, StaffMember
from tests.staff.conftest import FRIDAY, OFFICER_ID, Browser
from tests.staff.test_pages import _submitted, _text, csrf_version

SignedIn = Callable[[str], Browser]


def _people(session: Session) -> None:
    staff.add_missing(
        session=session,
        members=[
            StaffMember(
                user_id=OFFICER_ID,
                name="Tess Officerton",
                role="probation_officer",
                team="Leeds South probation team",
                email="tess.officerton@justice.example",
                phone="020 7946 0123",
            ),
            StaffMember(user_id="governor-mdi", name="Gwen Governorby", role="governor"),
            StaffMember(
                user_id="pcm-mdi",
                name="Omar Managerson",
                role=PRISON_CASE_MANAGER,
                prison_code="MDI",
                team="HMP Moorland resettlement team",
                phone="020 7946 0456",
            ),
        ],
    )


def test_the_demo_seeds_its_staff_once_and_sign_in_lists_them_by_name(
    browser: Browser, session: Session
) -> None:
    assert staff.add_missing(session=session, members=demo.demo_staff()) == 0
    page = browser.get("/staff/sign-in")
    shown = _text(page.text)
    assert "Ann Ashworth, po-ashworth (probation officer)" in shown
    assert "governor-mdi (governor, HMP Moorland)" in shown
    # A case manager is named on plans but does not sign in here.
    assert 'value="pcm-mdi"' not in page.text
    refused = browser.post("/staff/sign-in", {"user": "pcm-mdi"})
    assert refused.status_code == 422
    browser.sign_in("governor-mdi")
    queue = browser.get("/staff/early-release")
    governor = staff.find(session, "governor-mdi")
    assert governor is not None
    assert f"Signed in as <strong>{governor.name}</strong>" in queue.text


def test_pages_name_the_officer_and_governor_instead_of_their_ids(
    signed_in: SignedIn, session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    _people(session)
    plan = new_plan(requested_release_date=FRIDAY)
    request_id = _submitted(session, plan)
    governor = signed_in("governor")
    assert "By Tess Officerton" in _text(governor.get("/staff/early-release").text)
    page = governor.get(f"/staff/early-release/{request_id}")
    assert "Assessed by Tess Officerton" in _text(page.text)
    answers = {
        "decision": "refuse",
        "reasons": "No harm on the day after all.",
        "expected_version": csrf_version(page.text),
    }
    check = governor.post(f"/staff/early-release/{request_id}", answers)
    governor.post(
        f"/staff/early-release/{request_id}",
        {**answers, "expected_version": csrf_version(check.text), "step": "confirm"},
    )
    decided = _text(governor.get(f"/staff/early-release/{request_id}").text)
    assert "Decided by Gwen Governorby" in decided and "Decided by governor-mdi" not in decided
    assert "by Gwen Governorby" in _text(governor.get("/staff/early-release/decided").text)
    audit = _text(signed_in("admin").get("/staff/audit?actor=governor-mdi").text)
    assert "Gwen Governorby governor-mdi, governor" in audit


def test_the_plan_names_its_officer_and_case_manager_with_how_to_reach_them(
    signed_in: SignedIn, session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    _people(session)
    plan = new_plan(requested_release_date=FRIDAY)
    request_id = _submitted(session, plan)
    for page in (
        signed_in("officer").get(f"/staff/plans/{plan.id}"),
        signed_in("governor").get(f"/staff/early-release/{request_id}/plan"),
    ):
        shown = _text(page.text)
        assert "Probation officer Tess Officerton, Leeds South probation team" in shown
        assert 'href="tel:+442079460123"' in page.text
        assert 'href="mailto:tess.officerton@justice.example"' in page.text
        assert "Prison case manager Omar Managerson" in shown
        assert 'href="tel:+442079460456"' in page.text


def test_a_plan_whose_people_are_not_in_the_staff_table_says_so(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    shown = _text(signed_in("officer").get(f"/staff/plans/{plan.id}").text)
    assert f"Probation officer {OFFICER_ID} (no contact details recorded)" in shown
    assert "Prison case manager Not known to this service" in shown
