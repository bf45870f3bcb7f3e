"""Referral reports: referrals made, accepted, completed and declined, by service or by need,
and the time from sending to acceptance, with the reports' small-number suppression
(resettlement/reports.py): a group of 1 to 4 referrals shows nothing, a count that is 1 to 4,
or leaves 1 to 4 in the rest of its row, is hidden, and a median time to acceptance is shown
only where at least 5 referrals were accepted and the accepted count itself is shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from statistics import median
from typing import Any

from sqlmodel import Session, col, select

from resettlement import clock
from resettlement.actors import Actor
from resettlement.models import Person
from resettlement.partners.models import DirectoryOrganisation, DirectoryService
from resettlement.partners.referral_lifecycle import TAKEN_ON, ReferralState
from resettlement.partners.referrals import Referral
from resettlement.reports import SUPPRESS_BELOW, Cell, Row
from resettlement.reports.period import audited
from resettlement.reports.tables import figure_text
from rules.service_needs import LABELS, ServiceNeed


class ReferralBreakdown(StrEnum):
    SERVICE = "service"
    NEED = "need"


MEASURES: dict[str, str] = {
    "accepted": "Accepted",
    "completed": "Completed",
    "declined": "Declined",
}


@dataclass
class ReferralReport:
    start: date
    end: date
    prison_code: str | None
    breakdown: ReferralBreakdown
    rows: list[Row]
    median_days_to_accept: dict[str, float | None]
    title: str = "Referrals to services"
    measures: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "prison": self.prison_code or "national",
            "breakdown": str(self.breakdown),
            "suppressed_below": SUPPRESS_BELOW,
            "measures": {"made": "Referrals made", **MEASURES},
            "rows": [
                row.as_dict() | {"median_days_to_accept": self.median_days_to_accept[row.group]}
                for row in self.rows
            ],
        }

    def csv_rows(self) -> list[list[str]]:
        out = [
            [
                "group",
                "referrals made",
                *[f"{label} (count)" for label in MEASURES.values()],
                *[f"{label} (%)" for label in MEASURES.values()],
                "median days to acceptance",
            ]
        ]
        for row in self.rows:
            out.append(
                [
                    row.group,
                    figure_text(row.denominator.shown),
                    *[figure_text(row.cells[k].shown) for k in MEASURES],
                    *[figure_text(row.cells[k].rate()) for k in MEASURES],
                    figure_text(self.median_days_to_accept[row.group]),
                ]
            )
        return out


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.LONDON)


def _need_label(need: str) -> str:
    try:
        return LABELS[ServiceNeed(need)][0]
    except (ValueError, KeyError):
        return need


def referrals_report(
    *,
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    prison_code: str | None = None,
    breakdown: ReferralBreakdown = ReferralBreakdown.SERVICE,
) -> ReferralReport:
    """Referrals sent in the period (London days), from people in one prison or everywhere."""
    statement = (
        select(Referral, DirectoryService.name, DirectoryOrganisation.name)
        .join(DirectoryService, col(DirectoryService.id) == col(Referral.service_id))
        .join(DirectoryOrganisation, col(DirectoryOrganisation.id) == col(Referral.organisation_id))
        .join(Person, col(Person.id) == col(Referral.person_id))
        .where(
            col(Referral.sent_at) >= _london_midnight(start),
            col(Referral.sent_at) < _london_midnight(end + timedelta(days=1)),
        )
    )
    if prison_code is not None:
        statement = statement.where(col(Person.prison_code) == prison_code)
    totals: dict[str, int] = defaultdict(int)
    hits: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    waits: dict[str, list[float]] = defaultdict(list)
    taken_on = {s.value for s in TAKEN_ON}
    for referral, service, organisation in session.exec(statement).all():
        group = (
            f"{service} ({organisation})"
            if breakdown == ReferralBreakdown.SERVICE
            else _need_label(referral.need)
        )
        facts = {
            "accepted": referral.state in taken_on,
            "completed": referral.state == ReferralState.COMPLETED.value,
            "declined": referral.state == ReferralState.DECLINED.value,
        }
        for key in (group, "all"):
            totals[key] += 1
            for measure, hit in facts.items():
                hits[key][measure] += hit
            if facts["accepted"] and referral.sent_at and referral.answered_at:
                seconds = (referral.answered_at - referral.sent_at).total_seconds()
                waits[key].append(round(seconds / 86400, 1))
    groups = [*sorted(g for g in totals if g != "all"), *(["all"] if totals else [])]
    rows = [
        Row(g, Cell(totals[g]), {m: Cell(hits[g][m], totals[g]) for m in MEASURES}) for g in groups
    ]
    medians: dict[str, float | None] = {}
    for row in rows:
        accepted = row.cells["accepted"]
        shown = not accepted.suppressed and accepted.count >= SUPPRESS_BELOW
        medians[row.group] = round(median(waits[row.group]), 1) if shown else None
    audited(session, actor, "referrals", prison_code)
    return ReferralReport(start, end, prison_code, breakdown, rows, medians)
