"""The import: each row of an extract creates a plan, changes one through the existing services,
leaves it alone, or is refused with its reasons; the report says which, row by row.

It works in batches. Each batch is read with a few set-based statements (the people named by
its prison numbers and CRNs, their plans, their plans' open early-release requests); its new
people and plans are written a table at a time, in one transaction, by the same steps
`plans.open_plan` takes. A change to a plan that exists is rarer and is made by the service
an officer would use (`people.update_person`, `plans.change_release_date`, `plans.transition`,
`plans.move_to_prison`, `plans.reassign`), each its own transaction with its history and
audit, so a change made by the import is the same change an officer would have made. Every
change is attributed to the run's own actor (`intake-run-<id>`, role intake); the run names the
file and who started it.

The import is idempotent: a row that already matches what the service holds changes nothing,
so the same file imported twice changes nothing the second time.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Row, func, or_, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from resettlement import (
    audit,
    bulk,
    checklists,
    clock,
    early_release,
    history,
    people,
    plans,
)
from resettlement.actors import Actor, Role
from resettlement.clock import LONDON
from resettlement.errors import AlreadyExists, DomainError
from resettlement.intake.extract import Extract
from resettlement.intake.models import (
    STALE_AFTER,
    IntakeRowOutcome,
    IntakeRun,
    Outcome,
    RunState,
)
from resettlement.models import (
    AWAITING_DECISION,
    OPEN_STATES,
    CancelReason,
    ChecklistItem,
    EarlyReleaseRequest,
    Person,
    PersonCreate,
    PlanState,
    ReleasePlan,
)
from resettlement.staff import StaffMember
from resettlement.transactions import commit, service
from rules.checklists import Need
from rules.intake_rows import (
    RELEASE_DATE_TYPES,
    ExtractRow,
    RowProblem,
    duplicated,
    read_row,
)
from rules.release_dates import ReleaseAssessment

BATCH_SIZE = 2_000
# The people and plans a batch names, as the database holds them: plain rows read by column
# name, never changed in place (every change goes through a service), so no ORM objects.
PersonRow = Row[Any]
PlanRow = Row[Any]
_OPEN = {s.value for s in OPEN_STATES}


@dataclass
class RowResult:
    line: int
    prison_number: str | None
    outcome: Outcome
    plan_id: int | None = None
    changes: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def as_row(self, run_id: int) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "line": self.line,
            "prison_number": (self.prison_number or "")[:20] or None,
            "plan_id": self.plan_id,
            "outcome": self.outcome.value,
            "changes": self.changes or None,
            "problems": [{"field": p.field, "reason": p.reason} for p in self.problems] or None,
        }


@dataclass
class ImportReport:
    run: IntakeRun
    results: list[RowResult]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)


def refused(line: int, prison_number: str | None, field_name: str, reason: str) -> RowResult:
    return RowResult(
        line, prison_number, Outcome.REFUSED, problems=[RowProblem(field_name, reason)]
    )


# --- the steps a change takes ---------------------------------------------------------------


@dataclass
class _Change:
    """What one row changes on an existing open plan, worked out before anything is written."""

    plan: PlanRow
    person: PersonRow
    person_changes: dict[str, Any]
    cancel: CancelReason | None = None
    move_prison: tuple[str, str] | None = None
    release_date: date | None = None
    rerun_rules: bool = False
    officer: str | None = None


@dataclass
class _Create:
    row: ExtractRow
    person: PersonRow | None
    person_changes: dict[str, Any]


@dataclass
class _Known:
    """What the service knows that a row must match: prisons (with a governor to decide their
    early-release requests) and probation officers."""

    prisons: set[str]
    officers: set[str]


def _known(session: Session) -> _Known:
    rows = session.exec(
        select(StaffMember.role, StaffMember.user_id, StaffMember.prison_code).where(
            col(StaffMember.role).in_([Role.GOVERNOR.value, Role.PROBATION_OFFICER.value])
        )
    ).all()
    return _Known(
        prisons={p for role, _, p in rows if role == Role.GOVERNOR.value and p},
        officers={u for role, u, _ in rows if role == Role.PROBATION_OFFICER.value},
    )


# --- the run ---------------------------------------------------------------------------------


class ImportRunning(AlreadyExists):
    """Another import is running (409): one runs at a time, whatever process started it."""

    title = "Another import is running"


class ImportStopped(DomainError):
    """This run was marked stopped while it ran (it went quiet for longer than STALE_AFTER and
    another import took over): it must not go on beside the one that did."""

    title = "This import was stopped"


@service
def start_run(*, session: Session, actor: Actor, extract: Extract) -> IntakeRun:
    """The run of `extract`, if no other import is running (else ImportRunning). A run that
    went quiet for STALE_AFTER is taken to have stopped (its process is gone) and marked so."""
    _stop_stale(session, actor)
    now = clock.now()
    run = IntakeRun(
        file_name=extract.file_name[:200],
        sha256=extract.sha256,
        file_format=extract.file_format,
        run_by=actor.user_id,
        rows=len(extract.rows),
        started_at=now,
        heartbeat_at=now,
    )
    session.add(run)
    try:
        session.flush()  # the database's one-running-run index decides, across processes
    except IntegrityError:
        session.rollback()
        raise ImportRunning(_running_words(session)) from None
    audit.record(session, actor, "import", "intake_run", run.id)
    commit(session, "import run")
    return run


def _stop_stale(session: Session, actor: Actor) -> None:
    quiet_since = clock.now() - STALE_AFTER
    stale = session.exec(
        select(IntakeRun.id).where(
            IntakeRun.state == RunState.RUNNING.value,
            func.coalesce(IntakeRun.heartbeat_at, IntakeRun.started_at) < quiet_since,
        )
    ).all()
    if stale:
        _mark_stopped(session, stale)
        audit.record_each(session, actor, "stop", "intake_run", stale)


def _mark_stopped(session: Session, run_ids: Sequence[int | None]) -> None:
    session.execute(
        update(IntakeRun)
        .where(col(IntakeRun.id).in_(run_ids), col(IntakeRun.state) == RunState.RUNNING.value)
        .values(state=RunState.STOPPED.value, finished_at=clock.now())
    )


def _running_words(session: Session) -> str:
    running = session.exec(
        select(IntakeRun).where(IntakeRun.state == RunState.RUNNING.value)
    ).first()
    if running is None:
        return "Another import was running a moment ago. Try again."
    return (
        f"Import run {running.id} ({running.file_name}, started by {running.run_by} "
        f"{_london(running.started_at)}) is still running: {running.done_rows:,} of "
        f"{running.rows:,} rows done. Only one import runs at a time, so that two files "
        "naming the same person cannot race. Try again when it has finished."
    )


def imported_before(session: Session, sha256: str) -> IntakeRun | None:
    """The finished (or refused) run of a file with these contents, if there is one."""
    return session.exec(
        select(IntakeRun)
        .where(
            IntakeRun.sha256 == sha256,
            col(IntakeRun.state).in_([RunState.FINISHED.value, RunState.REFUSED.value]),
        )
        .order_by(col(IntakeRun.id))
        .limit(1)
    ).first()


def import_extract(
    *,
    session: Session,
    actor: Actor,
    extract: Extract,
    batch_size: int = BATCH_SIZE,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Imports every row of `extract` (already read: a file that is not an extract never gets
    here), started by `actor`, and returns the report of every row. ImportRunning if another
    import is running."""
    run = start_run(session=session, actor=actor, extract=extract)
    return continue_run(
        session=session, run=run, extract=extract, batch_size=batch_size, today=today,
        progress=progress,
    )  # fmt: skip


