"""`resettlement links`: a prison leaver's sign-in links, from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from resettlement import leaver_access
from resettlement.actors import Actor, Role
from resettlement.config import get_settings
from resettlement.database import session_scope
from resettlement.errors import DomainError

links_app = typer.Typer(help="A prison leaver's sign-in links.", no_args_is_help=True)

Plan = Annotated[int, typer.Option("--plan", min=1, help="The release plan's id.")]
By = Annotated[
    str,
    typer.Option("--by", help="Who is asking: recorded in the plan's history and the audit trail."),
]


def _operator(user: str) -> Actor:
    # The command line is for the service's administrators, at the machine itself.
    return Actor(user_id=user, role=Role.ADMIN)


@links_app.command("revoke")
def revoke(plan: Plan, by: By) -> None:
    """Stop every live sign-in link to a plan at once (a lost phone, a recall)."""
    try:
        with session_scope() as session:
            count = leaver_access.revoke_links(session=session, actor=_operator(by), plan_id=plan)
    except DomainError as exc:
        typer.echo(f"{exc.title}: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Stopped {count} live link(s) to plan {plan}.")


@links_app.command("issue")
def issue(plan: Plan, by: By) -> None:
    """Issue a new sign-in link (it stops the plan's older ones) and print it, this once."""
    try:
        with session_scope() as session:
            link, path = leaver_access.issue_link(
                session=session, actor=_operator(by), plan_id=plan
            )
    except DomainError as exc:
        typer.echo(f"{exc.title}: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{get_settings().link_base_url}{path}  (works until {link.expires_at:%d %b %Y})")
