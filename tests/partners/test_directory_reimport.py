"""A council's updated directory loads over the old one while referrals point at its
services: services are matched by the standard's id and keep their own, a service no longer
listed that a referral points at is kept but offered to no one new, the rest go."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, col, select

from resettlement.actors import Actor, Role
from resettlement.errors import ConflictsWithRecord
from resettlement.models import AuditEvent
from resettlement.partners import directory, nearby, open_referral
from resettlement.partners.models import (
    DirectoryEvent,
    DirectoryLocation,
    DirectoryOrganisation,
    DirectoryService,
    DirectoryServiceAtLocation,
    ServiceDirectory,
)
from resettlement.partners.referrals import Referral
from resettlement.partners.sample_directory import made_up_directory
from rules.nations import Nation
from tests.partners.conftest import Directory, referrer

COORDINATOR = Actor(user_id="coord-mdi", role=Role.COORDINATOR, prison_code="MDI")
FRIDAY = date(2026, 12, 18)
HOUSING = "Housing options, Doncaster"
LINE = "24-hour homelessness line, Doncaster"
FOOD = "Food bank, Doncaster"


def _import(session: Session, d: ServiceDirectory, services: list[dict[str, Any]]):
    session.refresh(d)
    return open_referral.import_directory(
        session=session,
        actor=COORDINATOR,
        directory_id=d.id,
        expected_version=d.version,
        content=json.dumps(services).encode(),
    )


def _service(session: Session, d: ServiceDirectory, name: str) -> DirectoryService:
    return session.exec(
        select(DirectoryService).where(
            DirectoryService.directory_id == d.id, DirectoryService.name == name
        )
    ).one()


def _location_of(session: Session, service_id: int | None) -> int:
    return session.exec(
        select(DirectoryServiceAtLocation.location_id).where(
            DirectoryServiceAtLocation.service_id == service_id
        )
    ).one()


def _who_is_open(session: Session, plan) -> set[str]:
    person = session.get(nearby.Person, plan.person_id)
    return {s.record.service.name for s in nearby.who_is_open(session, plan, person).services}


def test_a_reimport_keeps_referred_services_and_updates_them_in_place(session, new_plan):
    d = directory.open_directory(
        session=session,
        actor=COORDINATOR,
        prison_code="MDI",
        area="Doncaster",
        nation=Nation.ENGLAND_AND_WALES,
    )
    first = made_up_directory("Doncaster", seed=7)
    _import(session, d, first)
    housing, line, food = (_service(session, d, n) for n in (HOUSING, LINE, FOOD))
    housing_location = _location_of(session, housing.id)
    food_location = _location_of(session, food.id)
    plan = new_plan(requested_release_date=FRIDAY, person={"date_of_birth": date(1980, 5, 1)})
    assert {HOUSING, LINE} <= _who_is_open(session, plan)
    refer = referrer(session, Directory(0, 0, 0, 0))
    to_housing = refer(plan, service_id=housing.id)
    to_line = refer(plan, service_id=line.id, send=False)

    # The council's update: one service renamed, two no longer listed, one new.
    update = [copy.deepcopy(s) for s in first if s["name"] not in (LINE, FOOD)]
    renamed = next(s for s in update if s["name"] == HOUSING)
    renamed["name"] = "Housing options and advice, Doncaster"
    added = copy.deepcopy(next(s for s in first if s["name"] == "Night shelter, Doncaster"))
    added["id"] = "a-second-shelter"
    added["name"] = "Second night shelter, Doncaster"
    update.append(added)
    report = _import(session, d, update)
    session.expire_all()

    assert report.added == ["a-second-shelter"]
    assert report.removed == [FOOD]
    assert report.withdrawn == [LINE]
    # The referral points at the same service, now under its new name, in the same place.
    kept = session.get(DirectoryService, session.get(Referral, to_housing.id).service_id)
    assert kept is not None and kept.id == housing.id
    assert kept.name == "Housing options and advice, Doncaster"
    assert kept.withdrawn_at is None
    assert _location_of(session, housing.id) == housing_location
    # The one no longer listed stays for its referral, with its name, but is offered to no one.
    gone_from_list = session.get(DirectoryService, line.id)
    assert gone_from_list is not None and gone_from_list.withdrawn_at is not None
    assert gone_from_list.name == LINE
    assert session.get(Referral, to_line.id).service_id == line.id
    listed = {r.service.name for r in directory.records(session, d.id)}
    assert LINE not in listed
    assert {"Housing options and advice, Doncaster", "Second night shelter, Doncaster"} <= listed
    assert directory.record(session, COORDINATOR, line.id).service.name == LINE
    open_now = _who_is_open(session, plan)
    assert LINE not in open_now
    assert "Housing options and advice, Doncaster" in open_now
    with pytest.raises(ConflictsWithRecord, match="no longer listed"):
        refer(new_plan(), service_id=line.id)
    # The unreferred one is gone, its organisation and location with it.
    assert session.get(DirectoryService, food.id) is None
    assert session.get(DirectoryOrganisation, food.organisation_id) is None
    assert session.get(DirectoryLocation, food_location) is None
    assert session.exec(
        select(DirectoryService).where(col(DirectoryService.oruk_id) == "a-second-shelter")
    ).one()
    # In the directory's history and the audit trail, like any import.
    imports = session.exec(
        select(DirectoryEvent)
        .where(DirectoryEvent.directory_id == d.id, DirectoryEvent.kind == "imported")
        .order_by(col(DirectoryEvent.id))
    ).all()
    assert len(imports) == 2
    assert imports[1].detail is not None
    assert imports[1].detail["removed"] == [FOOD] and imports[1].detail["withdrawn"] == [LINE]
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "import_directory")).all()
    assert len(audited) == 2

    # Listed again later: the same row again, offered again.
    _import(session, d, first)
    session.expire_all()
    back = session.get(DirectoryService, line.id)
    assert back is not None and back.withdrawn_at is None and back.name == LINE
    assert LINE in _who_is_open(session, plan)
    assert session.get(DirectoryService, housing.id).name == HOUSING
