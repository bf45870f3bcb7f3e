"""Settings for the staff pages, read from the environment (prefix RESETTLEMENT_STAFF_).

The identity itself (issuer, audience, keys) is the API's: staff sign in as the same users,
with the same tokens. These settings cover only what a browser adds: the cookie and, in
production, the OIDC sign-in redirect.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class StaffSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESETTLEMENT_STAFF_", extra="ignore")

    # Signs the session cookie. Needed in production (with several workers it must be shared);
    # in local mode it is derived from the local token secret in the data directory.
    session_secret: SecretStr | None = None
    # A working day of sign-in; the token inside expires with the cookie.
    session_hours: float = 9.0
    # None: Secure in production, not in local mode (served over plain http on 127.0.0.1).
    cookie_secure: bool | None = None
    # Production sign-in (authorisation code flow). The issuer is RESETTLEMENT_OIDC_ISSUER;
    # the authorize endpoint defaults to "<issuer>/authorize" (see the provider's discovery
    # document, /.well-known/openid-configuration).
    oidc_client_id: str | None = None
    oidc_authorize_url: str | None = None
    # Where the provider sends the browser back, as registered with the provider.
    oidc_redirect_url: str | None = None


@lru_cache
def get_staff_settings() -> StaffSettings:
    return StaffSettings()
