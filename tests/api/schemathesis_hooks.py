"""Schemathesis hooks for tests/api/test_schemathesis.py (loaded with SCHEMATHESIS_HOOKS).

Every check a JSON Schema can state is in the published schema. Two rules relate one field to
another in ways JSON Schema cannot express, and whether a phone number is one the UK numbering
plan holds is not a pattern either, so the document states them in words; a case that breaks
one is not "valid data", and it is left out of the positive cases here. A person's mobile must
be a UK mobile as libphonenumber knows them and is stored only with their consent: a positive
case gets a made-up mobile from Ofcom's drama range and consent, so the success path is fuzzed
too. Negative cases are untouched, so the API must still refuse them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import schemathesis
from pydantic import ValidationError

from api.routes.reports import DEFAULT_DAYS, MAX_PERIOD_DAYS
from resettlement import clock
from resettlement.errors import InvalidInput
from resettlement.partners.directory import ServiceDetails
from resettlement.partners.sample_directory import made_up_directory
from resettlement.privacy import consents
from resettlement.reports import month_range
from rules import phone_numbers
from rules.phone_numbers import NotAPhoneNumber, parse_mobile


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _period_broken(query: dict[str, Any]) -> bool:
    """Report periods: the start on or before the end, at most ten years apart."""
    end = _day(query.get("end")) or clock.today()
    start = _day(query.get("start")) or end - timedelta(days=DEFAULT_DAYS)
    return start > end or (end - start).days > MAX_PERIOD_DAYS


def _month(value: Any) -> date | None:
    return _day(f"{value}-01") if isinstance(value, str) else None


def _trend_range_broken(query: dict[str, Any]) -> bool:
    """A trend's months: the first not after the last, at most 36 of them (asked of the
    domain, which the route's description states in words)."""
    try:
        month_range(_month(query.get("from")), _month(query.get("to")), clock.today())
    except InvalidInput:
        return True
    return False


def _release_before_sentence(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    sentence, release = _day(body.get("sentence_date")), _day(body.get("requested_release_date"))
    return sentence is not None and release is not None and release < sentence


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    if generation is None or not generation.mode.is_positive:
        return True
    path = case.operation.path
    if path.startswith("/api/v1/reports/trends"):
        return not _trend_range_broken(case.query or {})
    if path.startswith("/api/v1/reports/"):
        return not _period_broken(case.query or {})
    if path == "/api/v1/plans" and case.method.upper() == "POST":
        return not _release_before_sentence(case.body)
    if _is_service_body(path, case.method) and isinstance(case.body, dict):
        # The rules between a service's fields (ServiceIn's description says them in words).
        try:
            ServiceDetails.model_validate(case.body)
        except ValidationError:
            return False
        return True
    if path.endswith("/consents") and isinstance(case.body, dict):
        return _consent_holds_together(case.body)
    if "/contacts" in path and isinstance(case.body, dict) and "phone" in case.body:
        return phone_numbers.parse_or_none(case.body["phone"]) is not None
    return True


def _consent_holds_together(body: dict[str, Any]) -> bool:
    """The consent record's own rules between fields (who and what only for sharing, an end
    not before today), asked of the domain rather than copied here."""
    given = body.get("with_whom")
    try:
        consents._check(
            consents.ConsentKind(body.get("kind")),
            consents.WithWhom(
                consents.WithWhomType(given["type"]), str(given["id"]), str(given["name"])
            )
            if isinstance(given, dict)
            else None,
            list(body.get("scope") or []),
            _day(body.get("until")),
        )
    except (InvalidInput, ValueError, KeyError, TypeError):
        return False
    return True


def _not_a_mobile(value: Any) -> bool:
    try:
        parse_mobile(value if isinstance(value, str) else "")
    except NotAPhoneNumber:
        return True
    return False


def _is_service_body(path: str, method: str) -> bool:
    return (path == "/api/v1/directories/{directory_id}/services" and method.upper() == "POST") or (
        path == "/api/v1/directory-services/{service_id}" and method.upper() == "PUT"
    )


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    if generation is None or not generation.mode.is_positive:
        return case
    if case.operation.path == "/api/v1/directories/{directory_id}/open-referral" and (
        case.method.upper() == "POST"
    ):
        # A valid Open Referral UK file is more than its JSON shape (ids that agree across
        # records): the success path is fuzzed with a made-up council's file.
        case.body = made_up_directory("Doncaster", 3)
        return case
    body = case.body
    if not (case.operation.path.endswith("/person-mobile") and isinstance(body, dict)):
        return case
    # Without the person's consent nothing is stored (422, as the document says in words).
    body = {**body, "consent": True}
    if _not_a_mobile(body.get("mobile_number")):
        body["mobile_number"] = "07700 900123"
    case.body = body
    return case
