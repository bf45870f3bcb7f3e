"""The first Universal Credit payment (UC-FIRST-PAYMENT): 7 days after the first monthly
assessment period, moved back to the working day before when it falls on a weekend or on a
bank holiday of the person's nation. Real calendars."""

from __future__ import annotations

from datetime import date

import pytest

from resettlement.leaver_plan import from_snapshot
from rules.nations import Nation
from rules.universal_credit import first_payment

EW, SCT, NI = Nation.ENGLAND_AND_WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND


@pytest.mark.parametrize(
    ("walk_out", "nation", "paid", "why"),
    [
        (date(2026, 12, 2), EW, date(2027, 1, 8), "due on Friday 8 January: a working day"),
        (date(2026, 12, 4), EW, date(2027, 1, 8), "due on Sunday 10 January: paid the Friday"),
        (date(2026, 12, 3), EW, date(2027, 1, 8), "due on Saturday 9 January: paid the Friday"),
        (
            date(2026, 11, 20),
            EW,
            date(2026, 12, 24),
            "due on Saturday 26 December; Christmas Day is Friday: paid Thursday 24th",
        ),
        (
            date(2027, 2, 23),
            EW,
            date(2027, 3, 25),
            "due on Easter Monday 29 March 2027; Good Friday before it: paid Thursday 25th",
        ),
        (date(2027, 11, 29), EW, date(2028, 1, 4), "Tuesday 4 January 2028 works in England"),
        (
            date(2027, 11, 29),
            SCT,
            date(2027, 12, 31),
            "in Scotland 3 and 4 January 2028 are holidays: paid Friday 31 December",
        ),
        (date(2027, 11, 29), NI, date(2028, 1, 4), "Northern Ireland has no 2 January holiday"),
        (date(2027, 1, 31), EW, date(2027, 3, 5), "a short February: the period ends 27 February"),
    ],
)
def test_first_payment_follows_the_working_day_rule(
    walk_out: date, nation: Nation, paid: date, why: str
) -> None:
    assert first_payment(walk_out, nation) == paid


def test_the_persons_plan_uses_their_nations_calendar() -> None:
    snapshot = {
        "walk_out_date": "2027-11-29",
        "checklist": [
            {"key": "universal_credit", "title": "UC", "status": "done", "category": "core"}
        ],
    }
    assert from_snapshot(snapshot).universal_credit_first_payment == date(2028, 1, 4)
    scottish = from_snapshot({**snapshot, "nation": "scotland"})
    assert scottish.universal_credit_first_payment == date(2027, 12, 31)
