"""How each breakdown puts a released person in a group, as SQL expressions over one plan's row.

A breakdown is a list of "parts": each part is an expression that gives the row's group, or
NULL when the row is in no group of that part. Most breakdowns have one part (every row in
exactly one group). Some have several, because a person can be in more than one group: the
cohorts (a woman over 50 is in both), and age, where "young adults 18 to 25" (the category the
evidence asks for) overlaps the bands. The figures come from one statement whatever the groups:
see figures.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from resettlement import clock
from resettlement.models import CancelReason, Person, ReleasePlan
from resettlement.privacy.consents import Consent, ConsentKind
from rules.checklists import Need
from rules.release_dates import SentenceType


class Breakdown(StrEnum):
    NONE = "none"
    AGE = "age"
    SEX = "sex"
    ETHNIC_GROUP = "ethnic_group"
    DISABILITY = "disability"
    RELIGION = "religion"
    SENTENCE_TYPE = "sentence_type"
    SENTENCE_LENGTH = "sentence_length"
    RECALL = "recall"
    COHORT = "cohort"
    NATION = "nation"
    PRISON = "prison"
    BROUGHT_FORWARD = "brought_forward"
    MONTH = "month"


NOT_RECORDED = "not_recorded"
NO_RECORDED_NEEDS = "no_recorded_needs"
YOUNG_ADULTS = "young_adults_18_25"
# ONS 2021 high-level ethnic groups: the detailed 19 would suppress almost everything.
ETHNIC_HIGH_LEVEL = {
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
}
# Age at release, in the bands of the Ministry of Justice's Offender Management Statistics.
AGE_BANDS = (
    ("under_18", 0, 17),
    ("18_20", 18, 20),
    ("21_24", 21, 24),
    ("25_29", 25, 29),
    ("30_39", 30, 39),
    ("40_49", 40, 49),
    ("50_59", 50, 59),
    ("60_plus", 60, 200),
)
# Sentence length at release, in the Offender Management Statistics' bands.
LENGTH_BANDS = (
    ("up_to_6_months", 0, 183),
    ("6_to_12_months", 184, 364),
    ("1_to_4_years", 365, 1460),
    ("4_years_or_more", 1461, 36_600),
)
EARLY_RELEASE_GROUPS = ("brought_forward", "flagged_not_brought_forward", "not_flagged")
RECALL_GROUPS = ("after_recall", "not_after_recall")
REMAND = "remand"

# Groups shown in this order (then any others alphabetically, then "not recorded").
ORDER: dict[Breakdown, tuple[str, ...]] = {
    Breakdown.AGE: (*(band for band, _, _ in AGE_BANDS), YOUNG_ADULTS),
    Breakdown.SENTENCE_LENGTH: (*(band for band, _, _ in LENGTH_BANDS), "indeterminate"),
    Breakdown.SENTENCE_TYPE: (*(str(t) for t in SentenceType), REMAND),
    Breakdown.BROUGHT_FORWARD: EARLY_RELEASE_GROUPS,
    Breakdown.RECALL: RECALL_GROUPS,
    Breakdown.COHORT: (*(str(n) for n in Need), NO_RECORDED_NEEDS),
}

plan_table = ReleasePlan.__table__  # type: ignore[attr-defined]
consent_table = Consent.__table__  # type: ignore[attr-defined]
person_table = Person.__table__  # type: ignore[attr-defined]
plan = plan_table.c
person = person_table.c


def json_text(column: ColumnElement[object]) -> ColumnElement[str]:
    # A JSON list of fixed words: matching '"woman"' in its text reads the same on SQLite and
    # PostgreSQL, where JSON functions differ.
    return cast(column, Text)


def needs_text() -> ColumnElement[str]:
    return json_text(person.needs)


def has_need(need: str) -> ColumnElement[bool]:
    return needs_text().like(f'%"{need}"%')


class day_number(FunctionElement[int]):
    """A date as the integer YYYYMMDD, one function call on each database."""

    type = Integer()
    inherit_cache = True


@compiles(day_number)
def _day_number_sqlite(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%Y%m%d', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_number_postgresql(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"CAST(to_char({compiler.process(element.clauses, **kw)}, 'YYYYMMDD') AS INTEGER)"


def age_at_release() -> ColumnElement[int]:
    """Whole years from birth to the walk-out day: YYYYMMDD minus YYYYMMDD, over 10,000, is
    the age (the birthday not yet reached this year borrows from the years). Cheap, because
    the bands' CASE evaluates it once per branch."""
    return (day_number(plan.walk_out_date) - day_number(person.date_of_birth)) // 10000


def _bands(value: ColumnElement[int], bands: tuple[tuple[str, int, int], ...]) -> list:
    return [(and_(value >= low, value <= high), literal(name)) for name, low, high in bands]


def _may_monitor() -> ColumnElement[bool]:
    """Protected characteristics count only while the person's consent to monitoring holds in
    the consent record (a withdrawal takes them out of the next report), or for an anonymised
    person, whose characteristics were kept, as statistics about nobody, only if it held then."""
    given = consent_table.c
    return or_(
        person.anonymised_at.is_not(None),
        exists(
            select(literal(1)).where(
                given.person_id == person.id,
                given.kind == ConsentKind.MONITORING_CHARACTERISTICS.value,
                given.withdrawn_at.is_(None),
                or_(given.until.is_(None), given.until >= clock.today()),
            )
        ),
    )


