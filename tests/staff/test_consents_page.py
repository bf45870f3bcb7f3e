"""The officer records a consent the person gives in person, and a withdrawal, on the staff
plan's consents page (MoJ style)."""

from __future__ import annotations

from sqlmodel import Session

from resettlement.privacy import consents
from resettlement.privacy.consents import ConsentKind


def test_the_officer_records_sharing_given_in_person_and_withdraws_it(
    signed_in, new_plan, session, engine
):
    plan = new_plan()
    officer = signed_in("officer")
    overview = officer.get(f"/staff/plans/{plan.id}")
    assert f"/staff/plans/{plan.id}/consents" in overview.text
    page = officer.get(f"/staff/plans/{plan.id}/consents")
    assert page.status_code == 200 and "Record a consent they give you in person" in page.text
    refused = officer.post(
        f"/staff/plans/{plan.id}/consents",
        {"kind": "sharing_with_partner", "with_whom_name": "Hope Housing Trust"},
    )
    assert refused.status_code == 422
    assert "Choose at least one part of the plan to share." in refused.text
    recorded = officer.post(
        f"/staff/plans/{plan.id}/consents",
        {
            "kind": "sharing_with_partner",
            "with_whom_name": "Hope Housing Trust",
            "with_whom_id": "org-7",
            "scope": ["appointments", "contacts"],
        },
    )
    assert recorded.status_code == 303, recorded.text
    [consent] = consents.live_consents(session, plan.person_id)
    assert (consent.given_how, consent.with_whom_id, consent.scope) == (
        "in_person",
        "org-7",
        ["appointments", "contacts"],
    )
    shown = officer.get(recorded.headers["location"])
    assert "Hope Housing Trust" in shown.text and "Their consent is recorded." in shown.text
    withdrawn = officer.post(
        f"/staff/plans/{plan.id}/consents/{consent.id}/withdraw",
        {"expected_version": str(consent.version)},
    )
    assert withdrawn.status_code == 303
    with Session(engine) as elsewhere:
        assert not consents.has_live_consent(
            elsewhere, plan.person_id, ConsentKind.SHARING_WITH_PARTNER
        )


def test_another_officer_gets_the_plans_404_page(signed_in, new_plan):
    plan = new_plan()
    other = signed_in("other_officer")
    assert other.get(f"/staff/plans/{plan.id}/consents").status_code == 404


def test_the_page_says_a_consent_is_recorded_once(signed_in, new_plan):
    plan = new_plan()
    officer = signed_in("officer")
    page = officer.get(f"/staff/plans/{plan.id}/consents?done=recorded")
    # The layout shows the page's banner: a second copy would repeat its heading's id.
    assert page.text.count("Their consent is recorded.") == 1
    assert page.text.count('id="govuk-notification-banner-title"') == 1
