"""`resettlement rules ...` and `resettlement calendar ...`: release dates and bank holidays."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from resettlement.bank_holidays import BANK_HOLIDAYS_FILE, import_calendar
from resettlement.config import get_settings
from rules import RULES, Nation, SentenceType, assess
from rules.calendars import (
    Disagreement,
    GovukFormatError,
    compare_with_govuk,
    parse_govuk_bank_holidays,
)
from rules.catalogue import NEEDS_COMMENCEMENT

rules_app = typer.Typer(
    help="Release dates and the rules behind them (weekends, bank holidays, early release).",
    no_args_is_help=True,
)
calendar_app = typer.Typer(
    help="Bank holiday calendars: import GOV.UK's list and check it against ours.",
    no_args_is_help=True,
)


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


@rules_app.command("assess")
def assess_command(
    dates: Annotated[list[str], typer.Argument(help="Release dates, YYYY-MM-DD.")],
    nation: Annotated[Nation, typer.Option(help="Where the person is held.")] = (
        Nation.ENGLAND_AND_WALES
    ),
    term_days: Annotated[int | None, typer.Option(min=1, help="Length of the term.")] = None,
    served_days: Annotated[int | None, typer.Option(min=0, help="Days served so far.")] = None,
    sentence: Annotated[SentenceType, typer.Option(help="Kind of sentence.")] = (
        SentenceType.DETERMINATE
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Work out the release date, the Friday flag and any early-release window."""
    requested = [_parse_date(value) for value in dates]
    results = [
        assess(d, nation, term_days=term_days, served_days=served_days, sentence=sentence)
        for d in requested
    ]
    if as_json:
        typer.echo(json.dumps([a.to_json() for a in results], indent=2))
        return
    header = ("Requested", "Release", "Flag", "Scheme", "Presumptive", "Earliest", "Note")
    rows = [header]
    for a in results:
        rows.append(
            (
                f"{a.requested_date:%a %d %b %Y}",
                f"{a.release_date:%a %d %b %Y}" + (" (moved)" if a.moved else ""),
                a.flag_reason or "-",
                a.scheme or "-",
                f"{a.presumptive_date:%a %d %b %Y}" if a.presumptive_date else "-",
                f"{a.earliest_date:%a %d %b %Y}" if a.earliest_date else "-",
                a.ineligible_reason or "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        typer.echo("  ".join([*cells, row[-1]]).rstrip())


@rules_app.command("list")
def list_command() -> None:
    """Every rule with its summary, source and commencement."""
    for rule in RULES.values():
        if rule.commences is not None:
            commences = f"in force from {rule.commences.isoformat()}"
        elif rule.id in NEEDS_COMMENCEMENT:
            commences = "off until a commencement date is configured"
        else:
            commences = "in force"
        typer.echo(f"{rule.id}: {rule.summary}")
        typer.echo(f"    Source: {rule.source}")
        typer.echo(f"    Commencement: {commences}")


def _read_govuk_file(path: Path) -> tuple[dict[str, Any], dict[Nation, dict[date, str]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise typer.BadParameter(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise typer.BadParameter(f"{path} is not readable JSON: {error}") from None
    try:
        return data, parse_govuk_bank_holidays(data)
    except GovukFormatError as error:
        raise typer.BadParameter(f"{path} is not a GOV.UK bank-holidays.json: {error}") from None


def _describe(d: Disagreement) -> str:
    if d.only_in == "govuk":
        return f"{d.date.isoformat()} {d.nation.value}: only GOV.UK has {d.govuk_title!r}"
    return (
        f"{d.date.isoformat()} {d.nation.value}: only the holidays package has {d.holidays_title!r}"
    )


@calendar_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="GOV.UK bank-holidays.json.", dir_okay=False)],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Also remove the holidays package's holidays the file does not list, for the "
            "years it covers. Without it the file is merged: nothing is removed.",
        ),
    ] = False,
) -> None:
    """Check a GOV.UK bank-holidays.json and merge it into the calendar for the years it covers,
    listing every date on which it and the holidays package disagree."""
    data, _ = _read_govuk_file(file)
    target = get_settings().ensure_data_dir()
    result = import_calendar(target, data, replace=replace)
    for nation, events in result.parsed.items():
        years = sorted({d.year for d in events})
        span = f" ({years[0]}-{years[-1]})" if years else ""
        typer.echo(f"{nation.value}: {len(events)} events{span}")
    removed = {(n, d) for n, days in result.removed.items() for d in days}
    for d in result.disagreements:
        if d.only_in == "govuk":
            outcome = "added"
        elif (d.nation, d.date) in removed:
            outcome = "REMOVED (--replace)"
        else:
            outcome = "kept"
        typer.echo(f"{_describe(d)} -> {outcome}")
    if result.kept:
        typer.echo(
            f"{len(result.kept)} holiday(s) the file does not list were kept; if GOV.UK is right "
            "that they are not holidays, import again with --replace."
        )
    typer.echo(f"Saved to {target / BANK_HOLIDAYS_FILE}")


@calendar_app.command("check")
def check_command(
    file: Annotated[
        Path | None,
        typer.Argument(help="GOV.UK bank-holidays.json; defaults to the imported file."),
    ] = None,
) -> None:
    """List every date on which GOV.UK and the holidays package disagree; exit 1 if any do."""
    path = file or get_settings().data_dir / BANK_HOLIDAYS_FILE
    if file is None and not path.exists():
        raise typer.BadParameter(
            f"no imported calendar at {path}; run `resettlement calendar import FILE` first"
        )
    _, parsed = _read_govuk_file(path)
    found = compare_with_govuk(parsed)
    for d in found:
        typer.echo(_describe(d))
    if found:
        typer.echo(
            f"{len(found)} disagreement(s): an import adds GOV.UK's extra days and keeps the "
            "package's, unless imported with --replace."
        )
        raise typer.Exit(1)
    typer.echo("GOV.UK and the holidays package agree.")