def continue_run(
    *,
    session: Session,
    run: IntakeRun,
    extract: Extract,
    batch_size: int = BATCH_SIZE,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Imports the rows of a run `start_run` began (the admin page starts it while the upload
    waits, and goes on in the background). If it fails part way, the run is marked stopped:
    its committed batches stand, and importing the file again finishes the job."""
    run_id = run.id or 0
    # The file's rows, read and then parsed, live until the end: frozen out of the garbage
    # collector's reach, its full passes no longer walk them again and again. At 100,000 rows
    # the collector took 14 of 33 CPU seconds; with the rows frozen the run takes about 25.
    gc.freeze()
    try:
        return _import_rows(session, run, extract, batch_size, today or clock.today(), progress)
    except BaseException:
        session.rollback()
        try:
            _mark_stopped(session, [run_id])
            session.commit()
        except DBAPIError:  # the database is gone too: the run goes stale and is stopped then
            session.rollback()
        raise
    finally:
        gc.unfreeze()


def _import_rows(
    session: Session,
    run: IntakeRun,
    extract: Extract,
    batch_size: int,
    today: date,
    progress: Callable[[int], None] | None,
) -> ImportReport:
    importer = Actor(user_id=run.actor_id, role=Role.INTAKE)
    where = f"{extract.file_name} (import run {run.id})"
    known = _known(session)
    read: list[ExtractRow | RowResult] = []
    for raw in extract.rows:
        prison_number = str(raw.values.get("prison_number") or "").strip().upper() or None
        if raw.unreadable:
            read.append(refused(raw.line, prison_number, "row", raw.unreadable))
            continue
        parsed = read_row(raw.values, line=raw.line, today=today)
        if isinstance(parsed, list):
            read.append(RowResult(raw.line, prison_number, Outcome.REFUSED, problems=parsed))
        else:
            read.append(parsed)
    twice = duplicated(
        [
            (raw.line, str(raw.values.get("prison_number") or "").strip().upper(),
             str(raw.values.get("crn") or "").strip().upper())
            for raw in extract.rows
            if not raw.unreadable
        ]
    )  # fmt: skip
    results: list[RowResult] = []
    stamps = _prison_stamps(r for r in read if isinstance(r, ExtractRow))
    older = _older_than_imported(session, stamps)
    if older is not None:
        return _refuse_whole(session, run, read, older, stamps)
    rules = _Rules()
    gc.freeze()  # and the parsed rows too (see continue_run)
    for start in range(0, len(read), batch_size):
        chunk = read[start : start + batch_size]
        results.extend(_batch(session, importer, run.id or 0, chunk, twice, known, where, rules))
        session.expunge_all()
        if progress:
            progress(len(chunk))
    run = _finish(session, run, results, stamps)
    return ImportReport(run=run, results=results)


def _prison_stamps(rows: Iterable[ExtractRow]) -> dict[str, datetime]:
    """The newest extract timestamp of each prison the rows name."""
    stamps: dict[str, datetime] = {}
    for row in rows:
        if row.prison_code not in stamps or row.extract_timestamp > stamps[row.prison_code]:
            stamps[row.prison_code] = row.extract_timestamp
    return stamps


def _older_than_imported(session: Session, stamps: dict[str, datetime]) -> RowProblem | None:
    """Why the file is refused whole, if it holds an older extract of a prison than one
    already imported: a file dropped late must not undo newer release dates and transfers."""
    newest: dict[str, tuple[datetime, int]] = {}
    for run_id, held in session.exec(
        select(IntakeRun.id, IntakeRun.prison_stamps).where(
            IntakeRun.state == RunState.FINISHED.value,
            col(IntakeRun.prison_stamps).is_not(None),
        )
    ).all():
        for code, written in (held or {}).items():
            stamp = datetime.fromisoformat(written)
            if code not in newest or stamp > newest[code][0]:
                newest[code] = (stamp, run_id or 0)
    for code, mine in sorted(stamps.items()):
        if code in newest and mine < newest[code][0]:
            theirs, run_id = newest[code]
            return RowProblem(
                "extract_timestamp",
                f"This file's extract of {code} was taken {_london(mine)}, before the one "
                f"already imported (taken {_london(theirs)}, import run {run_id}). An older "
                "extract is refused whole, so it cannot undo newer release dates or transfers: "
                "nothing in this file was imported. Import the newest extract instead.",
            )
    return None


def _london(at: datetime) -> str:
    return f"{at.astimezone(LONDON):%-d %B %Y at %H:%M} (London time)"


def _refuse_whole(
    session: Session,
    run: IntakeRun,
    read: Sequence[ExtractRow | RowResult],
    why: RowProblem,
    stamps: dict[str, datetime],
) -> ImportReport:
    results = [RowResult(r.line, r.prison_number, Outcome.REFUSED, problems=[why]) for r in read]
    bulk.insert_rows(
        session,
        IntakeRowOutcome.__table__,  # type: ignore[attr-defined]
        [r.as_row(run.id or 0) for r in results],
    )
    run = _finish(session, run, results, stamps, state=RunState.REFUSED)
    return ImportReport(run=run, results=results)


def _finish(
    session: Session,
    run: IntakeRun,
    results: Sequence[RowResult],
    stamps: dict[str, datetime],
    *,
    state: RunState = RunState.FINISHED,
) -> IntakeRun:
    run = session.merge(run)
    run.state = state.value
    run.finished_at = clock.now()
    run.done_rows = len(results)
    run.extract_timestamp = max(stamps.values()) if stamps else None
    run.prison_stamps = {code: at.isoformat() for code, at in sorted(stamps.items())} or None
    run.created = sum(1 for r in results if r.outcome == Outcome.CREATED)
    run.changed = sum(1 for r in results if r.outcome == Outcome.CHANGED)
    run.unchanged = sum(1 for r in results if r.outcome == Outcome.UNCHANGED)
    run.refused = sum(1 for r in results if r.outcome == Outcome.REFUSED)
    session.add(run)
    commit(session, "import run")
    return run


# --- one batch -------------------------------------------------------------------------------


def _batch(
    session: Session,
    actor: Actor,
    run_id: int,
    chunk: Sequence[ExtractRow | RowResult],
    twice: dict[int, str],
    known: _Known,
    where: str,
    rules: _Rules,
) -> list[RowResult]:
    _heartbeat(session, run_id)
    done: dict[int, RowResult] = {}
    rows: list[ExtractRow] = []
    for item in chunk:
        if isinstance(item, RowResult):
            done[item.line] = item
        elif item.line in twice:
            done[item.line] = refused(
                item.line, item.prison_number, "prison_number", twice[item.line]
            )
        else:
            problem = _unknown(item, known)
            if problem:
                done[item.line] = RowResult(item.line, item.prison_number, Outcome.REFUSED,
                                            problems=[problem])  # fmt: skip
            else:
                rows.append(item)

    found = _people(session, rows)
    plans_of = _plans(session, [p.id for p in found if p.id is not None])
    open_ids = [p.id for ps in plans_of.values() for p in ps if p.state in _OPEN and p.id]
    request_prisons = _request_prisons(session, open_ids)
    by_number = {p.prison_number: p for p in found}
    by_crn = {p.crn: p for p in found}

    creates: list[_Create] = []
    changes: list[tuple[ExtractRow, _Change]] = []
    for row in rows:
        decided = _decide(row, by_number, by_crn, plans_of, request_prisons)
        if isinstance(decided, RowResult):
            done[row.line] = decided
        elif isinstance(decided, _Create):
            creates.append(decided)
        else:
            changes.append((row, decided))

    for create in creates:
        if create.person is not None and create.person_changes:
            failed = _update_person(session, actor, create.person, create.person_changes)
            if failed:
                done[create.row.line] = refused(create.row.line, create.row.prison_number,
                                                "row", failed)  # fmt: skip
    creates = [c for c in creates if c.row.line not in done]
    done.update(_create(session, actor, creates, where, rules))
    for row, change in changes:
        done[row.line] = _apply(session, actor, row, change, where)

    results = [done[item.line] for item in chunk]
    session.execute(
        update(IntakeRun)
        .where(col(IntakeRun.id) == run_id)
        .values(done_rows=IntakeRun.done_rows + len(chunk))
    )
    bulk.insert_rows(
        session,
        IntakeRowOutcome.__table__,  # type: ignore[attr-defined]
        [r.as_row(run_id) for r in results],
    )
    commit(session, "import report")
    return results


def _heartbeat(session: Session, run_id: int) -> None:
    """The batch's first write: the run is alive. A run marked stopped meanwhile (it was quiet
    too long and another import began) goes no further. On PostgreSQL the row stays locked
    until the batch's new plans commit, so it cannot be marked stopped half way through."""
    beat = session.execute(
        update(IntakeRun)
        .where(col(IntakeRun.id) == run_id, col(IntakeRun.state) == RunState.RUNNING.value)
        .values(heartbeat_at=clock.now())
    )
    if beat.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ImportStopped(
            f"Import run {run_id} was marked stopped while it ran (it had been quiet for "
            f"{STALE_AFTER.seconds // 60} minutes). Import the file again to finish it."
        )


