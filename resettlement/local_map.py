"""A simple map of the first 48 hours, drawn from the plan alone: the prison gate, where the
person sleeps tonight and each place they must go, joined in the order they go there.

No map service is called: the person's addresses never leave the service, and the drawing works
offline and in print. The plan holds addresses, not coordinates, so the drawing is a route
diagram, not to scale; every point is also listed in words next to it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from resettlement.leaver_plan import N_, AppointmentLine


@dataclass(frozen=True)
class Stop:
    kind: str  # "gate", "tonight" or an appointment kind
    title: str  # a message id
    place: str
    when: datetime | None = None


GATE = N_("Prison gate")
TONIGHT = N_("Where you sleep tonight")


def stops(address: str | None, appointments: list[AppointmentLine]) -> list[Stop]:
    """The gate, then tonight's address, then each appointment place once, in time order."""
    found = [Stop("gate", GATE, "")]
    if address:
        found.append(Stop("tonight", TONIGHT, address))
    seen = {address.strip().lower()} if address else set()
    for appointment in appointments:
        place = appointment.location.strip()
        if place.lower() in seen:
            continue
        seen.add(place.lower())
        found.append(Stop(appointment.kind, appointment.title, place, appointment.starts_at))
    return found


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
