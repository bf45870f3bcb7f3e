"""Staff sign-in and sign-out through a real OpenID Connect provider (oidc-provider-mock in a
thread), against the service under real uvicorn, over real HTTP: the code flow with PKCE,
state and nonce, and every way a forged or stale answer is refused."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import oidc_provider_mock
import pytest
import werkzeug.serving
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import Session, select

from api import cookie_signing
from api.settings import get_api_settings
from api.staff.identity import COOKIE, Resume, encode_session, new_session
from api.staff.oidc import FLOW_COOKIE, SIGNED_AS, _client
from api.staff.settings import get_staff_settings
from resettlement import staff
from resettlement.models import AuditEvent, ReleasePlan

CLIENT_ID = "resettlement-staff"
CSRF = 'name="csrf_token" value="'


class TokenTamper:
    """Between the provider and the service, as an attacker on the wire or a broken provider
    would be: rewrites the ID token in the token endpoint's answer when told to."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.rewrite: Callable[[str], str] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.rewrite is None or environ.get("PATH_INFO") != "/oauth2/token":
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return lambda data: None

        body = json.loads(b"".join(self.app(environ, capture)))
        body["id_token"] = self.rewrite(body["id_token"])
        out = json.dumps(body).encode()
        headers = [(k, v) for k, v in seen["headers"] if k.lower() != "content-length"]
        start_response(seen["status"], [*headers, ("Content-Length", str(len(out)))])
        return [out]


@dataclass
class Provider:
    issuer: str
    tamper: TokenTamper

    def add_user(self, sub: str, **claims: Any) -> None:
        httpx.put(f"{self.issuer}/users/{sub}", json=claims).raise_for_status()


@contextmanager
def _serve(app: Any) -> Iterator[Provider]:
    tamper = TokenTamper(app)
    server = werkzeug.serving.make_server("127.0.0.1", 0, tamper, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}", tamper)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def make_provider(
    monkeypatch: pytest.MonkeyPatch, live_server: str
) -> Iterator[Callable[..., Provider]]:
    """A provider in a thread, and the service configured to sign staff in through it."""
    # The provider speaks plain http on 127.0.0.1; Authlib wants https unless told.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with ExitStack() as stack:

        def make(token_max_age: timedelta = timedelta(hours=1), **env: str) -> Provider:
            app = oidc_provider_mock.app(access_token_max_age=token_max_age)
            provider = stack.enter_context(_serve(app))
            settings = {
                "RESETTLEMENT_OIDC_ISSUER": provider.issuer,
                "RESETTLEMENT_OIDC_JWKS_URL": provider.issuer + "/jwks",
                "RESETTLEMENT_COOKIE_KEYS": json.dumps(["a test cookie key of thirty-two chars"]),
                "RESETTLEMENT_STAFF_COOKIE_SECURE": "false",
                "RESETTLEMENT_STAFF_OIDC_CLIENT_ID": CLIENT_ID,
                "RESETTLEMENT_STAFF_OIDC_CLIENT_SECRET": "a client secret",
                "RESETTLEMENT_STAFF_OIDC_REDIRECT_URL": live_server + "/staff/sign-in/callback",
                **env,
            }
            for name, value in settings.items():
                monkeypatch.setenv(name, value)
            get_api_settings.cache_clear()
            get_staff_settings.cache_clear()
            return provider

        yield make
    _client.cache_clear()


@pytest.fixture
def provider(make_provider: Callable[..., Provider]) -> Provider:
    return make_provider()


class Visitor:
    """A browser over real HTTP: one cookie jar for the service and the provider."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(follow_redirects=False, timeout=30)

    def start(self) -> str:
        """The provider's sign-in address the service sends the browser to."""
        response = self.http.get(self.base + "/staff/sign-in")
        assert response.status_code == 303, response.text
        return str(response.headers["location"])

    def authorize(self, url: str, sub: str) -> str:
        """The provider's redirect back to the service, once `sub` signs in there."""
        response = self.http.post(url, data={"sub": sub})
        assert response.status_code == 302, response.text
        return str(response.headers["location"])

    def sign_in(self, sub: str) -> httpx.Response:
        return self.http.get(self.authorize(self.start(), sub))

    def get(self, path: str) -> httpx.Response:
        return self.http.get(self.base + path)