def _unknown(row: ExtractRow, known: _Known) -> RowProblem | None:
    if row.prison_code not in known.prisons:
        return RowProblem(
            "prison_code",
            f"No prison with the code {row.prison_code} is known to this service (it has no "
            "governor here to decide its early-release requests). Check the code, or ask an "
            "administrator to add the prison's governor.",
        )
    if row.probation_officer not in known.officers:
        return RowProblem(
            "probation_officer",
            f"No probation officer {row.probation_officer!r} is known to this service. Check "
            "the officer's user id, or ask an administrator to add them.",
        )
    return None


def _people(session: Session, rows: Sequence[ExtractRow]) -> list[PersonRow]:
    if not rows:
        return []
    numbers = [r.prison_number for r in rows]
    crns = [r.crn for r in rows]
    person = Person.__table__.c  # type: ignore[attr-defined]
    return list(
        session.execute(
            select(*person).where(
                or_(
                    bulk.among(session, person.prison_number, numbers),
                    bulk.among(session, person.crn, crns),
                )
            )
        ).all()
    )


def _plans(session: Session, person_ids: Sequence[int]) -> dict[int, list[PlanRow]]:
    if not person_ids:
        return {}
    plan = ReleasePlan.__table__.c  # type: ignore[attr-defined]
    found: dict[int, list[PlanRow]] = {}
    for row in session.execute(
        select(*plan).where(bulk.among(session, plan.person_id, person_ids)).order_by(plan.id)
    ).all():
        found.setdefault(row.person_id, []).append(row)
    return found


