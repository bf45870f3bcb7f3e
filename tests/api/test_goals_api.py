"""Goals through the API: the person's own /me/goals, the officer's goals with who wrote each,
the officer's whole list keeping the person's goals as theirs, and crossing edits as 409
problem+json."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from resettlement.models import AuditEvent, Goal, PlanEvent, ReleasePlan
from tests.api.conftest import Headers, bearer

PROBLEM = "application/problem+json"


def _leaver(plan: ReleasePlan) -> Headers:
    return bearer("prison_leaver", "leaver-sam", plan=plan.id)


def test_the_person_adds_changes_and_removes_their_goal_and_the_officer_sees_who(
    client: TestClient, officer: Headers, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    me = _leaver(plan)
    added = client.post(
        "/api/v1/me/goals",
        headers=me,
        json={"area": "learning", "in_their_words": "Finish my level 2 maths."},
    )
    assert added.status_code == 201, added.text
    goal = added.json()
    assert (goal["written_by_kind"], goal["written_by"], goal["version"]) == (
        "person",
        "leaver-sam",
        1,
    )

    seen = client.get(f"/api/v1/plans/{plan.id}/goals", headers=officer)
    assert seen.status_code == 200
    assert [(g["id"], g["written_by_kind"]) for g in seen.json()] == [(goal["id"], "person")]
    # The plan's goals keep their first shape for existing clients.
    whole = client.get(f"/api/v1/plans/{plan.id}", headers=officer).json()
    assert whole["goals"] == [{"area": "learning", "in_their_words": "Finish my level 2 maths."}]

    changed = client.put(
        f"/api/v1/me/goals/{goal['id']}",
        headers=me,
        json={"area": "learning", "in_their_words": "Finish level 2 maths by summer.",
              "expected_version": 1},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    stale = client.put(
        f"/api/v1/me/goals/{goal['id']}",
        headers=me,
        json={"area": "work", "in_their_words": "From a stale copy.", "expected_version": 1},
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith(PROBLEM)
    gone = client.delete(f"/api/v1/me/goals/{goal['id']}?expected_version=1", headers=me)
    assert gone.status_code == 409
    removed = client.delete(f"/api/v1/me/goals/{goal['id']}?expected_version=2", headers=me)
    assert removed.status_code == 204
    assert client.get("/api/v1/me/goals", headers=me).json() == []
    kinds = session.exec(
        select(PlanEvent.kind, PlanEvent.actor_role).where(
            PlanEvent.plan_id == plan.id,
            PlanEvent.kind.like("goal%"),  # type: ignore[attr-defined]
        )
    ).all()
    assert list(kinds) == [
        ("goal_added", "prison_leaver"),
        ("goal_changed", "prison_leaver"),
        ("goal_removed", "prison_leaver"),
    ]


def test_bad_goals_are_422_problems_and_nothing_is_written(
    client: TestClient, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    me = _leaver(plan)
    for body in (
        {"area": "gardening", "in_their_words": "Not an area."},
        {"area": "work", "in_their_words": ""},
        {"area": "work", "in_their_words": "   "},
        {"area": "work", "in_their_words": "x" * 2001},
        {"area": "work", "in_their_words": "NUL \u0000 here"},
        {"area": "work", "in_their_words": "An extra field.", "written_by": "staff"},
    ):
        answer = client.post("/api/v1/me/goals", headers=me, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith(PROBLEM)
    assert session.exec(select(Goal).where(Goal.plan_id == plan.id)).first() is None


def test_another_persons_goal_is_404_and_audited(
    client: TestClient, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    mine, theirs = new_plan(), new_plan()
    their_goal = client.post(
        "/api/v1/me/goals",
        headers=_leaver(theirs),
        json={"area": "family", "in_their_words": "Their own words."},
    ).json()
    me = _leaver(mine)
    changed = client.put(
        f"/api/v1/me/goals/{their_goal['id']}",
        headers=me,
        json={"area": "family", "in_their_words": "Overwritten.", "expected_version": 1},
    )
    assert changed.status_code == 404
    assert changed.headers["content-type"].startswith(PROBLEM)
    assert (
        client.delete(
            f"/api/v1/me/goals/{their_goal['id']}?expected_version=1", headers=me
        ).status_code
        == 404
    )
    denied = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "denied",
            AuditEvent.object_type == "goal",
            AuditEvent.object_id == str(their_goal["id"]),
        )
    ).all()
    assert len(denied) == 2
    kept = session.get(Goal, their_goal["id"])
    assert kept is not None and kept.in_their_words == "Their own words."


def test_the_officers_list_keeps_the_persons_goal_and_loses_to_a_crossing_change(
    client: TestClient, officer: Headers, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    loaded = client.get(f"/api/v1/plans/{plan.id}", headers=officer).json()
    theirs = client.post(
        "/api/v1/me/goals",
        headers=_leaver(plan),
        json={"area": "sport", "in_their_words": "Run a 5k."},
    ).json()
    # The officer's copy was loaded before the person's goal: saving it would drop the goal.
    crossed = client.put(
        f"/api/v1/plans/{plan.id}/goals",
        headers=officer,
        json={"goals": [], "expected_version": loaded["version"]},
    )
    assert crossed.status_code == 409
    assert crossed.headers["content-type"].startswith(PROBLEM)

    fresh = client.get(f"/api/v1/plans/{plan.id}", headers=officer).json()
    saved = client.put(
        f"/api/v1/plans/{plan.id}/goals",
        headers=officer,
        json={
            "goals": [
                {"id": theirs["id"], "area": "sport", "in_their_words": "Run a 5k in May."},
                {"area": "work", "in_their_words": "Forklift licence."},
            ],
            "expected_version": fresh["version"],
        },
    )
    assert saved.status_code == 200, saved.text
    listed = client.get(f"/api/v1/plans/{plan.id}/goals", headers=officer).json()
    assert [(g["in_their_words"], g["written_by_kind"], g["changed_by_kind"]) for g in listed] == [
        ("Run a 5k in May.", "person", "staff"),
        ("Forklift licence.", "staff", "staff"),
    ]
    assert listed[0]["id"] == theirs["id"]
