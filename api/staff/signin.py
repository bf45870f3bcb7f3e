"""Staff sign-in and sign-out.

Production (RESETTLEMENT_OIDC_ISSUER set): the sign-in page sends the browser to the
organisation's OpenID Connect provider (api/staff/oidc.py); its callback checks the answer,
records the staff member as the provider describes them, and starts the session. Signing out
ends the session on every browser and then at the provider, when it offers that.

Local mode: a page lists the staff table (the demo's made-up staff); choosing one signs in as
them. Refused when an issuer is configured.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.auth import PRISON_ROLES, Claims
from api.deps import SessionDep
from api.settings import get_api_settings
from api.staff import forms, oidc
from api.staff.forms import Errors
from api.staff.identity import (
    PRISON_NAMES,
    STAFF_ROLES,
    CheckedForm,
    SignInRequired,
    StaffMember,
    browser_session,
    clear_cookie,
    keep_for_after_sign_in,
    problem,
    sign_in,
    sign_out_everywhere,
)
from api.staff.rendering import render
from resettlement import staff, web_sessions
from resettlement.actors import Role

router = APIRouter(prefix="/staff", include_in_schema=False)

HOMES = {
    Role.PROBATION_OFFICER: "/staff/caseload",
    Role.GOVERNOR: "/staff/early-release",
    Role.ADMIN: "/staff/reports",
    Role.COORDINATOR: "/staff/directory",
    Role.PARTNER: "/staff/partner",
}


def to_sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    response = RedirectResponse("/staff/sign-in", status_code=303)
    if exc.resume is not None:
        keep_for_after_sign_in(response, exc.resume)
    return response


@router.get("", response_class=HTMLResponse)
def home(actor: StaffMember) -> Response:
    return RedirectResponse(HOMES[actor.role], status_code=303)


def _production_sign_in() -> None:
    if not oidc.configured():
        raise problem(
            503,
            "Sign-in is not set up yet",
            "An identity provider is configured, but this service is not yet registered "
            "with it. Set RESETTLEMENT_STAFF_OIDC_CLIENT_ID and "
            "RESETTLEMENT_STAFF_OIDC_REDIRECT_URL.",
        )


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, session: SessionDep) -> Response:
    if not get_api_settings().local_mode:
        _production_sign_in()
        try:
            return await oidc.start(request, browser_session(request).resume)
        except oidc.SignInRefused as refused:
            raise problem(refused.status, refused.title, refused.message) from None
    context = await run_in_threadpool(_choices, session, Errors(), request)
    return render(request, "staff/sign_in.html", context)


@dataclass(frozen=True)
class Choice:
    user_id: str
    label: str


def _label(member: staff.StaffMember) -> str:
    words = staff.ROLE_WORDS.get(member.role, member.role)
    if member.role in PRISON_ROLES and member.prison_code:
        words += ", " + PRISON_NAMES.get(member.prison_code, member.prison_code)
    return f"{member.name}, {member.user_id} ({words})"


def _choices(session: Session, errors: Errors, request: Request) -> dict[str, object]:
    """Everyone in the staff table who can sign in: the demo seeds them (`resettlement up`)."""
    members = staff.everyone(session, [r.value for r in STAFF_ROLES])
    return {
        "errors": errors,
        "resume": browser_session(request).resume,
        "groups": [
            (heading, [Choice(m.user_id, _label(m)) for m in members if m.role == role])
            for heading, role in (
                ("Probation officers", Role.PROBATION_OFFICER),
                ("Governors", Role.GOVERNOR),
                ("Administrators", Role.ADMIN),
                ("Directory coordinators", Role.COORDINATOR),
                ("Partner organisations", Role.PARTNER),
            )
        ],
    }


@router.post("/sign-in", response_class=HTMLResponse)
def choose_user(request: Request, form: CheckedForm, session: SessionDep) -> Response:
    if not get_api_settings().local_mode:
        raise problem(404, "Page not found", "Sign in with your organisation's account.")
    chosen = forms.text(form, "user")
    member = staff.find(session, chosen) if chosen else None
    if member is None or member.role not in {r.value for r in STAFF_ROLES}:
        errors = Errors()
        errors.add("Select who you are signing in as.", "user")
        return render(request, "staff/sign_in.html", _choices(session, errors, request), status=422)
    role = Role(member.role)
    identity = Claims(
        sub=member.user_id,
        role=role,
        prison=member.prison_code if role in PRISON_ROLES else None,
        organisation=member.organisation_id if role == Role.PARTNER else None,
    )
    # Back to the form the person was filling in when their session ended, if any.
    resume = browser_session(request).resume
    response = RedirectResponse(resume.path if resume else HOMES[role], status_code=303)
    sign_in(
        response,
        identity,
        web_sessions.current(session, web_sessions.staff(member.user_id)),
        member.name,
        resume,
    )
    return response


@router.get("/sign-in/callback", response_class=HTMLResponse)
async def oidc_callback(request: Request, session: SessionDep) -> Response:
    if get_api_settings().local_mode:
        raise problem(404, "Page not found", "There is no such page, or it is not one of yours.")
    _production_sign_in()
    try:
        identity, name, resume = await oidc.finish(request)
    except oidc.SignInRefused as refused:
        raise problem(refused.status, refused.title, refused.message) from None
    generation = await run_in_threadpool(_record, session, request, identity, name)
    target = resume.path if resume else HOMES[identity.role]
    # A page, not a redirect: the session cookie is SameSite=Strict, and a browser withholds
    # it from a redirect that continues the provider's cross-site navigation. The page's own
    # onward navigation is same-site, so the next page sees the session.
    response = render(
        request,
        "staff/onward.html",
        {"heading": "You are signed in", "target": target, "link_text": "Continue"},
        new_session=False,
    )
    sign_in(response, identity, generation, name, resume)
    oidc.forget(response)
    return response


def _record(session: Session, request: Request, identity: Claims, name: str) -> int:
    actor = identity.actor(request.state.request_id)
    staff.record_sign_in(session=session, actor=actor, name=name, prison_code=identity.prison)
    return web_sessions.current(session, web_sessions.staff(identity.sub))


@router.post("/sign-out", response_class=HTMLResponse)
async def sign_out(request: Request, form: CheckedForm, session: SessionDep) -> Response:
    was_signed_in = await run_in_threadpool(sign_out_everywhere, request, session)
    if get_api_settings().local_mode:
        response: Response = RedirectResponse("/staff/sign-in", status_code=303)
    elif was_signed_in and oidc.configured() and (at_provider := await oidc.sign_out_url()):
        # The pages' CSP lets a form post only to this service, redirects included: the
        # browser goes on to the provider from a page instead.
        response = render(
            request,
            "staff/onward.html",
            {
                "heading": "Signing you out",
                "target": at_provider,
                "link_text": "Sign out of your organisation's account too",
            },
            new_session=False,
        )
    else:
        response = RedirectResponse("/staff/signed-out", status_code=303)
    clear_cookie(response)
    return response


@router.get("/signed-out", response_class=HTMLResponse)
def signed_out(request: Request) -> Response:
    """Where the provider returns the browser after signing out there."""
    return render(request, "staff/signed_out.html", {}, new_session=False)
