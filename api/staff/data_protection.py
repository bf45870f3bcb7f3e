"""Data protection for staff: a subject access export in one step (an admin, or the person's
officer when the person asks), and an admin's erasure of a person's record ahead of the
retention schedule, checked on a page of its own first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from api.deps import SessionDep
from api.pages.subject_access import export_response
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, page_role
from api.staff.officer import own_plan
from api.staff.rendering import render
from resettlement.actors import Actor, Role
from resettlement.errors import DomainError, NotFound
from resettlement.models import Person
from resettlement.privacy import erasure, subject_access

router = APIRouter(prefix="/staff", include_in_schema=False)

PageOfficerOrAdmin = Annotated[Actor, Depends(page_role(Role.PROBATION_OFFICER, Role.ADMIN))]
PageAdmin = Annotated[Actor, Depends(page_role(Role.ADMIN))]
NO_SUCH = "There is no person you can export with that prison number. Check it and try again."
DONE = {"erased": "The person's record is erased: it now holds nothing that identifies them."}


def _page(
    request: Request,
    actor: Actor,
    *,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "staff/data_protection.html",
        {
            "is_admin": actor.role == Role.ADMIN,
            "errors": errors or Errors(),
            "values": values or {},
            "banner": DONE.get(request.query_params.get("done") or "") if errors is None else None,
            "labels": labels,
        },
        status=status,
    )


@router.get("/data-protection", response_class=HTMLResponse)
def data_protection_page(
    request: Request, actor: PageOfficerOrAdmin, session: SessionDep
) -> Response:
    # From an officer's plan: the plan's id in the address, never the person's prison number
    # (addresses end up in logs and browser histories).
    plan_text = request.query_params.get("plan", "")
    number = ""
    if plan_text.isdigit() and actor.role == Role.PROBATION_OFFICER:
        plan = own_plan(session, actor, plan_text)
        person = session.get(Person, plan.person_id)
        number = person.prison_number if person else ""
    return _page(request, actor, values={"prison_number": number})


def _person_id(session: Session, prison_number: str) -> int | None:
    return session.exec(
        select(Person.id).where(Person.prison_number == prison_number.strip().upper())
    ).first()


@router.post("/data-protection/export", response_class=HTMLResponse)
def export(
    request: Request, form: CheckedForm, actor: PageOfficerOrAdmin, session: SessionDep
) -> Response:
    number = forms.text(form, "prison_number") or ""
    language = forms.text(form, "language") or "en"
    file_format = forms.text(form, "file_format") or "pdf"
    asked = forms.text(form, "persons_request") == "yes"
    values = {
        "prison_number": number,
        "language": language,
        "file_format": file_format,
        "persons_request": asked,
    }
    errors = Errors()
    if language not in ("en", "cy"):
        errors.add("Choose English or Welsh.", "language")
    if file_format not in ("pdf", "json"):
        errors.add("Choose a PDF or a JSON file.", "file-format")
    person_id = _person_id(session, number) if number else None
    if person_id is None:
        errors.add(NO_SUCH, "prison-number")
    if errors:
        return _page(request, actor, errors=errors, values=values, status=422)
    assert person_id is not None
    try:
        data = subject_access.export_person(
            session=session, actor=actor, person_id=person_id, persons_request=asked
        )
    except NotFound:
        errors.add(NO_SUCH, "prison-number")
        return _page(request, actor, errors=errors, values=values, status=404)
    except DomainError as error:
        errors.add(str(error.detail), "persons-request")
        return _page(request, actor, errors=errors, values=values, status=422)
    return export_response(request, data, file_format=file_format, language=language)


@router.post("/data-protection/erase", response_class=HTMLResponse)
def erase(request: Request, form: CheckedForm, actor: PageAdmin, session: SessionDep) -> Response:
    number = forms.text(form, "erase_prison_number") or ""
    reason = forms.text(form, "reason") or ""
    values = {"erase_prison_number": number, "reason": reason}
    errors = Errors()
    person_id = _person_id(session, number) if number else None
    if person_id is None:
        errors.add("There is no person with that prison number.", "erase-prison-number")
    if len(reason) < 5:
        errors.add("Say why the person's record is being erased.", "reason")
    if errors:
        return _page(request, actor, errors=errors, values=values, status=422)
    assert person_id is not None
    if forms.text(form, "confirmed") != "yes":
        person = session.get(Person, person_id)
        assert person is not None
        return render(
            request,
            "staff/erase_check.html",
            {"person": person, "reason": reason, "errors": Errors(), "labels": labels},
        )
    try:
        erasure.erase_person(session=session, actor=actor, person_id=person_id, reason=reason)
    except DomainError as error:
        errors.add(str(error.detail), "erase-prison-number")
        return _page(request, actor, errors=errors, values=values, status=409)
    return RedirectResponse("/staff/data-protection?done=erased", status_code=303)
