"""Trends month by month: every measure recomputed from the rows by a query of the test's own,
with suppression applied by hand, on SQLite and PostgreSQL; months with nobody are zeros; one
statement for the figures whether the range is two months or thirty-six; ranges refused."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import date

import pytest
from faker import Faker
from sqlalchemy import event, text
from sqlmodel import Session, select

from resettlement import reports
from resettlement.actors import Actor, Role
from resettlement.errors import InvalidInput
from resettlement.models import ReleasePlan
from resettlement.reports.trends import TREND_MEASURES, month_range
from resettlement.voice.models import VoiceAnswer
from tests.core.test_report_breakdowns import _varied_caseload

ADMIN = Actor(user_id="analyst", role=Role.ADMIN)
TODAY = date(2026, 11, 30)
# Nobody in the varied caseload walks out before 2026: its first months are empty.
FIRST, LAST = date(2025, 10, 1), date(2026, 11, 1)


def _with_answers(session: Session, fake: Faker) -> None:
    _varied_caseload(session, fake)
    rng = random.Random(4)
    for plan in session.exec(select(ReleasePlan).where(ReleasePlan.walk_out_date.is_not(None))):
        if rng.random() < 0.6:
            session.add(
                VoiceAnswer(
                    plan_id=plan.id,
                    first_night=rng.choice(["planned_address"] * 3 + ["nowhere"]),
                    appointments="all",
                    had_id="yes",
                    had_money="no",
                    had_medication="not_needed",
                    recorded_by="leaver",
                    recorded_by_role="prison_leaver",
                )
            )
    session.commit()


def _by_hand(count: int, out_of: int | None) -> int | None:
    def small(n: int) -> bool:
        return 1 <= n <= 4

    if out_of is None:
        return None if small(count) else count
    if small(out_of) or small(count) or small(out_of - count):
        return None
    return count


def _independent(session: Session, prison: str | None) -> dict[str, dict[str, tuple]]:
    """Each month's (count, out of) per measure, from the rows read plainly and worked out here."""
    rows = session.connection().execute(
        text(
            "SELECT p.walk_out_date, p.release_date, p.flagged, p.followup,"
            " p.followup_recorded_at, v.first_night, v.id"
            " FROM release_plan p JOIN person s ON s.id = p.person_id"
            " LEFT JOIN voice_answer v ON v.plan_id = p.id"
            " WHERE p.state IN ('released', 'completed') AND p.walk_out_date IS NOT NULL"
            + (" AND s.prison_code = :prison" if prison else "")
        ),
        {"prison": prison} if prison else {},
    )
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for walk_out, release, flagged, followup, followed_at, first_night, answer in rows:
        walk_out = walk_out if isinstance(walk_out, date) else date.fromisoformat(walk_out)
        release = release if isinstance(release, date) else date.fromisoformat(release)
        if not (FIRST <= walk_out <= TODAY):
            continue
        if isinstance(followup, str):
            followup = json.loads(followup)
        month = f"{walk_out:%Y-%m}"
        got = sums[month]
        got["released"] += 1
        if followed_at is not None:
            got["followed_up"] += 1
            got["accommodation_first_night"] += bool(followup["night_in_planned_accommodation"])
            got["appointment_kept"] += bool(followup["first_appointment_attended"])
        if answer is not None:
            got["answered"] += 1
            got["said_slept_where_planned"] += first_night == "planned_address"
        if flagged:
            got["flagged"] += 1
            got["brought_forward"] += walk_out < release
    bases = {
        "released": None,
        "accommodation_first_night": "followed_up",
        "appointment_kept": "followed_up",
        "answered_first_days": "released",
        "said_slept_where_planned": "answered",
        "brought_forward": "flagged",
    }
    out = {}
    for month in month_range(FIRST, LAST, TODAY):
        got = sums[f"{month:%Y-%m}"]
        got["answered_first_days"] = got["answered"]
        out[f"{month:%Y-%m}"] = {
            key: (
                _by_hand(got[key], None if base is None else got[base]),
                None if base is None or _by_hand(got[key], got[base]) is None else got[base],
            )
            for key, base in bases.items()
        }
    return out


