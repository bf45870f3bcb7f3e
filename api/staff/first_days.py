"""The officer records the person's answers about their first days at the follow-up, for
someone without a phone or a link: the same closed questions the person is asked. The person's
own answers, once given, are theirs: the service refuses to write over them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.pages.first_days import read_form, values_of
from api.staff import forms
from api.staff.first_days_view import english_questions
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, PageOfficer
from api.staff.officer import _form_page, _id, _see_plan, own_plan
from resettlement.errors import ConflictsWithRecord, DomainError
from resettlement.voice import answers as voice

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("/plans/{plan_id}/first-days", response_class=HTMLResponse)
def first_days_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    answer = voice.answers_for(session, _id(plan))
    return _form_page(
        request,
        "staff/first_days.html",
        plan,
        {"questions": english_questions(), "answer": answer},
        values=values_of(answer),
    )


@router.post("/plans/{plan_id}/first-days", response_class=HTMLResponse)
def record_first_days(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    data, sent, missing = read_form(form)
    errors = Errors()
    conflict = False
    asked = english_questions()
    for question in asked:
        if question["name"] in missing:
            errors.add(question["error"], question["name"])
    if data is not None:
        try:
            voice.record_answers(session=session, actor=actor, plan_id=_id(plan), data=data)
            return _see_plan(_id(plan), "first-days")
        except DomainError as error:
            conflict = isinstance(error, ConflictsWithRecord)
            errors = forms.from_domain(error, default_field="first_night")
    return _form_page(
        request,
        "staff/first_days.html",
        plan,
        {"questions": asked, "answer": voice.answers_for(session, _id(plan))},
        errors=errors,
        values=sent,
        status=409 if errors.stale or conflict else 422,
    )
