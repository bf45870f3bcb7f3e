"""Open Referral UK in and out: a council's published directory loads as it is, and a
directory exports in the same shape.

The file is JSON in the shape of the standard's API (version 1 of the UK profile of the Human
Services Data Specification): a list of whole services, each with its organization,
service_at_locations (location, physical_addresses), contacts (phones), regular_schedules,
holiday_schedules, eligibilities and service_taxonomies; either a bare list or the API's page
`{"content": [...]}`. The export is that page.

An import makes the directory's contents the file's, in one transaction, only if every record
is valid: otherwise nothing changes and the report names each bad record and field. Councils
publish updates, so a re-import matches organisations, locations and services by the
standard's own id and updates them in place: their integer ids, and so the referrals to them,
stay. A service the file no longer lists is deleted, unless a referral refers to it: then it is
kept, marked withdrawn, for those referrals only.

Where the standard is loose, the choices made here:
- weekday is ISO 8601's 1 (Monday) to 7 (Sunday); `byday` (iCalendar MO..SU), when given,
  must agree, and the export writes both so no reader has to guess.
- Times are London wall-clock times: a suffix (Z or an offset) is read past, since directories
  add "Z" to local times, and the export writes HH:MM:SS without one.
- What a service helps with travels as a service taxonomy in our vocabulary
  (rules.service_needs.VOCABULARY); terms of other vocabularies are read for their words
  (rules.service_needs.needs_from_words) and not kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlmodel import Session, col, delete, select

from resettlement import audit, clock
from resettlement.actors import Actor
from resettlement.errors import InvalidInput
from resettlement.partners import directory as directory_service
from resettlement.partners.models import (
    DirectoryContact,
    DirectoryEligibility,
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
from resettlement.partners.referrals import Referral
from resettlement.transactions import check_version, commit, service
from rules.service_needs import LABELS, VOCABULARY, ServiceNeed, needs_from_words

# A council's whole directory is a few thousand services: a few megabytes.
MAX_BYTES = 20 * 1024 * 1024
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$")


@dataclass(frozen=True)
class RowError:
    """One bad record: which (by its place in the file and its own id and name), and why."""

    record: str
    field: str
    message: str
    # Where in the file: content[2].regular_schedules[0].weekday (or "file").
    path: str = "file"

    def __str__(self) -> str:
        where = f"{self.record}, {self.field}" if self.field else self.record
        return f"{where}: {self.message}"


class ImportRejected(InvalidInput):
    """The file was not loaded: nothing changed. `errors` names each bad record."""

    title = "The directory file was not loaded"

    def __init__(self, errors: list[RowError]) -> None:
        count = len(errors)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the file; nothing was changed. "
            + " ".join(str(e) for e in errors[:20])
            + (" ..." if count > 20 else ""),
            field="file",
            fields=[(e.path, f"{e.record}: {e.message}") for e in errors],
        )
        self.errors = errors


@dataclass
class ImportReport:
    organisations: int = 0
    services: int = 0
    locations: int = 0
    contacts: int = 0
    phones: int = 0
    regular_schedules: int = 0
    holiday_schedules: int = 0
    # Against what the directory held before: the standard's ids of the services added, and the
    # names of those no longer listed (removed, or kept withdrawn for referrals made to them).
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    # Loaded, but worth the coordinator's eye (e.g. a service whose needs could not be read).
    warnings: list[str] = field(default_factory=list)


# --- the standard's shape, as read ----------------------------------------------------------


class _Record(BaseModel):
    # Fields the project does not keep are read past, so a full council file loads.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=100)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        # Some directories number their rows; the standard's identifiers are strings.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _clock_time(value: Any) -> time | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("a time is written HH:MM, like 09:30")
    match = _TIME.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time written HH:MM, like 09:30")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour == 24:
        if minute or second:
            raise ValueError(f"{value!r} is past midnight")
        # 24:00 is the end of the day, which schedules write as 00:00.
        return time(0)
    return time(hour, minute, second)


class OrukOrganization(_Record):
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    email: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=500)


class OrukPhone(_Record):
    number: str = Field(min_length=1, max_length=40)
    type: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=500)


class OrukContact(_Record):
    name: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    phones: list[OrukPhone] = Field(default_factory=list)


class OrukAddress(_Record):
    address_1: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    state_province: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=10)
    country: str | None = Field(default=None, max_length=2)


class OrukLocation(_Record):
    name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    physical_addresses: list[OrukAddress] = Field(default_factory=list, max_length=1)


class OrukLocationRef(_Record):
    pass


class OrukServiceAtLocationRef(_Record):
    location: OrukLocationRef | None = None


class _Schedule(_Record):
    opens_at: time | None = None
    closes_at: time | None = None
    service_at_location: OrukServiceAtLocationRef | None = None

    @field_validator("opens_at", "closes_at", mode="before")
    @classmethod
    def _times(cls, value: Any) -> time | None:
        return _clock_time(value)


class OrukRegularSchedule(_Schedule):
    weekday: int = Field(ge=1, le=7)
    valid_from: date | None = None
    valid_to: date | None = None
    description: str | None = Field(default=None, max_length=500)
    byday: str | None = None

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: Any) -> Any:
        names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        if isinstance(value, str) and value.strip().lower() in names:
            return names.index(value.strip().lower()) + 1
        return value

    @model_validator(mode="after")
    def _agrees(self) -> OrukRegularSchedule:
        day = (self.byday or "").strip().upper()
        if day in BYDAY and BYDAY.index(day) + 1 != self.weekday:
            raise ValueError(
                f"weekday {self.weekday} and byday {self.byday} name different days "
                "(weekday 1 is Monday)"
            )
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class OrukHolidaySchedule(_Schedule):
    closed: bool
    start_date: date
    end_date: date

    @model_validator(mode="after")
    def _consistent(self) -> OrukHolidaySchedule:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if not self.closed and (self.opens_at is None or self.closes_at is None):
            raise ValueError("a day that is not closed needs opens_at and closes_at")
        return self


class OrukServiceAtLocation(_Record):
    location: OrukLocation
    regular_schedules: list[OrukRegularSchedule] = Field(default_factory=list)
    holiday_schedules: list[OrukHolidaySchedule] = Field(default_factory=list)


class OrukEligibility(_Record):
    eligibility: EligibilityGroup | None = None
    minimum_age: int | None = Field(default=None, ge=0, le=130)
    maximum_age: int | None = Field(default=None, ge=0, le=130)


class OrukTaxonomy(_Record):
    name: str = Field(min_length=1, max_length=300)
    vocabulary: str | None = None


class OrukServiceTaxonomy(BaseModel):
    model_config = ConfigDict(extra="ignore")
    taxonomy: OrukTaxonomy


class OrukService(_Record):
    name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    url: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=200)
    status: ServiceStatus = ServiceStatus.ACTIVE
    fees: str | None = Field(default=None, max_length=1000)
    attending_type: str | None = Field(default=None, max_length=20)
    attending_access: str | None = Field(default=None, max_length=20)
    organization: OrukOrganization
    # The API has spelled these both ways over its versions.
    eligibilities: list[OrukEligibility] = Field(
        default_factory=list, validation_alias=AliasChoices("eligibilities", "eligibilitys")
    )
    service_taxonomies: list[OrukServiceTaxonomy] = Field(
        default_factory=list,
        validation_alias=AliasChoices("service_taxonomies", "service_taxonomys"),
    )
    service_at_locations: list[OrukServiceAtLocation] = Field(default_factory=list)
    contacts: list[OrukContact] = Field(default_factory=list)
    regular_schedules: list[OrukRegularSchedule] = Field(default_factory=list)
    holiday_schedules: list[OrukHolidaySchedule] = Field(default_factory=list)


# --- reading a file -----------------------------------------------------------------------


def _describe(position: int, raw: Any) -> str:
    if isinstance(raw, dict):
        name = raw.get("name")
        ident = raw.get("id")
        bits = [f"id {ident!r}" if ident not in (None, "") else "", repr(name) if name else ""]
        named = " ".join(b for b in bits if b)
        return f"Service {position}" + (f" ({named})" if named else "")
    return f"Service {position}"


def _field_path(location: Iterable[int | str]) -> str:
    text = ""
    for part in location:
        text += f"[{part - 0}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def parse(content: bytes) -> list[OrukService]:
    """Reads and checks a whole file, or raises ImportRejected naming every bad record."""
    if len(content) > MAX_BYTES:
        raise ImportRejected([RowError("The file", "", "is larger than 20 MB")])
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ImportRejected([RowError("The file", "", f"is not JSON ({exc})")]) from None
    if isinstance(data, dict) and isinstance(data.get("content"), list):
        data = data["content"]
    if not isinstance(data, list):
        raise ImportRejected(
            [RowError("The file", "", "should be a list of services, or a page with content")]
        )
    errors: list[RowError] = []
    services: list[OrukService] = []
    for position, raw in enumerate(data, start=1):
        record = _describe(position, raw)
        try:
            services.append(OrukService.model_validate(raw))
        except ValidationError as exc:
            for problem in exc.errors():
                where = _field_path(problem["loc"])
                path = f"content[{position - 1}]" + (f".{where}" if where else "")
                errors.append(RowError(record, where, _plain(problem["msg"]), path))
    if not errors:
        errors = _cross_checks(services)
    if errors:
        raise ImportRejected(errors)
    if not services:
        raise ImportRejected([RowError("The file", "", "has no services in it")])
    return services


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")


def _cross_checks(services: list[OrukService]) -> list[RowError]:
    """What one record cannot say alone: identifiers used twice for different things, and
    schedules that point at a location the service is not at."""
    errors: list[RowError] = []
    seen_services: dict[str, int] = {}
    organisations: dict[str, OrukOrganization] = {}
    locations: dict[str, OrukLocation] = {}
    for position, svc in enumerate(services, start=1):
        record = _describe(position, {"id": svc.id, "name": svc.name})

        def bad(
            where: str, message: str, record: str = record, position: int = position
        ) -> RowError:
            return RowError(record, where, message, f"content[{position - 1}].{where}")

        if svc.id in seen_services:
            errors.append(bad("id", f"is also the id of service {seen_services[svc.id]}"))
        seen_services[svc.id] = position
        org = organisations.setdefault(svc.organization.id, svc.organization)
        if org != svc.organization:
            errors.append(
                bad(
                    "organization",
                    f"organization {svc.organization.id!r} is described differently elsewhere",
                )
            )
        sal_ids = set()
        for index, sal in enumerate(svc.service_at_locations):
            sal_ids.add(sal.id)
            known = locations.setdefault(sal.location.id, sal.location)
            if known != sal.location:
                errors.append(
                    bad(
                        f"service_at_locations[{index}].location",
                        f"location {sal.location.id!r} is described differently elsewhere",
                    )
                )
        for name, rows in (
            ("regular_schedules", svc.regular_schedules),
            ("holiday_schedules", svc.holiday_schedules),
        ):
            for index, entry in enumerate(rows):
                ref = entry.service_at_location
                if ref is not None and ref.id not in sal_ids:
                    errors.append(
                        bad(
                            f"{name}[{index}].service_at_location",
                            f"{ref.id!r} is not one of this service's locations",
                        )
                    )
        for kind, ids in _ids_within(svc).items():
            doubled = sorted({i for i in ids if ids.count(i) > 1})
            if doubled:
                errors.append(bad(kind, f"the id {doubled[0]!r} is used twice"))
    return errors


def _ids_within(svc: OrukService) -> dict[str, list[str]]:
    regular = [r.id for r in svc.regular_schedules] + [
        r.id for sal in svc.service_at_locations for r in sal.regular_schedules
    ]
    holiday = [h.id for h in svc.holiday_schedules] + [
        h.id for sal in svc.service_at_locations for h in sal.holiday_schedules
    ]
    return {
        "service_at_locations": [s.id for s in svc.service_at_locations],
        "contacts": [c.id for c in svc.contacts],
        "regular_schedules": regular,
        "holiday_schedules": holiday,
        "eligibilities": [e.id for e in svc.eligibilities],
    }


def needs_of(svc: OrukService) -> list[ServiceNeed]:
    found: list[ServiceNeed] = []
    for link in svc.service_taxonomies:
        term = link.taxonomy
        if term.vocabulary == VOCABULARY:
            candidates: Iterable[ServiceNeed] = (
                [ServiceNeed(term.id)] if term.id in ServiceNeed._value2member_map_ else []
            )
        else:
            candidates = needs_from_words(term.name)
        found.extend(n for n in candidates if n not in found)
    return found


# --- loading ------------------------------------------------------------------------------


@service
def import_directory(
    *,
    session: Session,
    actor: Actor,
    directory_id: int,
    expected_version: int,
    content: bytes,
) -> ImportReport:
    """Makes the directory's contents the file's, all or nothing, keeping what is matched."""
    directory = directory_service.maintainable(session, actor, directory_id)
    check_version(directory, expected_version, "directory")
    services = parse(content)
    report = _load(session, directory, services)
    _settle_unlisted(session, directory, {svc.id for svc in services}, report)
    directory_service.touch(directory, actor)
    session.add(directory)
    directory_service.event(
        session,
        actor,
        directory,
        "imported",
        detail={
            "services": report.services,
            "organisations": report.organisations,
            "added": report.added,
            "removed": report.removed,
            "withdrawn": report.withdrawn,
        },
    )
    audit.record(session, actor, "import_directory", "service_directory", directory.id)
    commit(session, "directory")
    return report


def _existing(
    session: Session, table: Any, directory_id: int, *, lock: bool = False
) -> dict[str, Any]:
    statement = select(table).where(table.directory_id == directory_id)
    rows = session.exec(statement.with_for_update() if lock else statement).all()
    return {row.oruk_id: row for row in rows}


def _settle_unlisted(
    session: Session, directory: ServiceDirectory, listed: set[str], report: ImportReport
) -> None:
    """Deletes what the file no longer lists; services and organisations referrals point at
    stay (a referral keeps showing whom it went to), the services marked withdrawn."""
    assert directory.id is not None
    # Locked first, so a referral being made to one of them meanwhile is either seen below or
    # waits for this commit (then a deleted service's referral breaks its link and is refused;
    # a withdrawn one's stands, and its service is kept).
    unlisted = [
        row
        for oruk_id, row in _existing(session, DirectoryService, directory.id, lock=True).items()
        if oruk_id not in listed
    ]
    referred = set(
        session.exec(
            select(Referral.service_id).where(
                col(Referral.service_id).in_([row.id for row in unlisted])
            )
        ).all()
    )
    gone: list[int] = []
    for row in sorted(unlisted, key=lambda r: r.name):
        assert row.id is not None
        if row.id in referred:
            if row.withdrawn_at is None:
                row.withdrawn_at = clock.now()
                row.updated_at = clock.now()
                session.add(row)
            report.withdrawn.append(row.name)
        else:
            gone.append(row.id)
            report.removed.append(row.name)
    session.flush()
    directory_service.remove_services(session, gone)
    in_use = select(DirectoryServiceAtLocation.location_id)
    session.exec(
        delete(DirectoryLocation).where(
            col(DirectoryLocation.directory_id) == directory.id,
            col(DirectoryLocation.id).not_in(in_use),
        )
    )
    session.exec(
        delete(DirectoryOrganisation).where(
            col(DirectoryOrganisation.directory_id) == directory.id,
            col(DirectoryOrganisation.id).not_in(select(DirectoryService.organisation_id)),
            col(DirectoryOrganisation.id).not_in(select(Referral.organisation_id)),
        )
    )


def _load(
    session: Session, directory: ServiceDirectory, services: list[OrukService]
) -> ImportReport:
    assert directory.id is not None
    report = ImportReport()
    old_organisations = _existing(session, DirectoryOrganisation, directory.id)
    old_locations = _existing(session, DirectoryLocation, directory.id)
    old_services = _existing(session, DirectoryService, directory.id)
    # The file says again what each listed service owns: its old parts go first.
    listed = {svc.id for svc in services}
    directory_service.clear_parts(
        session, [row.id for oruk_id, row in old_services.items() if oruk_id in listed]
    )
    organisations: dict[str, DirectoryOrganisation] = {}
    locations: dict[str, DirectoryLocation] = {}
    for svc in services:
        if svc.organization.id not in organisations:
            org = old_organisations.get(svc.organization.id) or DirectoryOrganisation(
                directory_id=directory.id, oruk_id=svc.organization.id, name=svc.organization.name
            )
            org.name = svc.organization.name
            org.description = svc.organization.description
            org.email = svc.organization.email
            org.url = svc.organization.url
            session.add(org)
            organisations[svc.organization.id] = org
        for sal in svc.service_at_locations:
            if sal.location.id not in locations:
                fresh = _location(directory.id, sal.location)
                kept = old_locations.get(sal.location.id)
                if kept is not None:
                    for name, value in fresh.model_dump(exclude={"id"}).items():
                        setattr(kept, name, value)
                    fresh = kept
                locations[sal.location.id] = fresh
                session.add(fresh)
    session.flush()
    report.organisations = len(organisations)
    report.locations = len(locations)
    for svc in services:
        needs = needs_of(svc)
        if not needs:
            report.warnings.append(
                f"{svc.name!r} (id {svc.id!r}): no need it meets could be read from its "
                "taxonomy; add what it helps with before it can be suggested."
            )
        org_id = organisations[svc.organization.id].id
        assert org_id is not None
        row = old_services.get(svc.id)
        if row is None:
            row = DirectoryService(
                directory_id=directory.id, organisation_id=org_id, oruk_id=svc.id, name=svc.name
            )
            report.added.append(svc.id)
        else:
            # Listed again: the same row, so referrals to it keep pointing at it.
            row.withdrawn_at = None
            row.updated_at = clock.now()
        row.organisation_id = org_id
        row.name = svc.name
        row.description = svc.description
        row.url = svc.url
        row.email = svc.email
        row.status = svc.status
        row.fees = svc.fees
        row.attending_type = svc.attending_type
        row.attending_access = svc.attending_access
        row.needs = needs
        session.add(row)
        session.flush()
        assert row.id is not None
        report.services += 1
        for e in svc.eligibilities:
            session.add(
                DirectoryEligibility(
                    service_id=row.id,
                    oruk_id=e.id,
                    eligibility=e.eligibility,
                    minimum_age=e.minimum_age,
                    maximum_age=e.maximum_age,
                )
            )
        sal_rows: dict[str, int] = {}
        for sal in svc.service_at_locations:
            location_id = locations[sal.location.id].id
            assert location_id is not None
            sal_row = DirectoryServiceAtLocation(
                service_id=row.id, location_id=location_id, oruk_id=sal.id
            )
            session.add(sal_row)
            session.flush()
            assert sal_row.id is not None
            sal_rows[sal.id] = sal_row.id
        for contact in svc.contacts:
            contact_row = DirectoryContact(
                service_id=row.id,
                oruk_id=contact.id,
                name=contact.name,
                title=contact.title,
                email=contact.email,
            )
            session.add(contact_row)
            session.flush()
            assert contact_row.id is not None
            report.contacts += 1
            for phone in contact.phones:
                session.add(
                    DirectoryPhone(
                        contact_id=contact_row.id,
                        oruk_id=phone.id,
                        number=phone.number,
                        type=phone.type,
                        description=phone.description,
                    )
                )
                report.phones += 1
        regular = [
            (r, r.service_at_location and r.service_at_location.id) for r in svc.regular_schedules
        ]
        holiday = [
            (h, h.service_at_location and h.service_at_location.id) for h in svc.holiday_schedules
        ]
        for sal in svc.service_at_locations:
            regular += [(r, sal.id) for r in sal.regular_schedules]
            holiday += [(h, sal.id) for h in sal.holiday_schedules]
        for r, sal_id in regular:
            session.add(
                DirectoryRegularSchedule(
                    service_id=row.id,
                    service_at_location_id=sal_rows[sal_id] if sal_id else None,
                    oruk_id=r.id,
                    weekday=r.weekday,
                    opens_at=r.opens_at,
                    closes_at=r.closes_at,
                    valid_from=r.valid_from,
                    valid_to=r.valid_to,
                    description=r.description,
                )
            )
            report.regular_schedules += 1
        for h, sal_id in holiday:
            session.add(
                DirectoryHolidaySchedule(
                    service_id=row.id,
                    service_at_location_id=sal_rows[sal_id] if sal_id else None,
                    oruk_id=h.id,
                    closed=h.closed,
                    opens_at=h.opens_at,
                    closes_at=h.closes_at,
                    start_date=h.start_date,
                    end_date=h.end_date,
                )
            )
            report.holiday_schedules += 1
    session.flush()
    return report


def _location(directory_id: int, location: OrukLocation) -> DirectoryLocation:
    address = location.physical_addresses[0] if location.physical_addresses else None
    return DirectoryLocation(
        directory_id=directory_id,
        oruk_id=location.id,
        name=location.name,
        description=location.description,
        latitude=location.latitude,
        longitude=location.longitude,
        address_oruk_id=address.id if address else None,
        address_1=address.address_1 if address else None,
        city=address.city if address else None,
        state_province=address.state_province if address else None,
        postal_code=address.postal_code if address else None,
        country=address.country if address else None,
    )


# --- writing a file -----------------------------------------------------------------------


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    # The standard's schema types each field: a field we have no value for is left out, not null.
    return {k: v for k, v in values.items() if v is not None}


def _time_text(value: time | None) -> str | None:
    return value.strftime("%H:%M:%S") if value is not None else None


def export_services(records: list[directory_service.ServiceRecord]) -> list[dict[str, Any]]:
    return [_service_json(r) for r in records]


def export_page(session: Session, actor: Actor, directory_id: int) -> dict[str, Any]:
    """The directory as the standard's API page of services; the read is audited."""
    directory = directory_service.readable(session, actor, directory_id)
    content = export_services(directory_service.records(session, directory_id))
    audit.record(session, actor, "export_directory", "service_directory", directory.id)
    commit(session, "audit")
    return {
        "totalElements": len(content),
        "totalPages": 1,
        "number": 1,
        "size": len(content),
        "first": True,
        "last": True,
        "content": content,
    }


