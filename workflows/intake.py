"""The intake flow: imports each new extract dropped in the configured folder, once (a file's
contents, by SHA-256, are imported once whatever it is called), and leaves each run's report as
a table artifact. A file that is not an extract changes nothing and is reported as such."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from resettlement.actors import SYSTEM
from resettlement.config import get_settings
from resettlement.database import session_scope
from resettlement.intake import report
from resettlement.intake.extract import NotAnExtract, read_extract
from resettlement.intake.importer import ImportRunning, import_extract, imported_before
from resettlement.intake.models import RunState
from workflows.flows import require_database
from workflows.tasks import RETRY_DELAYS, retry_transient

SUFFIXES = (".csv", ".jsonl", ".ndjson")
# A report artifact past this many lines is cut short: the admin page has the whole report.
ARTIFACT_LINES = 5_000


class NoIntakeFolder(RuntimeError):
    """The flow was run without RESETTLEMENT_INTAKE_FOLDER or a folder of its own."""


@task(
    name="import-extract",
    task_run_name="import {path}",
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
    cache_policy=NO_CACHE,
)
def import_file(path: str) -> dict[str, Any]:
    """One file: skipped if its contents were imported before, else imported; a retry after
    a lost connection is safe because the import is idempotent."""
    logger = get_run_logger()
    file = Path(path)
    content = file.read_bytes()
    try:
        extract = read_extract(file.name, content)
    except NotAnExtract as exc:
        logger.warning("%s is not an extract, nothing imported: %s", file.name, exc.detail)
        return {"file": file.name, "outcome": "not an extract", "detail": exc.detail}
    with session_scope() as session:
        before = imported_before(session, extract.sha256)
        if before is not None:
            # Refused before (an older extract than one already imported) is not tried again.
            said = "refused before" if before.state == RunState.REFUSED else "imported before"
            return {"file": file.name, "outcome": said, "run": before.id}
        try:
            done = import_extract(session=session, actor=SYSTEM, extract=extract)
        except ImportRunning as exc:
            # Not imported, so not remembered: the next sweep tries the file again.
            logger.warning("%s waits for the next sweep: %s", file.name, exc.detail)
            return {"file": file.name, "outcome": "waiting", "detail": exc.detail}
    run = done.run
    lines = report.lines(r for r in done.results if r.outcome != "unchanged")
    create_table_artifact(
        key=f"intake-run-{run.id}",
        table=lines[:ARTIFACT_LINES] or [{"line": "", "outcome": "every row unchanged"}],
        description=(
            f"{file.name}: {run.rows} rows, {run.created} created, {run.changed} changed, "
            f"{run.unchanged} unchanged, {run.refused} refused"
            + (f" (first {ARTIFACT_LINES} lines shown)" if len(lines) > ARTIFACT_LINES else "")
            + f". The whole report: /staff/intake/{run.id}"
        ),
    )
    logger.info(
        "%s: run %s, %s created, %s changed, %s unchanged, %s refused",
        file.name, run.id, run.created, run.changed, run.unchanged, run.refused,
    )  # fmt: skip
    return {
        "file": file.name,
        "outcome": "imported",
        "run": run.id,
        "created": run.created,
        "changed": run.changed,
        "unchanged": run.unchanged,
        "refused": run.refused,
    }


@flow(name="intake-folder", log_prints=True)
def intake_folder(folder: str | None = None) -> list[dict[str, Any]]:
    """Imports each new extract file in the folder, oldest name first."""
    require_database()
    where = folder or get_settings().intake_folder
    if where is None:
        raise NoIntakeFolder(
            "Set RESETTLEMENT_INTAKE_FOLDER, in the environment of the process or worker that "
            "runs this flow, to the folder extracts arrive in."
        )
    files = sorted(p for p in Path(where).iterdir() if p.suffix.lower() in SUFFIXES)
    return [import_file(str(p)) for p in files]
