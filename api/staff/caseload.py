"""The probation officer's caseload: find a plan by name or prison number, filter by stage,
flag and prison, sort by any column, page through it, closed plans included when asked for.

Everything the officer chose travels in the query string, so a filtered, sorted page is a link
they can bookmark, and the back button returns to it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import MAX_ID, SessionDep
from api.staff import forms, labels
from api.staff.identity import PRISON_NAMES, PageOfficer
from api.staff.rendering import render
from resettlement import audit
from resettlement.caseload import (
    CLOSED_STATES,
    FLAGS,
    SORTS,
    CaseloadPage,
    CaseloadQuery,
    caseload_page,
)
from resettlement.models import PlanState

router = APIRouter(prefix="/staff", include_in_schema=False)

SEARCH_MAX = 100
COLUMNS = (
    ("person", "Person"),
    ("walk_out", "Walk-out date"),
    ("stage", "Stage"),
    ("checklist", "Checklist"),
    ("flags", "Flags"),
)


def read_query(params: forms.Submitted) -> CaseloadQuery:
    """The officer's choices from the query string; anything not on offer is left out, never
    an error: a stale bookmark still shows a caseload."""
    states = {s.value for s in PlanState}
    page_text = forms.text(params, "page") or "1"
    page = int(page_text) if page_text.isdigit() else 1
    sort = forms.text(params, "sort") or "walk_out"
    return CaseloadQuery(
        search=(forms.text(params, "q") or "")[:SEARCH_MAX] or None,
        states=tuple(s for s in forms.values(params, "stage") if s in states),
        flags=tuple(f for f in forms.values(params, "flag") if f in FLAGS),
        prisons=tuple(p for p in forms.values(params, "prison") if p in PRISON_NAMES),
        sort=sort if sort in SORTS else "walk_out",
        descending=forms.text(params, "order") == "descending",
        page=min(max(page, 1), MAX_ID // 100),
    )


def query_string(query: CaseloadQuery, **changes: Any) -> str:
    values: dict[str, Any] = {
        "q": query.search,
        "stage": list(query.states),
        "flag": list(query.flags),
        "prison": list(query.prisons),
        "sort": query.sort,
        "order": "descending" if query.descending else "ascending",
        "page": query.page,
        **changes,
    }
    kept = {k: v for k, v in values.items() if v not in (None, "", [])}
    if kept.get("page") == 1:
        del kept["page"]
    return "?" + urlencode(kept, doseq=True) if kept else ""


def _without(query: CaseloadQuery, name: str, value: str) -> str:
    current = {"stage": query.states, "flag": query.flags, "prison": query.prisons}[name]
    return "/staff/caseload" + query_string(
        query, **{name: [v for v in current if v != value], "page": 1}
    )


def _headers(query: CaseloadQuery) -> list[dict[str, str]]:
    headers = []
    for key, text in COLUMNS:
        current = query.sort == key
        ascending_now = current and not query.descending
        headers.append(
            {
                "key": key,
                "text": text,
                "sort": ("descending" if query.descending else "ascending") if current else "none",
                "href": "/staff/caseload"
                + query_string(
                    query,
                    sort=key,
                    order="descending" if ascending_now else "ascending",
                    page=1,
                ),
            }
        )
    return headers


def _pagination(found: CaseloadPage) -> dict[str, Any]:
    query = found.query
    window = sorted(
        {1, found.pages, *range(max(1, query.page - 2), min(found.pages, query.page + 2) + 1)}
    )
    items: list[dict[str, Any]] = []
    previous = 0
    for number in window:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append(
            {
                "number": number,
                "href": "/staff/caseload" + query_string(query, page=number),
                "current": number == query.page,
            }
        )
        previous = number
    return {
        "items": items,
        "previous": {"href": "/staff/caseload" + query_string(query, page=query.page - 1)}
        if query.page > 1
        else None,
        "next": {"href": "/staff/caseload" + query_string(query, page=query.page + 1)}
        if query.page < found.pages
        else None,
        "results": {"from": found.first, "to": found.last, "count": found.total},
    }


def _selected(query: CaseloadQuery) -> list[dict[str, Any]]:
    categories = []
    if query.search:
        cleared = "/staff/caseload" + query_string(query, q=None, page=1)
        categories.append(
            {
                "heading": {"text": "Name or prison number"},
                "items": [{"href": cleared, "text": query.search}],
            }
        )
    for name, heading, chosen, words in (
        ("stage", "Stage", query.states, lambda v: labels.PLAN_STATES.get(v, v)),
        ("flag", "Flag", query.flags, lambda v: labels.FLAGS.get(v, (v, ""))[0]),
        ("prison", "Prison", query.prisons, lambda v: PRISON_NAMES.get(v, v)),
    ):
        if chosen:
            categories.append(
                {
                    "heading": {"text": heading},
                    "items": [{"href": _without(query, name, v), "text": words(v)} for v in chosen],
                }
            )
    return categories


@router.get("/caseload", response_class=HTMLResponse)
def caseload(request: Request, actor: PageOfficer, session: SessionDep) -> Response:
    query = read_query(request.query_params)
    found = caseload_page(session, officer_id=actor.user_id, query=query)
    # A list read is audited like the API's, one row per plan shown.
    audit.record_reads(
        session=session,
        actor=actor,
        action="list",
        object_type="plan",
        object_ids=[r.plan_id for r in found.rows],
    )
    closed = tuple(s.value for s in CLOSED_STATES)
    context = {
        "found": found,
        "query": query,
        "headers": _headers(query),
        "pagination": _pagination(found),
        "selected": _selected(query),
        "showing_closed": bool(query.states) and set(query.states) <= set(closed),
        "closed_href": "/staff/caseload" + query_string(CaseloadQuery(states=closed)),
        "stage_items": [
            {"value": s.value, "text": labels.PLAN_STATES[s], "checked": s.value in query.states}
            for s in PlanState
        ],
        "flag_items": [
            {"value": f, "text": labels.FLAGS[f][0], "checked": f in query.flags} for f in FLAGS
        ],
        "prison_items": [
            {"value": code, "text": name, "checked": code in query.prisons}
            for code, name in PRISON_NAMES.items()
        ],
        "hidden_sort": {
            "sort": query.sort,
            "order": "descending" if query.descending else "ascending",
        },
    }
    return render(request, "staff/caseload.html", context)
