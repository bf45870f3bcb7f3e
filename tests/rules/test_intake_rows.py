"""The extract's row checks (rules/intake_rows.py), pure: each problem with its column."""

from __future__ import annotations

from datetime import date

import pytest

from rules.entered_dates import DateNotValid, written_date
from rules.intake_rows import ExtractRow, RowProblem, duplicated, read_row

TODAY = date(2026, 12, 1)
GOOD = {
    "prison_number": "a1234bc",
    "crn": "X123456",
    "given_name": "Sam",
    "family_name": "Jones",
    "date_of_birth": "1990-05-04",
    "nation": "england-and-wales",
    "prison_code": "mdi",
    "sentence_type": "determinate",
    "sentence_date": "2025-06-01",
    "term_days": "900",
    "release_date": "2027-03-10",
    "release_date_type": "crd",
    "needs": "care_leaver; woman",
    "probation_officer": "po-ashworth",
    "extract_timestamp": "2026-11-30T22:00:00+00:00",
}


def test_a_good_row_reads_as_facts_in_the_services_own_forms() -> None:
    row = read_row(GOOD, line=2, today=TODAY)
    assert isinstance(row, ExtractRow)
    assert (row.prison_number, row.prison_code, row.release_date_type) == ("A1234BC", "MDI", "CRD")
    assert row.release_date == date(2027, 3, 10) and row.needs == ("care_leaver", "woman")
    assert not (row.recall or row.remand or row.release_date_withdrawn)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"prison_number": "A123BC"}, "prison_number"),
        ({"crn": ""}, "crn"),
        # why: 29 February exists only in leap years
        ({"date_of_birth": "1991-02-29"}, "date_of_birth"),
        ({"date_of_birth": "2027-01-01"}, "date_of_birth"),
        # why: this year typed as the year of birth makes a baby, not a person in custody
        ({"date_of_birth": "2026-05-04"}, "date_of_birth"),
        ({"date_of_birth": "2016-12-02"}, "date_of_birth"),
        # why: day-first dates are ambiguous and refused, never guessed
        ({"sentence_date": "01/06/2025"}, "sentence_date"),
        ({"sentence_date": "2027-01-01"}, "sentence_date"),
        ({"sentence_date": "1985-01-01"}, "sentence_date"),
        ({"release_date": "2025-01-01"}, "release_date"),
        ({"release_date": "2061-01-01"}, "release_date"),
        ({"release_date_type": ""}, "release_date_type"),
        ({"release_date_type": "XYZ"}, "release_date_type"),
        ({"release_date_withdrawn": "true"}, "release_date_withdrawn"),
        ({"nation": "wales"}, "nation"),
        ({"sentence_type": "life"}, "sentence_type"),
        ({"term_days": "-3"}, "term_days"),
        ({"remand": "true"}, "remand"),
        ({"recall": "perhaps"}, "recall"),
        ({"needs": "housing"}, "needs"),
        ({"probation_officer": ""}, "probation_officer"),
        ({"extract_timestamp": "2026-11-30T22:00:00"}, "extract_timestamp"),
    ],
)
def test_each_problem_names_its_column(changes: dict[str, str], field: str) -> None:
    problems = read_row({**GOOD, **changes}, line=2, today=TODAY)
    assert isinstance(problems, list)
    assert field in [p.field for p in problems]
    assert all(isinstance(p, RowProblem) and p.reason.endswith(".") for p in problems)


def test_every_problem_of_a_row_is_reported_at_once() -> None:
    problems = read_row({**GOOD, "crn": "1", "nation": "x", "remand": "yes"}, line=2, today=TODAY)
    assert isinstance(problems, list)
    assert [p.field for p in problems] == ["crn", "nation", "remand"]


def test_every_row_of_a_duplicated_person_is_refused() -> None:
    found = duplicated([(2, "A1234BC", "X1"), (3, "B1234BC", "X2"), (4, "A1234BC", "X3"),
                        (5, "C1234BC", "X2")])  # fmt: skip
    assert sorted(found) == [2, 3, 4, 5]
    assert "lines 2, 4" in found[2] and "lines 3, 5" in found[3]


@pytest.mark.parametrize("text", ["27-03-10", "2027-3-10", "10/03/2027", "2027-02-30", ""])
def test_written_dates_are_iso_with_four_digit_years(text: str) -> None:
    with pytest.raises(DateNotValid):
        written_date(text, today=TODAY)
    assert written_date(" 2027-03-10 ", today=TODAY) == date(2027, 3, 10)
