"""The person's own mobile number (recorded with their consent) and sending them their
sign-in link by text message, from the plan's 48-hour plan tab."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, PageOfficer
from api.staff.officer import _confirm, _confirmed, _id, own_plan
from api.staff.rendering import render
from resettlement import leaver_access, notifications, person_mobile, plans, sign_in_texts
from resettlement.actors import Actor
from resettlement.config import get_settings
from resettlement.errors import DomainError
from resettlement.models import ReleasePlan

router = APIRouter(prefix="/staff", include_in_schema=False)


def _back_to_tab(plan_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/staff/plans/{plan_id}/48-hour-plan?done={done}", status_code=303)


def _mobile_page(
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
    return render(
        request,
        "staff/mobile_number.html",
        {
            "plan": view.plan,
            "person": view.person,
            "mobile": person_mobile.mobile_of(view.person),
            "errors": errors or Errors(),
            "values": values or {},
            "labels": labels,
        },
        status=status,
    )


@router.get("/plans/{plan_id}/mobile-number", response_class=HTMLResponse)
def mobile_form(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    return _mobile_page(request, session, actor, plan)


@router.post("/plans/{plan_id}/mobile-number", response_class=HTMLResponse)
def record_mobile(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    number = forms.text(form, "mobile_number") or ""
    consent = forms.text(form, "mobile_consent") == "yes"
    values = {"mobile_number": number, "mobile_consent": consent}
    try:
        person_mobile.record_mobile(
            session=session,
            actor=actor,
            plan_id=_id(plan),
            expected_version=forms.version(form),
            number=number,
            consent=consent,
        )
    except DomainError as error:
        errors = forms.from_domain(error, default_field="mobile-number").on_page()
        return _mobile_page(request, session, actor, plan, errors=errors, values=values, status=422)
    return _back_to_tab(_id(plan), "mobile-recorded")


@router.post("/plans/{plan_id}/mobile-number/remove", response_class=HTMLResponse)
def withdraw_consent(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    if not _confirmed(form):
        return _confirm(
            request,
            session,
            actor,
            plan,
            {
                "heading": "Remove the person's mobile number",
                "lines": [
                    "They no longer agree to be texted. Their number is removed from their "
                    "record; a link already sent keeps working until you stop it."
                ],
                "action": f"/staff/plans/{_id(plan)}/mobile-number/remove",
                "button": "Yes, remove the number",
                "button_classes": "govuk-button--warning",
                "back_href": f"/staff/plans/{_id(plan)}/mobile-number",
                "version": forms.version(form),
            },
        )
    try:
        person_mobile.withdraw_consent(
            session=session, actor=actor, plan_id=_id(plan), expected_version=forms.version(form)
        )
    except DomainError as error:
        errors = forms.from_domain(error, default_field="mobile-number")
        return _mobile_page(request, session, actor, plan, errors=errors, status=409)
    return _back_to_tab(_id(plan), "mobile-removed")


def _text_page(
    request: Request,
    session: Session,
    actor: Actor,
    plan: ReleasePlan,
    *,
    errors: Errors | None = None,
    status: int = 200,
) -> Response:
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    return render(
        request,
        "staff/text_link.html",
        {
            "plan": view.plan,
            "person": view.person,
            "mobile": person_mobile.mobile_of(view.person),
            "texts_available": notifications.texts_available(get_settings()),
            "access": leaver_access.link_status(session, _id(plan)),
            "errors": errors or Errors(),
            "labels": labels,
        },
        status=status,
    )


@router.get("/plans/{plan_id}/sign-in-link/text", response_class=HTMLResponse)
def text_form(plan_id: str, request: Request, actor: PageOfficer, session: SessionDep) -> Response:
    plan = own_plan(session, actor, plan_id)
    return _text_page(request, session, actor, plan)


@router.post("/plans/{plan_id}/sign-in-link/text", response_class=HTMLResponse)
def send_text(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    try:
        sign_in_texts.text_sign_in_link(session=session, actor=actor, plan_id=_id(plan))
    except DomainError as error:
        errors = forms.from_domain(error, default_field="send-text")
        status = 503 if isinstance(error, sign_in_texts.TextNotSent) else 409
        return _text_page(request, session, actor, plan, errors=errors, status=status)
    return _back_to_tab(_id(plan), "link-texted")
