"""`resettlement intake import FILE`: a prison's records extract imported with a progress bar,
the report shown as a table and written as CSV."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from resettlement.actors import Actor, Role
from resettlement.database import session_scope
from resettlement.intake import report
from resettlement.intake.extract import NotAnExtract, read_extract
from resettlement.intake.importer import ImportRunning, import_extract
from resettlement.intake.models import Outcome

intake_app = typer.Typer(help="Intake from the prison's records.", no_args_is_help=True)

STYLES = {"created": "green", "changed": "cyan", "unchanged": "dim", "refused": "red"}


@intake_app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    report_csv: Path | None = typer.Option(
        None, "--report", help="Where to write the report as CSV (default: FILE.report.csv)."
    ),
    show: str = typer.Option(
        "changes", help="Rows to show in the table: 'changes' (all but unchanged) or 'all'."
    ),
    by: str = typer.Option(getpass.getuser(), help="Who runs the import, for the audit trail."),
    batch_size: int = typer.Option(500, min=1, max=10_000),
) -> None:
    """Import a CSV or JSON Lines extract (docs/intake.md): each row creates a plan, changes
    one, leaves it alone or is refused; a file that is not an extract changes nothing."""
    console = Console()
    try:
        extract = read_extract(file.name, file.read_bytes())
    except NotAnExtract as exc:
        console.print(f"[red]Nothing imported:[/red] {exc.detail}")
        raise typer.Exit(2) from None
    actor = Actor(user_id=by, role=Role.ADMIN)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with session_scope() as session, Progress(*columns, console=console) as bar:
            task = bar.add_task(f"Importing {file.name}", total=len(extract.rows))
            done = import_extract(
                session=session,
                actor=actor,
                extract=extract,
                batch_size=batch_size,
                progress=lambda n: bar.advance(task, n),
            )
    except ImportRunning as exc:
        console.print(f"[red]Nothing imported:[/red] {exc.detail}")
        # EX_TEMPFAIL: a script running the import can tell "try later" from a bad file.
        raise typer.Exit(75) from None
    table = Table(title=f"{file.name}: import run {done.run.id}")
    for name in ("line", "prison number", "outcome", "plan", "field", "what changed, or why not"):
        table.add_column(name)
    for line in report.lines(done.results):
        if show != "all" and line["outcome"] == Outcome.UNCHANGED.value:
            continue
        style = STYLES.get(line["outcome"], "")
        table.add_row(
            str(line["line"]),
            line["prison_number"],
            f"[{style}]{line['outcome']}[/{style}]",
            str(line["plan_id"]),
            line["field"],
            line["detail"],
        )
    console.print(table)
    target = report_csv or file.with_name(file.name + ".report.csv")
    target.write_text(report.as_csv(done.results), encoding="utf-8")
    counts = ", ".join(f"{done.count(o)} {o.value}" for o in Outcome)
    console.print(f"{len(done.results)} rows: {counts}. Report: {target}")
