"""The person's goals and hopes, written with them: by the person from their own plan page, or
by the probation officer recording them together. Each goal keeps who wrote it and who last
changed it, and every change is a line in the plan's history saying which of them it was.

When goals can change: while the plan is open (sentence planning to the days after release),
for the person and the officer alike, and never once the plan is completed or cancelled, when
the plan is a record. The person's window is the officer's: the goals are written together,
and neither's words should be frozen while the other's can still move.

Goals are the person's own words, not the officer's instructions: a change to them never
makes the published 48-hour plan out of date (resettlement/plan_snapshot.py leaves them out of
that comparison), and the person's pages show the goals as they stand now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import field_validator
from sqlmodel import Session, col, func, select

from resettlement import audit, clock, history
from resettlement.actors import Actor, Role
from resettlement.errors import ConflictsWithRecord, InvalidInput, NotFound, TransitionNotAllowed
from resettlement.models import OPEN_STATES, Author, Goal, GoalArea, GoalBase, ReleasePlan
from resettlement.plan_view import no_such_plan
from resettlement.transactions import check_version, commit, get_or_404, service

# The officer's goals page and the API take at most this many at once; the person's page adds
# one at a time up to the same number.
MAX_GOALS = 20
MAX_WORDS = 2000


class GoalEntry(GoalBase):
    """A goal in a whole list the officer saves (replace_goals): `id` names the goal it keeps,
    so the goal keeps its author; without one, a goal is kept if its area and words are
    exactly those of a goal on the plan, and is otherwise new."""

    id: int | None = None


class GoalText(GoalBase):
    """One goal as someone writes it: an area from the list and 1 to 2,000 characters."""

    @field_validator("in_their_words")
    @classmethod
    def _words(cls, value: str) -> str:
        problem = words_problem(value)
        if problem:
            raise ValueError(problem)
        return value.strip()


def words_problem(value: str) -> str | None:
    """What is wrong with a goal's words, in words the person can act on, or None."""
    words = value.strip()
    if "\x00" in words:
        return "The goal cannot contain the NUL character."
    if not words:
        return "Write the goal."
    if len(words) > MAX_WORDS:
        return f"The goal must be {MAX_WORDS:,} characters or fewer."
    return None


def checked(area: object, value: str) -> tuple[GoalArea, str]:
    """The area and words as they are kept, or InvalidInput naming what to fix."""
    try:
        chosen = GoalArea(str(area))
    except ValueError:
        raise InvalidInput("Choose what the goal is about from the list.", field="area") from None
    problem = words_problem(value)
    if problem:
        raise InvalidInput(problem, field="in_their_words")
    return chosen, value.strip()


def author_of(actor: Actor) -> Author:
    return Author.PERSON if actor.role == Role.PRISON_LEAVER else Author.STAFF


def can_change(plan: ReleasePlan) -> bool:
    return plan.state in {s.value for s in OPEN_STATES}


def _closed(plan: ReleasePlan) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        f"The plan is {plan.state.replace('_', ' ')}: its goals can no longer be changed."
    )


def _allowed(actor: Actor, plan: ReleasePlan | None) -> bool:
    """The person changes their own plan's goals; the officer, those of the plans they are
    named on. Nobody else, whatever their role."""
    if plan is None:
        return False
    if actor.role == Role.PRISON_LEAVER:
        return actor.plan_id == plan.id
    return actor.role == Role.PROBATION_OFFICER and plan.probation_officer_id == actor.user_id


def _plan_for(session: Session, actor: Actor, plan_id: int) -> ReleasePlan:
    """The plan, if the actor may see and change its goals. Anyone else is told there is no
    such plan, and the refusal is kept in the audit trail."""
    plan = session.get(ReleasePlan, plan_id)
    if not _allowed(actor, plan):
        audit.record_denied(session, actor, "plan", plan_id)
        raise no_such_plan(plan_id)
    assert plan is not None
    return plan


def _goal_for(session: Session, actor: Actor, goal_id: int) -> tuple[Goal, ReleasePlan]:
    """The goal and its plan; a goal that is not the actor's is answered as one that does not
    exist (nothing tells whose it is), and the attempt is audited."""
    goal = session.get(Goal, goal_id)
    plan = session.get(ReleasePlan, goal.plan_id) if goal is not None else None
    if goal is None or not _allowed(actor, plan):
        audit.record_denied(session, actor, "goal", goal_id)
        raise _no_such_goal(goal_id)
    assert plan is not None
    return goal, plan


