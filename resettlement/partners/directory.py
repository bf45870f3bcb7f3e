"""The directory's services: opening a prison's directory for a release area, and adding,
changing and reading its services. The only writer of the directory's tables besides the Open
Referral UK import (open_referral.py), which goes through `replace_contents` here.

A coordinator maintains their own prison's directories; an administrator any. Everyone who
plans releases may read them (they hold no one's personal data).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, delete, select

from resettlement import audit, clock
from resettlement.actors import Actor, Role
from resettlement.errors import Forbidden, InvalidInput, NotFound
from resettlement.models import PRISON_CODE
from resettlement.partners.models import (
    DirectoryContact,
    DirectoryEligibility,
    DirectoryEvent,
    DirectoryHolidaySchedule,
    DirectoryLocation,
    DirectoryOrganisation,
    DirectoryPhone,
    DirectoryRegularSchedule,
    DirectoryService,
    DirectoryServiceAtLocation,
    EligibilityGroup,
    ServiceDirectory,
    ServiceStatus,
)
from resettlement.transactions import check_version, commit, note_written, service
from rules.nations import Nation
from rules.service_needs import ServiceNeed

MAINTAINERS = (Role.COORDINATOR, Role.ADMIN)
# Enough to catch a typing slip; the address is only ever shown, never sent to.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
READERS = (Role.COORDINATOR, Role.ADMIN, Role.PROBATION_OFFICER, Role.GOVERNOR)


# How an out-of-hours phone is described, so any reader of the export can tell it apart.
OUT_OF_HOURS = "Out of hours line"
# Open Referral UK requires an eligibility's ages; this maximum says there is none.
NO_AGE_LIMIT = 120


def new_oruk_id() -> str:
    """Open Referral UK identifiers are UUIDs; a row made here gets a fresh one."""
    return str(uuid.uuid4())


# --- who may do what ----------------------------------------------------------------------


def may_maintain(actor: Actor, directory: ServiceDirectory) -> bool:
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.COORDINATOR and actor.prison_code == directory.prison_code


def maintainable(session: Session, actor: Actor, directory_id: int) -> ServiceDirectory:
    directory = session.get(ServiceDirectory, directory_id)
    # A coordinator of another prison is told there is no such directory, as for plans.
    if directory is None or not may_maintain(actor, directory):
        raise NotFound(f"There is no directory with id {directory_id}.")
    return directory


def readable(session: Session, actor: Actor, directory_id: int) -> ServiceDirectory:
    directory = session.get(ServiceDirectory, directory_id)
    if directory is None or actor.role not in READERS:
        raise NotFound(f"There is no directory with id {directory_id}.")
    return directory


# --- what a coordinator enters ------------------------------------------------------------


_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
CLOCK_PATTERN = _CLOCK.pattern


def _clock_time(value: Any) -> time:
    """A London wall-clock time, written 09:30 or 09:30:00: no zone (a weekly opening spans
    summer and winter), no seconds past the minute, never a number of seconds."""
    if isinstance(value, time):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if match:
            return time(int(match[1]), int(match[2]), int(match[3] or 0))
    raise ValueError("a time is written in 24 hours, like 09:30")


ClockTime = Annotated[
    time,
    BeforeValidator(_clock_time),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN, "examples": ["09:30"]}),
]


class OpeningTimes(SQLModel):
    """One weekly opening: weekday 1 (Monday) to 7 (Sunday)."""

    weekday: StrictInt = Field(ge=1, le=7)
    opens_at: ClockTime
    closes_at: ClockTime

    # Closing "before" opening runs past midnight (a night shelter, 8pm to 8am); closing as it
    # opens is round the clock from then (00:00 to 00:00: the whole day). Any pair has a meaning.


class HolidayHours(SQLModel):
    """Days that differ from the weekly pattern: closed, or open other hours."""

    start_date: date
    end_date: date
    closed: StrictBool = True
    opens_at: ClockTime | None = None
    closes_at: ClockTime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> HolidayHours:
        if self.end_date < self.start_date:
            raise ValueError("the last day must be on or after the first")
        if not self.closed and (self.opens_at is None or self.closes_at is None):
            raise ValueError("give the opening and closing times for days it is open")
        return self


class ServiceDetails(SQLModel):
    """A service as the coordinator's form (and the API) describes it."""

    organisation_name: str = Field(min_length=1, max_length=300)
    # 200, not the service table's 300: the form's name is also its contact's name (200).
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    needs: list[ServiceNeed] = Field(min_length=1)
    status: ServiceStatus = ServiceStatus.ACTIVE
    # The patterns say in the schema what the validators below check.
    email: str | None = Field(
        default=None,
        max_length=200,
        schema_extra={"pattern": r"^\s*$|^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"},
    )
    url: str | None = Field(
        default=None, max_length=500, schema_extra={"pattern": r"^$|^https?://"}
    )
    phone: str | None = Field(default=None, max_length=40)
    out_of_hours_phone: str | None = Field(default=None, max_length=40)
    address_1: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=10)
    women_only: StrictBool = False
    minimum_age: StrictInt | None = Field(default=None, ge=0, le=130)
    maximum_age: StrictInt | None = Field(default=None, ge=0, le=130)
    opening_times: list[OpeningTimes] = Field(default_factory=list)
    holidays: list[HolidayHours] = Field(default_factory=list)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if value and not EMAIL.match(value):
            raise ValueError("an email address looks like name@example.org")
        return value or None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("a web address starts with https://")
        return value or None

    @model_validator(mode="after")
    def _ages(self) -> ServiceDetails:
        low, high = self.minimum_age, self.maximum_age
        if low is not None and high is not None and high < low:
            raise ValueError("the oldest age must not be below the youngest")
        return self


