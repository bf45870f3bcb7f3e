"""The route on the person's page: the diagram and its list in time order."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

from resettlement import forty_eight_hours, plans
from resettlement.models import AppointmentCreate, AppointmentKind
from tests.pages.conftest import ACCEPTED, OFFICER, sign_in


def _route_list(html: str) -> list[str]:
    figure = re.search(r'<figure class="app-route">(.*?)</figure>', html, re.S)
    assert figure, "no route on the page"
    items = re.findall(r"<li>(.*?)</li>", figure.group(1), re.S)
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", i))).strip() for i in items]


def _svg_titles(html: str) -> list[str]:
    return [
        unescape(t) for t in re.findall(r'<tspan class="app-route-map__title">(.*?)</tspan>', html)
    ]


def test_a_walk_out_day_appointment_comes_before_a_stay_that_opens_later(
    client, session, published
):
    p = published()
    plan = p.plan
    session.refresh(plan)
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_from="You can arrive from 2pm"),
    )
    session.refresh(plan)
    # Wednesday 16 December 2026, the walk-out day, 10am in London (GMT).
    forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind.HOUSING,
            starts_at=datetime(2026, 12, 16, 10, 0, tzinfo=UTC),
            location="Housing Options, 1 Civic Square",
            with_whom="Housing officer",
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
    sign_in(client, p)
    page = client.get("/my-plan").text
    listed = _route_list(page)
    titles = [line.split(":")[0] for line in listed]
    assert titles[:3] == ["Prison gate", "Housing appointment", "Where you sleep tonight"], listed
    assert "(Wednesday 16 December, 10am)" in listed[1]
    assert listed[2].endswith("(Wednesday 16 December, from 2pm)"), listed[2]
    # The diagram says the same as the list.
    assert _svg_titles(page) == titles
