"""What a local service helps with, in the resettlement checklist's own categories.

A directory's services are tagged with these needs; a person's needs come from their
checklist items still to be done and from their own circumstances, so the plan can show the
services nearby that meet them. Open Referral UK carries them as a service taxonomy with the
vocabulary below, so an export says what each service meets in the standard's own terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from rules.checklists import Need

# The taxonomy vocabulary our needs travel under in Open Referral UK files.
VOCABULARY = "resettlement-needs"


class ServiceNeed(StrEnum):
    ACCOMMODATION = "accommodation"
    IDENTITY = "identity"
    MONEY = "money"
    BENEFITS = "benefits"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"
    EMPLOYMENT = "employment"
    FAMILY = "family"
    WOMENS_SERVICES = "womens_services"
    FOOD = "food"
    TRAVEL = "travel"
    CARE_LEAVERS = "care_leavers"
    OLDER_PEOPLE = "older_people"


LABELS: dict[ServiceNeed, tuple[str, str]] = {
    # (English, Welsh)
    ServiceNeed.ACCOMMODATION: ("Somewhere to live", "Rhywle i fyw"),
    ServiceNeed.IDENTITY: ("Proof of identity", "Prawf adnabod"),
    ServiceNeed.MONEY: ("Money and bank accounts", "Arian a chyfrifon banc"),
    ServiceNeed.BENEFITS: ("Benefits", "Budd-daliadau"),
    ServiceNeed.HEALTH: ("Health", "Iechyd"),
    ServiceNeed.MENTAL_HEALTH: ("Mental health", "Iechyd meddwl"),
    ServiceNeed.SUBSTANCE_USE: ("Drugs and alcohol", "Cyffuriau ac alcohol"),
    ServiceNeed.EMPLOYMENT: ("Work and training", "Gwaith a hyfforddiant"),
    ServiceNeed.FAMILY: ("Family and children", "Teulu a phlant"),
    ServiceNeed.WOMENS_SERVICES: ("Women's services", "Gwasanaethau i fenywod"),
    ServiceNeed.FOOD: ("Food", "Bwyd"),
    ServiceNeed.TRAVEL: ("Travel", "Teithio"),
    ServiceNeed.CARE_LEAVERS: ("Care leavers", "Pobl sy'n gadael gofal"),
    ServiceNeed.OLDER_PEOPLE: ("Older people", "Pobl hŷn"),
}

# Each checklist item (rules/checklists.py) and the needs a service must meet to help with it.
CHECKLIST_NEEDS: dict[str, frozenset[ServiceNeed]] = {
    "accommodation": frozenset({ServiceNeed.ACCOMMODATION}),
    "keep_tenancy": frozenset({ServiceNeed.ACCOMMODATION}),
    "id_documents": frozenset({ServiceNeed.IDENTITY}),
    "bank_account": frozenset({ServiceNeed.MONEY}),
    "universal_credit": frozenset({ServiceNeed.BENEFITS, ServiceNeed.MONEY}),
    "pension_credit_check": frozenset({ServiceNeed.BENEFITS, ServiceNeed.OLDER_PEOPLE}),
    "gp_registration": frozenset({ServiceNeed.HEALTH}),
    "medication_and_script": frozenset({ServiceNeed.HEALTH, ServiceNeed.SUBSTANCE_USE}),
    "mobility_and_health_check": frozenset({ServiceNeed.HEALTH, ServiceNeed.OLDER_PEOPLE}),
    "food_for_the_day": frozenset({ServiceNeed.FOOD}),
    "travel_pass": frozenset({ServiceNeed.TRAVEL}),
    "women_centre_referral": frozenset({ServiceNeed.WOMENS_SERVICES}),
    "childcare_and_family_contact": frozenset({ServiceNeed.FAMILY}),
    "leaving_care_team_contact": frozenset({ServiceNeed.CARE_LEAVERS}),
}

# A person's own circumstances that make a kind of service relevant whatever their checklist.
PERSON_NEEDS: dict[Need, frozenset[ServiceNeed]] = {
    Need.WOMAN: frozenset({ServiceNeed.WOMENS_SERVICES}),
    Need.CARE_LEAVER: frozenset({ServiceNeed.CARE_LEAVERS}),
    Need.OLDER_PERSON: frozenset({ServiceNeed.OLDER_PEOPLE}),
}


def label(need: ServiceNeed, language: str = "en") -> str:
    english, welsh = LABELS[need]
    return welsh if language == "cy" else english


def needs_for(
    checklist_keys: Iterable[str], person_needs: Iterable[Need]
) -> frozenset[ServiceNeed]:
    """The kinds of service a person needs, from their open checklist items and circumstances."""
    found: set[ServiceNeed] = set()
    for key in checklist_keys:
        found |= CHECKLIST_NEEDS.get(key, frozenset())
    for need in person_needs:
        found |= PERSON_NEEDS.get(need, frozenset())
    return frozenset(found)
