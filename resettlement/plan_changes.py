"""What changed between two published versions of a 48-hour plan, compared snapshot to
snapshot, so the person sees at once what is new since they last looked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class ChangeKind(StrEnum):
    WALK_OUT_DATE_CHANGED = "walk_out_date_changed"
    APPOINTMENT_ADDED = "appointment_added"
    APPOINTMENT_MOVED = "appointment_moved"
    APPOINTMENT_CHANGED = "appointment_changed"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    ADDRESS_CHANGED = "address_changed"
    ARRIVAL_CHANGED = "arrival_changed"
    TRAVEL_CHANGED = "travel_changed"
    CONTACT_ADDED = "contact_added"
    CONTACT_CHANGED = "contact_changed"
    CONTACT_REMOVED = "contact_removed"


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


# Appointment details other than the time; a time change is a move.
_APPOINTMENT_DETAILS = ("kind", "location", "with_whom", "what_to_bring")


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Changes from `old` to `new`, in the order the page shows them: the release date, then
    where you sleep,
    then appointments in time order, then contacts."""
    changes: list[Change] = []
    if old.get("walk_out_date") != new.get("walk_out_date"):
        changes.append(
            Change(
                ChangeKind.WALK_OUT_DATE_CHANGED,
                {"walk_out_date": old.get("walk_out_date")},
                {"walk_out_date": new.get("walk_out_date")},
            )
        )
    old_stay, new_stay = old.get("accommodation") or {}, new.get("accommodation") or {}
    if (old_stay.get("address") or "") != (new_stay.get("address") or ""):
        changes.append(Change(ChangeKind.ADDRESS_CHANGED, old_stay, new_stay))
    elif any(old_stay.get(k) != new_stay.get(k) for k in ("ask_for", "from")):
        changes.append(Change(ChangeKind.ARRIVAL_CHANGED, old_stay, new_stay))
    if (old.get("travel") or "") != (new.get("travel") or ""):
        changes.append(
            Change(
                ChangeKind.TRAVEL_CHANGED,
                {"travel": old.get("travel")},
                {"travel": new.get("travel")},
            )
        )

    before = {a["id"]: a for a in old.get("appointments", [])}
    after = {a["id"]: a for a in new.get("appointments", [])}
    appointment_changes: list[tuple[datetime, Change]] = []
    for key, appointment in after.items():
        was = before.get(key)
        when = _instant(appointment["starts_at"])
        if was is None:
            appointment_changes.append(
                (when, Change(ChangeKind.APPOINTMENT_ADDED, None, appointment))
            )
        elif _instant(was["starts_at"]) != when:
            appointment_changes.append(
                (when, Change(ChangeKind.APPOINTMENT_MOVED, was, appointment))
            )
        elif any(was.get(k) != appointment.get(k) for k in _APPOINTMENT_DETAILS):
            appointment_changes.append(
                (when, Change(ChangeKind.APPOINTMENT_CHANGED, was, appointment))
            )
    for key, was in before.items():
        if key not in after:
            appointment_changes.append(
                (_instant(was["starts_at"]), Change(ChangeKind.APPOINTMENT_CANCELLED, was, None))
            )
    changes.extend(change for _, change in sorted(appointment_changes, key=lambda c: c[0]))

    # Contacts have no id in a snapshot: the same kind and name is the same contact.
    def keyed(snapshot: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(c["kind"], c["name"]): c for c in snapshot.get("contacts", [])}

    old_contacts, new_contacts = keyed(old), keyed(new)
    for key, contact in new_contacts.items():
        was = old_contacts.get(key)
        if was is None:
            changes.append(Change(ChangeKind.CONTACT_ADDED, None, contact))
        elif (was.get("phone"), was.get("hours")) != (contact.get("phone"), contact.get("hours")):
            changes.append(Change(ChangeKind.CONTACT_CHANGED, was, contact))
    for key, was in old_contacts.items():
        if key not in new_contacts:
            changes.append(Change(ChangeKind.CONTACT_REMOVED, was, None))
    return changes
