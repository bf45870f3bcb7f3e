"""The officer's caseload through HTTP: search by name or prison number, filters for stage,
flag and prison, sorting by each column, paging at a fixed cost, and closed plans on request."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from resettlement import plans
from resettlement.actors import Actor, Role
from resettlement.models import AuditEvent, CancelReason, ReleasePlan
from tests.api.test_scaling import counting
from tests.staff.conftest import FRIDAY, OFFICER_ID, OTHER_PRISON, Browser

OFFICER = Actor(user_id=OFFICER_ID, role=Role.PROBATION_OFFICER)
SignedIn = Callable[[str], Browser]
NewPlan = Callable[..., ReleasePlan]
# A Wednesday with no nearby bank holiday: not flagged.
WEDNESDAY = date(2027, 3, 10)


def _shown(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/staff/plans/(\d+)"', html)]


def _person(name: str, family: str, **more: str) -> dict[str, str]:
    return {"given_name": name, "family_name": family, **more}


def _cancelled(session: Session, plan: ReleasePlan) -> ReleasePlan:
    assert plan.id is not None
    return plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="cancel",
        expected_version=plan.version,
        cancel_reason=CancelReason.TRANSFER,
        reason="Moved to another area.",
    )


def test_search_finds_by_part_of_a_name_or_by_prison_number(
    signed_in: SignedIn, new_plan: NewPlan
) -> None:
    ada = new_plan(person=_person("Ada", "Quillfeather", prison_number="A1234BC"))
    bo = new_plan(person=_person("Bo", "Marchbank", prison_number="B2345CD"))
    officer = signed_in("officer")
    assert _shown(officer.get("/staff/caseload?q=quillf").text) == [ada.id]
    assert _shown(officer.get("/staff/caseload?q=bo+marchbank").text) == [bo.id]
    assert _shown(officer.get("/staff/caseload?q=b2345cd").text) == [bo.id]
    nothing = officer.get("/staff/caseload?q=%25")
    assert _shown(nothing.text) == [] and "No plans match" in nothing.text


def test_filters_by_stage_flag_and_prison_and_says_which_are_chosen(
    signed_in: SignedIn, new_plan: NewPlan, session: Session
) -> None:
    friday = new_plan(requested_release_date=FRIDAY)
    elsewhere = new_plan(person={"prison_code": OTHER_PRISON})
    planning = new_plan()
    assert planning.id is not None
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=planning.id,
        event="start_resettlement_planning",
        expected_version=planning.version,
    )
    officer = signed_in("officer")
    flagged = officer.get("/staff/caseload?flag=friday")
    assert _shown(flagged.text) == [friday.id]
    assert "Selected filters" in flagged.text and "Remove this filter" in flagged.text
    assert _shown(officer.get("/staff/caseload?prison=BWI").text) == [elsewhere.id]
    assert _shown(officer.get("/staff/caseload?stage=resettlement_planning").text) == [planning.id]
    both = officer.get("/staff/caseload?stage=sentence_planning&prison=MDI")
    assert _shown(both.text) == [friday.id]
    # A choice not on offer is left out, not an error.
    assert len(_shown(officer.get("/staff/caseload?flag=nonsense&page=x").text)) == 3


def test_every_column_sorts_both_ways(signed_in: SignedIn, new_plan: NewPlan) -> None:
    early = new_plan(person=_person("Zed", "Young"), requested_release_date=WEDNESDAY)
    late = new_plan(
        person=_person("Amy", "Abbott"), requested_release_date=WEDNESDAY + timedelta(days=28)
    )
    officer = signed_in("officer")
    assert _shown(officer.get("/staff/caseload").text) == [early.id, late.id]
    page = officer.get("/staff/caseload?sort=person")
    assert _shown(page.text) == [late.id, early.id]
    assert 'aria-sort="ascending"' in page.text
    descending = officer.get("/staff/caseload?sort=person&order=descending")
    assert _shown(descending.text) == [early.id, late.id]
    assert 'aria-sort="descending"' in descending.text
    assert _shown(officer.get("/staff/caseload?sort=walk_out&order=descending").text) == [
        late.id,
        early.id,
    ]
    for column in ("stage", "checklist", "flags"):
        for order in ("ascending", "descending"):
            shown = officer.get(f"/staff/caseload?sort={column}&order={order}")
            assert shown.status_code == 200 and sorted(_shown(shown.text)) == sorted(
                [early.id, late.id]
            )


def test_pages_through_the_caseload_at_the_same_cost_however_long_it_is(
    signed_in: SignedIn, new_plan: NewPlan, engine: Engine, session: Session
) -> None:
    made = [new_plan(requested_release_date=WEDNESDAY + timedelta(days=7 * n)) for n in range(30)]
    officer = signed_in("officer")
    first = officer.get("/staff/caseload")
    assert _shown(first.text) == [p.id for p in made[:25]]
    assert "Showing 1 to 25 of 30 total plans" in first.text
    second = officer.get("/staff/caseload?page=2")
    assert _shown(second.text) == [p.id for p in made[25:]]
    assert "Showing 26 to 30 of 30 total plans" in second.text
    assert 'href="/staff/caseload?sort=walk_out&amp;order=ascending"' in second.text
    past = officer.get("/staff/caseload?page=9")
    assert _shown(past.text) == [] and "There is no page 9" in past.text
    with counting(engine) as few:
        officer.get("/staff/caseload?page=2")
    for n in range(30, 90):
        new_plan(requested_release_date=WEDNESDAY + timedelta(days=7 * n))
    with counting(engine) as many:
        page = officer.get("/staff/caseload?page=2")
    assert len(_shown(page.text)) == 25
    assert len(few) == len(many), (few, many)
    listed = session.exec(select(AuditEvent.object_id).where(AuditEvent.action == "list")).all()
    assert len(listed) == 25 + 5 + 5 + 25


def test_closed_plans_are_reached_from_the_caseload(
    signed_in: SignedIn, new_plan: NewPlan, session: Session
) -> None:
    open_one = new_plan()
    closed = _cancelled(session, new_plan())
    officer = signed_in("officer")
    page = officer.get("/staff/caseload")
    assert _shown(page.text) == [open_one.id]
    link = re.search(r'href="([^"]+)">Show completed and cancelled plans', page.text)
    assert link
    shown = officer.get(link.group(1).replace("&amp;", "&"))
    assert _shown(shown.text) == [closed.id]
    assert "Cancelled" in shown.text
