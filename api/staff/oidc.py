"""Staff sign-in through the organisation's OpenID Connect provider, with Authlib's Starlette
client: the authorisation code flow with PKCE (S256), a state and a nonce.

The state, nonce and PKCE verifier of a sign-in under way are kept in a short-lived cookie of
their own, signed like every cookie (api/cookie_signing.py), so any worker can finish a
sign-in another began. It is SameSite=Lax: the provider's redirect back is a navigation from
another site, which a Strict cookie would miss. Authlib checks the state (a forged one, or one
already used, is refused: the callback forgets it), sends the verifier, and verifies the ID
token: its signature against the provider's published keys (by `kid`, or the only key when the
token names none), issuer, audience, expiry and nonce.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from fastapi import Request, Response
from pydantic import ValidationError

from api import cookie_signing
from api.auth import LEEWAY_SECONDS, PRISON_ROLES, Claims
from api.settings import get_api_settings
from api.staff.identity import Resume, cookie_secure
from api.staff.settings import StaffSettings, get_staff_settings
from resettlement.actors import Role

log = logging.getLogger(__name__)

FLOW_COOKIE = "resettlement_sign_in"
# The sign-in page and its callback only.
FLOW_PATH = "/staff/sign-in"
FLOW_SECONDS = 600
SIGNED_AS = "sign-in flow"
# Browsers keep cookies up to about 4 KB: past this the typed form is left out of the flow.
FLOW_MAX_CHARS = 3800


class SignInRefused(Exception):
    """The provider's answer does not sign anyone in: said plainly on a problem page."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.message = message


def configured() -> bool:
    staff = get_staff_settings()
    return bool(get_api_settings().oidc_issuer and staff.oidc_client_id and staff.oidc_redirect_url)


def client() -> Any:
    api = get_api_settings()
    staff = get_staff_settings()
    assert api.oidc_issuer and staff.oidc_client_id
    secret = staff.oidc_client_secret.get_secret_value() if staff.oidc_client_secret else None
    metadata = staff.oidc_metadata_url or (
        api.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
    )
    return _client(metadata, staff.oidc_client_id, secret, staff.oidc_scope)


@lru_cache
def _client(metadata_url: str, client_id: str, secret: str | None, scope: str) -> Any:
    # One per configuration: it keeps the provider's discovery document and keys once fetched.
    # Imported here: local mode never needs Authlib, and every worker starts faster without it.
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    return oauth.register(
        "provider",
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=metadata_url,
        client_kwargs={"scope": scope, "code_challenge_method": "S256", "timeout": 10},
    )


async def start(request: Request, resume: Resume | None) -> Response:
    """The redirect to the provider's sign-in, with a new state, nonce and PKCE verifier."""
    import httpx

    staff = get_staff_settings()
    flow: dict[str, Any] = {}
    request.scope["session"] = flow
    try:
        response: Response = await client().authorize_redirect(request, staff.oidc_redirect_url)
    except (httpx.HTTPError, ValueError, RuntimeError) as exc:
        # The discovery document could not be had: nothing to send the browser to.
        log.warning("identity provider unreachable: %s", type(exc).__name__)
        raise _unreachable() from None
    response.status_code = 303
    kept: dict[str, Any] = {"authlib": flow}
    if resume is not None:
        kept["resume"] = [resume.path, resume.values, resume.kept]
    value = cookie_signing.sign_timed(SIGNED_AS, kept)
    if len(value) > FLOW_MAX_CHARS and resume is not None:
        kept["resume"] = [resume.path, {}, False]
        value = cookie_signing.sign_timed(SIGNED_AS, kept)
    response.set_cookie(
        FLOW_COOKIE,
        value,
        max_age=FLOW_SECONDS,
        path=FLOW_PATH,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(),
    )
    return response


