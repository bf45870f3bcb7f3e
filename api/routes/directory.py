"""The directory of local services: a prison's directories, their services, Open Referral UK
import and export, and who is open in a person's first 48 hours."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.deps import MAX_ID, PlanId, SessionDep, require
from api.input_types import STRICT_BODY, WHOLE_NUMBER, AnyDate, StrictBool
from resettlement import plans
from resettlement.actors import Actor, Role
from resettlement.partners import directory, nearby, open_referral
from resettlement.partners.directory import ClockTime, HolidayHours, OpeningTimes, ServiceDetails
from rules.nations import Nation
from rules.service_needs import ServiceNeed

router = APIRouter(tags=["directory of services"])

DirectoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="The directory's id.")]
ServiceId = Annotated[int, Path(ge=1, le=MAX_ID, description="The service's id.")]
Maintainer = Annotated[Actor, Depends(require(*directory.MAINTAINERS))]
Reader = Annotated[Actor, Depends(require(*directory.READERS))]
Officer = Annotated[Actor, Depends(require(Role.PROBATION_OFFICER, Role.GOVERNOR))]


class DirectoryIn(BaseModel):
    model_config = STRICT_BODY
    prison_code: str = Field(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")
    area: str = Field(min_length=1, max_length=100)
    nation: Nation


class DirectoryPublic(BaseModel):
    id: int
    prison_code: str
    area: str
    nation: Nation
    version: int
    updated_at: datetime


class OpeningTimesIn(OpeningTimes):
    model_config = STRICT_BODY
    weekday: Annotated[int, Field(ge=1, le=7), WHOLE_NUMBER]


class HolidayHoursIn(HolidayHours):
    model_config = STRICT_BODY
    start_date: AnyDate
    end_date: AnyDate
    closed: StrictBool = True


Age = Annotated[int, Field(ge=0, le=130), WHOLE_NUMBER]


class ServiceIn(ServiceDetails):
    """A service as a coordinator enters it (weekday 1 is Monday). Rules between fields, stated
    here in words: the oldest age is not below the youngest; a holiday's last day is on or
    after its first, and a day that is not closed gives both times. Closing before opening runs
    past midnight; closing as it opens is round the clock from then (00:00 to 00:00: all day)."""

    model_config = STRICT_BODY
    women_only: StrictBool = False
    minimum_age: Age | None = None
    maximum_age: Age | None = None
    # Narrower than the service's own lists: the API refuses what the form's lax types read.
    opening_times: list[OpeningTimesIn] = Field(default_factory=list)  # type: ignore[assignment]
    holidays: list[HolidayHoursIn] = Field(default_factory=list)  # type: ignore[assignment]


class ServiceChangeIn(ServiceIn):
    expected_version: Annotated[int, Field(ge=1, le=MAX_ID), WHOLE_NUMBER]


class WeeklyPublic(BaseModel):
    weekday: int
    opens_at: ClockTime
    closes_at: ClockTime


class HolidayPublic(BaseModel):
    start_date: date
    end_date: date
    closed: bool
    opens_at: ClockTime | None
    closes_at: ClockTime | None


class ServicePublic(BaseModel):
    """A service as the directory holds it: an imported one may lack what a form requires
    (a need it meets), so nothing here is checked as input is."""

    id: int
    directory_id: int
    version: int
    oruk_id: str
    organisation_name: str
    name: str
    description: str | None
    needs: list[ServiceNeed]
    status: str
    email: str | None
    url: str | None
    phone: str | None
    out_of_hours_phone: str | None
    address_1: str | None
    city: str | None
    postal_code: str | None
    women_only: bool
    minimum_age: int | None
    maximum_age: int | None
    opening_times: list[WeeklyPublic]
    holidays: list[HolidayPublic]


class OpeningPublic(BaseModel):
    starts: datetime
    ends: datetime


class NearbyServicePublic(BaseModel):
    service_id: int
    name: str
    organisation: str
    meets: list[ServiceNeed]
    availability: str
    open_at_walk_out: bool
    words: str
    words_cy: str
    openings: list[OpeningPublic]
    next_opening: datetime | None
    phone: str | None
    out_of_hours_phone: str | None
    address: str | None


class WhoIsOpenPublic(BaseModel):
    directory_id: int | None
    area: str | None
    walk_out: datetime | None
    services: list[NearbyServicePublic]


class ImportReportPublic(BaseModel):
    organisations: int
    services: int
    locations: int
    contacts: int
    phones: int
    regular_schedules: int
    holiday_schedules: int
    # Against the directory as it was: the file's ids of services added, and the names of those
    # it no longer lists (removed, or kept withdrawn for the referrals made to them).
    added: list[str]
    removed: list[str]
    withdrawn: list[str]
    warnings: list[str]


def _public(d: Any) -> DirectoryPublic:
    return DirectoryPublic.model_validate(d, from_attributes=True)


def _service_public(record: directory.ServiceRecord) -> ServicePublic:
    svc = record.service
    assert svc.id is not None
    return ServicePublic(
        **directory.details_of(record).model_dump(),
        id=svc.id,
        directory_id=svc.directory_id,
        version=svc.version,
        oruk_id=svc.oruk_id,
    )


@router.get("/directories", response_model=list[DirectoryPublic])
def list_directories(
    actor: Reader,
    session: SessionDep,
    prison: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
) -> list[DirectoryPublic]:
    """A coordinator sees their prison's; others may filter by prison."""
    if actor.role == Role.COORDINATOR:
        return [_public(d) for d in directory.directories_for(session, actor)]
    return [_public(d) for d in directory.directories(session, prison.upper() if prison else None)]


