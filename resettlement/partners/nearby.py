"""Who is open in the person's first 48 hours: the directory's services near their release
area that meet their needs and that they may use, each with its opening in those 48 hours.

The release area's directory is the person's prison's directory whose area is named in the
night-one address; a prison with a single directory uses it for everyone it releases.
Needs come from the plan's checklist (every item that applies, done or not: a GP registered
in advance is still the place to go) and from the person's circumstances (rules/service_needs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from resettlement.models import ChecklistItem, ChecklistStatus, Person, ReleasePlan, Sex
from resettlement.partners import directory
from resettlement.partners.models import ServiceDirectory, ServiceStatus
from rules.checklists import Need
from rules.opening_hours import (
    Availability,
    FirstHours,
    HolidayOpening,
    WeeklyOpening,
    first_48_hours,
    walk_out_moment,
)
from rules.service_needs import ServiceNeed, needs_for


@dataclass(frozen=True)
class NearbyService:
    record: directory.ServiceRecord
    hours: FirstHours
    # The person's needs this service meets, in the service's own order.
    meets: tuple[ServiceNeed, ...]


@dataclass
class WhoIsOpen:
    directory: ServiceDirectory | None
    walk_out: datetime | None
    services: list[NearbyService] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(1 for s in self.services if s.hours.availability is not Availability.CLOSED)


def release_directory(
    session: Session, prison_code: str, address: str | None
) -> ServiceDirectory | None:
    found = directory.directories(session, prison_code)
    words = (address or "").lower()
    named = [d for d in found if d.area.lower() in words]
    if named:
        # The longest name wins: "North Leeds" before "Leeds".
        return max(named, key=lambda d: len(d.area))
    return found[0] if len(found) == 1 else None


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def person_needs(session: Session, plan: ReleasePlan, person: Person) -> frozenset[ServiceNeed]:
    keys = session.exec(
        select(ChecklistItem.key).where(
            ChecklistItem.plan_id == plan.id,
            col(ChecklistItem.status) != ChecklistStatus.NOT_NEEDED.value,
        )
    ).all()
    return needs_for(keys, [Need(n) for n in person.needs])


def hours_of(record: directory.ServiceRecord, walk_out: datetime, nation: str) -> FirstHours:
    return first_48_hours(
        weekly=[
            WeeklyOpening(r.weekday, r.opens_at, r.closes_at, r.valid_from, r.valid_to)
            for r in record.regular
        ],
        holidays=[
            HolidayOpening(h.start_date, h.end_date, h.closed, h.opens_at, h.closes_at)
            for h in record.holidays
        ],
        walk_out=walk_out,
        nation=nation,
        out_of_hours_phone=record.out_of_hours_phone,
    )


def who_is_open(session: Session, plan: ReleasePlan, person: Person) -> WhoIsOpen:
    """The caller has already checked that the reader may see this plan."""
    found = release_directory(session, person.prison_code, plan.accommodation_address)
    if found is None or found.id is None or plan.walk_out_date is None:
        return WhoIsOpen(found, None)
    walk_out = walk_out_moment(plan.walk_out_date)
    wanted = person_needs(session, plan, person)
    woman = Need.WOMAN.value in person.needs or person.sex == Sex.FEMALE.value
    age = _age(person.date_of_birth, plan.walk_out_date)
    services = []
    for record in directory.records(session, found.id):
        if record.service.status != ServiceStatus.ACTIVE.value:
            continue
        meets = tuple(ServiceNeed(n) for n in record.service.needs if n in wanted)
        if not meets or not record.eligible(woman=woman, age=age):
            continue
        services.append(NearbyService(record, hours_of(record, walk_out, found.nation), meets))
    services.sort(key=lambda s: (_first_open(s.hours), s.record.service.name))
    return WhoIsOpen(found, walk_out, services)


def _first_open(hours: FirstHours) -> datetime:
    """Soonest open first; closed services last, soonest to open again first among them."""
    if hours.openings:
        return max(hours.openings[0].starts, hours.window_starts)
    if hours.next_opening is not None:
        return hours.next_opening
    return datetime.max.replace(tzinfo=hours.window_starts.tzinfo)


def for_plan(session: Session, plan_id: int) -> WhoIsOpen:
    """For a reader already let in to the plan (the person, through their signed-in link)."""
    plan = session.get(ReleasePlan, plan_id)
    person = session.get(Person, plan.person_id) if plan is not None else None
    if plan is None or person is None:
        return WhoIsOpen(None, None)
    return who_is_open(session, plan, person)
