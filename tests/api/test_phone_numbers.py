"""Phone numbers through the API, the officer's form and the person's page: nonsense is refused
with a clear message, real numbers are stored in E.164 and shown in national format, and only a
number someone can call becomes a tel: link."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from resettlement.models import ContactKind, ReleasePlan, SupportContact
from tests.api.conftest import Headers


def _contact(phone: str, version: int) -> dict[str, object]:
    return {
        "kind": "helpline",
        "name": "A made-up helpline",
        "phone": phone,
        "expected_version": version,
    }


@pytest.mark.parametrize("nonsense", ["call me", "0800 CALL NOW", "123"])
def test_the_api_refuses_a_phone_number_no_one_could_call(
    client: TestClient,
    officer: Headers,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    nonsense: str,
) -> None:
    plan = new_plan()
    response = client.post(
        f"/api/v1/plans/{plan.id}/contacts", headers=officer, json=_contact(nonsense, plan.version)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    [error] = problem["errors"]
    assert error["field"] == "phone"
    assert "UK phone number" in error["message"] or "digits only" in error["message"]
    assert "020 7946 0123" in error["message"]
    assert session.exec(select(SupportContact).where(SupportContact.plan_id == plan.id)).all() == []


def test_the_api_stores_e164_from_a_drama_number_typed_any_way(
    client: TestClient, officer: Headers, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    response = client.post(
        f"/api/v1/plans/{plan.id}/contacts",
        headers=officer,
        json=_contact("+44 (0)20 7946 0123", plan.version),
    )
    assert response.status_code == 201, response.text
    assert [c["phone"] for c in response.json()["contacts"]] == ["+442079460123"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_number_stored_before_checking_is_shown_without_a_link(
    client: TestClient, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    from api.pages.templating import environment

    macro = environment.from_string(
        '{% import "leaver/_sections.html" as s %}{{ s.contacts(plan) }}'
    )

    contacts = [
        SimpleNamespace(
            kind=ContactKind.HELPLINE, title="Helpline", name="Line", phone=p, hours=None
        )
        for p in ("+442079460123", "0800 CALL NOW", "123", "call me")
    ]
    html = macro.render(plan=SimpleNamespace(contacts=contacts))
    assert re.findall(r'href="(tel:[^"]*)"', html) == ["tel:+442079460123"]
    assert ">020 7946 0123</a>" in html
    for shown in ("0800 CALL NOW", "123", "call me"):
        assert shown in html
