"""The probation officer prints the person's published 48-hour plan as a PDF, in English or
Welsh: the same printed page the person gets, made on the server. Only the officer's own
plans, and every print is audited as a read of the person's record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import SessionDep
from api.pages import i18n, templating
from api.pages.leaver import pdf_response, print_context
from api.staff.identity import PageOfficer, problem
from api.staff.officer import own_plan
from resettlement import audit, forty_eight_hours, goals
from resettlement.errors import NotFound

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("/plans/{plan_id}/plan.pdf")
def print_plan(plan_id: str, request: Request, actor: PageOfficer, session: SessionDep) -> Response:
    """?lang=en or cy; otherwise the language the person reads their plan in."""
    plan = own_plan(session, actor, plan_id)
    assert plan.id is not None
    try:
        published = forty_eight_hours.latest_published(session, plan.id)
    except NotFound:
        raise problem(
            404, "Not published yet", "Publish the 48-hour plan before you print it."
        ) from None
    language = (
        i18n.supported(request.query_params.get("lang"))
        or i18n.supported(published.snapshot.get("preferred_language"))
        or i18n.DEFAULT
    )
    audit.record_reads(
        session=session, actor=actor, action="print", object_type="plan", object_ids=[plan.id]
    )
    # Without the person's link: only its hash is kept, so there is no QR code to print.
    context = print_context(
        published, language, None, goals.goals_for(session=session, actor=actor, plan_id=plan.id)
    )
    page = templating.render(request, "leaver/print.html", context, language=language)
    return pdf_response(bytes(page.body), language, f"plan-{plan.id}-{language}.pdf")
