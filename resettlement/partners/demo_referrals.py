"""Demo referrals: for each demo prison, referrals from its open plans to services in its
directory, a few in each state, made through the services as people would make them, and a
partner (made-up staff of each organisation) to sign in as. A prison whose directory is still
empty gets two made-up services to refer to. Every name is fake (faker, fixed seed)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from faker import Faker
from sqlmodel import Session, col, select

from resettlement import clock, staff
from resettlement.actors import Actor, Role
from resettlement.errors import DomainError
from resettlement.models import OPEN_STATES, Person, ReleasePlan
from resettlement.partners import referrals
from resettlement.partners.models import (
    DirectoryOrganisation,
    DirectoryService,
    ServiceDirectory,
)
from resettlement.partners.referral_lifecycle import ReferralState
from resettlement.partners.referrals import FlagKind, UpdateKind
from resettlement.staff import StaffMember
from rules.nations import Nation
from rules.service_needs import ServiceNeed

# The states the demo shows, in turn; each is reached through the machine's own steps.
STEPS: dict[ReferralState, list[str]] = {
    ReferralState.DRAFT: [],
    ReferralState.SENT: ["refer"],
    ReferralState.ACCEPTED: ["refer", "accept"],
    ReferralState.DECLINED: ["refer", "decline"],
    ReferralState.IN_PROGRESS: ["refer", "accept", "start"],
    ReferralState.COMPLETED: ["refer", "accept", "start", "complete"],
    ReferralState.CLOSED: ["refer", "close"],
}
HELP_WANTED = (
    "Somewhere to stay from the first night, not too far from my mum's.",
    "Help to find work, I did a forklift course inside.",
    "Someone to go with me to sort out my benefits.",
    "I want to keep off the drink, a group near where I live.",
)


def partner_id(organisation_id: int) -> str:
    return f"partner-org-{organisation_id}"


def _services(
    session: Session, prison_code: str, nation: Nation, fake: Faker
) -> list[DirectoryService]:
    found = list(
        session.exec(
            select(DirectoryService)
            .join(ServiceDirectory, col(ServiceDirectory.id) == col(DirectoryService.directory_id))
            .where(
                ServiceDirectory.prison_code == prison_code,
                DirectoryService.status == "active",
                col(DirectoryService.withdrawn_at).is_(None),
            )
            .order_by(col(DirectoryService.id))
        ).all()
    )
    if found:
        return found
    directory = ServiceDirectory(
        prison_code=prison_code, area=f"{fake.city()} (demo)", nation=nation, updated_by="demo"
    )
    session.add(directory)
    session.flush()
    made = []
    for need, kind in (("accommodation", "Housing"), ("employment", "Work")):
        organisation = DirectoryOrganisation(
            directory_id=directory.id,  # type: ignore[arg-type]
            oruk_id=f"demo-{prison_code.lower()}-{need}",
            name=f"{fake.last_name()} {kind} Trust",
        )
        session.add(organisation)
        session.flush()
        service = DirectoryService(
            directory_id=directory.id,  # type: ignore[arg-type]
            organisation_id=organisation.id,  # type: ignore[arg-type]
            oruk_id=f"demo-{prison_code.lower()}-{need}-service",
            name=f"{kind} support for prison leavers",
            needs=[ServiceNeed(need)],
            updated_by="demo",
        )
        session.add(service)
        made.append(service)
    session.commit()
    return made


def seed_referrals(
    session: Session,
    prisons: list[tuple[str, Nation]],
    seed_value: int = 20261123,
    today: date | None = None,
) -> int:
    """Referrals in each state from the demo's open plans. Returns referrals made."""
    fake = Faker("en_GB")
    fake.seed_instance(seed_value + 15)
    rng = random.Random(seed_value + 15)
    made = 0
    states = list(STEPS)
    for prison_code, nation in prisons:
        services = _services(session, prison_code, nation, fake)
        plans_here = session.exec(
            select(ReleasePlan)
            .join(Person, col(Person.id) == col(ReleasePlan.person_id))
            .where(
                Person.prison_code == prison_code,
                col(ReleasePlan.state).in_([s.value for s in OPEN_STATES]),
            )
            .order_by(col(ReleasePlan.id))
        ).all()
        members = []
        for service in services:
            organisation = session.get(DirectoryOrganisation, service.organisation_id)
            assert organisation is not None and organisation.id is not None
            members.append(
                StaffMember(
                    user_id=partner_id(organisation.id),
                    name=fake.name(),
                    role=Role.PARTNER.value,
                    organisation_id=organisation.id,
                    team=organisation.name,
                    email=f"{partner_id(organisation.id)}@partner.example",
                )
            )
        staff.add_missing(session=session, members=members)
        for index, plan in enumerate(plans_here):
            service = services[index % len(services)]
            state = states[(made + index) % len(states)]
            if _refer(session, plan, service, state, rng):
                made += 1
    return made


def _refer(
    session: Session,
    plan: ReleasePlan,
    service: DirectoryService,
    state: ReferralState,
    rng: random.Random,
) -> bool:
    assert plan.id is not None
    officer = Actor(user_id=plan.probation_officer_id, role=Role.PROBATION_OFFICER)
    partner = Actor(
        user_id=partner_id(service.organisation_id),
        role=Role.PARTNER,
        organisation_id=service.organisation_id,
    )
    try:
        referral = referrals.make_referral(
            session=session,
            actor=officer,
            plan_id=plan.id,
            request=referrals.ReferralRequest(
                service_id=service.id,  # type: ignore[arg-type]
                need=str(service.needs[0]),
                help_wanted=rng.choice(HELP_WANTED),
                sections=("first_night_address", "appointments"),
                consent_until=clock.today() + timedelta(days=180),
            ),
        )
        for event in STEPS[state]:
            assert referral.id is not None
            common: dict[str, Any] = {
                "session": session,
                "referral_id": referral.id,
                "expected_version": referral.version,
            }
            if event == "refer":
                referral = referrals.send_referral(actor=officer, **common)
            elif event == "close":
                referral = referrals.close_referral(
                    actor=officer, reason="The person found help elsewhere.", **common
                )
            elif event == "accept":
                referral = referrals.accept_referral(actor=partner, **common)
            else:
                referral = referrals.partner_step(
                    actor=partner,
                    event=event,
                    reason="No space this month." if event == "decline" else None,
                    **common,
                )
        if state == ReferralState.IN_PROGRESS:
            assert referral.id is not None
            referrals.add_update(
                session=session,
                actor=partner,
                referral_id=referral.id,
                kind=UpdateKind.FLAG,
                flag_kind=FlagKind.ISSUE,
                text="Missed the first drop-in; says the bus fare was the problem.",
            )
    except DomainError:
        session.rollback()
        return False
    return True
