"""The demo has referrals in every state, made through the services, and a partner to sign in
as for each organisation referred to."""

from __future__ import annotations

from sqlmodel import Session, col, select

from resettlement import demo, staff
from resettlement.partners.referral_lifecycle import ReferralState
from resettlement.partners.referrals import Referral, ReferralUpdate


def test_the_demo_has_referrals_in_every_state_and_partners_for_them(session: Session) -> None:
    demo.seed(session)
    states = set(session.exec(select(Referral.state)).all())
    assert states == {s.value for s in ReferralState}
    organisations = set(session.exec(select(Referral.organisation_id)).all())
    partners = staff.everyone(session, ["partner"])
    assert organisations <= {p.organisation_id for p in partners}
    flags = session.exec(select(ReferralUpdate).where(col(ReferralUpdate.kind) == "flag")).all()
    assert flags
