"""A simple map of the first 48 hours, drawn from the plan alone: the prison gate, where the
person sleeps tonight and each place they must go, joined in the order they go there.

No map service is called: the person's addresses never leave the service, and the drawing works
offline and in print. The plan holds addresses, not coordinates, so the drawing is a route
diagram, not to scale; every point is also listed in words next to it.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import date, datetime, time
from xml.sax.saxutils import escape

from resettlement import clock
from resettlement.leaver_plan import N_, AppointmentLine


@dataclass(frozen=True)
class Stop:
    kind: str  # "gate", "tonight" or an appointment kind
    title: str  # a message id
    place: str
    # An appointment's start, or the time the person can arrive tonight ("from"); None when the
    # plan does not say.
    when: datetime | None = None


GATE = N_("Prison gate")
TONIGHT = N_("Where you sleep tonight")

_TWELVE_HOUR = re.compile(
    r"\b(?P<hour>1[0-2]|0?[1-9])(?:[:.](?P<minute>[0-5]\d))?\s*"
    r"(?P<half>a\.?m\.?|p\.?m\.?|yb|yh)(?![a-z])",
    re.IGNORECASE,
)
_TWENTY_FOUR_HOUR = re.compile(r"\b(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)\b")
_MIDDAY = re.compile(r"\b(midday|noon|canol dydd)\b", re.IGNORECASE)


def arrival_time(text: str | None) -> time | None:
    """The first time written in the accommodation's free text ("From 3pm", "after 14:30",
    "midday"), which is when the person can first arrive; None when it names no time."""
    if not text:
        return None
    # (where in the text, which reading wins at the same place, the time): "3:00pm" is also
    # "3:00" to the 24-hour pattern, and the 12-hour reading is the right one.
    found: list[tuple[int, int, time]] = []
    match = _TWELVE_HOUR.search(text)
    if match:
        hour = int(match["hour"]) % 12
        if match["half"].lower().startswith(("p", "yh")):
            hour += 12
        found.append((match.start(), 0, time(hour, int(match["minute"] or 0))))
    match = _TWENTY_FOUR_HOUR.search(text)
    if match:
        found.append((match.start(), 1, time(int(match["hour"]), int(match["minute"]))))
    match = _MIDDAY.search(text)
    if match:
        found.append((match.start(), 2, time(12, 0)))
    return min(found)[2] if found else None


def stops(
    address: str | None,
    appointments: list[AppointmentLine],
    *,
    night_one: date | None = None,
    arrive_from: str | None = None,
) -> list[Stop]:
    """The gate, then every place in the order the person needs to be there: each appointment
    at its time, and tonight's address at the time they can first arrive on the night of
    `night_one` (the walk-out date). A stay with no arrival time comes after that day's
    appointments, since the person sleeps there. A place is drawn once, at its first visit."""
    # Sorted by (undated first, instant, appointment before stay at the same instant).
    timed: list[tuple[tuple[int, datetime | None, int], Stop]] = []
    if address:
        arrival = arrival_time(arrive_from)
        if night_one is None:
            # No walk-out date to place the night on: first, as the place that matters most.
            timed.append(((0, None, 0), Stop("tonight", TONIGHT, address)))
        else:
            at = datetime.combine(night_one, arrival or time(23, 59), tzinfo=clock.LONDON)
            # An appointment at the very time the stay opens comes first: its time is fixed,
            # the stay is only open from then.
            stop = Stop("tonight", TONIGHT, address, at if arrival else None)
            timed.append(((1, at, 1), stop))
    for appointment in appointments:
        stop = Stop(
            appointment.kind, appointment.title, appointment.location.strip(), appointment.starts_at
        )
        timed.append(((1, appointment.starts_at, 0), stop))
    found = [Stop("gate", GATE, "")]
    seen: set[str] = set()
    for _key, stop in sorted(timed, key=_order):
        place = stop.place.strip().lower()
        if place in seen:
            continue
        seen.add(place)
        found.append(stop)
    return found


def _order(pair: tuple[tuple[int, datetime | None, int], Stop]) -> tuple[int, float, int]:
    undated, instant, tie = pair[0]
    return undated, instant.timestamp() if instant else 0.0, tie


# Drawn at 320 units wide, scaled to fit the screen; text stays at least 16px on a phone.
WIDTH = 320
ROW = 108
TOP = 28
LINE_X = 26
TEXT_X = 56
CHARS_PER_LINE = 30


def svg(
    points: list[Stop],
    *,
    title: str,
    description: str,
    labels: list[str],
    times: list[str],
) -> str:
    """The drawing as inline SVG. `labels` and `times` are the stops' titles and times, already
    in the person's language. The SVG has a title and description; the page lists the stops in
    words beside it as well."""
    # Room below the last point for its title, two lines of place and its time.
    height = TOP + ROW * (len(points) - 1) + 84
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-route-map" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="route-map-title route-map-desc" focusable="false">',
        f'<title id="route-map-title">{escape(title)}</title>',
        f'<desc id="route-map-desc">{escape(description)}</desc>',
    ]
    if len(points) > 1:
        y_end = TOP + ROW * (len(points) - 1)
        parts.append(
            f'<line class="app-route-map__route" x1="{LINE_X}" y1="{TOP}" '
            f'x2="{LINE_X}" y2="{y_end}" />'
        )
    for index, (stop, label, when) in enumerate(zip(points, labels, times, strict=True)):
        y = TOP + ROW * index
        marker = "app-route-map__gate" if stop.kind == "gate" else "app-route-map__stop"
        parts.append(f'<circle class="{marker}" cx="{LINE_X}" cy="{y}" r="14" />')
        parts.append(
            f'<text class="app-route-map__number" x="{LINE_X}" y="{y + 6}" '
            f'text-anchor="middle">{index + 1}</text>'
        )
        parts.append(f'<text class="app-route-map__label" x="{TEXT_X}" y="{y + 6}">')
        parts.append(f'<tspan class="app-route-map__title">{escape(label)}</tspan>')
        lines = textwrap.wrap(stop.place, CHARS_PER_LINE) if stop.place else []
        if len(lines) > 2:
            lines = [lines[0], lines[1] + " …"]
        if when:
            lines.append(when)
        for line in lines:
            parts.append(f'<tspan x="{TEXT_X}" dy="22">{escape(line)}</tspan>')
        parts.append("</text>")
    parts.append("</svg>")
    return "".join(parts)
