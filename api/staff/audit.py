"""The admin's audit page: who read or changed which record, filtered by actor, person or plan,
action and dates, newest first, a page at a time. Looking at the trail is itself audited."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import MAX_ID, SessionDep
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import page_role
from api.staff.rendering import render
from resettlement import audit, staff
from resettlement.actors import Actor, Role

router = APIRouter(prefix="/staff", include_in_schema=False)

PageAdmin = Annotated[Actor, Depends(page_role(Role.ADMIN))]
PER_PAGE = 25
TEXT_MAX = 100
RECORDS = {
    "plan": "Plan",
    "early_release_request": "Early-release request",
    "person": "Person",
    "audit_trail": "Audit trail",
}


def _date(params: forms.Submitted, prefix: str, errors: Errors, what: str) -> date | None:
    parts = [forms.text(params, f"{prefix}-{p}") for p in ("day", "month", "year")]
    if not any(parts):
        return None
    found = forms.day(params, prefix)
    if found is None:
        errors.add(f"Enter the {what} as a real date, for example 27 11 2026.", f"{prefix}-day")
    return found


def _text(params: forms.Submitted, name: str) -> str | None:
    return (forms.text(params, name) or "")[:TEXT_MAX] or None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, actor: PageAdmin, session: SessionDep) -> Response:
    params = request.query_params
    errors = Errors()
    on_or_after = _date(params, "from", errors, "first day")
    on_or_before = _date(params, "to", errors, "last day")
    if on_or_after and on_or_before and on_or_after > on_or_before:
        errors.add("The first day must be on or before the last day.", "from-day")
    page_text = params.get("page", "1")
    page = max(1, min(int(page_text), MAX_ID // PER_PAGE)) if page_text.isdigit() else 1
    query = audit.AuditQuery(
        actor=_text(params, "actor"),
        person=_text(params, "person"),
        action=_text(params, "action"),
        on_or_after=on_or_after,
        on_or_before=on_or_before,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    events, total = ([], 0) if errors else audit.search(session, query)
    shown = f"{events[-1].id}-{events[0].id}" if events else "none"
    audit.record_reads(
        session=session, actor=actor, action="read", object_type="audit_trail", object_ids=[shown]
    )
    kept = {k: v for k, v in params.multi_items() if k != "page" and v.strip()}
    pages = max(1, -(-total // PER_PAGE))
    first = (page - 1) * PER_PAGE + 1

    def href(number: int) -> str:
        return "/staff/audit?" + urlencode({**kept, "page": number})

    pagination: dict[str, Any] = {
        "items": [
            {"number": n, "href": href(n), "current": n == page}
            for n in sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
        ],
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if page < pages else None,
        "results": {
            "from": first if events else 0,
            "to": first + len(events) - 1 if events else 0,
            "count": total,
            "text": "events",
        },
        "landmarkLabel": "Pages of the audit trail",
    }
    # Gaps in the page numbers are shown as an ellipsis, as the MoJ pattern does.
    spaced: list[dict[str, Any]] = []
    for item in pagination["items"]:
        if spaced and item["number"] - spaced[-1]["number"] > 1:
            spaced.append({"ellipsis": True, "number": item["number"] - 1})
        spaced.append(item)
    pagination["items"] = spaced
    return render(
        request,
        "staff/audit.html",
        {
            "events": [
                (e, labels.when(e.at), RECORDS.get(e.object_type, e.object_type)) for e in events
            ],
            "values": {**kept},
            "errors": errors,
            "pagination": pagination,
            "filtered": bool(kept),
            "staff_names": staff.names(session, [e.actor for e in events]),
        },
        status=422 if errors else 200,
    )
