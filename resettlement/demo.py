"""Demo data: about 30 made-up people at different stages, all generated with faker.

Every name, number and address here is fake. Dates are relative to today so the demo always
shows people a few days, weeks and months from release, some on Fridays or before bank holidays.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from faker import Faker
from sqlmodel import Session, select

from resettlement import (
    checklists,
    clock,
    demo_history,
    early_release,
    forty_eight_hours,
    plans,
    staff,
)
from resettlement.actors import Actor, Role
from resettlement.errors import DomainError
from resettlement.models import (
    AppointmentCreate,
    AppointmentKind,
    ChecklistStatus,
    ContactKind,
    Disability,
    EarlyReleaseRequest,
    EthnicGroup,
    GoalArea,
    GoalBase,
    Language,
    Person,
    PersonCreate,
    ReleasePlan,
    Religion,
    RequestState,
    ResettlementNeed,
    Sex,
    SupportContactCreate,
)
from resettlement.partners import directory, open_referral
from resettlement.partners.sample_directory import made_up_directory
from resettlement.staff import PRISON_CASE_MANAGER, StaffMember
from resettlement.transactions import get_or_404
from rules.calendars import add_working_days
from rules.checklists import CORE_KEYS, Need
from rules.nations import Nation
from rules.release_dates import SentenceType, permitted_days


@dataclass(frozen=True)
class DemoPrison:
    code: str
    name: str
    nation: Nation
    # The release area its demo directory of services covers.
    area: str


PRISONS = (
    DemoPrison("MDI", "HMP Moorland", Nation.ENGLAND_AND_WALES, "Doncaster"),
    DemoPrison("BWI", "HMP Berwyn", Nation.ENGLAND_AND_WALES, "Wrexham"),
    DemoPrison("SDI", "HMP Send", Nation.ENGLAND_AND_WALES, "Guildford"),
    DemoPrison("BAR", "HMP Barlinnie", Nation.SCOTLAND, "Glasgow"),
    DemoPrison("MGH", "HMP Maghaberry", Nation.NORTHERN_IRELAND, "Belfast"),
)
COORDINATORS = {p.code: f"coord-{p.code.lower()}" for p in PRISONS}
OFFICERS = ("po-ashworth", "po-begum", "po-cadwaladr")
GOVERNORS = {p.code: f"governor-{p.code.lower()}" for p in PRISONS}
CASE_MANAGERS = {p.code: f"pcm-{p.code.lower()}" for p in PRISONS}
ADMIN = "admin-demo"
# Made-up officers; the other staff's names come from faker. Phone numbers are in Ofcom's
# range for drama (020 7946 0000 to 0999), so none reaches a real person.
OFFICER_NAMES = {
    "po-ashworth": ("Ann Ashworth", "Leeds North probation team"),
    "po-begum": ("Bilal Begum", "Bradford probation team"),
    "po-cadwaladr": ("Carys Cadwaladr", "Wrexham probation team"),
}
GOAL_WORDS = {
    GoalArea.FAMILY: "See my kids every weekend and be there for my daughter's birthday.",
    GoalArea.WORK: "Get a job in a warehouse or on a building site, anything with regular hours.",
    GoalArea.LEARNING: "Finish my level 2 maths that I started inside.",
    GoalArea.HEALTH: "Stay clean and keep going to the group.",
    GoalArea.SPORT: "Get back into boxing at the club near my mum's.",
    GoalArea.ARTS: "Keep drawing. I want to do a course.",
    GoalArea.FAITH: "Find a mosque near the hostel.",
}


def _prison_number(fake: Faker) -> str:
    return fake.bothify("?####??", letters="ABCDEFGHJKLMNPRSTUVWXYZ").upper()


def _crn(fake: Faker) -> str:
    return fake.bothify("?######", letters="ABCDEFGHJKLMNPRSTUVWXYZ").upper()


def _release_offsets(count: int, rng: random.Random, today: date) -> list[date]:
    """Walk-out dates spread from last week to four months ahead, with Fridays and holidays."""
    wanted: list[date] = []
    # Releases that land on a Friday, a Saturday (moves to Friday) and before Christmas.
    for days in (4, 11, 25, 32, 46, 53):
        d = today + timedelta(days=days)
        wanted.append(d + timedelta(days=(4 - d.weekday()) % 7))
    for year in (today.year, today.year + 1):
        for special in (date(year, 12, 24), date(year, 12, 31), date(year, 12, 26)):
            if today < special <= today + timedelta(days=150):
                wanted.append(special)
    # People released in the last fortnight (midweek, so not flagged): released or completed.
    for days in (2, 6, 9, 13):
        d = today - timedelta(days=days)
        wanted.append(d - timedelta(days=(d.weekday() - 2) % 7))
    while len(wanted) < count:
        wanted.append(today + timedelta(days=rng.randint(-6, 130)))
    return wanted[:count]


def demo_staff(seed_value: int = 20261123) -> list[StaffMember]:
    """The demo's staff: officers, a governor and a case manager per prison, an admin."""
    fake = Faker("en_GB")
    fake.seed_instance(seed_value + 1)
    numbers = iter(range(100, 1000, 7))

    def phone() -> str:
        return f"020 7946 0{next(numbers):03d}"

    def email(name: str) -> str:
        return name.lower().replace(" ", ".").replace("'", "") + "@justice.example"

    members = [
        StaffMember(
            user_id=user_id,
            name=name,
            role=Role.PROBATION_OFFICER.value,
            team=team,
            email=email(name),
            phone=phone(),
        )
        for user_id, (name, team) in OFFICER_NAMES.items()
    ]
    for prison in PRISONS:
        for user_id, role in (
            (GOVERNORS[prison.code], Role.GOVERNOR.value),
            (CASE_MANAGERS[prison.code], PRISON_CASE_MANAGER),
            (COORDINATORS[prison.code], Role.COORDINATOR.value),
        ):
            name = f"{fake.first_name()} {fake.last_name()}"
            members.append(
                StaffMember(
                    user_id=user_id,
                    name=name,
                    role=role,
                    prison_code=prison.code,
                    team=f"{prison.name} resettlement team"
                    if role == PRISON_CASE_MANAGER
                    else None,
                    email=email(name),
                    phone=phone(),
                )
            )
    members.append(
        StaffMember(
            user_id=ADMIN,
            name="Demo Administrator",
            role=Role.ADMIN.value,
            email="resettlement.admin@justice.example",
        )
    )
    return members


