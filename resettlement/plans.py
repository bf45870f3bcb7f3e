"""Services for release plans: open, read, move along the lifecycle, change dates and goals.

Each service is one transaction: it checks the caller's expected version, changes the rows,
writes the plan's history and the audit trail, and commits, or changes nothing at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import model_validator
from sqlalchemy import func, or_
from sqlmodel import Field, Session, SQLModel, col, select
from statemachine.exceptions import TransitionNotAllowed as MachineRefused

from resettlement import audit, checklists, clock, early_release, history, people, plan_snapshot
from resettlement.actors import Actor
from resettlement.errors import (
    AlreadyExists,
    ConflictsWithRecord,
    InvalidInput,
    TransitionNotAllowed,
)

# The officer's whole list of goals is saved goal by goal, keeping each goal's author (goals.py);
# callers and tests still find it, and the goal shapes, here.
from resettlement.goals import GoalEntry as GoalEntry
from resettlement.goals import replace_goals as replace_goals
from resettlement.lifecycle import ChecklistFact, PlanFacts, ReleasePlanLifecycle
from resettlement.models import (
    AWAITING_DECISION,
    OPEN_STATES,
    CancelReason,
    ChecklistItem,
    EarlyReleaseRequest,
    Person,
    PersonCreate,
    PlanEvent,
    PlanState,
    PublishedPlan,
    ReleasePlan,
    SentenceFacts,
)
from resettlement.models import GoalBase as GoalBase
from resettlement.plan_view import PlanView, no_such_plan, read_plan_view, readable_by
from resettlement.privacy import consents
from resettlement.transactions import (
    check_version,
    commit,
    get_or_404,
    service,
    statement_by_statement,
    written,
)
from rules.calendars import CalendarRangeError
from rules.checklists import Need
from rules.entered_dates import FIRST_BIRTH_YEAR
from rules.release_dates import ReleaseAssessment, assess

SHORT_SENTENCE_DAYS = 365


class PlanCreate(SentenceFacts):
    person: PersonCreate
    probation_officer_id: str = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _dates(self) -> PlanCreate:
        release = self.requested_release_date
        if release is not None and release < self.sentence_date:
            raise ValueError("the release date cannot be before the sentence date")
        if self.sentence_date > clock.today():
            raise ValueError("the sentence date cannot be in the future")
        if self.sentence_date.year < FIRST_BIRTH_YEAR:
            raise ValueError(f"the sentence date cannot be before {FIRST_BIRTH_YEAR}")
        return self


class NightOne(SQLModel):
    """Where the person sleeps on release night and how they get there."""

    accommodation_address: str | None = Field(default=None, max_length=500)
    accommodation_contact: str | None = Field(default=None, max_length=200)
    accommodation_from: str | None = Field(default=None, max_length=50)
    travel_arrangements: str | None = Field(default=None, max_length=2000)


class FollowUp(SQLModel):
    """The 48-hour follow-up: the outcomes prison and probation share."""

    first_appointment_attended: bool
    night_in_planned_accommodation: bool
    gp_registered: bool
    universal_credit_claim_made: bool
    id_in_hand: bool
    bank_account_in_hand: bool


def assessment_for(plan: ReleasePlan, person: Person) -> ReleaseAssessment | None:
    return assess_sentence(
        plan.requested_release_date,
        person.nation,
        sentence_date=plan.sentence_date,
        term_days=plan.term_days,
        sentence_type=plan.sentence_type,
    )


def assess_sentence(
    requested: date | None,
    nation: str,
    *,
    sentence_date: date,
    term_days: int | None,
    sentence_type: str,
) -> ReleaseAssessment | None:
    """The rules run on a requested release date (None without one): for a plan, or for a row
    of the intake before its plan exists."""
    if requested is None:
        return None
    try:
        return assess(
            requested,
            nation,
            term_days=term_days,
            served_days=(requested - sentence_date).days,
            sentence=sentence_type,
        )
    except CalendarRangeError as exc:
        raise InvalidInput(
            f"The release date is outside the years the calendars cover: {exc}",
            field="requested_release_date",
        ) from exc


def release_columns(assessment: ReleaseAssessment | None) -> dict[str, Any]:
    """What the rules decide on a plan's row: its release and walk-out dates and its flag."""
    release = assessment.release_date if assessment else None
    return {
        "release_date": release,
        "walk_out_date": release,
        "flagged": bool(assessment and assessment.flagged),
        "flag_reason": assessment.flag_reason if assessment else None,
    }


