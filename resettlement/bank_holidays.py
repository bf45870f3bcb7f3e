"""The imported GOV.UK bank-holiday list: where it is kept, importing it, and installing it.

Every process that assesses dates (the command, the API, each workflow run) installs it, so
they all use the same calendar. Two files in the data directory: GOV.UK's own JSON as it was
imported, and the package holidays an import with --replace accepted GOV.UK's word to remove
(without --replace there are none: GOV.UK's list is merged into the package's).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rules.calendars import (
    Disagreement,
    compare_with_govuk,
    parse_govuk_bank_holidays,
    removals_for,
    use_govuk_bank_holidays,
    use_package_holidays,
)
from rules.nations import Nation, parse_nation

BANK_HOLIDAYS_FILE = "bank-holidays.json"
REMOVED_FILE = "bank-holidays-removed.json"


@dataclass(frozen=True)
class ImportResult:
    parsed: dict[Nation, dict[date, str]]
    # Every date on which the file and the holidays package disagree, for the years it covers.
    disagreements: list[Disagreement]
    # The package holidays taken away (only with --replace, or kept from an earlier one).
    removed: dict[Nation, list[date]] = field(default_factory=dict)

    @property
    def kept(self) -> list[Disagreement]:
        """Package holidays the file lacks that stay holidays (merged, not replaced)."""
        gone = {(n, d) for n, days in self.removed.items() for d in days}
        return [
            d
            for d in self.disagreements
            if d.only_in == "holidays" and (d.nation, d.date) not in gone
        ]


def _write_atomically(path: Path, text: str) -> None:
    # A reader (another worker installing the calendar) sees the old file or the new one,
    # never half of one.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _read_removed(data_dir: Path) -> dict[Nation, list[date]]:
    path = data_dir / REMOVED_FILE
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {parse_nation(k): [date.fromisoformat(d) for d in v] for k, v in raw.items()}


def import_calendar(
    data_dir: Path, data: Mapping[str, Any], *, replace: bool, keep_removals: bool = False
) -> ImportResult:
    """Checks GOV.UK's bank-holidays.json, keeps it and installs it in this process.

    Merged with the holidays package: a package holiday the file lacks stays, unless `replace`
    (then every such one is removed, and listed). `keep_removals`: the nightly refresh keeps
    what an earlier --replace removed. Raises GovukFormatError, changing nothing, for a file
    not in GOV.UK's shape."""
    parsed = parse_govuk_bank_holidays(data)
    found = compare_with_govuk(parsed)
    if replace:
        removed = removals_for(found)
    elif keep_removals:
        removed = {
            nation: [d for d in days if d not in parsed.get(nation, {})]
            for nation, days in _read_removed(data_dir).items()
        }
        removed = {n: days for n, days in removed.items() if days}
    else:
        removed = {}
    data_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(
        data_dir / REMOVED_FILE,
        json.dumps({n.value: [d.isoformat() for d in days] for n, days in removed.items()}) + "\n",
    )
    _write_atomically(
        data_dir / BANK_HOLIDAYS_FILE, json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    )
    use_govuk_bank_holidays(parsed, removed)
    return ImportResult(parsed=parsed, disagreements=found, removed=removed)


def install_imported_calendar(data_dir: Path) -> bool:
    """Use `<data_dir>/bank-holidays.json` as the calendar if it has been imported.

    Returns whether a file was installed; a damaged file raises rather than being ignored, so a
    service never silently falls back to a different calendar.
    """
    path = data_dir / BANK_HOLIDAYS_FILE
    stamp = _stamp(data_dir)
    if not path.exists():
        _installed[data_dir] = stamp
        return False
    parsed = parse_govuk_bank_holidays(json.loads(path.read_text(encoding="utf-8")))
    use_govuk_bank_holidays(parsed, _read_removed(data_dir))
    _installed[data_dir] = stamp
    return True


# What each data directory's calendar files were when this process installed them.
_installed: dict[Path, tuple[tuple[int, int] | None, ...]] = {}


def _stamp(data_dir: Path) -> tuple[tuple[int, int] | None, ...]:
    stamps: list[tuple[int, int] | None] = []
    for name in (BANK_HOLIDAYS_FILE, REMOVED_FILE):
        try:
            found = (data_dir / name).stat()
        except FileNotFoundError:
            stamps.append(None)
        else:
            stamps.append((found.st_mtime_ns, found.st_size))
    return tuple(stamps)


def reinstall_if_changed(data_dir: Path) -> bool:
    """Installs the imported calendar again if its files changed since this process installed
    them (the nightly calendar-refresh flow, or an import, in another process). A long-running
    API worker would otherwise keep the calendar it started with until restarted."""
    if _installed.get(data_dir) == _stamp(data_dir):
        return False
    if not (data_dir / BANK_HOLIDAYS_FILE).exists():
        use_package_holidays()
        _installed[data_dir] = _stamp(data_dir)
        return True
    return install_imported_calendar(data_dir)
