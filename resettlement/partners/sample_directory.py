"""Made-up directories of local services, in Open Referral UK's shape, for the demo and tests.

Every organisation, address and number is fake (faker, seeded; phone numbers in Ofcom's
ranges for drama). Each area gets services open on weekdays only, at weekends, every night,
and around the clock, so "who is open in the first 48 hours" has something to say on a
Friday and over Christmas.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from faker import Faker

from rules.service_needs import LABELS, VOCABULARY, ServiceNeed

WEEKDAYS = (1, 2, 3, 4, 5)
WEEKEND = (6, 7)
EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)


@dataclass(frozen=True)
class SampleService:
    kind: str
    needs: tuple[ServiceNeed, ...]
    days: tuple[int, ...]
    opens: str
    closes: str
    eligibility: str | None = None
    ages: tuple[int, int] | None = None
    out_of_hours: bool = False
    # Closed on Christmas Day, Boxing Day and New Year's Day, as most offices are.
    christmas_closure: bool = True


SERVICES = (
    SampleService(
        "Housing options",
        (ServiceNeed.ACCOMMODATION,),
        WEEKDAYS,
        "09:00",
        "17:00",
        out_of_hours=True,
    ),
    SampleService(
        "Money and benefits advice",
        (ServiceNeed.MONEY, ServiceNeed.BENEFITS),
        WEEKDAYS,
        "09:30",
        "16:30",
    ),
    SampleService(
        "Women's centre",
        (ServiceNeed.WOMENS_SERVICES, ServiceNeed.FAMILY),
        (1, 2, 3, 4),
        "10:00",
        "16:00",
        eligibility="female",
        ages=(18, 120),
    ),
    SampleService(
        "Young people's support",
        (ServiceNeed.EMPLOYMENT, ServiceNeed.CARE_LEAVERS),
        WEEKDAYS,
        "10:00",
        "18:00",
        ages=(18, 25),
    ),
    SampleService(
        "Drug and alcohol service",
        (ServiceNeed.SUBSTANCE_USE, ServiceNeed.HEALTH),
        WEEKDAYS,
        "09:00",
        "17:00",
        out_of_hours=True,
    ),
    SampleService("Food bank", (ServiceNeed.FOOD,), (6,), "10:00", "14:00"),
    SampleService(
        "Weekend drop-in",
        (ServiceNeed.FOOD, ServiceNeed.ACCOMMODATION),
        WEEKEND,
        "11:00",
        "15:00",
    ),
    SampleService(
        "Night shelter",
        (ServiceNeed.ACCOMMODATION,),
        EVERY_DAY,
        "20:00",
        "08:00",
        christmas_closure=False,
    ),
    SampleService(
        "24-hour homelessness line",
        (ServiceNeed.ACCOMMODATION,),
        EVERY_DAY,
        "00:00",
        "00:00",
        christmas_closure=False,
    ),
    SampleService(
        "24-hour listening line",
        (ServiceNeed.MENTAL_HEALTH,),
        EVERY_DAY,
        "00:00",
        "00:00",
        christmas_closure=False,
    ),
)

# Ofcom drama ranges for each area's own dialling code (rules/phone_numbers.DRAMA_RANGES).
AREA_NUMBERS = {
    "Doncaster": "0114 496 0{:03d}",
    "Wrexham": "029 2018 0{:03d}",
    "Guildford": "020 7946 0{:03d}",
    "Glasgow": "0141 496 0{:03d}",
    "Belfast": "028 9649 6{:03d}",
}
KINDS = ("Trust", "Project", "Foundation", "Network")
FREEPHONE = "0808 157 0{:03d}"


def _id(fake: Faker) -> str:
    return str(uuid.UUID(int=fake.random.getrandbits(128), version=4))


def made_up_directory(
    area: str, seed: int, years: tuple[int, ...] = (2026, 2027)
) -> list[dict[str, Any]]:
    """A list of Open Referral UK services for `area`, the same for the same seed."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    pattern = AREA_NUMBERS.get(area, "01632 960{:03d}")
    numbers = iter(fake.random.sample(range(1000), 60))
    services = []
    for sample in SERVICES:
        organisation = {
            "id": _id(fake),
            "name": f"{area} {fake.last_name()} {fake.random.choice(KINDS)}",
            "description": fake.sentence(nb_words=12),
            "url": f"https://{fake.domain_word()}.example.org",
            "email": f"hello@{fake.domain_word()}.example.org",
        }
        location_id = _id(fake)
        sal_id = _id(fake)
        phones = [
            {
                "id": _id(fake),
                "number": (
                    FREEPHONE if sample.opens == sample.closes == "00:00" else pattern
                ).format(next(numbers)),
                "type": "voice",
            }
        ]
        if sample.out_of_hours:
            phones.append(
                {
                    "id": _id(fake),
                    "number": FREEPHONE.format(next(numbers)),
                    "type": "voice",
                    "description": "Out of hours line",
                }
            )
        service: dict[str, Any] = {
            "id": _id(fake),
            "name": f"{sample.kind}, {area}",
            "description": fake.paragraph(nb_sentences=2),
            "url": organisation["url"] + "/" + fake.slug(),
            "email": organisation["email"],
            "status": "active",
            "attending_type": "phone" if sample.opens == sample.closes == "00:00" else "venue",
            "attending_access": "drop-in",
            "organization": organisation,
            "service_taxonomies": [
                {
                    "id": _id(fake),
                    "taxonomy": {
                        "id": need.value,
                        "name": LABELS[need][0],
                        "vocabulary": VOCABULARY,
                    },
                }
                for need in sample.needs
            ],
            "eligibilities": [],
            "service_at_locations": [
                {
                    "id": sal_id,
                    "location": {
                        "id": location_id,
                        "name": f"{sample.kind} ({fake.street_name()})",
                        # Somewhere in Great Britain or Northern Ireland, to six places.
                        "latitude": round(fake.random.uniform(50.0, 58.0), 6),
                        "longitude": round(fake.random.uniform(-6.0, 1.5), 6),
                        "physical_addresses": [
                            {
                                "id": _id(fake),
                                "address_1": fake.street_address().replace("\n", ", "),
                                "city": area,
                                "postal_code": fake.postcode(),
                                "country": "GB",
                            }
                        ],
                    },
                }
            ],
            "contacts": [
                {
                    "id": _id(fake),
                    "name": fake.name(),
                    "title": "Duty worker",
                    "phones": phones,
                }
            ],
            "regular_schedules": [
                {
                    "id": _id(fake),
                    "weekday": day,
                    "opens_at": sample.opens,
                    "closes_at": sample.closes,
                    "service_at_location": {"id": sal_id, "location": {"id": location_id}},
                }
                for day in sample.days
            ],
            "holiday_schedules": [],
        }
        if sample.eligibility or sample.ages:
            low, high = sample.ages or (0, 120)
            service["eligibilities"].append(
                {
                    "id": _id(fake),
                    **({"eligibility": sample.eligibility} if sample.eligibility else {}),
                    "minimum_age": low,
                    "maximum_age": high,
                }
            )
        if sample.christmas_closure:
            for year in years:
                service["holiday_schedules"] += [
                    {
                        "id": _id(fake),
                        "closed": True,
                        "start_date": date(year, 12, 25).isoformat(),
                        "end_date": date(year, 12, 26).isoformat(),
                    },
                    {
                        "id": _id(fake),
                        "closed": True,
                        "start_date": date(year + 1, 1, 1).isoformat(),
                        "end_date": date(year + 1, 1, 1).isoformat(),
                    },
                ]
        services.append(service)
    return services
