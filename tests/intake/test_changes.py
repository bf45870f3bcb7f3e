"""Each kind of row, one at a time: what it changes, through which service, with what history,
and why a row is refused, in the words the report gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from resettlement import people
from resettlement.intake import made_up
from resettlement.intake.extract import read_extract
from resettlement.intake.importer import ImportReport, RowResult, import_extract
from resettlement.intake.models import Outcome
from resettlement.models import (
    AuditEvent,
    CancelReason,
    EarlyReleaseRequest,
    Person,
    PlanEvent,
    PlanState,
    ReleasePlan,
    RequestState,
)
from tests.intake.conftest import ADMIN, OFFICERS, PRISONS

# A Wednesday and a Friday with no bank holiday near them (England and Wales).
WEDNESDAY = date(2027, 3, 10)
FRIDAY = date(2027, 3, 12)


def row(n: int = 0, **changes: str) -> dict[str, str]:
    base = made_up.made_up_rows(1, today=date.today(), prisons=PRISONS, officers=OFFICERS, first=n)[
        0
    ]
    base.update(
        prison_code="MDI",
        probation_officer=OFFICERS[0],
        sentence_date=(date.today() - timedelta(days=400)).isoformat(),
        term_days="900",
        release_date=WEDNESDAY.isoformat(),
        needs="",
    )
    base.update(changes)
    return base


def run(session: Session, *rows: dict[str, str], name: str = "extract.csv") -> ImportReport:
    return import_extract(
        session=session, actor=ADMIN, extract=read_extract(name, made_up.as_csv(rows))
    )


def only(report: ImportReport) -> RowResult:
    assert len(report.results) == 1
    return report.results[0]


def plan_of(session: Session, result: RowResult) -> ReleasePlan:
    assert result.plan_id is not None
    plan = session.get(ReleasePlan, result.plan_id)
    assert plan is not None
    session.refresh(plan)
    return plan


def live_requests(session: Session, plan_id: int) -> list[EarlyReleaseRequest]:
    return list(
        session.exec(
            select(EarlyReleaseRequest).where(
                EarlyReleaseRequest.plan_id == plan_id,
                EarlyReleaseRequest.state != RequestState.WITHDRAWN.value,
            )
        ).all()
    )


def history(session: Session, plan_id: int, actor: str) -> list[str]:
    return list(
        session.exec(
            select(PlanEvent.kind)
            .where(PlanEvent.plan_id == plan_id, PlanEvent.actor == actor)
            .order_by(col(PlanEvent.id))
        ).all()
    )


def check_friday_opens_request(session: Session, plan: ReleasePlan, report: ImportReport) -> None:
    assert plan.release_date == FRIDAY and plan.flagged
    assert [r.release_date for r in live_requests(session, plan.id or 0)] == [FRIDAY]
    kinds = history(session, plan.id or 0, report.run.actor_id)
    assert kinds[:2] == ["release_date_changed", "early_release_flagged"]


def check_wednesday_withdraws_request(
    session: Session, plan: ReleasePlan, report: ImportReport
) -> None:
    assert plan.release_date == WEDNESDAY and not plan.flagged
    assert live_requests(session, plan.id or 0) == []
    assert "early_release_withdrawn" in history(session, plan.id or 0, report.run.actor_id)


def check_transfer(session: Session, plan: ReleasePlan, report: ImportReport) -> None:
    person = session.get(Person, plan.person_id)
    assert person is not None
    session.refresh(person)
    assert person.prison_code == "BWI"
    # Through the person service: the person's own history says from and to, and who.
    events = people.history(session, person.id or 0)
    assert events[-1].actor == report.run.actor_id
    assert events[-1].detail == {"changed": {"prison_code": {"from": "MDI", "to": "BWI"}}}
    # The flagged request waiting for a decision goes to the new prison's governor.
    assert [r.prison_code for r in live_requests(session, plan.id or 0)] == ["BWI"]
    assert "moved_prison" in history(session, plan.id or 0, report.run.actor_id)


def check_cancelled(reason: CancelReason) -> Callable[[Session, ReleasePlan, ImportReport], None]:
    def check(session: Session, plan: ReleasePlan, report: ImportReport) -> None:
        assert (plan.state, plan.cancel_reason) == (PlanState.CANCELLED.value, reason)
        assert live_requests(session, plan.id or 0) == []
        assert history(session, plan.id or 0, report.run.actor_id)[:2] == [
            "transition",
            "early_release_withdrawn",
        ]

    return check


def check_reassigned(session: Session, plan: ReleasePlan, report: ImportReport) -> None:
    assert plan.probation_officer_id == OFFICERS[1]
    assert history(session, plan.id or 0, report.run.actor_id) == ["reassigned"]


def check_name(session: Session, plan: ReleasePlan, report: ImportReport) -> None:
    person = session.get(Person, plan.person_id)
    assert person is not None
    session.refresh(person)
    assert person.given_name == "Corrected"
    audited = session.exec(
        select(AuditEvent.action).where(
            AuditEvent.actor == report.run.actor_id, AuditEvent.object_type == "person"
        )
    ).all()
    assert audited == ["update"]


CHANGES: dict[str, tuple[dict[str, str], dict[str, str], str, Any]] = {
    # why: a new sentence calculation lands on a Friday, so the rules open a request
    "new release date on a Friday": (
        {},
        {"release_date": FRIDAY.isoformat()},
        f"release date {WEDNESDAY} to {FRIDAY} (conditional release date)",
        check_friday_opens_request,
    ),
    # why: the old Friday's request is stale once the date moves, and must not survive
    "new release date off a Friday": (
        {"release_date": FRIDAY.isoformat()},
        {"release_date": WEDNESDAY.isoformat()},
        f"release date {FRIDAY} to {WEDNESDAY} (conditional release date)",
        check_wednesday_withdraws_request,
    ),
    # why: a transfer changes whose governor sees the plan and decides its request
    "transfer": (
        {"release_date": FRIDAY.isoformat()},
        {"release_date": FRIDAY.isoformat(), "prison_code": "BWI"},
        "prison MDI to BWI: the plan is now with BWI's governor",
        check_transfer,
    ),
    "recall": (
        {"release_date": FRIDAY.isoformat()},
        {"release_date": FRIDAY.isoformat(), "recall": "true"},
        "cancelled: recall",
        check_cancelled(CancelReason.RECALL),
    ),
    "release date withdrawn": (
        {"release_date": FRIDAY.isoformat()},
        {"release_date": "", "release_date_type": "", "release_date_withdrawn": "true"},
        "cancelled: release date withdrawn",
        check_cancelled(CancelReason.RELEASE_DATE_WITHDRAWN),
    ),
    "another probation officer": (
        {},
        {"probation_officer": OFFICERS[1]},
        f"probation officer {OFFICERS[0]} to {OFFICERS[1]}",
        check_reassigned,
    ),
    "a corrected name": ({}, {"given_name": "Corrected"}, "given name corrected", check_name),
}


@pytest.mark.parametrize("case", CHANGES)
def test_each_kind_of_change_goes_through_its_service_with_history(
    session: Session, known_staff: None, case: str
) -> None:
    first, then, words, check = CHANGES[case]
    opened = only(run(session, row(**first)))
    assert opened.outcome == Outcome.CREATED
    report = run(session, row(**then), name="later.csv")
    changed = only(report)
    assert (changed.outcome, changed.plan_id) == (Outcome.CHANGED, opened.plan_id)
    assert words in changed.changes
    check(session, plan_of(session, changed), report)
    # The same file again: nothing more to do.
    assert only(run(session, row(**then), name="later.csv")).outcome == Outcome.UNCHANGED


def test_a_row_that_matches_is_left_alone(session: Session, known_staff: None) -> None:
    only(run(session, row()))
    again = only(run(session, row()))
    assert again.outcome == Outcome.UNCHANGED and again.changes == []


def test_a_recall_then_its_release_opens_a_new_plan(session: Session, known_staff: None) -> None:
    first = only(run(session, row()))
    only(run(session, row(recall="true")))
    back = only(run(session, row(release_date=FRIDAY.isoformat(), release_date_type="PRRD")))
    assert back.outcome == Outcome.CREATED and back.plan_id != first.plan_id
    assert "post-recall release date" in back.changes[0]


REFUSALS: dict[str, tuple[dict[str, str] | None, dict[str, str], str, str]] = {
    # why: remand has no sentence, so there is no release to plan
    "on remand": (None, {"remand": "true"}, "remand", "on remand"),
    "unknown officer": (None, {"probation_officer": "po-nobody"}, "probation_officer", "po-nobody"),
    "only a team": (None, {"probation_officer": ""}, "probation_officer", "a team alone"),
    "unknown prison": (None, {"prison_code": "ZZZ"}, "prison_code", "ZZZ"),
    "bad prison number": (None, {"prison_number": "A12BC"}, "prison_number", "like A1234BC"),
    # why: a two-digit year is refused, never guessed (rules/entered_dates.py)
    "two-digit year": (None, {"release_date": "27-03-10"}, "release_date", "four-digit year"),
    "impossible date": (None, {"date_of_birth": "1990-02-30"}, "date_of_birth", "not a real date"),
    "born in the future": (
        None,
        {"date_of_birth": (date.today() + timedelta(days=3)).isoformat()},
        "date_of_birth",
        "at least 10 years ago",
    ),
    # why: this year typed for the year of birth: a baby, never a person in custody
    "born last month": (
        None,
        {"date_of_birth": (date.today() - timedelta(days=30)).isoformat()},
        "date_of_birth",
        "at least 10 years ago",
    ),
    "released before sentenced": (
        None,
        {"release_date": (date.today() - timedelta(days=500)).isoformat()},
        "release_date",
        "before the sentence date",
    ),
    "recall with no plan": (None, {"recall": "true"}, "recall", "no open plan"),
    # why: the prison number is someone's and the CRN is not theirs: never guess which is right
    "numbers of different people": ({}, {"crn": "Z999999"}, "crn", "different people"),
    "a different sentence while a plan is open": (
        {},
        {"sentence_date": (date.today() - timedelta(days=100)).isoformat()},
        "sentence_date",
        "another sentence",
    ),
    "a different sentence type": (
        {},
        {"sentence_type": "parole"},
        "sentence_type",
        "not a plan's sentence",
    ),
    "an empty release date not marked withdrawn": (
        {},
        {"release_date": "", "release_date_type": ""},
        "release_date",
        "not marked withdrawn",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_rows_the_import_may_not_use_are_refused_with_the_field_and_reason(
    session: Session, known_staff: None, case: str
) -> None:
    before, bad, field, words = REFUSALS[case]
    if before is not None:
        only(run(session, row(**before)))
    plans_before = session.exec(select(ReleasePlan.id, ReleasePlan.version)).all()
    result = only(run(session, row(**bad), name="bad.csv"))
    assert result.outcome == Outcome.REFUSED
    assert result.problems[0].field == field
    assert words.lower() in result.problems[0].reason.lower()
    assert session.exec(select(ReleasePlan.id, ReleasePlan.version)).all() == plans_before


def test_a_bad_row_never_stops_the_good_ones(session: Session, known_staff: None) -> None:
    report = run(session, row(0), row(1, prison_code="ZZZ"), row(2))
    assert [r.outcome for r in report.results] == [
        Outcome.CREATED,
        Outcome.REFUSED,
        Outcome.CREATED,
    ]


def test_json_lines_import_like_csv(session: Session, known_staff: None) -> None:
    rows = [row(0), row(1, prison_code="ZZZ")]
    report = import_extract(
        session=session,
        actor=ADMIN,
        extract=read_extract("extract.jsonl", made_up.as_json_lines(rows)),
    )
    assert [(r.line, r.outcome) for r in report.results] == [
        (1, Outcome.CREATED),
        (2, Outcome.REFUSED),
    ]
    assert report.run.file_format == "jsonl"
