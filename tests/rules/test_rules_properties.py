"""Properties that hold for every date 2000-2040 in every nation, checked against an oracle built
straight from the holidays package (not from the precomputed tables under test)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import assess, early_release_window, is_in_window
from rules.nations import Nation

_SUBDIV = {
    Nation.ENGLAND_AND_WALES: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
nations = st.sampled_from(list(Nation))


@cache
def _holidays(nation: Nation) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=_SUBDIV[nation], years=range(1999, 2042))


def works(d: date, nation: Nation) -> bool:
    return d.weekday() < 5 and d not in _holidays(nation)


def eligible(d: date, nation: Nation) -> bool:
    return works(d, nation) and works(d + timedelta(days=1), nation)


def days_between(start: date, end: date) -> list[date]:
    """Days from start up to but not including end."""
    return [start + timedelta(days=i) for i in range((end - start).days)]


@settings(max_examples=400, deadline=None)
@given(requested=dates, nation=nations)
def test_release_is_the_last_working_day_on_or_before_the_request(
    requested: date, nation: Nation
) -> None:
    a = assess(requested, nation)
    assert works(a.release_date, nation)
    assert a.release_date <= requested
    assert not any(works(d, nation) for d in days_between(a.release_date, requested)[1:])
    assert a.moved is (a.release_date != requested)
    assert a.flagged is (not works(a.release_date + timedelta(days=1), nation))


@settings(max_examples=400, deadline=None)
@given(requested=dates, nation=nations)
def test_early_release_dates_are_eligible_and_at_most_two_back(
    requested: date, nation: Nation
) -> None:
    a = assess(requested, nation)
    if a.presumptive_date is not None:
        assert a.earliest_date is not None
        assert eligible(a.presumptive_date, nation)
        assert eligible(a.earliest_date, nation)
        assert a.earliest_date < a.presumptive_date < a.release_date
        back = [d for d in days_between(a.earliest_date, a.release_date) if eligible(d, nation)]
        assert back == [a.earliest_date, a.presumptive_date]
    if nation is Nation.SCOTLAND and a.earliest_date is not None:
        back = [d for d in days_between(a.earliest_date, a.release_date) if works(d, nation)]
        assert len(back) == 2 and back[0] == a.earliest_date
    if nation is Nation.ENGLAND_AND_WALES and a.flagged and a.release_date >= date(2023, 12, 12):
        assert a.scheme == "day-of-release-2023"
    if not a.flagged and nation is not Nation.SCOTLAND:
        assert (a.scheme, a.presumptive_date, a.earliest_date) == (None, None, None)
        assert a.ineligible_reason is None


@settings(max_examples=300, deadline=None)
@given(requested=dates, nation=nations, day=st.integers(min_value=-6, max_value=0))
def test_window_holds_only_permitted_working_days(
    requested: date, nation: Nation, day: int
) -> None:
    a = assess(requested, nation)
    d = a.release_date + timedelta(days=day)
    window = early_release_window(a)
    if window is None:
        assert not is_in_window(a, d)
        return
    inside = window[0] <= d <= window[1] and works(d, nation)
    if a.presumptive_date is not None:
        inside = inside and eligible(d, nation)
    assert is_in_window(a, d) is inside
    assert d < a.release_date or not is_in_window(a, d)


@settings(max_examples=300, deadline=None)
@given(
    requested=dates,
    nation=st.sampled_from([Nation.ENGLAND_AND_WALES, Nation.NORTHERN_IRELAND]),
    term_days=st.integers(min_value=1, max_value=5),
)
def test_short_terms_are_released_on_a_working_day_or_a_saturday(
    requested: date, nation: Nation, term_days: int
) -> None:
    a = assess(requested, nation, term_days=term_days)
    assert a.release_date <= requested
    assert works(a.release_date, nation) or (
        a.release_date.weekday() == 5 and (a.release_date.month, a.release_date.day) != (12, 25)
    )
    # Never later than the ordinary rule would release, never more than a week earlier.
    assert a.release_date >= assess(requested, nation).release_date
    assert requested - a.release_date < timedelta(days=7)


@settings(max_examples=300, deadline=None)
@given(
    requested=st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31)),
    nation=nations,
    term_days=st.integers(min_value=1, max_value=36_600),
    served_days=st.integers(min_value=0, max_value=36_600),
    sentence=st.sampled_from(["determinate", "indeterminate", "parole", "hdc"]),
)
def test_the_cache_keyed_by_what_the_rules_read_gives_the_uncached_answer(
    requested: date, nation: Nation, term_days: int, served_days: int, sentence: str
) -> None:
    # assess() keys its cache on a common term or time served as None (many people share a
    # release date, few a term to the day): the answer must be the one worked out afresh.
    from rules.release_dates import _assess

    cached = assess(
        requested, nation, term_days=term_days, served_days=served_days, sentence=sentence
    )
    assert cached == _assess(requested, nation, term_days, served_days, sentence)
