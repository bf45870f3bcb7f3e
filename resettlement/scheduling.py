"""What the scheduled workflows do, as domain logic: which plans are due for which action on a
day, and the batch services that act on them.

Each action has two halves:
- `due(session, as_of)`: one set-based query for the ids the action applies to that day;
- `run(session, ids, as_of)`: one transaction for a batch of those ids, a fixed number of
  queries however many plans the batch holds, notifications written to the outbox in the same
  transaction (insert-if-absent on the idempotency key).

Every action is idempotent: the due query finds nothing a finished run has already done (the
state has moved, escalated_at is set, a request exists), and a message already in the outbox is
never added again. So a run that fails half-way and runs again ends where one clean run would.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, exists, literal, or_
from sqlalchemy import select as core_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from resettlement import audit, bulk, clock, early_release, history, messages, plans
from resettlement.actors import SYSTEM, Actor
from resettlement.errors import GuardRefused, TransitionNotAllowed, VersionConflict
from resettlement.lifecycle import (
    ChecklistFact,
    PlanFacts,
    PlansLifecycle,
    unmet_conditions,
)
from resettlement.messages import DueItem, PlanLine
from resettlement.models import (
    AWAITING_DECISION,
    ChecklistItem,
    ChecklistStatus,
    EarlyReleaseRequest,
    Person,
    PlanState,
    PublishedPlan,
    ReleasePlan,
    RequestState,
)
from resettlement.notifications import Message, Notification, enqueue
from resettlement.partners.models import DirectoryOrganisation, DirectoryService
from resettlement.partners.referral_lifecycle import ReferralState
from resettlement.partners.referrals import Referral
from resettlement.transactions import commit
from rules.calendars import add_working_days
from rules.nations import Nation
from rules.timings import (
    NO_ACCOMMODATION_WARNING_DAYS,
    PRE_RELEASE_OPENS_DAYS,
    RESETTLEMENT_PLANNING_OPENS_DAYS,
)

# The governor hears about a request this many working days before its decision deadline.
ESCALATION_WORKING_DAYS = 2
# Release day catches up the walk-out dates of up to this many days it did not run.
RELEASE_CATCH_UP_DAYS = 7
# The 48-hour follow-up is asked for once the first 48 hours have passed.
FOLLOWUP_AFTER_DAYS = 2

FINISHED = (ChecklistStatus.DONE.value, ChecklistStatus.NOT_NEEDED.value)
BEFORE_RELEASE = (
    PlanState.SENTENCE_PLANNING.value,
    PlanState.RESETTLEMENT_PLANNING.value,
    PlanState.PRE_RELEASE.value,
)
AWAITING = [s.value for s in AWAITING_DECISION]

Ids = Sequence[int]


@dataclass
class BatchResult:
    counts: Counter[str] = field(default_factory=Counter)
    notification_ids: list[int] = field(default_factory=list)

    def notify(self, session: Session, outbox: Sequence[Message]) -> None:
        added = enqueue(session, outbox)
        self.notification_ids.extend(added)
        self.counts["notifications"] += len(added)


@dataclass(frozen=True)
class Action:
    name: str
    summary: str
    due: Callable[[Session, date], list[int]]
    run: Callable[[Session, Ids, date], BatchResult]


# --- loading a batch ----------------------------------------------------------------------


def plan_lines(session: Session, plan_ids: Iterable[int]) -> dict[int, PlanLine]:
    """The message facts of a batch as plain rows: read-only, so no ORM objects are built."""
    rows = session.execute(
        core_select(
            col(ReleasePlan.id),
            col(ReleasePlan.probation_officer_id),
            col(ReleasePlan.walk_out_date),
            col(Person.given_name),
            col(Person.family_name),
            col(Person.prison_number),
            col(Person.prison_code),
            col(Person.preferred_language),
        )
        .join(Person, col(Person.id) == col(ReleasePlan.person_id))
        .where(bulk.among(session, ReleasePlan.id, list(plan_ids)))
    )
    return {
        row[0]: PlanLine(
            plan_id=row[0],
            officer_id=row[1],
            walk_out_date=row[2],
            person_name=f"{row[3]} {row[4]}",
            prison_number=row[5],
            prison_code=row[6],
            language=str(row[7]),
        )
        for row in rows
    }


def _line(plan: ReleasePlan, person: Person) -> PlanLine:
    assert plan.id is not None
    return PlanLine(
        plan_id=plan.id,
        officer_id=plan.probation_officer_id,
        person_name=f"{person.given_name} {person.family_name}",
        prison_number=person.prison_number,
        prison_code=person.prison_code,
        walk_out_date=plan.walk_out_date,
        language=str(person.preferred_language),
    )


def facts_for_many(
    session: Session, batch: Sequence[ReleasePlan], today: date
) -> dict[int, PlanFacts]:
    """plans.facts_for for a whole batch, in three queries. Must agree with it exactly
    (tests/workflows/test_scheduling.py checks it does)."""
    ids = [p.id for p in batch]
    checklists: dict[int, dict[str, ChecklistFact]] = defaultdict(dict)
    # Plain columns: the guards read two fields of each item, not worth an ORM object each.
    for plan_id, key, status, reason in session.execute(
        core_select(
            col(ChecklistItem.plan_id),
            col(ChecklistItem.key),
            col(ChecklistItem.status),
            col(ChecklistItem.reason),
        ).where(bulk.among(session, ChecklistItem.plan_id, ids))
    ):
        checklists[plan_id][key] = ChecklistFact(status, reason)
    published = set(
        session.exec(
            select(PublishedPlan.plan_id)
            .where(bulk.among(session, PublishedPlan.plan_id, ids))
            .distinct()
        )
    )
    awaiting = set(
        session.exec(
            select(EarlyReleaseRequest.plan_id)
            .where(
                bulk.among(session, EarlyReleaseRequest.plan_id, ids),
                col(EarlyReleaseRequest.state).in_(AWAITING),
            )
            .distinct()
        )
    )
    return {
        p.id: PlanFacts(  # type: ignore[misc]
            today=today,
            release_date=p.release_date,
            walk_out_date=p.walk_out_date,
            checklist=checklists[p.id],  # type: ignore[index]
            published=p.id in published,
            request_awaiting_decision=p.id in awaiting,
            followup_recorded=p.followup_recorded_at is not None,
            cancel_reason=p.cancel_reason,
            published_out_of_date=p.published_out_of_date,
        )
        for p in batch
    }


def _load_plans(session: Session, plan_ids: Ids) -> list[tuple[ReleasePlan, Person]]:
    rows = session.exec(
        select(ReleasePlan, Person)
        .join(Person, col(Person.id) == col(ReleasePlan.person_id))
        .where(bulk.among(session, ReleasePlan.id, plan_ids))
        .order_by(col(ReleasePlan.id))
    ).all()
    return [(plan, person) for plan, person in rows]


def save_versioned(
    session: Session,
    objects: Sequence[ReleasePlan | EarlyReleaseRequest],
    fields: list[str],
    what: str,
) -> None:
    """Writes a batch's changes to one versioned table in a single executemany UPDATE that
    checks every row's version, as the ORM's version counter does (SQLAlchemy 2.1 sends those
    one row at a time). The objects are then marked saved, so the flush leaves them alone."""
    unique = list({id(o): o for o in objects}.values())
    if not unique:
        return
    table = type(unique[0]).__table__  # type: ignore[union-attr]
    params = save_versioned_rows(
        session,
        table,
        [(o.id, o.version, {name: getattr(o, name) for name in fields}) for o in unique],
        what,
    )
    for o, row in zip(unique, params, strict=True):
        for name in [*fields, "version"]:
            set_committed_value(o, name, row[name])


def save_versioned_rows(
    session: Session,
    table: Any,
    rows: Sequence[tuple[int | None, int, dict[str, Any]]],
    what: str,
) -> list[dict[str, Any]]:
    """save_versioned for rows read as plain columns: (id, version read, new values)."""
    params = [
        {"b_id": row_id, "b_version": version, "version": version + 1} | values
        for row_id, version, values in rows
    ]
    if not params:
        return params
    if bulk.update_versioned(session, table, params) != len(params):
        raise VersionConflict(f"A {what} in this batch was changed by someone else meanwhile.")
    return params


# --- moving plans along -------------------------------------------------------------------

STAGE_REASONS = {
    "start_resettlement_planning": "Resettlement planning opens 12 weeks before the walk-out "
    "date (T-PLANNING-OPENS).",
    "start_pre_release": "Pre-release opens 2 weeks before the walk-out date "
    "(T-PRE-RELEASE-OPENS).",
    "release": "Released on the walk-out date.",
}

RefusedMessage = Callable[[PlanLine, list[str], date], Message]


def advance(
    session: Session,
    plan_ids: Ids,
    *,
    event: str,
    from_state: str,
    as_of: date,
    on_refused: RefusedMessage,
    actor: Actor = SYSTEM,
) -> BatchResult:
    """Runs one lifecycle event for a batch of plans in one transaction, as plans.transition
    does for one plan: the same machine, guards, history and audit. A guard's refusal is not a
    failure: the officer is told what is missing. Plans no longer in `from_state` are skipped,
    which is what makes a re-run change nothing."""
    result = BatchResult()
    rows = [(p, person) for p, person in _load_plans(session, plan_ids) if p.state == from_state]
    facts = facts_for_many(session, [p for p, _ in rows], as_of)
    refused: list[Message] = []
    moved: list[ReleasePlan] = []
    lifecycle = PlansLifecycle()
    for plan, person in rows:
        try:
            lifecycle.send(plan, event, facts=facts[plan.id])  # type: ignore[index]
        except GuardRefused as exc:
            refused.append(on_refused(_line(plan, person), [u.message for u in exc.unmet], as_of))
            result.counts["refused"] += 1
            continue
        moved.append(plan)
        result.counts["moved"] += 1
    if moved:
        history.record_each(
            session,
            [history.Line(p, reason=STAGE_REASONS.get(event)) for p in moved],
            actor,
            "transition",
            from_state=from_state,
            to_state=moved[0].state,
        )
    audit.record_each(session, actor, f"transition:{event}", "plan", [p.id for p in moved])
    try:
        # Before anything that autoflushes: the ORM would write these rows one by one.
        save_versioned(session, moved, ["state", "updated_at"], "plan")
        result.notify(session, refused)
        commit(session, "plan")
    except VersionConflict:
        session.rollback()
        # Someone changed one of these plans while the batch ran: redo the batch one plan at a
        # time, so one officer's edit costs that plan a day, not the whole batch.
        return _advance_one_by_one(
            session, plan_ids, event=event, from_state=from_state, as_of=as_of,
            on_refused=on_refused, actor=actor,
        )  # fmt: skip
    return result


def _advance_one_by_one(
    session: Session,
    plan_ids: Ids,
    *,
    event: str,
    from_state: str,
    as_of: date,
    on_refused: RefusedMessage,
    actor: Actor,
) -> BatchResult:
    result = BatchResult()
    for plan, person in _load_plans(session, plan_ids):
        if plan.state != from_state:
            continue
        try:
            plans.transition(
                session=session,
                actor=actor,
                plan_id=plan.id,  # type: ignore[arg-type]
                event=event,
                expected_version=plan.version,
                reason=STAGE_REASONS.get(event),
                today=as_of,
            )
            result.counts["moved"] += 1
        except GuardRefused as exc:
            message = on_refused(_line(plan, person), [u.message for u in exc.unmet], as_of)
            result.notify(session, [message])
            commit(session, "notification")
            result.counts["refused"] += 1
        except (VersionConflict, TransitionNotAllowed):
            result.counts["skipped_changed"] += 1
    return result


def _stage_blocked(event: str) -> RefusedMessage:
    def build(line: PlanLine, missing: list[str], as_of: date) -> Message:
        return messages.stage_blocked(line, event, missing, as_of)

    return build


def _open_plan_ids(session: Session, *conditions: Any) -> list[int]:
    statement = select(ReleasePlan.id).where(*conditions).order_by(col(ReleasePlan.id))
    return [i for i in session.exec(statement) if i is not None]


def due_resettlement_planning(session: Session, as_of: date) -> list[int]:
    return _open_plan_ids(
        session,
        col(ReleasePlan.state) == PlanState.SENTENCE_PLANNING.value,
        col(ReleasePlan.walk_out_date) <= as_of + timedelta(days=RESETTLEMENT_PLANNING_OPENS_DAYS),
    )


def run_resettlement_planning(session: Session, plan_ids: Ids, as_of: date) -> BatchResult:
    event = "start_resettlement_planning"
    return advance(
        session, plan_ids, event=event, from_state=PlanState.SENTENCE_PLANNING.value,
        as_of=as_of, on_refused=_stage_blocked(event),
    )  # fmt: skip


def due_pre_release(session: Session, as_of: date) -> list[int]:
    return _open_plan_ids(
        session,
        col(ReleasePlan.state) == PlanState.RESETTLEMENT_PLANNING.value,
        col(ReleasePlan.walk_out_date) <= as_of + timedelta(days=PRE_RELEASE_OPENS_DAYS),
    )


def run_pre_release(session: Session, plan_ids: Ids, as_of: date) -> BatchResult:
    event = "start_pre_release"
    return advance(
        session, plan_ids, event=event, from_state=PlanState.RESETTLEMENT_PLANNING.value,
        as_of=as_of, on_refused=_stage_blocked(event),
    )  # fmt: skip


# --- early-release requests ---------------------------------------------------------------


def due_early_release(session: Session, as_of: date) -> list[int]:
    """Flagged releases inside the planning window whose request is missing, or still waits
    for the officer's assessment and the officer has not been asked yet. A withdrawn request
    is the officer's decision: not reopened."""
    any_request = exists().where(
        col(EarlyReleaseRequest.plan_id) == col(ReleasePlan.id),
        col(EarlyReleaseRequest.release_date) == col(ReleasePlan.release_date),
    )
    waiting = exists().where(
        col(EarlyReleaseRequest.plan_id) == col(ReleasePlan.id),
        col(EarlyReleaseRequest.state) == RequestState.FLAGGED.value,
        not_yet_told(messages.early_release_assessment_key, EarlyReleaseRequest.id),
    )
    return _open_plan_ids(
        session,
        col(ReleasePlan.state).in_(BEFORE_RELEASE),
        col(ReleasePlan.flagged).is_(True),
        col(ReleasePlan.walk_out_date) >= as_of,
        col(ReleasePlan.walk_out_date) <= as_of + timedelta(days=RESETTLEMENT_PLANNING_OPENS_DAYS),
        or_(~any_request, waiting),
    )


