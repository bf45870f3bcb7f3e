"""The person's consents on the officer's side: every consent, live and withdrawn, a consent
the person gives in person recorded by the officer, and a withdrawal recorded on their behalf.
Reached from the plan's overview."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, PageOfficer
from api.staff.officer import CLOSED, _id, own_plan
from api.staff.rendering import render
from resettlement import plans
from resettlement.actors import Actor
from resettlement.errors import DomainError
from resettlement.models import ReleasePlan
from resettlement.privacy import consents
from resettlement.privacy.consents import ConsentKind, GivenHow, Section, WithWhomType

router = APIRouter(prefix="/staff", include_in_schema=False)

KINDS = {
    ConsentKind.MONITORING_CHARACTERISTICS.value: "Giving monitoring information (characteristics)",
    ConsentKind.SHARING_WITH_PARTNER.value: (
        "Sharing parts of their plan with a partner organisation"
    ),
    ConsentKind.SHARING_WITH_SUPPORTER.value: "Sharing parts of their plan with a supporter",
    ConsentKind.CONTACT_BY_TEXT.value: "Being contacted by text message",
    ConsentKind.CONTACT_BY_EMAIL.value: "Being contacted by email",
}
SECTIONS = {
    Section.FIRST_NIGHT_ADDRESS.value: "Where they sleep on the first night",
    Section.APPOINTMENTS.value: "Appointments",
    Section.CONTACTS.value: "Who to call",
    Section.HEALTH.value: "Health",
    Section.CHARACTERISTICS.value: "Monitoring characteristics",
}
BANNERS = {"recorded": "Their consent is recorded.", "withdrawn": "Their consent is withdrawn."}
HOW = {
    GivenHow.IN_PERSON.value: "in person",
    GivenHow.ON_THE_PAGE.value: "on their own page",
    GivenHow.BEFORE_THE_RECORD.value: "before this record was kept (date not known)",
}


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
    assert view.person.id is not None
    found = consents.list_consents(session=session, actor=actor, person_id=view.person.id)
    done = request.query_params.get("done")
    return render(
        request,
        "staff/consents.html",
        {
            "plan": view.plan,
            "person": view.person,
            "live": [c for c in found if c.live],
            "ended": [c for c in found if not c.live],
            "kinds": KINDS,
            "sections": SECTIONS,
            "how": HOW,
            "editable": view.plan.state not in CLOSED,
            "errors": errors or Errors(),
            "values": values or {},
            "banner": {
                "recorded": "Their consent is recorded.",
                "withdrawn": "Their consent is withdrawn.",
            }.get(done or "")
            if errors is None
            else None,
            "labels": labels,
        },
        status=status,
    )


@router.get("/plans/{plan_id}/consents", response_class=HTMLResponse)
def consents_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    return _page(request, session, actor, plan)


def _until(form: Any, errors: Errors) -> date | None:
    if not any(forms.text(form, f"until-{part}") for part in ("day", "month", "year")):
        return None
    found, problem = forms.day_or_problem(form, "until")
    if found is None:
        errors.add(problem or "Enter the last day the consent holds, like 31 3 2027.", "until")
    return found


@router.post("/plans/{plan_id}/consents", response_class=HTMLResponse)
def record_consent(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    kind_text = forms.text(form, "kind") or ""
    with_whom_name = forms.text(form, "with_whom_name") or ""
    with_whom_id = forms.text(form, "with_whom_id") or ""
    scope = forms.values(form, "scope")
    values = {
        "kind": kind_text,
        "with_whom_name": with_whom_name,
        "with_whom_id": with_whom_id,
        "scope": scope,
        "until-day": forms.text(form, "until-day") or "",
        "until-month": forms.text(form, "until-month") or "",
        "until-year": forms.text(form, "until-year") or "",
    }
    errors = Errors()
    if kind_text not in KINDS:
        errors.add("Choose what the person agrees to.", "kind")
    until = _until(form, errors)
    if errors:
        return _page(request, session, actor, plan, errors=errors, values=values, status=422)
    kind = ConsentKind(kind_text)
    with_whom = None
    if kind in consents.SHARING:
        with_whom = consents.WithWhom(
            WithWhomType.ORGANISATION
            if kind == ConsentKind.SHARING_WITH_PARTNER
            else WithWhomType.SUPPORTER,
            with_whom_id or with_whom_name,
            with_whom_name,
        )
    try:
        view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
        assert view.person.id is not None
        consents.give_consent(
            session=session,
            actor=actor,
            person_id=view.person.id,
            kind=kind,
            how=GivenHow.IN_PERSON,
            with_whom=with_whom,
            scope=scope if kind in consents.SHARING else (),
            until=until,
        )
    except DomainError as error:
        shown = forms.from_domain(error, default_field="kind").on_page()
        return _page(request, session, actor, plan, errors=shown, values=values, status=422)
    return RedirectResponse(f"/staff/plans/{_id(plan)}/consents?done=recorded", status_code=303)


@router.post("/plans/{plan_id}/consents/{consent_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    plan_id: str,
    consent_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageOfficer,
    session: SessionDep,
) -> Response:
    plan = own_plan(session, actor, plan_id)
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    mine = {c.id for c in consents.consent_history(session, view.person.id or 0)}
    if not consent_id.isdigit() or int(consent_id) not in mine:
        errors = Errors()
        errors.add("There is no such consent for this person.", "kind")
        return _page(request, session, actor, plan, errors=errors, status=404)
    try:
        consents.withdraw_consent(
            session=session,
            actor=actor,
            consent_id=int(consent_id),
            expected_version=forms.version(form),
            reason="the person told their probation officer",
        )
    except DomainError as error:
        errors = forms.from_domain(error, default_field="kind")
        return _page(request, session, actor, plan, errors=errors, status=409)
    return RedirectResponse(f"/staff/plans/{_id(plan)}/consents?done=withdrawn", status_code=303)
