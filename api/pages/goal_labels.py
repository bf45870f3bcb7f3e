"""How the person's pages name their goals: the areas in plain words, and who wrote each goal,
in English or Welsh. Shared by the plan page, its printout and the goal forms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.pages.formatting import date_text
from api.pages.i18n import _, language_scope
from resettlement import clock
from resettlement.leaver_plan import N_
from resettlement.models import Author, Goal, GoalArea

# The areas in the order the person is asked, in plain words.
AREAS: dict[GoalArea, str] = {
    GoalArea.LEARNING: N_("Learning or education"),
    GoalArea.WORK: N_("Work"),
    GoalArea.FAMILY: N_("Family and friends"),
    GoalArea.FAITH: N_("Faith or belief"),
    GoalArea.SPORT: N_("Sport and keeping fit"),
    GoalArea.ARTS: N_("Arts, music or making things"),
    GoalArea.HEALTH: N_("Health"),
    GoalArea.HOME: N_("Home"),
    GoalArea.OTHER: N_("Something else"),
}


def area_name(area: str) -> str:
    try:
        return _(AREAS[GoalArea(area)])
    except (ValueError, KeyError):
        return area


def shown(goal: Goal) -> dict[str, Any]:
    """A goal as the person's pages show it (call inside the page's language scope)."""
    by_person = str(goal.written_by_kind) == Author.PERSON.value
    changed_by_person = str(goal.changed_by_kind) == Author.PERSON.value
    if by_person:
        written = _("Written by you")
    elif goal.written_by is None:
        # Recorded before the service kept who wrote each goal: staff did, but who is not known.
        written = _("Recorded by staff")
    else:
        written = _("Written by your probation officer")
    changed = goal.updated_at != goal.created_at
    if changed and changed_by_person != by_person:
        written += ". " + (
            _("Last changed by you")
            if changed_by_person
            else _("Last changed by your probation officer")
        )
    return {
        "id": goal.id,
        "version": goal.version,
        "area": area_name(str(goal.area)),
        "words": goal.in_their_words,
        "by": written,
        "on": date_text(clock.london(goal.updated_at).date()),
    }


def items(found: Sequence[Goal], language: str) -> list[dict[str, Any]]:
    with language_scope(language):
        return [shown(goal) for goal in found]
