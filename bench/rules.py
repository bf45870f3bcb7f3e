"""Assessments per second: rules.assess against a naive holidays lookup per date.

Run: .venv/bin/python bench/rules.py [--pairs N] [--baseline-pairs N] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

# Run as a script this file's folder comes first on sys.path, and its own name would shadow the
# rules package; put the repository root there instead.
_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

import holidays  # noqa: E402

from rules import assess, assess_many  # noqa: E402
from rules.nations import Nation  # noqa: E402
from rules.release_dates import _cache  # noqa: E402

_SUBDIV = {
    Nation.ENGLAND_AND_WALES: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}
_ONE_DAY = timedelta(days=1)


def random_pairs(n: int, seed: int) -> list[tuple[date, Nation]]:
    rng = random.Random(seed)
    first = date(2000, 1, 1).toordinal()
    last = date(2040, 12, 31).toordinal()
    nations = list(Nation)
    return [(date.fromordinal(rng.randint(first, last)), rng.choice(nations)) for _ in range(n)]


def naive_assess(requested: date, nation: Nation) -> tuple[date, bool, date | None, date | None]:
    """R2, R3 and a two-back early-release window, with a fresh holidays lookup per date."""
    # expand=True (the default) fills in neighbouring years as the walk crosses them.
    calendar = holidays.country_holidays("GB", subdiv=_SUBDIV[nation], years=requested.year)

    def works(d: date) -> bool:
        return d.weekday() < 5 and d not in calendar

    def eligible(d: date) -> bool:
        return works(d) and works(d + _ONE_DAY)

    release = requested
    while not works(release):
        release -= _ONE_DAY
    flagged = not works(release + _ONE_DAY)
    presumptive = earliest = None
    if nation is Nation.SCOTLAND and release >= date(2016, 2, 1):
        found = []
        d = release - _ONE_DAY
        while len(found) < 2:
            if works(d):
                found.append(d)
            d -= _ONE_DAY
        earliest = found[1]
    elif nation is Nation.ENGLAND_AND_WALES and flagged and release >= date(2023, 12, 12):
        found = []
        d = release - _ONE_DAY
        while len(found) < 2:
            if eligible(d):
                found.append(d)
            d -= _ONE_DAY
        presumptive, earliest = found
    return release, flagged, presumptive, earliest


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--baseline-pairs", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    pairs = random_pairs(args.pairs, args.seed)
    baseline_pairs = pairs[: args.baseline_pairs]

    start = time.perf_counter()
    assess(date(2025, 10, 17), Nation.ENGLAND_AND_WALES)
    assess(date(2025, 10, 17), Nation.SCOTLAND)
    assess(date(2025, 10, 17), Nation.NORTHERN_IRELAND)
    setup = time.perf_counter() - start
    _cache.clear()

    # First pass: every distinct (date, nation) is computed once from the tables, then shared.
    start = time.perf_counter()
    cold = [assess(d, n) for d, n in pairs]
    cold_seconds = time.perf_counter() - start
    distinct = len(_cache)

    # Steady state, as a service sees it: assessments already cached.
    start = time.perf_counter()
    warm = [assess(d, n) for d, n in pairs]
    warm_seconds = time.perf_counter() - start

    start = time.perf_counter()
    many = assess_many(pairs)
    many_seconds = time.perf_counter() - start

    # No cache at all: every call computes from the precomputed tables.
    uncached_pairs = pairs[:100_000]
    start = time.perf_counter()
    for d, n in uncached_pairs:
        _cache.clear()
        assess(d, n)
    uncached_seconds = time.perf_counter() - start

    start = time.perf_counter()
    naive = [naive_assess(d, n) for d, n in baseline_pairs]
    naive_seconds = time.perf_counter() - start

    mismatches = sum(
        1
        for (release, flagged, presumptive, earliest), a in zip(naive, cold, strict=False)
        if (release, flagged, presumptive, earliest)
        != (a.release_date, a.flagged, a.presumptive_date, a.earliest_date)
    )
    assert cold == warm == many

    baseline_rate = rate(len(baseline_pairs), naive_seconds)
    figures = [
        ("first pass (fills the cache)", rate(len(pairs), cold_seconds)),
        ("cached, assess()", rate(len(pairs), warm_seconds)),
        ("cached, assess_many()", rate(len(pairs), many_seconds)),
        ("no cache (tables only)", rate(len(uncached_pairs), uncached_seconds)),
    ]
    print(f"pairs: {len(pairs):,} random (date 2000-2040, nation); {distinct:,} distinct")
    print(f"calendar set-up (3 nations, 1990-2060): {setup:.2f} s")
    print(
        f"baseline (fresh holidays lookup per date): {baseline_rate:,.0f} /s "
        f"over {len(baseline_pairs):,} pairs"
    )
    for label, value in figures:
        print(f"{label:32} {value:>14,.0f} /s  {value / baseline_rate:>9,.0f}x baseline")
    print(f"disagreements with the baseline on {len(baseline_pairs):,} pairs: {mismatches}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
