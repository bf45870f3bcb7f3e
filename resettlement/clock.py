"""Time in one place: the service thinks in Europe/London dates and stores UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(LONDON).date()


def london(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetimes do not cross module boundaries")
    return instant.astimezone(LONDON)