def _monitored(column: ColumnElement[str | None]) -> ColumnElement[str]:
    return case(
        (or_(~_may_monitor(), column.is_(None)), literal(NOT_RECORDED)),
        else_=cast(column, String),
    )


def _ethnic_group() -> ColumnElement[str]:
    value = person.ethnic_group
    return case(
        (or_(~_may_monitor(), value.is_(None)), literal(NOT_RECORDED)),
        *[
            (value.like(f"{prefix}\\_%", escape="\\"), literal(prefix))
            for prefix in ETHNIC_HIGH_LEVEL
        ],
        else_=cast(value, String),
    )


# Each person's first plan cancelled by a recall: a release after it follows a recall. Joined
# once (a hash join), where an EXISTS per row probed the index a million times.
_recalled = plan_table.alias("recalled")
first_recall = (
    select(_recalled.c.person_id, func.min(_recalled.c.id).label("plan_id"))
    .where(_recalled.c.cancel_reason == CancelReason.RECALL.value)
    .group_by(_recalled.c.person_id)
    .subquery("first_recall")
)


def after_recall() -> ColumnElement[bool]:
    """The release follows a recall: an earlier plan of the person's was cancelled by recall
    (needs `joined`)."""
    return and_(first_recall.c.plan_id.is_not(None), first_recall.c.plan_id < plan.id)


def joined(breakdown: Breakdown, rows: Select[Any]) -> Select[Any]:
    """The rows with what the breakdown's parts read beyond the plan and the person."""
    if breakdown == Breakdown.RECALL:
        return rows.outerjoin(first_recall, first_recall.c.person_id == plan.person_id)
    return rows


def month_key() -> ColumnElement[str]:
    # "202610" style keys (year * 100 + month) sort by time as text; labels turn them into
    # "October 2026".
    walk = plan.walk_out_date
    number = extract("year", walk) * 100 + extract("month", walk)
    return cast(number, String)


def parts(breakdown: Breakdown) -> list[ColumnElement[Any]]:
    """The breakdown's parts: each an SQL expression giving a row's group, or NULL."""
    if breakdown == Breakdown.NONE:
        return []
    if breakdown == Breakdown.AGE:
        # The age itself: bands are drawn from it in Python (groups_of), since a CASE of
        # eight bands would work the age out again in each branch, for every row.
        return [age_at_release()]
    if breakdown in (Breakdown.SEX, Breakdown.DISABILITY, Breakdown.RELIGION):
        return [_monitored(getattr(person, breakdown.value))]
    if breakdown == Breakdown.ETHNIC_GROUP:
        return [_ethnic_group()]
    if breakdown == Breakdown.SENTENCE_TYPE:
        return [case((has_need(Need.ON_REMAND), literal(REMAND)), else_=plan.sentence_type)]
    if breakdown == Breakdown.SENTENCE_LENGTH:
        return [
            case(
                (plan.sentence_type == SentenceType.INDETERMINATE.value, literal("indeterminate")),
                *_bands(plan.term_days, LENGTH_BANDS),
                else_=literal(NOT_RECORDED),
            )
        ]
    if breakdown == Breakdown.RECALL:
        return [case((after_recall(), literal(RECALL_GROUPS[0])), else_=literal(RECALL_GROUPS[1]))]
    if breakdown == Breakdown.COHORT:
        no_needs = or_(person.needs.is_(None), ~needs_text().like('%"%'))
        return [
            *(case((has_need(n), literal(str(n)))) for n in Need),
            case((no_needs, literal(NO_RECORDED_NEEDS))),
        ]
    if breakdown == Breakdown.NATION:
        return [cast(person.nation, String)]
    if breakdown == Breakdown.PRISON:
        return [cast(person.prison_code, String)]
    if breakdown == Breakdown.BROUGHT_FORWARD:
        return [
            case(
                (plan.walk_out_date < plan.release_date, literal(EARLY_RELEASE_GROUPS[0])),
                (plan.flagged.is_(True), literal(EARLY_RELEASE_GROUPS[1])),
                else_=literal(EARLY_RELEASE_GROUPS[2]),
            )
        ]
    if breakdown == Breakdown.MONTH:
        return [month_key()]
    raise ValueError(breakdown)


def groups_of(breakdown: Breakdown, values: Sequence[Any]) -> list[tuple[int, str]]:
    """The (part, group) pairs a combination of the parts' values counts in."""
    if breakdown == Breakdown.AGE:
        age = values[0]
        if age is None:
            return [(0, NOT_RECORDED)]
        band = next((name for name, low, high in AGE_BANDS if low <= age <= high), NOT_RECORDED)
        return [(0, band), *([(1, YOUNG_ADULTS)] if 18 <= age <= 25 else [])]
    return [(part, str(value)) for part, value in enumerate(values) if value is not None]


def sort_key(breakdown: Breakdown, group: str) -> tuple[int, int, str]:
    order = ORDER.get(breakdown, ())
    if group in order:
        return (0, order.index(group), group)
    return (1 if group != NOT_RECORDED else 2, 0, group)
