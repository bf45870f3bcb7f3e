"""Goals written with the person: the person adds, changes and removes their own from their
page, the officer keeps the list on theirs, each goal says who wrote it and who last changed
it, and the plan's history and the audit trail say which of them did each change."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from resettlement import goals, plans
from resettlement.actors import Actor, Role
from resettlement.errors import (
    ConflictsWithRecord,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
    VersionConflict,
)
from resettlement.goals import GoalEntry, GoalText
from resettlement.models import (
    AuditEvent,
    Author,
    CancelReason,
    Goal,
    GoalArea,
    PlanEvent,
    ReleasePlan,
)
from resettlement.plan_snapshot import seen, snapshot

OFFICER = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)


def _person(plan: ReleasePlan, link_id: int = 7) -> Actor:
    return Actor(user_id=f"leaver-link:{link_id}", role=Role.PRISON_LEAVER, plan_id=plan.id)


def _events(session: Session, plan: ReleasePlan) -> list[PlanEvent]:
    return list(
        session.exec(
            select(PlanEvent)
            .where(PlanEvent.plan_id == plan.id, col(PlanEvent.kind).like("goal%"))
            .order_by(col(PlanEvent.id))
        ).all()
    )


def _audit(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def _add(session: Session, actor: Actor, plan: ReleasePlan, area: str, words: str) -> Goal:
    assert plan.id is not None
    return goals.add_goal(
        session=session,
        actor=actor,
        plan_id=plan.id,
        data=GoalText(area=GoalArea(area), in_their_words=words),
    )


def test_the_person_adds_a_goal_written_by_them_with_its_history_and_audit(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    person = _person(plan)
    goal = _add(session, person, plan, "sport", "  Get back into boxing at the club.  ")

    session.refresh(goal)
    assert goal.in_their_words == "Get back into boxing at the club."
    assert (goal.written_by_kind, goal.written_by) == (Author.PERSON, "leaver-link:7")
    assert (goal.changed_by_kind, goal.changed_by) == (Author.PERSON, "leaver-link:7")
    assert goal.created_at == goal.updated_at
    [event] = _events(session, plan)
    assert (event.kind, event.actor, event.actor_role) == (
        "goal_added",
        "leaver-link:7",
        Role.PRISON_LEAVER.value,
    )
    assert event.detail == {"goal": goal.id, "area": "sport", "by": "person"}
    # The words stay in the goal: the history and the audit trail hold no free text.
    assert "boxing" not in str(event.detail)
    [row] = _audit(session, "add_goal")
    assert (row.actor, row.role, row.object_type, row.object_id) == (
        "leaver-link:7",
        "prison_leaver",
        "plan",
        str(plan.id),
    )


def test_the_person_changes_and_removes_a_goal_the_officer_wrote_and_history_says_who(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    assert plan.id is not None
    staff_goal = _add(session, OFFICER, plan, "work", "Find warehouse work.")
    assert staff_goal.written_by_kind == Author.STAFF
    person = _person(plan)

    changed = goals.change_goal(
        session=session,
        actor=person,
        goal_id=staff_goal.id or 0,
        expected_version=staff_goal.version,
        data=GoalText(area=GoalArea.WORK, in_their_words="Find warehouse work with day shifts."),
    )
    session.refresh(changed)
    assert (changed.written_by_kind, changed.written_by) == (Author.STAFF, OFFICER.user_id)
    assert (changed.changed_by_kind, changed.changed_by) == (Author.PERSON, "leaver-link:7")
    assert changed.version == 2

    goals.remove_goal(
        session=session, actor=person, goal_id=changed.id or 0, expected_version=changed.version
    )
    assert session.get(Goal, changed.id) is None
    kinds = [(e.kind, e.actor_role, (e.detail or {}).get("by")) for e in _events(session, plan)]
    assert kinds == [
        ("goal_added", "probation_officer", "staff"),
        ("goal_changed", "prison_leaver", "person"),
        ("goal_removed", "prison_leaver", "person"),
    ]
    assert _events(session, plan)[1].detail["fields"] == ["in_their_words"]  # type: ignore[index]
    assert _events(session, plan)[2].detail["written_by"] == "staff"  # type: ignore[index]


def test_saving_a_goal_unchanged_writes_no_history_and_keeps_its_version(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    goal = _add(session, _person(plan), plan, "arts", "Keep drawing.")
    same = goals.change_goal(
        session=session,
        actor=_person(plan),
        goal_id=goal.id or 0,
        expected_version=1,
        data=GoalText(area=GoalArea.ARTS, in_their_words="Keep drawing. "),
    )
    assert same.version == 1
    assert [e.kind for e in _events(session, plan)] == ["goal_added"]


def test_the_officers_whole_list_keeps_the_persons_goals_as_theirs(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    assert plan.id is not None
    person = _person(plan)
    theirs = _add(session, person, plan, "family", "See my kids every weekend.")
    edited = _add(session, person, plan, "health", "Stay clean.")
    dropped = _add(session, person, plan, "faith", "Find a mosque near the hostel.")
    session.refresh(plan)

    kept = plans.replace_goals(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        goals=[
            # Sent as the old API sends it, with no id: the same words are the same goal.
            plans.GoalBase(area=GoalArea.FAMILY, in_their_words="See my kids every weekend."),
            # Named by id and changed by the officer: still written by the person.
            GoalEntry(id=edited.id, area=GoalArea.HEALTH, in_their_words="Stay clean, go to NA."),
            plans.GoalBase(area=GoalArea.LEARNING, in_their_words="Level 2 maths."),
        ],
    )

    rows = {g.id: g for g in session.exec(select(Goal).where(Goal.plan_id == plan.id)).all()}
    assert [g.id for g in kept][:2] == [theirs.id, edited.id]
    assert dropped.id not in rows
    assert rows[theirs.id].written_by_kind == Author.PERSON
    assert rows[theirs.id].changed_by_kind == Author.PERSON
    assert rows[edited.id].written_by_kind == Author.PERSON
    assert (rows[edited.id].changed_by_kind, rows[edited.id].changed_by) == (
        Author.STAFF,
        OFFICER.user_id,
    )
    [new] = [g for g in rows.values() if g.id not in (theirs.id, edited.id)]
    assert (new.written_by_kind, new.written_by, new.position) == (Author.STAFF, "po-test", 2)
    [event] = [e for e in _events(session, plan) if e.kind == "goals_changed"]
    assert event.detail == {"count": 3, "added": 1, "changed": 1, "removed": 1, "by": "staff"}


def test_the_officers_list_cannot_name_a_goal_of_another_plan(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan, other = new_plan(), new_plan()
    assert plan.id is not None
    elsewhere = _add(session, _person(other), other, "work", "Someone else's goal.")
    with pytest.raises(ConflictsWithRecord):
        plans.replace_goals(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            expected_version=plan.version,
            goals=[GoalEntry(id=elsewhere.id, area=GoalArea.WORK, in_their_words="Mine now.")],
        )
    session.refresh(elsewhere)
    assert (elsewhere.plan_id, elsewhere.in_their_words) == (other.id, "Someone else's goal.")


def test_two_edits_that_cross_the_second_is_a_conflict_and_changes_nothing(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    assert plan.id is not None
    person = _person(plan)
    officer_saw = plan.version
    goal = _add(session, person, plan, "work", "Any job with regular hours.")
    session.refresh(plan)
    # The person's new goal moved the plan on: the officer's list, loaded before it, is stale.
    assert plan.version > officer_saw
    with pytest.raises(VersionConflict):
        plans.replace_goals(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            expected_version=officer_saw,
            goals=[],
        )
    assert session.get(Goal, goal.id) is not None

    goals.change_goal(
        session=session,
        actor=OFFICER,
        goal_id=goal.id or 0,
        expected_version=1,
        data=GoalText(area=GoalArea.WORK, in_their_words="A job near the hostel."),
    )
    with pytest.raises(VersionConflict):
        goals.change_goal(
            session=session,
            actor=person,
            goal_id=goal.id or 0,
            expected_version=1,
            data=GoalText(area=GoalArea.WORK, in_their_words="Written over the officer."),
        )
    with pytest.raises(VersionConflict):
        goals.remove_goal(session=session, actor=person, goal_id=goal.id or 0, expected_version=1)
    session.refresh(goal)
    assert goal.in_their_words == "A job near the hostel."


def test_another_persons_goal_is_not_found_and_the_attempt_is_audited(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    mine, theirs = new_plan(), new_plan()
    assert theirs.id is not None
    goal = _add(session, _person(theirs, 8), theirs, "family", "Their own words.")
    me = _person(mine, 9)

    with pytest.raises(NotFound):
        goals.change_goal(
            session=session,
            actor=me,
            goal_id=goal.id or 0,
            expected_version=1,
            data=GoalText(area=GoalArea.FAMILY, in_their_words="Overwritten."),
        )
    with pytest.raises(NotFound):
        goals.remove_goal(session=session, actor=me, goal_id=goal.id or 0, expected_version=1)
    with pytest.raises(NotFound):
        _add(session, me, theirs, "work", "Added to someone else's plan.")
    with pytest.raises(NotFound):
        goals.goals_for(session=session, actor=me, plan_id=theirs.id)
    # Another officer, not named on the plan, is refused as well.
    stranger = Actor(user_id="po-other", role=Role.PROBATION_OFFICER)
    with pytest.raises(NotFound):
        goals.remove_goal(session=session, actor=stranger, goal_id=goal.id or 0, expected_version=1)

    session.refresh(goal)
    assert goal.in_their_words == "Their own words."
    denied = [(a.actor, a.object_type, a.object_id) for a in _audit(session, "denied")]
    assert denied == [
        ("leaver-link:9", "goal", str(goal.id)),
        ("leaver-link:9", "goal", str(goal.id)),
        ("leaver-link:9", "plan", str(theirs.id)),
        ("leaver-link:9", "plan", str(theirs.id)),
        ("po-other", "goal", str(goal.id)),
    ]
    assert [e.kind for e in _events(session, theirs)] == ["goal_added"]


@pytest.mark.parametrize(
    ("area", "words", "field"),
    [
        ("work", "", "in_their_words"),
        ("work", "   ", "in_their_words"),
        ("work", "x" * 2001, "in_their_words"),
        ("work", "NUL \x00 inside", "in_their_words"),
        ("gardening", "Not an area on the list.", "area"),
    ],
)
def test_bad_goals_are_refused_and_nothing_is_written(
    session: Session, new_plan: Callable[..., ReleasePlan], area: str, words: str, field: str
) -> None:
    plan = new_plan()
    assert plan.id is not None
    # Built without the model's checks, as a caller that skipped them would: the service
    # checks again.
    data = GoalText.model_construct(area=area, in_their_words=words)
    with pytest.raises(InvalidInput) as refused:
        goals.add_goal(session=session, actor=_person(plan), plan_id=plan.id, data=data)
    assert refused.value.field == field
    assert session.exec(select(Goal).where(Goal.plan_id == plan.id)).first() is None
    assert _events(session, plan) == []


def test_the_longest_goal_fits(session: Session, new_plan: Callable[..., ReleasePlan]) -> None:
    plan = new_plan()
    goal = _add(session, _person(plan), plan, "learning", "y" * 2000)
    session.refresh(goal)
    assert len(goal.in_their_words) == 2000


def test_a_closed_plans_goals_cannot_change(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    assert plan.id is not None
    goal = _add(session, _person(plan), plan, "sport", "Run a 5k.")
    session.refresh(plan)
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="cancel",
        expected_version=plan.version,
        cancel_reason=CancelReason.TRANSFER,
    )
    with pytest.raises(TransitionNotAllowed):
        _add(session, _person(plan), plan, "work", "Too late.")
    with pytest.raises(TransitionNotAllowed):
        goals.change_goal(
            session=session,
            actor=_person(plan),
            goal_id=goal.id or 0,
            expected_version=goal.version,
            data=GoalText(area=GoalArea.SPORT, in_their_words="Run a 10k."),
        )


def test_a_plan_holds_at_most_twenty_goals(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    for n in range(goals.MAX_GOALS):
        _add(session, _person(plan), plan, "other", f"Goal number {n + 1}.")
    with pytest.raises(Exception, match="already 20 goals"):
        _add(session, _person(plan), plan, "other", "One too many.")


def test_goals_are_not_part_of_what_must_be_published(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    before = seen(snapshot(session, plan))
    _add(session, _person(plan), plan, "family", "Be there for my daughter's birthday.")
    session.refresh(plan)
    assert seen(snapshot(session, plan)) == before
    assert snapshot(session, plan)["goals"] == [
        {"area": "family", "in_their_words": "Be there for my daughter's birthday."}
    ]


def test_a_change_that_read_the_goal_before_another_committed_loses_at_the_database(
    engine: Engine, session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    """Both checks of the version passed (each read version 1), as two requests in flight at
    once would: the database's own check of the version, at the UPDATE, refuses the second."""
    plan = new_plan()
    goal = _add(session, _person(plan), plan, "health", "Stay clean.")
    assert goal.id is not None
    with Session(engine) as late:
        # The late request has read the goal, at version 1, before the officer saves.
        assert late.get(Goal, goal.id) is not None
        goals.change_goal(
            session=session,
            actor=OFFICER,
            goal_id=goal.id,
            expected_version=1,
            data=GoalText(area=GoalArea.HEALTH, in_their_words="Stay clean, go to the group."),
        )
        with pytest.raises(VersionConflict):
            goals.change_goal(
                session=late,
                actor=_person(plan),
                goal_id=goal.id,
                expected_version=1,
                data=GoalText(area=GoalArea.HEALTH, in_their_words="Written over it."),
            )
    session.refresh(goal)
    assert (goal.in_their_words, goal.version) == ("Stay clean, go to the group.", 2)
    assert [e.kind for e in _events(session, plan)] == ["goal_added", "goal_changed"]
