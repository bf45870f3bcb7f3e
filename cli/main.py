"""`resettlement`: one entry point for the database, demo data, rules, API and workflows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import typer

from cli.api_commands import demo_leaver_link, demo_tokens, serve, token
from cli.flow_commands import flows_app
from cli.intake_commands import intake_app
from cli.link_commands import links_app
from cli.rules_commands import calendar_app, rules_app
from resettlement import migrate
from resettlement.bank_holidays import install_imported_calendar
from resettlement.caseload import caseload_rows
from resettlement.config import get_settings
from resettlement.database import session_scope
from resettlement.observability.process import watch_this_process

app = typer.Typer(
    help="Plans that get people out of prison ready for day one.", no_args_is_help=True
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Made-up demo data (faker).", no_args_is_help=True)


@app.callback()
def main() -> None:
    # Nothing personal in any log line, whichever command runs (resettlement/log_privacy.py),
    # JSON lines and Sentry when set.
    watch_this_process()
    # An imported GOV.UK bank-holidays.json is authoritative for the years it covers.
    install_imported_calendar(get_settings().data_dir)


app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(rules_app, name="rules")
app.add_typer(calendar_app, name="calendar")
app.add_typer(flows_app, name="flows")
app.add_typer(links_app, name="links")
app.add_typer(intake_app, name="intake")
app.command("token")(token)


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
def up(
    demo: bool = typer.Option(True, help="Seed demo data into an empty database."),
    host: str = typer.Option("127.0.0.1", help="Where the API and pages listen."),
    port: int = typer.Option(8000, min=1, max=65535),
    flows: bool = typer.Option(True, help="Serve the daily workflows on their schedules."),
) -> None:
    """The main job: migrate, seed demo data, serve the API and pages, and run the workflows."""
    migrate.upgrade()
    if demo:
        demo_seed(count=30)
    caseload()
    base = f"http://{host}:{port}"
    _print_sign_in(base)
    _prefer_local_prefect()
    # Links in the workflows' messages point at this server unless told otherwise.
    os.environ.setdefault("RESETTLEMENT_PUBLIC_BASE_URL", base)
    me = [sys.executable, "-m", "cli.main"]
    commands = [[*me, "serve-api", "--host", host, "--port", str(port)]]
    if flows:
        commands.append([*me, "flows", "serve"])
    _supervise(commands)


def _supervise(commands: list[list[str]]) -> None:
    """Runs each part in its own process group and stops them all, in order, when one ends or
    on Ctrl-C or SIGTERM. Separate groups matter: Ctrl-C would otherwise reach Prefect's
    temporary server before the runner that still needs it to shut down."""

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    children = [subprocess.Popen(c, start_new_session=True) for c in commands]
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        typer.echo("Stopping ...")
    finally:
        for child in reversed(children):
            _stop_group(child)


def _stop_group(child: subprocess.Popen[bytes], grace: float = 15) -> None:
    if child.poll() is not None:
        return
    os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


@app.command("serve-api")
def serve_api(
    host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000, min=1, max=65535)
) -> None:
    """Serve only the API and pages (uvicorn)."""
    serve(host=host, port=port)


def _prefer_local_prefect() -> None:
    # Local mode keeps Prefect's own state beside ours unless the operator says otherwise.
    os.environ.setdefault("PREFECT_HOME", str(get_settings().ensure_data_dir() / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect's temporary server gives up after 20 s; a busy 2-core machine needs longer.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _print_sign_in(base: str) -> None:
    """Ready-made ways in for each kind of user (demo data only: every person is made up)."""
    typer.echo(f"\nThe service: {base}   API docs: {base}/docs")
    typer.echo(f"Staff sign in (demo officers, governors, admin): {base}/staff/sign-in")
    typer.echo("Bearer tokens for the API (12 hours):")
    for role, value in demo_tokens().items():
        typer.echo(f"  {role}: {value}")
    leaver = demo_leaver_link()
    if leaver is not None:
        path, date_of_birth = leaver
        typer.echo(
            f"A prison leaver's plan: {base}{path}  (date of birth {date_of_birth:%d %m %Y})"
        )


if __name__ == "__main__":
    app()
