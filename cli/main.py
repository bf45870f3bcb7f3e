"""`resettlement`: one entry point for the database, demo data, rules, API and workflows."""

from __future__ import annotations

import typer

from cli.rules_commands import calendar_app, rules_app
from resettlement import migrate
from resettlement.bank_holidays import install_imported_calendar
from resettlement.caseload import caseload_rows
from resettlement.config import get_settings
from resettlement.database import session_scope

app = typer.Typer(
    help="Plans that get people out of prison ready for day one.", no_args_is_help=True
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Made-up demo data (faker).", no_args_is_help=True)


@app.callback()
def main() -> None:
    # An imported GOV.UK bank-holidays.json is authoritative for the years it covers.
    install_imported_calendar(get_settings().data_dir)


app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(rules_app, name="rules")
app.add_typer(calendar_app, name="calendar")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration up to the newest."""
    migrate.upgrade()
    typer.echo(f"Database at revision {migrate.current_revision()}.")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and whether it is the newest."""
    current, head = migrate.current_revision(), migrate.head_revision()
    typer.echo(f"current {current}, head {head}")
    raise typer.Exit(0 if current == head else 1)


@demo_app.command("seed")
def demo_seed(count: int = typer.Option(30, min=1, max=5000)) -> None:
    """Add demo people and plans (only to an empty database)."""
    from resettlement.demo import seed

    migrate.upgrade()
    with session_scope() as session:
        added = seed(session, count=count)
    typer.echo(f"Added {added} demo plans." if added else "The database already has people.")


@app.command("caseload")
def caseload() -> None:
    """Print every open plan, soonest walk-out first."""
    with session_scope() as session:
        rows = caseload_rows(session)
    typer.echo(f"{'plan':>5}  {'walk-out':<16} {'stage':<22} {'prison':<6} {'checklist':<9} flags")
    for r in rows:
        typer.echo(
            f"{r.plan_id:>5}  {r.walk_out:<16} {r.state:<22} {r.prison_code:<6} "
            f"{r.done}/{r.total:<7} {', '.join(r.flags)}"
        )


@app.command("up")
def up(demo: bool = typer.Option(True, help="Seed demo data into an empty database.")) -> None:
    """The main job: migrate, seed demo data, and show the caseload."""
    migrate.upgrade()
    if demo:
        demo_seed(count=30)
    caseload()


if __name__ == "__main__":
    app()
