"""The three UK jurisdictions with their own prison release law and bank holidays."""

from __future__ import annotations

from enum import StrEnum


class Nation(StrEnum):
    # Values match the division keys of GOV.UK's bank-holidays.json.
    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


def parse_nation(value: Nation | str) -> Nation:
    """Return the Nation for a value such as "scotland", or raise ValueError naming the choices."""
    try:
        return Nation(value)
    except ValueError:
        choices = ", ".join(n.value for n in Nation)
        raise ValueError(f"unknown nation {value!r}; expected one of: {choices}") from None
