"""UK phone numbers (rule PHONE-UK): parsed and formatted with `phonenumbers` (Google's
libphonenumber metadata), stored in E.164, shown in national format.

A number a prison leaver may have to call on their first day must be one they can dial, so
anything the library does not know as a UK number is refused, with three exceptions kept as
data: the free helpline short codes a plan may list, and Ofcom's ranges reserved for drama,
which the demo data and the tests use so that no real person's number is ever written down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

REGION = "GB"
UK_COUNTRY_CODE = 44

# Characters a typed number may hold besides digits; letters are refused, because the library
# would read "0800 CALL NOW" as a keypad vanity number that the person cannot check.
_TYPED = re.compile(r"^[0-9+()\-.\s]+$")

# Short codes a plan may list as a helpline: name, and how the number is shown.
HELPLINE_SHORT_CODES: dict[str, str] = {
    "111": "111",  # NHS 111
    "101": "101",  # police, not an emergency
    "116123": "116 123",  # Samaritans, free, day or night
}

# Ofcom, "Telephone numbers for use in TV and radio drama programmes": never allocated to
# anyone, so safe for demo data and tests. Ranges as (first, last) national significant numbers.
DRAMA_RANGES: tuple[tuple[str, str], ...] = (
    ("7700900000", "7700900999"),
    ("1134960000", "1134960999"),
    ("1144960000", "1144960999"),
    ("1154960000", "1154960999"),
    ("1164960000", "1164960999"),
    ("1174960000", "1174960999"),
    ("1184960000", "1184960999"),
    ("1214960000", "1214960999"),
    ("1314960000", "1314960999"),
    ("1414960000", "1414960999"),
    ("1514960000", "1514960999"),
    ("1614960000", "1614960999"),
    ("1914980000", "1914980999"),
    ("2079460000", "2079460999"),
    ("2896496000", "2896496999"),
    ("2920180000", "2920180999"),
    ("1632960000", "1632960999"),
    ("8081570000", "8081570999"),
    ("9098790000", "9098790999"),
    ("3069990000", "3069990999"),
)

EXAMPLE = "020 7946 0123 or 07700 900123"


class NotAPhoneNumber(ValueError):
    """Text that is not a UK number someone can call; the message says what to enter."""


@dataclass(frozen=True)
class UkNumber:
    e164: str
    national: str

    @property
    def tel(self) -> str:
        return f"tel:{self.e164}"


def _is_drama(national_number: str) -> bool:
    return any(
        len(first) == len(national_number) and first <= national_number <= last
        for first, last in DRAMA_RANGES
    )


def parse(text: str) -> UkNumber:
    """A UK number from what someone typed or what was stored, or NotAPhoneNumber."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise NotAPhoneNumber("Enter a phone number, like " + EXAMPLE + ".")
    if not _TYPED.match(cleaned):
        raise NotAPhoneNumber(
            "Enter a phone number using digits only, like " + EXAMPLE + ", not words or letters."
        )
    digits = re.sub(r"\D", "", cleaned)
    if not cleaned.startswith("+") and digits in HELPLINE_SHORT_CODES:
        return UkNumber(e164=digits, national=HELPLINE_SHORT_CODES[digits])
    try:
        number = phonenumbers.parse(cleaned, REGION)
    except NumberParseException:
        raise NotAPhoneNumber(
            "Enter a full UK phone number with its area code, like " + EXAMPLE + "."
        ) from None
    if number.country_code != UK_COUNTRY_CODE:
        raise NotAPhoneNumber("Enter a UK phone number, like " + EXAMPLE + ".")
    national_number = str(number.national_number)
    if not (phonenumbers.is_valid_number(number) or _is_drama(national_number)):
        raise NotAPhoneNumber(
            "Enter a full UK phone number with its area code, like " + EXAMPLE + "."
        )
    return UkNumber(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        national=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
    )


def parse_or_none(text: str | None) -> UkNumber | None:
    """For showing a stored number: a number written before numbers were checked is shown as
    it was typed, without a link, rather than hidden."""
    try:
        return parse(text or "")
    except NotAPhoneNumber:
        return None


def is_callable(text: str | None) -> bool:
    return parse_or_none(text) is not None


MOBILE_EXAMPLE = "07700 900123"


def parse_mobile(text: str) -> UkNumber:
    """The person's own UK mobile, for a text message (rule PHONE-UK-MOBILE): a landline,
    a helpline or a number abroad cannot receive the text, so each is refused in words."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise NotAPhoneNumber("Enter their mobile number, like " + MOBILE_EXAMPLE + ".")
    try:
        number = parse(cleaned)
    except NotAPhoneNumber:
        raise NotAPhoneNumber(
            "Enter a UK mobile number, like " + MOBILE_EXAMPLE + " or +44 7700 900123."
        ) from None
    national_number = number.e164.removeprefix("+44")
    parsed = phonenumbers.parse(number.e164, REGION) if number.e164.startswith("+") else None
    mobile = parsed is not None and (
        phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
        or (_is_drama(national_number) and national_number.startswith("7"))
    )
    if not mobile:
        raise NotAPhoneNumber(
            "Enter a UK mobile number starting 07, like "
            + MOBILE_EXAMPLE
            + ": texts cannot be sent to a landline or a helpline."
        )
    return number
