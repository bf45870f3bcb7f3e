"""The officer's referrals page for a plan: refer the person to a service in their prison's
directory with their consent (what is shared, until when), send, close, and read the issues and
risks partners have flagged. Reached from the plan's overview; the caseload tags a plan with
an unseen flag."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from api.deps import SessionDep
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, PageOfficer
from api.staff.officer import CLOSED, _id, own_plan
from api.staff.rendering import render
from resettlement import plans
from resettlement.actors import Actor
from resettlement.errors import DomainError, InvalidInput
from resettlement.models import ReleasePlan
from resettlement.partners import referrals
from resettlement.partners.models import DirectoryOrganisation, DirectoryService, ServiceDirectory
from resettlement.partners.referral_lifecycle import allowed_events
from resettlement.privacy.consents import Section
from rules.service_needs import LABELS, ServiceNeed

router = APIRouter(prefix="/staff", include_in_schema=False)

SECTIONS = {
    Section.FIRST_NIGHT_ADDRESS.value: "Where they sleep on the first night",
    Section.APPOINTMENTS.value: "Appointments",
    Section.CONTACTS.value: "Who to call",
    Section.HEALTH.value: "Health (reasonable adjustments, health-related needs)",
    Section.CHARACTERISTICS.value: "Monitoring characteristics",
}
STATES = {
    "draft": ("Draft: not sent", "govuk-tag--grey"),
    "sent": ("Sent: waiting for an answer", "govuk-tag--blue"),
    "accepted": ("Accepted", "govuk-tag--green"),
    "declined": ("Declined", "govuk-tag--red"),
    "in_progress": ("In progress", "govuk-tag--light-blue"),
    "completed": ("Completed", "govuk-tag--green"),
    "closed": ("Closed", "govuk-tag--grey"),
}
BANNERS = {
    "made": "The referral and their consent are recorded. Send it when you are ready.",
    "sent": "The referral is sent.",
    "closed": "The referral is closed.",
    "seen": "The flag is marked as seen.",
}


def need_label(need: str) -> str:
    try:
        return LABELS[ServiceNeed(need)][0]
    except ValueError:
        return need


def _services(session: Session, prison_code: str) -> list[dict[str, Any]]:
    """The services in the prison's directories, for the referral form."""
    rows = session.exec(
        select(DirectoryService, DirectoryOrganisation.name, ServiceDirectory.area)
        .join(
            DirectoryOrganisation,
            col(DirectoryOrganisation.id) == col(DirectoryService.organisation_id),
        )
        .join(ServiceDirectory, col(ServiceDirectory.id) == col(DirectoryService.directory_id))
        .where(
            ServiceDirectory.prison_code == prison_code,
            DirectoryService.status == "active",
            col(DirectoryService.withdrawn_at).is_(None),
        )
        .order_by(col(DirectoryService.name))
    ).all()
    return [
        {
            "id": service.id,
            "text": f"{service.name} ({organisation}, {area})",
            "needs": ", ".join(need_label(str(n)) for n in service.needs),
        }
        for service, organisation, area in rows
    ]


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    plan: ReleasePlan,
    *,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    found = referrals.list_for_plan(session=session, actor=actor, plan_id=_id(plan))
    flags = referrals.list_flags(session=session, actor=actor, plan_id=_id(plan))
    done = request.query_params.get("done")
    return render(
        request,
        "staff/referrals.html",
        {
            "plan": view.plan,
            "person": view.person,
            "referrals": [
                referrals.describe(session, r) | {"allowed": allowed_events(r.state)} for r in found
            ],
            "flags": flags,
            "services": _services(session, view.person.prison_code),
            "needs": {n.value: LABELS[n][0] for n in ServiceNeed},
            "sections": SECTIONS,
            "states": STATES,
            "need_label": need_label,
            "editable": view.plan.state not in CLOSED,
            "errors": errors or Errors(),
            "values": values or {},
            "banner": BANNERS.get(done or "") if errors is None else None,
            "labels": labels,
        },
        status=status,
    )