def _request_prisons(session: Session, plan_ids: Sequence[int]) -> dict[int, set[str]]:
    """The prisons of each plan's requests awaiting a decision: a transfer moves them."""
    if not plan_ids:
        return {}
    found: dict[int, set[str]] = {}
    for plan_id, prison in session.exec(
        select(EarlyReleaseRequest.plan_id, EarlyReleaseRequest.prison_code).where(
            bulk.among(session, EarlyReleaseRequest.plan_id, plan_ids),
            col(EarlyReleaseRequest.state).in_([s.value for s in AWAITING_DECISION]),
        )
    ).all():
        found.setdefault(plan_id, set()).add(prison)
    return found


# --- deciding what a row does ----------------------------------------------------------------


def _person_changes(person: PersonRow, row: ExtractRow) -> dict[str, Any]:
    wanted: dict[str, Any] = {
        "given_name": row.given_name,
        "family_name": row.family_name,
        "date_of_birth": row.date_of_birth,
        "nation": row.nation,
        "prison_code": row.prison_code,
    }
    differ = {k: v for k, v in wanted.items() if getattr(person, k) != v}
    if row.needs is not None:
        needs = plans.needs_for(row.needs, row.term_days)
        if {str(n) for n in needs} != {str(n) for n in person.needs}:
            differ["needs"] = needs
    return differ