# --- reading ------------------------------------------------------------------------------


@dataclass
class ServiceRecord:
    """A service with everything the pages, the export and the opening-hours rule need."""

    service: DirectoryService
    organisation: DirectoryOrganisation
    eligibilities: list[DirectoryEligibility] = field(default_factory=list)
    locations: list[tuple[DirectoryServiceAtLocation, DirectoryLocation]] = field(
        default_factory=list
    )
    contacts: list[tuple[DirectoryContact, list[DirectoryPhone]]] = field(default_factory=list)
    regular: list[DirectoryRegularSchedule] = field(default_factory=list)
    holidays: list[DirectoryHolidaySchedule] = field(default_factory=list)

    @property
    def phones(self) -> list[DirectoryPhone]:
        return [p for _, phones in self.contacts for p in phones]

    @property
    def out_of_hours_phone(self) -> str | None:
        """A phone the directory describes as out of hours, or a 24-hour one."""
        for phone in self.phones:
            words = (phone.description or "").lower()
            if "out of hours" in words or "out-of-hours" in words or "24" in words:
                return phone.number
        return None

    @property
    def main_phone(self) -> str | None:
        ooh = self.out_of_hours_phone
        for phone in self.phones:
            if phone.number != ooh:
                return phone.number
        return ooh

    @property
    def women_only(self) -> bool:
        return any(e.eligibility == EligibilityGroup.FEMALE for e in self.eligibilities)

    @property
    def age_range(self) -> tuple[int | None, int | None]:
        # The standard requires both ages: 0 and NO_AGE_LIMIT (or more) say "no limit".
        lows = [e.minimum_age for e in self.eligibilities if e.minimum_age]
        highs = [
            e.maximum_age
            for e in self.eligibilities
            if e.maximum_age is not None and e.maximum_age < NO_AGE_LIMIT
        ]
        return (max(lows) if lows else None, min(highs) if highs else None)

    @property
    def address(self) -> str | None:
        for _, location in self.locations:
            parts = [location.address_1, location.city, location.postal_code]
            text = ", ".join(p for p in parts if p)
            if text:
                return text
        return None

    def eligible(self, *, woman: bool, age: int | None) -> bool:
        """Whether a person may use the service, by its recorded eligibility."""
        if not self.eligibilities:
            return True
        for rule in self.eligibilities:
            if rule.eligibility == EligibilityGroup.FEMALE and not woman:
                continue
            if rule.eligibility == EligibilityGroup.MALE and woman:
                continue
            if age is not None and rule.minimum_age is not None and age < rule.minimum_age:
                continue
            if age is not None and rule.maximum_age is not None and age > rule.maximum_age:
                continue
            return True
        return False


