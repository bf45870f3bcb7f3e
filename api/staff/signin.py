"""Staff sign-in and sign-out.

Production (RESETTLEMENT_OIDC_ISSUER set): the sign-in page sends the browser to the identity
provider (authorisation code flow). The provider's callback, where the code is exchanged for
the same JWT the API takes, is the hook left to write against the chosen provider: until then
it says so plainly.

Local mode: a page lists the made-up staff from resettlement.demo; choosing one mints a local
token with api.auth, exactly as `resettlement token` does, and keeps it in the session cookie.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.auth import mint_token
from api.deps import SessionDep
from api.settings import get_api_settings
from api.staff import forms
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
from api.staff.settings import get_staff_settings
from resettlement import staff, web_sessions
from resettlement.actors import Role

router = APIRouter(prefix="/staff", include_in_schema=False)

HOMES = {
    Role.PROBATION_OFFICER: "/staff/caseload",
    Role.GOVERNOR: "/staff/early-release",
    Role.ADMIN: "/staff/reports",
    Role.PARTNER: "/staff/partner",
}


def to_sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    response = RedirectResponse("/staff/sign-in", status_code=303)
    if exc.resume is not None:
        keep_for_after_sign_in(response, exc.resume)
    return response


def authorize_url(state: str) -> str | None:
    """Where the OIDC provider's sign-in is, or None until the client is registered."""
    api = get_api_settings()
    staff = get_staff_settings()
    if not (api.oidc_issuer and staff.oidc_client_id and staff.oidc_redirect_url):
        return None
    base = staff.oidc_authorize_url or api.oidc_issuer.rstrip("/") + "/authorize"
    query = urlencode(
        {
            "response_type": "code",
            "client_id": staff.oidc_client_id,
            "redirect_uri": staff.oidc_redirect_url,
            "scope": "openid profile",
            "state": state,
        }
    )
    return f"{base}?{query}"


@router.get("", response_class=HTMLResponse)
def home(actor: StaffMember) -> Response:
    return RedirectResponse(HOMES[actor.role], status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, session: SessionDep) -> Response:
    if not get_api_settings().local_mode:
        target = authorize_url(secrets.token_urlsafe(16))
        if target is None:
            raise problem(
                503,
                "Sign-in is not set up yet",
                "An identity provider is configured, but this service is not yet registered "
                "with it. Set RESETTLEMENT_STAFF_OIDC_CLIENT_ID and "
                "RESETTLEMENT_STAFF_OIDC_REDIRECT_URL.",
            )
        return RedirectResponse(target, status_code=303)
    return render(request, "staff/sign_in.html", _choices(session, Errors(), request))


@dataclass(frozen=True)
class Choice:
    user_id: str
    label: str


def _label(member: staff.StaffMember) -> str:
    words = staff.ROLE_WORDS.get(member.role, member.role)
    if member.role == Role.GOVERNOR and member.prison_code:
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
    token = mint_token(
        role=role,
        user=member.user_id,
        prison=member.prison_code if role == Role.GOVERNOR else None,
        organisation=member.organisation_id if role == Role.PARTNER else None,
        hours=get_staff_settings().session_hours,
    )
    # Back to the form the person was filling in when their session ended, if any.
    resume = browser_session(request).resume
    response = RedirectResponse(resume.path if resume else HOMES[role], status_code=303)
    sign_in(
        response,
        token,
        web_sessions.current(session, web_sessions.staff(member.user_id)),
        member.name,
        resume,
    )
    return response


@router.get("/sign-in/callback", response_class=HTMLResponse)
def oidc_callback() -> Response:
    # The hook: exchange ?code= at the provider's token endpoint, check ?state=, verify the
    # returned token with api.auth.verify, then call identity.sign_in(response, token).
    raise problem(
        501,
        "Sign-in with the identity provider is not finished",
        "The code exchange with the identity provider has not been written for this "
        "deployment yet. Ask the service team.",
    )


@router.post("/sign-out", response_class=HTMLResponse)
def sign_out(request: Request, form: CheckedForm, session: SessionDep) -> Response:
    sign_out_everywhere(request, session)
    response = RedirectResponse("/staff/sign-in", status_code=303)
    clear_cookie(response)
    return response
