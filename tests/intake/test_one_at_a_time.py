"""One import at a time, held by the database: a second import while one runs is refused and
writes nothing; a run whose process went quiet is marked stopped and the next import goes
ahead; a run that fails part way is stopped, and importing the file again finishes it."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, func, select

from resettlement import clock
from resettlement.intake import made_up
from resettlement.intake.extract import read_extract
from resettlement.intake.importer import (
    ImportRunning,
    ImportStopped,
    continue_run,
    import_extract,
    start_run,
)
from resettlement.intake.models import STALE_AFTER, IntakeRun, Outcome, RunState
from resettlement.models import AuditEvent, ReleasePlan
from tests.intake.conftest import ADMIN, OFFICERS, PRISONS

pytestmark = pytest.mark.usefixtures("known_staff")


def extract(rows: int, first: int = 0, name: str = "records.csv") -> Any:
    made = made_up.made_up_rows(
        rows, today=date.today(), prisons=PRISONS, officers=OFFICERS, first=first
    )
    return read_extract(name, made_up.as_csv(made))


def count(session: Session, model: Any) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_second_import_while_one_runs_is_refused_and_writes_nothing(session: Session) -> None:
    running = start_run(session=session, actor=ADMIN, extract=extract(5))

    with pytest.raises(ImportRunning) as refused:
        import_extract(session=session, actor=ADMIN, extract=extract(5, first=100, name="b.csv"))

    words = refused.value.detail
    assert f"Import run {running.id} (records.csv, started by {ADMIN.user_id}" in words
    assert "0 of 5 rows done" in words and "Try again when it has finished" in words
    assert count(session, IntakeRun) == 1
    assert count(session, ReleasePlan) == 0
    # Once the running import has finished, the next one goes ahead.
    continue_run(session=session, run=running, extract=extract(5))
    done = import_extract(session=session, actor=ADMIN, extract=extract(5, first=100))
    assert done.count(Outcome.CREATED) == 5


def test_two_imports_started_at_once_one_runs(engine: Engine) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start(first: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                start_run(session=session, actor=ADMIN, extract=extract(3, first=first))
                outcomes.append("started")
            except ImportRunning:
                outcomes.append("refused")

    threads = [threading.Thread(target=start, args=(n * 100,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "started"]
    with Session(engine) as session:
        assert count(session, IntakeRun) == 1


def quiet_for(session: Session, run: IntakeRun, how_long: Any) -> None:
    session.execute(
        update(IntakeRun)
        .where(col(IntakeRun.id) == run.id)
        .values(heartbeat_at=clock.now() - how_long)
    )
    session.commit()


def test_a_run_gone_quiet_is_stopped_and_the_next_import_goes_ahead(session: Session) -> None:
    gone = start_run(session=session, actor=ADMIN, extract=extract(5))
    # Quiet, but not for long enough: still taken to be running.
    quiet_for(session, gone, STALE_AFTER / 2)
    with pytest.raises(ImportRunning):
        start_run(session=session, actor=ADMIN, extract=extract(5, first=100))

    quiet_for(session, gone, STALE_AFTER * 1.5)
    done = import_extract(session=session, actor=ADMIN, extract=extract(5, first=100))

    assert done.count(Outcome.CREATED) == 5
    session.expire_all()
    stopped = session.get(IntakeRun, gone.id)
    assert stopped is not None and stopped.state == RunState.STOPPED.value
    assert stopped.finished_at is not None
    audited = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "stop", AuditEvent.object_type == "intake_run"
        )
    ).one()
    assert (audited.actor, audited.object_id) == (ADMIN.user_id, str(gone.id))

    # The stopped run, were its process still alive, goes no further.
    with pytest.raises(ImportStopped):
        continue_run(session=session, run=stopped, extract=extract(5))
    assert count(session, ReleasePlan) == 5


def test_a_run_that_fails_part_way_is_stopped_and_the_file_imported_again_finishes_it(
    session: Session,
) -> None:
    file = extract(30)
    batches: list[int] = []

    def fail_after_the_first_batch(rows: int) -> None:
        batches.append(rows)
        if len(batches) == 1:
            raise ConnectionError("the worker lost its network")

    with pytest.raises(ConnectionError):
        import_extract(
            session=session, actor=ADMIN, extract=file, batch_size=10,
            progress=fail_after_the_first_batch,
        )  # fmt: skip

    stopped = session.exec(select(IntakeRun)).one()
    assert (stopped.state, stopped.done_rows, stopped.rows) == (RunState.STOPPED.value, 10, 30)
    assert count(session, ReleasePlan) == 10

    again = import_extract(session=session, actor=ADMIN, extract=file, batch_size=10)

    assert (again.count(Outcome.UNCHANGED), again.count(Outcome.CREATED)) == (10, 20)
    assert again.run.state == RunState.FINISHED.value
    assert again.run.done_rows == 30
    assert count(session, ReleasePlan) == 30