@router.get("/plans/{plan_id}/referrals", response_class=HTMLResponse)
def referrals_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    return _page(request, session, actor, own_plan(session, actor, plan_id))


def _shown(error: DomainError) -> Errors:
    return forms.from_domain(error, default_field="service").on_page()


@router.post("/plans/{plan_id}/referrals", response_class=HTMLResponse)
def make_referral(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    values = forms.kept(form)
    values["sections"] = forms.values(form, "sections")
    errors = Errors()
    service = forms.text(form, "service") or ""
    if not service.isdigit():
        errors.add("Choose a service from the directory.", "service")
    until, problem = forms.day_or_problem(form, "until")
    if until is None:
        errors.add(problem or "Enter the last day their consent holds.", "until")
    if not forms.values(form, "sections"):
        errors.add("Choose what they agree to share.", "sections")
    if errors:
        return _page(request, session, actor, plan, errors=errors, values=values, status=422)
    assert until is not None
    try:
        referrals.make_referral(
            session=session,
            actor=actor,
            plan_id=_id(plan),
            request=referrals.ReferralRequest(
                service_id=int(service),
                need=forms.text(form, "need") or "",
                help_wanted=forms.text(form, "help_wanted") or "",
                sections=tuple(forms.values(form, "sections")),
                consent_until=until,
            ),
        )
    except DomainError as error:
        return _page(request, session, actor, plan, errors=_shown(error), values=values, status=422)
    return RedirectResponse(f"/staff/plans/{_id(plan)}/referrals?done=made", status_code=303)


def _referral_id(referral_id: str) -> int:
    if not referral_id.isdigit() or len(referral_id) > 9:
        raise InvalidInput("There is no such referral.", field="service")
    return int(referral_id)


@router.post("/plans/{plan_id}/referrals/{referral_id}/{event}", response_class=HTMLResponse)
def referral_step(
    plan_id: str,
    referral_id: str,
    event: str,
    request: Request,
    form: CheckedForm,
    actor: PageOfficer,
    session: SessionDep,
) -> Response:
    plan = own_plan(session, actor, plan_id)
    try:
        number = _referral_id(referral_id)
        if referrals.officers_referral(session, actor, number).plan_id != _id(plan):
            raise InvalidInput("There is no such referral.", field="service")
        if event == "send":
            referrals.send_referral(
                session=session,
                actor=actor,
                referral_id=number,
                expected_version=forms.version(form),
            )
        elif event == "close":
            referrals.close_referral(
                session=session,
                actor=actor,
                referral_id=number,
                expected_version=forms.version(form),
                reason=forms.text(form, "reason") or "",
            )
        else:
            raise InvalidInput("There is no such step.", field="service")
    except DomainError as error:
        return _page(request, session, actor, plan, errors=_shown(error), status=409)
    done = "sent" if event == "send" else "closed"
    return RedirectResponse(f"/staff/plans/{_id(plan)}/referrals?done={done}", status_code=303)


@router.post("/plans/{plan_id}/referral-flags/{flag_id}/seen", response_class=HTMLResponse)
def flag_seen(
    plan_id: str,
    flag_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageOfficer,
    session: SessionDep,
) -> Response:
    plan = own_plan(session, actor, plan_id)
    try:
        update = session.get(referrals.ReferralUpdate, _referral_id(flag_id))
        if update is None or update.plan_id != _id(plan):
            raise InvalidInput("There is no such flag.", field="service")
        referrals.mark_flag_seen(session=session, actor=actor, update_id=_referral_id(flag_id))
    except DomainError as error:
        return _page(request, session, actor, plan, errors=_shown(error), status=404)
    return RedirectResponse(f"/staff/plans/{_id(plan)}/referrals?done=seen", status_code=303)
