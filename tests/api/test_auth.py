"""Identity: RS256 tokens from an OIDC provider in production, our own HS256 tokens locally."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer import Typer
from typer.testing import CliRunner

from api import auth
from api.settings import ApiSettings, get_api_settings
from resettlement import clock
from resettlement.actors import Role
from resettlement.demo import GOVERNORS, OFFICERS

ISSUER = "https://login.example/realms/probation"
JWKS_URL = "https://login.example/realms/probation/certs"


@pytest.fixture
def provider_key(monkeypatch: pytest.MonkeyPatch) -> rsa.RSAPrivateKey:
    """Production settings and a provider whose published key set holds this key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk |= {"kid": "key-1", "use": "sig", "alg": "RS256"}
    monkeypatch.setenv("RESETTLEMENT_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("RESETTLEMENT_OIDC_JWKS_URL", JWKS_URL)
    monkeypatch.setenv("RESETTLEMENT_COOKIE_KEYS", json.dumps(["k" * 40]))
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: {"keys": [jwk]})
    auth._jwks_client.cache_clear()
    get_api_settings.cache_clear()
    yield key
    auth._jwks_client.cache_clear()


def _provider_token(key: Any, algorithm: str = "RS256", **claims: Any) -> str:
    payload = {
        "sub": "po-test",
        "role": "probation_officer",
        "iss": ISSUER,
        "aud": "resettlement-api",
        "exp": clock.now() + timedelta(minutes=5),
    } | claims
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": "key-1"})


def test_production_accepts_the_providers_rs256_tokens(
    provider_key: rsa.RSAPrivateKey, client: TestClient
) -> None:
    headers = {"Authorization": f"Bearer {_provider_token(provider_key)}"}
    assert client.get("/api/v1/plans", headers=headers).status_code == 200


def test_production_refuses_local_tokens_and_other_keys(
    provider_key: rsa.RSAPrivateKey, client: TestClient
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    local = jwt.encode(
        {
            "sub": "x",
            "role": "admin",
            "iss": ISSUER,
            "aud": "resettlement-api",
            "exp": clock.now() + timedelta(minutes=5),
        },
        auth.local_secret(),
        algorithm="HS256",
        headers={"kid": "key-1"},
    )
    for token in (_provider_token(stranger), local, _provider_token(provider_key, iss="other")):
        response = client.get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_production_mints_no_tokens(provider_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(RuntimeError, match="OIDC provider"):
        auth.mint_token(role=Role.ADMIN, user="someone")


def test_a_token_naming_no_key_is_refused_when_the_provider_has_several(
    provider_key: rsa.RSAPrivateKey, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys = [
        json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())) | {"use": "sig"}
        for k in (provider_key, other)
    ]
    payload = {
        "sub": "po-test",
        "role": "probation_officer",
        "iss": ISSUER,
        "aud": "resettlement-api",
        "exp": clock.now() + timedelta(minutes=5),
    }
    no_kid = {"Authorization": "Bearer " + jwt.encode(payload, provider_key, algorithm="RS256")}
    # One key and no kid: that key.
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: {"keys": keys[:1]})
    auth._jwks_client.cache_clear()
    assert client.get("/api/v1/plans", headers=no_kid).status_code == 200
    # Two keys and no kid: the token may not choose.
    auth._verified.clear()
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: {"keys": keys})
    auth._jwks_client.cache_clear()
    assert client.get("/api/v1/plans", headers=no_kid).status_code == 401


def test_an_issuer_without_a_key_set_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RESETTLEMENT_OIDC_ISSUER", ISSUER)
    with pytest.raises(ValueError, match="JWKS"):
        ApiSettings()
    # Workers that each made their own cookie key would refuse each other's cookies.
    monkeypatch.setenv("RESETTLEMENT_OIDC_JWKS_URL", JWKS_URL)
    with pytest.raises(ValueError, match="COOKIE_KEYS"):
        ApiSettings()
    monkeypatch.setenv("RESETTLEMENT_COOKIE_KEYS", '["too short"]')
    with pytest.raises(ValueError, match="32 characters"):
        ApiSettings()


def test_the_local_secret_is_made_once_and_readable_only_by_its_owner() -> None:
    path = auth.secret_path()
    first = auth.local_secret()
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    auth._read_or_create_secret.cache_clear()
    assert auth.local_secret() == first


