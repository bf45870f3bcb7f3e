"""The prison leaver's signed session cookie: which link they confirmed, and its secret (so the
printed page can carry the link as a QR code). Signed, never encrypted: it holds nothing the
person's own link did not already hold. Every request checks the link again in the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache

from fastapi import Request, Response
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.auth import local_secret
from resettlement import clock

COOKIE = "leaver_session"
# A session lasts a day at most; the link's own expiry and revocation still apply at once.
MAX_AGE_SECONDS = 24 * 3600


class PageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESETTLEMENT_", extra="ignore")

    # Shared by every API worker. Without it, a key is derived from the data directory's local
    # secret, which is enough for one machine.
    page_secret: SecretStr | None = None


@lru_cache
def get_page_settings() -> PageSettings:
    return PageSettings()


def _key() -> bytes:
    configured = get_page_settings().page_secret
    base = configured.get_secret_value().encode() if configured else local_secret()
    return hmac.new(base, b"resettlement leaver session cookie", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(link_id: int, secret: str, issued: int) -> str:
    body = _b64(json.dumps({"l": link_id, "s": secret, "t": issued}).encode())
    signature = _b64(hmac.new(_key(), body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def decode(value: str | None) -> tuple[int, str] | None:
    """(link id, secret) from a good, unexpired cookie; None for anything else."""
    if not value or value.count(".") != 1 or len(value) > 1000:
        return None
    body, signature = value.split(".")
    expected = _b64(hmac.new(_key(), body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(signature, expected):
        return None
    try:
        data = json.loads(_unb64(body))
        link_id, secret, issued = int(data["l"]), str(data["s"]), int(data["t"])
    except (ValueError, KeyError, TypeError):
        return None
    if not 0 <= clock.now().timestamp() - issued <= MAX_AGE_SECONDS:
        return None
    return link_id, secret


def read(request: Request) -> tuple[int, str] | None:
    return decode(request.cookies.get(COOKIE))


def start(response: Response, request: Request, link_id: int, secret: str) -> None:
    response.set_cookie(
        COOKIE,
        encode(link_id, secret, int(clock.now().timestamp())),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def end(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
