"""The imported GOV.UK bank-holiday list: where it is kept, and installing it at start-up.

Every process that assesses dates (the command, the API, the workflows) installs it, so they
all use the same calendar.
"""

from __future__ import annotations

import json
from pathlib import Path

from rules.calendars import parse_govuk_bank_holidays, use_govuk_bank_holidays

BANK_HOLIDAYS_FILE = "bank-holidays.json"


def install_imported_calendar(data_dir: Path) -> bool:
    """Use `<data_dir>/bank-holidays.json` as the calendar if it has been imported.

    Returns whether a file was installed; a damaged file raises rather than being ignored, so a
    service never silently falls back to a different calendar.
    """
    path = data_dir / BANK_HOLIDAYS_FILE
    if not path.exists():
        return False
    parsed = parse_govuk_bank_holidays(json.loads(path.read_text(encoding="utf-8")))
    use_govuk_bank_holidays(parsed)
    return True