@router.post("/directories", response_model=DirectoryPublic, status_code=201)
def open_directory(body: DirectoryIn, actor: Maintainer, session: SessionDep) -> DirectoryPublic:
    return _public(
        directory.open_directory(
            session=session,
            actor=actor,
            prison_code=body.prison_code,
            area=body.area,
            nation=body.nation,
        )
    )


@router.get("/directories/{directory_id}/services", response_model=list[ServicePublic])
def list_services(
    directory_id: DirectoryId, actor: Reader, session: SessionDep
) -> list[ServicePublic]:
    directory.readable(session, actor, directory_id)
    return [_service_public(r) for r in directory.records(session, directory_id)]


@router.post("/directories/{directory_id}/services", response_model=ServicePublic, status_code=201)
def add_service(
    directory_id: DirectoryId, body: ServiceIn, actor: Maintainer, session: SessionDep
) -> ServicePublic:
    svc = directory.add_service(session=session, actor=actor, directory_id=directory_id, data=body)
    assert svc.id is not None
    return _service_public(directory.record(session, actor, svc.id))


@router.get("/directory-services/{service_id}", response_model=ServicePublic)
def read_service(service_id: ServiceId, actor: Reader, session: SessionDep) -> ServicePublic:
    return _service_public(directory.record(session, actor, service_id))


@router.put("/directory-services/{service_id}", response_model=ServicePublic)
def change_service(
    service_id: ServiceId, body: ServiceChangeIn, actor: Maintainer, session: SessionDep
) -> ServicePublic:
    """Replaces the parts of the service the body changes; a stale version is refused (409)."""
    directory.change_service(
        session=session,
        actor=actor,
        service_id=service_id,
        expected_version=body.expected_version,
        data=ServiceDetails.model_validate(body.model_dump(exclude={"expected_version"})),
    )
    return _service_public(directory.record(session, actor, service_id))


@router.get("/directories/{directory_id}/open-referral")
def export_directory(directory_id: DirectoryId, actor: Reader, session: SessionDep) -> Any:
    """The directory as an Open Referral UK page of services (`content`)."""
    return open_referral.export_page(session, actor, directory_id)


_FILE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An Open Referral UK file: a list of services, or a page with content.",
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"type": "array", "items": {"type": "object"}},
                        {
                            "type": "object",
                            "properties": {"content": {"type": "array"}},
                            "required": ["content"],
                        },
                    ]
                }
            }
        },
    }
}


@router.post(
    "/directories/{directory_id}/open-referral",
    response_model=ImportReportPublic,
    openapi_extra=_FILE_BODY,
)
async def import_directory(
    directory_id: DirectoryId,
    request: Request,
    actor: Maintainer,
    session: SessionDep,
    expected_version: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> ImportReportPublic:
    """Makes the directory's contents the file's (services matched by their Open Referral UK
    id keep their ids, and referrals theirs), or changes nothing and lists each
    bad record (422). Read as bytes: the file's own checks name what is wrong with it."""
    content = await request.body()
    return await _in_thread(_import, session, actor, directory_id, expected_version, content)


async def _in_thread(fn: Any, *args: Any) -> Any:
    return await run_in_threadpool(fn, *args)


def _import(
    session: Session, actor: Actor, directory_id: int, expected_version: int, content: bytes
) -> ImportReportPublic:
    report = open_referral.import_directory(
        session=session,
        actor=actor,
        directory_id=directory_id,
        expected_version=expected_version,
        content=content,
    )
    return ImportReportPublic(**report.__dict__)


def who_is_open_public(found: nearby.WhoIsOpen) -> WhoIsOpenPublic:
    return WhoIsOpenPublic(
        directory_id=found.directory.id if found.directory else None,
        area=found.directory.area if found.directory else None,
        walk_out=found.walk_out,
        services=[
            NearbyServicePublic(
                service_id=s.record.service.id or 0,
                name=s.record.service.name,
                organisation=s.record.organisation.name,
                meets=list(s.meets),
                availability=s.hours.availability.value,
                open_at_walk_out=s.hours.open_at_walk_out,
                words=s.hours.words(),
                words_cy=s.hours.words("cy"),
                openings=[OpeningPublic(starts=o.starts, ends=o.ends) for o in s.hours.openings],
                next_opening=s.hours.next_opening,
                phone=s.record.main_phone,
                out_of_hours_phone=s.record.out_of_hours_phone,
                address=s.record.address,
            )
            for s in found.services
        ],
    )


@router.get("/plans/{plan_id}/who-is-open", response_model=WhoIsOpenPublic)
def who_is_open(plan_id: PlanId, actor: Officer, session: SessionDep) -> WhoIsOpenPublic:
    """Services near the release area that meet the person's needs, and their opening in the
    48 hours from 9am on the walk-out day. Reading it is a read of the plan (audited)."""
    view = plans.get_plan(session=session, actor=actor, plan_id=plan_id)
    return who_is_open_public(nearby.who_is_open(session, view.plan, view.person))
