"""The person sees what they have agreed to on their plan page, and stops it there."""

from __future__ import annotations

from sqlmodel import Session

from resettlement.privacy import consents
from resettlement.privacy.consents import ConsentKind, GivenHow, WithWhom, WithWhomType
from tests.pages.conftest import OFFICER, sign_in

PARTNER = WithWhom(WithWhomType.ORGANISATION, "org-7", "Hope Housing Trust")


def _share(session: Session, person_id: int) -> consents.Consent:
    return consents.give_consent(
        session=session,
        actor=OFFICER,
        person_id=person_id,
        kind=ConsentKind.SHARING_WITH_PARTNER,
        how=GivenHow.IN_PERSON,
        with_whom=PARTNER,
        scope=["appointments", "first_night_address"],
    )


def test_the_person_sees_their_consents_and_withdrawing_one_stops_it_at_once(
    client, session, engine, published
):
    p = published()
    consent = _share(session, p.plan.person_id)
    page = sign_in(client, p)
    assert "What you have agreed to" in page.text
    assert "Hope Housing Trust" in page.text and "your appointments" in page.text
    stopped = client.post(
        f"/my-plan/consents/{consent.id}/withdraw",
        data={"expected_version": str(consent.version)},
        follow_redirects=False,
    )
    assert stopped.status_code == 303
    with Session(engine) as elsewhere:
        assert not consents.has_live_consent(
            elsewhere, p.plan.person_id, ConsentKind.SHARING_WITH_PARTNER, with_whom_id="org-7"
        )
        [row] = consents.consent_history(elsewhere, p.plan.person_id)
        assert row.withdrawn_by == f"leaver-link:{p.link.id}"
    after = client.get("/my-plan?withdrawn=1")
    assert "Hope Housing Trust" not in after.text
    assert "You have withdrawn your agreement" in after.text


def test_someone_elses_consent_cannot_be_withdrawn_from_a_plan_page(client, session, published):
    mine, theirs = published(), published()
    consent = _share(session, theirs.plan.person_id)
    sign_in(client, mine)
    refused = client.post(
        f"/my-plan/consents/{consent.id}/withdraw", data={}, follow_redirects=False
    )
    assert refused.status_code == 404
    assert consents.has_live_consent(
        session, theirs.plan.person_id, ConsentKind.SHARING_WITH_PARTNER
    )


def test_a_welsh_speaker_reads_their_consents_in_welsh(client, session, published):
    p = published(language="cy")
    _share(session, p.plan.person_id)
    page = sign_in(client, p)
    assert "Yr hyn rydych chi wedi cytuno iddo" in page.text
    assert "Rhannu rhannau o'ch cynllun gyda sefydliad" in page.text.replace("&#39;", "'")
    assert "What you have agreed to" not in page.text


def test_without_a_session_nothing_is_withdrawn(client, session, published):
    p = published()
    consent = _share(session, p.plan.person_id)
    refused = client.post(f"/my-plan/consents/{consent.id}/withdraw", follow_redirects=False)
    assert refused.status_code == 401
    assert consents.has_live_consent(session, p.plan.person_id, ConsentKind.SHARING_WITH_PARTNER)
