"""The admin's intake pages: upload a prison's records extract, read the report of every row
(created, changed, unchanged, refused with the column and why), download it as CSV, and see
earlier runs. Reading a report is audited: it names people by prison number."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from api.deps import MAX_ID, SessionDep
from api.staff import labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, page_role, problem
from api.staff.rendering import render
from resettlement import audit
from resettlement.actors import Actor, Role
from resettlement.intake import importer, report
from resettlement.intake.extract import MAX_BYTES, NotAnExtract, read_extract
from resettlement.intake.models import IntakeRun, Outcome

router = APIRouter(prefix="/staff", include_in_schema=False)

PageAdmin = Annotated[Actor, Depends(page_role(Role.ADMIN))]
RunId = Annotated[int, Path(ge=1, le=MAX_ID)]
PER_PAGE = 100
FILTERS = {"": "All rows", **{o.value: o.value.capitalize() for o in Outcome}}


def _runs_page(request: Request, session: SessionDep, errors: Errors, status: int) -> Response:
    runs = importer.runs(session)
    return render(
        request,
        "staff/intake.html",
        {
            "runs": [(r, labels.when(r.started_at)) for r in runs],
            "errors": errors,
            "max_mb": MAX_BYTES // (1024 * 1024),
        },
        status=status,
    )


@router.get("/intake", response_class=HTMLResponse)
def intake_page(request: Request, actor: PageAdmin, session: SessionDep) -> Response:
    return _runs_page(request, session, Errors(), 200)


@router.post("/intake", response_class=HTMLResponse)
async def upload(
    request: Request, actor: PageAdmin, session: SessionDep, form: CheckedForm
) -> Response:
    upload = form.get("extract")
    errors = Errors()
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.add("Choose an extract file (CSV or JSON Lines) to import.", "extract")
        return _runs_page(request, session, errors, 422)
    content = await upload.read(MAX_BYTES + 1)
    try:
        extract = read_extract(upload.filename, content)
    except NotAnExtract as exc:
        errors.add(f"{upload.filename} was not imported: {exc.detail}", "extract")
        return _runs_page(request, session, errors, 422)
    # The import takes seconds for a prison's population: in a thread of its own, so the
    # worker's other requests are not held up behind it (the read above is async).
    done = await run_in_threadpool(
        lambda: importer.import_extract(session=session, actor=actor, extract=extract)
    )
    return RedirectResponse(f"/staff/intake/{done.run.id}", status_code=303)


def _run(session: SessionDep, actor: Actor, run_id: int) -> IntakeRun:
    run = session.get(IntakeRun, run_id)
    if run is None:
        raise problem(404, "Page not found", f"There is no import run {run_id}.")
    audit.record_reads(
        session=session, actor=actor, action="read", object_type="intake_run", object_ids=[run_id]
    )
    return run


@router.get("/intake/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: RunId, actor: PageAdmin, session: SessionDep) -> Response:
    run = _run(session, actor, run_id)
    shown = request.query_params.get("outcome", "")
    shown = shown if shown in FILTERS else ""
    page_text = request.query_params.get("page", "1")
    page = max(1, min(int(page_text), MAX_ID)) if page_text.isdigit() else 1
    rows = importer.outcomes(session, run_id, shown or None)
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(page, pages)
    lines = report.lines(rows[(page - 1) * PER_PAGE : page * PER_PAGE])

    def href(**params: Any) -> str:
        kept = {"outcome": shown, "page": page, **params}
        return f"/staff/intake/{run_id}?" + urlencode({k: v for k, v in kept.items() if v})

    return render(
        request,
        "staff/intake_run.html",
        {
            "run": run,
            "started": labels.when(run.started_at),
            "lines": lines,
            "filters": [
                (value, words, href(outcome=value, page=1)) for value, words in FILTERS.items()
            ],
            "shown": shown,
            "page": page,
            "pages": pages,
            "previous": href(page=page - 1) if page > 1 else None,
            "next": href(page=page + 1) if page < pages else None,
            "total": len(rows),
        },
    )


@router.get("/intake/{run_id}/report.csv")
def report_csv(run_id: RunId, actor: PageAdmin, session: SessionDep) -> Response:
    run = _run(session, actor, run_id)
    return Response(
        report.as_csv(importer.outcomes(session, run_id)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="intake-run-{run.id}.csv"'},
    )
