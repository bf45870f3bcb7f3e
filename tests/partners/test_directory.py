"""The directory's service layer: who may keep it, and a service written and read back whole."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlmodel import select

from resettlement.actors import Actor, Role
from resettlement.errors import Forbidden, NotFound, VersionConflict
from resettlement.models import AuditEvent
from resettlement.partners import directory
from resettlement.partners.models import DirectoryEvent, DirectoryLocation
from rules.nations import Nation
from rules.service_needs import ServiceNeed

COORDINATOR = Actor(user_id="coord-lei", role=Role.COORDINATOR, prison_code="LEI")
OTHER_PRISON = Actor(user_id="coord-mdi", role=Role.COORDINATOR, prison_code="MDI")


def details(**overrides: object) -> directory.ServiceDetails:
    values: dict[str, object] = {
        "organisation_name": "Leeds Women's Aid",
        "name": "Women's drop-in",
        "needs": [ServiceNeed.WOMENS_SERVICES, ServiceNeed.ACCOMMODATION],
        "phone": "0113 496 0000",
        "out_of_hours_phone": "0800 123 4567",
        "address_1": "1 Park Row",
        "city": "Leeds",
        "postal_code": "ls1 5ab",
        "women_only": True,
        "minimum_age": 18,
        "maximum_age": 25,
        "opening_times": [
            {"weekday": d, "opens_at": time(9), "closes_at": time(17)} for d in range(1, 6)
        ],
        "holidays": [{"start_date": date(2026, 12, 25), "end_date": date(2026, 12, 26)}],
    }
    values.update(overrides)
    return directory.ServiceDetails.model_validate(values)


def test_a_coordinator_adds_a_service_and_reads_it_back_whole(session):
    d = directory.open_directory(
        session=session,
        actor=COORDINATOR,
        prison_code="LEI",
        area="Leeds",
        nation=Nation.ENGLAND_AND_WALES,
    )
    svc = directory.add_service(
        session=session, actor=COORDINATOR, directory_id=d.id, data=details()
    )
    [record] = directory.records(session, d.id)
    assert record.service.id == svc.id
    assert record.organisation.name == "Leeds Women's Aid"
    assert record.women_only and record.age_range == (18, 25)
    assert record.eligible(woman=True, age=20)
    assert not record.eligible(woman=False, age=20)
    assert not record.eligible(woman=True, age=30)
    assert [r.weekday for r in record.regular] == [1, 2, 3, 4, 5]
    assert record.out_of_hours_phone == "0800 123 4567"
    assert record.main_phone == "0113 496 0000"
    assert record.address == "1 Park Row, Leeds, LS1 5AB"
    assert directory.details_of(record) == details(postal_code="LS1 5AB")
    kinds = session.exec(select(DirectoryEvent.kind).order_by(DirectoryEvent.id)).all()
    assert kinds == ["opened", "service_added"]
    actions = session.exec(select(AuditEvent.action)).all()
    assert "add_service" in actions


def test_a_change_replaces_the_service_parts_and_a_stale_copy_is_refused(session):
    d = directory.open_directory(
        session=session,
        actor=COORDINATOR,
        prison_code="LEI",
        area="Leeds",
        nation=Nation.ENGLAND_AND_WALES,
    )
    svc = directory.add_service(
        session=session, actor=COORDINATOR, directory_id=d.id, data=details()
    )
    directory.change_service(
        session=session,
        actor=COORDINATOR,
        service_id=svc.id,
        expected_version=1,
        data=details(
            name="Women's centre",
            women_only=False,
            address_1=None,
            city=None,
            postal_code=None,
            opening_times=[],
        ),
    )
    [record] = directory.records(session, d.id)
    assert record.service.name == "Women's centre" and record.service.version == 2
    assert not record.women_only and record.regular == [] and record.locations == []
    # The location no service uses any more goes with it.
    assert session.exec(select(DirectoryLocation)).all() == []
    with pytest.raises(VersionConflict):
        directory.change_service(
            session=session,
            actor=COORDINATOR,
            service_id=svc.id,
            expected_version=1,
            data=details(),
        )


def test_another_prisons_coordinator_can_neither_open_nor_change_its_directory(session):
    with pytest.raises(Forbidden):
        directory.open_directory(
            session=session,
            actor=OTHER_PRISON,
            prison_code="LEI",
            area="Leeds",
            nation=Nation.ENGLAND_AND_WALES,
        )
    d = directory.open_directory(
        session=session,
        actor=COORDINATOR,
        prison_code="LEI",
        area="Leeds",
        nation=Nation.ENGLAND_AND_WALES,
    )
    with pytest.raises(NotFound):
        directory.add_service(
            session=session, actor=OTHER_PRISON, directory_id=d.id, data=details()
        )
    assert directory.records(session, d.id) == []


def test_opening_times_that_close_before_they_open_are_refused():
    with pytest.raises(ValueError, match="closing time"):
        details(opening_times=[{"weekday": 1, "opens_at": time(17), "closes_at": time(9)}])
