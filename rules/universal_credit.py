"""The first Universal Credit payment date (rule UC-FIRST-PAYMENT)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from rules.calendars import is_working_day, previous_working_day
from rules.nations import Nation

# Paid within 7 days of the end of the first monthly assessment period.
PAYMENT_DAYS_AFTER_PERIOD = 7


def first_payment(walk_out: date, nation: Nation | str) -> date:
    """The first monthly assessment period starts on the claim date, which an advance claim
    makes the day of release, and ends the day before the same date next month; payment is due
    within 7 days of its end (Universal Credit Regulations 2013, reg 21; Claims and Payments
    Regulations 2013, reg 47). A payment due on a weekend or a bank holiday of the person's
    nation is made on the working day before."""
    month = walk_out.month % 12 + 1
    year = walk_out.year + (walk_out.month == 12)
    day = min(walk_out.day, calendar.monthrange(year, month)[1])
    due = date(year, month, day) - timedelta(days=1) + timedelta(days=PAYMENT_DAYS_AFTER_PERIOD)
    return due if is_working_day(due, nation) else previous_working_day(due, nation)
