"""Outcome reports prison and probation share, per prison and nationally, for a period, broken
down by protected characteristic or cohort, with small counts suppressed.

Suppression, so nobody can be picked out of a small group: a total from 1 to 4 is never shown,
and then nothing else in its row is either (not even a zero, which would say "none of these
few"). Within a shown row, a count is hidden when it, or the rest of the row (total minus
count), is from 1 to 4: "6 of 8 slept where planned" says just as much about the other 2. Rates
are hidden with their counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from resettlement import audit
from resettlement.actors import Actor
from resettlement.models import (
    EarlyReleaseRequest,
    Person,
    PlanState,
    ReleasePlan,
    RequestState,
)
from resettlement.privacy import consents
from resettlement.transactions import commit

SUPPRESS_BELOW = 5

OUTCOMES: dict[str, str] = {
    "night_in_planned_accommodation": "Accommodation on release night",
    "gp_registered": "Registered with a GP",
    "id_in_hand": "ID in hand",
    "bank_account_in_hand": "Bank account",
    "universal_credit_claim_made": "Universal Credit claim made",
    "first_appointment_attended": "First probation appointment attended",
}

FRIDAY_STAGES: dict[str, str] = {
    "flagged": "Flagged",
    "assessed": "Assessed",
    "submitted": "Submitted to the governor",
    "approved": "Approved",
    "refused": "Refused",
    "decided_in_time": "Decided by the deadline",
}


class Breakdown(StrEnum):
    NONE = "none"
    SEX = "sex"
    ETHNIC_GROUP = "ethnic_group"
    DISABILITY = "disability"
    RELIGION = "religion"
    COHORT = "cohort"
    NATION = "nation"


CHARACTERISTICS = (Breakdown.SEX, Breakdown.ETHNIC_GROUP, Breakdown.DISABILITY, Breakdown.RELIGION)
NOT_RECORDED = "not_recorded"
# ONS 2021 high-level ethnic groups: the detailed 19 would suppress almost everything.
ETHNIC_HIGH_LEVEL = {
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
}


def _groups(person: Person, breakdown: Breakdown, consenting: set[int]) -> list[str]:
    if breakdown == Breakdown.NONE:
        return ["all"]
    if breakdown == Breakdown.NATION:
        return [str(person.nation)]
    if breakdown == Breakdown.COHORT:
        # A person can be in several cohorts; each cohort's figures are about its own members.
        return [str(n) for n in person.needs] or ["no_recorded_needs"]
    if person.id not in consenting:
        return [NOT_RECORDED]
    value = getattr(person, breakdown.value)
    if value is None:
        return [NOT_RECORDED]
    if breakdown == Breakdown.ETHNIC_GROUP and value != "prefer_not_to_say":
        return [str(value).split("_", 1)[0]]
    return [str(value)]


def _characteristics_usable(session: Session, persons: list[Person]) -> set[int]:
    """The people whose characteristics a report may count: those whose consent to monitoring
    holds now (a withdrawn consent takes them out at once)."""
    return consents.people_with_live_consent(
        session,
        [p.id for p in persons if p.id is not None],
        consents.ConsentKind.MONITORING_CHARACTERISTICS,
    )


def _small(count: int) -> bool:
    return 0 < count < SUPPRESS_BELOW


@dataclass(frozen=True)
class Cell:
    count: int
    total: int | None = None
    """The row's total this cell is part of; None for the total itself."""

    @property
    def suppressed(self) -> bool:
        if self.total is None:
            return _small(self.count)
        return _small(self.total) or _small(self.count) or _small(self.total - self.count)

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.count

    def rate(self) -> float | None:
        if self.suppressed or not self.total:
            return None
        return round(100 * self.count / self.total, 1)


@dataclass
class Row:
    group: str
    denominator: Cell
    cells: dict[str, Cell] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "total": self.denominator.shown,
            "suppressed": self.denominator.suppressed,
            "measures": {
                key: {
                    "count": cell.shown,
                    "suppressed": cell.suppressed,
                    "percent": cell.rate(),
                }
                for key, cell in self.cells.items()
            },
        }


@dataclass
class Report:
    title: str
    start: date
    end: date
    prison_code: str | None
    breakdown: Breakdown
    measures: dict[str, str]
    rows: list[Row]

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "prison": self.prison_code or "national",
            "breakdown": str(self.breakdown),
            "suppressed_below": SUPPRESS_BELOW,
            "measures": self.measures,
            "rows": [r.as_dict() for r in self.rows],
        }

    def csv_rows(self) -> Iterable[list[str]]:
        yield [
            "group",
            "total",
            *[f"{label} (count)" for label in self.measures.values()],
            *[f"{label} (%)" for label in self.measures.values()],
        ]
        for row in self.rows:
            counts = [_text(row.cells[k].shown) for k in self.measures]
            rates = [_text(row.cells[k].rate()) for k in self.measures]
            yield [row.group, _text(row.denominator.shown), *counts, *rates]