def run_early_release(session: Session, plan_ids: Ids, as_of: date) -> BatchResult:
    """Opens the missing requests and asks the officers to assess the waiting ones. Most plans
    of a batch only need their message: they are read as plain rows, and ORM objects are
    built only for the few whose request is opened here."""
    result = BatchResult()
    flagged = session.execute(
        core_select(col(ReleasePlan.id), col(ReleasePlan.release_date))
        .where(
            bulk.among(session, ReleasePlan.id, plan_ids),
            col(ReleasePlan.state).in_(BEFORE_RELEASE),
            col(ReleasePlan.flagged).is_(True),
        )
        .order_by(col(ReleasePlan.id))
    ).all()
    requests: dict[int, list[Any]] = defaultdict(list)
    for request in session.execute(
        core_select(
            col(EarlyReleaseRequest.plan_id),
            col(EarlyReleaseRequest.id),
            col(EarlyReleaseRequest.release_date),
            col(EarlyReleaseRequest.state),
            col(EarlyReleaseRequest.flag_reason),
        ).where(bulk.among(session, EarlyReleaseRequest.plan_id, plan_ids))
    ):
        requests[request.plan_id].append(request)
    missing = [
        plan_id
        for plan_id, release in flagged
        if not any(r.release_date == release for r in requests[plan_id])
    ]
    opened = _open_requests(session, missing)
    result.counts["opened"] += len(opened)
    wanting: list[tuple[int, int, str]] = []
    for plan_id, release in flagged:
        mine: Sequence[Any] = (
            [opened[plan_id]]
            if plan_id in opened
            else [r for r in requests[plan_id] if r.release_date == release]
        )
        wanting += [
            (plan_id, r.id, r.flag_reason) for r in mine if r.state == RequestState.FLAGGED.value
        ]
    lines = plan_lines(session, {plan_id for plan_id, _, _ in wanting})
    result.notify(
        session,
        [
            messages.early_release_assessment(lines[plan_id], request_id, reason)
            for plan_id, request_id, reason in wanting
        ],
    )
    commit(session, "early-release request")
    return result


