"""Made-up extracts (faker, fixed seed) for the tests, the benchmark and trying the import out:
every name and number here is fake. A second extract of the same people can carry new release
dates, transfers and recalls, and a share of rows can be spoiled in the ways real files go
wrong."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from faker import Faker

from rules.intake_rows import COLUMNS

# Letters HMPPS uses in prison numbers (no I, O, Q: they read as digits).
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
STAMP = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)


def made_up_rows(
    count: int,
    *,
    today: date,
    prisons: Sequence[str],
    officers: Sequence[str],
    seed: int = 20261201,
    first: int = 0,
) -> list[dict[str, str]]:
    """`count` people's custody periods, each row a different person (numbered from `first`)."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    rows = []
    for n in range(first, first + count):
        sentenced = today - timedelta(days=rng.randint(60, 900))
        release = today + timedelta(days=rng.randint(14, 700))
        born = today - timedelta(days=rng.randint(19 * 365, 70 * 365))
        rows.append(
            {
                "prison_number": f"{LETTERS[n // 10_000 % 23]}{n % 10_000:04d}"
                f"{rng.choice(LETTERS)}{LETTERS[n // 230_000 % 23]}",
                "crn": f"{LETTERS[n // 1_000_000 % 23]}{n % 1_000_000:06d}",
                "given_name": fake.first_name(),
                "family_name": fake.last_name(),
                "date_of_birth": born.isoformat(),
                "nation": "england-and-wales",
                "prison_code": prisons[n % len(prisons)],
                "sentence_type": "determinate",
                "sentence_date": sentenced.isoformat(),
                "term_days": str(2 * (release - sentenced).days),
                "release_date": release.isoformat(),
                "release_date_type": rng.choice(("CRD", "CRD", "ARD")),
                "release_date_withdrawn": "false",
                "remand": "false",
                "recall": "false",
                "needs": rng.choice(("", "", "care_leaver", "woman;older_person")),
                "probation_officer": officers[n % len(officers)],
                "probation_team": "Made-up probation team",
                "extract_timestamp": STAMP.isoformat(),
            }
        )
    return rows


BAD_KINDS = ("prison_number", "impossible_date", "unknown_prison", "duplicate")


def spoil(rows: list[dict[str, str]], share: float, *, seed: int = 7) -> dict[int, str]:
    """Spoils `share` of the rows in place, in turn each way real files go wrong; returns the
    spoiled rows' indexes and how. A duplicate copies another row's person onto the row, so
    the row it copies is refused too (which of the two is current cannot be told)."""
    rng = random.Random(seed)
    chosen = sorted(rng.sample(range(len(rows)), int(len(rows) * share)))
    taken = set(chosen)
    spoiled: dict[int, str] = {}
    for turn, index in enumerate(chosen):
        kind = BAD_KINDS[turn % len(BAD_KINDS)]
        row = rows[index]
        if kind == "prison_number":
            row["prison_number"] = "12345" + row["prison_number"][:1]
        elif kind == "impossible_date":
            row["sentence_date"] = row["sentence_date"][:5] + "02-30"
        elif kind == "unknown_prison":
            row["prison_code"] = "ZZZ"
        else:
            twin = (index + 1) % len(rows)
            while twin in taken or twin in spoiled:
                twin = (twin + 1) % len(rows)
            row["prison_number"] = rows[twin]["prison_number"]
            spoiled[twin] = "duplicate (copied)"
        spoiled[index] = kind
    return spoiled


def changed_extract(
    rows: Sequence[dict[str, str]],
    *,
    new_dates: int,
    transfers: int,
    recalls: int,
    prisons: Sequence[str],
    seed: int = 11,
    among: Sequence[int] | None = None,
) -> tuple[list[dict[str, str]], dict[str, list[int]]]:
    """The same people a while later: new release dates, transfers and recalls, each for
    different people chosen from `among` (row indexes; by default all)."""
    rng = random.Random(seed)
    later = [dict(r, extract_timestamp=(STAMP + timedelta(days=7)).isoformat()) for r in rows]
    pool = list(among if among is not None else range(len(rows)))
    picked = rng.sample(pool, new_dates + transfers + recalls)
    which = {
        "release_date": picked[:new_dates],
        "transfer": picked[new_dates : new_dates + transfers],
        "recall": picked[new_dates + transfers :],
    }
    for index in which["release_date"]:
        was = date.fromisoformat(later[index]["release_date"])
        later[index]["release_date"] = (was + timedelta(days=rng.randint(1, 60))).isoformat()
        later[index]["release_date_type"] = "CRD"
    for index in which["transfer"]:
        here = later[index]["prison_code"]
        later[index]["prison_code"] = next(p for p in prisons[::-1] if p != here)
    for index in which["recall"]:
        later[index]["recall"] = "true"
    return later, which


def as_csv(rows: Sequence[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def as_json_lines(rows: Sequence[dict[str, str]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()
