"""Identity from bearer JWTs.

Production verifies RS256 tokens from the OIDC provider named in settings. Local mode (no
issuer configured) signs and verifies its own HS256 tokens with a secret kept in the data
directory, so one machine needs nothing else to try the API.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from collections import OrderedDict
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from pydantic import BaseModel, Field, ValidationError, model_validator

from api.settings import ApiSettings, get_api_settings
from resettlement import clock
from resettlement.actors import Actor, Role
from resettlement.config import get_settings
from resettlement.models import PRISON_CODE

SECRET_FILE = "jwt-secret"
# Clocks on phones and laptops drift; a small allowance avoids spurious expiries.
LEEWAY_SECONDS = 30
MAX_TOKEN_HOURS = 24 * 7
PERSON_ROLES = (
    Role.PROBATION_OFFICER,
    Role.GOVERNOR,
    Role.PRISON_LEAVER,
    Role.ADMIN,
    Role.COORDINATOR,
    Role.PARTNER,
)
# Roles whose token names their prison: they act only within it.
PRISON_ROLES = (Role.GOVERNOR, Role.COORDINATOR)


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours. Always a 401, never details."""


class Claims(BaseModel):
    sub: str = Field(min_length=1, max_length=100)
    role: Role
    prison: str | None = None
    plan: int | None = Field(default=None, ge=1, le=2**31 - 1)
    organisation: int | None = Field(default=None, ge=1, le=2**31 - 1)

    @model_validator(mode="after")
    def _scope(self) -> Claims:
        if self.role not in PERSON_ROLES:
            raise ValueError("the workflows' system role is never given to a token")
        if self.role in PRISON_ROLES and not (self.prison and PRISON_CODE.match(self.prison)):
            raise ValueError(f"a {self.role.value}'s token names their prison")
        if self.role == Role.PRISON_LEAVER and self.plan is None:
            raise ValueError("a prison leaver's token names their plan")
        if self.role == Role.PARTNER and self.organisation is None:
            raise ValueError("a partner's token names their organisation")
        return self

    def actor(self, request_id: str) -> Actor:
        return Actor(
            user_id=self.sub,
            role=self.role,
            prison_code=self.prison if self.role in PRISON_ROLES else None,
            plan_id=self.plan if self.role == Role.PRISON_LEAVER else None,
            organisation_id=self.organisation if self.role == Role.PARTNER else None,
            request_id=request_id,
        )


def secret_path() -> Path:
    return get_settings().data_dir / SECRET_FILE


def local_secret() -> bytes:
    return _read_or_create_secret(secret_path())


@lru_cache
def _read_or_create_secret(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together cannot both write a different secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} holds too short a secret; delete it to make a new one")
    return secret.encode()


def mint_token(
    *,
    role: Role | str,
    user: str,
    prison: str | None = None,
    plan: int | None = None,
    organisation: int | None = None,
    hours: float = 12,
    settings: ApiSettings | None = None,
) -> str:
    """A local-mode token. In production the OIDC provider issues tokens, never this service."""
    settings = settings or get_api_settings()
    if not settings.local_mode:
        raise RuntimeError("Tokens come from the OIDC provider when an issuer is configured.")
    if not 0 < hours <= MAX_TOKEN_HOURS:
        raise ValueError(f"hours must be more than 0 and at most {MAX_TOKEN_HOURS}")
    claims = Claims(sub=user, role=Role(role), prison=prison, plan=plan, organisation=organisation)
    now = clock.now()
    payload: dict[str, Any] = {
        "sub": claims.sub,
        "role": claims.role.value,
        "iss": settings.issuer,
        "aud": settings.oidc_audience,
        "iat": now,
        "exp": now + timedelta(hours=hours),
    }
    if claims.prison is not None:
        payload["prison"] = claims.prison
    if claims.plan is not None:
        payload["plan"] = claims.plan
    if claims.organisation is not None:
        payload["organisation"] = claims.organisation
    return jwt.encode(payload, local_secret(), algorithm="HS256")


@lru_cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    # Keys are cached and refetched when an unknown key id appears (key rotation).
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600)


def provider_key(jwks_url: str, token: str) -> Any:
    """The provider's public key for a token: the one its header's `kid` names, or, when it
    names none, the provider's only signing key (some providers, and oidc-provider-mock, put
    no `kid` on tokens signed with their single key). Several keys and no `kid` is refused:
    guessing among them would let the token choose."""
    client = _jwks_client(jwks_url)
    if jwt.get_unverified_header(token).get("kid") is not None:
        return client.get_signing_key_from_jwt(token).key
    signing = [k for k in client.get_jwk_set().keys if k.public_key_use in ("sig", None)]
    if len(signing) != 1:
        raise jwt.InvalidTokenError("the token names no key and the provider has several")
    return signing[0].key


def verify(token: str, settings: ApiSettings | None = None) -> Claims:
    """The token's claims, or InvalidToken.

    A client sends the same token with every request until it expires, so a good token's
    claims are remembered for a few minutes (never past its expiry): checking a signature
    costs more than the rest of a simple read.
    """
    settings = settings or get_api_settings()
    key_source = settings.oidc_jwks_url if not settings.local_mode else str(secret_path())
    cache_key = (
        hashlib.sha256(token.encode()).digest(),
        settings.issuer,
        settings.oidc_audience,
        key_source,
    )
    claims = _verified.get(cache_key)
    if claims is None:
        claims, expires = _verify_signed(token, settings)
        _verified.put(cache_key, claims, expires)
    return claims


def _verify_signed(token: str, settings: ApiSettings) -> tuple[Claims, float]:
    try:
        if settings.local_mode:
            key: Any = local_secret()
            # One algorithm per mode: an attacker cannot pick "none" or swap RS256 for HS256.
            algorithm = "HS256"
        else:
            assert settings.oidc_jwks_url is not None
            key = provider_key(settings.oidc_jwks_url, token)
            algorithm = "RS256"
        payload = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=settings.oidc_audience,
            issuer=settings.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        return Claims.model_validate(payload), float(payload["exp"]) + LEEWAY_SECONDS
    except (jwt.PyJWTError, ValidationError, ValueError, TypeError) as exc:
        raise InvalidToken(str(exc)) from None


class VerifiedTokens:
    """Claims of tokens already checked, by the token's hash, each until the sooner of the
    token's expiry and `hold_seconds` from its check (so a key the provider withdraws stops
    working within minutes). Bounded, oldest out first; shared by the worker threads."""

    def __init__(self, size: int = 4096, hold_seconds: float = 300) -> None:
        self.size = size
        self.hold_seconds = hold_seconds
        self._entries: OrderedDict[tuple[Any, ...], tuple[Claims, float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Claims | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            claims, expires, held_until = entry
            if time.time() >= expires or time.monotonic() >= held_until:
                del self._entries[key]
                return None
            return claims

    def put(self, key: tuple[Any, ...], claims: Claims, expires: float) -> None:
        with self._lock:
            self._entries[key] = (claims, expires, time.monotonic() + self.hold_seconds)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_verified = VerifiedTokens()
