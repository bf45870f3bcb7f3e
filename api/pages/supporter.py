"""A supporter's pages: their own link, the check question the person chose, then a read-only
view of the parts of the person's published 48-hour plan the person chose to share.

Nothing of the plan is shown until the link and the answer match; every later request checks
the link, its expiry, the person's consent and the sign-out generation again. A supporter's
cookie is signed apart from the person's own (api/pages/leaver_session.py), and opens nothing
but these pages: the person's pages, the staff pages and the API never read it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import SessionDep
from api.pages import leaver_session
from api.pages.i18n import _, language_scope
from api.pages.templating import PageProblem, choose_language, render
from resettlement import clock, leaver_access, leaver_plan
from resettlement.errors import NotFound
from resettlement.leaver_access import LinkLocked, LinkNotValid, SignedOut
from resettlement.partners import supporters
from resettlement.partners.supporters import SupporterLink, WrongAnswer

router = APIRouter(include_in_schema=False)

PLAN_PATH = "/supporter"
COOKIE = "supporter_session"


def _not_valid(status: int = 404) -> PageProblem:
    return PageProblem(status, "supporter/link_not_valid.html")


def _language(request: Request, session: SessionDep, link: SupporterLink) -> str:
    """The switch or its cookie (the supporter's own choice), then the language of the plan
    they were given (a Welsh speaker's supporter reads it in Welsh), then English."""
    return choose_language(request, leaver_access.plan_language(session, link))


def _form(
    request: Request,
    link: SupporterLink,
    context: dict[str, Any],
    *,
    language: str,
    status_code: int = 200,
) -> Response:
    token = leaver_session.form_token(request)
    response = render(
        request,
        "supporter/check.html",
        {
            **context,
            "question": link.check_question,
            "csrf_field": leaver_session.CSRF_FIELD,
            "csrf_token": token,
        },
        language=language,
        status_code=status_code,
    )
    leaver_session.keep_form_token(response, request, token, path=supporters.LINK_PATH)
    return response


def _locked(until: datetime, language: str) -> PageProblem:
    return PageProblem(
        429,
        "supporter/locked.html",
        {"until": until},
        language=language,
        headers={"Retry-After": "900"},
    )


@router.get(supporters.LINK_PATH + "{secret}")
def check_question(request: Request, secret: str, session: SessionDep) -> Response:
    try:
        link = supporters.find_link(session, secret)
    except LinkNotValid:
        raise _not_valid() from None
    language = _language(request, session, link)
    if link.locked_until is not None and link.locked_until > clock.now():
        raise _locked(link.locked_until, language)
    return _form(request, link, {}, language=language)


@router.post(supporters.LINK_PATH + "{secret}")
def answer(
    request: Request,
    secret: str,
    session: SessionDep,
    answer: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    try:
        link = supporters.find_link(session, secret)
    except LinkNotValid:
        raise _not_valid() from None
    language = _language(request, session, link)
    if not leaver_session.form_token_matches(request, csrf_token):
        with language_scope(language):
            expired = _("This page has expired. Answer the question again.")
        return _form(request, link, {"error": expired}, language=language, status_code=403)
    if not answer.strip():
        with language_scope(language):
            missing = _("Enter the answer")
        return _form(request, link, {"error": missing}, language=language, status_code=422)
    try:
        link = supporters.answer_check(
            session=session,
            secret=secret,
            answer=answer,
            request_id=getattr(request.state, "request_id", None),
        )
    except LinkNotValid:
        raise _not_valid() from None
    except LinkLocked as exc:
        raise _locked(exc.until, language) from None
    except WrongAnswer as exc:
        with language_scope(language):
            error = (
                _(
                    "That is not the answer we hold. You can try %(count)s more times.",
                    count=exc.attempts_left,
                )
                if exc.attempts_left > 1
                else _("That is not the answer we hold. You can try 1 more time.")
            )
        return _form(request, link, {"error": error}, language=language, status_code=422)
    assert link.id is not None
    response = RedirectResponse(PLAN_PATH, status_code=303)
    response.set_cookie(
        COOKIE,
        leaver_session.encode(
            link.id,
            secret,
            int(clock.now().timestamp()),
            supporters.session_generation(session, link),
            purpose=leaver_session.SUPPORTER,
        ),
        max_age=leaver_session.MAX_AGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=leaver_session.cookie_secure(),
        path=PLAN_PATH,
    )
    return response


def _signed_in(request: Request, session: SessionDep) -> SupporterLink:
    found = leaver_session.decode(request.cookies.get(COOKIE), purpose=leaver_session.SUPPORTER)
    if found is None:
        raise PageProblem(401, "supporter/sign_in_needed.html")
    try:
        return supporters.check_session_link(session, found.link_id, found.secret, found.generation)
    except SignedOut:
        raise PageProblem(401, "supporter/sign_in_needed.html") from None
    except LinkNotValid:
        raise _not_valid(403) from None


@router.get(PLAN_PATH)
def shared_plan(request: Request, session: SessionDep) -> Response:
    link = _signed_in(request, session)
    try:
        view = supporters.open_shared_plan(session=session, link=link)
    except LinkNotValid:
        raise _not_valid(403) from None
    except NotFound:
        raise PageProblem(404, "supporter/not_published.html") from None
    language = _language(request, session, link)
    with language_scope(language):
        titles = {kind: _(title) for kind, title in leaver_plan.APPOINTMENT_TITLES.items()}
    appointments = [
        {
            "title": titles.get(a.get("kind", "other"), titles["other"]),
            "starts_at": clock.london(datetime.fromisoformat(a["starts_at"])),
            "location": a.get("location"),
            "with_whom": a.get("with_whom"),
        }
        for a in view.shared.get("appointments", [])
    ]
    return render(
        request,
        "supporter/plan.html",
        {
            "view": view,
            "supporter": link.name,
            "address": view.shared.get("first_night_address"),
            "appointments": appointments,
            "contacts": view.shared.get("contacts"),
        },
        language=language,
    )


@router.post(PLAN_PATH + "/sign-out")
def sign_out(request: Request, session: SessionDep) -> Response:
    found = leaver_session.decode(request.cookies.get(COOKIE), purpose=leaver_session.SUPPORTER)
    if found is not None:
        supporters.sign_out(session=session, link_id=found.link_id)
    response = render(request, "supporter/signed_out.html", {}, language=choose_language(request))
    response.delete_cookie(
        COOKIE,
        path=PLAN_PATH,
        httponly=True,
        samesite="strict",
        secure=leaver_session.cookie_secure(),
    )
    return response