def _open_requests(session: Session, plan_ids: Ids) -> dict[int, EarlyReleaseRequest]:
    """The requests of plans that have none for their release date, opened as the plan page
    opens them; their plans' versions move together in one statement."""
    if not plan_ids:
        return {}
    opened: dict[int, EarlyReleaseRequest] = {}
    opened_for: list[ReleasePlan] = []
    # No autoflush: the plans whose history gains a line are written together below.
    with session.no_autoflush:
        for plan, person in _load_plans(session, plan_ids):
            if plan.state not in BEFORE_RELEASE or not plan.flagged:
                continue
            assessment = plans.assessment_for(plan, person)
            request = (
                early_release.open_request_if_flagged(
                    session, plan, person, assessment, SYSTEM, known_absent=True
                )
                if assessment is not None
                else None
            )
            if request is None:
                continue
            opened_for.append(plan)
            opened[plan.id] = request  # type: ignore[index]
    save_versioned(session, opened_for, ["updated_at"], "plan")
    session.flush()
    audit.record_each(
        session,
        SYSTEM,
        "create",
        "early_release_request",
        [r.id for r in opened.values() if r.state == RequestState.FLAGGED.value],
    )
    return opened


def due_escalation(session: Session, as_of: date) -> list[int]:
    """Request ids (not plan ids) whose decision deadline is within two working days, or past,
    and not yet escalated. Working days differ by nation, so one bound per nation."""
    near = or_(
        *(
            and_(
                col(Person.nation) == nation.value,
                col(EarlyReleaseRequest.decision_deadline)
                <= add_working_days(as_of, ESCALATION_WORKING_DAYS, nation),
            )
            for nation in Nation
        )
    )
    statement = (
        select(EarlyReleaseRequest.id)
        .join(ReleasePlan, col(ReleasePlan.id) == col(EarlyReleaseRequest.plan_id))
        .join(Person, col(Person.id) == col(ReleasePlan.person_id))
        .where(
            col(EarlyReleaseRequest.state).in_(AWAITING),
            col(EarlyReleaseRequest.escalated_at).is_(None),
            col(ReleasePlan.state).in_(BEFORE_RELEASE),
            near,
        )
        .order_by(col(EarlyReleaseRequest.id))
    )
    return [i for i in session.exec(statement) if i is not None]