async def finish(request: Request) -> tuple[Claims, str, Resume | None]:
    """Who the provider says signed in, checked; SignInRefused for anything else."""
    import httpx
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.starlette_client import OAuthError
    from joserfc.errors import JoseError

    kept = cookie_signing.unsign_timed(SIGNED_AS, request.cookies.get(FLOW_COOKIE), FLOW_SECONDS)
    if not isinstance(kept, dict) or not isinstance(kept.get("authlib"), dict):
        kept = {"authlib": {}}
    request.scope["session"] = kept["authlib"]
    try:
        token = await client().authorize_access_token(request, leeway=LEEWAY_SECONDS)
    except httpx.TransportError as exc:
        log.warning("identity provider unreachable: %s", type(exc).__name__)
        raise _unreachable() from None
    except (OAuthError, AuthlibBaseError, JoseError, httpx.HTTPError, ValueError, KeyError) as exc:
        # Never the token or the code in the log: the kind of failure is enough.
        log.warning("staff sign-in refused: %s", type(exc).__name__)
        raise SignInRefused(
            400,
            "Sign-in did not work",
            "The answer from your organisation's sign-in could not be checked, or it had "
            "already been used or had expired. Start again from the sign-in page.",
        ) from None
    claims = token.get("userinfo")
    if not isinstance(claims, Mapping):
        raise SignInRefused(400, "Sign-in did not work", "No identity came back from sign-in.")
    identity, name = identity_from(claims, get_staff_settings())
    return identity, name, _resume(kept.get("resume"))


def _unreachable() -> SignInRefused:
    return SignInRefused(
        503,
        "Sign-in is not available just now",
        "Your organisation's sign-in could not be reached. Try again in a few minutes.",
    )


def _resume(found: Any) -> Resume | None:
    if not (isinstance(found, list) and len(found) == 3):
        return None
    path, values, kept = found
    if not (isinstance(path, str) and path.startswith("/staff/") and isinstance(values, dict)):
        return None
    return Resume(path, values, bool(kept))


def identity_from(claims: Mapping[str, Any], settings: StaffSettings) -> tuple[Claims, str]:
    """The user, role, prison and name the configured claims give, or SignInRefused."""
    user = claims.get(settings.oidc_user_claim)
    if not isinstance(user, str) or not user.strip():
        raise SignInRefused(
            403,
            "We could not tell who you are",
            "Your organisation's sign-in did not say who you are. Contact the service desk.",
        )
    found = claims.get(settings.oidc_role_claim)
    values = found if isinstance(found, list) else [found]
    roles = {
        settings.oidc_roles[v] for v in values if isinstance(v, str) and v in settings.oidc_roles
    }
    if not roles:
        raise SignInRefused(
            403,
            "You do not have access to this service",
            "You signed in, but your account has no role in this service. Ask your manager to "
            "give you access as a probation officer, governor or administrator.",
        )
    if len(roles) > 1:
        raise SignInRefused(
            403,
            "Your account has more than one role",
            "Your account gives you more than one role in this service. Ask your manager to "
            "leave you one.",
        )
    role = Role(roles.pop())
    prison = claims.get(settings.oidc_prison_claim) if role in PRISON_ROLES else None
    try:
        identity = Claims(sub=user.strip(), role=role, prison=prison)
    except ValidationError:
        raise SignInRefused(
            403,
            "Your account does not name your prison",
            "A governor's or coordinator's account must name their prison. Ask your manager "
            "to add it.",
        ) from None
    name = claims.get(settings.oidc_name_claim)
    if not isinstance(name, str) or not name.strip():
        name = identity.sub
    return identity, name.strip()[:200]


def forget(response: Response) -> None:
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH, httponly=True, samesite="lax")


async def sign_out_url() -> str | None:
    """The provider's end-session address (RP-initiated logout), when it has one."""
    import httpx

    staff = get_staff_settings()
    try:
        metadata = await client().load_server_metadata()
    except (httpx.HTTPError, ValueError) as exc:
        # Signed out here already: the provider's session is left to expire on its own.
        log.warning("provider metadata unavailable for sign-out: %s", type(exc).__name__)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    found = await client().create_logout_url(
        post_logout_redirect_uri=staff.post_logout_redirect_url, client_id=staff.oidc_client_id
    )
    return str(found["url"])
