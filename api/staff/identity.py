"""Who is signed in to the staff pages: a signed, HttpOnly, SameSite=Strict session cookie that
holds who they are (the same claims the API takes from a token: user, role, prison), as the
identity provider said at sign-in (or the local sign-in page, in local mode), and the CSRF
token every form carries. Signed with the rotating cookie keys (api/cookie_signing.py).

The cookie is scoped to /staff, so the JSON API (bearer tokens only) never receives it and
cannot be driven by a forged cross-site request.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.routing import Match

from api import cookie_signing
from api.auth import Claims
from api.deps import SessionDep
from api.pages.templating import PageProblem
from api.settings import get_api_settings
from api.staff.forms import kept as forms_kept
from api.staff.settings import get_staff_settings
from resettlement import web_sessions
from resettlement.actors import Actor, Role
from resettlement.demo import PRISONS

# Staff pages are in English for now; the prison leaver's pages are the bilingual ones.
LANGUAGE = "en"
COOKIE = "resettlement_staff"
COOKIE_PATH = "/staff"
CSRF_FIELD = "csrf_token"
# Forms whose sending is not worth keeping across a sign-in.
NO_RESUME = ("/staff/sign-in", "/staff/sign-out")
STAFF_ROLES = (
    Role.PROBATION_OFFICER,
    Role.GOVERNOR,
    Role.ADMIN,
    Role.COORDINATOR,
    Role.PARTNER,
)
PRISON_NAMES = {p.code: p.name for p in PRISONS}
PRISON_NATIONS = {p.code: p.nation for p in PRISONS}


# How long after a session ends the browser keeps its cookie: long enough that a form sent
# after the sign-in expired can still be recognised as this browser's own and kept.
RESUME_GRACE_HOURS = 12.0
# A cookie must stay under about 4 KB; what was typed is kept only if it fits.
RESUME_MAX_CHARS = 2400


@dataclass(frozen=True)
class Resume:
    """A form sent after the session ended: where to return after sign-in, with what was
    typed (never the CSRF token or the record's version)."""

    path: str
    values: dict[str, Any]
    kept: bool = True


class SignInRequired(Exception):
    """No valid sign-in: the browser is sent to the sign-in page, with the form it sent if the
    session ended under it."""

    def __init__(self, resume: Resume | None = None) -> None:
        super().__init__("sign in")
        self.resume = resume


def problem(status: int, title: str, message: str) -> PageProblem:
    """A page that cannot be shown: the shared problem page, in the staff layout."""
    return PageProblem(
        status, "staff/problem.html", {"title": title, "message": message}, language=LANGUAGE
    )


def not_found() -> PageProblem:
    # Worded as for a record that does not exist: a page never confirms someone else's record.
    return problem(404, "Page not found", "There is no such page, or it is not one of yours.")


# --- the signed cookie ------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSession:
    csrf: str
    # Who signed in; None until someone does.
    identity: Claims | None = None
    issued: int = 0
    # The user's sign-out generation when they signed in (resettlement.web_sessions): a cookie
    # from before a sign-out is refused after it, even a copy.
    generation: int = 0
    # The signed-in person's name, as the staff table had it at sign-in: pages greet them by
    # name without a query each time.
    name: str | None = None
    resume: Resume | None = None


SIGNED_AS = "staff session"


def encode_session(session: StaffSession) -> str:
    return cookie_signing.sign(
        SIGNED_AS,
        {
            "c": session.csrf,
            "a": session.identity.model_dump(mode="json", exclude_none=True)
            if session.identity
            else None,
            "i": session.issued,
            "g": session.generation,
            "n": session.name,
            "r": [session.resume.path, session.resume.values, session.resume.kept]
            if session.resume
            else None,
        },
    )


def decode_session(value: str | None, *, allow_expired: bool = False) -> StaffSession | None:
    data = cookie_signing.unsign(SIGNED_AS, value)
    try:
        found = data.get("a")
        session = StaffSession(
            csrf=str(data["c"]),
            identity=Claims.model_validate(found) if found is not None else None,
            issued=int(data["i"]),
            generation=int(data.get("g", 0)),
            name=data.get("n") if isinstance(data.get("n"), str) else None,
            resume=_resume(data.get("r")),
        )
    except (ValueError, KeyError, TypeError, AttributeError, ValidationError):
        return None
    max_age = get_staff_settings().session_hours * 3600
    if not session.csrf or (not allow_expired and time.time() - session.issued > max_age):
        return None
    return session


def _resume(found: Any) -> Resume | None:
    if not (isinstance(found, list) and len(found) == 3):
        return None
    path, values, kept = found
    if not (isinstance(path, str) and path.startswith("/staff/") and isinstance(values, dict)):
        return None
    return Resume(path, values, bool(kept))


def new_session(
    identity: Claims | None = None, name: str | None = None, generation: int = 0
) -> StaffSession:
    return StaffSession(
        csrf=secrets.token_urlsafe(32),
        identity=identity,
        issued=int(time.time()),
        name=name,
        generation=generation,
    )


def cookie_secure() -> bool:
    configured = get_staff_settings().cookie_secure
    return (not get_api_settings().local_mode) if configured is None else configured


def set_cookie(response: Response, session: StaffSession) -> None:
    settings = get_staff_settings()
    secure = cookie_secure()
    response.set_cookie(
        COOKIE,
        encode_session(session),
        max_age=int((settings.session_hours + RESUME_GRACE_HOURS) * 3600),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def browser_session(request: Request) -> StaffSession:
    """The browser's session, made on first sight so even the sign-in form has a CSRF token.
    A new one is remembered on request.state and written out by `remember`."""
    found = getattr(request.state, "staff_session", None)
    if isinstance(found, StaffSession):
        return found
    session = decode_session(request.cookies.get(COOKIE))
    if session is None:
        session = new_session()
        request.state.staff_session_is_new = True
    request.state.staff_session = session
    return session


def remember(request: Request, response: Response) -> Response:
    """Writes the session cookie if this request had to make one."""
    if getattr(request.state, "staff_session_is_new", False):
        set_cookie(response, request.state.staff_session)
    return response


def sign_in(
    response: Response,
    identity: Claims,
    generation: int,
    name: str | None = None,
    resume: Resume | None = None,
) -> None:
    # A fresh CSRF token at sign-in: a token planted before sign-in is worth nothing after it.
    set_cookie(response, replace(new_session(identity, name, generation), resume=resume))


def keep_for_after_sign_in(response: Response, resume: Resume) -> None:
    """A session with no sign-in that remembers the form to return to."""
    set_cookie(response, replace(new_session(), resume=resume))


def take_resume(request: Request) -> Resume | None:
    """The form kept for this page, once: the session forgets it as the page is shown."""
    session = browser_session(request)
    if session.resume is None or session.resume.path != request.url.path:
        return None
    request.state.staff_session = replace(session, resume=None)
    request.state.staff_session_is_new = True
    return session.resume


def csrf_token(request: Request) -> str:
    return browser_session(request).csrf


# --- dependencies -----------------------------------------------------------------------


def signed_in(request: Request, db: SessionDep) -> Actor:
    """The staff member signed in on this browser, in a session not yet expired and not
    signed out since (on any browser)."""
    session = browser_session(request)
    if session.identity is None:
        raise SignInRequired(_resume_of(request))
    actor = session.identity.actor(request.state.request_id)
    if web_sessions.current(db, web_sessions.staff(actor.user_id)) != session.generation:
        raise SignInRequired(_resume_of(request))
    if actor.role not in STAFF_ROLES:
        raise problem(
            403,
            "You cannot use these pages",
            "These pages are for probation officers, governors, administrators and partners.",
        )
    request.state.staff_actor = actor
    request.state.staff_name = session.name
    return actor


StaffMember = Annotated[Actor, Depends(signed_in)]


def page_role(*roles: Role) -> Callable[[Actor], Actor]:
    def check(actor: StaffMember) -> Actor:
        if actor.role not in roles:
            raise problem(
                403,
                "You cannot use this page",
                "Your role cannot use this part of the service.",
            )
        return actor

    return check


PageOfficer = Annotated[Actor, Depends(page_role(Role.PROBATION_OFFICER))]
PageGovernor = Annotated[Actor, Depends(page_role(Role.GOVERNOR))]
PageReportReader = Annotated[Actor, Depends(page_role(Role.ADMIN, Role.GOVERNOR))]
# Those who keep a prison's directory of local services.
PageCoordinator = Annotated[Actor, Depends(page_role(Role.COORDINATOR, Role.ADMIN))]


def _csrf_matches(sent: Any, session: StaffSession | None) -> bool:
    return (
        session is not None
        and isinstance(sent, str)
        and hmac.compare_digest(sent.encode(), session.csrf.encode())
    )


def _resume_of(request: Request) -> Resume | None:
    """The form this request sent, if it was checked as this browser's own."""
    form = getattr(request.state, "staff_form", None)
    if request.method != "POST" or not isinstance(form, FormData):
        return None
    return resume_for(request, form)


def resume_for(request: Request, form: FormData) -> Resume:
    values = forms_kept(form)
    path = _page_for(request, request.url.path)
    if len(json.dumps(values)) > RESUME_MAX_CHARS:
        return Resume(path, {}, kept=False)
    return Resume(path, values)


def _page_for(request: Request, path: str) -> str:
    """The page a form was on: its own address when that answers GET, else the nearest
    address above it that does (a plan's step buttons post to /plans/1/transition)."""
    candidate = path
    for _ in range(3):
        scope = {"type": "http", "path": candidate, "method": "GET", "root_path": ""}
        for route in request.app.router.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return candidate
        candidate = candidate.rsplit("/", 1)[0] or "/staff"
    return "/staff"


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the one in the signed session cookie.

    A form sent after the session ended, from a page of this browser's own (its CSRF token
    matches the ended session's), is kept and the person asked to sign in again; anything
    else is refused."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    session = decode_session(request.cookies.get(COOKIE))
    if not _csrf_matches(sent, session):
        ended = decode_session(request.cookies.get(COOKIE), allow_expired=True)
        if session is None and _csrf_matches(sent, ended) and request.url.path not in NO_RESUME:
            raise SignInRequired(resume_for(request, form))
        raise problem(
            403,
            "This form has expired",
            "The form could not be checked as coming from this service. Go back, reload the "
            "page and try again.",
        )
    request.state.staff_session = session
    request.state.staff_form = form
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def sign_out_everywhere(request: Request, db: SessionDep) -> bool:
    """Ends the signed-in user's sessions on the server, on every browser they used. False if
    nobody was signed in on this browser."""
    session = decode_session(request.cookies.get(COOKIE))
    if session is None or session.identity is None:
        return False
    web_sessions.end_sessions(session=db, subject=web_sessions.staff(session.identity.sub))
    return True
