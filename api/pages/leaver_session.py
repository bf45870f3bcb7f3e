"""The prison leaver's signed session cookie: which link they confirmed, and its secret (so the
printed page can carry the link as a QR code). Signed, never encrypted: it holds nothing the
person's own link did not already hold. Every request checks the link again in the database,
and the link's sign-out generation, so a cookie copied before sign-out is refused after it.

Also the date-of-birth form's CSRF token: without it a page elsewhere could post its own
link and date of birth from a victim's browser and sign that browser into someone else's plan
(login CSRF). The token is a random value in a cookie the form must repeat (double submit):
the cookie is SameSite=Strict, so a post from another site arrives without it, and the other
site cannot read it to copy it into the form."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from fastapi import Request, Response
from pydantic_settings import BaseSettings, SettingsConfigDict

from api import cookie_signing
from api.settings import get_api_settings
from resettlement import clock

COOKIE = "leaver_session"
CSRF_COOKIE = "leaver_form"
CSRF_FIELD = "csrf_token"
# Only the sign-in form needs the token cookie.
CSRF_PATH = "/plan-link/"
# The signed-in person's own forms (their answers about their first days) have a token of
# their own, scoped to the plan's pages.
PLAN_FORM_COOKIE = "leaver_plan_form"
PLAN_FORM_PATH = "/my-plan/"
# Where a person who was not signed in was going (a link in a message goes straight to one of
# their plan's pages): remembered for the sign-in, signed, for an hour, only ever a plan page.
RETURN_COOKIE = "leaver_return"
RETURN_PURPOSE = "leaver return"
RETURN_MAX_AGE_SECONDS = 3600
# A session lasts a day at most; the link's own expiry and revocation still apply at once.
MAX_AGE_SECONDS = 24 * 3600


class PageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESETTLEMENT_", extra="ignore")

    # The leaver's cookies are sent over HTTPS only. None: on, except in local mode (no OIDC
    # issuer), which serves plain http on 127.0.0.1. Not taken from the request's scheme, which
    # behind a proxy says nothing about what the browser used.
    leaver_cookie_secure: bool | None = None


@lru_cache
def get_page_settings() -> PageSettings:
    return PageSettings()


def cookie_secure() -> bool:
    configured = get_page_settings().leaver_cookie_secure
    return (not get_api_settings().local_mode) if configured is None else configured


# A supporter's session cookie is signed with a salt of its own, so a cookie made for one kind
# of link can never be taken for the other's.
LEAVER = "leaver session"
SUPPORTER = "supporter session"


@dataclass(frozen=True)
class LeaverCookie:
    link_id: int
    secret: str
    # The link's sign-out generation when the cookie was made (resettlement.web_sessions).
    generation: int


def encode(
    link_id: int, secret: str, issued: int, generation: int = 0, purpose: str = LEAVER
) -> str:
    return cookie_signing.sign(purpose, {"l": link_id, "s": secret, "t": issued, "g": generation})


def decode(value: str | None, purpose: str = LEAVER) -> LeaverCookie | None:
    """The link, secret and generation from a good, unexpired cookie; None for anything else."""
    data = cookie_signing.unsign(purpose, value if value and len(value) <= 1000 else None)
    try:
        cookie = LeaverCookie(int(data["l"]), str(data["s"]), int(data["g"]))
        issued = int(data["t"])
    except (ValueError, KeyError, TypeError):
        return None
    if not 0 <= clock.now().timestamp() - issued <= MAX_AGE_SECONDS:
        return None
    return cookie


def read(request: Request) -> LeaverCookie | None:
    return decode(request.cookies.get(COOKIE))


def start(response: Response, request: Request, link_id: int, secret: str, generation: int) -> None:
    response.set_cookie(
        COOKIE,
        encode(link_id, secret, int(clock.now().timestamp()), generation),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(),
        path="/",
    )


def end(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=cookie_secure()
    )


def form_token(request: Request, cookie: str = CSRF_COOKIE) -> str:
    """The browser's sign-in form token: the one its cookie holds, or a new one."""
    found = request.cookies.get(cookie)
    if found and 32 <= len(found) <= 100:
        return found
    return secrets.token_urlsafe(32)


def keep_form_token(
    response: Response,
    request: Request,
    token: str,
    cookie: str = CSRF_COOKIE,
    path: str = CSRF_PATH,
) -> None:
    if request.cookies.get(cookie) != token:
        response.set_cookie(
            cookie,
            token,
            httponly=True,
            samesite="strict",
            secure=cookie_secure(),
            path=path,
        )


def form_token_matches(request: Request, sent: str, cookie: str = CSRF_COOKIE) -> bool:
    expected = request.cookies.get(cookie)
    if not expected or not sent:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())


def is_plan_page(path: str) -> bool:
    """A page of the person's own plan, and nothing that could lead anywhere else."""
    return (
        path.startswith(PLAN_FORM_PATH)
        and len(path) <= 200
        and "//" not in path
        and all(c.isalnum() or c in "/-_" for c in path)
    )


def return_cookie(path: str) -> str:
    """The Set-Cookie header that remembers `path` for the sign-in form's post (sent there
    only: the cookie's path is the sign-in link's)."""
    probe = Response()
    probe.set_cookie(
        RETURN_COOKIE,
        cookie_signing.sign_timed(RETURN_PURPOSE, path),
        max_age=RETURN_MAX_AGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(),
        path=CSRF_PATH,
    )
    return probe.headers["set-cookie"]


def return_path(request: Request) -> str | None:
    """The plan page the person was going to before signing in, if one is remembered."""
    found = cookie_signing.unsign_timed(
        RETURN_PURPOSE, request.cookies.get(RETURN_COOKIE), RETURN_MAX_AGE_SECONDS
    )
    return found if isinstance(found, str) and is_plan_page(found) else None


def forget_return(response: Response) -> None:
    response.delete_cookie(
        RETURN_COOKIE, path=CSRF_PATH, httponly=True, samesite="strict", secure=cookie_secure()
    )