@pytest.mark.parametrize("prison", [None, "MDI"])
def test_every_month_matches_an_independent_count_with_suppression_by_hand(
    session: Session, fake: Faker, prison: str | None
) -> None:
    _with_answers(session, fake)
    trend = reports.trends_by_month(
        session=session,
        actor=ADMIN,
        months=month_range(FIRST, LAST, TODAY),
        prison_code=prison,
        today=TODAY,
    )
    got = {
        point["month"]: {
            key: (figure["count"], figure["out_of"]) for key, figure in point["measures"].items()
        }
        for point in trend.as_dict()["months"]
    }
    want = _independent(session, prison)
    assert list(got) == list(want) and len(got) == 14
    assert got == want
    # The first months had nobody: zeros, shown, not gaps.
    assert got["2025-10"]["released"] == (0, None)
    assert got["2025-10"]["accommodation_first_night"] == (0, 0)
    shown = [c for m in want.values() for c, _ in m.values() if c]
    hidden = [1 for m in want.values() for c, _ in m.values() if c is None]
    assert len(shown) > (20 if prison is None else 5) and hidden, "some shown, some hidden"


def test_a_suppressed_month_is_a_gap_with_c_in_the_csv_and_an_empty_month_is_zero(
    session: Session, fake: Faker
) -> None:
    _with_answers(session, fake)
    trend = reports.trends_by_month(
        session=session,
        actor=ADMIN,
        months=month_range(FIRST, LAST, TODAY),
        measures=["released", "brought_forward"],
        prison_code="BAR",
        today=TODAY,
    )
    header, *lines = list(trend.csv_rows())
    assert header == [
        "month",
        "People released (count)",
        "Friday or pre-bank-holiday release brought forward (count)",
        "Friday or pre-bank-holiday release brought forward (out of)",
        "Friday or pre-bank-holiday release brought forward (%)",
    ]
    by_month = {line[0]: line for line in lines}
    assert by_month["2025-10"] == ["2025-10", "0", "0", "0", ""]
    assert any("[c]" in line for line in lines)
    points = {p.month: p.cells["brought_forward"] for p in trend.figures}
    assert any(cell.suppressed for cell in points.values())


def test_the_figures_are_one_statement_for_two_months_or_thirty_six(
    session: Session, fake: Faker
) -> None:
    _with_answers(session, fake)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = session.get_bind()
    made = {}
    event.listen(engine, "before_cursor_execute", count)
    try:
        for first in (date(2026, 10, 1), date(2023, 12, 1)):
            statements.clear()
            trend = reports.trends_by_month(
                session=session,
                actor=ADMIN,
                months=month_range(first, LAST, TODAY),
                today=TODAY,
            )
            made[len(trend.figures)] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # One SELECT for every month and measure, one INSERT for the audit.
    assert made == {2: 2, 36: 2}


@pytest.mark.parametrize(
    ("first", "last", "field", "why"),
    [
        (date(2026, 5, 1), date(2026, 4, 1), "to", "ends before it starts"),
        (date(2023, 11, 1), date(2026, 11, 1), "from", "37 months"),
        (date(2026, 1, 1), date(2026, 12, 1), "to", "a month still to come"),
        (date(1989, 12, 1), date(1990, 6, 1), "from", "before the reports' first year"),
    ],
)
def test_impossible_ranges_are_refused(first: date, last: date, field: str, why: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        month_range(first, last, TODAY)
    assert refused.value.field == field, why


def test_the_default_range_is_the_last_twelve_whole_months() -> None:
    months = month_range(None, None, TODAY)
    assert (months[0], months[-1], len(months)) == (date(2025, 11, 1), date(2026, 10, 1), 12)
    assert month_range(date(2023, 12, 1), LAST, TODAY)[0] == date(2023, 12, 1)
    assert len(TREND_MEASURES) == 6
