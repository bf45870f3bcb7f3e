"""One row of a prison's records extract (docs/intake.md): its columns, and the checks that
turn its text into facts or into reasons, in plain words, why it cannot be used. Pure: today
is passed in, and nothing here knows the database.

Every problem a row has is reported at once, each with the column to fix, so the person who
runs the extract can correct the source in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rules.calendars import FIRST_YEAR, LAST_YEAR
from rules.checklists import Need
from rules.entered_dates import (
    BIRTH_NOT_PLAUSIBLE,
    DateNotValid,
    plausible_birth,
    written_date,
)
from rules.identifiers import CRN, PRISON_CODE, PRISON_NUMBER
from rules.nations import Nation
from rules.release_dates import SentenceType

COLUMNS = (
    "prison_number",
    "crn",
    "given_name",
    "family_name",
    "date_of_birth",
    "nation",
    "prison_code",
    "sentence_type",
    "sentence_date",
    "term_days",
    "release_date",
    "release_date_type",
    "release_date_withdrawn",
    "remand",
    "recall",
    "needs",
    "probation_officer",
    "probation_team",
    "extract_timestamp",
)
# Columns a file must have to be an extract at all; the others may be left out.
REQUIRED_COLUMNS = (
    "prison_number",
    "crn",
    "given_name",
    "family_name",
    "date_of_birth",
    "nation",
    "prison_code",
    "sentence_type",
    "sentence_date",
    "release_date",
    "probation_officer",
    "extract_timestamp",
)

# The kinds of release date a sentence calculation gives (NOMIS's own abbreviations).
RELEASE_DATE_TYPES = {
    "CRD": "conditional release date",
    "ARD": "automatic release date",
    "PRRD": "post-recall release date",
    "HDC": "home detention curfew eligibility date",
    "HDCAD": "home detention curfew approved date",
    "PED": "parole eligibility date",
    "APD": "approved parole date",
    "NPD": "non-parole date",
    "MTD": "mid-term date (detention and training order)",
    "LED": "licence expiry date",
    "SED": "sentence expiry date",
}
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0", ""}
TERM_DAYS_MAX = 36_600
NAME_MAX = 100

# Reasons shared with the importer's own checks, worded once.
ON_REMAND = (
    "The person is on remand: there is no sentence to plan a release from yet. Send the row "
    "again once they are sentenced."
)
NO_OFFICER = (
    "No probation officer is named. A plan needs one officer accountable for it; a team alone "
    "cannot hold a plan."
)


@dataclass(frozen=True)
class RowProblem:
    """A column to fix and why, in words the person running the extract understands."""

    field: str
    reason: str


@dataclass(frozen=True)
class ExtractRow:
    """A row that reads as a person's current custody period."""

    line: int
    prison_number: str
    crn: str
    given_name: str
    family_name: str
    date_of_birth: date
    nation: Nation
    prison_code: str
    sentence_type: SentenceType
    sentence_date: date
    term_days: int | None
    release_date: date | None
    release_date_type: str | None
    release_date_withdrawn: bool
    remand: bool
    recall: bool
    # None: the extract does not know the person's needs (their record's are kept).
    needs: tuple[Need, ...] | None
    probation_officer: str
    probation_team: str | None
    extract_timestamp: datetime


def missing_columns(columns: set[str]) -> list[str]:
    return [c for c in REQUIRED_COLUMNS if c not in columns]


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


class _Reader:
    """Reads one row's columns, keeping every problem it meets."""

    def __init__(self, raw: Mapping[str, Any], today: date) -> None:
        self.raw = raw
        self.today = today
        self.problems: list[RowProblem] = []

    def problem(self, field: str, reason: str) -> None:
        self.problems.append(RowProblem(field, reason))

    def identifier(self, field: str, pattern: Any, what: str, example: str) -> str:
        value = _text(self.raw, field).upper()
        if not value:
            self.problem(field, f"The {what} is missing.")
        elif not pattern.fullmatch(value):
            self.problem(field, f"The {what} {value!r} is not in the right form, like {example}.")
        return value

    def name(self, field: str, what: str) -> str:
        value = _text(self.raw, field)
        if not value:
            self.problem(field, f"The {what} is missing.")
        elif len(value) > NAME_MAX:
            self.problem(field, f"The {what} is longer than {NAME_MAX} characters.")
        return value

    def day(self, field: str, what: str, *, required: bool) -> date | None:
        value = _text(self.raw, field)
        if not value:
            if required:
                self.problem(field, f"The {what} is missing.")
            return None
        try:
            return written_date(value, today=self.today)
        except DateNotValid as exc:
            self.problem(field, f"The {what}: {exc}")
            return None

    def flag(self, field: str, what: str) -> bool:
        value = _text(self.raw, field).lower()
        if value in TRUE_WORDS:
            return True
        if value not in FALSE_WORDS:
            self.problem(field, f"The {what} must be true or false, not {value!r}.")
        return False

    def choice(self, field: str, choices: Any, what: str) -> Any:
        value = _text(self.raw, field).lower()
        try:
            return choices(value)
        except ValueError:
            words = ", ".join(c.value for c in choices)
            self.problem(field, f"The {what} {value!r} is not one of: {words}.")
            return None