def _text(value: float | int | None) -> str:
    # "[c]" is the Government Statistical Service's shorthand for a confidential, suppressed cell.
    return "[c]" if value is None else str(value)


def _tabulate(
    session: Session,
    items: Iterable[tuple[Person, dict[str, bool]]],
    breakdown: Breakdown,
    measures: Iterable[str],
) -> list[Row]:
    keys = list(measures)
    items = list(items)
    consenting = (
        _characteristics_usable(session, [person for person, _ in items])
        if breakdown in CHARACTERISTICS
        else set()
    )
    totals: dict[str, int] = defaultdict(int)
    hits: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    for person, facts in items:
        for group in [
            *_groups(person, breakdown, consenting),
            *(["all"] if breakdown != Breakdown.NONE else []),
        ]:
            totals[group] += 1
            for key in keys:
                hits[group][key] += bool(facts.get(key))
    order = sorted((g for g in totals if g != "all"), key=lambda g: (g == NOT_RECORDED, g))
    return [
        Row(
            group,
            Cell(totals[group]),
            {k: Cell(hits[group][k], totals[group]) for k in keys},
        )
        for group in [*order, "all"]
        if group in totals
    ]


def _period_plans(
    session: Session, start: date, end: date, prison_code: str | None, extra: Callable[[Any], Any]
) -> list[tuple[ReleasePlan, Person]]:
    statement = (
        select(ReleasePlan, Person)
        .join(Person, col(Person.id) == col(ReleasePlan.person_id))
        .where(col(ReleasePlan.release_date) >= start, col(ReleasePlan.release_date) <= end)
    )
    statement = extra(statement)
    if prison_code is not None:
        statement = statement.where(col(Person.prison_code) == prison_code)
    return list(session.exec(statement).all())


def outcomes(
    *,
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    prison_code: str | None = None,
    breakdown: Breakdown = Breakdown.NONE,
) -> Report:
    """Outcomes recorded at the 48-hour follow-up, for people released in the period."""
    pairs = _period_plans(
        session,
        start,
        end,
        prison_code,
        lambda s: s.where(
            col(ReleasePlan.state).in_([PlanState.RELEASED.value, PlanState.COMPLETED.value]),
            col(ReleasePlan.followup_recorded_at).is_not(None),
        ),
    )
    rows = _tabulate(session, ((p, plan.followup or {}) for plan, p in pairs), breakdown, OUTCOMES)
    _audited(session, actor, "outcomes", prison_code)
    return Report("Outcomes after release", start, end, prison_code, breakdown, OUTCOMES, rows)


def friday_releases(
    *,
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    prison_code: str | None = None,
    breakdown: Breakdown = Breakdown.NONE,
) -> Report:
    """Friday and pre-bank-holiday releases: flagged, assessed, submitted, decided in time."""
    pairs = _period_plans(
        session,
        start,
        end,
        prison_code,
        lambda s: s.where(col(ReleasePlan.flagged).is_(True)),
    )
    plan_ids = [plan.id for plan, _ in pairs]
    requests: dict[int, list[EarlyReleaseRequest]] = defaultdict(list)
    if plan_ids:
        for request in session.exec(
            select(EarlyReleaseRequest).where(col(EarlyReleaseRequest.plan_id).in_(plan_ids))
        ):
            requests[request.plan_id].append(request)
    rows = _tabulate(
        session,
        ((person, _friday_facts(plan, requests[plan.id or 0])) for plan, person in pairs),
        breakdown,
        FRIDAY_STAGES,
    )
    _audited(session, actor, "friday_releases", prison_code)
    return Report(
        "Friday and pre-bank-holiday releases",
        start,
        end,
        prison_code,
        breakdown,
        FRIDAY_STAGES,
        rows,
    )


def _friday_facts(plan: ReleasePlan, requests: list[EarlyReleaseRequest]) -> dict[str, bool]:
    # The request about the plan's current release date tells the story; withdrawn ones don't.
    current = [r for r in requests if r.release_date == plan.release_date]
    live = [r for r in current if r.state != RequestState.WITHDRAWN.value]
    request = live[-1] if live else None
    state = request.state if request else None
    decided = state in (RequestState.APPROVED.value, RequestState.REFUSED.value)
    return {
        "flagged": True,
        "assessed": request is not None and request.assessed_by is not None,
        "submitted": request is not None and request.submitted_at is not None,
        "approved": state == RequestState.APPROVED.value,
        "refused": state == RequestState.REFUSED.value,
        "decided_in_time": bool(
            decided
            and request is not None
            and request.decided_at is not None
            and request.decided_at.date() <= request.decision_deadline
        ),
    }


def _audited(session: Session, actor: Actor, report: str, prison_code: str | None) -> None:
    # Reports read everyone's records in aggregate; the trail says who looked at which.
    audit.record(session, actor, f"report:{report}", "report", prison_code or "national")
    commit(session, "audit")