def directories(session: Session, prison_code: str | None = None) -> list[ServiceDirectory]:
    statement = select(ServiceDirectory).order_by(
        col(ServiceDirectory.prison_code), col(ServiceDirectory.area)
    )
    if prison_code is not None:
        statement = statement.where(ServiceDirectory.prison_code == prison_code)
    return list(session.exec(statement).all())


def directories_for(session: Session, actor: Actor) -> list[ServiceDirectory]:
    """The directories an actor maintains: their prison's, or every one for an administrator."""
    if actor.role == Role.ADMIN:
        return directories(session)
    if actor.role == Role.COORDINATOR and actor.prison_code:
        return directories(session, actor.prison_code)
    return []


def records(
    session: Session,
    directory_id: int,
    service_ids: Iterable[int] | None = None,
    *,
    withdrawn: bool = False,
) -> list[ServiceRecord]:
    """The directory's services, whole, in a fixed number of queries whatever their count.

    Without ids, the services it lists (withdrawn ones are kept only for the referrals to them),
    or with `withdrawn` only those kept withdrawn; with ids, those services, withdrawn or not."""
    statement = select(DirectoryService).where(DirectoryService.directory_id == directory_id)
    if service_ids is not None:
        statement = statement.where(col(DirectoryService.id).in_(list(service_ids)))
    elif withdrawn:
        statement = statement.where(col(DirectoryService.withdrawn_at).is_not(None))
    else:
        statement = statement.where(col(DirectoryService.withdrawn_at).is_(None))
    services = list(session.exec(statement.order_by(col(DirectoryService.name))).all())
    if not services:
        return []
    ids = [s.id for s in services]
    organisations = {
        o.id: o
        for o in session.exec(
            select(DirectoryOrganisation).where(
                col(DirectoryOrganisation.id).in_({s.organisation_id for s in services})
            )
        ).all()
    }
    by_id = {s.id: ServiceRecord(s, organisations[s.organisation_id]) for s in services}
    for e in session.exec(
        select(DirectoryEligibility)
        .where(col(DirectoryEligibility.service_id).in_(ids))
        .order_by(col(DirectoryEligibility.id))
    ).all():
        by_id[e.service_id].eligibilities.append(e)
    for sal, location in session.exec(
        select(DirectoryServiceAtLocation, DirectoryLocation)
        .join(
            DirectoryLocation, col(DirectoryLocation.id) == DirectoryServiceAtLocation.location_id
        )
        .where(col(DirectoryServiceAtLocation.service_id).in_(ids))
        .order_by(col(DirectoryServiceAtLocation.id))
    ).all():
        by_id[sal.service_id].locations.append((sal, location))
    contacts = list(
        session.exec(
            select(DirectoryContact)
            .where(col(DirectoryContact.service_id).in_(ids))
            .order_by(col(DirectoryContact.id))
        ).all()
    )
    phones: dict[int, list[DirectoryPhone]] = {}
    if contacts:
        for phone in session.exec(
            select(DirectoryPhone)
            .where(col(DirectoryPhone.contact_id).in_([c.id for c in contacts]))
            .order_by(col(DirectoryPhone.id))
        ).all():
            phones.setdefault(phone.contact_id, []).append(phone)
    for contact in contacts:
        assert contact.id is not None
        by_id[contact.service_id].contacts.append((contact, phones.get(contact.id, [])))
    for regular in session.exec(
        select(DirectoryRegularSchedule)
        .where(col(DirectoryRegularSchedule.service_id).in_(ids))
        .order_by(col(DirectoryRegularSchedule.weekday), col(DirectoryRegularSchedule.opens_at))
    ).all():
        by_id[regular.service_id].regular.append(regular)
    for holiday in session.exec(
        select(DirectoryHolidaySchedule)
        .where(col(DirectoryHolidaySchedule.service_id).in_(ids))
        .order_by(col(DirectoryHolidaySchedule.start_date))
    ).all():
        by_id[holiday.service_id].holidays.append(holiday)
    return [by_id[s.id] for s in services]


def record(session: Session, actor: Actor, service_id: int) -> ServiceRecord:
    svc = session.get(DirectoryService, service_id)
    if svc is None:
        raise NotFound(f"There is no service with id {service_id}.")
    readable(session, actor, svc.directory_id)
    return records(session, svc.directory_id, [service_id])[0]


