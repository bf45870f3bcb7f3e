"""Cookie keys rotate without signing anyone out: the newest signs, the older still verify, and a
key taken off the list stops every cookie it signed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from api import cookie_signing
from api.pages import leaver_session
from api.settings import get_api_settings
from api.staff.identity import COOKIE, COOKIE_PATH
from resettlement.models import ReleasePlan
from tests.staff.conftest import Browser

OLD = "an old cookie key, at least thirty-two characters long"
DEMO_OFFICER = "po-ashworth"
NEW = "a new cookie key, at least thirty-two characters long too"


def _use_keys(monkeypatch: pytest.MonkeyPatch, *keys: str) -> None:
    monkeypatch.setenv("RESETTLEMENT_COOKIE_KEYS", json.dumps(list(keys)))
    get_api_settings.cache_clear()


def test_a_rotated_key_keeps_staff_signed_in_until_it_is_removed(
    monkeypatch: pytest.MonkeyPatch, browser: Browser, new_plan: Callable[..., ReleasePlan]
) -> None:
    new_plan(probation_officer_id=DEMO_OFFICER)
    _use_keys(monkeypatch, OLD)
    browser.sign_in(DEMO_OFFICER)
    assert browser.get("/staff/caseload").status_code == 200
    signed_with_old = browser.client.cookies.get(COOKIE, path=COOKIE_PATH)

    # The new key goes first: the old cookie still works, and what is signed now uses the new.
    _use_keys(monkeypatch, NEW, OLD)
    assert browser.get("/staff/caseload").status_code == 200
    fresh = cookie_signing.sign("staff session", {"probe": 1})
    _use_keys(monkeypatch, NEW)
    assert cookie_signing.unsign("staff session", fresh) == {"probe": 1}

    # The old key removed: a cookie it signed is no sign-in at all.
    page = browser.get("/staff/caseload")
    assert page.status_code == 303
    assert page.headers["location"] == "/staff/sign-in"
    browser.client.cookies.set(COOKIE, signed_with_old, path=COOKIE_PATH)
    assert browser.get("/staff/caseload").status_code == 303


def test_a_rotated_key_keeps_a_prison_leaver_signed_in_until_it_is_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_keys(monkeypatch, OLD)
    value = leaver_session.encode(7, "link-secret", int(time.time()), 2)
    assert leaver_session.decode(value) == leaver_session.LeaverCookie(7, "link-secret", 2)
    _use_keys(monkeypatch, NEW, OLD)
    assert leaver_session.decode(value) == leaver_session.LeaverCookie(7, "link-secret", 2)
    newer = leaver_session.encode(7, "link-secret", int(time.time()), 2)
    _use_keys(monkeypatch, NEW)
    assert leaver_session.decode(value) is None
    assert leaver_session.decode(newer) == leaver_session.LeaverCookie(7, "link-secret", 2)


def test_one_kind_of_cookie_cannot_stand_in_for_another(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_keys(monkeypatch, NEW)
    staff_signed = cookie_signing.sign("staff session", {"l": 1, "s": "x", "t": 0, "g": 0})
    assert cookie_signing.unsign("leaver session", staff_signed) is None
    assert cookie_signing.unsign("staff session", staff_signed) is not None