def apply_assessment(plan: ReleasePlan, assessment: ReleaseAssessment | None) -> None:
    for name, value in release_columns(assessment).items():
        setattr(plan, name, value)


def _needs(data: PlanCreate) -> list[Need]:
    return needs_for(data.person.needs, data.term_days)


def needs_for(given: Sequence[Need | str], term_days: int | None) -> list[Need]:
    """The person's needs as recorded: those given, and a short sentence where the term is."""
    needs = list(dict.fromkeys(Need(n) for n in given))
    short = term_days is not None and term_days < SHORT_SENTENCE_DAYS
    if short and Need.SHORT_SENTENCE not in needs:
        needs.append(Need.SHORT_SENTENCE)
    return needs


# One answer for every clash with a record the caller may not see, whichever number clashed
# and whatever that record holds: nothing here confirms whose it is or what plans it has.
NUMBERS_IN_USE = (
    "The prison number or case reference number (CRN) does not match a person you can open a "
    "plan for. Check both numbers; if they are right, ask the person's probation officer to "
    "pass the case on."
)


@service
def open_plan(*, session: Session, actor: Actor, data: PlanCreate) -> ReleasePlan:
    """Opens a plan for a new person, or a new plan (a recall, a new sentence) for a person the
    officer may see. It never changes an existing person: their details must match the record,
    and are changed, if need be, through people.update_person first."""
    given = data.person
    # Locked, so two plans opened at once for one person are taken one after the other.
    found = session.exec(
        select(Person)
        .where(
            or_(
                col(Person.prison_number) == given.prison_number,
                col(Person.crn) == given.crn,
            ),
        )
        .with_for_update()
    ).all()
    needs = _needs(data)
    if found:
        person = _existing_person(session, actor, found, given)
    else:
        person = Person.model_validate(
            given.model_dump(exclude={"monitoring_consent"}) | {"needs": needs}
        )
        session.add(person)
        # A person saved at the same moment by someone else is a unique-key clash here, which
        # the service decorator turns into a 409 (AlreadyExists).
        session.flush()

    plan, assessment = new_plan_row(person, data, data.probation_officer_id)
    session.add(plan)
    session.flush()
    start_plan(session, actor, plan, person, needs, assessment)
    if given.monitoring_consent:
        assert person.id is not None
        consents.record_monitoring_answer(session, actor, person.id)
    audit.record(session, actor, "create", "plan", plan.id)
    commit(session, "plan")
    return plan


def new_plan_row(
    person: Person, data: SentenceFacts, probation_officer_id: str
) -> tuple[ReleasePlan, ReleaseAssessment | None]:
    """A new plan's row with the rules run on its release date, not yet saved. The person
    must have an id (the intake saves a batch of people, then a batch of plans)."""
    plan = ReleasePlan(
        person_id=person.id,  # type: ignore[arg-type]
        probation_officer_id=probation_officer_id,
        sentence_type=data.sentence_type,
        sentence_date=data.sentence_date,
        requested_release_date=data.requested_release_date,
        term_days=data.term_days,
    )
    assessment = assessment_for(plan, person)
    apply_assessment(plan, assessment)
    return plan, assessment


