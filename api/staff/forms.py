"""Form input and the errors a page shows about it (GOV.UK error summary and field messages).

Services say what went wrong in the officer's words; this module only decides where on the
page each message goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData, ImmutableMultiDict

from resettlement import clock
from resettlement.errors import (
    DomainError,
    GuardRefused,
    InvalidInput,
    Unavailable,
    VersionConflict,
)
from rules.entered_dates import DateNotValid, typed_date

# A posted form or a query string: both are read the same way.
Submitted = ImmutableMultiDict[str, Any]

STALE = (
    "Someone else changed this plan since you opened the page, so your change was not saved. "
    "Check the plan as it is now and make your change again."
)
STALE_REQUEST = (
    "Someone else changed this early-release request since you opened the page, so your "
    "change was not saved. Check it as it is now and try again."
)


@dataclass
class Errors:
    """Messages for the error summary, each linked to the field it is about."""

    items: list[tuple[str, str]] = field(default_factory=list)
    by_field: dict[str, str] = field(default_factory=dict)
    stale: bool = False

    def add(self, message: str, field_id: str) -> None:
        self.items.append((message, field_id))
        self.by_field.setdefault(field_id, message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def on_page(self, ids: Mapping[str, str] | None = None) -> Errors:
        """The same errors linked to the page's own field ids: a domain field name is the
        page's id with hyphens (`check_question` is `check-question`) unless `ids` says
        otherwise."""
        shown = Errors(stale=self.stale)
        for message, field_id in self.items:
            shown.add(message, (ids or {}).get(field_id, field_id.replace("_", "-")))
        return shown

    def summary(self) -> list[dict[str, str]]:
        return [{"text": text, "href": f"#{field_id}"} for text, field_id in self.items]

    def message(self, field_id: str) -> dict[str, str] | None:
        """For a component's errorMessage option."""
        text = self.by_field.get(field_id)
        return {"text": text} if text else None


def from_domain(error: DomainError, *, default_field: str, stale: str = STALE) -> Errors:
    if isinstance(error, Unavailable) and error.database_lost:
        # Not something the form can mend, and the page could not be drawn again without the
        # database: it goes on to the "briefly unavailable" page (503, Retry-After).
        raise error
    errors = Errors()
    if isinstance(error, VersionConflict):
        errors.stale = True
        errors.add(stale, default_field)
    elif isinstance(error, GuardRefused):
        for unmet in error.unmet:
            errors.add(unmet.message, default_field)
    elif isinstance(error, InvalidInput):
        errors.add(error.detail, error.field or default_field)
    else:
        errors.add(error.detail, default_field)
    return errors


# Pydantic's wording is for developers; these are for people.
_PLAIN = {
    "missing": "Enter {label}",
    "string_type": "Enter {label}",
    "string_too_short": "Enter {label}",
    "string_too_long": "{Label} is too long",
    "enum": "Select {label}",
    "literal_error": "Select {label}",
    "datetime_from_date_parsing": "Enter {label} as a real date and time",
}


def from_validation(
    error: ValidationError, labels: Mapping[str, str], field_ids: Mapping[str, str] | None = None
) -> Errors:
    errors = Errors()
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        label = labels.get(name, name.replace("_", " "))
        template = _PLAIN.get(problem["type"])
        if template:
            text = template.format(label=label, Label=label[:1].upper() + label[1:])
        else:
            text = (
                f"{label[:1].upper() + label[1:]}: {problem['msg'].removeprefix('Value error, ')}"
            )
        errors.add(text, (field_ids or {}).get(name, name.replace("_", "-")))
    return errors


def text(form: Submitted, name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def values(form: Submitted, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


def version(form: Submitted) -> int:
    """The expected version the form was rendered with; nonsense counts as stale."""
    try:
        return max(0, int(text(form, "expected_version") or "0"))
    except ValueError:
        return 0


def day(form: Submitted, prefix: str) -> date | None:
    """A GOV.UK date input: prefix-day, prefix-month, prefix-year."""
    return day_or_problem(form, prefix)[0]


def day_or_problem(form: Submitted, prefix: str) -> tuple[date | None, str | None]:
    """A GOV.UK date input's date, or what to fix (a two-digit year is refused, not guessed)."""
    parts = [text(form, f"{prefix}-{p}") or "" for p in ("day", "month", "year")]
    try:
        return typed_date(*parts, today=clock.today()), None
    except DateNotValid as invalid:
        return None, str(invalid)


def london_time(on: date, hhmm: str | None) -> datetime | None:
    """A UK wall-clock time on a day, as an aware datetime (Europe/London)."""
    if not hhmm:
        return None
    cleaned = hhmm.replace(".", ":").strip().lower()
    hours, _, minutes = cleaned.partition(":")
    try:
        # "9:00" as well as "09:00": people do not type the leading zero.
        parsed = time(int(hours), int(minutes or "0"))
    except ValueError:
        return None
    if minutes and len(minutes) != 2:
        return None
    return datetime.combine(on, parsed, tzinfo=clock.LONDON)


def kept(form: FormData | None) -> dict[str, Any]:
    """What the person typed, to put back in the form after an error (never the CSRF token)."""
    if form is None:
        return {}
    out: dict[str, Any] = {}
    for key in form:
        if key in ("csrf_token", "expected_version"):
            continue
        many = values(form, key)
        out[key] = many if len(many) > 1 else (many[0] if many else "")
    return out
