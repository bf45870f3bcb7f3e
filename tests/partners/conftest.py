"""A small made-up directory and referrals from the test officer's plans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session

from resettlement import clock
from resettlement.actors import Actor, Role
from resettlement.models import ReleasePlan
from resettlement.partners import referrals
from resettlement.partners.models import (
    DirectoryOrganisation,
    DirectoryService,
    ServiceDirectory,
)
from rules.nations import Nation

OFFICER = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)


@dataclass(frozen=True)
class Directory:
    housing_org: int
    housing_service: int
    work_org: int
    work_service: int


def partner(organisation_id: int, user: str = "partner-test") -> Actor:
    return Actor(user_id=user, role=Role.PARTNER, organisation_id=organisation_id)


@pytest.fixture
def directory(session: Session) -> Directory:
    return make_directory(session)


def make_directory(session: Session) -> Directory:
    """Two made-up organisations near MDI, each with one service."""
    found = ServiceDirectory(prison_code="MDI", area="Leeds", nation=Nation.ENGLAND_AND_WALES)
    session.add(found)
    session.flush()
    ids = []
    for org_name, service_name, need in (
        ("Made Up Housing Trust", "Night shelter referrals", "accommodation"),
        ("Made Up Work Project", "Jobs club", "employment"),
    ):
        org = DirectoryOrganisation(
            directory_id=found.id,
            oruk_id=f"org-{need}",
            name=org_name,  # type: ignore[arg-type]
        )
        session.add(org)
        session.flush()
        svc = DirectoryService(
            directory_id=found.id,  # type: ignore[arg-type]
            organisation_id=org.id,  # type: ignore[arg-type]
            oruk_id=f"svc-{need}",
            name=service_name,
            needs=[need],
        )
        session.add(svc)
        session.flush()
        ids += [org.id, svc.id]
    session.commit()
    return Directory(*ids)  # type: ignore[arg-type]


@pytest.fixture
def refer(session: Session, directory: Directory) -> Callable[..., referrals.Referral]:
    """A referral to the housing service (or another), sent unless told otherwise."""
    return referrer(session, directory)


def referrer(session: Session, directory: Directory) -> Callable[..., referrals.Referral]:
    def build(
        plan: ReleasePlan,
        *,
        service_id: int | None = None,
        need: str = "accommodation",
        sections: tuple[str, ...] = ("first_night_address",),
        send: bool = True,
    ) -> referrals.Referral:
        assert plan.id is not None
        made = referrals.make_referral(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            request=referrals.ReferralRequest(
                service_id=service_id or directory.housing_service,
                need=need,
                help_wanted="Somewhere to stay from the first night, near my sister.",
                sections=sections,
                consent_until=clock.today() + timedelta(days=90),
            ),
        )
        if not send:
            return made
        assert made.id is not None
        return referrals.send_referral(
            session=session, actor=OFFICER, referral_id=made.id, expected_version=made.version
        )

    return build
