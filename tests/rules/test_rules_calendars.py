"""Working-day calendars per nation, and GOV.UK's bank-holidays.json as the authoritative list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import holidays
import pytest

from rules import assess
from rules.calendars import (
    CalendarRangeError,
    GovukFormatError,
    add_working_days,
    bank_holidays,
    compare_with_govuk,
    is_working_day,
    parse_govuk_bank_holidays,
    previous_working_day,
    removals_for,
    use_govuk_bank_holidays,
    use_package_holidays,
)
from rules.nations import Nation

EW = Nation.ENGLAND_AND_WALES
SCT = Nation.SCOTLAND
NI = Nation.NORTHERN_IRELAND


@pytest.fixture
def restore_package_calendar() -> Iterator[None]:
    yield
    use_package_holidays()


def test_england_and_wales_share_one_list_in_the_holidays_package() -> None:
    years = range(1990, 2061)
    england = holidays.country_holidays("GB", subdiv="ENG", years=years)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=years)
    assert set(england.items()) == set(wales.items())


@pytest.mark.parametrize(
    ("day", "nation", "working"),
    [
        (date(2020, 12, 25), EW, False),
        (date(2020, 12, 28), EW, False),
        (date(2020, 12, 29), EW, True),
        (date(2021, 12, 24), EW, True),
        (date(2021, 12, 27), EW, False),
        (date(2021, 12, 28), EW, False),
        (date(2022, 12, 26), EW, False),
        (date(2022, 12, 27), EW, False),
        (date(2023, 1, 2), EW, False),
        (date(2022, 6, 2), EW, False),
        (date(2022, 6, 3), EW, False),
        (date(2022, 9, 19), EW, False),
        (date(2023, 5, 8), EW, False),
        (date(2025, 4, 18), EW, False),
        (date(2025, 4, 21), EW, False),
        (date(2025, 4, 21), SCT, True),
        (date(2025, 1, 2), SCT, False),
        (date(2025, 1, 2), EW, True),
        (date(2025, 8, 4), SCT, False),
        (date(2025, 8, 25), SCT, True),
        (date(2025, 12, 1), SCT, False),
        (date(2026, 6, 15), SCT, False),
        (date(2026, 6, 15), EW, True),
        (date(2026, 6, 15), NI, True),
        (date(2025, 3, 17), NI, False),
        (date(2025, 3, 17), EW, True),
        (date(2024, 3, 18), NI, False),
        (date(2025, 7, 14), NI, False),
        (date(2025, 7, 14), EW, True),
        (date(2024, 7, 12), NI, False),
        (date(2024, 7, 12), SCT, True),
    ],
    ids=[
        "christmas-2020-friday",
        "boxing-day-2020-substitute-monday",
        "tuesday-after-christmas-2020-works",
        "christmas-eve-2021-friday-works",
        "christmas-2021-saturday-substitute-monday",
        "boxing-day-2021-sunday-substitute-tuesday",
        "boxing-day-2022-monday",
        "christmas-2022-sunday-substitute-tuesday",
        "new-year-2023-sunday-substitute-monday",
        "spring-bank-holiday-moved-to-thursday-2022",
        "platinum-jubilee-2022",
        "queens-state-funeral-2022",
        "coronation-2023",
        "good-friday-2025",
        "easter-monday-2025-england-and-wales",
        "easter-monday-is-not-a-scottish-holiday",
        "2-january-scotland-only",
        "2-january-works-in-england-and-wales",
        "scottish-august-bank-holiday-first-monday",
        "english-august-bank-holiday-works-in-scotland",
        "st-andrews-day-2025-sunday-substitute-monday",
        "scottish-world-cup-holiday-2026",
        "world-cup-holiday-never-counts-for-england-and-wales",
        "world-cup-holiday-never-counts-for-northern-ireland",
        "st-patricks-day-2025-monday-ni",
        "st-patricks-day-never-counts-for-england-and-wales",
        "st-patricks-day-2024-sunday-substitute-monday-ni",
        "twelfth-2025-saturday-substitute-monday-ni",
        "twelfth-substitute-never-counts-for-england-and-wales",
        "twelfth-2024-friday-ni",
        "twelfth-never-counts-for-scotland",
    ],
)
def test_working_days_follow_each_nations_bank_holidays(
    day: date, nation: Nation, working: bool
) -> None:
    assert is_working_day(day, nation) is working


def test_weekend_dated_holidays_are_left_out_and_substitutes_kept() -> None:
    # Christmas 2021 fell on a Saturday and Boxing Day on a Sunday; the holidays that close
    # offices are the substitute days 27 and 28 December.
    december = {d for d in bank_holidays(EW, 2021) if d.month == 12}
    assert december == {date(2021, 12, 27), date(2021, 12, 28)}


def test_nation_may_be_given_as_its_govuk_division_name() -> None:
    assert is_working_day(date(2026, 6, 15), "scotland") is False
    with pytest.raises(ValueError, match="unknown nation"):
        is_working_day(date(2026, 6, 15), "wales")


@pytest.mark.parametrize(
    ("start", "n", "nation", "expected"),
    [
        (date(2021, 12, 24), 1, EW, date(2021, 12, 29)),
        (date(2021, 12, 29), -1, EW, date(2021, 12, 24)),
        (date(2025, 10, 17), -2, EW, date(2025, 10, 15)),
        (date(2025, 10, 18), 1, EW, date(2025, 10, 20)),
        (date(2025, 10, 18), -1, EW, date(2025, 10, 17)),
        (date(2025, 4, 22), -1, EW, date(2025, 4, 17)),
        (date(2025, 4, 22), -1, SCT, date(2025, 4, 21)),
        (date(2026, 6, 17), -2, SCT, date(2026, 6, 12)),
        (date(2025, 10, 18), 0, EW, date(2025, 10, 18)),
    ],
    ids=[
        "friday-before-christmas-2021-plus-one-skips-two-substitutes",
        "back-over-christmas-2021",
        "two-back-from-a-friday",
        "saturday-plus-one-is-monday",
        "saturday-minus-one-is-friday",
        "back-over-easter-monday-and-good-friday",
        "scotland-works-on-easter-monday",
        "scotland-back-over-world-cup-holiday",
        "zero-is-the-same-day",
    ],
)
def test_add_working_days(start: date, n: int, nation: Nation, expected: date) -> None:
    assert add_working_days(start, n, nation) == expected


def test_previous_working_day_skips_good_friday_and_the_weekend() -> None:
    # Easter Monday 2025 -> Sunday, Saturday, Good Friday are closed -> Thursday 17 April.
    assert previous_working_day(date(2025, 4, 21), EW) == date(2025, 4, 17)


def test_dates_outside_the_precomputed_years_are_refused() -> None:
    with pytest.raises(CalendarRangeError):
        is_working_day(date(1989, 12, 29), EW)
    with pytest.raises(CalendarRangeError):
        add_working_days(date(2060, 12, 29), 5, EW)


def _govuk_file(*events: tuple[str, str], division: str = "england-and-wales") -> dict[str, object]:
    return {
        division: {
            "division": division,
            "events": [
                {"title": title, "date": day, "notes": "", "bunting": True} for title, day in events
            ],
        }
    }


# GOV.UK's england-and-wales list for 2026 with one imagined one-off day added (Thursday 10
# September) and the August bank holiday left out, so each source has a date the other lacks.
_GOVUK_2026 = _govuk_file(
    ("New Year\u2019s Day", "2026-01-01"),
    ("Good Friday", "2026-04-03"),
    ("Easter Monday", "2026-04-06"),
    ("Early May bank holiday", "2026-05-04"),
    ("Spring bank holiday", "2026-05-25"),
    ("Extra bank holiday", "2026-09-10"),
    ("Christmas Day", "2026-12-25"),
    ("Boxing Day", "2026-12-28"),
)


def test_parse_reads_the_govuk_shape() -> None:
    parsed = parse_govuk_bank_holidays(_GOVUK_2026)
    assert list(parsed) == [EW]
    assert parsed[EW][date(2026, 12, 28)] == "Boxing Day"
    assert len(parsed[EW]) == 8


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"wales": {"division": "wales", "events": []}},
        {"scotland": {"division": "scotland"}},
        _govuk_file(("No date", "")),
        _govuk_file(("Bad date", "2026-02-30")),
        {"scotland": {"events": [{"date": "2026-01-01"}]}},
    ],
    ids=[
        "not-an-object",
        "unknown-division",
        "no-events",
        "empty-date",
        "impossible-date",
        "no-title",
    ],
)
def test_parse_refuses_files_not_in_the_govuk_shape(data: object) -> None:
    with pytest.raises(GovukFormatError):
        parse_govuk_bank_holidays(data)  # type: ignore[arg-type]


def test_compare_reports_dates_only_one_source_has() -> None:
    found = compare_with_govuk(parse_govuk_bank_holidays(_GOVUK_2026))
    by_date = {d.date: d for d in found}
    assert set(by_date) == {date(2026, 8, 31), date(2026, 9, 10)}
    assert by_date[date(2026, 9, 10)].only_in == "govuk"
    assert by_date[date(2026, 9, 10)].govuk_title == "Extra bank holiday"
    assert by_date[date(2026, 8, 31)].only_in == "holidays"
    assert by_date[date(2026, 8, 31)].holidays_title == "Late Summer Bank Holiday"
    assert all(d.nation is EW for d in found)


def test_govuk_list_is_merged_with_the_package_for_the_years_it_covers(
    restore_package_calendar: None,
) -> None:
    # Wednesday 9 September 2026 is an ordinary day until GOV.UK lists Thursday 10 as a holiday;
    # the assessment cache must not keep the old answer.
    before = assess(date(2026, 9, 9), EW)
    assert before.flagged is False
    use_govuk_bank_holidays(parse_govuk_bank_holidays(_GOVUK_2026))
    assert is_working_day(date(2026, 9, 10), EW) is False
    # The file lacks the August bank holiday: merged, the package's day stays a holiday.
    assert is_working_day(date(2026, 8, 31), EW) is False
    after = assess(date(2026, 9, 9), EW)
    assert after.flagged is True
    assert after.flag_reason == "day_before_bank_holiday"
    # Years GOV.UK does not cover keep the holidays package's list.
    assert is_working_day(date(2027, 8, 30), EW) is False
    # Other nations are untouched by an england-and-wales-only file.
    assert is_working_day(date(2026, 6, 15), SCT) is False


def test_a_package_holiday_goes_only_when_removed_explicitly(
    restore_package_calendar: None,
) -> None:
    parsed = parse_govuk_bank_holidays(_GOVUK_2026)
    use_govuk_bank_holidays(parsed, removals_for(compare_with_govuk(parsed)))
    assert is_working_day(date(2026, 8, 31), EW) is True
    assert is_working_day(date(2026, 9, 10), EW) is False
    # Only the disagreeing day goes: the rest of the package's 2026 list stays.
    assert is_working_day(date(2026, 5, 25), EW) is False


def test_use_package_holidays_undoes_govuk(restore_package_calendar: None) -> None:
    use_govuk_bank_holidays(parse_govuk_bank_holidays(_GOVUK_2026))
    use_package_holidays()
    assert is_working_day(date(2026, 9, 10), EW) is True
    assert is_working_day(date(2026, 8, 31), EW) is False