def start_plan(
    session: Session,
    actor: Actor,
    plan: ReleasePlan,
    person: Person,
    needs: Sequence[Need],
    assessment: ReleaseAssessment | None,
) -> None:
    """What a saved new plan starts with: its checklist, its history and, for a flagged
    release, its early-release request (the intake writes the same rows for a batch of plans
    a table at a time: resettlement/intake/importer.py)."""
    checklists.create_items(session, plan, needs)
    history.record(
        session,
        plan,
        actor,
        "opened",
        to_state=plan.state,
        detail=opened_detail(plan.release_date, plan.flagged),
    )
    if assessment is not None:
        # A plan this moment old has no requests to look for (the query would also flush the
        # plan early, bumping its version a second time when flagged: the version a new plan
        # starts with would then depend on its release date).
        early_release.open_request_if_flagged(
            session, plan, person, assessment, actor, known_absent=True
        )


def opened_detail(release_date: date | None, flagged: bool) -> dict[str, Any]:
    return {"release_date": str(release_date), "flagged": flagged}


def _existing_person(
    session: Session, actor: Actor, found: Sequence[Person], given: PersonCreate
) -> Person:
    person = found[0]
    same = (person.prison_number, person.crn) == (given.prison_number, given.crn)
    if len(found) > 1 or not same or not people.may_see(session, actor, person):
        raise AlreadyExists(NUMBERS_IN_USE)
    own_open = session.exec(
        select(ReleasePlan.id, ReleasePlan.probation_officer_id).where(
            ReleasePlan.person_id == person.id,
            col(ReleasePlan.state).in_([s.value for s in OPEN_STATES]),
        )
    ).first()
    if own_open is not None:
        plan_id, officer = own_open
        which = f" (plan {plan_id})" if officer == actor.user_id else ""
        raise AlreadyExists(f"{given.prison_number} already has an open release plan{which}.")
    differ = [
        name
        for name, value in given.model_dump(exclude={"needs", "monitoring_consent"}).items()
        if getattr(person, name) != value
    ]
    if differ:
        raise AlreadyExists(
            f"These details differ from the person's record: {', '.join(differ)}. A new plan "
            "does not change a person's record: change the details on the record first, then "
            "open the plan."
        )
    return person


@service
def change_release_date(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    expected_version: int,
    requested_release_date: date,
    reason: str,
) -> ReleasePlan:
    """A new sentence calculation: re-run the rules, reopen or close the early-release request."""
    plan = load_open_plan(session, plan_id, expected_version)
    person = get_or_404(session, Person, plan.person_id, "person")
    if requested_release_date < plan.sentence_date:
        raise ConflictsWithRecord(
            "The release date cannot be before the sentence date.", field="requested_release_date"
        )
    old = (plan.release_date, plan.walk_out_date)
    plan.requested_release_date = requested_release_date
    assessment = assessment_for(plan, person)
    apply_assessment(plan, assessment)
    history.record(
        session,
        plan,
        actor,
        "release_date_changed",
        reason=reason,
        detail={
            "from": str(old[0]),
            "to": str(plan.release_date),
            "walk_out_from": str(old[1]),
            "walk_out_to": str(plan.walk_out_date),
        },
    )
    early_release.withdraw_live_requests(
        session, plan, actor, f"The release date changed: {reason}"
    )
    if assessment is not None:
        # A plan this moment old has no requests to look for (the query would also flush the
        # plan early, bumping its version a second time when flagged: the version a new plan
        # starts with would then depend on its release date).
        early_release.open_request_if_flagged(
            session, plan, person, assessment, actor, known_absent=True
        )
    checklists.reschedule(session, plan)
    plan_snapshot.republish_walk_out_date(
        session, plan, actor, f"a new sentence calculation ({reason})"
    )
    audit.record(session, actor, "change_release_date", "plan", plan.id)
    commit(session, "plan")
    return plan