def run_escalation(session: Session, request_ids: Ids, as_of: date) -> BatchResult:
    """Read as plain rows and written with set-based statements: the requests, their plans'
    versions, the history lines, the audit rows and the governors' messages."""
    result = BatchResult()
    requests = session.execute(
        core_select(
            col(EarlyReleaseRequest.id),
            col(EarlyReleaseRequest.version),
            col(EarlyReleaseRequest.plan_id),
            col(EarlyReleaseRequest.prison_code),
            col(EarlyReleaseRequest.decision_deadline),
            col(EarlyReleaseRequest.release_date),
        )
        .where(
            bulk.among(session, EarlyReleaseRequest.id, request_ids),
            col(EarlyReleaseRequest.escalated_at).is_(None),
            col(EarlyReleaseRequest.state).in_(AWAITING),
        )
        .order_by(col(EarlyReleaseRequest.id))
    ).all()
    plan_versions = dict(
        session.execute(
            core_select(col(ReleasePlan.id), col(ReleasePlan.version)).where(
                bulk.among(session, ReleasePlan.id, {r.plan_id for r in requests})
            )
        ).all()
    )
    lines = plan_lines(session, plan_versions)
    now = clock.now()
    history.record_rows(
        session,
        [
            (
                r.plan_id,
                f"The governor of {r.prison_code} was asked to decide by "
                f"{messages.long_date(r.decision_deadline)}.",
                {"request_id": r.id, "decision_deadline": str(r.decision_deadline)},
            )
            for r in requests
        ],
        SYSTEM,
        "early_release_escalated",
        now=now,
    )
    audit.record_each(
        session, SYSTEM, "escalate", "early_release_request", [r.id for r in requests]
    )
    # A request changed by someone else meanwhile fails the batch; the task's re-run or
    # tomorrow's scan picks up whatever is still not escalated.
    save_versioned_rows(
        session,
        EarlyReleaseRequest.__table__,  # type: ignore[attr-defined]
        [(r.id, r.version, {"escalated_at": now}) for r in requests],
        "early-release request",
    )
    save_versioned_rows(
        session,
        ReleasePlan.__table__,  # type: ignore[attr-defined]
        [(i, v, {"updated_at": now}) for i, v in sorted(plan_versions.items())],
        "plan",
    )
    result.notify(
        session,
        [
            messages.decision_due(
                lines[r.plan_id], r.id, r.decision_deadline, r.release_date, as_of
            )
            for r in requests
        ],
    )
    result.counts["escalated"] += len(requests)
    commit(session, "early-release request")
    return result