def _decide(
    row: ExtractRow,
    by_number: dict[str, PersonRow],
    by_crn: dict[str, PersonRow],
    plans_of: dict[int, list[PlanRow]],
    request_prisons: dict[int, set[str]],
) -> RowResult | _Create | _Change:
    a, b = by_number.get(row.prison_number), by_crn.get(row.crn)
    if a is not b and (a is not None or b is not None):
        return refused(
            row.line,
            row.prison_number,
            "crn" if a is not None else "prison_number",
            "The prison number and the CRN belong to different people in this service (or one "
            "of them to someone and the other to no one). Check both numbers; nothing is "
            "guessed.",
        )
    person = a
    if person is None:
        if row.recall or row.release_date_withdrawn:
            return _nothing_to_cancel(row)
        return _Create(row, None, {})
    held = plans_of.get(person.id or 0, [])
    current = next((p for p in held if p.state in _OPEN), None)
    if current is not None:
        return _decide_open(row, person, current, request_prisons.get(current.id or 0, set()))
    same = [p for p in held if p.sentence_date == row.sentence_date]
    latest = same[-1] if same else None
    if row.recall or row.release_date_withdrawn:
        if latest is not None:
            return RowResult(row.line, row.prison_number, Outcome.UNCHANGED, latest.id)
        return _nothing_to_cancel(row)
    reopenable = (CancelReason.RECALL.value, CancelReason.RELEASE_DATE_WITHDRAWN.value)
    if latest is None or (
        latest.state == PlanState.CANCELLED.value and latest.cancel_reason in reopenable
    ):
        # A new sentence, or the release after a recall or a withdrawn date: a new plan.
        return _Create(row, person, _person_changes(person, row))
    if latest.requested_release_date == row.release_date:
        return RowResult(row.line, row.prison_number, Outcome.UNCHANGED, latest.id)
    return refused(
        row.line,
        row.prison_number,
        "release_date",
        f"The plan for this sentence is {latest.state.replace('_', ' ')}: an import does not "
        "reopen or change a closed plan. Ask the probation officer.",
    )


def _nothing_to_cancel(row: ExtractRow) -> RowResult:
    if row.recall:
        return refused(
            row.line,
            row.prison_number,
            "recall",
            "The person is recalled but has no open plan here to cancel. A plan for the recall "
            "is opened from a row with the post-recall release date (PRRD).",
        )
    return refused(
        row.line,
        row.prison_number,
        "release_date_withdrawn",
        "The release date is withdrawn and there is no open plan here to cancel. A plan is "
        "opened from a row with a release date.",
    )


def _decide_open(
    row: ExtractRow, person: PersonRow, plan: PlanRow, request_prisons: set[str]
) -> RowResult | _Change:
    if plan.sentence_date != row.sentence_date:
        return refused(
            row.line,
            row.prison_number,
            "sentence_date",
            f"The person has an open plan for the sentence of {plan.sentence_date:%-d %B %Y}; "
            "this row is for another sentence. Its probation officer closes that plan first.",
        )
    if row.recall:
        return _Change(plan, person, {}, cancel=CancelReason.RECALL)
    if row.release_date_withdrawn:
        return _Change(plan, person, {}, cancel=CancelReason.RELEASE_DATE_WITHDRAWN)
    if row.release_date is None and plan.requested_release_date is not None:
        return refused(
            row.line,
            row.prison_number,
            "release_date",
            "The release date is empty but not marked withdrawn: give the date, or mark it "
            "withdrawn (release_date_withdrawn) if the sentence calculation withdrew it.",
        )
    differs = [
        words
        for words, mine, theirs in (
            ("sentence type", plan.sentence_type, row.sentence_type),
            ("term", plan.term_days, row.term_days),
        )
        if mine != theirs
    ]
    if differs:
        return refused(
            row.line,
            row.prison_number,
            "sentence_type" if "sentence type" in differs else "term_days",
            f"The {' and '.join(differs)} differ from the open plan's. An import changes release "
            "dates, prisons, officers and people's details, not a plan's sentence: ask the "
            "probation officer.",
        )
    person_changes = _person_changes(person, row)
    change = _Change(plan, person, person_changes)
    if person.prison_code != row.prison_code or request_prisons - {row.prison_code}:
        change.move_prison = (person.prison_code, row.prison_code)
    if row.release_date is not None and row.release_date != plan.requested_release_date:
        change.release_date = row.release_date
    elif "nation" in person_changes and plan.requested_release_date is not None:
        change.rerun_rules = True
    if row.probation_officer != plan.probation_officer_id:
        change.officer = row.probation_officer
    if not (person_changes or change.move_prison or change.release_date or change.officer):
        return RowResult(row.line, row.prison_number, Outcome.UNCHANGED, plan.id)
    return change


