"""A partner's pages (staff of a voluntary organisation): the people referred to their
organisation whose consent is live, each with only the consented sections of their plan;
accept or decline, start and complete, offer an appointment, record progress and notes, and flag
an issue or risk to the probation officer. Every read and change is audited by the services; a
referral the partner may not see is the same 404 as one that does not exist."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, not_found, page_role
from api.staff.referrals import SECTIONS, STATES, need_label
from api.staff.rendering import render
from resettlement.actors import Actor, Role
from resettlement.errors import DomainError, InvalidInput, NotFound
from resettlement.partners import partner_access, referrals
from resettlement.partners.referrals import FlagKind, OfferedAppointment, UpdateKind

router = APIRouter(prefix="/staff/partner", include_in_schema=False)

PagePartner = Annotated[Actor, Depends(page_role(Role.PARTNER))]
BANNERS = {
    "accept": "You have accepted the referral. The probation officer can see it.",
    "decline": "You have declined the referral.",
    "start": "The referral is in progress.",
    "complete": "The referral is completed.",
    "appointment": "The appointment is in the person's plan.",
    "progress": "Your update is recorded.",
    "note": "Your note is recorded.",
    "flag": "The probation officer has been told.",
}


@router.get("", response_class=HTMLResponse)
def referrals_list(request: Request, actor: PagePartner, session: SessionDep) -> Response:
    rows = partner_access.list_referrals(session=session, actor=actor)
    return render(
        request,
        "staff/partner_referrals.html",
        {"rows": rows, "states": STATES, "need_label": need_label},
    )


def _number(referral_id: str) -> int:
    if not referral_id.isdigit() or len(referral_id) > 9:
        raise not_found()
    return int(referral_id)


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    referral_id: int,
    *,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    try:
        view = partner_access.open_referral(session=session, actor=actor, referral_id=referral_id)
    except NotFound:
        raise not_found() from None
    done = request.query_params.get("done")
    return render(
        request,
        "staff/partner_referral.html",
        {
            "view": view,
            "referral": view.referral,
            "person": view.person,
            "states": STATES,
            "sections": SECTIONS,
            "need_label": need_label,
            "errors": errors or Errors(),
            "values": values or {},
            "banner": BANNERS.get(done or "") if errors is None else None,
            "labels": labels,
        },
        status=status,
    )


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
def referral_page(
    referral_id: str, request: Request, actor: PagePartner, session: SessionDep
) -> Response:
    return _page(request, session, actor, _number(referral_id))


def _appointment(form: Any, errors: Errors, *, required: bool) -> OfferedAppointment | None:
    given = any(
        forms.text(form, name)
        for name in ("appointment-day", "appointment-month", "appointment-year", "time", "place")
    )
    if not given and not required:
        return None
    day, wrong = forms.day_or_problem(form, "appointment")
    if day is None:
        errors.add(wrong or "Enter the day of the appointment.", "appointment")
        return None
    starts_at = forms.london_time(day, forms.text(form, "time"))
    if starts_at is None:
        errors.add("Enter the time, like 10:30.", "time")
        return None
    return OfferedAppointment(starts_at, forms.text(form, "place") or "")


@router.post("/referrals/{referral_id}/{action}", response_class=HTMLResponse)
def act(
    referral_id: str,
    action: str,
    request: Request,
    form: CheckedForm,
    actor: PagePartner,
    session: SessionDep,
) -> Response:
    number = _number(referral_id)
    values = forms.kept(form)
    errors = Errors()
    try:
        if action == "accept":
            offered = _appointment(form, errors, required=False)
            if errors:
                return _page(
                    request, session, actor, number, errors=errors, values=values, status=422
                )
            referrals.accept_referral(
                session=session,
                actor=actor,
                referral_id=number,
                expected_version=forms.version(form),
                appointment=offered,
            )
        elif action == "appointment":
            offered = _appointment(form, errors, required=True)
            if errors or offered is None:
                return _page(
                    request, session, actor, number, errors=errors, values=values, status=422
                )
            referrals.offer_appointment(
                session=session,
                actor=actor,
                referral_id=number,
                expected_version=forms.version(form),
                appointment=offered,
            )
        elif action in ("decline", "start", "complete"):
            referrals.partner_step(
                session=session,
                actor=actor,
                referral_id=number,
                expected_version=forms.version(form),
                event=action,
                reason=forms.text(form, "reason"),
            )
        elif action in ("progress", "note", "flag"):
            flag_kind = forms.text(form, "flag_kind")
            if action == "flag" and flag_kind not in ("issue", "risk"):
                errors.add("Say whether it is an issue or a risk.", "flag-kind")
                return _page(
                    request, session, actor, number, errors=errors, values=values, status=422
                )
            referrals.add_update(
                session=session,
                actor=actor,
                referral_id=number,
                kind=UpdateKind(action),
                text=forms.text(form, "text") or "",
                flag_kind=FlagKind(flag_kind) if action == "flag" and flag_kind else None,
            )
        else:
            raise not_found()
    except NotFound:
        raise not_found() from None
    except DomainError as error:
        shown = forms.from_domain(error, default_field="text")
        status = 422 if isinstance(error, InvalidInput) else 409
        return _page(request, session, actor, number, errors=shown, values=values, status=status)
    return RedirectResponse(f"/staff/partner/referrals/{number}?done={action}", status_code=303)
