"""Resettlement checklist items as data: what is done, by whom, and how long before walk-out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class ChecklistCategory(StrEnum):
    CORE = "core"
    NECESSITY = "necessity"
    PERSONAL = "personal"


class Owner(StrEnum):
    PRISON = "prison"
    PROBATION = "probation"
    PARTNER = "partner"


class Need(StrEnum):
    WOMAN = "woman"
    OLDER_PERSON = "older_person"
    LEARNING_DISABILITY = "learning_disability"
    AUTISM_OR_ADHD = "autism_or_adhd"
    CARE_LEAVER = "care_leaver"
    ON_REMAND = "on_remand"
    # Serving a sentence of under 12 months.
    SHORT_SENTENCE = "short_sentence"


@dataclass(frozen=True)
class ChecklistTemplate:
    key: str
    title: str
    category: ChecklistCategory
    owner: Owner
    partner: str | None
    due_days_before: int
    # None = everyone; otherwise the item applies to a person with any of these needs.
    applies_to: frozenset[Need] | None
    rule_id: str
    source: str
    hint: str


@dataclass(frozen=True)
class ChecklistItemSpec:
    key: str
    title: str
    category: ChecklistCategory
    owner: Owner
    partner: str | None
    due_date: date | None
    rule_id: str
    hint: str


_PRRPF = "HMPPS Pre-Release and Resettlement Policy Framework"
_NEURODIVERSE = frozenset({Need.LEARNING_DISABILITY, Need.AUTISM_OR_ADHD})

CHECKLIST_TEMPLATES: tuple[ChecklistTemplate, ...] = (
    # CORE: the five things every prison leaver needs on day one.
    ChecklistTemplate(
        key="accommodation",
        title="Refer to the local council for accommodation",
        category=ChecklistCategory.CORE,
        owner=Owner.PROBATION,
        partner="Local housing authority",
        # Months ahead: councils need time to assess and find somewhere.
        due_days_before=84,
        applies_to=None,
        rule_id="CL-ACCOMMODATION",
        source="Homelessness Reduction Act 2017 s.213B duty to refer",
        hint="Done when the council has accepted the referral and an address or a housing "
        "appointment for release day is recorded.",
    ),
    ChecklistTemplate(
        key="id_documents",
        title="Get proof of identity",
        category=ChecklistCategory.CORE,
        owner=Owner.PRISON,
        partner=None,
        # Birth certificates and provisional licences take weeks to arrive.
        due_days_before=56,
        applies_to=None,
        rule_id="CL-CORE",
        source=_PRRPF,
        hint="Done when an accepted ID document (passport, driving licence or birth certificate) "
        "is in the person's property for release.",
    ),
    ChecklistTemplate(
        key="bank_account",
        title="Open a bank account",
        category=ChecklistCategory.CORE,
        owner=Owner.PRISON,
        partner="Partner bank",
        due_days_before=28,
        applies_to=None,
        rule_id="CL-CORE",
        source=_PRRPF,
        hint="Done when the account is open and the person has the details needed for "
        "benefit payments.",
    ),
    ChecklistTemplate(
        key="gp_registration",
        title="Register with a GP near the release address",
        category=ChecklistCategory.CORE,
        owner=Owner.PRISON,
        partner="GP practice",
        due_days_before=14,
        applies_to=None,
        rule_id="CL-CORE",
        source=_PRRPF,
        hint="Done when a GP practice has confirmed registration from the release date.",
    ),
    ChecklistTemplate(
        key="universal_credit",
        title="Start a Universal Credit advance claim",
        category=ChecklistCategory.CORE,
        owner=Owner.PRISON,
        partner="Jobcentre Plus",
        due_days_before=7,
        applies_to=None,
        rule_id="CL-UNIVERSAL-CREDIT",
        source=f"{_PRRPF}; DWP prison leaver advance claims",
        hint="Done when the claim is started and a Jobcentre appointment is booked for the first "
        "working day after release.",
    ),
    # NECESSITY: what the person leaves with on the day.
    ChecklistTemplate(
        key="mobile_phone",
        title="Mobile phone with credit",
        category=ChecklistCategory.NECESSITY,
        owner=Owner.PRISON,
        partner=None,
        due_days_before=3,
        applies_to=None,
        rule_id="CL-NECESSITY",
        source=_PRRPF,
        hint="Done when a charged phone with credit and the key numbers saved is in the "
        "person's property.",
    ),
    ChecklistTemplate(
        key="toiletries",
        title="Toiletries",
        category=ChecklistCategory.NECESSITY,
        owner=Owner.PRISON,
        partner=None,
        due_days_before=2,
        applies_to=None,
        rule_id="CL-NECESSITY",
        source=_PRRPF,
        hint="Done when a basic toiletries pack is ready to go out with the person.",
    ),
    ChecklistTemplate(
        key="food_for_the_day",
        title="Food for the day of release",
        category=ChecklistCategory.NECESSITY,
        owner=Owner.PRISON,
        partner=None,
        due_days_before=1,
        applies_to=None,
        rule_id="CL-NECESSITY",
        source=_PRRPF,
        hint="Done when food or a voucher for the day is ready.",
    ),
    ChecklistTemplate(
        key="travel_pass",
        title="Travel to the release address and first appointments",
        category=ChecklistCategory.NECESSITY,
        owner=Owner.PRISON,
        partner=None,
        due_days_before=3,
        applies_to=None,
        rule_id="CL-NECESSITY",
        source=_PRRPF,
        hint="Done when tickets or a travel warrant cover the journey home and to the first "
        "probation appointment.",
    ),
    ChecklistTemplate(
        key="medication_and_script",
        title="Medication and a prescription",
        category=ChecklistCategory.NECESSITY,
        owner=Owner.PRISON,
        partner="Healthcare",
        due_days_before=3,
        applies_to=None,
        rule_id="CL-NECESSITY",
        source=_PRRPF,
        hint="Done when at least 7 days of medication and a prescription (or a pharmacy "
        "arrangement) go out with the person.",
    ),
    # PERSONAL: items for particular needs.
    ChecklistTemplate(
        key="women_centre_referral",
        title="Refer to a women's centre",
        category=ChecklistCategory.PERSONAL,
        owner=Owner.PROBATION,
        partner="Women's centre",
        due_days_before=28,
        applies_to=frozenset({Need.WOMAN}),
        rule_id="CL-WOMEN",
        source="Female Offender Strategy Delivery Plan 2022-25",
        hint="Done when the centre has accepted the referral and a first visit is booked.",
    ),
    ChecklistTemplate(
        key="childcare_and_family_contact",
        title="Plan childcare and family contact",
        category=ChecklistCategory.PERSONAL,
        owner=Owner.PROBATION,
        partner="Children's services",
        due_days_before=28,
        applies_to=frozenset({Need.WOMAN}),
        rule_id="CL-WOMEN",
        source="Female Offender Strategy Delivery Plan 2022-25",
        hint="Done when contact arrangements with children and family for the first week are "
        "agreed and written down.",
    ),
    ChecklistTemplate(
        key="mobility_and_health_check",
        title="Mobility and health check",
        category=ChecklistCategory.PERSONAL,
        owner=Owner.PRISON,
        partner="Healthcare",
        due_days_before=28,
        applies_to=frozenset({Need.OLDER_PERSON}),
        rule_id="CL-OLDER-PERSON",
        source=f"{_PRRPF}; HMPPS Older Prisoners Policy Framework",
        hint="Done when mobility aids and care needs are known and the accommodation can meet "
        "them.",
    ),
    ChecklistTemplate(
        key="pension_credit_check",
        title="Check State Pension and Pension Credit",
        category=ChecklistCategory.PERSONAL,
        owner=Owner.PRISON,
        partner="Pension Service",
        due_days_before=28,
        applies_to=frozenset({Need.OLDER_PERSON}),
        rule_id="CL-OLDER-PERSON",
        source=f"{_PRRPF}; HMPPS Older Prisoners Policy Framework",
        hint="Done when pension payments restart on release and a Pension Credit claim is made "
        "if eligible.",
    ),
    ChecklistTemplate(
        key="easy_read_plan",
        title="Easy-read release plan",
        category=ChecklistCategory.PERSONAL,
        owner=Owner.PROBATION,
        partner=None,
        due_days_before=14,
        applies_to=_NEURODIVERSE,
        rule_id="CL-NEURODIVERSITY",
        source=f"{_PRRPF}; Equality Act 2010 s.20",
        hint="Done when the person has an easy-read plan of where to go and when, and has been "
        "talked through it.",
    ),
    ChecklistTemplate(
        key="appointment_support_worker",
        title="Support worker for first appointments",
        category=ChecklistCategory.PERSONAL,
        owner=Owner.PARTNER,
        partner="Support provider",
        due_days_before=14,
        applies_to=_NEURODIVERSE,
        rule_id="CL-NEURODIVERSITY",
        source=f"{_PRRPF}; Equality Act 2010 s.20",
        hint="Done when a named worker will meet the person at the gate or the first appointment.",
    ),
    ChecklistTemplate(
        key="leaving_care_team_contact",
        title="Contact the leaving care team",
        category=ChecklistCategory.PERSONAL,
        owner=Owner.PROBATION,
        partner="Local authority leaving care team",
        due_days_before=56,
        applies_to=frozenset({Need.CARE_LEAVER}),
        rule_id="CL-CARE-LEAVER",
        source="Children (Leaving Care) Act 2000",
        hint="Done when the personal adviser knows the release date and has agreed support.",
    ),
    ChecklistTemplate(
        key="keep_tenancy",
        title="Keep the existing tenancy",
        category=ChecklistCategory.PERSONAL,
        owner=Owner.PRISON,
        partner="Local council housing benefit",
        # Housing benefit while away lasts up to 13 weeks, so this is checked soon after
        # sentence; the due date is a backstop.
        due_days_before=84,
        applies_to=frozenset({Need.SHORT_SENTENCE}),
        rule_id="CL-SHORT-SENTENCE",
        source=f"{_PRRPF}; Housing Benefit Regulations 2006 reg.7(16)",
        hint="Done when the landlord and council know and rent is covered while the person is "
        "away.",
    ),
    ChecklistTemplate(
        key="remand_release_pack",
        title="Remand release pack",
        category=ChecklistCategory.PERSONAL,
        owner=Owner.PRISON,
        partner=None,
        # Remand releases often happen from court at no notice, so the pack is kept ready.
        due_days_before=0,
        applies_to=frozenset({Need.ON_REMAND}),
        rule_id="CL-REMAND",
        source=_PRRPF,
        hint="Done when a pack with contacts, travel and a phone number for help is ready to go "
        "with the person.",
    ),
)

CORE_KEYS: frozenset[str] = frozenset(
    t.key for t in CHECKLIST_TEMPLATES if t.category is ChecklistCategory.CORE
)


def _parse_need(value: Need | str) -> Need:
    try:
        return Need(value)
    except ValueError:
        choices = ", ".join(n.value for n in Need)
        raise ValueError(f"unknown need {value!r}; expected one of: {choices}") from None


def checklist_for(
    needs: Iterable[Need | str], walk_out_date: date | None, *, today: date | None = None
) -> list[ChecklistItemSpec]:
    """The checklist items that apply to a person with `needs`, earliest due first.

    Due dates count back from the walk-out date but are never before `today`: an item that is
    already late is due now. Without a walk-out date the items have no due date yet.
    """
    have = {_parse_need(n) for n in needs}
    items: list[tuple[int, int, ChecklistItemSpec]] = []
    for position, t in enumerate(CHECKLIST_TEMPLATES):
        if t.applies_to is not None and not (t.applies_to & have):
            continue
        due: date | None = None
        if walk_out_date is not None:
            due = walk_out_date - timedelta(days=t.due_days_before)
            if today is not None and due < today:
                due = today
        spec = ChecklistItemSpec(
            key=t.key,
            title=t.title,
            category=t.category,
            owner=t.owner,
            partner=t.partner,
            due_date=due,
            rule_id=t.rule_id,
            hint=t.hint,
        )
        items.append((-t.due_days_before, position, spec))
    return [spec for *_, spec in sorted(items, key=lambda item: item[:2])]
