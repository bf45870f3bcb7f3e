"""docs/data-protection.md maps every table and field: a new column without its purpose, basis,
audience and retention fails here."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import SQLModel

# Each import registers its tables on the metadata.
import resettlement.leaver_access
import resettlement.notifications
import resettlement.privacy.consents
import resettlement.staff
import resettlement.web_sessions  # noqa: F401

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-protection.md"


def test_every_table_and_field_is_in_the_data_protection_map():
    sections = re.split(r"^### `(\w+)`$", DOC.read_text(), flags=re.M)
    documented = {
        name: set(re.findall(r"^\| `(\w+)` \|", body, flags=re.M))
        for name, body in zip(sections[1::2], sections[2::2], strict=True)
    }
    tables = {t.name: {c.name for c in t.columns} for t in SQLModel.metadata.sorted_tables}
    assert set(tables) - {"alembic_version"} == set(documented)
    for name, columns in tables.items():
        assert columns == documented[name], name
    for body in sections[2::2]:
        # Every row names who can see the field.
        for row in re.findall(r"^\| `\w+` \|.*$", body, flags=re.M):
            assert row.count("|") == 4 and row.rstrip().endswith("|"), row
