"""The directory of local services: its tables.

The shape follows Open Referral UK (the UK profile of the Human Services Data Specification)
table for table, so a council's published directory loads as it is and exports again without
loss: organisations run services, a service is delivered at locations (service_at_location),
is reached through contacts and their phones, opens on regular schedules and closes (or opens
differently) on holiday schedules, and serves people within its eligibility. Each row keeps the
standard's own identifier (`oruk_id`, unique within its directory) beside our integer key.

Each prison keeps one directory per release area, maintained by its coordinators. What a
service helps with is held in the resettlement checklist's categories (rules/service_needs.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Integer, String, Time, UniqueConstraint
from sqlmodel import Field, SQLModel

from resettlement import clock
from resettlement.models import UTCDateTime
from rules.nations import Nation
from rules.service_needs import ServiceNeed


def _instant(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


def _choice(length: int, **kwargs: Any) -> Any:
    # Enums are stored as their plain values, as in resettlement/models.py.
    return Field(sa_type=String(length), max_length=length, **kwargs)


def _clock_time(**kwargs: Any) -> Any:
    # A wall-clock time in Europe/London: schedules say when a door opens locally.
    return Field(sa_type=Time(), **kwargs)


# Open Referral UK's words for a service's status.
class ServiceStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


# Open Referral UK's eligibility values (eligibilities[].eligibility).
class EligibilityGroup(StrEnum):
    ADULT = "adult"
    CHILD = "child"
    TEEN = "teen"
    FAMILY = "family"
    FEMALE = "female"
    MALE = "male"
    TRANSGENDER = "Transgender"
    TRANSGENDER_M_TO_F = "Transgender - M to F"
    TRANSGENDER_F_TO_M = "Transgender - F to M"


_directory_version = Column("version", Integer, nullable=False, server_default="1")


class ServiceDirectory(SQLModel, table=True):
    """One prison's directory of services for one release area (a council's area, usually)."""

    __tablename__ = "service_directory"
    __table_args__ = (UniqueConstraint("prison_code", "area"),)
    id: int | None = Field(default=None, primary_key=True)
    prison_code: str = Field(index=True, max_length=3)
    # The release area the services are near, in words people use: "Leeds", "Cardiff".
    area: str = Field(min_length=1, max_length=100)
    # Bank holidays differ by nation: the area's nation decides which ones close services.
    nation: Nation = _choice(32)
    version: int = Field(default=1, sa_column=_directory_version)
    created_at: datetime = _instant(default_factory=clock.now)
    updated_at: datetime = _instant(default_factory=clock.now)
    updated_by: str | None = Field(default=None, max_length=100)

    __mapper_args__ = {"version_id_col": _directory_version}


class DirectoryOrganisation(SQLModel, table=True):
    __tablename__ = "directory_organisation"
    __table_args__ = (UniqueConstraint("directory_id", "oruk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    directory_id: int = Field(foreign_key="service_directory.id", index=True)
    oruk_id: str = Field(max_length=100)
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    email: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=500)


_service_version = Column("version", Integer, nullable=False, server_default="1")


class DirectoryService(SQLModel, table=True):
    __tablename__ = "directory_service"
    __table_args__ = (UniqueConstraint("directory_id", "oruk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    directory_id: int = Field(foreign_key="service_directory.id", index=True)
    organisation_id: int = Field(foreign_key="directory_organisation.id", index=True)
    oruk_id: str = Field(max_length=100)
    name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    url: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=200)
    status: ServiceStatus = _choice(20, default=ServiceStatus.ACTIVE)
    fees: str | None = Field(default=None, max_length=1000)
    # Open Referral UK: "phone", "online", "venue", "home visit"; "referral", "drop-in"...
    attending_type: str | None = Field(default=None, max_length=20)
    attending_access: str | None = Field(default=None, max_length=20)
    needs: list[ServiceNeed] = Field(default_factory=list, sa_type=JSON)
    # Set when a re-import no longer lists a service that referrals point at: the row stays so
    # those referrals keep their service, but it is offered to no one new. None while listed.
    withdrawn_at: datetime | None = _instant(default=None)
    version: int = Field(default=1, sa_column=_service_version)
    updated_at: datetime = _instant(default_factory=clock.now)
    updated_by: str | None = Field(default=None, max_length=100)

    __mapper_args__ = {"version_id_col": _service_version}


class DirectoryEligibility(SQLModel, table=True):
    """Who a service is for: a group (e.g. female) and an age range (e.g. 18 to 25)."""

    __tablename__ = "directory_eligibility"
    __table_args__ = (UniqueConstraint("service_id", "oruk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="directory_service.id", index=True)
    oruk_id: str = Field(max_length=100)
    eligibility: EligibilityGroup | None = _choice(30, default=None)
    minimum_age: int | None = Field(default=None, ge=0, le=130)
    maximum_age: int | None = Field(default=None, ge=0, le=130)


class DirectoryLocation(SQLModel, table=True):
    __tablename__ = "directory_location"
    __table_args__ = (UniqueConstraint("directory_id", "oruk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    directory_id: int = Field(foreign_key="service_directory.id", index=True)
    oruk_id: str = Field(max_length=100)
    name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    # Its physical address (Open Referral UK allows several; a place people walk to has one).
    address_oruk_id: str | None = Field(default=None, max_length=100)
    address_1: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    state_province: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=10)
    country: str | None = Field(default=None, max_length=2)


class DirectoryServiceAtLocation(SQLModel, table=True):
    __tablename__ = "directory_service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "oruk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="directory_service.id", index=True)
    location_id: int = Field(foreign_key="directory_location.id", index=True)
    oruk_id: str = Field(max_length=100)


class DirectoryContact(SQLModel, table=True):
    __tablename__ = "directory_contact"
    __table_args__ = (UniqueConstraint("service_id", "oruk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="directory_service.id", index=True)
    oruk_id: str = Field(max_length=100)
    name: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)


class DirectoryPhone(SQLModel, table=True):
    __tablename__ = "directory_phone"
    __table_args__ = (UniqueConstraint("contact_id", "oruk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="directory_contact.id", index=True)
    oruk_id: str = Field(max_length=100)
    number: str = Field(min_length=1, max_length=40)
    # RFC 6350 type (voice, text, textphone...) and words such as "Out of hours line".
    type: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=500)


class DirectoryRegularSchedule(SQLModel, table=True):
    """A weekly opening: weekday 1 (Monday) to 7 (Sunday), from opens_at to closes_at.

    Closing at 00:00 means at midnight, the end of the day; 00:00 to 00:00 is the whole day.
    Schedules belong to the service, or to the service at one of its locations."""

    __tablename__ = "directory_regular_schedule"
    __table_args__ = (UniqueConstraint("service_id", "oruk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="directory_service.id", index=True)
    service_at_location_id: int | None = Field(
        default=None, foreign_key="directory_service_at_location.id", index=True
    )
    oruk_id: str = Field(max_length=100)
    weekday: int = Field(ge=1, le=7)
    opens_at: time | None = _clock_time(default=None)
    closes_at: time | None = _clock_time(default=None)
    valid_from: date | None = None
    valid_to: date | None = None
    description: str | None = Field(default=None, max_length=500)


class DirectoryHolidaySchedule(SQLModel, table=True):
    """Days that differ from the week's pattern: closed, or open other hours (start to end
    inclusive). A bank holiday with no row here is treated as closed unless the service opens
    every day around the clock (rules/opening_hours.py)."""

    __tablename__ = "directory_holiday_schedule"
    __table_args__ = (UniqueConstraint("service_id", "oruk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="directory_service.id", index=True)
    service_at_location_id: int | None = Field(
        default=None, foreign_key="directory_service_at_location.id", index=True
    )
    oruk_id: str = Field(max_length=100)
    closed: bool = True
    opens_at: time | None = _clock_time(default=None)
    closes_at: time | None = _clock_time(default=None)
    start_date: date
    end_date: date


class DirectoryEvent(SQLModel, table=True):
    """A directory's history: each import and each change to a service, who made it, and what."""

    __tablename__ = "directory_event"
    id: int | None = Field(default=None, primary_key=True)
    directory_id: int = Field(foreign_key="service_directory.id", index=True)
    service_id: int | None = Field(default=None, index=True)
    at: datetime = _instant(default_factory=clock.now)
    actor: str = Field(max_length=100)
    actor_role: str = Field(max_length=30)
    kind: str = Field(max_length=40)
    detail: dict[str, Any] | None = Field(default=None, sa_type=JSON)