def _service_json(record: directory_service.ServiceRecord) -> dict[str, Any]:
    svc, org = record.service, record.organisation
    sal_ref = {sal.id: (sal, location) for sal, location in record.locations}

    def where(sal_id: int | None) -> dict[str, Any] | None:
        if sal_id is None or sal_id not in sal_ref:
            return None
        sal, location = sal_ref[sal_id]
        return {"id": sal.oruk_id, "location": {"id": location.oruk_id}}

    return _clean(
        {
            "id": svc.oruk_id,
            "name": svc.name,
            "description": svc.description,
            "url": svc.url,
            "email": svc.email,
            "status": str(svc.status),
            "fees": svc.fees,
            "attending_type": svc.attending_type,
            "attending_access": svc.attending_access,
            "organization": _clean(
                {
                    "id": org.oruk_id,
                    "name": org.name,
                    "description": org.description,
                    "email": org.email,
                    "url": org.url,
                }
            ),
            "service_taxonomies": [
                {
                    "id": f"{svc.oruk_id}-{need}",
                    "taxonomy": {
                        "id": str(need),
                        "name": LABELS[ServiceNeed(need)][0],
                        "vocabulary": VOCABULARY,
                    },
                }
                for need in svc.needs
            ],
            "eligibilities": [
                _clean(
                    {
                        "id": e.oruk_id,
                        "eligibility": str(e.eligibility) if e.eligibility else None,
                        # The schema requires both ages as numbers: no limit is 0 and 120.
                        "minimum_age": e.minimum_age or 0,
                        "maximum_age": directory_service.NO_AGE_LIMIT
                        if e.maximum_age is None
                        else e.maximum_age,
                    }
                )
                for e in record.eligibilities
            ],
            "service_at_locations": [
                {"id": sal.oruk_id, "location": _location_json(location)}
                for sal, location in record.locations
            ],
            "contacts": [
                _clean(
                    {
                        "id": contact.oruk_id,
                        "name": contact.name,
                        "title": contact.title,
                        "email": contact.email,
                        "phones": [
                            _clean(
                                {
                                    "id": p.oruk_id,
                                    "number": p.number,
                                    "type": p.type,
                                    "description": p.description,
                                }
                            )
                            for p in phones
                        ],
                    }
                )
                for contact, phones in record.contacts
            ],
            "regular_schedules": [
                _clean(
                    {
                        "id": r.oruk_id,
                        "weekday": r.weekday,
                        "byday": BYDAY[r.weekday - 1],
                        "freq": "WEEKLY",
                        "opens_at": _time_text(r.opens_at),
                        "closes_at": _time_text(r.closes_at),
                        "valid_from": r.valid_from.isoformat() if r.valid_from else None,
                        "valid_to": r.valid_to.isoformat() if r.valid_to else None,
                        "description": r.description,
                        "service_at_location": where(r.service_at_location_id),
                    }
                )
                for r in record.regular
            ],
            "holiday_schedules": [
                _clean(
                    {
                        "id": h.oruk_id,
                        "closed": h.closed,
                        "opens_at": _time_text(h.opens_at),
                        "closes_at": _time_text(h.closes_at),
                        "start_date": h.start_date.isoformat(),
                        "end_date": h.end_date.isoformat(),
                        "service_at_location": where(h.service_at_location_id),
                    }
                )
                for h in record.holidays
            ],
        }
    )


def _location_json(location: DirectoryLocation) -> dict[str, Any]:
    address = (
        [
            _clean(
                {
                    "id": location.address_oruk_id,
                    "address_1": location.address_1,
                    "city": location.city,
                    "state_province": location.state_province,
                    "postal_code": location.postal_code,
                    "country": location.country,
                }
            )
        ]
        if location.address_oruk_id
        else []
    )
    return _clean(
        {
            "id": location.oruk_id,
            "name": location.name,
            "description": location.description,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "physical_addresses": address,
        }
    )
