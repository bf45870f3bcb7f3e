"""Who is open near the release area in the person's first 48 hours, from a real plan and an
imported directory: needs, eligibility and the Friday 18 December 2026 walk-out."""

from __future__ import annotations

import json
from datetime import date

from resettlement.actors import Actor, Role
from resettlement.partners import directory, nearby, open_referral
from resettlement.partners.sample_directory import made_up_directory
from rules.nations import Nation

COORDINATOR = Actor(user_id="coord-mdi", role=Role.COORDINATOR, prison_code="MDI")
FRIDAY = date(2026, 12, 18)


def _directory(session, area: str = "Doncaster"):
    d = directory.open_directory(
        session=session,
        actor=COORDINATOR,
        prison_code="MDI",
        area=area,
        nation=Nation.ENGLAND_AND_WALES,
    )
    open_referral.import_directory(
        session=session,
        actor=COORDINATOR,
        directory_id=d.id,
        expected_version=d.version,
        content=json.dumps(made_up_directory(area, seed=7)).encode(),
    )
    return d


def _kinds(found: nearby.WhoIsOpen) -> dict[str, str]:
    return {s.record.service.name.split(",")[0]: s.hours.words() for s in found.services}


def test_a_friday_release_sees_the_weekday_weekend_and_24_hour_services(session, new_plan):
    _directory(session)
    plan = new_plan(
        requested_release_date=FRIDAY,
        person={"date_of_birth": date(1980, 5, 1)},
    )
    assert plan.walk_out_date == FRIDAY
    person = session.get(nearby.Person, plan.person_id)
    found = nearby.who_is_open(session, plan, person)
    kinds = _kinds(found)
    assert kinds["Housing options"] == "Open on Friday 9am to 5pm, then closed until Monday"
    assert kinds["Food bank"] == "Open on Saturday 10am to 2pm"
    # The 48 hours end at 9am on Sunday, before it opens again.
    assert kinds["Weekend drop-in"] == "Open on Saturday 11am to 3pm"
    assert kinds["24-hour homelessness line"] == "Open 24 hours"
    # Women only, and 18 to 25: not for a man of 46.
    assert "Women's centre" not in kinds
    assert "Young people's support" not in kinds
    # Soonest open first: open at walk-out, then Friday night, then Saturday.
    first = [s.record.service.name.split(",")[0] for s in found.services][:2]
    assert set(first) <= {
        "24-hour homelessness line",
        "24-hour listening line",
        "Housing options",
        "Money and benefits advice",
        "Drug and alcohol service",
    }
    assert found.open_count == len(found.services)


def test_a_young_woman_also_sees_the_womens_centre_and_young_peoples_support(session, new_plan):
    _directory(session)
    plan = new_plan(
        requested_release_date=FRIDAY,
        person={"date_of_birth": date(2004, 1, 2), "needs": ["woman", "care_leaver"]},
    )
    person = session.get(nearby.Person, plan.person_id)
    kinds = _kinds(nearby.who_is_open(session, plan, person))
    assert kinds["Women's centre"] == "Closed until Monday"
    assert kinds["Young people's support"] == (
        "Open on Friday 10am to 6pm, then closed until Monday"
    )


def test_the_area_named_in_the_night_one_address_picks_the_directory(session, new_plan):
    _directory(session, "Doncaster")
    sheffield = _directory(session, "Sheffield")
    plan = new_plan(requested_release_date=FRIDAY)
    person = session.get(nearby.Person, plan.person_id)
    # Two directories and no address: none is chosen rather than the wrong one.
    assert nearby.who_is_open(session, plan, person).directory is None
    plan.accommodation_address = "Flat 2, 10 Division Street, Sheffield S1 4GF"
    found = nearby.who_is_open(session, plan, person)
    assert found.directory.id == sheffield.id
    assert all(s.record.service.name.endswith("Sheffield") for s in found.services)
