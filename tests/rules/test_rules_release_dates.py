"""Release dates (R2-R7, Scotland, Northern Ireland) on real calendar dates.

Every expected date is worked out from the published bank holidays, with the reasoning beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from rules import (
    ReleaseAssessment,
    SentenceType,
    assess,
    assess_many,
    configure_commencement,
    early_release_window,
    is_in_window,
)
from rules.nations import Nation

EW = Nation.ENGLAND_AND_WALES
SCT = Nation.SCOTLAND
NI = Nation.NORTHERN_IRELAND


@dataclass(frozen=True)
class Case:
    id: str
    requested: date
    release: date
    flag_reason: str | None
    presumptive: date | None
    earliest: date | None
    term_days: int | None = None
    why: str = ""


ENGLAND_AND_WALES_CASES = [
    Case(
        "worked-example-friday",
        date(2025, 10, 17),
        date(2025, 10, 17),
        "friday",
        date(2025, 10, 16),
        date(2025, 10, 15),
        why="A Friday stays; Thu 16 and Wed 15 are each followed by a working day.",
    ),
    Case(
        "worked-example-sunday",
        date(2025, 10, 19),
        date(2025, 10, 17),
        "friday",
        date(2025, 10, 16),
        date(2025, 10, 15),
        why="Sunday moves back over Saturday to Friday 17.",
    ),
    Case(
        "saturday-moves-to-friday",
        date(2025, 10, 18),
        date(2025, 10, 17),
        "friday",
        date(2025, 10, 16),
        date(2025, 10, 15),
    ),
    Case(
        "worked-example-good-friday",
        date(2025, 4, 18),
        date(2025, 4, 17),
        "day_before_bank_holiday",
        date(2025, 4, 16),
        date(2025, 4, 15),
        why="Good Friday moves to Thursday, which is followed by a bank holiday.",
    ),
    Case(
        "easter-monday",
        date(2025, 4, 21),
        date(2025, 4, 17),
        "day_before_bank_holiday",
        date(2025, 4, 16),
        date(2025, 4, 15),
        why="Easter Monday moves back over Sunday, Saturday and Good Friday to Thursday.",
    ),
    Case(
        "easter-monday-2027",
        date(2027, 3, 29),
        date(2027, 3, 25),
        "day_before_bank_holiday",
        date(2027, 3, 24),
        date(2027, 3, 23),
        why="Good Friday 2027 is 26 March, so Thursday 25 is the last working day.",
    ),
    Case(
        "world-cup-monday-is-not-an-english-holiday",
        date(2026, 6, 15),
        date(2026, 6, 15),
        None,
        None,
        None,
        why="15 June 2026 is a Scottish-only holiday: an ordinary Monday in England and Wales.",
    ),
    Case(
        "christmas-2026-friday",
        date(2026, 12, 25),
        date(2026, 12, 24),
        "day_before_bank_holiday",
        date(2026, 12, 23),
        date(2026, 12, 22),
        why="Christmas Day on a Friday moves to Thursday 24, followed by Christmas.",
    ),
    Case(
        "boxing-day-substitute-2026",
        date(2026, 12, 28),
        date(2026, 12, 24),
        "day_before_bank_holiday",
        date(2026, 12, 23),
        date(2026, 12, 22),
        why="Boxing Day 2026 is a Saturday; its substitute Monday 28 moves back to Thursday 24.",
    ),
    Case(
        "christmas-2027-saturday-substitutes",
        date(2027, 12, 28),
        date(2027, 12, 24),
        "friday",
        date(2027, 12, 23),
        date(2027, 12, 22),
        why="Christmas 2027 is Sat/Sun with substitutes Mon 27 and Tue 28: back to Fri 24.",
    ),
    Case(
        "new-year-2028-saturday-substitute",
        date(2028, 1, 3),
        date(2027, 12, 31),
        "friday",
        date(2027, 12, 30),
        date(2027, 12, 29),
        why="1 Jan 2028 is a Saturday; substitute Monday 3 January moves back to Friday 31 Dec.",
    ),
    Case(
        "between-christmas-and-new-year-2027",
        date(2027, 12, 29),
        date(2027, 12, 29),
        None,
        None,
        None,
        why="Wednesday 29 December 2027 is followed by a working Thursday.",
    ),
    Case(
        "thursday-before-an-ordinary-friday",
        date(2025, 10, 16),
        date(2025, 10, 16),
        None,
        None,
        None,
    ),
    Case(
        "first-friday-in-force",
        date(2023, 12, 15),
        date(2023, 12, 15),
        "friday",
        date(2023, 12, 14),
        date(2023, 12, 13),
        why="The Act is in force from 12 December 2023.",
    ),
    Case(
        "short-term-saturday-stands",
        date(2025, 10, 18),
        date(2025, 10, 18),
        "friday",
        date(2025, 10, 16),
        date(2025, 10, 15),
        term_days=5,
        why="s.23(3): for 5 days or less Saturday is a release day. Friday 17 is followed by a "
        "Saturday, so the eligible days are Thu 16 and Wed 15.",
    ),
    Case(
        "short-term-sunday-moves-to-saturday",
        date(2025, 10, 19),
        date(2025, 10, 18),
        "friday",
        date(2025, 10, 16),
        date(2025, 10, 15),
        term_days=3,
        why="Sunday still moves, to the preceding Saturday, which short terms may be released on.",
    ),
    Case(
        "short-term-bank-holiday-monday-moves-to-saturday",
        date(2025, 5, 26),
        date(2025, 5, 24),
        "friday",
        date(2025, 5, 22),
        date(2025, 5, 21),
        term_days=1,
        why="Spring bank holiday Monday -> Sunday -> Saturday 24 May.",
    ),
    Case(
        "short-term-christmas-day-on-saturday-moves-to-friday",
        date(2027, 12, 25),
        date(2027, 12, 24),
        "friday",
        date(2027, 12, 23),
        date(2027, 12, 22),
        term_days=5,
        why="s.23(3) names Christmas Day itself, so a Saturday Christmas is not a release day.",
    ),
    Case(
        "six-day-term-saturday-moves-to-friday",
        date(2025, 10, 18),
        date(2025, 10, 17),
        "friday",
        date(2025, 10, 16),
        date(2025, 10, 15),
        term_days=6,
    ),
]


@pytest.mark.parametrize("case", ENGLAND_AND_WALES_CASES, ids=lambda c: c.id)
def test_england_and_wales_release_dates(case: Case) -> None:
    a = assess(case.requested, EW, term_days=case.term_days)
    assert a.release_date == case.release
    assert a.moved is (case.release != case.requested)
    assert a.flag_reason == case.flag_reason
    assert a.flagged is (case.flag_reason is not None)
    assert a.presumptive_date == case.presumptive
    assert a.earliest_date == case.earliest
    assert a.scheme == ("day-of-release-2023" if case.presumptive else None)
    assert a.ineligible_reason is None


@pytest.mark.parametrize(
    ("requested", "release", "flag_reason"),
    [
        (date(2022, 6, 3), date(2022, 6, 1), "day_before_bank_holiday"),
        (date(2022, 9, 19), date(2022, 9, 16), "friday"),
        (date(2023, 5, 8), date(2023, 5, 5), "friday"),
        (date(2021, 12, 27), date(2021, 12, 24), "friday"),
        (date(2022, 12, 27), date(2022, 12, 23), "friday"),
        (date(2020, 12, 28), date(2020, 12, 24), "day_before_bank_holiday"),
        (date(2023, 12, 8), date(2023, 12, 8), "friday"),
    ],
    ids=[
        "platinum-jubilee-thu-fri-2022-back-to-wednesday",
        "queens-state-funeral-2022-back-to-friday",
        "coronation-2023-back-to-friday",
        "christmas-2021-substitute-back-to-christmas-eve",
        "christmas-2022-substitute-back-over-boxing-day",
        "boxing-day-2020-substitute-back-over-christmas",
        "last-friday-before-the-act",
    ],
)
def test_flagged_releases_before_12_december_2023_have_no_scheme(
    requested: date, release: date, flag_reason: str
) -> None:
    a = assess(requested, EW)
    assert a.release_date == release
    assert (a.flagged, a.flag_reason) == (True, flag_reason)
    assert (a.scheme, a.presumptive_date, a.earliest_date) == (None, None, None)
    assert a.ineligible_reason is not None
    assert "12 December 2023" in a.ineligible_reason


@pytest.mark.parametrize(
    ("kwargs", "eligible"),
    [
        ({"sentence": SentenceType.INDETERMINATE}, False),
        ({"sentence": "parole"}, False),
        ({"sentence": SentenceType.HDC}, False),
        ({"served_days": 27}, False),
        ({"served_days": 0}, False),
        ({"served_days": 28}, True),
        ({"sentence": "determinate", "served_days": 400}, True),
    ],
    ids=[
        "indeterminate",
        "parole-board-release",
        "home-detention-curfew",
        "27-days-served",
        "nothing-served",
        "exactly-28-days-served",
        "determinate-recall-re-release",
    ],
)
def test_eligibility_for_a_flagged_friday(kwargs: dict[str, object], eligible: bool) -> None:
    a = assess(date(2025, 10, 17), EW, **kwargs)  # type: ignore[arg-type]
    assert a.flagged is True
    assert a.release_date == date(2025, 10, 17)
    if eligible:
        assert a.ineligible_reason is None
        assert a.presumptive_date == date(2025, 10, 16)
    else:
        assert a.ineligible_reason
        assert (a.scheme, a.presumptive_date, a.earliest_date) == (None, None, None)


def test_an_unflagged_ineligible_release_gives_no_reason() -> None:
    # Wednesday 15 October 2025 is followed by a working Thursday: nothing to be eligible for.
    a = assess(date(2025, 10, 15), EW, sentence=SentenceType.PAROLE, served_days=3)
    assert (a.flagged, a.scheme, a.ineligible_reason) == (False, None, None)


SCOTLAND_CASES = [
    Case(
        "friday",
        date(2025, 10, 17),
        date(2025, 10, 17),
        "friday",
        None,
        date(2025, 10, 15),
        why="Two working days back from Friday: Thursday 16, Wednesday 15.",
    ),
    Case(
        "ordinary-wednesday-can-still-come-forward",
        date(2025, 10, 15),
        date(2025, 10, 15),
        None,
        None,
        date(2025, 10, 13),
        why="s.26C applies on any day, not only Fridays.",
    ),
    Case(
        "world-cup-holiday-moves-to-friday",
        date(2026, 6, 15),
        date(2026, 6, 12),
        "friday",
        None,
        date(2026, 6, 10),
    ),
    Case(
        "day-after-world-cup-holiday",
        date(2026, 6, 16),
        date(2026, 6, 16),
        None,
        None,
        date(2026, 6, 11),
        why="Two working days back skip Monday 15 (holiday) and the weekend: Fri 12, Thu 11.",
    ),
    Case(
        "easter-monday-is-a-working-day",
        date(2025, 4, 21),
        date(2025, 4, 21),
        None,
        None,
        date(2025, 4, 16),
        why="Scotland has no Easter Monday holiday; back over the weekend and Good Friday.",
    ),
    Case(
        "2-january-holiday",
        date(2025, 1, 2),
        date(2024, 12, 31),
        "day_before_bank_holiday",
        None,
        date(2024, 12, 27),
        why="1 and 2 January are holidays -> Tue 31 Dec; back over 25/26 Dec: Mon 30, Fri 27.",
    ),
    Case(
        "st-andrews-day-substitute",
        date(2025, 12, 1),
        date(2025, 11, 28),
        "friday",
        None,
        date(2025, 11, 26),
    ),
]


@pytest.mark.parametrize("case", SCOTLAND_CASES, ids=lambda c: c.id)
def test_scotland_release_dates(case: Case) -> None:
    a = assess(case.requested, SCT)
    assert a.release_date == case.release
    assert a.moved is (case.release != case.requested)
    assert a.flag_reason == case.flag_reason
    assert a.presumptive_date is None
    assert a.earliest_date == case.earliest
    assert a.scheme == "scotland-s26c"
    assert a.ineligible_reason is None


@pytest.mark.parametrize(
    ("term_days", "scheme"),
    [(14, None), (15, "scotland-s26c"), (None, "scotland-s26c")],
    ids=["term-14-days-excluded", "term-15-days-allowed", "term-unknown-is-long"],
)
def test_scotland_short_terms_cannot_come_forward(
    term_days: int | None, scheme: str | None
) -> None:
    a = assess(date(2025, 10, 17), SCT, term_days=term_days)
    assert a.scheme == scheme
    assert (a.earliest_date is None) is (scheme is None)
    assert (a.ineligible_reason is None) is (scheme is not None)


def test_scotland_before_section_26c_commenced() -> None:
    a = assess(date(2015, 10, 16), SCT)
    assert (a.scheme, a.earliest_date) == (None, None)
    assert a.ineligible_reason


@pytest.fixture
def scottish_2023_act_s8_in_force() -> Iterator[None]:
    configure_commencement("SCT-2023-S8", date(2025, 1, 1))
    yield
    configure_commencement("SCT-2023-S8", None)


def test_scottish_2023_act_s8_is_off_until_configured() -> None:
    assert assess(date(2025, 10, 17), SCT).release_date == date(2025, 10, 17)


def test_scottish_2023_act_s8_moves_friday_releases(scottish_2023_act_s8_in_force: None) -> None:
    # No Friday release: back to Thursday 16, then s.26C's two working days: Wed 15, Tue 14.
    a = assess(date(2025, 10, 17), SCT)
    assert (a.release_date, a.moved, a.flagged) == (date(2025, 10, 16), True, False)
    assert a.earliest_date == date(2025, 10, 14)
    assert "SCT-2023-S8" in a.rules
    # Thursday 17 April 2025 is the day before Good Friday (a public holiday): back to Wed 16.
    assert assess(date(2025, 4, 17), SCT).release_date == date(2025, 4, 16)
    # Before the configured commencement nothing changes.
    assert assess(date(2024, 10, 18), SCT).release_date == date(2024, 10, 18)


@pytest.mark.parametrize(
    ("requested", "release", "flag_reason"),
    [
        (date(2025, 3, 17), date(2025, 3, 14), "friday"),
        (date(2024, 3, 18), date(2024, 3, 15), "friday"),
        (date(2025, 7, 14), date(2025, 7, 11), "friday"),
        (date(2023, 3, 16), date(2023, 3, 16), "day_before_bank_holiday"),
        (date(2024, 7, 11), date(2024, 7, 11), "day_before_bank_holiday"),
    ],
    ids=[
        "st-patricks-day-2025-monday",
        "st-patricks-day-2024-substitute-monday",
        "twelfth-2025-substitute-monday",
        "thursday-before-st-patricks-day-2023-friday",
        "thursday-before-the-twelfth-2024-friday",
    ],
)
def test_northern_ireland_moves_and_flags_without_a_scheme(
    requested: date, release: date, flag_reason: str
) -> None:
    a = assess(requested, NI)
    assert (a.release_date, a.flagged, a.flag_reason) == (release, True, flag_reason)
    assert (a.scheme, a.presumptive_date, a.earliest_date) == (None, None, None)
    assert a.ineligible_reason is not None
    assert "no early-release scheme" in a.ineligible_reason


def test_england_and_wales_ignores_northern_ireland_holidays() -> None:
    # Monday 17 March 2025 is St Patrick's Day in Northern Ireland only.
    a = assess(date(2025, 3, 17), EW)
    assert (a.release_date, a.flagged) == (date(2025, 3, 17), False)


def test_unflagged_northern_ireland_release_has_no_reason() -> None:
    a = assess(date(2025, 7, 16), NI)
    assert (a.flagged, a.ineligible_reason) == (False, None)


def test_configured_northern_ireland_scheme_uses_its_own_calendar() -> None:
    configure_commencement("NI-EARLY-RELEASE", date(2024, 1, 1))
    try:
        a = assess(date(2025, 3, 17), NI)
    finally:
        configure_commencement("NI-EARLY-RELEASE", None)
    assert a.scheme is not None
    assert (a.presumptive_date, a.earliest_date) == (date(2025, 3, 13), date(2025, 3, 12))
    assert assess(date(2025, 3, 17), NI).scheme is None


def test_window_england_and_wales_is_earliest_to_presumptive() -> None:
    a = assess(date(2025, 10, 17), EW)
    assert early_release_window(a) == (date(2025, 10, 15), date(2025, 10, 16))
    assert is_in_window(a, date(2025, 10, 15))
    assert is_in_window(a, date(2025, 10, 16))
    assert not is_in_window(a, date(2025, 10, 17))
    assert not is_in_window(a, date(2025, 10, 14))


def test_window_scotland_is_working_days_up_to_the_day_before() -> None:
    # Wed 17 June 2026: two working days back are Tue 16 and Fri 12 (Mon 15 is a holiday).
    a = assess(date(2026, 6, 17), SCT)
    assert early_release_window(a) == (date(2026, 6, 12), date(2026, 6, 16))
    assert is_in_window(a, date(2026, 6, 12))
    assert is_in_window(a, date(2026, 6, 16))
    assert not is_in_window(a, date(2026, 6, 15))
    assert not is_in_window(a, date(2026, 6, 13))
    assert not is_in_window(a, date(2026, 6, 17))


def test_no_window_without_a_scheme() -> None:
    a = assess(date(2025, 10, 17), EW, sentence="indeterminate")
    assert early_release_window(a) is None
    assert not is_in_window(a, date(2025, 10, 16))


def test_to_json_has_exactly_the_contract_fields() -> None:
    assert assess(date(2025, 10, 19), "england-and-wales").to_json() == {
        "requested_date": "2025-10-19",
        "nation": "england-and-wales",
        "release_date": "2025-10-17",
        "moved": True,
        "flagged": True,
        "flag_reason": "friday",
        "scheme": "day-of-release-2023",
        "presumptive_date": "2025-10-16",
        "earliest_date": "2025-10-15",
        "ineligible_reason": None,
        "rules": ["R1", "R2", "R3", "R4", "R5", "R6", "R7"],
    }


def test_string_and_enum_nations_give_equal_assessments() -> None:
    assert assess(date(2025, 4, 18), "scotland") == assess(date(2025, 4, 18), SCT)
    assert assess(date(2025, 4, 18), "scotland").nation is SCT


def test_assess_many_matches_assess() -> None:
    pairs: list[tuple[date, Nation | str]] = [
        (date(2025, 10, 17), EW),
        (date(2026, 6, 15), "scotland"),
        (date(2025, 3, 17), NI),
    ]
    assert assess_many(pairs) == [assess(d, n) for d, n in pairs]


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        ((datetime(2025, 10, 17, 9), EW), {}, TypeError),
        ((date(2025, 10, 17), "wales"), {}, ValueError),
        ((date(2025, 10, 17), EW), {"sentence": "life"}, ValueError),
        ((date(2025, 10, 17), EW), {"term_days": 0}, ValueError),
        ((date(2025, 10, 17), EW), {"served_days": -1}, ValueError),
    ],
    ids=["datetime", "unknown-nation", "unknown-sentence", "zero-term", "negative-served"],
)
def test_bad_arguments_are_refused(
    args: tuple[object, ...], kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        assess(*args, **kwargs)  # type: ignore[arg-type]


def test_assessments_are_immutable() -> None:
    a: ReleaseAssessment = assess(date(2025, 10, 17), EW)
    with pytest.raises(AttributeError):
        a.release_date = date(2025, 10, 16)  # type: ignore[misc]
