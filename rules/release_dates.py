"""Release dates: the weekend and holiday move, the Friday flag and early-release windows.

Rule ids (R1-R7, SCT-*, NI-*) refer to `rules.catalogue.RULES`, which holds their sources.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from rules import calendars, catalogue
from rules.calendars import (
    add_working_days,
    is_eligible_working_day,
    is_working_day,
    previous_eligible_working_day,
    previous_working_day,
)
from rules.nations import Nation, parse_nation


class SentenceType(StrEnum):
    DETERMINATE = "determinate"
    INDETERMINATE = "indeterminate"
    PAROLE = "parole"
    HDC = "hdc"


DAY_OF_RELEASE_SCHEME = "day-of-release-2023"
SCOTLAND_SCHEME = "scotland-s26c"
NORTHERN_IRELAND_SCHEME = "northern-ireland-early-release"

# R2: Criminal Justice Act 1961 s.23(3) treats Saturday as a release day for terms this short.
SATURDAY_STANDS_MAX_TERM_DAYS = 5
# R7: HMPPS policy framework for the day-of-release scheme.
MIN_SERVED_DAYS = 28
# SCT-S26C: the 1993 Act s.26C(5) excludes terms of less than 15 days.
SCOTLAND_MIN_TERM_DAYS = 15
# SCT-S26C: release may be brought forward by up to 2 working days.
SCOTLAND_WORKING_DAYS_FORWARD = 2

_NOT_ELIGIBLE_SENTENCES: dict[SentenceType, str] = {
    SentenceType.INDETERMINATE: (
        "Indeterminate sentences are not covered by the day-of-release scheme: release is on "
        "Parole Board direction."
    ),
    SentenceType.PAROLE: "Releases directed by the Parole Board are not covered by the scheme.",
    SentenceType.HDC: "Home detention curfew releases are not covered by the scheme.",
}


@dataclass(frozen=True, slots=True)
class ReleaseAssessment:
    requested_date: date
    nation: Nation
    release_date: date
    moved: bool
    flagged: bool
    flag_reason: str | None
    scheme: str | None
    presumptive_date: date | None
    earliest_date: date | None
    ineligible_reason: str | None
    rules: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "requested_date": self.requested_date.isoformat(),
            "nation": self.nation.value,
            "release_date": self.release_date.isoformat(),
            "moved": self.moved,
            "flagged": self.flagged,
            "flag_reason": self.flag_reason,
            "scheme": self.scheme,
            "presumptive_date": _iso(self.presumptive_date),
            "earliest_date": _iso(self.earliest_date),
            "ineligible_reason": self.ineligible_reason,
            "rules": list(self.rules),
        }


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


_Key = tuple[date, str, int | None, int | None, str]
# Assessments are immutable and depend only on their arguments and the (rarely changed) rules
# and calendars, so they are shared; the cap bounds memory for unusual term/served values.
_cache: dict[_Key, ReleaseAssessment] = {}
_CACHE_LIMIT = 500_000
calendars.on_change(_cache.clear)
catalogue.on_change(_cache.clear)


def assess(
    requested: date,
    nation: Nation | str,
    *,
    term_days: int | None = None,
    served_days: int | None = None,
    sentence: SentenceType | str = SentenceType.DETERMINATE,
) -> ReleaseAssessment:
    """Assess a release due on `requested` in `nation`.

    None for term_days or served_days means the common case: a term over 5 days (15 in
    Scotland) and at least 28 days served. `rules` lists the rule ids that shaped the result.
    """
    term_days, served_days = _as_common(term_days, served_days)
    key = (requested, nation, term_days, served_days, sentence)
    # StrEnum members hash and compare like their values, so "scotland" and Nation.SCOTLAND
    # share an entry. A datetime never equals a date, and _assess rejects it before caching.
    cached = _cache.get(key)
    if cached is not None:
        return cached
    result = _assess(requested, parse_nation(nation), term_days, served_days, sentence)
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[key] = result
    return result


# The longest term and the shortest time served that any rule tells apart from the common case.
_LONGEST_TERM_TOLD_APART = max(SATURDAY_STANDS_MAX_TERM_DAYS, SCOTLAND_MIN_TERM_DAYS - 1)


def _as_common(term_days: int | None, served_days: int | None) -> tuple[int | None, int | None]:
    """A term or time served no rule tells apart from the common case is the common case
    (None): many people share a release date but few share a term to the day, so the cache
    is keyed by what the rules read, not by every input."""
    if term_days is not None and term_days > _LONGEST_TERM_TOLD_APART:
        term_days = None
    if served_days is not None and served_days >= MIN_SERVED_DAYS:
        served_days = None
    return term_days, served_days


def assess_many(
    pairs: Iterable[tuple[date, Nation | str]],
    *,
    term_days: int | None = None,
    served_days: int | None = None,
    sentence: SentenceType | str = SentenceType.DETERMINATE,
) -> list[ReleaseAssessment]:
    """`assess` for many (date, nation) pairs with the same sentence details."""
    get = _cache.get
    out: list[ReleaseAssessment] = []
    append = out.append
    term_days, served_days = _as_common(term_days, served_days)
    for requested, nation in pairs:
        found = get((requested, nation, term_days, served_days, sentence))
        if found is None:
            found = assess(
                requested, nation, term_days=term_days, served_days=served_days, sentence=sentence
            )
        append(found)
    return out


def _parse_sentence(sentence: SentenceType | str) -> SentenceType:
    try:
        return SentenceType(sentence)
    except ValueError:
        choices = ", ".join(s.value for s in SentenceType)
        raise ValueError(f"unknown sentence {sentence!r}; expected one of: {choices}") from None


def _assess(
    requested: date,
    nation: Nation,
    term_days: int | None,
    served_days: int | None,
    sentence_value: SentenceType | str,
) -> ReleaseAssessment:
    if isinstance(requested, datetime) or not isinstance(requested, date):
        raise TypeError(f"expected a date, got {type(requested).__name__}")
    sentence = _parse_sentence(sentence_value)
    if term_days is not None and term_days < 1:
        raise ValueError("term_days must be at least 1")
    if served_days is not None and served_days < 0:
        raise ValueError("served_days must not be negative")
    if nation is Nation.SCOTLAND:
        return _assess_scotland(requested, term_days)
    return _assess_day_of_release(requested, nation, served_days, term_days, sentence)


def _short_term_release(requested: date, nation: Nation) -> date:
    """R2 for terms of 5 days or less.

    s.23(3) names Sunday, Christmas Day, Good Friday and bank holidays, and adds Saturday only
    for terms over 5 days; so a short-term release moves back to the last day that is none of
    those, which may be a Saturday (a Sunday or bank-holiday Monday release goes to Saturday).
    """
    d = requested
    while (
        d.weekday() == 6
        or (d.weekday() < 5 and not is_working_day(d, nation))
        or (d.month == 12 and d.day == 25)
    ):
        d -= timedelta(days=1)
    return d


def _flag(release: date, nation: Nation) -> str | None:
    """R3: why the release is flagged, or None."""
    if is_working_day(release + timedelta(days=1), nation):
        return None
    # A Saturday release that stands (short terms) is followed by Sunday: it is treated as a
    # weekend-eve release like a Friday, the closest of the two reasons the contract allows.
    if release.weekday() >= 4:
        return "friday"
    return "day_before_bank_holiday"


def _assess_day_of_release(
    requested: date,
    nation: Nation,
    served_days: int | None,
    term_days: int | None,
    sentence: SentenceType,
) -> ReleaseAssessment:
    """England and Wales (R1-R7); Northern Ireland shares R2 and R3 with its own calendar."""
    applied = ["R1" if nation is Nation.ENGLAND_AND_WALES else "NI-CAL"]
    release = requested
    if not is_working_day(requested, nation):
        if term_days is not None and term_days <= SATURDAY_STANDS_MAX_TERM_DAYS:
            release = _short_term_release(requested, nation)
        else:
            release = previous_working_day(requested, nation)
        applied.append("R2")
    flag_reason = _flag(release, nation)
    scheme = presumptive = earliest = reason = None
    if flag_reason is not None:
        applied.append("R3")
        if nation is Nation.ENGLAND_AND_WALES:
            scheme_rule, scheme_name = "R5", DAY_OF_RELEASE_SCHEME
        else:
            scheme_rule, scheme_name = "NI-EARLY-RELEASE", NORTHERN_IRELAND_SCHEME
        reason = _ineligible(release, scheme_rule, served_days, sentence)
        applied.append("R7" if scheme_rule == "R5" else scheme_rule)
        if reason is None:
            presumptive = previous_eligible_working_day(release, nation)
            earliest = previous_eligible_working_day(presumptive, nation)
            scheme = scheme_name
            applied += ["R4", "R5", "R6"]
    return ReleaseAssessment(
        requested_date=requested,
        nation=nation,
        release_date=release,
        moved=release != requested,
        flagged=flag_reason is not None,
        flag_reason=flag_reason,
        scheme=scheme,
        presumptive_date=presumptive,
        earliest_date=earliest,
        ineligible_reason=reason,
        rules=_in_catalogue_order(applied),
    )


def _ineligible(
    release: date, scheme_rule: str, served_days: int | None, sentence: SentenceType
) -> str | None:
    """R7, or why Northern Ireland has no scheme for this release."""
    rule = catalogue.RULES[scheme_rule]
    if rule.commences is None:
        return (
            "Northern Ireland has no early-release scheme for Friday or pre-holiday releases; "
            "the release stays on its date."
        )
    if release < rule.commences:
        return (
            f"The release date is before {rule.commences.day} {rule.commences:%B %Y}, when early "
            "release for "
            "Friday and pre-holiday releases began."
        )
    if sentence in _NOT_ELIGIBLE_SENTENCES:
        return _NOT_ELIGIBLE_SENTENCES[sentence]
    if served_days is not None and served_days < MIN_SERVED_DAYS:
        return (
            f"Only {served_days} days served; early release needs at least {MIN_SERVED_DAYS} "
            "days served."
        )
    return None


_CATALOGUE_ORDER = {rule_id: position for position, rule_id in enumerate(catalogue.RULES)}


def _in_catalogue_order(applied: list[str]) -> tuple[str, ...]:
    return tuple(sorted(applied, key=_CATALOGUE_ORDER.__getitem__))


def _assess_scotland(requested: date, term_days: int | None) -> ReleaseAssessment:
    nation = Nation.SCOTLAND
    applied = ["SCT-CAL"]
    release = requested
    if not is_working_day(requested, nation):
        release = previous_working_day(requested, nation)
        applied.append("SCT-MOVE")
    s8 = catalogue.RULES["SCT-2023-S8"].commences
    if s8 is not None and release >= s8 and not is_eligible_working_day(release, nation):
        release = previous_eligible_working_day(release, nation)
        applied.append("SCT-2023-S8")
    flag_reason = _flag(release, nation)
    s26c = catalogue.RULES["SCT-S26C"].commences
    scheme = earliest = reason = None
    if term_days is not None and term_days < SCOTLAND_MIN_TERM_DAYS:
        reason = (
            f"Sentences of under {SCOTLAND_MIN_TERM_DAYS} days cannot be brought forward "
            "(section 26C of the 1993 Act)."
        )
    elif s26c is None or release < s26c:
        reason = "The release date is before section 26C of the 1993 Act came into force."
    else:
        scheme = SCOTLAND_SCHEME
        earliest = add_working_days(release, -SCOTLAND_WORKING_DAYS_FORWARD, nation)
    applied.append("SCT-S26C")
    return ReleaseAssessment(
        requested_date=requested,
        nation=nation,
        release_date=release,
        moved=release != requested,
        flagged=flag_reason is not None,
        flag_reason=flag_reason,
        scheme=scheme,
        presumptive_date=None,
        earliest_date=earliest,
        ineligible_reason=reason,
        rules=_in_catalogue_order(applied),
    )


# Nations whose Friday or pre-holiday early-release scheme waits for a commencement date (the
# rule that says so, off until one is configured in the catalogue).
SCHEME_AWAITING_COMMENCEMENT: dict[Nation, str] = {Nation.NORTHERN_IRELAND: "NI-EARLY-RELEASE"}


def scheme_not_in_force(nation: Nation, on: date) -> catalogue.Rule | None:
    """The rule by which `nation` has no Friday or pre-holiday early-release scheme on `on`, or
    None when releases there can be brought forward (no governor's decision is ever asked for
    while it has none)."""
    rule_id = SCHEME_AWAITING_COMMENCEMENT.get(nation)
    if rule_id is None:
        return None
    rule = catalogue.RULES[rule_id]
    if rule.commences is None or on < rule.commences:
        return rule
    return None


def early_release_window(a: ReleaseAssessment) -> tuple[date, date] | None:
    """Earliest and latest dates an approved early release may take, or None without a scheme."""
    if a.earliest_date is None:
        return None
    if a.presumptive_date is not None:
        return a.earliest_date, a.presumptive_date
    return a.earliest_date, previous_working_day(a.release_date, a.nation)


def is_in_window(a: ReleaseAssessment, d: date) -> bool:
    """Whether an approved early release may take place on `d`.

    In England and Wales the Act allows only eligible working days (R4), so a working day in the
    window that is itself followed by a holiday does not count; in Scotland any working day does.
    """
    window = early_release_window(a)
    if window is None or not window[0] <= d <= window[1]:
        return False
    if a.presumptive_date is not None:
        return is_eligible_working_day(d, a.nation)
    return is_working_day(d, a.nation)


def permitted_days(a: ReleaseAssessment) -> list[date]:
    """Every day an approved early release may take, earliest first (empty without a scheme).
    The window's last day is not always one of them (in Scotland it ends the working day
    before the release date), so a caller picks from this list, not from the window's ends."""
    window = early_release_window(a)
    if window is None:
        return []
    days = (window[0] + timedelta(days=n) for n in range((window[1] - window[0]).days + 1))
    return [d for d in days if is_in_window(a, d)]