# --- writing ---------------------------------------------------------------------------------


def _update_person(
    session: Session, actor: Actor, person: PersonRow, changes: dict[str, Any]
) -> str | None:
    try:
        people.update_person(
            session=session,
            actor=actor,
            person_id=person.id or 0,
            expected_version=person.version,
            changes=people.PersonChanges(**changes),
        )
    except (DomainError, ValidationError) as exc:
        return _words(exc)
    return None


def _words(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.detail
    if isinstance(exc, ValidationError):
        return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
    return str(exc)


class _Rules:
    """The rules a run's new plans need, each worked out once for its distinct inputs: many
    rows share a release date, needs and a prison (the release-date rules cache their own
    answers: rules/release_dates.py)."""

    def __init__(self) -> None:
        self.checklists: dict[tuple[tuple[Need, ...], date | None, date], list[dict[str, Any]]]
        self.checklists = {}
        self.requests: dict[tuple[ReleaseAssessment, str, datetime], dict[str, Any] | None] = {}
        self.words: dict[ReleaseAssessment, str] = {}

    def checklist(
        self, needs: tuple[Need, ...], walk_out: date | None, today: date
    ) -> list[dict[str, Any]]:
        key = (needs, walk_out, today)
        found = self.checklists.get(key)
        if found is None:
            found = checklists.item_columns(needs, walk_out, today, clock.now())
            self.checklists[key] = found
        return found

    def request(
        self, assessment: ReleaseAssessment, prison: str, now: datetime
    ) -> dict[str, Any] | None:
        key = (assessment, prison, now)
        if key not in self.requests:
            self.requests[key] = early_release.request_columns(prison, assessment, now)
        return self.requests[key]

    def flagged_words(self, assessment: ReleaseAssessment) -> str:
        found = self.words.get(assessment)
        if found is None:
            found = self.words[assessment] = early_release.flagged_words(assessment)
        return found


@dataclass
class _Opening:
    """One row's new plan, worked out before anything is written."""

    create: _Create
    person: dict[str, Any] | None  # a new person's columns; None for a person already here
    needs: tuple[Need, ...]
    plan: dict[str, Any]
    assessment: ReleaseAssessment | None
    request: dict[str, Any] | None


def _create(
    session: Session, actor: Actor, creates: Sequence[_Create], where: str, rules: _Rules
) -> dict[int, RowResult]:
    """The batch's new people and plans: what plans.open_plan writes for one plan (the person,
    the plan at version 2 once its opening is recorded, its checklist, the early-release
    request of a flagged release, the history and the audit), for the whole batch a table at
    a time, in one transaction, with no ORM object. tests/intake/test_same_as_service.py
    checks the rows are the service's own."""
    done: dict[int, RowResult] = {}
    now, today = clock.now(), clock.today()
    person_defaults = bulk.column_defaults(Person) | {"created_at": now}
    plan_defaults = bulk.column_defaults(ReleasePlan) | {"created_at": now, "updated_at": now}
    openings: list[_Opening] = []
    for create in creates:
        row = create.row
        if create.person is None or row.needs is not None:
            needs = tuple(plans.needs_for(row.needs or (), row.term_days))
        else:
            needs = tuple(Need(n) for n in create.person.needs)
        person: dict[str, Any] | None = None
        if create.person is None:
            try:
                given = PersonCreate(
                    prison_number=row.prison_number,
                    crn=row.crn,
                    given_name=row.given_name,
                    family_name=row.family_name,
                    date_of_birth=row.date_of_birth,
                    nation=row.nation,
                    prison_code=row.prison_code,
                )
            except ValidationError as exc:
                done[row.line] = refused(row.line, row.prison_number, "row", _words(exc))
                continue
            person = (
                person_defaults
                | given.model_dump(exclude={"monitoring_consent"})
                | {"needs": [str(n) for n in needs]}
            )
            nation, prison = str(given.nation), given.prison_code
        else:
            nation, prison = str(create.person.nation), create.person.prison_code
        try:
            assessment = plans.assess_sentence(
                row.release_date,
                nation,
                sentence_date=row.sentence_date,
                term_days=row.term_days,
                sentence_type=row.sentence_type,
            )
        except DomainError as exc:
            done[row.line] = refused(row.line, row.prison_number, "release_date", exc.detail)
            continue
        plan = (
            plan_defaults
            | {
                "person_id": create.person.id if create.person else None,
                "probation_officer_id": row.probation_officer,
                "sentence_type": str(row.sentence_type),
                "sentence_date": row.sentence_date,
                "requested_release_date": row.release_date,
                "term_days": row.term_days,
                # Opened, then bumped by the history line that records it (history.record).
                "version": 2,
            }
            | plans.release_columns(assessment)
        )
        request = rules.request(assessment, prison, now) if assessment else None
        openings.append(_Opening(create, person, needs, plan, assessment, request))
    if not openings:
        return done

    new_people = [o for o in openings if o.person is not None]
    person_ids = dict(
        (number, i)
        for i, number in bulk.insert_rows(
            session,
            Person.__table__,  # type: ignore[attr-defined]
            [o.person for o in new_people if o.person is not None],
            returning="prison_number",
        )
    )
    for o in new_people:
        o.plan["person_id"] = person_ids[o.create.row.prison_number]
    plan_ids = dict(
        (person_id, i)
        for i, person_id in bulk.insert_rows(
            session,
            ReleasePlan.__table__,  # type: ignore[attr-defined]
            [o.plan for o in openings],
            returning="person_id",
        )
    )
    ids = [plan_ids[o.plan["person_id"]] for o in openings]

    sets: dict[tuple[tuple[Need, ...], date | None], int] = {}
    shared: list[list[dict[str, Any]]] = []
    owners: list[tuple[int, int]] = []
    for plan_id, o in zip(ids, openings, strict=True):
        key = (o.needs, o.plan["walk_out_date"])
        n = sets.get(key)
        if n is None:
            n = sets[key] = len(shared)
            shared.append(
                [r | {"updated_at": now} for r in rules.checklist(o.needs, key[1], today)]
            )
        owners.append((plan_id, n))
    bulk.insert_shared(
        session,
        ChecklistItem.__table__,  # type: ignore[attr-defined]
        "plan_id",
        owners,
        shared,
    )
    flagged = [
        (plan_id, o) for plan_id, o in zip(ids, openings, strict=True) if o.request is not None
    ]
    bulk.insert_rows(
        session,
        EarlyReleaseRequest.__table__,  # type: ignore[attr-defined]
        [{"plan_id": plan_id, **(o.request or {})} for plan_id, o in flagged],
    )
    opened = f"Opened from the prison's records: {where}."
    line = {"at": now, "actor": actor.user_id, "actor_role": actor.role.value,
            "from_state": None}  # fmt: skip
    history.record_lines(
        session,
        [
            line | {"plan_id": plan_id, "kind": "opened", "to_state": o.plan["state"],
                    "reason": opened,
                    "detail": plans.opened_detail(o.plan["release_date"], o.plan["flagged"])}
            for plan_id, o in zip(ids, openings, strict=True)
        ]
        + [
            line | {"plan_id": plan_id, "kind": "early_release_flagged", "to_state": None,
                    "reason": rules.flagged_words(o.assessment), "detail": None}
            for plan_id, o in flagged
            if o.assessment is not None
        ],
    )  # fmt: skip
    audit.record_each(session, actor, "create", "plan", ids)
    commit(session, "plan")
    for plan_id, o in zip(ids, openings, strict=True):
        row = o.create.row
        done[row.line] = RowResult(
            row.line, row.prison_number, Outcome.CREATED, plan_id, changes=[_release_words(row)]
        )
    return done


def _release_words(row: ExtractRow) -> str:
    if row.release_date is None:
        return "no release date yet"
    kind = RELEASE_DATE_TYPES.get(row.release_date_type or "", "release date")
    return f"{kind} {row.release_date.isoformat()}"


def _apply(
    session: Session, actor: Actor, row: ExtractRow, change: _Change, where: str
) -> RowResult:
    """One row's change through the services, in order; each is its own transaction. A step
    that fails stops the row: the report says what was done and what was not, and importing
    the file again finishes the rest (each step checks again what is already true)."""
    # The plan as read with its batch, then as each service leaves it (its version moves on).
    plan: PlanRow | ReleasePlan = change.plan
    person = change.person
    said: list[str] = []
    because = f"From the prison's records: {where}."
    try:
        if change.cancel is not None:
            plan = plans.transition(
                session=session,
                actor=actor,
                plan_id=plan.id or 0,
                event="cancel",
                expected_version=plan.version,
                reason=because,
                cancel_reason=change.cancel,
            )
            said.append(f"cancelled: {change.cancel.value.replace('_', ' ')}")
            return RowResult(row.line, row.prison_number, Outcome.CHANGED, plan.id, said)
        if change.person_changes:
            words = [
                _detail_words(name, getattr(person, name), value)
                for name, value in change.person_changes.items()
                if name != "prison_code"
            ]
            people.update_person(
                session=session,
                actor=actor,
                person_id=person.id or 0,
                expected_version=person.version,
                changes=people.PersonChanges(**change.person_changes),
            )
            said.extend(words)
        if change.move_prison is not None:
            before, after = change.move_prison
            plan = plans.move_to_prison(
                session=session,
                actor=actor,
                plan_id=plan.id or 0,
                expected_version=plan.version,
                from_prison=before,
                to_prison=after,
                reason=because,
            )
            said.append(f"prison {before} to {after}: the plan is now with {after}'s governor")
        if change.release_date is not None or change.rerun_rules:
            was = plan.requested_release_date
            kind = RELEASE_DATE_TYPES.get(row.release_date_type or "", "release date")
            plan = plans.change_release_date(
                session=session,
                actor=actor,
                plan_id=plan.id or 0,
                expected_version=plan.version,
                requested_release_date=change.release_date or was,  # type: ignore[arg-type]
                reason=f"a new sentence calculation ({kind}) in the prison's records, {where}",
            )
            said.append(f"release date {was} to {plan.requested_release_date} ({kind})")
        if change.officer is not None:
            was_officer = plan.probation_officer_id
            plan = plans.reassign(
                session=session,
                actor=actor,
                plan_id=plan.id or 0,
                expected_version=plan.version,
                probation_officer_id=change.officer,
                reason=f"The prison's records name this probation officer: {where}.",
            )
            said.append(f"probation officer {was_officer} to {change.officer}")
    except (DomainError, ValidationError) as exc:
        reason = _words(exc)
        if said:
            reason += f" (Already changed: {'; '.join(said)}. Import the file again to finish.)"
        return refused(row.line, row.prison_number, "row", reason)
    return RowResult(row.line, row.prison_number, Outcome.CHANGED, plan.id, said)


_DETAIL_WORDS = {
    "given_name": "given name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "nation": "nation",
    "needs": "needs",
}


def _detail_words(name: str, before: Any, after: Any) -> str:
    # Names and dates of birth are personal: the report says what changed, the person's
    # history (people.history) holds from and to.
    if name in ("nation", "needs"):
        return f"{_DETAIL_WORDS[name]} {_plain(before)} to {_plain(after)}"
    return f"{_DETAIL_WORDS.get(name, name)} corrected"


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(v) for v in value)) or "none"
    return str(value)


