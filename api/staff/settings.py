"""Settings for the staff pages, read from the environment (prefix RESETTLEMENT_STAFF_).

The identity provider (RESETTLEMENT_OIDC_ISSUER) is the API's; these settings cover what a
browser adds: the session's length and cookie, and, in production, the OpenID Connect client
that signs staff in and out, with the claims that say who they are.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

STAFF_ROLE_VALUES = ("probation_officer", "governor", "admin")


class StaffSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESETTLEMENT_STAFF_", extra="ignore")

    # The cookie is signed with RESETTLEMENT_COOKIE_KEYS (api/cookie_signing.py).
    # A working day of sign-in.
    session_hours: float = 9.0
    # None: Secure in production, not in local mode (served over plain http on 127.0.0.1).
    cookie_secure: bool | None = None

    # Production sign-in: OpenID Connect's authorisation code flow with PKCE (S256), state and
    # nonce, against RESETTLEMENT_OIDC_ISSUER. The provider's endpoints and keys come from its
    # discovery document, "<issuer>/.well-known/openid-configuration" unless given here.
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_metadata_url: str | None = None
    # Where the provider sends the browser back: this service's /staff/sign-in/callback, as
    # registered with the provider.
    oidc_redirect_url: str | None = None
    # Where the provider sends the browser after signing out there (RP-initiated logout), as
    # registered with it. Unset: /staff/signed-out beside the redirect URL.
    oidc_post_logout_redirect_url: str | None = None
    oidc_scope: str = "openid profile"
    # The ID token's claims that say who someone is: their user id (the audit trail's actor),
    # role, prison (a governor's) and the name the pages show.
    oidc_user_claim: str = "sub"
    oidc_role_claim: str = "role"
    oidc_prison_claim: str = "prison"
    oidc_name_claim: str = "name"
    # The role claim's values (a string or a list) and the role each gives here; a person whose
    # claim holds none of these cannot sign in. As JSON: '{"PROBATION_PRACTITIONER":
    # "probation_officer", "GOVERNOR": "governor", "RESETTLEMENT_ADMIN": "admin"}'.
    oidc_roles: dict[str, str] = Field(
        default_factory=lambda: {role: role for role in STAFF_ROLE_VALUES}
    )

    @field_validator("oidc_roles")
    @classmethod
    def _staff_roles_only(cls, roles: dict[str, str]) -> dict[str, str]:
        wrong = sorted(set(roles.values()) - set(STAFF_ROLE_VALUES))
        if wrong:
            raise ValueError(f"roles a staff member cannot have: {', '.join(wrong)}")
        return roles

    @property
    def post_logout_redirect_url(self) -> str | None:
        if self.oidc_post_logout_redirect_url or not self.oidc_redirect_url:
            return self.oidc_post_logout_redirect_url
        parts = urlsplit(self.oidc_redirect_url)
        return urlunsplit((parts.scheme, parts.netloc, "/staff/signed-out", "", ""))


@lru_cache
def get_staff_settings() -> StaffSettings:
    return StaffSettings()
