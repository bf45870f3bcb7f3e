"""One plan through the API from opening to the prison leaver's phone and the governor's
decision, as the three kinds of user see it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import FRIDAY, OWN_PRISON, Headers, bearer

CORE = ["accommodation", "bank_account", "gp_registration", "id_documents", "universal_credit"]


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_a_plan_from_opening_to_the_leavers_phone_and_the_governors_decision(
    client: TestClient, officer: Headers, governor: Headers
) -> None:
    opened = client.post(
        "/api/v1/plans",
        headers=officer,
        json={
            "person": {
                "prison_number": "a1234bc",
                "crn": "X123456",
                "given_name": "Sam",
                "family_name": "Example",
                "date_of_birth": "1990-01-01",
                "nation": "england-and-wales",
                "prison_code": OWN_PRISON,
            },
            "sentence_date": "2025-01-06",
            "requested_release_date": FRIDAY.isoformat(),
            "term_days": 900,
        },
    )
    plan = _ok(opened, 201)
    assert opened.headers["location"] == f"/api/v1/plans/{plan['id']}"
    assert plan["probation_officer_id"] == "po-test"
    assert plan["person"]["prison_number"] == "A1234BC"
    assert plan["assessment"]["flagged"] and plan["assessment"]["flag_reason"] == "friday"
    assert plan["assessment"]["rules"][0] == "R1"
    assert [r["state"] for r in plan["requests"]] == ["flagged"]
    url = f"/api/v1/plans/{plan['id']}"

    plan = _ok(
        client.post(
            f"{url}/transitions",
            headers=officer,
            json={"event": "start_resettlement_planning", "expected_version": plan["version"]},
        )
    )
    assert plan["state"] == "resettlement_planning"
    for key in CORE:
        plan = _ok(
            client.patch(
                f"{url}/checklist/{key}",
                headers=officer,
                json={"status": "in_progress", "expected_version": plan["version"]},
            )
        )
    plan = _ok(
        client.post(
            f"{url}/transitions",
            headers=officer,
            json={"event": "start_pre_release", "expected_version": plan["version"]},
        )
    )
    assert plan["state"] == "pre_release"
    plan = _ok(
        client.post(
            f"{url}/appointments",
            headers=officer,
            json={
                "kind": "probation",
                "starts_at": "2027-03-12T14:00:00+00:00",
                "location": "Probation office, 1 Made Up Street",
                "with_whom": "Alex Officer",
                "expected_version": plan["version"],
            },
        ),
        201,
    )
    # The officer reads back what they added; instants come back in UTC.
    assert [(a["kind"], a["starts_at"]) for a in plan["appointments"]] == [
        ("probation", "2027-03-12T14:00:00Z")
    ]
    plan = _ok(
        client.post(
            f"{url}/contacts",
            headers=officer,
            json={
                "kind": "out_of_hours",
                "name": "Out of hours line",
                "phone": "0800 000 0000",
                "expected_version": plan["version"],
            },
        ),
        201,
    )
    assert [(c["kind"], c["phone"]) for c in plan["contacts"]] == [
        ("out_of_hours", "+448000000000")
    ]
    plan = _ok(
        client.put(
            f"{url}/goals",
            headers=officer,
            json={
                "goals": [{"area": "family", "in_their_words": "See my kids every weekend."}],
                "expected_version": plan["version"],
            },
        )
    )
    assert plan["goals"] == [{"area": "family", "in_their_words": "See my kids every weekend."}]
    plan = _ok(
        client.put(
            f"{url}/night-one",
            headers=officer,
            json={
                "accommodation_address": "Room 4, 10 Made Up Road, Leeds",
                "accommodation_from": "2pm",
                "expected_version": plan["version"],
            },
        )
    )
    published = _ok(
        client.post(f"{url}/publish", headers=officer, json={"expected_version": plan["version"]}),
        201,
    )
    assert published["number"] == 1

    leaver = bearer("prison_leaver", "leaver-sam", plan=plan["id"])
    mine = _ok(client.get("/api/v1/me/plan", headers=leaver))
    assert mine["plan"]["given_name"] == "Sam"
    assert mine["plan"]["accommodation"] == {
        "address": "Room 4, 10 Made Up Road, Leeds",
        "ask_for": None,
        "from": "2pm",
    }
    assert [a["kind"] for a in mine["plan"]["appointments"]] == ["probation"]

    plan = _ok(client.get(url, headers=officer))
    request = plan["requests"][0]
    request = _ok(
        client.post(
            f"{url}/early-release-requests",
            headers=officer,
            json={
                "harms_resettlement": True,
                "needs": ["accommodation", "long_journey_home"],
                "assessment": "The hostel takes no arrivals at the weekend.",
                "expected_version": request["version"],
                "submit": True,
            },
        )
    )
    assert request["state"] == "submitted"

    queue = _ok(client.get("/api/v1/early-release-requests", headers=governor))
    assert [r["id"] for r in queue] == [request["id"]]
    window = _ok(
        client.get(
            f"/api/v1/release-dates/assess?date={FRIDAY.isoformat()}&term_days=900",
            headers=governor,
        )
    )
    decided = _ok(
        client.post(
            f"/api/v1/early-release-requests/{request['id']}/decision",
            headers=governor,
            json={
                "decision": "approve",
                "release_date": window["presumptive_date"],
                "reasons": "The hostel confirmed a bed from Thursday.",
                "expected_version": request["version"],
            },
        )
    )
    assert decided["state"] == "approved"
    seen_by_governor = _ok(client.get(url, headers=governor))
    assert seen_by_governor["walk_out_date"] == window["presumptive_date"]

    history = _ok(client.get(f"{url}/history", headers=officer))
    kinds = [e["kind"] for e in history]
    assert kinds[0] == "opened"
    assert {"published", "early_release_decided", "walk_out_date_changed"} <= set(kinds)


def test_approving_outside_the_window_names_the_guard(
    client: TestClient, session: Any, flagged_plan: Any, governor: Headers
) -> None:
    from tests.api.conftest import submit_request

    plan = flagged_plan()
    request = submit_request(session, plan.id)
    response = client.post(
        f"/api/v1/early-release-requests/{request.id}/decision",
        headers=governor,
        json={
            "decision": "approve",
            "release_date": "2027-01-04",
            "reasons": "Too early.",
            "expected_version": request.version,
        },
    )
    assert response.status_code == 409
    assert [g["guard"] for g in response.json()["guards"]] == ["release_date_in_window"]


def test_the_plan_list_filters_and_pages(
    client: TestClient, new_plan: Any, officer: Headers
) -> None:
    from datetime import date

    ids = [new_plan(requested_release_date=date(2027, 3, d)).id for d in (2, 3, 4, 9, 10)]
    page = _ok(client.get("/api/v1/plans?limit=2&offset=1", headers=officer))
    assert [r["plan_id"] for r in page["items"]] == ids[1:3]
    assert page["next_offset"] == 3
    ranged = _ok(
        client.get("/api/v1/plans?walk_out_from=2027-03-03&walk_out_to=2027-03-09", headers=officer)
    )
    assert [r["plan_id"] for r in ranged["items"]] == ids[1:4]
    assert ranged["next_offset"] is None
    none = _ok(client.get("/api/v1/plans?state=completed", headers=officer))
    assert none["items"] == []
