"""The probation officer's corrections to a plan: change or remove an appointment or a
contact, change the release date after a new sentence calculation, and pass the plan to
another officer. Removing and passing on are checked on a page of their own first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import SessionDep
from api.pages.formatting import phone_text
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, PageOfficer, not_found
from api.staff.officer import (
    CONTACT_LABELS,
    _confirm,
    _confirmed,
    _form_page,
    _id,
    _refreshed,
    _see_plan,
    changed_or,
    own_plan,
    read_appointment,
)
from api.staff.rendering import render
from resettlement import clock, forty_eight_hours, plans, staff
from resettlement.actors import Role
from resettlement.errors import DomainError
from resettlement.models import Appointment, ReleasePlan, SupportContact
from resettlement.staff import StaffMember

router = APIRouter(prefix="/staff", include_in_schema=False)


def _appointment(session: Session, plan: ReleasePlan, appointment_id: str) -> Appointment:
    found = session.get(Appointment, int(appointment_id)) if appointment_id.isdigit() else None
    if found is None or found.plan_id != plan.id:
        raise not_found()
    return found


def _contact(session: Session, plan: ReleasePlan, contact_id: str) -> SupportContact:
    found = session.get(SupportContact, int(contact_id)) if contact_id.isdigit() else None
    if found is None or found.plan_id != plan.id:
        raise not_found()
    return found


def _appointment_values(appointment: Appointment) -> dict[str, Any]:
    local = clock.london(appointment.starts_at)
    return {
        "kind": str(appointment.kind),
        "date-day": str(local.day),
        "date-month": str(local.month),
        "date-year": str(local.year),
        "time": f"{local:%H:%M}",
        "location": appointment.location,
        "with_whom": appointment.with_whom,
        "what_to_bring": appointment.what_to_bring or "",
    }


def _appointment_context(plan: ReleasePlan, appointment: Appointment) -> dict[str, Any]:
    base = f"/staff/plans/{_id(plan)}/appointments/{appointment.id}"
    return {
        "kinds": labels.APPOINTMENT_KINDS,
        "heading": "Change the appointment",
        "form_action": base,
        "button": "Save the appointment",
        "remove_href": f"{base}/remove",
    }


@router.get("/plans/{plan_id}/appointments/{appointment_id}", response_class=HTMLResponse)
def appointment_page(
    plan_id: str, appointment_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    appointment = _appointment(session, plan, appointment_id)
    return _form_page(
        request,
        "staff/appointment.html",
        plan,
        _appointment_context(plan, appointment),
        values=_appointment_values(appointment),
    )


@router.post("/plans/{plan_id}/appointments/{appointment_id}", response_class=HTMLResponse)
def change_appointment(
    plan_id: str,
    appointment_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageOfficer,
    session: SessionDep,
) -> Response:
    plan = own_plan(session, actor, plan_id)
    appointment = _appointment(session, plan, appointment_id)
    data, errors = read_appointment(form)
    if data is not None and not errors:
        try:
            forty_eight_hours.change_appointment(
                session=session,
                actor=actor,
                plan_id=_id(plan),
                appointment_id=appointment.id or 0,
                expected_version=forms.version(form),
                data=forty_eight_hours.AppointmentChange.model_validate(data.model_dump()),
            )
            return _see_plan(_id(plan), changed_or(plan, form, "appointment-changed"))
        except DomainError as error:
            errors = forms.from_domain(error, default_field="kind")
    return _form_page(
        request,
        "staff/appointment.html",
        _refreshed(session, plan),
        _appointment_context(plan, appointment),
        errors=errors,
        values=forms.kept(form),
        status=409 if errors.stale else 422,
    )


@router.get("/plans/{plan_id}/appointments/{appointment_id}/remove", response_class=HTMLResponse)
def remove_appointment_page(
    plan_id: str, appointment_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    appointment = _appointment(session, plan, appointment_id)
    return _confirm(
        request,
        session,
        actor,
        plan,
        {
            "heading": "Remove the appointment",
            "rows": [
                {
                    "key": {"text": "Appointment"},
                    "value": {"text": labels.APPOINTMENT_KINDS.get(appointment.kind, "")},
                },
                {"key": {"text": "When"}, "value": {"text": labels.when(appointment.starts_at)}},
                {"key": {"text": "Where"}, "value": {"text": appointment.location}},
            ],
            "lines": [
                "The person keeps seeing it in the plan they have until you publish the "
                "48-hour plan again."
            ],
            "action": f"/staff/plans/{_id(plan)}/appointments/{appointment.id}/remove",
            "button": "Yes, remove it",
            "button_classes": "govuk-button--warning",
            "back_href": f"/staff/plans/{_id(plan)}/appointments/{appointment.id}",
        },
    )


@router.post("/plans/{plan_id}/appointments/{appointment_id}/remove", response_class=HTMLResponse)
def remove_appointment(
    plan_id: str,
    appointment_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageOfficer,
    session: SessionDep,
) -> Response:
    plan = own_plan(session, actor, plan_id)
    appointment = _appointment(session, plan, appointment_id)
    try:
        forty_eight_hours.cancel_appointment(
            session=session,
            actor=actor,
            plan_id=_id(plan),
            appointment_id=appointment.id or 0,
            expected_version=forms.version(form),
        )
    except DomainError as error:
        return _form_page(
            request,
            "staff/appointment.html",
            _refreshed(session, plan),
            _appointment_context(plan, appointment),
            errors=forms.from_domain(error, default_field="kind"),
            values=_appointment_values(appointment),
            status=409,
        )
    return _see_plan(_id(plan), "appointment-removed")


def _contact_context(plan: ReleasePlan, contact: SupportContact) -> dict[str, Any]:
    base = f"/staff/plans/{_id(plan)}/contacts/{contact.id}"
    return {
        "kinds": labels.CONTACT_KINDS,
        "heading": "Change the contact",
        "form_action": base,
        "button": "Save the contact",
        "remove_href": f"{base}/remove",
    }


def _contact_values(contact: SupportContact) -> dict[str, Any]:
    return {
        "kind": str(contact.kind),
        "name": contact.name,
        "phone": contact.phone,
        "hours": contact.hours or "",
        "notes": contact.notes or "",
    }


@router.get("/plans/{plan_id}/contacts/{contact_id}", response_class=HTMLResponse)
def contact_page(
    plan_id: str, contact_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    contact = _contact(session, plan, contact_id)
    return _form_page(
        request,
        "staff/contact.html",
        plan,
        _contact_context(plan, contact),
        values=_contact_values(contact),
    )


@router.post("/plans/{plan_id}/contacts/{contact_id}", response_class=HTMLResponse)
def change_contact(
    plan_id: str,
    contact_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageOfficer,
    session: SessionDep,
) -> Response:
    plan = own_plan(session, actor, plan_id)
    contact = _contact(session, plan, contact_id)
    try:
        data = forty_eight_hours.ContactChange.model_validate(
            {name: forms.text(form, name) for name in CONTACT_LABELS}
        )
        missing = [n for n in ("kind", "name", "phone") if getattr(data, n) is None]
        if missing:
            errors = Errors()
            for name in missing:
                errors.add(f"Enter {CONTACT_LABELS[name]}", name)
        else:
            forty_eight_hours.change_contact(
                session=session,
                actor=actor,
                plan_id=_id(plan),
                contact_id=contact.id or 0,
                expected_version=forms.version(form),
                data=data,
            )
            return _see_plan(_id(plan), changed_or(plan, form, "contact-changed"))
    except ValidationError as invalid:
        errors = forms.from_validation(invalid, CONTACT_LABELS)
    except DomainError as error:
        errors = forms.from_domain(error, default_field="kind")
    return _form_page(
        request,
        "staff/contact.html",
        _refreshed(session, plan),
        _contact_context(plan, contact),
        errors=errors,
        values=forms.kept(form),
        status=409 if errors.stale else 422,
    )


@router.get("/plans/{plan_id}/contacts/{contact_id}/remove", response_class=HTMLResponse)
def remove_contact_page(
    plan_id: str, contact_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    contact = _contact(session, plan, contact_id)
    return _confirm(
        request,
        session,
        actor,
        plan,
        {
            "heading": "Remove the contact",
            "rows": [
                {"key": {"text": "Name"}, "value": {"text": contact.name}},
                {"key": {"text": "Phone"}, "value": {"text": phone_text(contact.phone)}},
            ],
            "lines": [
                "The person keeps seeing it in the plan they have until you publish the "
                "48-hour plan again."
            ],
            "action": f"/staff/plans/{_id(plan)}/contacts/{contact.id}/remove",
            "button": "Yes, remove it",
            "button_classes": "govuk-button--warning",
            "back_href": f"/staff/plans/{_id(plan)}/contacts/{contact.id}",
        },
    )


@router.post("/plans/{plan_id}/contacts/{contact_id}/remove", response_class=HTMLResponse)
def remove_contact(
    plan_id: str,
    contact_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageOfficer,
    session: SessionDep,
) -> Response:
    plan = own_plan(session, actor, plan_id)
    contact = _contact(session, plan, contact_id)
    try:
        forty_eight_hours.remove_contact(
            session=session,
            actor=actor,
            plan_id=_id(plan),
            contact_id=contact.id or 0,
            expected_version=forms.version(form),
        )
    except DomainError as error:
        return _form_page(
            request,
            "staff/contact.html",
            _refreshed(session, plan),
            _contact_context(plan, contact),
            errors=forms.from_domain(error, default_field="kind"),
            values=_contact_values(contact),
            status=409,
        )
    return _see_plan(_id(plan), "contact-removed")


# --- the release date ---------------------------------------------------------------------


@router.get("/plans/{plan_id}/release-date", response_class=HTMLResponse)
def release_date_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    return _form_page(request, "staff/release_date.html", plan, {})


@router.post("/plans/{plan_id}/release-date", response_class=HTMLResponse)
def change_release_date(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    errors = Errors()
    new_date = forms.day(form, "release")
    reason = forms.text(form, "reason")
    if new_date is None:
        errors.add(
            "Enter the new release date as a real date, for example 17 3 2027.", "release-day"
        )
    if not reason:
        errors.add("Say what changed, for example a new sentence calculation.", "reason")
    if new_date is not None and reason and not errors:
        try:
            plans.change_release_date(
                session=session,
                actor=actor,
                plan_id=_id(plan),
                expected_version=forms.version(form),
                requested_release_date=new_date,
                reason=reason,
            )
            return _see_plan(_id(plan), "release-date")
        except DomainError as error:
            errors = forms.from_domain(error, default_field="release-day")
            if errors.items and errors.items[0][1] == "requested_release_date":
                errors = Errors()
                errors.add(error.detail, "release-day")
    return _form_page(
        request,
        "staff/release_date.html",
        _refreshed(session, plan),
        {},
        errors=errors,
        values=forms.kept(form),
        status=409 if errors.stale else 422,
    )


# --- passing the plan on ------------------------------------------------------------------


def _officers(session: Session, current: str) -> list[StaffMember]:
    """The probation officers in the staff table, other than the one passing the plan on."""
    return [
        member
        for member in staff.everyone(session, [Role.PROBATION_OFFICER.value])
        if member.user_id != current
    ]


@router.get("/plans/{plan_id}/reassign", response_class=HTMLResponse)
def reassign_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    officers = _officers(session, actor.user_id)
    return _form_page(request, "staff/reassign.html", plan, {"officers": officers})


@router.post("/plans/{plan_id}/reassign", response_class=HTMLResponse)
def reassign(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    errors = Errors()
    officer = forms.text(form, "officer") or ""
    reason = forms.text(form, "reason") or ""
    officers = _officers(session, actor.user_id)
    chosen = next((member for member in officers if member.user_id == officer), None)
    if chosen is None:
        errors.add("Choose the probation officer to pass the plan to.", "officer")
    if not reason:
        errors.add("Say why the plan is passed on.", "reason")
    if not errors and not _confirmed(form):
        return _confirm(
            request,
            session,
            actor,
            plan,
            {
                "heading": "Pass the plan to another probation officer",
                "rows": [
                    {
                        "key": {"text": "New probation officer"},
                        "value": {"text": chosen.name if chosen else officer},
                    },
                    {"key": {"text": "Why"}, "value": {"text": reason}},
                ],
                "warning": "Once passed on, the plan leaves your caseload and you can no "
                "longer open it.",
                "action": f"/staff/plans/{_id(plan)}/reassign",
                "version": forms.version(form),
                "fields": {"officer": officer, "reason": reason},
                "button": "Yes, pass it on",
                "back_href": f"/staff/plans/{_id(plan)}/reassign",
            },
        )
    if not errors:
        try:
            person_name = _person_name(session, plan)
            plans.reassign(
                session=session,
                actor=actor,
                plan_id=_id(plan),
                expected_version=forms.version(form),
                probation_officer_id=officer,
                reason=reason,
            )
            return render(
                request,
                "staff/reassigned.html",
                {"officer": officer, "person_name": person_name, "errors": Errors()},
            )
        except DomainError as error:
            errors = forms.from_domain(error, default_field="officer")
    return _form_page(
        request,
        "staff/reassign.html",
        _refreshed(session, plan),
        {"officers": officers},
        errors=errors,
        values=forms.kept(form),
        status=409 if errors.stale else 422,
    )


def _person_name(session: Session, plan: ReleasePlan) -> str:
    from resettlement.models import Person

    person = session.get(Person, plan.person_id)
    return f"{person.given_name} {person.family_name}" if person else "The person"