def facts_for(session: Session, plan: ReleasePlan, *, today: date | None = None) -> PlanFacts:
    items = session.exec(select(ChecklistItem).where(ChecklistItem.plan_id == plan.id)).all()
    published = session.exec(
        select(PublishedPlan.id).where(PublishedPlan.plan_id == plan.id).limit(1)
    ).first()
    awaiting = session.exec(
        select(EarlyReleaseRequest.id)
        .where(
            EarlyReleaseRequest.plan_id == plan.id,
            col(EarlyReleaseRequest.state).in_([s.value for s in AWAITING_DECISION]),
        )
        .limit(1)
    ).first()
    return PlanFacts(
        today=today or clock.today(),
        release_date=plan.release_date,
        walk_out_date=plan.walk_out_date,
        checklist={i.key: ChecklistFact(i.status, i.reason) for i in items},
        published=published is not None,
        request_awaiting_decision=awaiting is not None,
        followup_recorded=plan.followup_recorded_at is not None,
        cancel_reason=plan.cancel_reason,
        published_out_of_date=plan.published_out_of_date,
    )


@service
def transition(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    event: str,
    expected_version: int,
    reason: str | None = None,
    cancel_reason: CancelReason | None = None,
    today: date | None = None,
) -> ReleasePlan:
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    check_version(plan, expected_version, "plan")
    if event == "cancel":
        plan.cancel_reason = cancel_reason
    _send(session, plan, actor, event, reason=reason, today=today)
    if event == "cancel":
        early_release.withdraw_live_requests(
            session, plan, actor, f"The plan was cancelled ({cancel_reason})."
        )
    audit.record(session, actor, f"transition:{event}", "plan", plan.id)
    commit(session, "plan")
    return plan


def _send(
    session: Session,
    plan: ReleasePlan,
    actor: Actor,
    event: str,
    *,
    reason: str | None,
    today: date | None = None,
) -> None:
    """Runs one lifecycle event on the plan and writes it to the history."""
    facts = facts_for(session, plan, today=today)
    before = plan.state
    machine = ReleasePlanLifecycle(model=plan, state_field="state")
    try:
        machine.send(event, facts=facts)
    except MachineRefused as exc:
        raise TransitionNotAllowed(
            f"A plan in {before.replace('_', ' ')} cannot take the step '{event}'."
        ) from exc
    history.record(
        session, plan, actor, "transition", from_state=before, to_state=plan.state, reason=reason
    )


@service
def set_night_one(
    *, session: Session, actor: Actor, plan_id: int, expected_version: int, data: NightOne
) -> ReleasePlan:
    plan = load_open_plan(session, plan_id, expected_version)
    # Only what really differs: saving the form unchanged writes no history, keeps the version.
    changes = {
        name: value
        for name, value in data.model_dump(exclude_unset=True).items()
        if getattr(plan, name) != value
    }
    if not changes:
        commit(session, "plan")
        return plan
    for name, value in changes.items():
        setattr(plan, name, value)
    history.record(session, plan, actor, "night_one_changed", detail={"fields": sorted(changes)})
    plan_snapshot.note_change(session, plan, actor)
    audit.record(session, actor, "update", "plan", plan.id)
    commit(session, "plan")
    return plan


@service
def record_followup(
    *, session: Session, actor: Actor, plan_id: int, expected_version: int, data: FollowUp
) -> ReleasePlan:
    """Records the 48-hour outcomes; the plan completes in the same transaction."""
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    check_version(plan, expected_version, "plan")
    if plan.state != PlanState.RELEASED.value:
        raise TransitionNotAllowed("The 48-hour follow-up is recorded after release.")
    plan.followup = data.model_dump()
    plan.followup_recorded_at = clock.now()
    history.record(session, plan, actor, "followup_recorded", detail=plan.followup)
    _send(session, plan, actor, "complete", reason="48-hour follow-up recorded")
    audit.record(session, actor, "record_followup", "plan", plan.id)
    commit(session, "plan")
    return plan


