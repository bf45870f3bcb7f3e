"""The API against its own OpenAPI description, with every schemathesis check (`--checks all`)
and every phase, stateful included, for each role's token: no 5xx, nothing the schema allows is
refused, nothing it forbids is accepted, and every response keeps to the schema.

Schemathesis's own runner drives the real server (uvicorn on the test database, seeded with the
demo data so generated ids reach real plans, and a partner of an organisation with referrals).
Examples per operation are kept small: each role's run takes 15 to 70 s of CPU (most of it the
coverage phase's boundary cases), minutes of wall time on a 2-core machine. Every role runs on
PostgreSQL, the stricter database (NUL, text lengths and integer widths fail there first); on
SQLite the two roles whose runs reach the most: the officer's (most of the writes) and the
person's own API. All six on both databases took about a third of CI's time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from api.auth import mint_token
from resettlement.actors import Role
from resettlement.demo import seed
from resettlement.models import PublishedPlan
from resettlement.partners.demo_referrals import partner_id
from resettlement.partners.models import DirectoryService
from resettlement.partners.referrals import Referral
from tests.conftest import POSTGRES

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "st"
MAX_EXAMPLES = "4"

ROLES: dict[str, tuple[Role, str, dict[str, Any]]] = {
    "officer": (Role.PROBATION_OFFICER, "po-ashworth", {}),
    "governor": (Role.GOVERNOR, "governor-mdi", {"prison": "MDI"}),
    "admin": (Role.ADMIN, "admin-test", {}),
    "leaver": (Role.PRISON_LEAVER, "leaver-test", {}),
    "coordinator": (Role.COORDINATOR, "coord-mdi", {"prison": "MDI"}),
    # Staff of an organisation the demo's people were referred to (chosen after seeding).
    "partner": (Role.PARTNER, "partner-demo", {}),
}


SQLITE_ROLES = ("officer", "leaver")


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(
            role,
            marks=pytest.mark.skipif(
                not POSTGRES and role not in SQLITE_ROLES,
                reason="this role's run is on PostgreSQL (see the module's docstring)",
            ),
        )
        for role in ROLES
    ],
)
def test_the_api_keeps_to_its_own_schema_for_every_role(
    live_server: str, session: Session, role: str, tmp_path: Path
) -> None:
    assert seed(session, count=12) > 0
    kind, user, claims = ROLES[role]
    if kind == Role.PRISON_LEAVER:
        published = session.exec(select(PublishedPlan).order_by(col(PublishedPlan.id))).first()
        assert published is not None, "the demo data publishes plans"
        claims = {"plan": published.plan_id}
    if kind == Role.PARTNER:
        organisation = session.exec(
            select(DirectoryService.organisation_id)
            .join(Referral, col(Referral.service_id) == col(DirectoryService.id))
            .order_by(col(Referral.id))
        ).first()
        assert organisation is not None, "the demo data makes referrals"
        user, claims = partner_id(organisation), {"organisation": organisation}
    token = mint_token(role=kind, user=user, **claims)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
    }
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server}/openapi.json",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            MAX_EXAMPLES,
            # Conformance, not speed: a subject access PDF takes seconds on a busy machine.
            "--request-timeout",
            "60",
            "--max-response-time",
            "60",
            "--generation-deterministic",
            "--no-color",
            "--report-dir",
            str(tmp_path),
        ],
        # Its caches go to the test's own directory, not the checkout.
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
    assert "Stateful" in output  # the stateful phase ran, not only single requests
