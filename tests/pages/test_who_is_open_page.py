"""The person's plan shows who is open near them in their first 2 days, in English and Welsh."""

from __future__ import annotations

import json

from resettlement.actors import Actor, Role
from resettlement.partners import directory, open_referral
from resettlement.partners.sample_directory import made_up_directory
from rules.nations import Nation

from .conftest import sign_in

COORDINATOR = Actor(user_id="coord-mdi", role=Role.COORDINATOR, prison_code="MDI")


def _directory(session) -> None:
    d = directory.open_directory(
        session=session,
        actor=COORDINATOR,
        prison_code="MDI",
        area="Doncaster",
        nation=Nation.ENGLAND_AND_WALES,
    )
    open_referral.import_directory(
        session=session,
        actor=COORDINATOR,
        directory_id=d.id,
        expected_version=d.version,
        content=json.dumps(made_up_directory("Doncaster", 21)).encode(),
    )


def test_the_person_sees_who_is_open_in_their_first_two_days(client, session, published):
    _directory(session)
    p = published()
    sign_in(client, p)
    page = client.get("/my-plan?lang=en")
    assert page.status_code == 200
    text = page.text
    assert 'id="who-is-open"' in text and "Who is open in your first 2 days" in text
    # Walking out on Wednesday 16 December 2026 at 9am: two weekdays, then the weekend.
    assert "Housing options, Doncaster" in text
    assert "Open on Wednesday 9am to 5pm and on Thursday 9am to 5pm" in text
    assert "Closed until Saturday" in text  # the food bank
    assert "Open 24 hours" in text
    assert 'href="tel:+448081570' in text


def test_the_welsh_plan_says_it_in_welsh(client, session, published):
    _directory(session)
    p = published(language="cy")
    sign_in(client, p)
    text = client.get("/my-plan?lang=cy").text
    assert "Pwy sydd ar agor yn eich 2 ddiwrnod cyntaf" in text
    assert "Ar agor ddydd Mercher 9yb i 5yh a ddydd Iau 9yb i 5yh" in text
    assert "Ar agor 24 awr" in text
    assert "Yn helpu gyda: Rhywle i fyw" in text
    assert "Open on Wednesday" not in text


def test_without_a_directory_the_section_is_not_shown(client, published):
    p = published()
    sign_in(client, p)
    assert 'id="who-is-open"' not in client.get("/my-plan").text
