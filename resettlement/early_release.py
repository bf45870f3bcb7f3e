"""Friday and pre-bank-holiday releases: the early-release request and the governor's decision.

flagged -> assessed (release that day would harm resettlement) -> submitted -> approved | refused
flagged -> not_needed (no harm found); any live request -> withdrawn (plan cancelled, date changed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed as MachineRefused

from resettlement import audit, clock, history, plan_snapshot
from resettlement.actors import Actor
from resettlement.config import get_settings
from resettlement.errors import GuardRefused, NotFound, TransitionNotAllowed, UnmetCondition
from resettlement.models import (
    EarlyReleaseRequest,
    Person,
    ReleasePlan,
    RequestState,
    ResettlementNeed,
)
from resettlement.transactions import check_version, commit, get_or_404, service
from rules.release_dates import ReleaseAssessment, early_release_window, is_in_window
from rules.timings import decision_deadline


def _refuse(event: Any, guard: str, message: str) -> None:
    raise GuardRefused(event.id, [UnmetCondition(guard=guard, message=message)])


class EarlyReleaseLifecycle(StateMachine):
    flagged = State(initial=True, value=RequestState.FLAGGED.value)
    assessed = State(value=RequestState.ASSESSED.value)
    submitted = State(value=RequestState.SUBMITTED.value)
    approved = State(value=RequestState.APPROVED.value)
    refused = State(value=RequestState.REFUSED.value)
    not_needed = State(value=RequestState.NOT_NEEDED.value)
    withdrawn = State(final=True, value=RequestState.WITHDRAWN.value)

    assess_harm = flagged.to(assessed, validators="needs_given") | assessed.to(
        assessed, validators="needs_given"
    )
    assess_no_harm = flagged.to(not_needed) | assessed.to(not_needed)
    submit = assessed.to(submitted)
    approve = submitted.to(approved, validators="date_in_window")
    refuse = submitted.to(refused, validators="reasons_given")
    # A new release date, a cancelled plan or the officer's change of mind closes a request,
    # an approval included: a stale approval must never survive a new date.
    withdraw = withdrawn.from_(flagged, assessed, submitted, approved, refused, not_needed)

    def needs_given(self, event: Any, needs: Sequence[ResettlementNeed] = (), **_: Any) -> None:
        if not needs:
            _refuse(
                event,
                "resettlement_needs_given",
                "Say which resettlement needs a release on this day would harm.",
            )

    def date_in_window(
        self,
        event: Any,
        approved_date: date | None = None,
        assessment: ReleaseAssessment | None = None,
        **_: Any,
    ) -> None:
        if approved_date is None or assessment is None:
            _refuse(event, "release_date_in_window", "Give the new release date to approve.")
            return
        if not is_in_window(assessment, approved_date):
            window = early_release_window(assessment)
            earliest, latest = window or (assessment.earliest_date, assessment.release_date)
            _refuse(
                event,
                "release_date_in_window",
                f"The new release date must be a working day between {earliest:%-d %B %Y} and "
                f"{latest:%-d %B %Y}.",
            )

    def reasons_given(self, event: Any, reasons: str | None = None, **_: Any) -> None:
        if not (reasons and reasons.strip()):
            _refuse(event, "reasons_given", "Give the reasons for refusing the request.")


def run(request: EarlyReleaseRequest, event: str, **facts: Any) -> tuple[str, str]:
    before = request.state
    machine = EarlyReleaseLifecycle(model=request, state_field="state")
    try:
        machine.send(event, **facts)
    except MachineRefused as exc:
        raise TransitionNotAllowed(
            f"An early-release request that is {before.replace('_', ' ')} cannot be "
            f"{event.replace('_', ' ')}."
        ) from exc
    return before, request.state


# --- services -----------------------------------------------------------------------------


def open_request_if_flagged(
    session: Session,
    plan: ReleasePlan,
    person: Person,
    assessment: ReleaseAssessment,
    actor: Actor,
    *,
    known_absent: bool = False,
) -> EarlyReleaseRequest | None:
    """Open a request for a flagged release a scheme covers, once per release date.

    `known_absent`: the caller has already loaded the plan's requests and found none for this
    date (the daily scan does, for a whole batch at once), so the check is not repeated."""
    if not assessment.flagged or assessment.earliest_date is None:
        return None
    existing = (
        None
        if known_absent
        else session.exec(
            select(EarlyReleaseRequest).where(
                EarlyReleaseRequest.plan_id == plan.id,
                EarlyReleaseRequest.release_date == assessment.release_date,
                EarlyReleaseRequest.state != RequestState.WITHDRAWN.value,
            )
        ).first()
    )
    if existing is not None:
        return existing
    values = request_values(plan, person, assessment)
    assert values is not None
    request = EarlyReleaseRequest(**values)
    session.add(request)
    history.record(session, plan, actor, "early_release_flagged", reason=flagged_words(assessment))
    return request


def request_values(
    plan: ReleasePlan, person: Person, assessment: ReleaseAssessment
) -> dict[str, Any] | None:
    """A new request's column values for a flagged release a scheme covers, or None: the one
    place a request's window and deadline are worked out."""
    columns = request_columns(person.prison_code, assessment, clock.now())
    return None if columns is None else {"plan_id": plan.id, **columns}


