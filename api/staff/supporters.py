"""The people the person names to see parts of their plan (supporters), from the officer's
side: name one with the person's consent, see each with what their link does now, and stop
one after a check. The link's secret is never stored: the page that names a supporter is the
only place it is ever shown, for the officer to hand over."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, PageOfficer, not_found
from api.staff.officer import CLOSED, _confirm, _confirmed, _id, own_plan
from api.staff.rendering import render
from resettlement import clock, plans
from resettlement.actors import Actor
from resettlement.config import get_settings
from resettlement.errors import DomainError
from resettlement.leaver_access import shown_to_the_person
from resettlement.models import ReleasePlan
from resettlement.partners import supporters
from resettlement.partners.supporters import SupporterLink, SupporterState
from resettlement.privacy.consents import Section

router = APIRouter(prefix="/staff", include_in_schema=False)

SECTIONS = {
    Section.FIRST_NIGHT_ADDRESS.value: "Where they sleep on the first night",
    Section.APPOINTMENTS.value: "Appointments",
    Section.CONTACTS.value: "Who to call",
}
# MoJ badges for what each link does now.
STATES = {
    SupporterState.ACTIVE.value: ("Active", "moj-badge--green"),
    SupporterState.LOCKED.value: ("Locked: too many wrong answers", "moj-badge--purple"),
    SupporterState.EXPIRED.value: ("Expired", "moj-badge--grey"),
    SupporterState.REVOKED.value: ("Stopped", "moj-badge--red"),
}
FIELDS = {
    "name": "name",
    "relationship": "relationship",
    "contact": "contact",
    "check_question": "check-question",
    "answer": "answer",
    "sections": "sections",
    "weeks_after_release": "weeks",
}


def _path(plan: ReleasePlan) -> str:
    return f"/staff/plans/{_id(plan)}/supporters"


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
    now = clock.now()
    found = supporters.list_for_plan(session=session, actor=actor, plan_id=_id(plan))
    rows = [
        {
            "link": link,
            "sections": sections,
            "state": supporters.state_of(link, sections, now),
            "last_day": supporters.last_day(link),
        }
        for link, sections in found
    ]
    done = request.query_params.get("done")
    return render(
        request,
        "staff/supporters.html",
        {
            "plan": view.plan,
            "person": view.person,
            "rows": rows,
            "sections": SECTIONS,
            "states": STATES,
            "editable": view.plan.state not in CLOSED and shown_to_the_person(view.plan.state),
            "weeks": supporters.DEFAULT_WEEKS_AFTER_RELEASE,
            "max_weeks": supporters.MAX_WEEKS_AFTER_RELEASE,
            "errors": errors or Errors(),
            "values": values or {},
            "banner": "Their link is stopped. It no longer opens the plan."
            if done == "revoked" and errors is None
            else None,
            "labels": labels,
        },
        status=status,
    )


@router.get("/plans/{plan_id}/supporters", response_class=HTMLResponse)
def supporters_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    return _page(request, session, actor, own_plan(session, actor, plan_id))


def _shown(error: DomainError) -> Errors:
    return forms.from_domain(error, default_field="name").on_page(FIELDS)


@router.post("/plans/{plan_id}/supporters", response_class=HTMLResponse)
def name_supporter(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    values = forms.kept(form)
    values.pop("answer", None)  # the answer is a secret: typed again, never sent back
    values["sections"] = forms.values(form, "sections")
    errors = Errors()
    if not forms.text(form, "contact"):
        errors.add("Enter how to reach them, such as a phone number.", "contact")
    if forms.text(form, "consent") != "yes":
        errors.add("Confirm that the person agrees to share these parts of their plan.", "consent")
    weeks_text = forms.text(form, "weeks_after_release") or str(
        supporters.DEFAULT_WEEKS_AFTER_RELEASE
    )
    if not weeks_text.isdigit() or len(weeks_text) > 2:
        errors.add(
            f"Enter a number of weeks from 1 to {supporters.MAX_WEEKS_AFTER_RELEASE}.", "weeks"
        )
        weeks_text = "0"
    if errors:
        return _page(request, session, actor, plan, errors=errors, values=values, status=422)
    try:
        link, path = supporters.name_supporter(
            session=session,
            actor=actor,
            plan_id=_id(plan),
            request=supporters.SupporterRequest(
                name=forms.text(form, "name") or "",
                relationship=forms.text(form, "relationship") or "",
                contact=forms.text(form, "contact") or "",
                check_question=forms.text(form, "check_question") or "",
                answer=forms.text(form, "answer") or "",
                sections=tuple(forms.values(form, "sections")),
                weeks_after_release=int(weeks_text),
            ),
        )
    except DomainError as error:
        return _page(request, session, actor, plan, errors=_shown(error), values=values, status=422)
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    base = get_settings().public_base_url or str(request.base_url)
    response = render(
        request,
        "staff/supporter_named.html",
        {
            "plan": view.plan,
            "person": view.person,
            "link": link,
            "last_day": supporters.last_day(link),
            "url": base.rstrip("/") + path,
            "sections": SECTIONS,
            "chosen_names": [SECTIONS.get(s, s) for s in supporters.live_sections(session, link)],
            "errors": Errors(),
            "labels": labels,
        },
    )
    # The page holds a live secret: never kept by a browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _plans_supporter(session: Session, plan: ReleasePlan, supporter_id: str) -> SupporterLink:
    """A supporter of this plan; any other id is the same 404 as one that does not exist."""
    if not supporter_id.isdigit() or len(supporter_id) > 9:
        raise not_found()
    link = session.get(SupporterLink, int(supporter_id))
    if link is None or link.plan_id != _id(plan):
        raise not_found()
    return link


@router.post("/plans/{plan_id}/supporters/{supporter_id}/revoke", response_class=HTMLResponse)
def revoke_supporter(
    plan_id: str,
    supporter_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageOfficer,
    session: SessionDep,
) -> Response:
    plan = own_plan(session, actor, plan_id)
    link = _plans_supporter(session, plan, supporter_id)
    if not _confirmed(form):
        return _confirm(
            request,
            session,
            actor,
            plan,
            {
                "heading": f"Stop {link.name}'s link",
                "rows": [
                    {"key": {"text": "Supporter"}, "value": {"text": link.name}},
                    {"key": {"text": "Who they are"}, "value": {"text": link.relationship}},
                ],
                "lines": [
                    f"{link.name} will no longer be able to see any part of the plan. "
                    "Their link stops at once, and the person's consent to share with them "
                    "is withdrawn."
                ],
                "warning": "You cannot start this link again. To share with them again, "
                "name them again with the person's consent: they get a new link.",
                "action": f"{_path(plan)}/{link.id}/revoke",
                "button": "Stop their link",
                "button_classes": "govuk-button--warning",
                "back_href": _path(plan),
            },
        )
    try:
        supporters.revoke_supporter(session=session, actor=actor, link_id=link.id or 0)
    except DomainError as error:
        return _page(request, session, actor, plan, errors=_shown(error), status=409)
    return RedirectResponse(f"{_path(plan)}?done=revoked", status_code=303)
