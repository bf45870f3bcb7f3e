"""Server-rendered bar charts as accessible SVG.

Each chart is an image with a title and a description (role="img", <title>, <desc>), every bar
carries its figure as text, and one colour is used throughout, so nothing is said by colour
alone. A suppressed figure is never drawn: its row says "[c]" instead. The numbers are always
also in a table beside the chart; the chart is the summary, the table the record.
"""

from __future__ import annotations

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
    chart_id = f"chart-{key or next(_ids)}"
    scale = (WIDTH - VALUE_ROOM) / maximum if maximum > 0 else 0.0
    height = max(1, len(bars)) * ROW_HEIGHT + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-family="GDS Transport, arial, sans-serif" font-size="16">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
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
