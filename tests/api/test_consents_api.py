"""The consent record over the API: recorded by the accountable officer, read by staff, and
withdrawn by the person themselves with their own token."""

from __future__ import annotations

from resettlement.actors import Role
from tests.api.conftest import bearer


def test_officer_records_person_reads_and_withdraws_their_own(
    client, new_plan, officer, other_officer, admin
):
    plan = new_plan()
    body = {
        "kind": "sharing_with_supporter",
        "with_whom": {"type": "supporter", "id": "sup-3", "name": "Sam (sister)"},
        "scope": ["appointments"],
    }
    url = f"/api/v1/people/{plan.person_id}/consents"
    assert client.post(url, json=body, headers=other_officer).status_code == 404
    made = client.post(url, json=body, headers=officer)
    assert made.status_code == 201, made.text
    consent = made.json()
    assert consent["live"] and consent["given_how"] == "in_person"
    bad = client.post(url, json={**body, "scope": []}, headers=officer)
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert [c["id"] for c in client.get(url, headers=admin).json()] == [consent["id"]]

    leaver = bearer(Role.PRISON_LEAVER, "leaver-a", plan=plan.id)
    mine = client.get("/api/v1/me/consents", headers=leaver)
    assert [c["with_whom_name"] for c in mine.json()] == ["Sam (sister)"]
    other_plan = new_plan()
    stranger = bearer(Role.PRISON_LEAVER, "leaver-b", plan=other_plan.id)
    gone = f"/api/v1/me/consents/{consent['id']}"
    assert client.delete(gone, headers=stranger).status_code == 404
    withdrawn = client.delete(gone, headers=leaver)
    assert withdrawn.status_code == 200 and withdrawn.json()["live"] is False
    assert client.get(url, headers=officer).json()[0]["withdrawn_by"] == "leaver-a"
