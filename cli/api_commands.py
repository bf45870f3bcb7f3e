"""Commands for the API: local-mode tokens and the server. The main command mounts them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from api.auth import mint_token
from api.settings import get_api_settings
from resettlement.actors import SYSTEM, Role
from resettlement.database import session_scope
from resettlement.demo import GOVERNORS, OFFICERS, PRISONS
from resettlement.leaver_access import issue_link
from resettlement.models import OPEN_STATES, Person, PublishedPlan, ReleasePlan

ROLES = ("probation_officer", "governor", "prison_leaver", "admin")


def token(
    role: Annotated[str, typer.Option(help="probation_officer, governor, prison_leaver or admin.")],
    user: Annotated[str, typer.Option(help="The user id the token names (its sub claim).")],
    prison: Annotated[str | None, typer.Option(help="A governor's prison code, e.g. MDI.")] = None,
    plan: Annotated[int | None, typer.Option(help="A prison leaver's plan id.")] = None,
    hours: Annotated[float, typer.Option(help="Hours until it expires.")] = 12,
) -> None:
    """Print a local-mode bearer token (only when no OIDC issuer is configured)."""
    if role not in ROLES:
        raise typer.BadParameter(f"expected one of: {', '.join(ROLES)}", param_hint="--role")
    try:
        typer.echo(mint_token(role=role, user=user, prison=prison, plan=plan, hours=hours))
    except (ValueError, RuntimeError) as exc:
        typer.echo(f"Cannot make that token: {exc}", err=True)
        raise typer.Exit(2) from None


def demo_tokens() -> dict[str, str]:
    """A token per demo role; the prison leaver's is for a plan with a published 48-hour plan."""
    prison = PRISONS[0].code
    tokens = {
        Role.PROBATION_OFFICER.value: mint_token(role=Role.PROBATION_OFFICER, user=OFFICERS[0]),
        Role.GOVERNOR.value: mint_token(role=Role.GOVERNOR, user=GOVERNORS[prison], prison=prison),
        Role.ADMIN.value: mint_token(role=Role.ADMIN, user="admin-demo"),
    }
    try:
        with session_scope() as session:
            plan_id = session.exec(
                select(PublishedPlan.plan_id).order_by(col(PublishedPlan.plan_id)).limit(1)
            ).first()
    except SQLAlchemyError:
        # No database yet: the staff tokens are still useful.
        plan_id = None
    if plan_id is not None:
        tokens[Role.PRISON_LEAVER.value] = mint_token(
            role=Role.PRISON_LEAVER, user=f"leaver-plan-{plan_id}", plan=plan_id
        )
    return tokens


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the API with uvicorn on host:port."""
    import uvicorn

    # X-Forwarded-For is believed only from the configured proxies, never by default: the
    # leaver rate limit counts per address, so a forged header would reset it.
    proxies = get_api_settings().trusted_proxies.strip()
    uvicorn.run(
        "api.main:app",
        host=host,
        port=port,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        server_header=False,
    )


def demo_leaver_link() -> tuple[str, date] | None:
    """A fresh sign-in link to a demo plan that has a published 48-hour plan, with the
    (made-up) date of birth that confirms it."""
    with session_scope() as session:
        row = session.exec(
            select(col(PublishedPlan.plan_id), col(Person.date_of_birth))
            .join(ReleasePlan, col(ReleasePlan.id) == col(PublishedPlan.plan_id))
            .join(Person, col(Person.id) == col(ReleasePlan.person_id))
            .where(col(ReleasePlan.state).in_([s.value for s in OPEN_STATES]))
            .order_by(col(PublishedPlan.plan_id))
            .limit(1)
        ).first()
        if row is None:
            return None
        plan_id, date_of_birth = row
        _, path = issue_link(session=session, actor=SYSTEM, plan_id=plan_id)
    return path, date_of_birth