@dataclass
class ReportPage:
    rows: list[IntakeRowOutcome]
    total: int  # rows with this outcome in the whole report
    page: int
    pages: int


def report_page(
    session: Session, run_id: int, outcome: str | None, page: int, per_page: int
) -> ReportPage:
    """One page of a run's report in line order (all rows, or one outcome's): a count and a
    page's rows, read in the database, however many rows the run had."""
    where = [col(IntakeRowOutcome.run_id) == run_id]
    if outcome:
        where.append(col(IntakeRowOutcome.outcome) == outcome)
    total = session.exec(select(func.count()).select_from(IntakeRowOutcome).where(*where)).one()
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    rows = session.exec(
        select(IntakeRowOutcome)
        .where(*where)
        .order_by(col(IntakeRowOutcome.line))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return ReportPage(list(rows), total, page, pages)


def outcomes(
    session: Session, run_id: int, outcome: str | None = None, *, per_read: int = 2_000
) -> Iterator[IntakeRowOutcome]:
    """Every row of a run's report in line order, read `per_read` at a time (by line, not by
    offset), so a report of 100,000 rows is never held whole."""
    after = 0
    while True:
        statement = select(IntakeRowOutcome).where(
            IntakeRowOutcome.run_id == run_id, col(IntakeRowOutcome.line) > after
        )
        if outcome:
            statement = statement.where(IntakeRowOutcome.outcome == outcome)
        rows = session.exec(statement.order_by(col(IntakeRowOutcome.line)).limit(per_read)).all()
        yield from rows
        if len(rows) < per_read:
            return
        after = rows[-1].line


def runs(session: Session, limit: int = 50) -> list[IntakeRun]:
    return list(
        session.exec(select(IntakeRun).order_by(col(IntakeRun.id).desc()).limit(limit)).all()
    )
