"""Server-rendered bar and column charts as accessible SVG.

Each chart is an image with a title and a description (role="img", <title>, <desc>), every bar
carries its figure as text, and one colour is used throughout, so nothing is said by colour
alone. A suppressed figure is never drawn: its row says "[c]" instead. The numbers are always
also in a table beside the chart; the chart is the summary, the table the record.

Bar charts compare groups (one row each, the label above its bar); column charts follow one
figure over months, where a suppressed month is a gap marked "[c]" and a month with nobody a
zero on the axis, so a gap never means "none".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

WIDTH = 640
LABEL_HEIGHT = 22
BAR_HEIGHT = 18
ROW_GAP = 14
ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
# Room on the right of the longest bar for its figure.
VALUE_ROOM = 170
BAR_COLOUR = "#1d70b8"  # GOV.UK blue: 5.2:1 against white, above the 3:1 needed for shapes
TEXT_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"
GRID_COLOUR = "#b1b4b6"
SUPPRESSED = "[c]"

_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    """None when the figure is suppressed (or cannot be worked out): no bar is drawn."""
    text: str
    """The figure as read out, e.g. "62.5% (10 of 16)" or "[c]"."""


def bar_chart(
    *, title: str, description: str, bars: list[Bar], maximum: float = 100.0, key: str = ""
) -> Markup:
    """A horizontal bar chart; bars scale to `maximum` (100 for percentages)."""
    scale = (WIDTH - VALUE_ROOM) / maximum if maximum > 0 else 0.0
    height = max(1, len(bars)) * ROW_HEIGHT + 4
    parts = [
        *_opening(key, title, description, height),
        f'<line x1="0.5" y1="0" x2="0.5" y2="{height}" stroke="{AXIS_COLOUR}" />',
    ]
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT
        bar_top = top + LABEL_HEIGHT
        parts.append(f'<text x="6" y="{top + 16}" fill="{TEXT_COLOUR}">{escape(bar.label)}</text>')
        if bar.value is None:
            parts.append(
                f'<text x="6" y="{bar_top + 14}" fill="{TEXT_COLOUR}" '
                f'class="app-chart__suppressed">{escape(bar.text or SUPPRESSED)}</text>'
            )
            continue
        length = max(0.0, min(bar.value, maximum)) * scale
        parts.append(
            f'<rect x="1" y="{bar_top}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{BAR_COLOUR}" />'
        )
        parts.append(
            f'<text x="{length + 8:.1f}" y="{bar_top + 14}" fill="{TEXT_COLOUR}" '
            f'font-weight="bold">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _opening(key: str, title: str, description: str, height: int) -> list[str]:
    """The <svg> element, its title and its description: what a screen reader announces."""
    chart_id = f"chart-{key or next(_ids)}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-family="GDS Transport, arial, sans-serif" font-size="16">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


# Column charts: room for the scale on the left and two lines of month labels below. The
# chart shrinks to the screen (640 units to 390 pixels on a phone): text is drawn large so it
# still reads at about 12 pixels there.
PLOT_LEFT = 70
PLOT_TOP = 24
PLOT_HEIGHT = 220
AXIS_LABELS = 56
TICKS = 4
# Below this many pixels a column has no room for its figure above it; the table has it.
FIGURE_ROOM = 52


def nice_maximum(values: Sequence[float | None]) -> float:
    """The top of a count scale: 1, 2, 2.5 or 5 times a power of ten, at or above the largest."""
    largest = max((v for v in values if v is not None), default=0.0)
    if largest <= 0:
        return float(TICKS)
    step = largest / TICKS
    power = 10 ** math.floor(math.log10(step))
    nice = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= step)
    return max(nice * TICKS, float(TICKS))


def column_chart(
    *,
    title: str,
    description: str,
    columns: Sequence[Bar],
    ticks: Sequence[tuple[str, str]],
    maximum: float | None = None,
    unit: str = "",
    key: str = "",
) -> Markup:
    """Vertical columns, one per month, left to right. `ticks` are each column's axis label
    in two lines (e.g. ("Jan", "2026"), or ("", "") to leave one out when space is short).
    The scale runs to `maximum` (100 for percentages), or a round number above the largest."""
    top = maximum if maximum is not None else nice_maximum([c.value for c in columns])
    height = PLOT_TOP + PLOT_HEIGHT + AXIS_LABELS
    base = PLOT_TOP + PLOT_HEIGHT
    slot = (WIDTH - PLOT_LEFT - 8) / max(1, len(columns))
    width = slot * 0.7
    parts = _opening(key, title, description, height)
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = base - PLOT_HEIGHT * tick / TICKS
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{WIDTH}" y2="{y:.1f}" '
            f'stroke="{AXIS_COLOUR if tick == 0 else GRID_COLOUR}" />'
        )
        parts.append(
            f'<text x="{PLOT_LEFT - 6}" y="{y + 7:.1f}" text-anchor="end" font-size="20" '
            f'fill="{TEXT_COLOUR}">{value:g}{escape(unit)}</text>'
        )
    for index, column in enumerate(columns):
        middle = PLOT_LEFT + slot * (index + 0.5)
        line1, line2 = ticks[index] if index < len(ticks) else ("", "")
        for row, words in enumerate((line1, line2)):
            if words:
                parts.append(
                    f'<text x="{middle:.1f}" y="{base + 24 + 24 * row}" text-anchor="middle" '
                    f'font-size="20" fill="{TEXT_COLOUR}">{escape(words)}</text>'
                )
        if column.value is None:
            # Not drawn: a gap, marked, so it is not read as a zero.
            parts.append(
                f'<text x="{middle:.1f}" y="{base - 6}" text-anchor="middle" '
                f'font-size="{18 if slot >= 30 else 13}" '
                f'fill="{TEXT_COLOUR}" class="app-chart__suppressed">'
                f"{escape(column.text or SUPPRESSED)}</text>"
            )
            continue
        length = max(0.0, min(column.value, top)) * PLOT_HEIGHT / top
        parts.append(
            f'<rect x="{middle - width / 2:.1f}" y="{base - length:.1f}" width="{width:.1f}" '
            f'height="{length:.1f}" fill="{BAR_COLOUR}" />'
        )
        if slot >= FIGURE_ROOM:
            parts.append(
                f'<text x="{middle:.1f}" y="{base - length - 6:.1f}" text-anchor="middle" '
                f'font-size="18" font-weight="bold" fill="{TEXT_COLOUR}">'
                f"{escape(column.text)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
