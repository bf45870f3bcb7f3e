"""The 48-hour plan as iCalendar: one event per appointment in the published snapshot.

UIDs come from the appointment's id and SEQUENCE from its change counter, so a calendar app
that imports a new version updates the events it already has instead of adding copies. DTSTAMP
is the moment the version was published: rendering the same version twice gives the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event, Timezone

from resettlement.leaver_plan import N_, appointments

PRODID = "-//resettlement//48-hour plan//EN"
# Appointments have no end time; an hour blocks the time in the person's calendar.
DURATION = timedelta(hours=1)
REMINDER_BEFORE = timedelta(hours=2)

# Europe/London with yearly rules. icalendar's generated zone lists every change as an RDATE
# and stops in 2038; some clients mishandle that style. These two rules are what clients such
# as Outlook and Google write themselves.
LONDON_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19810329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19961027T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""

LEAVE_PRISON = N_("You leave prison")
DATE_CHANGED = N_("Your release date has changed.")
DATE_WAS = N_("It was %(day)s.")
LABEL_WITH = N_("With")
LABEL_BRING = N_("Bring")
CALENDAR_NAME = N_("My 48-hour plan")


def appointment_uid(appointment_id: int) -> str:
    return f"appointment-{appointment_id}@resettlement"


def walk_out_uid(plan_id: int) -> str:
    return f"walk-out-{plan_id}@resettlement"


def plan_calendar(
    snapshot: dict[str, Any],
    *,
    plan_id: int,
    published_at: datetime,
    version: int = 0,
    gettext: Callable[[str], str] = lambda message: message,
    day_text: Callable[[date], str] = date.isoformat,
) -> bytes:
    """The published plan's walk-out day and appointments as an iCalendar file, worded in the
    caller's language. The walk-out day's SEQUENCE is the published version's number, so a
    calendar that imported an older version moves the day instead of keeping the old one."""
    _ = gettext
    cal = Calendar.new(prodid=PRODID, uid=f"plan-{plan_id}@resettlement", name=_(CALENDAR_NAME))
    cal.add_component(Timezone.from_ical(LONDON_VTIMEZONE.replace("\n", "\r\n")))
    walk_out = snapshot.get("walk_out_date")
    if walk_out:
        day = date.fromisoformat(walk_out)
        was = snapshot.get("walk_out_date_was")
        cal.add_component(
            Event.new(
                uid=walk_out_uid(plan_id),
                start=day,
                end=day + timedelta(days=1),
                stamp=published_at,
                sequence=version,
                summary=_(LEAVE_PRISON),
                description=(
                    f"{_(DATE_CHANGED)} " + _(DATE_WAS) % {"day": day_text(date.fromisoformat(was))}
                    if was
                    else None
                ),
            )
        )
    for appointment in appointments(snapshot):
        lines = [f"{_(LABEL_WITH)}: {appointment.with_whom}"]
        if appointment.what_to_bring:
            lines.append(f"{_(LABEL_BRING)}: {appointment.what_to_bring}")
        event = Event.new(
            uid=appointment_uid(appointment.id),
            start=appointment.starts_at,
            end=appointment.starts_at + DURATION,
            stamp=published_at,
            sequence=appointment.sequence,
            summary=_(appointment.title),
            location=appointment.location,
            description="\n".join(lines),
        )
        event.add_component(
            Alarm.new_display(trigger=-REMINDER_BEFORE, description=_(appointment.title))
        )
        cal.add_component(event)
    # A safety net: every TZID used has its VTIMEZONE (Europe/London is there already).
    cal.add_missing_timezones()
    return cal.to_ical()
