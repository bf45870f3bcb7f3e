"""Every rule the service applies, as data: an id, a plain-English summary, its source, and when
it commences (None = not in force until configured)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    source: str
    commences: date | None


_HMPPS_PRRPF = "HMPPS Pre-Release and Resettlement Policy Framework"
_DAY_OF_RELEASE_ACT = "Offenders (Day of Release from Detention) Act 2023"
_HMPPS_DAY_OF_RELEASE_PF = (
    "HMPPS Discretionary Friday and Pre-Bank Holiday Release Scheme Policy Framework"
)
_SCOTLAND_1993 = "Prisoners and Criminal Proceedings (Scotland) Act 1993"

_ALL: tuple[Rule, ...] = (
    # England and Wales.
    Rule(
        "R1",
        "A non-working day is a Saturday, a Sunday or an England and Wales bank holiday as "
        "GOV.UK lists them; Scotland-only and Northern Ireland-only holidays do not count.",
        "Banking and Financial Dealings Act 1971 Sch.1 and royal proclamations; GOV.UK "
        "bank-holidays.json (england-and-wales)",
        None,
    ),
    Rule(
        "R2",
        "A release date on a non-working day moves back to the last working day before it; for a "
        "term of 5 days or less Saturday counts as a release day, so a Saturday release stands "
        "and a Sunday or bank-holiday release moves back to the last day that is not a Sunday, "
        "Christmas Day, Good Friday or bank holiday.",
        "Criminal Justice Act 1961 s.23(3)",
        None,
    ),
    Rule(
        "R3",
        "A release is flagged when the next calendar day is a non-working day: 'friday' when the "
        "weekend follows, otherwise 'day_before_bank_holiday'.",
        f"{_HMPPS_DAY_OF_RELEASE_PF}",
        None,
    ),
    Rule(
        "R4",
        "An eligible working day is a working day whose next day is also a working day.",
        f"{_DAY_OF_RELEASE_ACT}, amending Criminal Justice Act 1961 s.23",
        date(2023, 12, 12),
    ),
    Rule(
        "R5",
        "Presumptive date: the latest eligible working day before the release date.",
        f"{_DAY_OF_RELEASE_ACT}; {_HMPPS_DAY_OF_RELEASE_PF}",
        date(2023, 12, 12),
    ),
    Rule(
        "R6",
        "Earliest date: the second eligible working day before the release date; needs a request "
        "from the probation officer and the governor's approval.",
        f"{_DAY_OF_RELEASE_ACT}; {_HMPPS_DAY_OF_RELEASE_PF}",
        date(2023, 12, 12),
    ),
    Rule(
        "R7",
        "Eligible: determinate sentences (including re-release after recall) with at least 28 "
        "days served and a release date on or after 12 December 2023. Not eligible: "
        "indeterminate sentences, Parole Board releases, home detention curfew.",
        f"{_HMPPS_DAY_OF_RELEASE_PF}",
        date(2023, 12, 12),
    ),
    # Scotland.
    Rule(
        "SCT-CAL",
        "A non-working day in Scotland is a Saturday, a Sunday or a Scottish public holiday "
        "(including one-off days such as 15 June 2026 for the FIFA World Cup).",
        f"{_SCOTLAND_1993} s.27(8); GOV.UK bank-holidays.json (scotland)",
        None,
    ),
    Rule(
        "SCT-MOVE",
        "A release date on a Saturday, Sunday or public holiday moves to the last preceding day "
        "that is none of those.",
        f"{_SCOTLAND_1993} s.27(7)",
        None,
    ),
    Rule(
        "SCT-S26C",
        "Release may be brought forward by up to 2 working days on any day, where that helps "
        "reintegration; not for sentences of under 15 days.",
        f"{_SCOTLAND_1993} s.26C, inserted by the Prisoners (Control of Release) (Scotland) Act "
        "2015 (in force 1 February 2016, SSI 2015/409); 'working days' since the Management of "
        "Offenders (Scotland) Act 2019 s.49",
        date(2016, 2, 1),
    ),
    Rule(
        "SCT-2023-S8",
        "No release on a Friday or the day before a public holiday: such a release moves back to "
        "the last working day whose next day is also a working day.",
        "Bail and Release from Custody (Scotland) Act 2023 s.8 (amending the 1993 Act s.27); "
        "off until its commencement date is configured",
        None,
    ),
    # Northern Ireland.
    Rule(
        "NI-CAL",
        "A non-working day in Northern Ireland is a Saturday, a Sunday or a Northern Ireland bank "
        "holiday (17 March, 12 July and their substitute days included).",
        "Banking and Financial Dealings Act 1971 Sch.1 para 3; GOV.UK bank-holidays.json "
        "(northern-ireland)",
        None,
    ),
    Rule(
        "NI-EARLY-RELEASE",
        "Northern Ireland has no Friday or pre-holiday early-release scheme; when one is "
        "configured it is modelled on R4-R7 with the Northern Ireland calendar.",
        "No Northern Ireland scheme in force; configure a commencement date when one is made",
        None,
    ),
    # Timings.
    Rule(
        "T-PLANNING-OPENS",
        "Resettlement planning opens 12 weeks (84 days) before the walk-out date.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "T-PRE-RELEASE-OPENS",
        "The pre-release stage (final checks and the day-of-release plan) opens 14 days before "
        "the walk-out date.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "T-NO-ACCOMMODATION-WARNING",
        "Warn when there is no confirmed accommodation 14 days before the walk-out date.",
        f"{_HMPPS_PRRPF}; Homelessness Reduction Act 2017 s.213B duty to refer",
        None,
    ),
    Rule(
        "T-DECISION-DEADLINE",
        "The governor decides an early-release request at least 5 working days before the "
        "release date.",
        _HMPPS_DAY_OF_RELEASE_PF,
        None,
    ),
    # Checklists.
    Rule(
        "CL-CORE",
        "Every prison leaver gets help with ID, a bank account, GP registration, accommodation "
        "and a Universal Credit claim before release.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "CL-ACCOMMODATION",
        "Refer to the local housing authority well before release so the duty to help applies.",
        "Homelessness Reduction Act 2017 s.213B duty to refer",
        None,
    ),
    Rule(
        "CL-UNIVERSAL-CREDIT",
        "Start a Universal Credit advance claim before release so payment can start on day one.",
        f"{_HMPPS_PRRPF}; DWP prison leaver advance claims",
        None,
    ),
    Rule(
        "CL-NECESSITY",
        "Leave with what is needed for the first day: phone, toiletries, food, travel and "
        "medication with a prescription.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "CL-WOMEN",
        "Women leaving prison are referred to a women's centre and helped with childcare and "
        "family contact.",
        f"Female Offender Strategy Delivery Plan 2022-25; {_HMPPS_PRRPF}",
        None,
    ),
    Rule(
        "CL-OLDER-PERSON",
        "Older prison leavers get a mobility and health check and a Pension Credit check.",
        f"{_HMPPS_PRRPF}; HMPPS Older Prisoners Policy Framework",
        None,
    ),
    Rule(
        "CL-NEURODIVERSITY",
        "People with a learning disability, autism or ADHD get an easy-read plan and support at "
        "appointments.",
        f"{_HMPPS_PRRPF}; Equality Act 2010 s.20 duty to make reasonable adjustments",
        None,
    ),
    Rule(
        "CL-CARE-LEAVER",
        "Care leavers are put in touch with their local authority's leaving care team.",
        "Children (Leaving Care) Act 2000",
        None,
    ),
    Rule(
        "CL-SHORT-SENTENCE",
        "People serving under 12 months are helped to keep their tenancy (housing benefit while "
        "away for up to 13 weeks).",
        f"{_HMPPS_PRRPF}; Housing Benefit Regulations 2006 reg.7(16)",
        None,
    ),
    # Checks before a 48-hour plan is published (rules/plan_checks.py says which block).
    Rule(
        "PC-APPOINTMENT-PAST",
        "An appointment that has already happened cannot be in the plan the person follows.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "PC-APPOINTMENT-BEFORE-WALK-OUT",
        "An appointment before the walk-out date cannot be kept: the person is still in prison.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "PC-APPOINTMENT-AFTER-SPAN",
        "The 48-hour plan covers the walk-out day and the next 2 working days; an appointment "
        "after that is checked, since a mistyped date looks just like it.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "PC-APPOINTMENTS-OVERLAP",
        "Two appointments cannot overlap: each is held for an hour from its start, as the "
        "person's calendar blocks it.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "PC-APPOINTMENTS-TRAVEL",
        "Between appointments in different places the person needs at least 30 minutes to get "
        "from one to the next.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "PC-SERVICE-CLOSED",
        "Jobcentres, GP practices and probation offices are closed on weekends and on the bank "
        "holidays of the person's nation; an appointment on such a day is checked.",
        "DWP, NHS and HMPPS opening hours; GOV.UK bank-holidays.json for the person's nation",
        None,
    ),
    Rule(
        "PC-ARRIVAL-AFTER-APPOINTMENT",
        "When an appointment on the walk-out day is at the accommodation itself, the person must "
        "be able to arrive there before it starts.",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "PC-HEALTH-NO-GP-OR-MEDICATION",
        "Someone with health needs leaves with a GP appointment in the plan or their medication "
        "and a prescription ready.",
        f"{_HMPPS_PRRPF}; NHS England, Reach Out: continuity of care for prison leavers",
        None,
    ),
    Rule(
        "PC-CONTACT-NO-NUMBER",
        "Every contact in the plan has a number someone can call (PHONE-UK).",
        _HMPPS_PRRPF,
        None,
    ),
    Rule(
        "UC-FIRST-PAYMENT",
        "The first Universal Credit payment is due 7 days after the first monthly assessment "
        "period, which starts on the day of release for an advance claim; a payment due on a "
        "weekend or a bank holiday of the person's nation is made on the working day before.",
        "Universal Credit Regulations 2013 reg.21; Universal Credit, PIP, JSA and ESA (Claims and "
        "Payments) Regulations 2013 reg.47; GOV.UK 'Universal Credit: your payments'",
        None,
    ),
    Rule(
        "PHONE-UK",
        "A contact's number is a UK number someone can call (as libphonenumber knows them, a "
        "helpline short code such as 116 123, or Ofcom's drama ranges for made-up data): "
        "stored in E.164, shown in national format; words and fragments are refused.",
        "Ofcom National Telephone Numbering Plan; Ofcom drama numbers; libphonenumber metadata",
        None,
    ),
    Rule(
        "PHONE-UK-MOBILE",
        "A sign-in link is texted only to the person's own UK mobile (a PHONE-UK number that "
        "libphonenumber knows as a mobile, or Ofcom's 07700 900 drama range for made-up data), "
        "recorded with their consent and removed when they withdraw it.",
        "Ofcom National Telephone Numbering Plan; UK GDPR Article 6(1)(a) and 7(3)",
        None,
    ),
    Rule(
        "OH-FIRST-48-HOURS",
        "A service near the release area is shown as open in the 48 hours after walk-out (from "
        "9am on the walk-out day) by its weekly opening times and holiday schedule; a bank "
        "holiday of the area's nation with no holiday schedule closes a service that does not "
        "open every day.",
        "Open Referral UK data standard (regular_schedule, holiday_schedule); GOV.UK "
        "bank-holidays.json; " + _HMPPS_DAY_OF_RELEASE_PF,
        None,
    ),
    Rule(
        "CL-REMAND",
        "People released from remand, often at short notice from court, get a release pack.",
        _HMPPS_PRRPF,
        None,
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}

_listeners: list[Callable[[], None]] = []


def on_change(callback: Callable[[], None]) -> None:
    """Call `callback` whenever a rule changes (modules that cache results clear them)."""
    _listeners.append(callback)


def configure_commencement(rule_id: str, commences: date | None) -> Rule:
    """Bring a rule into force from `commences` (or switch it off with None): a change in law is
    a change of data."""
    try:
        rule = RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule {rule_id!r}") from None
    RULES[rule_id] = changed = replace(rule, commences=commences)
    for callback in _listeners:
        callback()
    return changed


# Rules that are modelled but off until a commencement date is configured; every other rule
# with commences=None has always applied.
NEEDS_COMMENCEMENT: frozenset[str] = frozenset({"SCT-2023-S8", "NI-EARLY-RELEASE"})