@pytest.fixture
def visitor(live_server: str) -> Iterator[Visitor]:
    v = Visitor(live_server)
    yield v
    v.http.close()


def _onward(page: httpx.Response) -> str:
    """Where the signed-in page goes on to (it refreshes there at once)."""
    assert page.status_code == 200, page.text
    assert 'http-equiv="refresh"' in page.text
    return page.text.split('id="continue" href="', 1)[1].split('"', 1)[0]


def _csrf(page: httpx.Response) -> str:
    return page.text.split(CSRF, 1)[1].split('"', 1)[0]


def _signed_in_events(session: Session, user: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.actor == user, AuditEvent.action == "signed_in")
        ).all()
    )


# --- the whole flow -------------------------------------------------------------------------


def test_an_officer_signs_in_with_pkce_state_and_nonce_and_is_recorded(
    provider: Provider, visitor: Visitor, session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    new_plan(probation_officer_id="po-oidc-1")
    provider.add_user("po-oidc-1", role="probation_officer", name="Nia Okafor")
    authorize = visitor.start()
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(provider.issuer + "/oauth2/authorize?")
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["nonce"][0]
    # PKCE: the challenge is the SHA-256 of the verifier kept for the callback, and only the
    # challenge leaves the browser.
    flow = cookie_signing.unsign_timed(SIGNED_AS, visitor.http.cookies.get(FLOW_COOKIE), 600)
    verifier = flow["authlib"][f"_state_provider_{query['state'][0]}"]["data"]["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert query["code_challenge"] == [challenge.rstrip(b"=").decode()]
    assert verifier not in authorize

    page = visitor.http.get(visitor.authorize(authorize, "po-oidc-1"))
    assert _onward(page) == "/staff/caseload"
    assert FLOW_COOKIE not in visitor.http.cookies
    caseload = visitor.get("/staff/caseload")
    assert caseload.status_code == 200
    assert "Nia Okafor" in caseload.text
    member = staff.find(session, "po-oidc-1")
    assert member is not None
    assert (member.name, member.role, member.prison_code) == (
        "Nia Okafor",
        "probation_officer",
        None,
    )
    assert len(_signed_in_events(session, "po-oidc-1")) == 1


def test_claims_are_mapped_from_the_configured_names_and_the_staff_row_follows_them(
    make_provider: Callable[..., Provider], visitor: Visitor, session: Session
) -> None:
    provider = make_provider(
        RESETTLEMENT_STAFF_OIDC_USER_CLAIM="staff_id",
        RESETTLEMENT_STAFF_OIDC_ROLE_CLAIM="groups",
        RESETTLEMENT_STAFF_OIDC_PRISON_CLAIM="establishment",
        RESETTLEMENT_STAFF_OIDC_NAME_CLAIM="display_name",
        RESETTLEMENT_STAFF_OIDC_ROLES=json.dumps({"GOV-RESETTLE": "governor"}),
    )
    claims = {"staff_id": "GOV123", "groups": ["ALL-STAFF", "GOV-RESETTLE"]}
    provider.add_user("opaque-1", **claims, establishment="MDI", display_name="Dee Harper")
    assert _onward(visitor.sign_in("opaque-1")) == "/staff/early-release"
    assert visitor.get("/staff/early-release").status_code == 200
    member = staff.find(session, "GOV123")
    assert member is not None
    assert (member.name, member.role, member.prison_code) == ("Dee Harper", "governor", "MDI")

    # The provider is the source of truth: a new name and prison are taken at the next sign-in.
    provider.add_user("opaque-1", **claims, establishment="BWI", display_name="Dee Harper-Lowe")
    again = Visitor(visitor.base)
    assert _onward(again.sign_in("opaque-1")) == "/staff/early-release"
    session.expire_all()
    member = staff.find(session, "GOV123")
    assert member is not None
    assert (member.name, member.prison_code) == ("Dee Harper-Lowe", "BWI")
    assert len(_signed_in_events(session, "GOV123")) == 2


@pytest.mark.parametrize(
    ("claims", "title"),
    [
        ({"name": "Una Known"}, "You do not have access to this service"),
        ({"role": "prison_leaver"}, "You do not have access to this service"),
        ({"role": ["governor", "admin"]}, "Your account has more than one role"),
        ({"role": "governor"}, "Your account does not name your prison"),
        ({"role": "governor", "prison": "not a prison"}, "Your account does not name your prison"),
    ],
)
def test_someone_without_a_mapped_role_gets_a_clear_problem_page(
    provider: Provider, visitor: Visitor, session: Session, claims: dict[str, Any], title: str
) -> None:
    provider.add_user("stranger-1", **claims)
    page = visitor.sign_in("stranger-1")
    assert page.status_code == 403
    assert title in page.text
    assert COOKIE not in visitor.http.cookies
    assert visitor.get("/staff/caseload").status_code == 303
    assert staff.find(session, "stranger-1") is None


def test_local_demo_sign_in_is_refused_when_a_provider_is_configured(
    provider: Provider, visitor: Visitor
) -> None:
    # A browser session with a good CSRF token, so only the mode can refuse the form.
    browser = new_session()
    visitor.http.cookies.set(COOKIE, encode_session(browser), path="/staff")
    response = visitor.http.post(
        visitor.base + "/staff/sign-in", data={"user": "po-ashworth", "csrf_token": browser.csrf}
    )
    assert response.status_code == 404
    assert "Sign in with your organisation" in response.text
    assert visitor.get("/staff/caseload").status_code == 303


# --- answers that must not sign anyone in ---------------------------------------------------


@pytest.fixture
def refusals(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Why each sign-in was refused, as the service logs it (the kind of failure only)."""
    caplog.set_level("WARNING", logger="api.staff.oidc")
    return caplog


def _refused(
    page: httpx.Response, visitor: Visitor, log: pytest.LogCaptureFixture, why: str
) -> None:
    assert f"staff sign-in refused: {why}" in log.text, log.text
    assert page.status_code == 400, page.text
    assert "Sign-in did not work" in page.text
    assert COOKIE not in visitor.http.cookies
    assert visitor.get("/staff/caseload").status_code == 303


def test_a_forged_state_is_refused(
    provider: Provider, visitor: Visitor, refusals: pytest.LogCaptureFixture
) -> None:
    provider.add_user("po-oidc-2", role="probation_officer")
    back = visitor.authorize(visitor.start(), "po-oidc-2")
    _refused(
        visitor.http.get(back.replace("state=", "state=forged")),
        visitor,
        refusals,
        "MismatchingStateError",
    )


def test_a_callback_from_another_browser_is_refused(
    provider: Provider, visitor: Visitor, refusals: pytest.LogCaptureFixture
) -> None:
    # Login CSRF: an attacker's own code and state, sent to the victim's browser.
    provider.add_user("attacker", role="admin")
    attacker = Visitor(visitor.base)
    back = attacker.authorize(attacker.start(), "attacker")
    _refused(visitor.http.get(back), visitor, refusals, "MismatchingStateError")


def test_a_replayed_state_is_refused(
    provider: Provider,
    visitor: Visitor,
    session: Session,
    refusals: pytest.LogCaptureFixture,
) -> None:
    provider.add_user("po-oidc-3", role="probation_officer")
    back = visitor.authorize(visitor.start(), "po-oidc-3")
    flow = visitor.http.cookies.get(FLOW_COOKIE)
    assert _onward(visitor.http.get(back)) == "/staff/caseload"

    # The same callback again from a browser holding the flow cookie as it was before the
    # callback forgot it: the state is still in it, but the provider's code was used.
    replay = Visitor(visitor.base)
    replay.http.cookies.set(FLOW_COOKIE, flow or "", path="/staff/sign-in")
    _refused(replay.http.get(back), replay, refusals, "OAuthError")
    # In the browser that signed in, the state is gone.
    visitor.http.cookies.delete(COOKIE)
    _refused(visitor.http.get(back), visitor, refusals, "MismatchingStateError")
    assert len(_signed_in_events(session, "po-oidc-3")) == 1


def test_a_wrong_nonce_is_refused(
    provider: Provider, visitor: Visitor, refusals: pytest.LogCaptureFixture
) -> None:
    provider.add_user("po-oidc-4", role="probation_officer")
    authorize = visitor.start()
    nonce = parse_qs(urlsplit(authorize).query)["nonce"][0]
    # The provider signs a token for a nonce this browser never asked for.
    changed = authorize.replace(f"nonce={nonce}", "nonce=someone-elses")
    _refused(
        visitor.http.get(visitor.authorize(changed, "po-oidc-4")),
        visitor,
        refusals,
        "InvalidClaimError",
    )


def test_an_expired_id_token_is_refused(
    make_provider: Callable[..., Provider], visitor: Visitor, refusals: pytest.LogCaptureFixture
) -> None:
    provider = make_provider(token_max_age=timedelta(minutes=-5))
    provider.add_user("po-oidc-5", role="probation_officer")
    _refused(visitor.sign_in("po-oidc-5"), visitor, refusals, "ExpiredTokenError")


def test_an_id_token_signed_with_another_key_is_refused(
    provider: Provider, visitor: Visitor, refusals: pytest.LogCaptureFixture
) -> None:
    provider.add_user("po-oidc-6", role="admin")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def resign(token: str) -> str:
        claims = jwt.decode(token, options={"verify_signature": False})
        return jwt.encode(claims, stranger, algorithm="RS256")

    provider.tamper.rewrite = resign
    _refused(visitor.sign_in("po-oidc-6"), visitor, refusals, "BadSignatureError")


def test_an_id_token_with_its_claims_changed_is_refused(
    provider: Provider, visitor: Visitor, refusals: pytest.LogCaptureFixture
) -> None:
    provider.add_user("po-oidc-7", role="probation_officer")

    def promote(token: str) -> str:
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["role"] = "admin"
        changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{changed}.{signature}"

    provider.tamper.rewrite = promote
    _refused(visitor.sign_in("po-oidc-7"), visitor, refusals, "BadSignatureError")


# --- signing out ---------------------------------------------------------------------------


def test_signing_out_ends_the_session_here_and_at_the_provider(
    provider: Provider, visitor: Visitor, live_server: str
) -> None:
    provider.add_user("admin-oidc", role="admin", name="Ade Admin")
    visitor.get(_onward(visitor.sign_in("admin-oidc")))
    copied = visitor.http.cookies.get(COOKIE)
    page = visitor.get("/staff/reports")
    assert page.status_code == 200
    response = visitor.http.post(live_server + "/staff/sign-out", data={"csrf_token": _csrf(page)})
    # Signed out here; the page sends the browser on to sign out at the provider.
    end_session = _onward(response).replace("&amp;", "&")
    assert end_session.startswith(provider.issuer + "/oauth2/end_session?")
    query = parse_qs(urlsplit(end_session).query)
    assert query["post_logout_redirect_uri"] == [live_server + "/staff/signed-out"]
    assert query["client_id"] == [CLIENT_ID]

    assert visitor.http.get(end_session).status_code == 200
    confirm = visitor.http.post(
        provider.issuer + "/oauth2/end_session/confirm",
        data={"redirect_uri": f"{live_server}/staff/signed-out?state={query['state'][0]}"},
    )
    assert confirm.headers["location"].startswith(live_server + "/staff/signed-out")
    assert "You have signed out" in visitor.http.get(confirm.headers["location"]).text
    # A copy of the cookie from before is no sign-in now, on any browser.
    other = Visitor(live_server)
    other.http.cookies.set(COOKIE, copied or "", path="/staff")
    assert other.get("/staff/reports").status_code == 303


# --- the API takes the provider's tokens too -------------------------------------------------


def test_the_api_takes_a_providers_token_that_names_no_key(
    provider: Provider, live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api import auth

    # The API's audience is this client, as when the provider issues tokens for it.
    monkeypatch.setenv("RESETTLEMENT_OIDC_AUDIENCE", CLIENT_ID)
    get_api_settings.cache_clear()
    auth._jwks_client.cache_clear()
    provider.add_user("po-api", role="probation_officer")
    http = httpx.Client(follow_redirects=False)
    authorize = http.post(
        provider.issuer + "/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": live_server + "/staff/sign-in/callback",
            "scope": "openid",
        },
        data={"sub": "po-api"},
    )
    code = parse_qs(urlsplit(authorize.headers["location"]).query)["code"][0]
    tokens = http.post(
        provider.issuer + "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": live_server + "/staff/sign-in/callback",
        },
        auth=(CLIENT_ID, "a client secret"),
    ).json()
    id_token = tokens["id_token"]
    assert "kid" not in jwt.get_unverified_header(id_token)
    headers = {"Authorization": f"Bearer {id_token}"}
    assert http.get(live_server + "/api/v1/plans", headers=headers).status_code == 200
    # The same claims under a key the provider never published are refused.
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        jwt.decode(id_token, options={"verify_signature": False}), stranger, "RS256"
    )
    headers = {"Authorization": f"Bearer {forged}"}
    assert http.get(live_server + "/api/v1/plans", headers=headers).status_code == 401
    auth._jwks_client.cache_clear()


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.browser
def test_in_chromium_an_officer_signs_in_at_the_provider_and_out_again_there(
    provider: Provider,
    live_server: str,
    chromium: Any,
    new_plan: Callable[..., ReleasePlan],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    new_plan(probation_officer_id="po-browser")
    provider.add_user("po-browser", role="probation_officer", name="Bea Browning")
    page = chromium.new_page()
    page.goto(live_server + "/staff/caseload")
    # No session: the service's sign-in sends the browser on to the provider's form.
    page.wait_for_url(provider.issuer + "/oauth2/authorize?**")
    page.fill("input[name=sub]", "po-browser")
    page.get_by_role("button", name="Authorize").click()
    # The signed-in page moves on by itself, and the Strict session cookie goes with it.
    page.wait_for_url(live_server + "/staff/caseload")
    assert "Bea Browning" in page.inner_text("body")
    assert "Your caseload" in page.inner_text("main") or page.locator("main h1").count() == 1

    page.get_by_role("button", name="Sign out").click()
    # Through the service's signing-out page, which moves on to the provider by itself.
    page.wait_for_url(provider.issuer + "/oauth2/end_session?**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(live_server + "/staff/signed-out?**")
    assert "You have signed out" in page.inner_text("main")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # Signed out here too: the caseload asks for a sign-in at the provider again.
    page.goto(live_server + "/staff/caseload")
    page.wait_for_url(provider.issuer + "/oauth2/authorize?**")
    page.close()


def test_a_provider_that_cannot_be_reached_is_said_plainly(
    make_provider: Callable[..., Provider], visitor: Visitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_provider()
    # Nothing listens there: the discovery document cannot be fetched.
    monkeypatch.setenv("RESETTLEMENT_STAFF_OIDC_METADATA_URL", "http://127.0.0.1:9/.well-known")
    get_staff_settings.cache_clear()
    page = visitor.get("/staff/sign-in")
    assert page.status_code == 503
    assert "Sign-in is not available just now" in page.text


def test_a_form_kept_when_the_session_ended_is_returned_to_after_signing_in_at_the_provider(
    provider: Provider, visitor: Visitor
) -> None:
    provider.add_user("po-oidc-8", role="probation_officer")
    # What the service keeps when a form arrives after the session ended.
    kept = replace(new_session(), resume=Resume("/staff/plans/new", {"given_name": "Sami"}))
    visitor.http.cookies.set(COOKIE, encode_session(kept), path="/staff")
    assert _onward(visitor.sign_in("po-oidc-8")) == "/staff/plans/new"
    form = visitor.get("/staff/plans/new")
    assert form.status_code == 200
    assert 'value="Sami"' in form.text
