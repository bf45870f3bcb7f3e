"""Who wrote each of the person's goals, as the officer's and the governor's pages say it:
the person by name, or the member of staff by name, and when; and who changed it last when
that was someone else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from api.staff import labels
from resettlement import staff
from resettlement.models import Author, Goal, Person


@dataclass(frozen=True)
class Written:
    by: str
    by_person: bool
    on: str
    changed: str | None


def person_name(person: Person) -> str:
    return f"{person.given_name} {person.family_name}"


def written(session: Session, goals: Sequence[Goal], person: Person) -> dict[int, Written]:
    """Each goal's author line, keyed by goal id; staff names in one query."""
    names = staff.names(session, [g.written_by for g in goals] + [g.changed_by for g in goals])

    def who(kind: str, user_id: str | None) -> str:
        if kind == Author.PERSON.value:
            return person_name(person)
        if user_id is None:
            return "staff (recorded before authors were kept)"
        return names.get(user_id, user_id)

    shown: dict[int, Written] = {}
    for goal in goals:
        writer = who(str(goal.written_by_kind), goal.written_by)
        editor = who(str(goal.changed_by_kind), goal.changed_by)
        changed = None
        if goal.updated_at != goal.created_at and (
            str(goal.changed_by_kind),
            goal.changed_by,
        ) != (str(goal.written_by_kind), goal.written_by):
            changed = f"Last changed by {editor}, {labels.when(goal.updated_at)}"
        shown[goal.id or 0] = Written(
            by=f"Written by {writer}",
            by_person=str(goal.written_by_kind) == Author.PERSON.value,
            on=labels.when(goal.created_at),
            changed=changed,
        )
    return shown
