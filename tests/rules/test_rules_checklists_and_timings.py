"""Checklist items, stage timings and the rule catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from rules import (
    CHECKLIST_TEMPLATES,
    CORE_KEYS,
    NO_ACCOMMODATION_WARNING_DAYS,
    PRE_RELEASE_OPENS_DAYS,
    RESETTLEMENT_PLANNING_OPENS_DAYS,
    RULES,
    ChecklistCategory,
    Need,
    checklist_for,
    configure_commencement,
    decision_deadline,
)
from rules.nations import Nation
from rules.timings import TIMING_RULES

NECESSITY_KEYS = {
    "mobile_phone",
    "toiletries",
    "food_for_the_day",
    "travel_pass",
    "medication_and_script",
}


def test_core_keys_are_the_five_core_items() -> None:
    assert {
        "id_documents",
        "bank_account",
        "gp_registration",
        "accommodation",
        "universal_credit",
    } == CORE_KEYS


def test_template_keys_are_unique_and_every_rule_id_is_catalogued() -> None:
    keys = [t.key for t in CHECKLIST_TEMPLATES]
    assert len(keys) == len(set(keys))
    for t in CHECKLIST_TEMPLATES:
        assert t.rule_id in RULES, t.key
        assert t.source and t.hint
        assert t.due_days_before >= 0


def test_everyone_gets_core_and_necessity_items_only() -> None:
    keys = {item.key for item in checklist_for([], date(2026, 3, 31))}
    assert keys == CORE_KEYS | NECESSITY_KEYS


@pytest.mark.parametrize(
    ("needs", "extra"),
    [
        ([Need.WOMAN], {"women_centre_referral", "childcare_and_family_contact"}),
        (["older_person"], {"mobility_and_health_check", "pension_credit_check"}),
        ([Need.LEARNING_DISABILITY], {"easy_read_plan", "appointment_support_worker"}),
        (["autism_or_adhd"], {"easy_read_plan", "appointment_support_worker"}),
        ([Need.CARE_LEAVER], {"leaving_care_team_contact"}),
        ([Need.SHORT_SENTENCE], {"keep_tenancy"}),
        ([Need.ON_REMAND], {"remand_release_pack"}),
        (
            [Need.WOMAN, Need.CARE_LEAVER],
            {"women_centre_referral", "childcare_and_family_contact", "leaving_care_team_contact"},
        ),
    ],
    ids=[
        "woman",
        "older-person",
        "learning-disability",
        "autism-or-adhd-shares-the-same-items",
        "care-leaver",
        "short-sentence-keeps-tenancy",
        "on-remand",
        "any-of-several-needs",
    ],
)
def test_personal_items_follow_needs(needs: list[Need | str], extra: set[str]) -> None:
    items = checklist_for(needs, date(2026, 3, 31))
    personal = {i.key for i in items if i.category is ChecklistCategory.PERSONAL}
    assert personal == extra


def test_due_dates_count_back_from_walk_out() -> None:
    # Walk-out Tuesday 31 March 2026: 84 days back is Tuesday 6 January, 7 days back 24 March.
    items = {i.key: i for i in checklist_for([], date(2026, 3, 31))}
    assert items["accommodation"].due_date == date(2026, 1, 6)
    assert items["universal_credit"].due_date == date(2026, 3, 24)


def test_late_items_are_due_today_not_in_the_past() -> None:
    items = {i.key: i for i in checklist_for([], date(2026, 3, 31), today=date(2026, 3, 1))}
    assert items["accommodation"].due_date == date(2026, 3, 1)
    assert items["id_documents"].due_date == date(2026, 3, 1)
    assert items["universal_credit"].due_date == date(2026, 3, 24)


def test_items_without_a_walk_out_date_have_no_due_date() -> None:
    items = checklist_for(["woman"], None)
    assert items and all(i.due_date is None for i in items)


def test_items_come_earliest_due_first() -> None:
    items = checklist_for(list(Need), date(2026, 3, 31))
    dues = [i.due_date for i in items]
    assert dues == sorted(dues)  # type: ignore[type-var]
    assert items[0].key == "accommodation"


def test_unknown_need_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown need"):
        checklist_for(["pirate"], date(2026, 3, 31))


def test_timing_constants_and_their_rules() -> None:
    assert RESETTLEMENT_PLANNING_OPENS_DAYS == 84
    assert PRE_RELEASE_OPENS_DAYS == 14
    assert NO_ACCOMMODATION_WARNING_DAYS == 14
    assert all(rule_id in RULES for rule_id in TIMING_RULES.values())


@pytest.mark.parametrize(
    ("release", "nation", "working_days", "expected"),
    [
        (date(2025, 10, 17), Nation.ENGLAND_AND_WALES, 5, date(2025, 10, 10)),
        (date(2025, 10, 19), Nation.ENGLAND_AND_WALES, 5, date(2025, 10, 10)),
        (date(2025, 4, 22), Nation.ENGLAND_AND_WALES, 5, date(2025, 4, 11)),
        (date(2025, 4, 22), Nation.SCOTLAND, 5, date(2025, 4, 14)),
        (date(2025, 10, 17), "england-and-wales", 2, date(2025, 10, 15)),
    ],
    ids=[
        "friday-back-a-week",
        "sunday-counts-from-the-friday-it-moves-to",
        "easter-2025-skips-good-friday-and-easter-monday",
        "scotland-works-easter-monday",
        "custom-working-days",
    ],
)
def test_decision_deadline(
    release: date, nation: Nation | str, working_days: int, expected: date
) -> None:
    # Easter 2025 in England and Wales: back from Tue 22 April -> Thu 17, Wed 16, Tue 15,
    # Mon 14, Fri 11. Scotland works Easter Monday: Mon 21, Thu 17, Wed 16, Tue 15, Mon 14.
    assert decision_deadline(release, nation, working_days) == expected


def test_every_rule_has_a_source_and_its_own_id() -> None:
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule.summary and rule.source
    for rule_id in ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "SCT-S26C", "SCT-2023-S8"):
        assert rule_id in RULES
    assert RULES["R5"].commences == date(2023, 12, 12)
    assert RULES["SCT-2023-S8"].commences is None


def test_configure_commencement_changes_data_and_refuses_unknown_rules() -> None:
    changed = configure_commencement("SCT-2023-S8", date(2027, 4, 1))
    try:
        assert RULES["SCT-2023-S8"] is changed
        assert changed.commences == date(2027, 4, 1)
    finally:
        configure_commencement("SCT-2023-S8", None)
    with pytest.raises(KeyError):
        configure_commencement("R99", date(2027, 4, 1))