@service
def get_plan(*, session: Session, actor: Actor, plan_id: int) -> PlanView:
    """The whole plan, for someone allowed to read it; to anyone else it does not exist."""
    statement_by_statement(session)
    view = read_plan_view(session, plan_id)
    if not readable_by(actor, view.plan, view.person):
        audit.record_denied(session, actor, "plan", plan_id)
        raise no_such_plan(plan_id)
    audit.record_reads(
        session=session, actor=actor, action="read", object_type="plan", object_ids=[plan_id]
    )
    return view


def view_written(session: Session, actor: Actor) -> PlanView | None:
    """The plan the session's transaction has changed, as its writer now sees it, read in that
    transaction before it commits and audited as a read in it (answer_in_transaction)."""
    plan_id = written(session)
    if plan_id is None:
        return None
    view = read_plan_view(session, plan_id)
    if not readable_by(actor, view.plan, view.person):
        return None
    audit.record(session, actor, "read", "plan", plan_id)
    return view


@service
def plan_history(*, session: Session, actor: Actor, plan_id: int) -> list[PlanEvent]:
    get_or_404(session, ReleasePlan, plan_id, "plan")
    events = session.exec(
        select(PlanEvent).where(PlanEvent.plan_id == plan_id).order_by(col(PlanEvent.id))
    ).all()
    audit.record(session, actor, "read_history", "plan", plan_id)
    commit(session, "audit")
    return list(events)


@service
def reassign(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    expected_version: int,
    probation_officer_id: str,
    reason: str,
) -> ReleasePlan:
    """A caseload transfer: another probation officer becomes accountable for the plan. The
    officer who passed it on no longer sees it; the history keeps both names and why."""
    plan = load_open_plan(session, plan_id, expected_version)
    new_officer = probation_officer_id.strip()
    if not new_officer or len(new_officer) > 100:
        raise InvalidInput("Choose the probation officer to pass the plan to.", field="officer")
    if new_officer == plan.probation_officer_id:
        raise InvalidInput(
            "The plan is already with that probation officer. Choose someone else.",
            field="officer",
        )
    if not reason.strip():
        raise InvalidInput("Say why the plan is passed on.", field="reason")
    before = plan.probation_officer_id
    plan.probation_officer_id = new_officer
    history.record(
        session,
        plan,
        actor,
        "reassigned",
        reason=reason.strip(),
        detail={"from": before, "to": new_officer},
    )
    audit.record(session, actor, "reassign", "plan", plan.id)
    commit(session, "plan")
    return plan


@service
def move_to_prison(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    expected_version: int,
    from_prison: str,
    to_prison: str,
    reason: str,
) -> ReleasePlan:
    """A transfer: the person's record already names the new prison (people.update_person),
    so its governor sees the plan; here the plan's history says so, and its early-release
    requests still open go to the new prison's governor, who now decides them."""
    plan = load_open_plan(session, plan_id, expected_version)
    moved = session.exec(
        select(EarlyReleaseRequest).where(
            EarlyReleaseRequest.plan_id == plan.id,
            col(EarlyReleaseRequest.state).in_([s.value for s in AWAITING_DECISION]),
            EarlyReleaseRequest.prison_code != to_prison,
        )
    ).all()
    for request in moved:
        request.prison_code = to_prison
        session.add(request)
    history.record(
        session,
        plan,
        actor,
        "moved_prison",
        reason=reason,
        detail={"from": from_prison, "to": to_prison, "requests": [r.id for r in moved]},
    )
    audit.record(session, actor, "move_prison", "plan", plan.id)
    audit.record_each(session, actor, "move_prison", "early_release_request", [r.id for r in moved])
    commit(session, "plan")
    return plan


def count_open(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(ReleasePlan)
        .where(col(ReleasePlan.state).in_([s.value for s in OPEN_STATES]))
    ).one()


def load_open_plan(session: Session, plan_id: int, expected_version: int) -> ReleasePlan:
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    check_version(plan, expected_version, "plan")
    if plan.state not in {s.value for s in OPEN_STATES}:
        raise TransitionNotAllowed(f"The plan is {plan.state} and can no longer be changed.")
    return plan
