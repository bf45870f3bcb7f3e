"""Opening a plan from the pages: the person, their sentence, the needs that shape the
checklist, and monitoring characteristics held only with their consent, then a
check-your-answers page before anything is saved (through the `open_plan` service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import SessionDep
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import PRISON_NAMES, CheckedForm, PageOfficer
from api.staff.rendering import render
from resettlement import plans
from resettlement.errors import DomainError
from resettlement.models import Disability, EthnicGroup, Language, Religion, Sex
from rules.checklists import Need
from rules.release_dates import SentenceType

router = APIRouter(prefix="/staff", include_in_schema=False)

NEEDS = {
    Need.WOMAN: "A woman (women's centres and services)",
    Need.OLDER_PERSON: "An older person",
    Need.LEARNING_DISABILITY: "A learning disability",
    Need.AUTISM_OR_ADHD: "Autism or ADHD",
    Need.CARE_LEAVER: "A care leaver",
    Need.ON_REMAND: "Released from remand",
}
SENTENCE_TYPES = {
    SentenceType.DETERMINATE: "Determinate",
    SentenceType.INDETERMINATE: "Indeterminate",
    SentenceType.PAROLE: "Release on parole",
    SentenceType.HDC: "Home detention curfew",
}
LANGUAGES = {Language.EN: "English", Language.CY: "Welsh"}
SEXES = {Sex.FEMALE: "Female", Sex.MALE: "Male", Sex.PREFER_NOT_TO_SAY: "Prefer not to say"}
DISABILITIES = {
    Disability.YES: "Yes",
    Disability.NO: "No",
    Disability.PREFER_NOT_TO_SAY: "Prefer not to say",
}
ETHNIC_GROUPS = {g.value: g.value.replace("_", " ").capitalize() for g in EthnicGroup}
RELIGIONS = {r.value: r.value.replace("_", " ").capitalize() for r in Religion}
# Where each field's error goes on the page.
FIELD_IDS = {
    "given_name": "given-name",
    "family_name": "family-name",
    "date_of_birth": "dob-day",
    "prison_number": "prison-number",
    "crn": "crn",
    "prison_code": "prison-code",
    "nation": "nation",
    "sentence_type": "sentence-type",
    "sentence_date": "sentence-day",
    "requested_release_date": "release-day",
    "term_days": "term-days",
    "monitoring_consent": "consent",
}
LABELS = {
    "given_name": "their first name",
    "family_name": "their last name",
    "date_of_birth": "their date of birth",
    "prison_number": "the prison number",
    "crn": "the case reference number (CRN)",
    "prison_code": "the prison",
    "nation": "the nation they are released in",
    "sentence_type": "the kind of sentence",
    "sentence_date": "the sentence date",
    "requested_release_date": "the release date",
    "term_days": "the length of the sentence in days",
}
DATES = {"date_of_birth": "dob", "sentence_date": "sentence", "requested_release_date": "release"}


def _options() -> dict[str, Any]:
    return {
        "prisons": PRISON_NAMES,
        "nations": labels.NATIONS,
        "needs": NEEDS,
        "sentence_types": SENTENCE_TYPES,
        "languages": LANGUAGES,
        "sexes": SEXES,
        "disabilities": DISABILITIES,
        "ethnic_groups": ETHNIC_GROUPS,
        "religions": RELIGIONS,
    }


def _read(form: Any, officer: str) -> tuple[plans.PlanCreate | None, Errors]:
    errors = Errors()
    dates: dict[str, Any] = {}
    for name, prefix in DATES.items():
        typed = any(forms.text(form, f"{prefix}-{p}") for p in ("day", "month", "year"))
        dates[name] = forms.day(form, prefix)
        if dates[name] is None and (typed or name != "requested_release_date"):
            errors.add(
                f"Enter {LABELS[name]} as a real date, for example 27 3 1985.", f"{prefix}-day"
            )
    consent = forms.text(form, "monitoring_consent")
    if consent not in ("yes", "no"):
        errors.add("Say whether they agreed to give monitoring information.", "consent")
    term = forms.text(form, "term_days")
    if term is not None and not term.isdigit():
        errors.add("Enter the length of the sentence as a whole number of days.", "term-days")
    # Given without consent is refused, not quietly dropped: the officer must sort it out.
    monitoring = {
        name: forms.text(form, name) for name in ("ethnic_group", "sex", "disability", "religion")
    }
    person = {
        "given_name": forms.text(form, "given_name"),
        "family_name": forms.text(form, "family_name"),
        "date_of_birth": dates["date_of_birth"],
        "prison_number": forms.text(form, "prison_number") or "",
        "crn": forms.text(form, "crn") or "",
        "prison_code": forms.text(form, "prison_code") or "",
        "nation": forms.text(form, "nation"),
        "preferred_language": forms.text(form, "preferred_language") or "en",
        "needs": forms.values(form, "needs"),
        "reasonable_adjustments": forms.text(form, "reasonable_adjustments"),
        "monitoring_consent": consent == "yes",
        **monitoring,
    }
    try:
        data = plans.PlanCreate.model_validate(
            {
                "person": person,
                "probation_officer_id": officer,
                "sentence_type": forms.text(form, "sentence_type"),
                "sentence_date": dates["sentence_date"],
                "requested_release_date": dates["requested_release_date"],
                "term_days": int(term) if term and term.isdigit() else None,
            }
        )
    except ValidationError as invalid:
        for problem in invalid.errors():
            loc = [str(part) for part in problem["loc"]]
            name = loc[-1] if loc and loc[0] == "person" and len(loc) > 1 else (loc or [""])[0]
            field_id = FIELD_IDS.get(name, "given-name")
            if "consent" in problem["msg"]:
                field_id = "consent"
            elif not loc:  # a rule across fields: the two dates of the sentence
                field_id = "release-day" if "release date" in problem["msg"] else "sentence-day"
            if field_id in errors.by_field:
                continue
            label = LABELS.get(name, name.replace("_", " "))
            message = problem["msg"].removeprefix("Value error, ")
            if problem["type"] in ("missing", "string_too_short", "enum", "date_type"):
                message = f"Enter {label}"
            errors.add(message[:1].upper() + message[1:], field_id)
        return None, errors
    return (data, errors) if not errors else (None, errors)


def _form(
    request: Request, values: dict[str, Any], errors: Errors | None = None, status: int = 200
) -> Response:
    return render(
        request,
        "staff/new_plan.html",
        {"values": values, "errors": errors or Errors(), **_options()},
        status=status,
    )


@router.get("/plans/new", response_class=HTMLResponse)
def new_plan_page(request: Request, actor: PageOfficer) -> Response:
    return _form(request, {"preferred_language": "en", "sentence_type": "determinate"})


@router.post("/plans/new", response_class=HTMLResponse)
def open_plan(
    request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    values = forms.kept(form)
    values["needs"] = forms.values(form, "needs")
    if forms.text(form, "action") == "change":
        return _form(request, values)
    data, errors = _read(form, actor.user_id)
    if data is None:
        return _form(request, values, errors, status=422)
    if forms.text(form, "action") != "create":
        return render(
            request,
            "staff/new_plan_check.html",
            {"data": data, "values": values, "errors": Errors(), **_options()},
        )
    try:
        plan = plans.open_plan(session=session, actor=actor, data=data)
    except DomainError as error:
        return _form(
            request, values, forms.from_domain(error, default_field="prison-number"), status=409
        )
    return RedirectResponse(f"/staff/plans/{plan.id}?done=opened", status_code=303)