def request_columns(
    prison_code: str, assessment: ReleaseAssessment, now: datetime
) -> dict[str, Any] | None:
    """request_values but for the plan: the same for every plan with this assessment in this
    prison (the intake works them out once for all such plans)."""
    if not assessment.flagged or assessment.earliest_date is None:
        return None
    window = early_release_window(assessment)
    # The window's own last day: in Scotland the working day before the release date, which
    # is not itself a day a governor may approve.
    latest = window[1] if window else assessment.release_date
    return {
        "state": RequestState.FLAGGED.value,
        "version": 1,
        "prison_code": prison_code,
        "release_date": assessment.release_date,
        "flag_reason": assessment.flag_reason or "friday",
        "presumptive_date": assessment.presumptive_date,
        "earliest_date": assessment.earliest_date,
        "latest_date": latest,
        "decision_deadline": decision_deadline(
            assessment.release_date,
            assessment.nation,
            get_settings().decision_deadline_working_days,
        ),
        "created_at": now,
    }


def flagged_words(assessment: ReleaseAssessment) -> str:
    return f"Release on {assessment.release_date:%A %-d %B %Y} is flagged: " + (
        "a Friday." if assessment.flag_reason == "friday" else "the day before a bank holiday."
    )


def withdraw_live_requests(
    session: Session, plan: ReleasePlan, actor: Actor, reason: str
) -> list[EarlyReleaseRequest]:
    live = session.exec(
        select(EarlyReleaseRequest).where(
            EarlyReleaseRequest.plan_id == plan.id,
            EarlyReleaseRequest.state != RequestState.WITHDRAWN.value,
        )
    ).all()
    for request in live:
        _withdraw_one(session, plan, actor, request, reason)
    return list(live)


def _withdraw_one(
    session: Session, plan: ReleasePlan, actor: Actor, request: EarlyReleaseRequest, reason: str
) -> None:
    before, after = run(request, "withdraw")
    request.closed_reason = reason
    session.add(request)
    history.record(
        session,
        plan,
        actor,
        "early_release_withdrawn",
        from_state=before,
        to_state=after,
        reason=reason,
        detail={"request_id": request.id},
    )


def _load(session: Session, request_id: int, expected_version: int) -> EarlyReleaseRequest:
    request = get_or_404(session, EarlyReleaseRequest, request_id, "early-release request")
    check_version(request, expected_version, "early-release request")
    return request


@service
def assess(
    *,
    session: Session,
    actor: Actor,
    request_id: int,
    expected_version: int,
    harms_resettlement: bool,
    needs: Sequence[ResettlementNeed],
    assessment: str | None,
    submit_to_governor: bool = False,
) -> EarlyReleaseRequest:
    """The probation officer's assessment: would release on the flagged day harm resettlement?
    With `submit_to_governor`, the request goes to the governor in the same transaction."""
    request = _load(session, request_id, expected_version)
    plan = get_or_404(session, ReleasePlan, request.plan_id, "plan")
    event = "assess_harm" if harms_resettlement else "assess_no_harm"
    before, after = run(request, event, needs=list(needs))
    request.harms_resettlement = harms_resettlement
    request.needs = [ResettlementNeed(n) for n in needs]
    request.assessment = assessment
    request.assessed_by = actor.user_id
    session.add(request)
    history.record(
        session,
        plan,
        actor,
        "early_release_assessed",
        from_state=before,
        to_state=after,
        reason=assessment,
        detail={"request_id": request.id, "needs": [str(n) for n in needs]},
    )
    audit.record(session, actor, "assess", "early_release_request", request.id)
    if submit_to_governor:
        _submit(session, actor, request, plan)
    commit(session, "early-release request")
    return request


@service
def submit(
    *, session: Session, actor: Actor, request_id: int, expected_version: int
) -> EarlyReleaseRequest:
    request = _load(session, request_id, expected_version)
    plan = get_or_404(session, ReleasePlan, request.plan_id, "plan")
    _submit(session, actor, request, plan)
    commit(session, "early-release request")
    return request


def _submit(
    session: Session, actor: Actor, request: EarlyReleaseRequest, plan: ReleasePlan
) -> None:
    before, after = run(request, "submit")
    request.submitted_at = clock.now()
    session.add(request)
    history.record(
        session,
        plan,
        actor,
        "early_release_submitted",
        from_state=before,
        to_state=after,
        reason=f"Submitted to the governor of {request.prison_code}.",
        detail={"request_id": request.id},
    )
    audit.record(session, actor, "submit", "early_release_request", request.id)


