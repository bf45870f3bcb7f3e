"""The person's goals and hopes on their plan's pages: they add, change and remove their own,
one at a time, in English or Welsh (GOV.UK radios for what it is about, a textarea with a
character count for their words, check and confirm before removing). Works without
JavaScript. The service (resettlement/goals.py) decides what may change and records who did."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import SessionDep
from api.pages import leaver_session
from api.pages.goal_labels import AREAS, shown
from api.pages.i18n import _, language_scope
from api.pages.leaver import PLAN_PATH, signed_in
from api.pages.templating import PageProblem, choose_language, render
from resettlement import goals, leaver_access
from resettlement.actors import Actor
from resettlement.errors import (
    ConflictsWithRecord,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
    VersionConflict,
)
from resettlement.goals import MAX_WORDS, GoalText
from resettlement.models import Goal, GoalArea, ReleasePlan

router = APIRouter(include_in_schema=False)

GOALS_PATH = PLAN_PATH + "/goals"
NEW_PATH = GOALS_PATH + "/new"
MAX_ID = 2**31 - 1


def _signed_in(request: Request, session: SessionDep) -> tuple[Actor, ReleasePlan, str]:
    link, _secret = signed_in(request, session)
    plan = session.get(ReleasePlan, link.plan_id)
    if plan is None:
        raise PageProblem(404, "leaver/link_not_valid.html")
    language = choose_language(request, leaver_access.plan_language(session, link))
    return leaver_access.leaver_actor(link, request.state.request_id), plan, language


def _gone(language: str) -> PageProblem:
    with language_scope(language):
        context = {
            "title": _("This goal is not on your plan"),
            "paragraphs": [
                _("It may have been removed. Go back to your plan to see your goals."),
            ],
        }
    return PageProblem(404, "problem.html", context, language=language)


def _goal_id(value: str, language: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise _gone(language)
    return int(value)


def _read(session: SessionDep, actor: Actor, goal_id: int, language: str) -> Goal:
    try:
        goal, _plan = goals.read_goal(session=session, actor=actor, goal_id=goal_id)
    except NotFound:
        raise _gone(language) from None
    return goal


def _form(
    request: Request,
    *,
    language: str,
    goal: Goal | None,
    values: dict[str, Any],
    errors: list[dict[str, str]],
    csrf_token: str,
    version: int | None = None,
    now_says: Goal | None = None,
    status_code: int = 200,
) -> Response:
    with language_scope(language):
        areas = [(str(area), _(words)) for area, words in AREAS.items()]
    response = render(
        request,
        "leaver/goal.html",
        {
            "goal": goal,
            "areas": areas,
            "values": values,
            "errors": errors,
            "error_for": {e["field"]: e["text"] for e in errors},
            "version": version if version is not None else (goal.version if goal else None),
            "now_says": now_says,
            "max_words": MAX_WORDS,
            "action": f"{GOALS_PATH}/{goal.id}/change" if goal else NEW_PATH,
            "csrf_field": leaver_session.CSRF_FIELD,
            "csrf_token": csrf_token,
        },
        language=language,
        status_code=status_code,
    )
    _keep_token(response, request, csrf_token)
    return response


def _keep_token(response: Response, request: Request, token: str) -> None:
    leaver_session.keep_form_token(
        response,
        request,
        token,
        cookie=leaver_session.PLAN_FORM_COOKIE,
        path=leaver_session.PLAN_FORM_PATH,
    )


def _token(request: Request) -> str:
    return leaver_session.form_token(request, leaver_session.PLAN_FORM_COOKIE)


def _checked_token(request: Request, form: Any) -> bool:
    sent = str(form.get(leaver_session.CSRF_FIELD) or "")
    return leaver_session.form_token_matches(request, sent, leaver_session.PLAN_FORM_COOKIE)


def _back(done: str) -> RedirectResponse:
    return RedirectResponse(f"{PLAN_PATH}?goal={done}#goals", status_code=303)


def read_goal_form(form: Any) -> tuple[GoalText | None, dict[str, Any], list[dict[str, str]]]:
    """The goal as written, what was sent (to show again) and what to fix, in the page's
    language (call inside its scope)."""
    area = str(form.get("area") or "")
    words = str(form.get("words") or "")
    values = {"area": area, "words": words}
    errors: list[dict[str, str]] = []
    if area not in {str(a) for a in AREAS}:
        errors.append(
            {"field": "area", "href": "#area", "text": _("Select what your goal is about")}
        )
    stripped = words.strip()
    if not stripped:
        errors.append({"field": "words", "href": "#words", "text": _("Write your goal")})
    elif len(stripped) > MAX_WORDS:
        errors.append(
            {
                "field": "words",
                "href": "#words",
                "text": _("Your goal must be %(count)s characters or fewer", count="2,000"),
            }
        )
    if errors:
        return None, values, errors
    return GoalText(area=GoalArea(area), in_their_words=stripped), values, errors


def _not_changeable(plan: ReleasePlan) -> bool:
    return not goals.can_change(plan)


@router.get(NEW_PATH)
def new_goal(request: Request, session: SessionDep) -> Response:
    _actor, plan, language = _signed_in(request, session)
    if _not_changeable(plan):
        return RedirectResponse(PLAN_PATH + "#goals", status_code=303)
    return _form(
        request, language=language, goal=None, values={}, errors=[], csrf_token=_token(request)
    )


@router.post(NEW_PATH)
async def add_goal(request: Request, session: SessionDep) -> Response:
    actor, plan, language = _signed_in(request, session)
    form = await request.form()
    if not _checked_token(request, form):
        return RedirectResponse(NEW_PATH, status_code=303)
    with language_scope(language):
        data, values, errors = read_goal_form(form)
    token = str(form.get(leaver_session.CSRF_FIELD))
    if data is None:
        return _form(
            request,
            language=language,
            goal=None,
            values=values,
            errors=errors,
            csrf_token=token,
            status_code=422,
        )
    try:
        goals.add_goal(session=session, actor=actor, plan_id=plan.id or 0, data=data)
    except TransitionNotAllowed:
        return RedirectResponse(PLAN_PATH + "#goals", status_code=303)
    except (ConflictsWithRecord, InvalidInput):
        with language_scope(language):
            full = [
                {
                    "field": "words",
                    "href": "#words",
                    "text": _("You have 20 goals. Change or remove one to add another."),
                }
            ]
        return _form(
            request,
            language=language,
            goal=None,
            values=values,
            errors=full,
            csrf_token=token,
            status_code=409,
        )
    return _back("added")


@router.get(GOALS_PATH + "/{goal_id}/change")
def change_page(goal_id: str, request: Request, session: SessionDep) -> Response:
    actor, plan, language = _signed_in(request, session)
    goal = _read(session, actor, _goal_id(goal_id, language), language)
    if _not_changeable(plan):
        return RedirectResponse(PLAN_PATH + "#goals", status_code=303)
    return _form(
        request,
        language=language,
        goal=goal,
        values={"area": str(goal.area), "words": goal.in_their_words},
        errors=[],
        csrf_token=_token(request),
    )


def _version(form: Any) -> int:
    sent = str(form.get("version") or "")
    return int(sent) if sent.isdigit() and int(sent) <= MAX_ID else 0


@router.post(GOALS_PATH + "/{goal_id}/change")
async def change_goal(goal_id: str, request: Request, session: SessionDep) -> Response:
    actor, _plan, language = _signed_in(request, session)
    number = _goal_id(goal_id, language)
    form = await request.form()
    if not _checked_token(request, form):
        return RedirectResponse(f"{GOALS_PATH}/{number}/change", status_code=303)
    token = str(form.get(leaver_session.CSRF_FIELD))
    with language_scope(language):
        data, values, errors = read_goal_form(form)
    if data is None:
        goal = _read(session, actor, number, language)
        return _form(
            request,
            language=language,
            goal=goal,
            values=values,
            errors=errors,
            csrf_token=token,
            version=_version(form),
            status_code=422,
        )
    try:
        goals.change_goal(
            session=session,
            actor=actor,
            goal_id=number,
            expected_version=_version(form),
            data=data,
        )
    except NotFound:
        raise _gone(language) from None
    except TransitionNotAllowed:
        return RedirectResponse(PLAN_PATH + "#goals", status_code=303)
    except VersionConflict:
        # Someone else (the officer, or the person on another phone) saved it first: show what
        # it says now beside what the person wrote, and let them save theirs over it knowingly.
        goal = _read(session, actor, number, language)
        with language_scope(language):
            crossed = [
                {
                    "field": "words",
                    "href": "#words",
                    "text": _(
                        "This goal was changed while you were writing. Check what it says "
                        "now, then save your words again."
                    ),
                }
            ]
        return _form(
            request,
            language=language,
            goal=goal,
            values=values,
            errors=crossed,
            csrf_token=token,
            now_says=goal,
            status_code=409,
        )
    return _back("changed")


def _remove_page(
    request: Request,
    *,
    language: str,
    goal: Goal,
    csrf_token: str,
    changed: bool = False,
    status_code: int = 200,
) -> Response:
    with language_scope(language):
        goal_shown = shown(goal)
        error = (
            _("This goal was changed since you opened this page. Check it before you remove it.")
            if changed
            else None
        )
    response = render(
        request,
        "leaver/goal_remove.html",
        {
            "goal": goal_shown,
            "error": error,
            "csrf_field": leaver_session.CSRF_FIELD,
            "csrf_token": csrf_token,
        },
        language=language,
        status_code=status_code,
    )
    _keep_token(response, request, csrf_token)
    return response


@router.get(GOALS_PATH + "/{goal_id}/remove")
def remove_page(goal_id: str, request: Request, session: SessionDep) -> Response:
    actor, plan, language = _signed_in(request, session)
    goal = _read(session, actor, _goal_id(goal_id, language), language)
    if _not_changeable(plan):
        return RedirectResponse(PLAN_PATH + "#goals", status_code=303)
    return _remove_page(request, language=language, goal=goal, csrf_token=_token(request))


@router.post(GOALS_PATH + "/{goal_id}/remove")
async def remove_goal(goal_id: str, request: Request, session: SessionDep) -> Response:
    actor, _plan, language = _signed_in(request, session)
    number = _goal_id(goal_id, language)
    form = await request.form()
    if not _checked_token(request, form):
        return RedirectResponse(f"{GOALS_PATH}/{number}/remove", status_code=303)
    try:
        goals.remove_goal(
            session=session, actor=actor, goal_id=number, expected_version=_version(form)
        )
    except NotFound:
        raise _gone(language) from None
    except TransitionNotAllowed:
        return RedirectResponse(PLAN_PATH + "#goals", status_code=303)
    except VersionConflict:
        goal = _read(session, actor, number, language)
        return _remove_page(
            request,
            language=language,
            goal=goal,
            csrf_token=str(form.get(leaver_session.CSRF_FIELD)),
            changed=True,
            status_code=409,
        )
    return _back("removed")
