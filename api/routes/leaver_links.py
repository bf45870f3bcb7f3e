"""The prison leaver's sign-in links, as the officer of the plan manages them: issue one to
hand over (a plan has one live link at a time) or stop every live one at once."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CurrentOfficer, OfficersPlan, SessionDep
from resettlement import leaver_access, sign_in_texts

router = APIRouter(prefix="/plans", tags=["release plans"])


class LeaverLinkIssued(BaseModel):
    link_id: int
    path: str = Field(
        description="The sign-in link's path, /plan-link/<secret>. Shown this once and never "
        "stored: hand it to the person (printed, or as a QR code)."
    )
    expires_at: datetime


class LeaverLinksRevoked(BaseModel):
    plan_id: int
    revoked: int = Field(description="How many live links were stopped (0 if none was live).")


@router.post("/{plan_id}/leaver-links", status_code=201, response_model=LeaverLinkIssued)
def issue_leaver_link(
    plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> LeaverLinkIssued:
    """A new sign-in link for the person; it stops the plan's older links."""
    assert plan.id is not None
    link, path = leaver_access.issue_link(session=session, actor=actor, plan_id=plan.id)
    assert link.id is not None
    return LeaverLinkIssued(link_id=link.id, path=path, expires_at=link.expires_at.astimezone(UTC))


@router.delete("/{plan_id}/leaver-links", response_model=LeaverLinksRevoked)
def revoke_leaver_links(
    plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> LeaverLinksRevoked:
    """Stop every live sign-in link to the plan at once (a lost phone, a recall). Signed-in
    sessions made with them end too. Asking again stops none and changes nothing."""
    assert plan.id is not None
    revoked = leaver_access.revoke_links(session=session, actor=actor, plan_id=plan.id)
    return LeaverLinksRevoked(plan_id=plan.id, revoked=revoked)


class SignInLinkTexted(BaseModel):
    link_id: int
    sent_to: str = Field(description="The person's mobile the text went to, as dialled in the UK.")
    expires_at: datetime


@router.post(
    "/{plan_id}/leaver-links/text-message", status_code=201, response_model=SignInLinkTexted
)
def text_leaver_link(
    plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> SignInLinkTexted:
    """A new sign-in link, texted through GOV.UK Notify to the person's own mobile (recorded
    with their consent); it stops the plan's older links. The link is not in the answer: only
    the person's phone receives it. 409 when Notify is not set up or there is no number."""
    assert plan.id is not None
    sent = sign_in_texts.text_sign_in_link(session=session, actor=actor, plan_id=plan.id)
    assert sent.link.id is not None
    return SignInLinkTexted(
        link_id=sent.link.id,
        sent_to=sent.national_number,
        expires_at=sent.link.expires_at.astimezone(UTC),
    )
