"""Outcomes recorded by the officer at the 48-hour follow-up, for people released in a period."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from resettlement import clock
from resettlement.actors import Actor
from resettlement.reports import breakdowns, figures
from resettlement.reports.breakdowns import Breakdown, plan
from resettlement.reports.period import audited, released_rows, released_to
from resettlement.reports.tables import Report

OUTCOMES: dict[str, str] = {
    "night_in_planned_accommodation": "Accommodation on release night",
    "gp_registered": "Registered with a GP",
    "id_in_hand": "ID in hand",
    "bank_account_in_hand": "Bank account",
    "universal_credit_claim_made": "Universal Credit claim made",
    "first_appointment_attended": "First probation appointment attended",
}


def followup_flag(key: str) -> ColumnElement[int]:
    """1 when the officer recorded the outcome as met, else 0 (JSON true on both databases)."""
    return case((plan.followup[key].as_boolean(), 1), else_=0)


def outcomes(
    *,
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    prison_code: str | None = None,
    breakdown: Breakdown = Breakdown.NONE,
    today: date | None = None,
) -> Report:
    """Outcomes recorded at the 48-hour follow-up, for people who walked out in the period."""
    end = released_to(end, today or clock.today())
    rows = released_rows(start, end, prison_code).where(plan.followup_recorded_at.is_not(None))
    counted = figures.count_rows(
        session,
        rows,
        breakdown,
        breakdowns.parts(breakdown),
        {key: followup_flag(key) for key in OUTCOMES},
    )
    audited(session, actor, "outcomes", prison_code)
    return Report("Outcomes after release", start, end, prison_code, breakdown, OUTCOMES, counted)