def _no_such_goal(goal_id: int) -> NotFound:
    return NotFound(f"There is no goal with id {goal_id}.")


def _listed(session: Session, plan_id: int) -> list[Goal]:
    return list(
        session.exec(
            select(Goal).where(Goal.plan_id == plan_id).order_by(col(Goal.position), col(Goal.id))
        ).all()
    )


def _by(goal: Goal, actor: Actor) -> dict[str, str | int | None]:
    return {"goal": goal.id, "area": str(goal.area), "by": author_of(actor).value}


@service
def goals_for(*, session: Session, actor: Actor, plan_id: int) -> list[Goal]:
    """The plan's goals in order, for the person or the officer; the read is audited."""
    _plan_for(session, actor, plan_id)
    goals = _listed(session, plan_id)
    audit.record(session, actor, "read_goals", "plan", plan_id)
    commit(session, "audit")
    return goals


@service
def read_goal(*, session: Session, actor: Actor, goal_id: int) -> tuple[Goal, ReleasePlan]:
    """One goal and its plan, to change or remove it; the read is audited, and a goal that is
    not the actor's is not found (and the attempt audited)."""
    goal, plan = _goal_for(session, actor, goal_id)
    audit.record(session, actor, "read_goals", "plan", plan.id)
    commit(session, "audit")
    return goal, plan


