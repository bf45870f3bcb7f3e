"""UK phone numbers (PHONE-UK) with Ofcom's drama numbers and the library's own examples:
stored in E.164, shown in national format, refused when no one could call them."""

from __future__ import annotations

import phonenumbers
import pytest

from rules import phone_numbers
from rules.phone_numbers import NotAPhoneNumber


@pytest.mark.parametrize(
    ("typed", "e164", "national", "why"),
    [
        ("020 7946 0123", "+442079460123", "020 7946 0123", "Ofcom drama range, London"),
        ("02079460999", "+442079460999", "020 7946 0999", "no spaces, top of the range"),
        ("07700 900123", "+447700900123", "07700 900123", "Ofcom drama range, mobile"),
        ("+44 7700 900456", "+447700900456", "07700 900456", "international form"),
        ("+44 (0)113 496 0000", "+441134960000", "0113 496 0000", "the (0) people write"),
        ("0113-496-0999", "+441134960999", "0113 496 0999", "dashes"),
        ("0800 123 4567", "+448001234567", "0800 123 4567", "freephone"),
        ("116 123", "116123", "116 123", "Samaritans' short code"),
        ("111", "111", "111", "NHS 111"),
    ],
)
def test_uk_numbers_are_stored_in_e164_and_shown_in_national_format(
    typed: str, e164: str, national: str, why: str
) -> None:
    number = phone_numbers.parse(typed)
    assert (number.e164, number.national, number.tel) == (e164, national, f"tel:{e164}")
    # What is stored reads back the same way.
    assert phone_numbers.parse(number.e164) == number


def test_the_librarys_own_uk_examples_are_accepted() -> None:
    for kind in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
    ):
        example = phonenumbers.example_number_for_type("GB", kind)
        assert example is not None
        typed = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
        assert phone_numbers.parse(typed).e164 == phonenumbers.format_number(
            example, phonenumbers.PhoneNumberFormat.E164
        )


@pytest.mark.parametrize(
    ("typed", "says", "why"),
    [
        ("call me", "digits only", "words"),
        ("0800 CALL NOW", "digits only", "a vanity number the library would read as digits"),
        ("123", "full UK phone number", "the speaking clock's short code, not a helpline"),
        ("0800", "full UK phone number", "a prefix"),
        ("01632 96012", "full UK phone number", "a digit short"),
        ("07700 9001234", "full UK phone number", "a digit long"),
        ("+1 202 555 0143", "UK phone number", "not a UK number"),
        ("", "Enter a phone number", "nothing"),
        ("+", "full UK phone number", "a lone plus"),
    ],
)
def test_text_that_no_one_could_call_is_refused_with_what_to_enter(
    typed: str, says: str, why: str
) -> None:
    with pytest.raises(NotAPhoneNumber) as refused:
        phone_numbers.parse(typed)
    assert says in str(refused.value)
    assert "020 7946 0123" in str(refused.value)
    assert not phone_numbers.is_callable(typed)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [("07700 900123", "+447700900123"), ("+44 (0)7700-900456", "+447700900456")],
)
def test_a_uk_mobile_is_stored_in_e164(typed: str, e164: str) -> None:
    assert phone_numbers.parse_mobile(typed).e164 == e164


@pytest.mark.parametrize(
    "typed", ["020 7946 0123", "116 123", "0800 123 4567", "+33 6 12 34 56 78", "07700 9001", ""]
)
def test_a_landline_helpline_foreign_or_short_number_cannot_take_a_text(typed: str) -> None:
    with pytest.raises(phone_numbers.NotAPhoneNumber, match="mobile"):
        phone_numbers.parse_mobile(typed)
