"""An extract older than one already imported for the same prison is refused whole: a file
dropped late cannot undo newer release dates. Same-age and newer files, and older files of
other prisons, are imported as usual."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from resettlement.intake import made_up
from resettlement.intake.importer import outcomes
from resettlement.intake.models import Outcome, RunState
from resettlement.models import PlanEvent, ReleasePlan
from tests.intake.test_changes import FRIDAY, WEDNESDAY, plan_of, row, run

NEWER = made_up.STAMP
OLDER = made_up.STAMP - timedelta(days=1)


def test_an_older_extract_of_the_same_prison_is_refused_whole_and_changes_nothing(
    session: Session, known_staff: None
) -> None:
    opened = run(session, row(extract_timestamp=NEWER.isoformat()))
    plan = plan_of(session, opened.results[0])
    events = session.exec(select(func.count()).select_from(PlanEvent)).one()
    late = run(
        session,
        # The old file moves the release date back and names a person not yet here.
        row(release_date=FRIDAY.isoformat(), extract_timestamp=OLDER.isoformat()),
        row(1, extract_timestamp=OLDER.isoformat()),
        name="dropped-late.csv",
    )
    assert late.run.state == RunState.REFUSED.value
    assert (late.run.refused, late.run.created, late.run.changed) == (2, 0, 0)
    for result in late.results:
        assert result.outcome == Outcome.REFUSED
        (problem,) = result.problems
        assert problem.field == "extract_timestamp"
        assert "refused whole" in problem.reason and f"import run {opened.run.id}" in problem.reason
        assert "29 November 2026 at 22:00 (London time)" in problem.reason
    # The report is kept (the admin page and the CLI read it again) and nothing else changed.
    assert [r.outcome for r in outcomes(session, late.run.id or 0)] == ["refused", "refused"]
    assert plan_of(session, opened.results[0]).requested_release_date == WEDNESDAY
    assert plan_of(session, opened.results[0]).version == plan.version
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 1
    assert session.exec(select(func.count()).select_from(PlanEvent)).one() == events


def test_the_same_or_a_newer_extract_and_an_older_one_of_another_prison_are_imported(
    session: Session, known_staff: None
) -> None:
    run(session, row(extract_timestamp=NEWER.isoformat()))
    same = run(session, row(extract_timestamp=NEWER.isoformat()), name="again.csv")
    assert same.run.state == RunState.FINISHED.value
    assert same.results[0].outcome == Outcome.UNCHANGED
    newer = run(
        session,
        row(release_date=FRIDAY.isoformat(),
            extract_timestamp=(NEWER + timedelta(hours=1)).isoformat()),
        name="newer.csv",
    )  # fmt: skip
    assert newer.results[0].outcome == Outcome.CHANGED
    # Another prison's older extract: nothing newer of that prison has been imported.
    other = run(
        session,
        row(7, prison_code="SDI", extract_timestamp=OLDER.isoformat()),
        name="other-prison.csv",
    )
    assert other.results[0].outcome == Outcome.CREATED
    # An older extract of the first prison is still refused after that.
    late = run(session, row(extract_timestamp=NEWER.isoformat()), name="late.csv")
    assert late.run.state == RunState.REFUSED.value