def read_row(raw: Mapping[str, Any], *, line: int, today: date) -> ExtractRow | list[RowProblem]:
    """The row as facts, or every problem it has."""
    r = _Reader(raw, today)
    prison_number = r.identifier("prison_number", PRISON_NUMBER, "prison number", "A1234BC")
    crn = r.identifier("crn", CRN, "case reference number (CRN)", "X123456")
    given_name = r.name("given_name", "given name")
    family_name = r.name("family_name", "family name")
    born = r.day("date_of_birth", "date of birth", required=True)
    if born is not None and not plausible_birth(born, today):
        r.problem("date_of_birth", f"The {BIRTH_NOT_PLAUSIBLE}.")
    nation = r.choice("nation", Nation, "nation")
    prison_code = r.identifier("prison_code", PRISON_CODE, "prison code", "MDI")
    sentence_type = r.choice("sentence_type", SentenceType, "sentence type")
    sentenced = r.day("sentence_date", "sentence date", required=True)
    if sentenced is not None:
        if sentenced > today:
            r.problem("sentence_date", "The sentence date is in the future.")
        elif born is not None and sentenced <= born:
            r.problem("sentence_date", "The sentence date is on or before the date of birth.")
    term_days = _term(r)
    withdrawn = r.flag("release_date_withdrawn", "release date withdrawn flag")
    release = r.day("release_date", "release date", required=False)
    release_type = _text(raw, "release_date_type").upper() or None
    if release is not None:
        if sentenced is not None and release < sentenced:
            r.problem("release_date", "The release date is before the sentence date.")
        elif not FIRST_YEAR <= release.year <= LAST_YEAR:
            r.problem(
                "release_date",
                f"The release date is outside the years the calendars cover "
                f"({FIRST_YEAR} to {LAST_YEAR}).",
            )
        if withdrawn:
            r.problem(
                "release_date_withdrawn",
                "The release date is marked withdrawn but a release date is given: leave the "
                "date empty when it is withdrawn.",
            )
        if release_type is None:
            r.problem("release_date_type", "Say which kind of release date this is (CRD, ARD ...).")
    if release_type is not None and release_type not in RELEASE_DATE_TYPES:
        r.problem(
            "release_date_type",
            f"The release date type {release_type!r} is not one of: "
            f"{', '.join(RELEASE_DATE_TYPES)}.",
        )
    remand = r.flag("remand", "remand flag")
    if remand:
        r.problem("remand", ON_REMAND)
    recall = r.flag("recall", "recall flag")
    needs = _needs(r)
    officer = _text(raw, "probation_officer")
    if not officer:
        r.problem("probation_officer", NO_OFFICER)
    elif len(officer) > NAME_MAX:
        r.problem(
            "probation_officer", f"The probation officer is longer than {NAME_MAX} characters."
        )
    team = _text(raw, "probation_team") or None
    stamp = _timestamp(r)
    if r.problems:
        return r.problems
    assert born and nation and sentence_type and sentenced and stamp
    return ExtractRow(
        line=line,
        prison_number=prison_number,
        crn=crn,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=born,
        nation=nation,
        prison_code=prison_code,
        sentence_type=sentence_type,
        sentence_date=sentenced,
        term_days=term_days,
        release_date=release,
        release_date_type=release_type,
        release_date_withdrawn=withdrawn,
        remand=remand,
        recall=recall,
        needs=needs,
        probation_officer=officer,
        probation_team=team[:200] if team else None,
        extract_timestamp=stamp,
    )


def _term(r: _Reader) -> int | None:
    value = _text(r.raw, "term_days")
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= TERM_DAYS_MAX:
        r.problem(
            "term_days", f"The term must be a whole number of days from 1 to {TERM_DAYS_MAX}."
        )
        return None
    return int(value)


def _needs(r: _Reader) -> tuple[Need, ...] | None:
    value = r.raw.get("needs")
    if value is None or value == "":
        return None
    parts = value if isinstance(value, list) else str(value).replace("|", ";").split(";")
    needs: list[Need] = []
    for part in (str(p).strip().lower() for p in parts):
        if not part:
            continue
        try:
            needs.append(Need(part))
        except ValueError:
            words = ", ".join(n.value for n in Need)
            r.problem("needs", f"The need {part!r} is not one of: {words}.")
    return tuple(dict.fromkeys(needs))


def _timestamp(r: _Reader) -> datetime | None:
    value = _text(r.raw, "extract_timestamp")
    if not value:
        r.problem("extract_timestamp", "The extract's timestamp is missing.")
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        r.problem(
            "extract_timestamp",
            "The extract's timestamp must be ISO 8601 with its offset, like "
            "2026-11-30T22:00:00+00:00.",
        )
        return None
    return stamp


def duplicated(rows: list[tuple[int, str, str]]) -> dict[int, str]:
    """Lines whose person (prison number or CRN) appears on more than one row of the file, with
    the reason. Every such row is refused: which of them is current cannot be told, so none is
    guessed. `rows` holds (line, prison number, CRN) as written, upper-cased."""
    by_key: dict[tuple[str, str], list[int]] = {}
    for line, prison_number, crn in rows:
        for key in (("prison number", prison_number), ("CRN", crn)):
            if key[1]:
                by_key.setdefault(key, []).append(line)
    found: dict[int, str] = {}
    for (what, value), lines in by_key.items():
        if len(lines) > 1:
            where = ", ".join(str(n) for n in lines)
            for line in lines:
                found.setdefault(
                    line,
                    f"The {what} {value} is on {len(lines)} rows of this file (lines {where}). "
                    "A person has one current custody period, so none of these rows is "
                    "imported: correct the source and send one row.",
                )
    return found