@service
def add_goal(*, session: Session, actor: Actor, plan_id: int, data: GoalText) -> Goal:
    """One new goal at the end of the list, written by whoever adds it."""
    plan = _plan_for(session, actor, plan_id)
    if not can_change(plan):
        raise _closed(plan)
    count, last = session.exec(
        select(func.count(col(Goal.id)), func.max(Goal.position)).where(Goal.plan_id == plan_id)
    ).one()
    if count >= MAX_GOALS:
        raise ConflictsWithRecord(
            f"There are already {MAX_GOALS} goals. Change or remove one to add another.",
            field="in_their_words",
        )
    area, words = checked(data.area, data.in_their_words)
    kind, now = author_of(actor), clock.now()
    goal = Goal(
        plan_id=plan_id,
        area=area,
        in_their_words=words,
        position=(last + 1) if last is not None else 0,
        written_by_kind=kind,
        written_by=actor.user_id,
        changed_by_kind=kind,
        changed_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(goal)
    session.flush()
    history.record(session, plan, actor, "goal_added", detail=_by(goal, actor))
    audit.record(session, actor, "add_goal", "plan", plan.id)
    commit(session, "goal")
    return goal


@service
def change_goal(
    *, session: Session, actor: Actor, goal_id: int, expected_version: int, data: GoalText
) -> Goal:
    """Changes one goal's area or words. It keeps its author; who changed it is recorded.
    Saving it unchanged changes nothing and writes no history."""
    goal, plan = _goal_for(session, actor, goal_id)
    check_version(goal, expected_version, "goal")
    if not can_change(plan):
        raise _closed(plan)
    area, words = checked(data.area, data.in_their_words)
    if (str(goal.area), goal.in_their_words) == (str(area), words):
        commit(session, "goal")
        return goal
    fields = [
        name
        for name, same in (("area", str(goal.area) == str(area)),
                           ("in_their_words", goal.in_their_words == words))
        if not same
    ]  # fmt: skip
    goal.area = area
    goal.in_their_words = words
    goal.changed_by_kind = author_of(actor)
    goal.changed_by = actor.user_id
    goal.updated_at = clock.now()
    session.add(goal)
    history.record(
        session, plan, actor, "goal_changed", detail={**_by(goal, actor), "fields": fields}
    )
    audit.record(session, actor, "change_goal", "plan", plan.id)
    commit(session, "goal")
    return goal


@service
def remove_goal(*, session: Session, actor: Actor, goal_id: int, expected_version: int) -> None:
    """Removes one goal, whoever wrote it: the history keeps that it was there and who
    removed it, not its words (those were the person's, and the person took them back)."""
    goal, plan = _goal_for(session, actor, goal_id)
    check_version(goal, expected_version, "goal")
    if not can_change(plan):
        raise _closed(plan)
    detail = {**_by(goal, actor), "written_by": goal.written_by_kind}
    session.delete(goal)
    history.record(session, plan, actor, "goal_removed", detail=detail)
    audit.record(session, actor, "remove_goal", "plan", plan.id)
    commit(session, "goal")


@dataclass(frozen=True)
class Reconciled:
    kept: list[Goal]
    added: int
    changed: int
    removed: int


def reconcile(
    session: Session, actor: Actor, plan_id: int, wanted: Sequence[GoalEntry | GoalBase]
) -> Reconciled:
    """The officer's whole list, applied goal by goal: a goal named by id, or matching a
    goal on the plan word for word, keeps its row and its author (changed ones record the
    officer as their last editor); the rest are new, written by the officer; goals left out
    are removed. Never relabels the person's goals as the officer's."""
    existing = _listed(session, plan_id)
    by_id = {g.id: g for g in existing}
    unclaimed = list(existing)
    claims: list[Goal | None] = []
    for entry in wanted:
        goal_id = getattr(entry, "id", None)
        if goal_id is not None:
            found = by_id.get(goal_id)
            if found is None or found not in unclaimed:
                # Well-formed, but not a goal of this plan as it stands (removed meanwhile,
                # another plan's, or named twice): the caller reloads the plan's goals.
                raise ConflictsWithRecord(
                    f"There is no goal with id {goal_id} on this plan now. Reload its goals.",
                    field="goals",
                )
            unclaimed.remove(found)
            claims.append(found)
        else:
            claims.append(None)
    # Goals sent without an id: one word for word the same as an unclaimed goal is that goal.
    for index, entry in enumerate(wanted):
        if claims[index] is not None:
            continue
        same = next(
            (
                g
                for g in unclaimed
                if (str(g.area), g.in_their_words)
                == (str(entry.area), entry.in_their_words.strip())
            ),
            None,
        )
        if same is not None:
            unclaimed.remove(same)
            claims[index] = same
    kind, now = author_of(actor), clock.now()
    kept: list[Goal] = []
    added = changed = 0
    for position, (entry, goal) in enumerate(zip(wanted, claims, strict=True)):
        area, words = checked(entry.area, entry.in_their_words)
        if goal is None:
            goal = Goal(
                plan_id=plan_id,
                area=area,
                in_their_words=words,
                position=position,
                written_by_kind=kind,
                written_by=actor.user_id,
                changed_by_kind=kind,
                changed_by=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            added += 1
        else:
            if (str(goal.area), goal.in_their_words) != (str(area), words):
                goal.area = area
                goal.in_their_words = words
                goal.changed_by_kind = kind
                goal.changed_by = actor.user_id
                goal.updated_at = now
                changed += 1
            if goal.position != position:
                goal.position = position
        session.add(goal)
        kept.append(goal)
    for goal in unclaimed:
        session.delete(goal)
    return Reconciled(kept=kept, added=added, changed=changed, removed=len(unclaimed))


@service
def replace_goals(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    expected_version: int,
    goals: Sequence[GoalEntry | GoalBase],
) -> list[Goal]:
    """The officer's goals page and the API's whole list, checked against the plan's version
    (any goal the person changed since bumps it, so the officer never saves over it unseen)."""
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    check_version(plan, expected_version, "plan")
    if not can_change(plan):
        raise TransitionNotAllowed(f"The plan is {plan.state} and can no longer be changed.")
    if len(goals) > MAX_GOALS:
        raise InvalidInput(f"A plan holds at most {MAX_GOALS} goals.", field="goals")
    result = reconcile(session, actor, plan_id, goals)
    if not (result.added or result.changed or result.removed):
        moved = any(session.is_modified(g) for g in result.kept)
        if not moved:
            commit(session, "plan")
            return result.kept
    session.flush()
    history.record(
        session,
        plan,
        actor,
        "goals_changed",
        detail={
            "count": len(result.kept),
            "added": result.added,
            "changed": result.changed,
            "removed": result.removed,
            "by": author_of(actor).value,
        },
    )
    audit.record(session, actor, "update_goals", "plan", plan.id)
    commit(session, "plan")
    return result.kept