def seed_directories(session: Session, seed_value: int = 20261123) -> int:
    """A made-up directory of services for each demo prison's release area, loaded as a
    council's Open Referral UK file is (weekday-only, weekend, nightly and 24-hour services);
    prisons that have a directory already are left as they are. Returns directories added."""
    added = 0
    for index, prison in enumerate(PRISONS):
        if directory.directories(session, prison.code):
            continue
        coordinator = Actor(
            user_id=COORDINATORS[prison.code], role=Role.COORDINATOR, prison_code=prison.code
        )
        opened = directory.open_directory(
            session=session,
            actor=coordinator,
            prison_code=prison.code,
            area=prison.area,
            nation=prison.nation,
        )
        assert opened.id is not None
        services = made_up_directory(prison.area, seed_value + index)
        open_referral.import_directory(
            session=session,
            actor=coordinator,
            directory_id=opened.id,
            expected_version=opened.version,
            content=json.dumps(services).encode(),
        )
        added += 1
    return added


def seed(
    session: Session,
    count: int = 30,
    seed_value: int = 20261123,
    today: date | None = None,
    history: int = demo_history.HISTORY_PLANS,
) -> int:
    """Adds the demo staff (any missing), then `count` demo plans unless the database already
    holds people. Returns plans added. The plans are placed around `today` (by default,
    today). Then `history` completed plans over the last year (demo_history), and a request
    waiting for each governor's decision."""
    staff.add_missing(session=session, members=demo_staff(seed_value))
    seed_directories(session, seed_value)
    if session.exec(select(Person.id).limit(1)).first() is not None:
        return 0
    fake = Faker("en_GB")
    fake.seed_instance(seed_value)
    rng = random.Random(seed_value)
    today = today or clock.today()
    added = 0
    for index, release in enumerate(_release_offsets(count, rng, today)):
        prison = PRISONS[index % len(PRISONS)] if index % 6 else PRISONS[index % 3]
        officer = OFFICERS[index % len(OFFICERS)]
        actor = Actor(user_id=officer, role=Role.PROBATION_OFFICER)
        woman = prison.code == "SDI" or rng.random() < 0.15
        needs: list[Need] = []
        if woman:
            needs.append(Need.WOMAN)
        age = rng.choice([22, 27, 34, 41, 48, 56, 63, 68, 72])
        if age >= 50:
            needs.append(Need.OLDER_PERSON)
        if rng.random() < 0.2:
            needs.append(Need.LEARNING_DISABILITY)
        if rng.random() < 0.15:
            needs.append(Need.AUTISM_OR_ADHD)
        if age < 25 and rng.random() < 0.6:
            needs.append(Need.CARE_LEAVER)
        consent = rng.random() < 0.8
        dob = fake.date_of_birth(minimum_age=age, maximum_age=age)
        term = rng.choice([120, 240, 300, 540, 900, 1460])
        sentence_date = min(release - timedelta(days=term // 2), today - timedelta(days=30))
        data = plans.PlanCreate(
            person=PersonCreate(
                prison_number=_prison_number(fake),
                crn=_crn(fake),
                given_name=fake.first_name_female() if woman else fake.first_name_male(),
                family_name=fake.last_name(),
                date_of_birth=dob,
                nation=prison.nation,
                prison_code=prison.code,
                preferred_language=Language.CY
                if prison.code == "BWI" and index % 2
                else Language.EN,
                needs=needs,
                reasonable_adjustments="Easy read documents, please explain letters aloud."
                if Need.LEARNING_DISABILITY in needs
                else None,
                monitoring_consent=consent,
                ethnic_group=rng.choice(list(EthnicGroup)) if consent else None,
                sex=(Sex.FEMALE if woman else Sex.MALE) if consent else None,
                disability=rng.choice(list(Disability)) if consent else None,
                religion=rng.choice(list(Religion)) if consent else None,
            ),
            probation_officer_id=officer,
            sentence_type=SentenceType.DETERMINATE if index % 9 else SentenceType.HDC,
            sentence_date=sentence_date,
            requested_release_date=release,
            term_days=term,
        )
        try:
            plan = plans.open_plan(session=session, actor=actor, data=data)
        except DomainError:
            session.rollback()
            continue
        added += 1
        _move_along(session, plan.id, actor, fake, rng, today)  # type: ignore[arg-type]
    # Imported here: the partners' package builds on the plans this module has just made.
    from resettlement.partners.demo_referrals import seed_referrals

    seed_referrals(session, [(p.code, p.nation) for p in PRISONS], seed_value, today)
    if history:
        demo_history.add_year(session, seed_value, today, plans=history)
        demo_history.fill_governor_queues(session, seed_value, today)
    return added


def _move_along(
    session: Session, plan_id: int, actor: Actor, fake: Faker, rng: random.Random, today: date
) -> None:
    """Takes a demo plan as far as its walk-out date says it would have gone by now."""
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    if plan.walk_out_date is None:
        return
    days_left = (plan.walk_out_date - today).days
    if days_left > 84:
        return
    plan = plans.transition(
        session=session,
        actor=actor,
        plan_id=plan_id,
        event="start_resettlement_planning",
        expected_version=plan.version,
    )
    areas = rng.sample(sorted(GOAL_WORDS), k=2)
    plans.replace_goals(
        session=session,
        actor=actor,
        plan_id=plan_id,
        expected_version=plan.version,
        goals=[GoalBase(area=a, in_their_words=GOAL_WORDS[a]) for a in areas],
    )
    session.refresh(plan)
    for key in sorted(CORE_KEYS):
        if rng.random() < 0.85 or days_left <= 14:
            checklists.update_item(
                session=session,
                actor=actor,
                plan_id=plan_id,
                key=key,
                expected_version=plan.version,
                status=ChecklistStatus.DONE if days_left < 7 else ChecklistStatus.IN_PROGRESS,
            )
            session.refresh(plan)
    if days_left > 14:
        return
    plan = plans.transition(
        session=session,
        actor=actor,
        plan_id=plan_id,
        event="start_pre_release",
        expected_version=plan.version,
    )
    _forty_eight_hour_plan(session, plan_id, actor, fake, rng, today)
    session.refresh(plan)
    _assess_flagged(session, plan_id, actor, rng)
    session.refresh(plan)
    if plan.walk_out_date is not None and plan.walk_out_date <= today:
        try:
            plan = plans.transition(
                session=session,
                actor=actor,
                plan_id=plan_id,
                event="release",
                expected_version=plan.version,
                today=today,
            )
        except DomainError:
            return
        if plan.walk_out_date and (today - plan.walk_out_date).days >= 7:
            plans.record_followup(
                session=session,
                actor=actor,
                plan_id=plan_id,
                expected_version=plan.version,
                data=plans.FollowUp(
                    first_appointment_attended=True,
                    night_in_planned_accommodation=rng.random() < 0.8,
                    gp_registered=rng.random() < 0.6,
                    universal_credit_claim_made=rng.random() < 0.7,
                    id_in_hand=rng.random() < 0.7,
                    bank_account_in_hand=rng.random() < 0.6,
                ),
            )


def _forty_eight_hour_plan(
    session: Session, plan_id: int, actor: Actor, fake: Faker, rng: random.Random, today: date
) -> None:
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    plan = plans.set_night_one(
        session=session,
        actor=actor,
        plan_id=plan_id,
        expected_version=plan.version,
        data=plans.NightOne(
            accommodation_address=fake.address().replace("\n", ", "),
            accommodation_contact=f"{fake.first_name()} at the front desk",
            accommodation_from="2pm",
            travel_arrangements="Travel warrant for the train; the station is a 10 minute walk "
            "from the gate: turn left, follow the main road to the roundabout.",
        ),
    )
    walk_out = plan.walk_out_date or today
    # A released person's appointments were booked before their walk-out day.
    booked_on = min(walk_out, today)
    slots = [
        (AppointmentKind.PROBATION, time(10, 0), "Probation office, " + fake.street_address()),
        (AppointmentKind.GP, time(14, 30), fake.company() + " Surgery, " + fake.street_address()),
        (AppointmentKind.JOBCENTRE, time(11, 0), "Jobcentre Plus, " + fake.street_address()),
    ]
    nation = get_or_404(session, Person, plan.person_id, "person").nation
    for day, (kind, at, where) in enumerate(slots):
        # The Jobcentre on the first working day after walk-out, as the checklist asks.
        on = add_working_days(walk_out, day // 2, nation)
        starts = datetime.combine(on, at, tzinfo=clock.LONDON)
        forty_eight_hours.add_appointment(
            session=session,
            actor=actor,
            plan_id=plan_id,
            expected_version=plan.version,
            data=AppointmentCreate.model_validate(
                {
                    "kind": kind,
                    "starts_at": starts,
                    "location": where,
                    "with_whom": fake.name(),
                    "what_to_bring": "Your release licence and any ID you have.",
                },
                context={"today": booked_on},
            ),
            today=booked_on,
        )
        session.refresh(plan)
    # Ofcom's drama ranges (07700 900xxx, 0113 496 0xxx): faker's own UK numbers are
    # sometimes too short to be a number at all, and a made-up number must never be anyone's.
    for contact_kind, name, phone, hours in (
        (
            ContactKind.PROBATION_OFFICER,
            fake.name(),
            f"07700 900{rng.randrange(1000):03d}",
            "Mon-Fri 9am-5pm",
        ),
        (
            ContactKind.OUT_OF_HOURS,
            "Probation out of hours",
            f"0113 496 0{rng.randrange(1000):03d}",
            "Any time",
        ),
        (
            ContactKind.SUPPORT_ORGANISATION,
            fake.company(),
            f"020 7946 0{rng.randrange(1000):03d}",
            "Mon-Sat",
        ),
    ):
        forty_eight_hours.add_contact(
            session=session,
            actor=actor,
            plan_id=plan_id,
            expected_version=plan.version,
            data=SupportContactCreate(kind=contact_kind, name=name, phone=phone, hours=hours),
        )
        session.refresh(plan)
    if rng.random() < 0.8:
        # Published the day before walk-out, as an officer would, even when the demo's
        # walk-out date has passed: the plan checks look at that moment.
        forty_eight_hours.publish(
            session=session,
            actor=actor,
            plan_id=plan_id,
            expected_version=plan.version,
            checked_at=datetime.combine(walk_out - timedelta(days=1), time(9), tzinfo=clock.LONDON),
        )


def _assess_flagged(session: Session, plan_id: int, actor: Actor, rng: random.Random) -> None:
    request = session.exec(
        select(EarlyReleaseRequest).where(
            EarlyReleaseRequest.plan_id == plan_id,
            EarlyReleaseRequest.state == RequestState.FLAGGED.value,
        )
    ).first()
    if request is None or rng.random() < 0.3:
        return
    request = early_release.assess(
        session=session,
        actor=actor,
        request_id=request.id,  # type: ignore[arg-type]
        expected_version=request.version,
        harms_resettlement=True,
        needs=[ResettlementNeed.ACCOMMODATION, ResettlementNeed.LONG_JOURNEY_HOME],
        assessment="The hostel cannot take new arrivals at the weekend and the journey home "
        "is over three hours.",
    )
    if rng.random() < 0.7:
        request = early_release.submit(
            session=session,
            actor=actor,
            request_id=request.id,  # type: ignore[arg-type]
            expected_version=request.version,
        )
    if request.state == RequestState.SUBMITTED.value and rng.random() < 0.5:
        plan = get_or_404(session, ReleasePlan, plan_id, "plan")
        person = get_or_404(session, Person, plan.person_id, "person")
        assessment = plans.assessment_for(plan, person)
        # The last day the rules allow: not always the window's last day (Scotland's ends
        # the day before the release date), which made a large seed fail.
        allowed = permitted_days(assessment) if assessment else []
        if not allowed:
            return
        governor = Actor(user_id=GOVERNORS[person.prison_code], role=Role.GOVERNOR)
        early_release.decide(
            session=session,
            actor=governor,
            request_id=request.id,  # type: ignore[arg-type]
            expected_version=request.version,
            approve=True,
            release_date=allowed[-1],
            reasons="Approved premises confirmed a bed from the earlier date.",
            assessment=assessment,  # type: ignore[arg-type]
        )
