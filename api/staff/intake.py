"""The admin's intake pages: upload a prison's records extract, read the report of every row
(created, changed, unchanged, refused with the column and why), download it as CSV, and see
earlier runs. Reading a report is audited: it names people by prison number."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from api.deps import MAX_ID, SessionDep
from api.staff import labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, page_role, problem
from api.staff.rendering import render
from resettlement import audit
from resettlement.actors import Actor, Role
from resettlement.errors import DomainError
from resettlement.intake import importer, report
from resettlement.intake.extract import MAX_BYTES, Extract, NotAnExtract, read_extract
from resettlement.intake.models import IntakeRun, Outcome, RunState

router = APIRouter(prefix="/staff", include_in_schema=False)
logger = logging.getLogger(__name__)

PageAdmin = Annotated[Actor, Depends(page_role(Role.ADMIN))]
RunId = Annotated[int, Path(ge=1, le=MAX_ID)]
PER_PAGE = 100
FILTERS = {"": "All rows", **{o.value: o.value.capitalize() for o in Outcome}}
# Each run state's words and tag colour, on the list of runs and a run's page.
STATES = {
    RunState.RUNNING.value: ("Running", "govuk-tag--blue"),
    RunState.FINISHED.value: ("Finished", "govuk-tag--green"),
    RunState.REFUSED.value: ("Refused whole", "govuk-tag--red"),
    RunState.STOPPED.value: ("Stopped", "govuk-tag--orange"),
}


def _runs_page(request: Request, session: SessionDep, errors: Errors, status: int) -> Response:
    runs = importer.runs(session)
    return render(
        request,
        "staff/intake.html",
        {
            "runs": [(r, labels.when(r.started_at), STATES[r.state]) for r in runs],
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
    request: Request,
    actor: PageAdmin,
    session: SessionDep,
    form: CheckedForm,
    background: BackgroundTasks,
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
    try:
        run = await run_in_threadpool(
            lambda: importer.start_run(session=session, actor=actor, extract=extract)
        )
    except importer.ImportRunning as exc:
        errors.add(f"{upload.filename} was not imported. {exc.detail}", "extract")
        return _runs_page(request, session, errors, 409)
    # A national extract takes a minute or more: the admin is sent to the run's page at once
    # (it shows the rows done so far) while the rows are imported after the response, in a
    # session of their own on the same database.
    background.add_task(_import, session.get_bind(), run.id or 0, extract)
    return RedirectResponse(f"/staff/intake/{run.id}", status_code=303)


def _import(bind: Any, run_id: int, extract: Extract) -> None:
    with Session(bind, expire_on_commit=False) as session:
        run = session.get(IntakeRun, run_id)
        if run is None:  # removed by retention between the upload and now
            return
        try:
            importer.continue_run(session=session, run=run, extract=extract)
        except DomainError as exc:  # the run is marked stopped; its page says so
            logger.warning("Import run %s stopped: %s", run_id, exc.detail)


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
    asked = min(int(page_text), MAX_ID) if page_text.isdigit() else 1
    found = importer.report_page(session, run_id, shown or None, asked, PER_PAGE)

    def href(**params: Any) -> str:
        kept = {"outcome": shown, "page": found.page, **params}
        return f"/staff/intake/{run_id}?" + urlencode({k: v for k, v in kept.items() if v})

    return render(
        request,
        "staff/intake_run.html",
        {
            "run": run,
            "state": STATES[run.state],
            "started": labels.when(run.started_at),
            "last_batch": labels.when(run.heartbeat_at) if run.heartbeat_at else None,
            "lines": report.lines(found.rows),
            "filters": [
                (value, words, href(outcome=value, page=1)) for value, words in FILTERS.items()
            ],
            "shown": shown,
            "page": found.page,
            "pages": found.pages,
            "previous": href(page=found.page - 1) if found.page > 1 else None,
            "next": href(page=found.page + 1) if found.page < found.pages else None,
            "total": found.total,
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