@service
def decide(
    *,
    session: Session,
    actor: Actor,
    request_id: int,
    expected_version: int,
    approve: bool,
    release_date: date | None,
    reasons: str,
    assessment: ReleaseAssessment,
) -> EarlyReleaseRequest:
    """The governor's decision. Approval moves the plan's walk-out date inside the window."""
    request = _load(session, request_id, expected_version)
    plan = get_or_404(session, ReleasePlan, request.plan_id, "plan")
    if approve:
        before, after = run(request, "approve", approved_date=release_date, assessment=assessment)
        request.approved_date = release_date
    else:
        before, after = run(request, "refuse", reasons=reasons)
    request.decided_by = actor.user_id
    request.decided_at = clock.now()
    request.decision_reasons = reasons
    session.add(request)
    history.record(
        session,
        plan,
        actor,
        "early_release_decided",
        from_state=before,
        to_state=after,
        reason=reasons,
        detail={"request_id": request.id, "approved_date": str(release_date) if approve else None},
    )
    if approve and release_date is not None and release_date != plan.walk_out_date:
        old = plan.walk_out_date
        plan.walk_out_date = release_date
        history.record(
            session,
            plan,
            actor,
            "walk_out_date_changed",
            reason=f"Early release approved by the governor: {reasons}",
            detail={"from": str(old), "to": str(release_date), "request_id": request.id},
        )
        plan_snapshot.republish_walk_out_date(
            session, plan, actor, "the governor approved an earlier release"
        )
    audit.record(session, actor, "decide", "early_release_request", request.id)
    commit(session, "early-release request")
    return request


def check_decision(
    request: EarlyReleaseRequest,
    *,
    expected_version: int,
    approve: bool,
    release_date: date | None,
    reasons: str,
    assessment: ReleaseAssessment,
) -> None:
    """Refuses now what `decide` would refuse, changing nothing: the governor checks their
    answers before a decision that cannot be undone, and is never shown one that would fail."""
    check_version(request, expected_version, "early-release request")
    # The machine runs on a stand-in so the request itself is untouched.
    probe: Any = SimpleNamespace(state=request.state)
    if approve:
        run(probe, "approve", approved_date=release_date, assessment=assessment)
    else:
        run(probe, "refuse", reasons=reasons)


def decided(
    session: Session, prison_code: str | None, *, limit: int = 25, offset: int = 0
) -> tuple[list[EarlyReleaseRequest], int]:
    """Approved and refused requests, the latest decision first, and how many there are."""
    states = [RequestState.APPROVED.value, RequestState.REFUSED.value]
    where: list[ColumnElement[bool]] = [col(EarlyReleaseRequest.state).in_(states)]
    if prison_code is not None:
        where.append(col(EarlyReleaseRequest.prison_code) == prison_code)
    statement = (
        select(EarlyReleaseRequest)
        .where(*where)
        .order_by(col(EarlyReleaseRequest.decided_at).desc(), col(EarlyReleaseRequest.id).desc())
        .limit(limit)
        .offset(offset)
    )
    total = session.exec(select(func.count()).select_from(EarlyReleaseRequest).where(*where)).one()
    return list(session.exec(statement).all()), int(total)


@service
def withdraw(
    *, session: Session, actor: Actor, request_id: int, expected_version: int, reason: str
) -> EarlyReleaseRequest:
    request = _load(session, request_id, expected_version)
    plan = get_or_404(session, ReleasePlan, request.plan_id, "plan")
    was_approved = request.state == RequestState.APPROVED.value
    _withdraw_one(session, plan, actor, request, reason)
    if was_approved and plan.walk_out_date != plan.release_date:
        plan.walk_out_date = plan.release_date
        history.record(session, plan, actor, "walk_out_date_changed", reason=reason)
        plan_snapshot.republish_walk_out_date(
            session, plan, actor, f"the early release was withdrawn ({reason})"
        )
    audit.record(session, actor, "withdraw", "early_release_request", request.id)
    commit(session, "early-release request")
    return request


def queue(
    session: Session,
    prison_code: str | None,
    states: Sequence[RequestState] = (RequestState.SUBMITTED,),
) -> list[EarlyReleaseRequest]:
    """Requests in the given states (by default, those before the governor), most urgent first."""
    statement = select(EarlyReleaseRequest).where(
        col(EarlyReleaseRequest.state).in_([s.value for s in states])
    )
    if prison_code is not None:
        statement = statement.where(EarlyReleaseRequest.prison_code == prison_code)
    statement = statement.order_by(
        col(EarlyReleaseRequest.decision_deadline), col(EarlyReleaseRequest.id)
    )
    return list(session.exec(statement).all())


def open_request(session: Session, plan_id: int) -> EarlyReleaseRequest:
    """The plan's request still waiting for the officer's assessment or submission."""
    request = session.exec(
        select(EarlyReleaseRequest)
        .where(
            EarlyReleaseRequest.plan_id == plan_id,
            col(EarlyReleaseRequest.state).in_(
                [RequestState.FLAGGED.value, RequestState.ASSESSED.value]
            ),
        )
        .order_by(col(EarlyReleaseRequest.id).desc())
        .limit(1)
    ).first()
    if request is None:
        raise NotFound("This plan has no early-release request waiting for an assessment.")
    return request
