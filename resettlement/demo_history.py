"""A year of made-up history for the demo: several hundred completed plans across the five demo
prisons, so every report shows figures above the suppression threshold on the first run.

Every person is made up with faker from a fixed seed. The past is written as it would have been
left: people, completed plans with their follow-up, the Friday requests and their decisions,
and each plan's history lines, dated when they happened. It is written directly, in one
transaction, rather than replayed through the services day by day: the services stamp "now"
and refuse dates in the past (as they should), and replaying a year would take minutes.

The outcomes vary as the evidence says they do (young adults and people recalled fare worse on
the first night; a Friday release brought forward fares better), so breakdowns say something.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from faker import Faker
from sqlmodel import Session, col, select

from resettlement import clock
from resettlement.models import (
    CancelReason,
    Disability,
    EarlyReleaseRequest,
    EthnicGroup,
    Person,
    PlanEvent,
    PlanState,
    ReleasePlan,
    Religion,
    RequestState,
    ResettlementNeed,
    Sex,
)
from resettlement.privacy.consents import Consent, ConsentKind, GivenHow
from resettlement.voice.models import (
    Appointments,
    FirstNight,
    Had,
    VoiceAnswer,
    WentWrong,
    WouldHaveHelped,
)
from rules.checklists import Need
from rules.nations import Nation
from rules.release_dates import (
    ReleaseAssessment,
    SentenceType,
    assess,
    early_release_window,
    permitted_days,
)
from rules.timings import decision_deadline

HISTORY_PLANS = 800
# As the settings' default: the governor decides five working days before the release date.
DEADLINE_WORKING_DAYS = 5
# The demo's prisons and their share of releases; HMP Send holds women only.
PRISON_SHARE = {"MDI": 0.27, "BWI": 0.25, "SDI": 0.16, "BAR": 0.18, "MGH": 0.14}
NATIONS = {
    "MDI": Nation.ENGLAND_AND_WALES,
    "BWI": Nation.ENGLAND_AND_WALES,
    "SDI": Nation.ENGLAND_AND_WALES,
    "BAR": Nation.SCOTLAND,
    "MGH": Nation.NORTHERN_IRELAND,
}
OFFICERS = ("po-ashworth", "po-begum", "po-cadwaladr")
# Age at release, roughly as in the Offender Management Statistics' releases.
AGES = ((18, 20, 6), (21, 24, 12), (25, 29, 17), (30, 39, 32), (40, 49, 18), (50, 59, 10))
AGES_60 = (60, 78, 5)
ETHNIC = (
    (EthnicGroup.WHITE_BRITISH, 62),
    (EthnicGroup.WHITE_OTHER, 8),
    (EthnicGroup.WHITE_IRISH, 2),
    (EthnicGroup.BLACK_CARIBBEAN, 5),
    (EthnicGroup.BLACK_AFRICAN, 5),
    (EthnicGroup.ASIAN_PAKISTANI, 4),
    (EthnicGroup.ASIAN_INDIAN, 2),
    (EthnicGroup.ASIAN_BANGLADESHI, 2),
    (EthnicGroup.MIXED_WHITE_AND_BLACK_CARIBBEAN, 4),
    (EthnicGroup.MIXED_OTHER, 2),
    (EthnicGroup.OTHER_ARAB, 2),
    (EthnicGroup.PREFER_NOT_TO_SAY, 2),
)
RELIGION = (
    (Religion.NO_RELIGION, 45),
    (Religion.CHRISTIAN, 35),
    (Religion.MUSLIM, 15),
    (Religion.OTHER, 3),
    (Religion.PREFER_NOT_TO_SAY, 2),
)
TERMS = ((60, 183, 30), (184, 364, 25), (365, 1460, 35), (1461, 3650, 10))
SYSTEM = "demo-history"


def _weighted(rng: random.Random, table: tuple[tuple[object, int], ...]) -> object:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _between(rng: random.Random, table: tuple[tuple[int, int, int], ...]) -> int:
    low, high, _ = rng.choices(table, weights=[w for _, _, w in table])[0]
    return rng.randint(low, high)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.LONDON)


def add_year(session: Session, seed_value: int, today: date, plans: int = HISTORY_PLANS) -> int:
    """Adds `plans` completed plans whose people walked out over the last year. Returns how
    many were added."""
    fake = Faker("en_GB")
    fake.seed_instance(seed_value + 16)
    rng = random.Random(seed_value + 16)
    taken = set(session.exec(select(Person.prison_number)).all()) | set(
        session.exec(select(Person.crn)).all()
    )

    def unique(pattern: str) -> str:
        while True:
            value = fake.bothify(pattern, letters="ABCDEFGHJKLMNPRSTUVWXYZ").upper()
            if value not in taken:
                taken.add(value)
                return value

    for index in range(plans):
        prison = str(rng.choices(list(PRISON_SHARE), weights=list(PRISON_SHARE.values()))[0])
        # Release dates from a year ago to a week ago, on weekdays (a weekend date has already
        # moved to the Friday before it).
        release = today - timedelta(days=rng.randint(8, 372))
        while release.weekday() >= 5:
            release = today - timedelta(days=rng.randint(8, 372))
        _one_release(session, fake, rng, unique, index, prison, release)
        if index % 100 == 99:
            session.flush()
    session.commit()
    return plans


def _one_release(
    session: Session,
    fake: Faker,
    rng: random.Random,
    unique: object,
    index: int,
    prison: str,
    release_date: date,
) -> None:
    new_number = unique
    woman = prison == "SDI" or rng.random() < 0.03
    age = _between(rng, (*AGES, AGES_60))
    # Days, not .replace(year=...), which fails on 29 February.
    born = release_date - timedelta(days=int(365.25 * age) + rng.randint(1, 364))
    needs: list[Need] = []
    if woman:
        needs.append(Need.WOMAN)
    if age >= 50:
        needs.append(Need.OLDER_PERSON)
    if rng.random() < 0.12:
        needs.append(Need.LEARNING_DISABILITY)
    if rng.random() < 0.1:
        needs.append(Need.AUTISM_OR_ADHD)
    if age < 26 and rng.random() < 0.35:
        needs.append(Need.CARE_LEAVER)
    remand = rng.random() < 0.06
    if remand:
        needs.append(Need.ON_REMAND)
    consent = rng.random() < 0.85
    person = Person(
        prison_number=new_number("?####??"),  # type: ignore[operator]
        crn=new_number("?######"),  # type: ignore[operator]
        given_name=fake.first_name_female() if woman else fake.first_name_male(),
        family_name=fake.last_name(),
        date_of_birth=born,
        nation=NATIONS[prison],
        prison_code=prison,
        needs=needs,
        ethnic_group=_weighted(rng, ETHNIC) if consent else None,  # type: ignore[arg-type]
        sex=(Sex.FEMALE if woman else Sex.MALE) if consent else None,
        disability=(Disability.YES if rng.random() < 0.3 else Disability.NO) if consent else None,
        religion=_weighted(rng, RELIGION) if consent else None,  # type: ignore[arg-type]
    )
    session.add(person)
    session.flush()
    officer = OFFICERS[index % len(OFFICERS)]
    if consent:
        # Characteristics are held only with a consent in the record (resettlement/privacy).
        assert person.id is not None
        session.add(
            Consent(
                person_id=person.id,
                kind=ConsentKind.MONITORING_CHARACTERISTICS.value,
                given_how=GivenHow.IN_PERSON.value,
                recorded_by=officer,
            )
        )
    recalled = not remand and rng.random() < 0.1
    if recalled:
        # An earlier release ended in a recall to custody: that plan was cancelled.
        earlier = release_date - timedelta(days=rng.randint(200, 500))
        session.add(
            ReleasePlan(
                person_id=person.id,  # type: ignore[arg-type]
                probation_officer_id=officer,
                state=PlanState.CANCELLED.value,
                cancel_reason=CancelReason.RECALL,
                sentence_date=earlier - timedelta(days=300),
                requested_release_date=earlier,
                release_date=earlier,
                walk_out_date=earlier,
                created_at=_at(earlier - timedelta(days=120), 9),
                updated_at=_at(earlier + timedelta(days=40), 9),
            )
        )
    indeterminate = not remand and rng.random() < 0.03
    term = None if remand or indeterminate else _between(rng, TERMS)
    sentence_type = (
        SentenceType.INDETERMINATE
        if indeterminate
        else (SentenceType.HDC if term and rng.random() < 0.12 else SentenceType.DETERMINATE)
    )
    opened = release_date - timedelta(days=rng.randint(70, 140))
    sentenced = opened - timedelta(days=rng.randint(30, 400))
    # The rules say which releases are flagged (a Friday, the day before a bank holiday) and
    # which earlier days a governor may approve.
    assessment = assess(
        release_date,
        NATIONS[prison],
        term_days=term,
        served_days=(release_date - sentenced).days,
        sentence=sentence_type,
    )
    release_date = assessment.release_date
    flagged = assessment.flagged
    decision = None
    if flagged and assessment.earliest_date is not None:
        decision = rng.choices(
            ["approved", "refused", "not_needed", "never_assessed"], weights=[40, 30, 20, 10]
        )[0]
    allowed = permitted_days(assessment) if decision == "approved" else []
    if decision == "approved" and not allowed:
        decision = "refused"
    brought_forward = decision == "approved"
    walk_out = rng.choice(allowed) if brought_forward else release_date
    young = age <= 25
    night = 0.74 + (0.12 if brought_forward else 0) - (0.12 if young else 0)
    night -= 0.1 if recalled else 0
    followup = {
        "night_in_planned_accommodation": rng.random() < night,
        "gp_registered": rng.random() < (0.62 + (0.1 if woman else 0)),
        "id_in_hand": rng.random() < 0.7,
        "bank_account_in_hand": rng.random() < 0.6,
        "universal_credit_claim_made": rng.random() < 0.75,
        "first_appointment_attended": rng.random() < (0.86 - (0.1 if young else 0)),
    }
    followed_up = _at(walk_out + timedelta(days=rng.randint(2, 6)), 15)
    plan = ReleasePlan(
        person_id=person.id,  # type: ignore[arg-type]
        probation_officer_id=officer,
        state=PlanState.COMPLETED.value,
        sentence_type=sentence_type,
        sentence_date=sentenced,
        term_days=term,
        requested_release_date=release_date,
        release_date=release_date,
        walk_out_date=walk_out,
        flagged=flagged,
        flag_reason=assessment.flag_reason,
        accommodation_address=fake.address().replace("\n", ", "),
        accommodation_from="2pm",
        followup=followup,
        followup_recorded_at=followed_up,
        created_at=_at(opened, 10),
        updated_at=followed_up,
    )
    session.add(plan)
    session.flush()
    if decision is not None:
        _request(session, rng, plan, prison, decision, assessment)
    _history(session, plan, officer, opened, walk_out, followed_up, followup)
    if rng.random() < 0.55:
        _answers(session, rng, plan, officer, followup, walk_out, brought_forward)


def _request(
    session: Session,
    rng: random.Random,
    plan: ReleasePlan,
    prison: str,
    decision: str,
    assessment: ReleaseAssessment,
) -> None:
    about = assessment.release_date
    window = early_release_window(assessment)
    deadline = decision_deadline(about, assessment.nation, DEADLINE_WORKING_DAYS)
    assessed = decision != "never_assessed"
    decided = decision in ("approved", "refused")
    # Most decisions are made by the deadline; a few are late.
    decided_on = deadline - timedelta(days=rng.randint(0, 4)) if rng.random() < 0.8 else about
    session.add(
        EarlyReleaseRequest(
            plan_id=plan.id,  # type: ignore[arg-type]
            state={
                "approved": RequestState.APPROVED,
                "refused": RequestState.REFUSED,
                "not_needed": RequestState.NOT_NEEDED,
                "never_assessed": RequestState.FLAGGED,
            }[decision].value,
            prison_code=prison,
            release_date=about,
            flag_reason=plan.flag_reason or "friday",
            presumptive_date=assessment.presumptive_date,
            earliest_date=assessment.earliest_date or about,
            latest_date=window[1] if window else about,
            decision_deadline=deadline,
            harms_resettlement=decision in ("approved", "refused") if assessed else None,
            needs=[ResettlementNeed.ACCOMMODATION] if decided else [],
            assessment="The hostel cannot take new arrivals at the weekend." if decided else None,
            assessed_by=plan.probation_officer_id if assessed else None,
            submitted_at=_at(deadline - timedelta(days=6), 11) if decided else None,
            decided_by=f"governor-{prison.lower()}" if decided else None,
            decided_at=_at(decided_on, 16) if decided else None,
            decision_reasons="Approved premises confirmed a bed from the earlier date."
            if decision == "approved"
            else ("The journey home is short and support is in place." if decided else None),
            approved_date=plan.walk_out_date if decision == "approved" else None,
            created_at=_at(about - timedelta(days=40), 6),
        )
    )


def _history(
    session: Session,
    plan: ReleasePlan,
    officer: str,
    opened: date,
    walk_out: date,
    followed_up: datetime,
    followup: dict[str, bool],
) -> None:
    role = "probation_officer"
    steps = [
        (_at(opened, 10), "opened", None, PlanState.SENTENCE_PLANNING, None),
        (
            _at(opened + timedelta(days=7), 10),
            "transition",
            PlanState.SENTENCE_PLANNING,
            PlanState.RESETTLEMENT_PLANNING,
            None,
        ),
        (
            _at(walk_out - timedelta(days=14), 10),
            "transition",
            PlanState.RESETTLEMENT_PLANNING,
            PlanState.PRE_RELEASE,
            None,
        ),
        (_at(walk_out, 9), "transition", PlanState.PRE_RELEASE, PlanState.RELEASED, None),
        (followed_up, "followup_recorded", None, None, followup),
        (followed_up, "transition", PlanState.RELEASED, PlanState.COMPLETED, None),
    ]
    for at, kind, before, after, detail in steps:
        session.add(
            PlanEvent(
                plan_id=plan.id,  # type: ignore[arg-type]
                at=at,
                actor=officer,
                actor_role=role,
                kind=kind,
                from_state=before.value if before else None,
                to_state=after.value if after else None,
                detail=detail,
            )
        )


def _answers(
    session: Session,
    rng: random.Random,
    plan: ReleasePlan,
    officer: str,
    followup: dict[str, bool],
    walk_out: date,
    brought_forward: bool,
) -> None:
    """What the person said of their first days: mostly what the officer recorded too, but not
    always (the point of asking them)."""

    def agrees(fact: bool) -> bool:
        return fact if rng.random() < 0.85 else not fact

    slept = agrees(followup["night_in_planned_accommodation"])
    first_night = (
        FirstNight.PLANNED_ADDRESS
        if slept
        else rng.choice(
            [FirstNight.FAMILY_OR_FRIENDS, FirstNight.EMERGENCY_HOUSING, FirstNight.NOWHERE]
        )
    )
    had_id = Had.YES if agrees(followup["id_in_hand"]) else Had.NO
    appointments = (
        Appointments.ALL if agrees(followup["first_appointment_attended"]) else Appointments.SOME
    )
    had_money = Had.YES if rng.random() < 0.6 else Had.NO
    wrong = [
        w
        for w, bad in (
            (WentWrong.NO_BED, first_night != FirstNight.PLANNED_ADDRESS),
            (WentWrong.NO_ID, had_id == Had.NO),
            (WentWrong.NO_MONEY, had_money == Had.NO),
            (WentWrong.MISSED_APPOINTMENT, appointments != Appointments.ALL),
        )
        if bad
    ] or [WentWrong.NOTHING]
    helped = [WouldHaveHelped.NOTHING]
    if wrong != [WentWrong.NOTHING]:
        helped = rng.sample(
            [
                WouldHaveHelped.HOUSING_SORTED,
                WouldHaveHelped.ID_BEFORE_RELEASE,
                WouldHaveHelped.SOMEONE_TO_MEET_ME,
                WouldHaveHelped.HELP_WITH_TRAVEL,
            ],
            k=rng.randint(1, 2),
        )
        if plan.flagged and not brought_forward:
            helped.append(WouldHaveHelped.RELEASED_EARLIER_IN_THE_WEEK)
    by_person = rng.random() < 0.7
    answered = _at(walk_out + timedelta(days=rng.randint(2, 5)), 19)
    session.add(
        VoiceAnswer(
            plan_id=plan.id,  # type: ignore[arg-type]
            first_night=first_night.value,
            appointments=appointments.value,
            had_id=had_id.value,
            had_money=had_money.value,
            had_medication=rng.choice([Had.YES, Had.YES, Had.NOT_NEEDED, Had.NO]).value,
            went_wrong=[w.value for w in wrong],
            would_have_helped=[h.value for h in helped],
            recorded_by=f"leaver-plan-{plan.id}" if by_person else officer,
            recorded_by_role="prison_leaver" if by_person else "probation_officer",
            first_answered_at=answered,
            updated_at=answered,
        )
    )
    session.add(
        PlanEvent(
            plan_id=plan.id,  # type: ignore[arg-type]
            at=answered,
            actor=f"leaver-plan-{plan.id}" if by_person else officer,
            actor_role="prison_leaver" if by_person else "probation_officer",
            kind="first_days_answered",
            detail={"by": "person" if by_person else "officer at follow-up"},
        )
    )


def history_count(session: Session) -> int:
    return len(
        session.exec(
            select(ReleasePlan.id).where(col(ReleasePlan.state) == PlanState.COMPLETED.value)
        ).all()
    )


def fill_governor_queues(session: Session, seed_value: int, today: date) -> int:
    """Each demo governor whose nation has an early-release scheme has at least one request to
    decide: a flagged release at their prison is assessed and submitted, through the services,
    as an officer would. (Northern Ireland has no scheme: a release there stays on its date,
    so HMP Maghaberry's governor has nothing to decide.) Returns how many were submitted."""
    from resettlement import early_release, plans
    from resettlement.actors import Actor, Role
    from resettlement.models import PersonCreate, ResettlementNeed

    fake = Faker("en_GB")
    fake.seed_instance(seed_value + 17)
    submitted = 0
    for prison, nation in NATIONS.items():
        if early_release.queue(session, prison) or not has_scheme(nation, today):
            continue
        # A request still to come: one whose release date has passed is no decision to make.
        waiting = [
            r
            for r in early_release.queue(session, prison, states=(RequestState.FLAGGED,))
            if r.release_date > today
        ]
        officer = Actor(user_id=OFFICERS[submitted % len(OFFICERS)], role=Role.PROBATION_OFFICER)
        candidates = iter(today + timedelta(days=d) for d in range(21, 120))
        while not waiting:
            day = next(candidates)
            if day.weekday() != 4:
                continue
            woman = prison == "SDI"
            plan = plans.open_plan(
                session=session,
                actor=officer,
                data=plans.PlanCreate(
                    person=PersonCreate(
                        prison_number=fake.bothify("?####??", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
                        crn=fake.bothify("?######", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
                        given_name=fake.first_name_female() if woman else fake.first_name_male(),
                        family_name=fake.last_name(),
                        date_of_birth=fake.date_of_birth(minimum_age=22, maximum_age=60),
                        nation=nation,
                        prison_code=prison,
                        needs=[Need.WOMAN] if woman else [],
                    ),
                    probation_officer_id=officer.user_id,
                    sentence_date=today - timedelta(days=200),
                    requested_release_date=day,
                    term_days=540,
                ),
            )
            waiting = [
                r
                for r in early_release.queue(session, prison, states=(RequestState.FLAGGED,))
                if r.plan_id == plan.id
            ]
        request = waiting[0]
        early_release.assess(
            session=session,
            actor=Actor(
                user_id=session.get(ReleasePlan, request.plan_id).probation_officer_id,  # type: ignore[union-attr]
                role=Role.PROBATION_OFFICER,
            ),
            request_id=request.id,  # type: ignore[arg-type]
            expected_version=request.version,
            harms_resettlement=True,
            needs=[ResettlementNeed.ACCOMMODATION],
            assessment="The approved premises cannot take new arrivals at the weekend.",
            submit_to_governor=True,
        )
        submitted += 1
    return submitted


def has_scheme(nation: Nation, today: date) -> bool:
    """Whether a Friday release in this nation can be brought forward at all (by the rules)."""
    friday = today + timedelta(days=28 + (4 - today.weekday()) % 7)
    found = assess(friday, nation, term_days=540, served_days=200)
    return found.earliest_date is not None