# --- reminders and warnings ---------------------------------------------------------------


def _unfinished_due(as_of: date) -> list[Any]:
    return [
        col(ChecklistItem.status).not_in(FINISHED),
        col(ChecklistItem.due_date) <= as_of,
    ]


def not_yet_told(key: Callable[[object], str], about: Any) -> Any:
    """No message with the plan's key for the day is in the outbox yet: the key is built in
    SQL from the same function that names the message, so the two cannot drift apart. A
    re-run of the day then finds nothing due, instead of rebuilding every message to have
    the outbox turn each one away."""
    before, after = key("\0").split("\0")
    built = literal(before) + cast(about, String) + literal(after)
    return ~exists().where(col(Notification.idempotency_key) == built)


def due_checklist_reminders(session: Session, as_of: date) -> list[int]:
    statement = (
        select(ChecklistItem.plan_id)
        .join(ReleasePlan, col(ReleasePlan.id) == col(ChecklistItem.plan_id))
        .where(
            col(ReleasePlan.state).in_(BEFORE_RELEASE),
            *_unfinished_due(as_of),
            not_yet_told(lambda i: messages.checklist_due_key(i, as_of), ChecklistItem.plan_id),
        )
        .distinct()
        .order_by(col(ChecklistItem.plan_id))
    )
    return list(session.exec(statement))


