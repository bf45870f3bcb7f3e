"""Every signed cookie, signed one way: itsdangerous with a list of keys.

RESETTLEMENT_COOKIE_KEYS lists the keys newest first. Cookies are signed with the newest and
any listed key is accepted, so a key is changed without signing anyone out: put the new key
first, and remove the old one once the longest cookie it signed has expired (a day for a
prison leaver, the staff session's hours plus its grace). A key removed from the list stops
every cookie it signed at once.

Each kind of cookie signs with a salt of its own, so one kind can never stand in for another,
and a cookie's signature is never a valid local token's (the local secret is only the key in
local mode, and always salted).
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

from api.auth import local_secret
from api.settings import get_api_settings


def keys() -> list[bytes]:
    """Oldest first, as itsdangerous takes them (it signs with the last)."""
    settings = get_api_settings()
    if settings.cookie_keys:
        return [key.get_secret_value().encode() for key in reversed(settings.cookie_keys)]
    if not settings.local_mode:
        # Each worker would otherwise make its own key, and refuse every other's cookies.
        raise RuntimeError("Set RESETTLEMENT_COOKIE_KEYS when an OIDC issuer is set.")
    return [local_secret()]


def _salt(purpose: str) -> bytes:
    return f"resettlement {purpose} cookie".encode()


def sign(purpose: str, data: Any) -> str:
    return URLSafeSerializer(keys(), salt=_salt(purpose)).dumps(data)


def unsign(purpose: str, value: str | None) -> Any:
    """The data of a cookie signed with any listed key, or None."""
    if not value or len(value) > 4096:
        return None
    try:
        return URLSafeSerializer(keys(), salt=_salt(purpose)).loads(value)
    except BadData:
        return None


def sign_timed(purpose: str, data: Any) -> str:
    return URLSafeTimedSerializer(keys(), salt=_salt(purpose)).dumps(data)


def unsign_timed(purpose: str, value: str | None, max_age_seconds: int) -> Any:
    """As `unsign`, for a cookie signed with `sign_timed` no longer ago than the limit."""
    if not value or len(value) > 4096:
        return None
    try:
        return URLSafeTimedSerializer(keys(), salt=_salt(purpose)).loads(
            value, max_age=max_age_seconds
        )
    except BadData:
        return None