# --- writing ------------------------------------------------------------------------------


def event(
    session: Session,
    actor: Actor,
    directory: ServiceDirectory,
    kind: str,
    service_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    assert directory.id is not None
    session.add(
        DirectoryEvent(
            directory_id=directory.id,
            service_id=service_id,
            actor=actor.user_id,
            actor_role=actor.role.value,
            kind=kind,
            detail=detail,
        )
    )


def touch(directory: ServiceDirectory, actor: Actor) -> None:
    # Bumping the directory's version makes two imports or edits at once a 409, not a mix.
    directory.updated_at = clock.now()
    directory.updated_by = actor.user_id
    directory.version += 1


@service
def open_directory(
    *, session: Session, actor: Actor, prison_code: str, area: str, nation: Nation
) -> ServiceDirectory:
    """A new, empty directory for a prison's release area."""
    prison_code = prison_code.strip().upper()
    if not PRISON_CODE.match(prison_code):
        raise InvalidInput("A prison code is three letters, like LEI.", field="prison_code")
    area = area.strip()
    if not area:
        raise InvalidInput("Enter the release area, such as Leeds.", field="area")
    if actor.role not in MAINTAINERS or (
        actor.role == Role.COORDINATOR and actor.prison_code != prison_code
    ):
        raise Forbidden("Only the prison's coordinators can open its directories.")
    directory = ServiceDirectory(
        prison_code=prison_code, area=area, nation=nation, updated_by=actor.user_id
    )
    session.add(directory)
    session.flush()
    event(session, actor, directory, "opened", detail={"area": area})
    audit.record(session, actor, "open_directory", "service_directory", directory.id)
    note_written(session, directory.id)
    commit(session, "directory")
    return directory


def _organisation(
    session: Session, directory: ServiceDirectory, name: str
) -> DirectoryOrganisation:
    existing = session.exec(
        select(DirectoryOrganisation).where(
            DirectoryOrganisation.directory_id == directory.id,
            DirectoryOrganisation.name == name,
        )
    ).first()
    if existing is not None:
        return existing
    assert directory.id is not None
    organisation = DirectoryOrganisation(
        directory_id=directory.id, oruk_id=new_oruk_id(), name=name, description=""
    )
    session.add(organisation)
    session.flush()
    return organisation


# The parts of a service the form writes, each replaced as a whole when it changes.
PARTS = frozenset({"eligibility", "location", "contacts", "regular", "holidays"})


def changed_parts(before: ServiceDetails, after: ServiceDetails) -> frozenset[str]:
    """The parts a form changed: the others keep what the directory holds beyond the form
    (a second location, a contact's name, an imported schedule's description)."""
    fields = {
        "eligibility": ("women_only", "minimum_age", "maximum_age"),
        "location": ("address_1", "city", "postal_code"),
        "contacts": ("phone", "out_of_hours_phone"),
        "regular": ("opening_times",),
        "holidays": ("holidays",),
    }
    return frozenset(
        part
        for part, names in fields.items()
        if any(getattr(before, n) != getattr(after, n) for n in names)
    )


def _write_details(
    session: Session,
    directory: ServiceDirectory,
    svc: DirectoryService,
    data: ServiceDetails,
    parts: frozenset[str] = PARTS,
) -> None:
    """Writes the form's parts of a service: each part named is replaced as a whole."""
    assert svc.id is not None and directory.id is not None
    _delete_parts(session, [svc.id], parts)
    sid = svc.id
    if "eligibility" in parts and (
        data.women_only or data.minimum_age is not None or data.maximum_age is not None
    ):
        session.add(
            DirectoryEligibility(
                service_id=sid,
                oruk_id=new_oruk_id(),
                eligibility=EligibilityGroup.FEMALE if data.women_only else None,
                minimum_age=data.minimum_age,
                maximum_age=data.maximum_age,
            )
        )
    if "location" in parts and (data.address_1 or data.city or data.postal_code):
        location = DirectoryLocation(
            directory_id=directory.id,
            oruk_id=new_oruk_id(),
            name=data.name,
            address_oruk_id=new_oruk_id(),
            address_1=data.address_1,
            city=data.city,
            postal_code=(data.postal_code or "").upper() or None,
            country="GB",
        )
        session.add(location)
        session.flush()
        assert location.id is not None
        session.add(
            DirectoryServiceAtLocation(
                service_id=sid, location_id=location.id, oruk_id=new_oruk_id()
            )
        )
    if "contacts" in parts and (data.phone or data.out_of_hours_phone):
        contact = DirectoryContact(service_id=sid, oruk_id=new_oruk_id(), name=data.name)
        session.add(contact)
        session.flush()
        assert contact.id is not None
        if data.phone:
            session.add(
                DirectoryPhone(
                    contact_id=contact.id, oruk_id=new_oruk_id(), number=data.phone, type="voice"
                )
            )
        if data.out_of_hours_phone:
            session.add(
                DirectoryPhone(
                    contact_id=contact.id,
                    oruk_id=new_oruk_id(),
                    number=data.out_of_hours_phone,
                    type="voice",
                    description=OUT_OF_HOURS,
                )
            )
    if "regular" in parts:
        for slot in data.opening_times:
            session.add(
                DirectoryRegularSchedule(
                    service_id=sid,
                    oruk_id=new_oruk_id(),
                    weekday=slot.weekday,
                    opens_at=slot.opens_at,
                    closes_at=slot.closes_at,
                )
            )
    if "holidays" in parts:
        for day in data.holidays:
            session.add(
                DirectoryHolidaySchedule(
                    service_id=sid,
                    oruk_id=new_oruk_id(),
                    closed=day.closed,
                    opens_at=None if day.closed else day.opens_at,
                    closes_at=None if day.closed else day.closes_at,
                    start_date=day.start_date,
                    end_date=day.end_date,
                )
            )


def _delete_parts(
    session: Session, service_ids: Sequence[int], parts: frozenset[str] = PARTS
) -> None:
    """Removes the rows of the named parts the services own (a location only where no other
    service is at it)."""
    if not service_ids or not parts:
        return
    ids = list(service_ids)
    if "contacts" in parts:
        contact_ids = select(DirectoryContact.id).where(col(DirectoryContact.service_id).in_(ids))
        session.exec(delete(DirectoryPhone).where(col(DirectoryPhone.contact_id).in_(contact_ids)))
        session.exec(delete(DirectoryContact).where(col(DirectoryContact.service_id).in_(ids)))
    if "eligibility" in parts:
        session.exec(
            delete(DirectoryEligibility).where(col(DirectoryEligibility.service_id).in_(ids))
        )
    if "regular" in parts:
        session.exec(
            delete(DirectoryRegularSchedule).where(
                col(DirectoryRegularSchedule.service_id).in_(ids)
            )
        )
    if "holidays" in parts:
        session.exec(
            delete(DirectoryHolidaySchedule).where(
                col(DirectoryHolidaySchedule.service_id).in_(ids)
            )
        )
    if "location" not in parts:
        return
    # Schedules kept while their location goes say, from now on, when the service opens.
    for table in (DirectoryRegularSchedule, DirectoryHolidaySchedule):
        session.exec(
            update(table).where(col(table.service_id).in_(ids)).values(service_at_location_id=None)
        )
    location_ids = list(
        session.exec(
            select(DirectoryServiceAtLocation.location_id).where(
                col(DirectoryServiceAtLocation.service_id).in_(ids)
            )
        ).all()
    )
    session.exec(
        delete(DirectoryServiceAtLocation).where(
            col(DirectoryServiceAtLocation.service_id).in_(ids)
        )
    )
    if location_ids:
        still_used = select(DirectoryServiceAtLocation.location_id)
        session.exec(
            delete(DirectoryLocation).where(
                col(DirectoryLocation.id).in_(location_ids),
                col(DirectoryLocation.id).not_in(still_used),
            )
        )


@service
def add_service(
    *, session: Session, actor: Actor, directory_id: int, data: ServiceDetails
) -> DirectoryService:
    directory = maintainable(session, actor, directory_id)
    organisation = _organisation(session, directory, data.organisation_name)
    assert organisation.id is not None
    svc = DirectoryService(
        directory_id=directory_id,
        organisation_id=organisation.id,
        oruk_id=new_oruk_id(),
        name=data.name,
        description=data.description,
        url=data.url,
        email=data.email,
        status=data.status,
        needs=list(data.needs),
        updated_by=actor.user_id,
    )
    session.add(svc)
    session.flush()
    _write_details(session, directory, svc, data)
    touch(directory, actor)
    event(session, actor, directory, "service_added", svc.id, {"name": data.name})
    audit.record(session, actor, "add_service", "directory_service", svc.id)
    commit(session, "directory")
    return svc


@service
def change_service(
    *,
    session: Session,
    actor: Actor,
    service_id: int,
    expected_version: int,
    data: ServiceDetails,
) -> DirectoryService:
    svc = session.get(DirectoryService, service_id)
    if svc is None:
        raise NotFound(f"There is no service with id {service_id}.")
    directory = maintainable(session, actor, svc.directory_id)
    check_version(svc, expected_version, "service")
    organisation = _organisation(session, directory, data.organisation_name)
    assert organisation.id is not None
    before = {"name": svc.name, "needs": list(svc.needs), "status": svc.status}
    parts = changed_parts(details_of(records(session, svc.directory_id, [service_id])[0]), data)
    svc.organisation_id = organisation.id
    svc.name = data.name
    svc.description = data.description
    svc.url = data.url
    svc.email = data.email
    svc.status = data.status
    svc.needs = list(data.needs)
    svc.updated_at = clock.now()
    svc.updated_by = actor.user_id
    session.add(svc)
    _write_details(session, directory, svc, data, parts)
    touch(directory, actor)
    event(
        session,
        actor,
        directory,
        "service_changed",
        svc.id,
        {
            "before": before,
            "after": {"name": data.name, "needs": list(data.needs)},
            "parts": sorted(parts),
        },
    )
    audit.record(session, actor, "change_service", "directory_service", svc.id)
    commit(session, "service")
    return svc


def details_of(record: ServiceRecord) -> ServiceDetails:
    """A service as its edit form shows it: what the directory holds, unchecked (an imported
    service may lack what the form requires, such as a need it meets)."""
    location = record.locations[0][1] if record.locations else None
    low, high = record.age_range
    ooh = record.out_of_hours_phone
    return ServiceDetails.model_construct(
        organisation_name=record.organisation.name,
        name=record.service.name,
        description=record.service.description,
        needs=[ServiceNeed(n) for n in record.service.needs],
        status=ServiceStatus(record.service.status),
        email=record.service.email,
        url=record.service.url,
        phone=next((p.number for p in record.phones if p.number != ooh), None),
        out_of_hours_phone=ooh,
        address_1=location.address_1 if location else None,
        city=location.city if location else None,
        postal_code=location.postal_code if location else None,
        women_only=record.women_only,
        minimum_age=low,
        maximum_age=high,
        opening_times=[
            OpeningTimes.model_construct(
                weekday=r.weekday, opens_at=r.opens_at, closes_at=r.closes_at
            )
            for r in record.regular
            if r.opens_at is not None and r.closes_at is not None
        ],
        holidays=[
            HolidayHours.model_construct(
                start_date=h.start_date,
                end_date=h.end_date,
                closed=h.closed,
                opens_at=h.opens_at,
                closes_at=h.closes_at,
            )
            for h in record.holidays
        ],
    )


def clear_parts(session: Session, service_ids: Sequence[int]) -> None:
    """Removes every part the services own inside the caller's transaction, for a re-import to
    write them again from the file. Their locations stay, to be updated in place by their own
    id; the import removes the ones no service is at any more."""
    if not service_ids:
        return
    _delete_parts(session, service_ids, PARTS - {"location"})
    session.exec(
        delete(DirectoryServiceAtLocation).where(
            col(DirectoryServiceAtLocation.service_id).in_(list(service_ids))
        )
    )


def remove_services(session: Session, service_ids: Sequence[int]) -> None:
    """Deletes services and everything they own inside the caller's transaction (the caller has
    checked that nothing else refers to them)."""
    if not service_ids:
        return
    _delete_parts(session, service_ids)
    session.exec(delete(DirectoryService).where(col(DirectoryService.id).in_(list(service_ids))))