def run_checklist_reminders(session: Session, plan_ids: Ids, as_of: date) -> BatchResult:
    result = BatchResult()
    items: dict[int, list[DueItem]] = defaultdict(list)
    for plan_id, title, due in session.exec(
        select(col(ChecklistItem.plan_id), col(ChecklistItem.title), col(ChecklistItem.due_date))
        .where(bulk.among(session, ChecklistItem.plan_id, plan_ids), *_unfinished_due(as_of))
        .order_by(col(ChecklistItem.due_date), col(ChecklistItem.id))
    ):
        items[plan_id].append(DueItem(title, due))  # type: ignore[arg-type]
    lines = plan_lines(session, items)
    result.notify(
        session,
        [messages.checklist_due(lines[pid], due, as_of) for pid, due in sorted(items.items())],
    )
    result.counts["plans_reminded"] += len(items)
    commit(session, "notification")
    return result


def due_accommodation_warnings(session: Session, as_of: date) -> list[int]:
    housed = exists().where(
        col(ChecklistItem.plan_id) == col(ReleasePlan.id),
        col(ChecklistItem.key) == "accommodation",
        col(ChecklistItem.status).in_(FINISHED),
    )
    return _open_plan_ids(
        session,
        col(ReleasePlan.state).in_(BEFORE_RELEASE),
        col(ReleasePlan.walk_out_date) >= as_of,
        col(ReleasePlan.walk_out_date) <= as_of + timedelta(days=NO_ACCOMMODATION_WARNING_DAYS),
        ~housed,
        not_yet_told(lambda i: messages.no_accommodation_key(i, as_of), ReleasePlan.id),
    )