def test_local_tokens_carry_the_claims() -> None:
    token = auth.mint_token(role="governor", user="governor-mdi", prison="MDI", hours=1)
    claims = auth.verify(token)
    assert (claims.sub, claims.role, claims.prison, claims.plan) == (
        "governor-mdi",
        Role.GOVERNOR,
        "MDI",
        None,
    )
    raw = jwt.decode(token, options={"verify_signature": False})
    assert raw["iss"] == "resettlement-local" and raw["aud"] == "resettlement-api"
    assert raw["exp"] - raw["iat"] == 3600


@pytest.mark.parametrize(
    "kwargs",
    [
        {"role": "governor", "user": "g"},
        {"role": "prison_leaver", "user": "l"},
        {"role": "system", "user": "s"},
        {"role": "admin", "user": "a", "hours": 0},
        {"role": "admin", "user": "a", "hours": 10_000},
    ],
)
def test_tokens_that_could_not_be_used_are_not_minted(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        auth.mint_token(**kwargs)


def _cli() -> Typer:
    from cli.api_commands import token

    app = Typer()
    app.command("token")(token)
    app.command("noop")(lambda: None)
    return app


def test_the_token_command_prints_one_usable_token() -> None:
    result = CliRunner().invoke(
        _cli(), ["token", "--role", "prison_leaver", "--user", "leaver-7", "--plan", "7"]
    )
    assert result.exit_code == 0, result.output
    claims = auth.verify(result.output.strip())
    assert (claims.role, claims.sub, claims.plan) == (Role.PRISON_LEAVER, "leaver-7", 7)


def test_the_token_command_refuses_an_unknown_role() -> None:
    result = CliRunner().invoke(_cli(), ["token", "--role", "system", "--user", "x"])
    assert result.exit_code != 0


def test_demo_tokens_name_the_demo_people(
    session: Session, monkeypatch: pytest.MonkeyPatch, engine: Any, new_plan: Any
) -> None:
    from cli import api_commands
    from tests.api.conftest import publish

    plan = publish(session, new_plan())
    monkeypatch.setattr(api_commands, "session_scope", lambda: Session(engine))
    tokens = api_commands.demo_tokens()
    claims = {role: auth.verify(token) for role, token in tokens.items()}
    assert set(claims) == {"probation_officer", "governor", "prison_leaver", "admin"}
    assert claims["probation_officer"].sub == OFFICERS[0]
    assert claims["governor"].sub in GOVERNORS.values()
    assert claims["prison_leaver"].plan == plan.id


def test_a_remembered_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = auth.mint_token(role="admin", user="admin-1", hours=1)
    assert auth.verify(token).sub == "admin-1"
    assert auth.verify(token).sub == "admin-1"  # now from memory
    later = jwt.decode(token, options={"verify_signature": False})["exp"] + auth.LEEWAY_SECONDS
    monkeypatch.setattr(auth.time, "time", lambda: later + 1)
    checked = []

    def expired(*args: Any, **kwargs: Any) -> None:
        checked.append(True)
        raise jwt.ExpiredSignatureError("Signature has expired")

    # Past its expiry the token is checked afresh (PyJWT keeps its own clock), not remembered.
    monkeypatch.setattr(auth.jwt, "decode", expired)
    with pytest.raises(auth.InvalidToken):
        auth.verify(token)
    assert checked == [True]


def test_a_remembered_token_is_checked_again_after_the_hold() -> None:
    cache = auth.VerifiedTokens(size=2, hold_seconds=0)
    claims = auth.Claims(sub="a", role=Role.ADMIN)
    cache.put(("k",), claims, expires=float("inf"))
    assert cache.get(("k",)) is None
    cache = auth.VerifiedTokens(size=2, hold_seconds=60)
    for key in ("a", "b", "c"):
        cache.put((key,), claims, expires=float("inf"))
    assert [cache.get((k,)) is not None for k in ("a", "b", "c")] == [False, True, True]


def test_a_remembered_local_token_is_not_accepted_by_production(
    provider_key: rsa.RSAPrivateKey,
) -> None:
    local = auth.mint_token(
        role="admin", user="admin-1", settings=ApiSettings(oidc_issuer=None, oidc_jwks_url=None)
    )
    assert auth.verify(local, ApiSettings(oidc_issuer=None, oidc_jwks_url=None)).sub == "admin-1"
    with pytest.raises(auth.InvalidToken):
        auth.verify(local)
