"""The person's own way in, from the officer's side: issue a sign-in link (shown once, on a
page made to print, with its QR code), and stop it. The link's secret is never stored, so the
page that issues it is the only place it is ever shown."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.pages.qr import qr_data_uri
from api.staff import forms
from api.staff.identity import CheckedForm, PageOfficer
from api.staff.officer import _confirm, _confirmed, _id, _see_plan, own_plan, show_plan
from api.staff.rendering import render
from resettlement import forty_eight_hours, leaver_access, plans, sign_in_texts
from resettlement.config import get_settings
from resettlement.errors import DomainError

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.post("/plans/{plan_id}/sign-in-link", response_class=HTMLResponse)
def issue_link(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    try:
        link, path = leaver_access.issue_link(
            session=session, actor=actor, plan_id=_id(plan), handed_over=sign_in_texts.PRINTED
        )
    except DomainError as error:
        errors = forms.from_domain(error, default_field="access")
        return show_plan(
            request, session, actor, _id(plan), errors=errors, status=409, tab="forty_eight_hours"
        )
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    base = get_settings().public_base_url or str(request.base_url)
    url = base.rstrip("/") + path
    published = forty_eight_hours.latest_published(session, _id(plan))
    first = (published.snapshot.get("appointments") or [None])[0]
    response = render(
        request,
        "staff/sign_in_link.html",
        {
            "plan": view.plan,
            "person": view.person,
            "link": link,
            "url": url,
            "qr": qr_data_uri(url),
            "snapshot": published.snapshot,
            "first_appointment": first,
            "errors": forms.Errors(),
        },
    )
    # The page holds a live secret: never kept by a browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/plans/{plan_id}/sign-in-link/stop", response_class=HTMLResponse)
def stop_link(
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
                "heading": "Stop the person's sign-in link",
                "lines": [
                    "Their link stops opening the plan at once, for example after a lost "
                    "phone. You can issue a new link afterwards."
                ],
                "action": f"/staff/plans/{_id(plan)}/sign-in-link/stop",
                "button": "Yes, stop the link",
                "button_classes": "govuk-button--warning",
                "back_href": f"/staff/plans/{_id(plan)}/48-hour-plan",
            },
        )
    leaver_access.revoke_links(session=session, actor=actor, plan_id=_id(plan))
    return _see_plan(_id(plan), "link-stopped")