def run_accommodation_warnings(session: Session, plan_ids: Ids, as_of: date) -> BatchResult:
    result = BatchResult()
    lines = plan_lines(session, plan_ids)
    result.notify(session, [messages.no_accommodation(lines[i], as_of) for i in sorted(lines)])
    result.counts["warned"] += len(lines)
    commit(session, "notification")
    return result


# --- release day --------------------------------------------------------------------------


def _walked_out_by(as_of: date) -> Any:
    """Walk-out dates release day acts on: today's, and those of the days it did not run (a
    lost machine, a paused schedule) up to RELEASE_CATCH_UP_DAYS back. Messages are keyed by
    the walk-out date, so a day caught up is told once, like a day on time."""
    return col(ReleasePlan.walk_out_date).between(
        as_of - timedelta(days=RELEASE_CATCH_UP_DAYS), as_of
    )


def due_release(session: Session, as_of: date) -> list[int]:
    return _open_plan_ids(
        session, col(ReleasePlan.state).in_(BEFORE_RELEASE), _walked_out_by(as_of)
    )


def run_release(session: Session, plan_ids: Ids, as_of: date) -> BatchResult:
    """Ready plans move to released; the officer hears what is missing from the others."""
    rows = _load_plans(session, plan_ids)
    early = [(p, person) for p, person in rows if p.state != PlanState.PRE_RELEASE.value]
    result = advance(
        session,
        [p.id for p, _ in rows if p.state == PlanState.PRE_RELEASE.value],  # type: ignore[misc]
        event="release",
        from_state=PlanState.PRE_RELEASE.value,
        as_of=as_of,
        on_refused=messages.not_ready,
    )
    result.counts["not_ready"] = result.counts.pop("refused", 0)
    if early:
        facts = facts_for_many(session, [p for p, _ in early], as_of)
        outbox = []
        for plan, person in early:
            stage = plan.state.replace("_", " ")
            missing = [f"The plan is still in {stage}; it must reach pre-release first."]
            missing += [u.message for u in unmet_conditions("release", facts[plan.id])]  # type: ignore[index]
            outbox.append(messages.not_ready(_line(plan, person), missing, as_of))
        result.notify(session, outbox)
        result.counts["not_ready"] += len(early)
        commit(session, "notification")
    return result


def due_plan_to_leaver(session: Session, as_of: date) -> list[int]:
    return _open_plan_ids(
        session, col(ReleasePlan.state) == PlanState.RELEASED.value, _walked_out_by(as_of)
    )


def run_plan_to_leaver(session: Session, plan_ids: Ids, as_of: date) -> BatchResult:
    # Its own action, not part of the release: a crash between the two still sends the message
    # on the re-run, because the due query looks at the state, not at what the last run did.
    # The message is stored with a placeholder for the sign-in link: the link is issued when
    # the message is sent (notifications.deliver), so its secret is never at rest, and a
    # re-run, which adds no second message, issues no second link.
    result = BatchResult()
    rows = _load_plans(session, plan_ids)
    keys = {p.id: messages.plan_ready_key(p.id, p.walk_out_date or as_of) for p, _ in rows}  # type: ignore[arg-type]
    sent = set(
        session.exec(
            select(Notification.idempotency_key).where(
                col(Notification.idempotency_key).in_(list(keys.values()))
            )
        )
    )
    outbox = [
        messages.plan_ready(_line(plan, person), person.given_name, as_of)
        for plan, person in rows
        if keys[plan.id] not in sent
    ]
    result.notify(session, outbox)
    result.counts["plans_sent"] += len(outbox)
    commit(session, "notification")
    return result


# --- the 48-hour follow-up ----------------------------------------------------------------


def due_followup(session: Session, as_of: date) -> list[int]:
    return _open_plan_ids(
        session,
        col(ReleasePlan.state) == PlanState.RELEASED.value,
        col(ReleasePlan.walk_out_date) <= as_of - timedelta(days=FOLLOWUP_AFTER_DAYS),
        col(ReleasePlan.followup_recorded_at).is_(None),
    )


