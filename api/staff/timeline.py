"""The plan's history in words: each `plan_event` as a timeline entry saying what happened,
who did it, when and why, as a probation officer would write it in a case record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from api.staff import labels
from resettlement.actors import Role
from resettlement.models import AppointmentKind, ChecklistStatus, PlanEvent

NIGHT_ONE_FIELDS = {
    "accommodation_address": "the address",
    "accommodation_contact": "who to ask for",
    "accommodation_from": "when they can arrive",
    "travel_arrangements": "travel",
}
APPOINTMENT_FIELDS = {
    "kind": "who it is with",
    "starts_at": "the time",
    "location": "the place",
    "with_whom": "who they will see",
    "what_to_bring": "what to bring",
}
CONTACT_FIELDS = {
    "kind": "the kind",
    "name": "the name",
    "phone": "the phone number",
    "hours": "the hours",
    "notes": "the notes",
}


@dataclass(frozen=True)
class Entry:
    title: str
    by: str
    at: str
    timestamp: str
    text: str


def _day(value: Any) -> str:
    try:
        return labels.day(date.fromisoformat(str(value)))
    except ValueError:
        return "no date"


def _stage(state: str | None) -> str:
    shown: dict[str, str] = {str(k): v for k, v in labels.PLAN_STATES.items()}
    return shown.get(state or "", state or "").lower()


def _fields(names: list[str], words: dict[str, str]) -> str:
    shown = [words.get(n, n.replace("_", " ")) for n in names]
    return ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1] if shown else ""


def _title(event: PlanEvent, item_titles: dict[str, str]) -> str:
    detail = event.detail or {}
    kind = event.kind
    if kind == "opened":
        return "Plan opened"
    if kind == "transition":
        if event.to_state == "cancelled":
            return "Plan cancelled"
        if event.to_state == "released":
            return "Release recorded"
        if event.to_state == "completed":
            return "Plan completed"
        return f"Moved to {_stage(event.to_state)}"
    if kind == "checklist":
        status = labels.CHECKLIST_STATUSES.get(ChecklistStatus(event.to_state or "not_started"))
        key = str(detail.get("item") or "")
        item = item_titles.get(key, key.replace("_", " ").capitalize() or "Checklist item")
        return f"{item}: {status[0].lower() if status else event.to_state}"
    if kind in ("appointment_added", "appointment_changed", "appointment_cancelled"):
        raw = str(detail.get("kind") or "")
        try:
            what = labels.APPOINTMENT_KINDS.get(AppointmentKind(raw), raw)
        except ValueError:
            what = "An"
        verb = {
            "appointment_added": "added",
            "appointment_changed": "changed",
            "appointment_cancelled": "removed",
        }[kind]
        return f"{what} appointment {verb}".replace("An appointment", "Appointment")
    if kind in ("goal_added", "goal_changed", "goal_removed"):
        areas: dict[str, str] = {str(k): v for k, v in labels.GOAL_AREAS.items()}
        area = areas.get(str(detail.get("area") or ""), "A")
        verb = kind.removeprefix("goal_")
        by = "by the person" if detail.get("by") == "person" else "by staff"
        return f"{area} goal {verb} {by}".replace("A goal", "Goal")
    if kind in ("contact_added", "contact_changed", "contact_removed"):
        name = detail.get("name")
        return f"Contact {kind.removeprefix('contact_')}" + (f": {name}" if name else "")
    simple = {
        "release_date_changed": "Release date changed",
        "walk_out_date_changed": "Walk-out date changed",
        "night_one_changed": "Night one changed",
        "goals_changed": "Their goals recorded",
        "published": f"48-hour plan published (version {detail.get('number', '?')})",
        "followup_recorded": "48-hour follow-up recorded",
        "leaver_link_issued": "Sign-in link issued to the person",
        "leaver_link_revoked": "The person's sign-in link stopped",
        "leaver_links_revoked": "The person's sign-in links stopped",
        "leaver_link_texted": "Sign-in link sent to the person by text message",
        "mobile_number_recorded": "Their mobile number recorded, with their agreement",
        "mobile_number_changed": "Their mobile number changed, with their agreement",
        "mobile_consent_withdrawn": "Their mobile number removed: they no longer agree to texts",
        "reassigned": "Plan passed to another probation officer",
        "early_release_flagged": "Release day flagged",
        "early_release_assessed": "Release day assessed",
        "early_release_submitted": "Early release submitted to the governor",
        "early_release_decided": "Governor's decision on early release",
        "early_release_withdrawn": "Early-release request withdrawn",
        "early_release_escalated": "Early-release decision escalated",
        "message_failed": "A message could not be sent",
        "calendar_changed": "Bank holidays changed: release day reassessed",
    }
    return simple.get(kind, kind.replace("_", " ").capitalize())


def _text(event: PlanEvent, names: dict[str, str]) -> str:
    detail = event.detail or {}
    kind = event.kind
    parts: list[str] = []
    if kind == "opened":
        parts.append(f"Release date {_day(detail.get('release_date'))}.")
        if detail.get("flagged"):
            parts.append("The release day is flagged.")
    elif kind == "transition" and event.from_state:
        parts.append(f"From {_stage(event.from_state)} to {_stage(event.to_state)}.")
    elif kind in ("release_date_changed", "walk_out_date_changed") and "to" in detail:
        parts.append(f"From {_day(detail.get('from'))} to {_day(detail.get('to'))}.")
    elif kind == "night_one_changed" and detail.get("fields"):
        parts.append(f"Changed {_fields(list(detail['fields']), NIGHT_ONE_FIELDS)}.")
    elif kind == "appointment_changed" and detail.get("fields"):
        parts.append(f"Changed {_fields(list(detail['fields']), APPOINTMENT_FIELDS)}.")
    elif kind == "contact_changed" and detail.get("fields"):
        parts.append(f"Changed {_fields(list(detail['fields']), CONTACT_FIELDS)}.")
    elif kind == "reassigned":
        before, after = str(detail.get("from") or ""), str(detail.get("to") or "")
        parts.append(f"From {names.get(before, before)} to {names.get(after, after)}.")
    elif kind == "goals_changed":
        parts.append(f"{detail.get('count', 0)} goals in their own words.")
        counts = [f"{detail[k]} {k}" for k in ("added", "changed", "removed") if detail.get(k)]
        if counts:
            parts.append(f"{', '.join(counts).capitalize()}; each keeps who wrote it.")
    elif kind == "goal_changed" and detail.get("fields"):
        words = {"area": "what it is about", "in_their_words": "the words"}
        parts.append(f"Changed {_fields(list(detail['fields']), words)}.")
    elif kind == "goal_removed" and detail.get("written_by"):
        who = "the person" if detail["written_by"] == "person" else "staff"
        parts.append(f"It was written by {who}.")
    elif kind == "early_release_decided" and detail.get("approved_date"):
        parts.append(f"Approved: walks out on {_day(detail['approved_date'])}.")
    if event.reason and kind not in ("checklist",):
        parts.append(f"Why: {event.reason}")
    elif kind == "checklist" and event.reason:
        parts.append(event.reason)
    return " ".join(parts)


def _who(event: PlanEvent, person: str | None, names: dict[str, str]) -> str:
    if event.actor_role == Role.PRISON_LEAVER.value and person:
        # The person's own change, through their sign-in link: named, not shown as the link.
        return f"{person} (the person)"
    if event.actor_role == Role.SYSTEM.value:
        return "the service (scheduled)"
    if event.actor_role == Role.INTAKE.value:
        return f"the prison's records ({event.actor.replace('-', ' ')})"
    role = {
        Role.PROBATION_OFFICER.value: "probation officer",
        Role.GOVERNOR.value: "governor",
        Role.ADMIN.value: "administrator",
        Role.PRISON_LEAVER.value: "the person",
    }.get(event.actor_role, event.actor_role.replace("_", " "))
    # Staff by name, as a case record names them; an id no longer on the staff list stays.
    return f"{names.get(event.actor, event.actor)} ({role})"


def staff_ids(events: list[PlanEvent]) -> set[str]:
    """The staff ids the entries name: who made each change, and both ends of a handover."""
    found = {e.actor for e in events}
    for event in events:
        if event.kind == "reassigned" and event.detail:
            found |= {str(event.detail.get(k) or "") for k in ("from", "to")}
    return found - {""}


def entries(
    events: list[PlanEvent],
    item_titles: dict[str, str],
    *,
    person: str | None = None,
    names: dict[str, str] | None = None,
) -> list[Entry]:
    """Newest first, as a case record reads. `person` names the person for the changes they
    made themselves (their sign-in link is no name); `names` names staff by their ids
    (staff.names(session, staff_ids(events)))."""
    names = names or {}
    return [
        Entry(
            title=_title(e, item_titles),
            by=_who(e, person, names),
            at=labels.when(e.at),
            timestamp=e.at.isoformat(),
            text=_text(e, names),
        )
        for e in sorted(events, key=lambda e: (e.at, e.id or 0), reverse=True)
    ]
