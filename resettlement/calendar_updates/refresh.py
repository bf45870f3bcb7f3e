"""Fetching GOV.UK's bank-holidays.json and keeping it, or keeping the last good copy.

The fetched file is merged like `resettlement calendar import` without --replace (it never
removes a holiday the holidays package knows) and keeps the removals an earlier --replace
accepted. A failed fetch, a file that is not JSON, not in GOV.UK's shape, or without one of
the three divisions changes nothing: the copy already kept stays in use.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from resettlement.bank_holidays import ImportResult, import_calendar, install_imported_calendar
from rules.calendars import GovukFormatError, bank_holidays, parse_govuk_bank_holidays
from rules.nations import Nation

log = logging.getLogger(__name__)

# The biggest file GOV.UK has served is about 20 kB; anything far larger is not it.
MAX_BYTES = 2_000_000
TIMEOUT_SECONDS = 30


class FetchFailed(RuntimeError):
    """The calendar could not be fetched or was not a GOV.UK bank holidays file."""


@dataclass(frozen=True)
class Refreshed:
    result: ImportResult
    # Working-day holidays the new calendar added or took away, by nation.
    added: dict[Nation, list[str]]
    removed: dict[Nation, list[str]]

    @property
    def changed(self) -> bool:
        return any(self.added.values()) or any(self.removed.values())


def fetch(url: str) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise FetchFailed(f"could not fetch {url}: {exc}") from exc
    if len(raw) > MAX_BYTES:
        raise FetchFailed(f"{url} answered with more than {MAX_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchFailed(f"{url} did not answer with JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise FetchFailed(f"{url} did not answer with a JSON object")
    missing = {n.value for n in Nation} - set(data)
    if missing:
        raise FetchFailed(f"{url} lacks the division(s) {', '.join(sorted(missing))}")
    return data


def _calendar_years(years: set[int]) -> dict[Nation, set[str]]:
    return {
        nation: {d.isoformat() for year in years for d in bank_holidays(nation, year)}
        for nation in Nation
    }


def refresh(data_dir: Path, url: str) -> Refreshed:
    """Fetches, checks and keeps the file, installing it in this process. Raises FetchFailed
    (with the last good copy still installed) when the new one cannot be used."""
    data = fetch(url)
    install_imported_calendar(data_dir)
    try:
        parsed = parse_govuk_bank_holidays(data)
    except GovukFormatError as exc:
        raise FetchFailed(f"{url} is not a GOV.UK bank-holidays.json: {exc}") from exc
    years = {d.year for events in parsed.values() for d in events}
    before = _calendar_years(years)
    result = import_calendar(data_dir, data, replace=False, keep_removals=True)
    after = _calendar_years(years)
    return Refreshed(
        result=result,
        added={n: sorted(after[n] - before[n]) for n in Nation},
        removed={n: sorted(before[n] - after[n]) for n in Nation},
    )