def run_followup(session: Session, plan_ids: Ids, as_of: date) -> BatchResult:
    result = BatchResult()
    lines = plan_lines(session, plan_ids)
    result.notify(session, [messages.followup_due(lines[i], as_of) for i in sorted(lines)])
    result.counts["officers_asked"] += len(lines)
    commit(session, "notification")
    return result


# --- referrals ----------------------------------------------------------------------------
# A referral sent and still unanswered after its due date is chased with the plan's probation
# officer, once a day until it is answered or closed.


def due_referral_chases(session: Session, as_of: date) -> list[int]:
    statement = (
        select(Referral.id)
        .where(
            Referral.state == ReferralState.SENT.value,
            col(Referral.due_date) < as_of,
            not_yet_told(lambda i: messages.referral_unanswered_key(i, as_of), Referral.id),
        )
        .order_by(col(Referral.id))
    )
    return [int(i) for i in session.exec(statement) if i is not None]


def run_referral_chases(session: Session, referral_ids: Ids, as_of: date) -> BatchResult:
    """One query for the batch's referrals with their service and organisation names, one for
    the plans' message facts, one insert into the outbox."""
    result = BatchResult()
    rows = session.exec(
        select(Referral, DirectoryService.name, DirectoryOrganisation.name)
        .join(DirectoryService, col(DirectoryService.id) == col(Referral.service_id))
        .join(DirectoryOrganisation, col(DirectoryOrganisation.id) == col(Referral.organisation_id))
        .where(
            bulk.among(session, Referral.id, referral_ids),
            Referral.state == ReferralState.SENT.value,
        )
        .order_by(col(Referral.id))
    ).all()
    lines = plan_lines(session, {referral.plan_id for referral, _, _ in rows})
    result.notify(
        session,
        [
            messages.referral_unanswered(
                lines[referral.plan_id],
                referral.id,  # type: ignore[arg-type]
                f"{service} ({organisation})",
                referral.due_date,
                as_of,
            )
            for referral, service, organisation in rows
        ],
    )
    result.counts["referrals_chased"] += len(rows)
    commit(session, "notification")
    return result


# --- the actions, in the order each workflow runs them ------------------------------------

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "open_resettlement_planning",
            "Plans moved to resettlement planning 12 weeks before walk-out",
            due_resettlement_planning,
            run_resettlement_planning,
        ),
        Action(
            "open_pre_release",
            "Plans moved to pre-release 2 weeks before walk-out",
            due_pre_release,
            run_pre_release,
        ),
        Action(
            "early_release_requests",
            "Friday and pre-bank-holiday releases: requests opened, officers asked to assess",
            due_early_release,
            run_early_release,
        ),
        Action(
            "escalate_decisions",
            "Early-release decisions escalated to the governor near the deadline",
            due_escalation,
            run_escalation,
        ),
        Action(
            "checklist_reminders",
            "Officers reminded of checklist items due or overdue",
            due_checklist_reminders,
            run_checklist_reminders,
        ),
        Action(
            "no_accommodation_warnings",
            "Officers warned: within 14 days of release with no accommodation",
            due_accommodation_warnings,
            run_accommodation_warnings,
        ),
        Action(
            "referral_chases",
            "Officers told of referrals unanswered after their due date",
            due_referral_chases,
            run_referral_chases,
        ),
        Action(
            "release",
            "Ready plans released; officers told what is missing from the others",
            due_release,
            run_release,
        ),
        Action(
            "plan_to_leaver",
            "Prison leavers sent word that their plan is ready",
            due_plan_to_leaver,
            run_plan_to_leaver,
        ),
        Action(
            "followup_requests",
            "Officers asked to record the 48-hour follow-up",
            due_followup,
            run_followup,
        ),
    )
}

DAILY_RELEASE_SCAN = (
    "open_resettlement_planning",
    "open_pre_release",
    "early_release_requests",
    "escalate_decisions",
    "checklist_reminders",
    "no_accommodation_warnings",
    "referral_chases",
)
RELEASE_DAY = ("release", "plan_to_leaver")
FORTY_EIGHT_HOUR_FOLLOWUP = ("followup_requests",)
