"""Every endpoint for every kind of user: wrong role is 403, someone else's record is 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from faker import Faker
from fastapi.testclient import TestClient
from sqlmodel import Session

from resettlement.actors import Actor, Role
from resettlement.models import EarlyReleaseRequest, ReleasePlan
from resettlement.partners import referrals, supporters
from tests.api.conftest import (
    OFFICER_ID,
    OTHER_OFFICER_ID,
    OTHER_PRISON,
    OWN_PRISON,
    bearer,
    open_request,
    publish,
    submit_request,
)
from tests.partners.conftest import Directory, make_directory, referrer


@dataclass
class World:
    """Plan A: flagged, published, its request awaiting assessment. Plan B: its request is
    with the governor. Both belong to the test officer, in the governor's own prison."""

    session: Session
    plan_a: int
    plan_b: int
    request_b: int
    fake: Faker
    directory: Directory
    # Plan A's sent referral to the housing organisation (with the person's live consent),
    # and a draft one to the work organisation.
    referral_a: int
    draft_a: int
    # A supporter the person of plan A named, with their consent.
    supporter_a: int = 0

    def version(self, plan_id: int) -> int:
        self.session.expire_all()
        plan = self.session.get(ReleasePlan, plan_id)
        assert plan is not None
        return plan.version

    def request_version(self, request_id: int) -> int:
        self.session.expire_all()
        request = self.session.get(EarlyReleaseRequest, request_id)
        assert request is not None
        return request.version

    def new_person(self) -> dict[str, Any]:
        return {
            "prison_number": self.fake.bothify("?####??", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
            "crn": self.fake.bothify("?######", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
            "given_name": self.fake.first_name(),
            "family_name": self.fake.last_name(),
            "date_of_birth": "1985-04-02",
            "nation": "england-and-wales",
            "prison_code": OWN_PRISON,
        }


@pytest.fixture
def world(session: Session, flagged_plan: Callable[..., ReleasePlan], fake: Faker) -> World:
    plan_a = publish(session, flagged_plan())
    plan_b = flagged_plan()
    assert plan_a.id is not None and plan_b.id is not None
    request_b = submit_request(session, plan_b.id)
    assert request_b.id is not None
    assert open_request(session, plan_a.id).state == "flagged"
    directory = make_directory(session)
    refer = referrer(session, directory)
    referral_a = refer(plan_a, sections=("first_night_address", "appointments"))
    draft_a = refer(plan_a, service_id=directory.work_service, need="employment", send=False)
    assert referral_a.id is not None and draft_a.id is not None
    supporter, _path = supporters.name_supporter(
        session=session,
        actor=Actor(user_id=OFFICER_ID, role=Role.PROBATION_OFFICER),
        plan_id=plan_a.id,
        request=supporters.SupporterRequest(
            name=fake.name(),
            relationship="Brother",
            check_question="Our first street",
            answer="Made Up Lane",
            sections=("appointments",),
        ),
    )
    assert supporter.id is not None
    return World(
        session,
        plan_a.id,
        plan_b.id,
        request_b.id,
        fake,
        directory,
        referral_a.id,
        draft_a.id,
        supporter.id,
    )


def _referral_version(w: World, referral_id: int) -> int:
    w.session.expire_all()
    found = w.session.get(referrals.Referral, referral_id)
    assert found is not None
    return found.version


ROLES = {
    "nobody": lambda w: {},
    "leaver_other": lambda w: bearer(Role.PRISON_LEAVER, "leaver-b", plan=w.plan_b),
    "leaver_own": lambda w: bearer(Role.PRISON_LEAVER, "leaver-a", plan=w.plan_a),
    "admin": lambda w: bearer(Role.ADMIN, "admin-test"),
    "governor_other": lambda w: bearer(Role.GOVERNOR, "governor-bwi", prison=OTHER_PRISON),
    "officer_other": lambda w: bearer(Role.PROBATION_OFFICER, OTHER_OFFICER_ID),
    # A partner of an organisation with no referral of these people, and the partner of the
    # organisation plan A's person was referred to with consent.
    "partner_other": lambda w: bearer(
        Role.PARTNER, "partner-work", organisation=w.directory.work_org
    ),
    "partner_own": lambda w: bearer(
        Role.PARTNER, "partner-housing", organisation=w.directory.housing_org
    ),
    # The owners go last: their calls change the records.
    "governor_own": lambda w: bearer(Role.GOVERNOR, "governor-mdi", prison=OWN_PRISON),
    "officer_own": lambda w: bearer(Role.PROBATION_OFFICER, OFFICER_ID),
}

Body = Callable[[World], dict[str, Any]] | None

# A plan endpoint only the plan's own officer may use.
OFFICER_ONLY = {
    "nobody": 401,
    "partner_other": 403,
    "partner_own": 403,
    "leaver_other": 403,
    "leaver_own": 403,
    "admin": 403,
    "governor_other": 403,
    "officer_other": 404,
    "governor_own": 403,
}
# A plan endpoint the officer and the governor of the person's prison may read.
STAFF_READ = {
    "nobody": 401,
    "partner_other": 403,
    "partner_own": 403,
    "leaver_other": 403,
    "leaver_own": 403,
    "admin": 403,
    "governor_other": 404,
    "officer_other": 404,
    "governor_own": 200,
    "officer_own": 200,
}
EVERYONE = {role: 200 for role in ROLES} | {"nobody": 401}


def _only(role: str, status: int) -> dict[str, int]:
    return {r: 403 for r in ROLES} | {"nobody": 401, role: status}


CASES: list[tuple[str, str, str, Body, dict[str, int]]] = [
    (
        "open a plan",
        "POST",
        "/api/v1/plans",
        lambda w: {
            "person": w.new_person(),
            "sentence_date": "2025-06-02",
            "requested_release_date": "2027-03-10",
            "term_days": 900,
        },
        _only("officer_own", 201) | {"officer_other": 201},
    ),
    (
        "list plans",
        "GET",
        "/api/v1/plans",
        None,
        STAFF_READ | {"governor_other": 200, "officer_other": 200},
    ),
    ("read a plan", "GET", "/api/v1/plans/{a}", None, STAFF_READ),
    ("read a plan's history", "GET", "/api/v1/plans/{a}/history", None, STAFF_READ),
    (
        "who is open in their first 48 hours",
        "GET",
        "/api/v1/plans/{a}/who-is-open",
        None,
        STAFF_READ,
    ),
    (
        "move a plan on",
        "POST",
        "/api/v1/plans/{a}/transitions",
        lambda w: {"event": "start_resettlement_planning", "expected_version": w.version(w.plan_a)},
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "change a checklist item",
        "PATCH",
        "/api/v1/plans/{a}/checklist/bank_account",
        lambda w: {"status": "in_progress", "expected_version": w.version(w.plan_a)},
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "add an appointment",
        "POST",
        "/api/v1/plans/{a}/appointments",
        lambda w: {
            "kind": "probation",
            "starts_at": "2027-03-12T14:00:00+00:00",
            "location": "Probation office, 1 Made Up Street",
            "with_whom": w.fake.name(),
            "expected_version": w.version(w.plan_a),
        },
        OFFICER_ONLY | {"officer_own": 201},
    ),
    (
        "add a contact",
        "POST",
        "/api/v1/plans/{a}/contacts",
        lambda w: {
            "kind": "helpline",
            "name": "A made-up helpline",
            "phone": "0800 000 0000",
            "expected_version": w.version(w.plan_a),
        },
        OFFICER_ONLY | {"officer_own": 201},
    ),
    (
        "replace goals",
        "PUT",
        "/api/v1/plans/{a}/goals",
        lambda w: {
            "goals": [{"area": "work", "in_their_words": "Get a job with regular hours."}],
            "expected_version": w.version(w.plan_a),
        },
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "set the first night",
        "PUT",
        "/api/v1/plans/{a}/night-one",
        lambda w: {"travel_arrangements": "Train", "expected_version": w.version(w.plan_a)},
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "pass a plan to another officer",
        "POST",
        "/api/v1/plans/{a}/reassign",
        lambda w: {
            "probation_officer_id": "po-someone-else",
            "reason": "Caseload transfer",
            "expected_version": w.version(w.plan_a),
        },
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "change the release date",
        "POST",
        "/api/v1/plans/{a}/release-date",
        lambda w: {
            "requested_release_date": "2027-03-17",
            "reason": "New sentence calculation",
            "expected_version": w.version(w.plan_a),
        },
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        # Access passes; the plan has not been released, so the step itself is refused.
        "record the follow-up",
        "POST",
        "/api/v1/plans/{a}/followup",
        lambda w: {
            "first_appointment_attended": True,
            "night_in_planned_accommodation": True,
            "gp_registered": True,
            "universal_credit_claim_made": True,
            "id_in_hand": True,
            "bank_account_in_hand": True,
            "expected_version": w.version(w.plan_a),
        },
        OFFICER_ONLY | {"officer_own": 409},
    ),
    (
        "publish the 48-hour plan",
        "POST",
        "/api/v1/plans/{a}/publish",
        lambda w: {"expected_version": w.version(w.plan_a)},
        OFFICER_ONLY | {"officer_own": 201},
    ),
    (
        "assess the early-release request",
        "POST",
        "/api/v1/plans/{a}/early-release-requests",
        lambda w: {
            "harms_resettlement": True,
            "needs": ["accommodation"],
            "assessment": "No bed at the weekend.",
            "expected_version": open_request(w.session, w.plan_a).version,
            "submit": True,
        },
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "the governor's queue",
        "GET",
        "/api/v1/early-release-requests",
        None,
        _only("governor_own", 200) | {"governor_other": 200},
    ),
    (
        "decide a request",
        "POST",
        "/api/v1/early-release-requests/{request_b}/decision",
        lambda w: {
            "decision": "refuse",
            "reasons": "Release on the day is supported by the hostel.",
            "expected_version": w.request_version(w.request_b),
        },
        _only("governor_own", 200) | {"governor_other": 404},
    ),
    (
        "my 48-hour plan",
        "GET",
        "/api/v1/me/plan",
        None,
        _only("leaver_own", 200) | {"leaver_other": 404},
    ),
    (
        "assess a release date",
        "GET",
        "/api/v1/release-dates/assess?date=2027-03-12&nation=england-and-wales",
        None,
        EVERYONE,
    ),
    ("the audit trail", "GET", "/api/v1/audit", None, _only("admin", 200)),
    (
        "the notification outbox",
        "GET",
        "/api/v1/notifications",
        None,
        {r: 200 for r in ROLES}
        | {"nobody": 401, "leaver_own": 403, "leaver_other": 403}
        | {"partner_own": 403, "partner_other": 403},
    ),
    (
        "refer from a plan",
        "POST",
        "/api/v1/plans/{a}/referrals",
        lambda w: {
            "service_id": w.directory.housing_service,
            "need": "accommodation",
            "help_wanted": "A bed for the first week.",
            "sections": ["first_night_address"],
            "consent_until": "2027-06-30",
        },
        OFFICER_ONLY | {"officer_own": 201},
    ),
    (
        "a plan's referrals",
        "GET",
        "/api/v1/plans/{a}/referrals",
        None,
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "send a referral",
        "POST",
        "/api/v1/referrals/{draft_a}/send",
        lambda w: {"expected_version": _referral_version(w, w.draft_a)},
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "close a referral",
        "POST",
        "/api/v1/referrals/{draft_a}/close",
        lambda w: {"expected_version": _referral_version(w, w.draft_a), "reason": "Not needed"},
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "a plan's flags",
        "GET",
        "/api/v1/plans/{a}/referral-flags",
        None,
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        "name a supporter",
        "POST",
        "/api/v1/plans/{a}/supporters",
        lambda w: {
            "name": w.fake.name(),
            "relationship": "Sister",
            "check_question": "The name of our first dog",
            "answer": "Biscuit",
            "sections": ["first_night_address"],
        },
        OFFICER_ONLY | {"officer_own": 201},
    ),
    (
        "a plan's supporters",
        "GET",
        "/api/v1/plans/{a}/supporters",
        None,
        OFFICER_ONLY | {"officer_own": 200},
    ),
    (
        # The person (with their own token) or the plan's officer; stopping twice is no error.
        "stop a supporter",
        "DELETE",
        "/api/v1/supporters/{supporter_a}",
        None,
        OFFICER_ONLY | {"leaver_own": 200, "leaver_other": 404, "officer_own": 200},
    ),
    (
        "a partner's referrals",
        "GET",
        "/api/v1/partner/referrals",
        None,
        _only("partner_own", 200) | {"partner_other": 200},
    ),
    (
        "a partner reads a referral",
        "GET",
        "/api/v1/partner/referrals/{referral_a}",
        None,
        _only("partner_own", 200) | {"partner_other": 404},
    ),
    (
        "a partner reads a draft referral",
        "GET",
        "/api/v1/partner/referrals/{draft_a}",
        None,
        _only("partner_own", 404) | {"partner_other": 404},
    ),
    (
        "a partner flags a risk",
        "POST",
        "/api/v1/partner/referrals/{referral_a}/updates",
        lambda w: {"kind": "flag", "flag_kind": "risk", "text": "Worried about his safety."},
        _only("partner_own", 201) | {"partner_other": 404},
    ),
    (
        "a partner accepts",
        "POST",
        "/api/v1/partner/referrals/{referral_a}/accept",
        lambda w: {"expected_version": _referral_version(w, w.referral_a)},
        _only("partner_own", 200) | {"partner_other": 404},
    ),
    ("liveness", "GET", "/healthz", None, {role: 200 for role in ROLES}),
    ("readiness", "GET", "/readyz", None, {role: 200 for role in ROLES}),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [pytest.param(m, p, b, e, id=name) for name, m, p, b, e in CASES],
)
def test_each_role_gets_the_status_the_table_says(
    client: TestClient,
    world: World,
    method: str,
    path: str,
    body: Body,
    expected: dict[str, int],
) -> None:
    assert set(expected) == set(ROLES), "every role has an expected status"
    url = path.format(
        a=world.plan_a,
        b=world.plan_b,
        request_b=world.request_b,
        referral_a=world.referral_a,
        draft_a=world.draft_a,
        supporter_a=world.supporter_a,
    )
    got = {}
    for role, headers in ROLES.items():
        response = client.request(
            method, url, headers=headers(world), json=body(world) if body else None
        )
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", role
    assert got == expected


def test_other_officers_and_prisons_see_none_of_these_plans_in_lists(
    client: TestClient, world: World
) -> None:
    def plan_ids(headers: dict[str, str]) -> set[int]:
        response = client.get("/api/v1/plans", headers=headers)
        assert response.status_code == 200
        return {row["plan_id"] for row in response.json()["items"]}

    assert plan_ids(ROLES["officer_own"](world)) == {world.plan_a, world.plan_b}
    assert plan_ids(ROLES["governor_own"](world)) == {world.plan_a, world.plan_b}
    assert plan_ids(ROLES["officer_other"](world)) == set()
    assert plan_ids(ROLES["governor_other"](world)) == set()
    other_prison = client.get(
        f"/api/v1/plans?prison={OTHER_PRISON}", headers=ROLES["governor_own"](world)
    )
    assert other_prison.json()["items"] == []
    queue = client.get("/api/v1/early-release-requests", headers=ROLES["governor_other"](world))
    assert queue.json() == []


def test_not_yours_and_not_there_are_told_apart_by_nothing_but_the_id(
    client: TestClient, world: World
) -> None:
    headers = ROLES["officer_other"](world)
    missing_id = world.plan_b + 1000
    theirs = client.get(f"/api/v1/plans/{world.plan_a}", headers=headers).json()
    missing = client.get(f"/api/v1/plans/{missing_id}", headers=headers).json()
    for body, plan_id in ((theirs, world.plan_a), (missing, missing_id)):
        body.pop("instance")
        body["detail"] = body["detail"].replace(str(plan_id), "N")
    assert theirs == missing
