"""The API's settings, read from the environment with the service's prefix (RESETTLEMENT_)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_ISSUER = "resettlement-local"


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESETTLEMENT_", extra="ignore")

    # Production: tokens come from an OIDC provider and are verified against its keys (RS256).
    # Without an issuer the API runs in local mode and signs its own tokens (HS256).
    oidc_issuer: str | None = None
    oidc_jwks_url: str | None = None
    oidc_audience: str = "resettlement-api"
    # Closed by default: a browser page on another origin gets no access unless listed here.
    cors_origins: list[str] = []
    # Every body this API takes is a small form; anything bigger is a mistake or an attack.
    max_body_bytes: int = 64 * 1024
    # Except an admin's upload of a prison's records extract (/staff/intake): 100,000 rows
    # of CSV are about 20 MB.
    max_upload_bytes: int = 50 * 1024 * 1024
    # Prison leavers' endpoints face the open internet from personal phones.
    leaver_requests_per_minute: float = 60.0
    leaver_burst: int = 20
    # Many API workers: Redis holds the rate limits they share (redis://host:6379/0). Unset,
    # each worker counts in its own memory, which is right for one worker only.
    redis_url: str | None = None
    # Keys in Redis start with this, so several services (or tests) can share one Redis.
    redis_key_prefix: str = "resettlement"
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (comma-separated
    # addresses or networks, e.g. "10.0.0.5,10.1.0.0/16"). None by default: anyone who can
    # reach the server could otherwise pick the address the per-address rate limit counts.
    trusted_proxies: str = ""

    # Keys that sign every cookie (staff and prison leavers' sessions, the sign-in flow), newest
    # first, as a JSON list: '["new key", "old key"]'. The newest signs; all are accepted, so
    # a key is changed without signing anyone out (api/cookie_signing.py). Needed with an OIDC
    # issuer; in local mode the data directory's local secret is the one key.
    cookie_keys: list[SecretStr] = []

    @field_validator("cookie_keys")
    @classmethod
    def _long_keys(cls, keys: list[SecretStr]) -> list[SecretStr]:
        if any(len(key.get_secret_value()) < 32 for key in keys):
            raise ValueError("each cookie key needs at least 32 characters")
        return keys

    @model_validator(mode="after")
    def _jwks_with_issuer(self) -> ApiSettings:
        if self.oidc_issuer and not self.oidc_jwks_url:
            raise ValueError("RESETTLEMENT_OIDC_JWKS_URL is needed with RESETTLEMENT_OIDC_ISSUER")
        if self.oidc_issuer and not self.cookie_keys:
            # Every worker must sign cookies with the same keys: said at start, not at the
            # first cookie.
            raise ValueError("RESETTLEMENT_COOKIE_KEYS is needed with RESETTLEMENT_OIDC_ISSUER")
        return self

    @property
    def local_mode(self) -> bool:
        return not self.oidc_issuer

    @property
    def issuer(self) -> str:
        return self.oidc_issuer or LOCAL_ISSUER


@lru_cache
def get_api_settings() -> ApiSettings:
    return ApiSettings()
