"""The directory's API: coordinators keep their own prison's directory, Open Referral UK files
go in and out whole, and an officer asks who is open in a person's first 48 hours."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
from sqlmodel import select

from resettlement.actors import Role
from resettlement.models import AuditEvent
from resettlement.partners.models import DirectoryService
from resettlement.partners.sample_directory import made_up_directory

from .conftest import OWN_PRISON, bearer

API = "/api/v1"
SCHEMA = json.loads(
    (Path(__file__).parents[1] / "partners" / "oruk" / "service.schema.json").read_text()
)
COORDINATOR = bearer(Role.COORDINATOR, "coord-mdi", prison=OWN_PRISON)


def _coordinator():
    return bearer(Role.COORDINATOR, "coord-mdi", prison=OWN_PRISON)


def _open(client) -> dict:
    response = client.post(
        f"{API}/directories",
        json={"prison_code": "MDI", "area": "Doncaster", "nation": "england-and-wales"},
        headers=_coordinator(),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _import(client, d: dict, services, version: int | None = None):
    return client.post(
        f"{API}/directories/{d['id']}/open-referral",
        params={"expected_version": version or d["version"]},
        content=json.dumps(services).encode(),
        headers={**_coordinator(), "Content-Type": "application/json"},
    )


def test_a_coordinator_loads_a_directory_and_exports_it_in_the_standard(client):
    d = _open(client)
    # Three areas' worth: more than the API's usual 64 KB body, as a real directory is.
    services = made_up_directory("Doncaster", 1) + made_up_directory("Sheffield", 2)
    services += made_up_directory("Rotherham", 3)
    assert len(json.dumps(services)) > 64 * 1024
    response = _import(client, d, services)
    assert response.status_code == 200, response.text
    assert response.json()["services"] == 30
    exported = client.get(f"{API}/directories/{d['id']}/open-referral", headers=_coordinator())
    assert exported.status_code == 200
    validator = jsonschema.Draft7Validator(
        SCHEMA, format_checker=jsonschema.FormatChecker(formats=["date", "email"])
    )
    for service in exported.json()["content"]:
        assert list(validator.iter_errors(service)) == []
    listed = client.get(f"{API}/directories/{d['id']}/services", headers=_coordinator()).json()
    assert len(listed) == 30 and {s["name"] for s in listed} == {s["name"] for s in services}


def test_a_bad_file_is_a_problem_naming_each_record_and_changes_nothing(client, session):
    d = _open(client)
    bad = made_up_directory("Doncaster", 4)
    bad[2]["regular_schedules"][1]["closes_at"] = "late"
    bad[5]["eligibilities"] = [{"id": "e1", "eligibility": "prisoners", "minimum_age": 18}]
    response = _import(client, d, bad)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "content[2].regular_schedules[1].closes_at" in errors
    assert errors["content[2].regular_schedules[1].closes_at"].startswith(
        f"Service 3 (id {bad[2]['id']!r}"
    )
    assert "content[5].eligibilities[0].eligibility" in errors
    assert session.exec(select(DirectoryService)).all() == []


def test_only_the_prisons_own_coordinators_keep_its_directory(client, officer, governor):
    d = _open(client)
    other = bearer(Role.COORDINATOR, "coord-bwi", prison="BWI")
    service = {
        "organisation_name": "Doncaster Food Project",
        "name": "Food bank",
        "needs": ["food"],
        "opening_times": [{"weekday": 6, "opens_at": "10:00", "closes_at": "14:00"}],
    }
    assert (
        client.post(f"{API}/directories/{d['id']}/services", json=service, headers=other)
    ).status_code == 404
    assert (
        client.post(f"{API}/directories/{d['id']}/services", json=service, headers=officer)
    ).status_code == 403
    assert (
        client.post(
            f"{API}/directories",
            json={"prison_code": "MDI", "area": "Leeds", "nation": "england-and-wales"},
            headers=governor,
        )
    ).status_code == 403
    added = client.post(
        f"{API}/directories/{d['id']}/services", json=service, headers=_coordinator()
    )
    assert added.status_code == 201, added.text
    body = added.json()
    changed = client.put(
        f"{API}/directory-services/{body['id']}",
        json={**service, "name": "Saturday food bank", "expected_version": body["version"]},
        headers=_coordinator(),
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Saturday food bank"
    stale = client.put(
        f"{API}/directory-services/{body['id']}",
        json={**service, "expected_version": body["version"]},
        headers=_coordinator(),
    )
    assert stale.status_code == 409
    # Officers and governors read directories; nobody reads another prison's by accident.
    assert client.get(f"{API}/directories", headers=officer).status_code == 200
    assert client.get(f"{API}/directories", headers=other).json() == []


def test_an_officer_asks_who_is_open_for_their_own_person_only(
    client, new_plan, officer, other_officer, session
):
    d = _open(client)
    assert _import(client, d, made_up_directory("Doncaster", 5)).status_code == 200
    plan = new_plan(requested_release_date=date(2026, 12, 18))
    response = client.get(f"{API}/plans/{plan.id}/who-is-open", headers=officer)
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["area"] == "Doncaster"
    words = {s["name"].split(",")[0]: s["words"] for s in found["services"]}
    assert words["Food bank"] == "Open on Saturday 10am to 2pm"
    assert words["24-hour homelessness line"] == "Open 24 hours"
    cy = {s["name"].split(",")[0]: s["words_cy"] for s in found["services"]}
    assert cy["Food bank"] == "Ar agor ddydd Sadwrn 10yb i 2yh"
    assert (
        client.get(f"{API}/plans/{plan.id}/who-is-open", headers=other_officer).status_code == 404
    )
    denied = session.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all()
    assert [e.object_id for e in denied] == [str(plan.id)]
    leaver = bearer(Role.PRISON_LEAVER, "leaver", plan=plan.id)
    assert client.get(f"{API}/plans/{plan.id}/who-is-open", headers=leaver).status_code == 403
    assert client.get(f"{API}/directories", headers=leaver).status_code == 403


def test_an_imported_service_the_form_could_not_have_made_still_reads(client):
    d = _open(client)
    odd = made_up_directory("Doncaster", 6)[:1]
    odd[0]["service_taxonomies"] = []
    odd[0]["url"] = "www.example.org"
    odd[0]["regular_schedules"][0].update({"opens_at": "09:00", "closes_at": "09:00"})
    assert _import(client, d, odd).status_code == 200
    [service] = client.get(f"{API}/directories/{d['id']}/services", headers=_coordinator()).json()
    assert service["needs"] == [] and service["url"] == "www.example.org"


def test_every_directory_endpoint_for_every_kind_of_user(client, new_plan):
    d = _open(client)
    service = {
        "organisation_name": "Doncaster Food Project",
        "name": "Food bank",
        "needs": ["food"],
    }
    added = client.post(
        f"{API}/directories/{d['id']}/services", json=service, headers=_coordinator()
    ).json()
    plan = new_plan()
    users = {
        "nobody": {},
        "leaver": bearer(Role.PRISON_LEAVER, "leaver", plan=plan.id),
        "officer": bearer(Role.PROBATION_OFFICER, "po-test"),
        "governor": bearer(Role.GOVERNOR, "governor-mdi", prison="MDI"),
        "coordinator_other": bearer(Role.COORDINATOR, "coord-bwi", prison="BWI"),
        "admin": bearer(Role.ADMIN, "admin-test"),
        "coordinator_own": _coordinator(),
    }
    read = {"nobody": 401, "leaver": 403} | {
        u: 200 for u in ("officer", "governor", "coordinator_other", "admin", "coordinator_own")
    }
    write = {"nobody": 401, "leaver": 403, "officer": 403, "governor": 403}
    cases = [
        ("GET", f"/directories/{d['id']}/services", None, read),
        ("GET", f"/directory-services/{added['id']}", None, read),
        ("GET", f"/directories/{d['id']}/open-referral", None, read),
        (
            "POST",
            f"/directories/{d['id']}/services",
            service,
            write | {"coordinator_other": 404, "admin": 201, "coordinator_own": 201},
        ),
        (
            "PUT",
            f"/directory-services/{added['id']}",
            {**service, "expected_version": 99},
            write | {"coordinator_other": 404, "admin": 409, "coordinator_own": 409},
        ),
        (
            "POST",
            "/directories",
            {"prison_code": "MDI", "area": "Leeds", "nation": "england-and-wales"},
            write | {"coordinator_other": 403, "admin": 201, "coordinator_own": 409},
        ),
    ]
    for method, path, body, expected in cases:
        got = {
            user: client.request(method, API + path, json=body, headers=headers).status_code
            for user, headers in users.items()
        }
        assert got == expected, (method, path)
