"""The person's own questions about their first days out, on their plan's pages: closed
choices in English or Welsh (GOV.UK radios and checkboxes), theirs to change for a week."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import SessionDep
from api.pages import leaver_session
from api.pages.formatting import date_text
from api.pages.i18n import _, language_scope, pgettext
from api.pages.leaver import PLAN_PATH, signed_in
from api.pages.templating import choose_language, render
from resettlement import clock, leaver_access
from resettlement.errors import DomainError
from resettlement.models import ReleasePlan
from resettlement.transactions import get_or_404
from resettlement.voice import answers as voice
from resettlement.voice.models import (
    Appointments,
    FirstNight,
    Had,
    VoiceAnswer,
    VoiceAnswers,
    WentWrong,
    WouldHaveHelped,
)

router = APIRouter(include_in_schema=False)

FIRST_DAYS_PATH = leaver_access.FIRST_DAYS_PATH
RADIOS = ("first_night", "appointments", "had_id", "had_money", "had_medication")
CHECKBOXES = ("went_wrong", "would_have_helped")


def questions() -> list[dict[str, Any]]:
    """The questions and their answers, in the current language (call inside its scope)."""
    had = [(Had.YES, pgettext("did you have", "Yes")), (Had.NO, pgettext("did you have", "No"))]
    return [
        {
            "name": "first_night",
            "kind": "radios",
            "question": _("Where did you sleep on your first night?"),
            "error": _("Select where you slept on your first night"),
            "choices": [
                (FirstNight.PLANNED_ADDRESS, _("At the address in my plan")),
                (FirstNight.FAMILY_OR_FRIENDS, _("With family or friends")),
                (FirstNight.EMERGENCY_HOUSING, _("In emergency housing or a night shelter")),
                (FirstNight.NOWHERE, _("I had nowhere to sleep")),
                (FirstNight.SOMEWHERE_ELSE, _("Somewhere else")),
            ],
        },
        {
            "name": "appointments",
            "kind": "radios",
            "question": _("Did you get to your appointments?"),
            "error": _("Select whether you got to your appointments"),
            "choices": [
                (Appointments.ALL, _("Yes, all of them")),
                (Appointments.SOME, _("Some of them")),
                (Appointments.NONE, _("No, none of them")),
                (Appointments.HAD_NONE, _("I did not have any")),
            ],
        },
        {
            "name": "had_id",
            "kind": "radios",
            "question": _("Did you have ID?"),
            "error": _("Select whether you had ID"),
            "choices": had,
        },
        {
            "name": "had_money",
            "kind": "radios",
            "question": _("Did you have money?"),
            "error": _("Select whether you had money"),
            "choices": had,
        },
        {
            "name": "had_medication",
            "kind": "radios",
            "question": _("Did you have your medication?"),
            "error": _("Select whether you had your medication"),
            "choices": [*had, (Had.NOT_NEEDED, _("I did not need any"))],
        },
        {
            "name": "went_wrong",
            "kind": "checkboxes",
            "question": _("What went wrong?"),
            "hint": _("Select all that apply."),
            "error": _("Select what went wrong, or 'Nothing went wrong'"),
            "choices": [
                (WentWrong.NOTHING, _("Nothing went wrong")),
                (WentWrong.NO_BED, _("I had no bed for the night")),
                (WentWrong.NO_MONEY, _("I had no money")),
                (WentWrong.NO_ID, _("I had no ID")),
                (WentWrong.NO_MEDICATION, _("I had no medication")),
                (WentWrong.MISSED_APPOINTMENT, _("I missed an appointment")),
                (WentWrong.TRAVEL, _("Getting there was hard")),
                (WentWrong.NO_PHONE, _("I had no phone")),
            ],
        },
        {
            "name": "would_have_helped",
            "kind": "checkboxes",
            "question": _("What would have helped?"),
            "hint": _("Select all that apply."),
            "error": _("Select what would have helped, or 'Nothing else'"),
            "choices": [
                (WouldHaveHelped.NOTHING, _("Nothing else")),
                (
                    WouldHaveHelped.RELEASED_EARLIER_IN_THE_WEEK,
                    _("Being released earlier in the week"),
                ),
                (WouldHaveHelped.HOUSING_SORTED, _("Housing sorted before release")),
                (WouldHaveHelped.ID_BEFORE_RELEASE, _("ID before release")),
                (WouldHaveHelped.BANK_ACCOUNT, _("A bank account")),
                (WouldHaveHelped.SOMEONE_TO_MEET_ME, _("Someone to meet me at the gate")),
                (WouldHaveHelped.HELP_WITH_TRAVEL, _("Help with travel")),
                (WouldHaveHelped.A_PHONE, _("A phone")),
                (WouldHaveHelped.MEDICATION, _("My medication")),
            ],
        },
    ]


def values_of(answer: VoiceAnswer | None) -> dict[str, Any]:
    if answer is None:
        return {}
    return {
        **{name: getattr(answer, name) for name in RADIOS},
        **{name: list(getattr(answer, name)) for name in CHECKBOXES},
    }


def read_form(form: Any) -> tuple[VoiceAnswers | None, dict[str, Any], list[str]]:
    """The answers, what was sent (to show again), and the names of unanswered questions."""
    sent: dict[str, Any] = {name: form.get(name) or None for name in RADIOS}
    sent.update({name: form.getlist(name) for name in CHECKBOXES})
    missing = [name for name in (*RADIOS, *CHECKBOXES) if not sent[name]]
    try:
        data = VoiceAnswers.model_validate(sent)
    except ValueError:
        # A choice not on the page: treated as unanswered, never stored.
        data = None
        missing = missing or list(RADIOS)
    return (None if missing else data), sent, missing


def _page(
    request: Request,
    *,
    language: str,
    values: dict[str, Any],
    missing: list[str],
    answer: VoiceAnswer | None,
    csrf_token: str,
    sent: bool = False,
    status_code: int = 200,
) -> Response:
    with language_scope(language):
        asked = questions()
        until = (
            date_text(clock.london(answer.first_answered_at + voice.EDITABLE_FOR).date())
            if answer
            else None
        )
    response = render(
        request,
        "leaver/first_days.html",
        {
            "questions": asked,
            "values": values,
            "missing": missing,
            "answer": answer,
            "editable": voice.editable(answer),
            "until": until,
            "sent": sent,
            "csrf_field": leaver_session.CSRF_FIELD,
            "csrf_token": csrf_token,
        },
        language=language,
        status_code=status_code,
    )
    leaver_session.keep_form_token(
        response,
        request,
        csrf_token,
        cookie=leaver_session.PLAN_FORM_COOKIE,
        path=leaver_session.PLAN_FORM_PATH,
    )
    return response


def _plan(request: Request, session: SessionDep) -> tuple[Any, ReleasePlan, str]:
    link, _secret = signed_in(request, session)
    plan = get_or_404(session, ReleasePlan, link.plan_id, "plan")
    language = choose_language(request, leaver_access.plan_language(session, link))
    return link, plan, language


@router.get(FIRST_DAYS_PATH)
def first_days(request: Request, session: SessionDep) -> Response:
    _link, plan, language = _plan(request, session)
    if not voice.can_answer(plan):
        return RedirectResponse(PLAN_PATH, status_code=303)
    answer = voice.answers_for(session, plan.id)  # type: ignore[arg-type]
    return _page(
        request,
        language=language,
        values=values_of(answer),
        missing=[],
        answer=answer,
        csrf_token=leaver_session.form_token(request, leaver_session.PLAN_FORM_COOKIE),
        sent=request.query_params.get("sent") == "1",
    )


@router.post(FIRST_DAYS_PATH)
async def send_first_days(request: Request, session: SessionDep) -> Response:
    link, plan, language = _plan(request, session)
    form = await request.form()
    token = str(form.get(leaver_session.CSRF_FIELD) or "")
    if not leaver_session.form_token_matches(
        request, token, leaver_session.PLAN_FORM_COOKIE
    ) or not voice.can_answer(plan):
        return RedirectResponse(FIRST_DAYS_PATH, status_code=303)
    data, sent, missing = read_form(form)
    answer = voice.answers_for(session, plan.id)  # type: ignore[arg-type]
    if data is None:
        return _page(
            request,
            language=language,
            values=sent,
            missing=missing,
            answer=answer,
            csrf_token=token,
            status_code=422,
        )
    try:
        voice.record_answers(
            session=session,
            actor=leaver_access.leaver_actor(link),
            plan_id=plan.id,  # type: ignore[arg-type]
            data=data,
        )
    except DomainError:
        # The week has passed (or the plan is not released): the page says so.
        return RedirectResponse(FIRST_DAYS_PATH, status_code=303)
    return RedirectResponse(FIRST_DAYS_PATH + "?sent=1", status_code=303)
