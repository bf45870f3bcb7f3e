"""Reading an extract file (docs/intake.md) into raw rows: CSV with a header row, or JSON Lines
with one object a line. A file that is not an extract at all is refused whole, before anything
is written; a row that cannot be read is kept as a row with its problem."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

from resettlement.errors import InvalidInput
from rules.intake_rows import COLUMNS, missing_columns

# More than this is not one prison's (or the country's) population: refuse rather than churn.
MAX_ROWS = 500_000
MAX_BYTES = 200 * 1024 * 1024


class NotAnExtract(InvalidInput):
    """The file is not an extract: nothing in it was imported."""


@dataclass
class RawRow:
    line: int
    values: dict[str, Any]
    # Set when the row could not even be read (a line of JSON Lines that is not an object).
    unreadable: str | None = None


@dataclass
class Extract:
    file_name: str
    file_format: str
    sha256: str
    rows: list[RawRow] = field(default_factory=list)


def read_extract(file_name: str, content: bytes) -> Extract:
    """The file's rows, or NotAnExtract saying why it is not an extract."""
    if len(content) > MAX_BYTES:
        raise NotAnExtract(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", "file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotAnExtract(
            "The file is not text (UTF-8): it is not an extract. Export it as CSV or JSON Lines.",
            "file",
        ) from None
    if "\x00" in text:
        raise NotAnExtract("The file holds binary data: it is not an extract.", "file")
    sha = hashlib.sha256(content).hexdigest()
    start = text.lstrip()[:1]
    if start == "{" or file_name.lower().endswith((".jsonl", ".ndjson")):
        extract = Extract(file_name, "jsonl", sha, _json_lines(text))
    else:
        extract = Extract(file_name, "csv", sha, _csv(text))
    if not extract.rows:
        raise NotAnExtract("The file has no rows: it is not an extract.", "file")
    if len(extract.rows) > MAX_ROWS:
        raise NotAnExtract(f"The file has more than {MAX_ROWS:,} rows.", "file")
    return extract


def _refuse_columns(missing: list[str]) -> NotAnExtract:
    return NotAnExtract(
        "This is not a prison records extract: it has no "
        + ", ".join(missing)
        + " column"
        + ("s" if len(missing) > 1 else "")
        + ". See docs/intake.md for the columns.",
        "file",
    )


def _csv(text: str) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise NotAnExtract("The file is empty: it is not an extract.", "file") from None
    names = [h.strip().lower() for h in header]
    missing = missing_columns(set(names))
    if missing:
        raise _refuse_columns(missing)
    rows: list[RawRow] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            line = reader.line_num
            if len(values) != len(names):
                rows.append(
                    RawRow(line, {}, f"The row has {len(values)} values; the header has "
                           f"{len(names)} columns.")
                )  # fmt: skip
                continue
            rows.append(RawRow(line, {n: v for n, v in zip(names, values, strict=True)
                                      if n in COLUMNS}))  # fmt: skip
    except csv.Error as exc:
        raise NotAnExtract(f"The file is not valid CSV ({exc}).", "file") from None
    return rows


def _json_lines(text: str) -> list[RawRow]:
    rows: list[RawRow] = []
    checked = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if not checked:
            # The first row decides whether this is an extract at all.
            if not isinstance(value, dict):
                raise NotAnExtract(
                    "The first line is not a JSON object: this is not a JSON Lines extract.",
                    "file",
                )
            missing = missing_columns(set(value))
            if missing:
                raise _refuse_columns(missing)
            checked = True
        if not isinstance(value, dict):
            rows.append(RawRow(number, {}, "The line is not a JSON object."))
            continue
        rows.append(RawRow(number, {k: v for k, v in value.items() if k in COLUMNS}))
    return rows
