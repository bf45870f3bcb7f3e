"""`resettlement rules ...` and `resettlement calendar ...` through typer's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.rules_commands import calendar_app, rules_app
from resettlement.bank_holidays import install_imported_calendar
from resettlement.config import get_settings
from rules import is_working_day
from rules.calendars import use_package_holidays
from rules.nations import Nation

app = typer.Typer()
app.add_typer(rules_app, name="rules")
app.add_typer(calendar_app, name="calendar")
runner = CliRunner()

CONTRACT_FIELDS = {
    "requested_date",
    "nation",
    "release_date",
    "moved",
    "flagged",
    "flag_reason",
    "scheme",
    "presumptive_date",
    "earliest_date",
    "ineligible_reason",
    "rules",
}

# A GOV.UK-shaped file: 2026 for england-and-wales with an imagined extra holiday on Thursday
# 10 September and without the August bank holiday, and a matching Scottish list for 2026.
GOVUK = {
    "england-and-wales": {
        "division": "england-and-wales",
        "events": [
            {"title": t, "date": d, "notes": "", "bunting": True}
            for t, d in [
                ("New Year\u2019s Day", "2026-01-01"),
                ("Good Friday", "2026-04-03"),
                ("Easter Monday", "2026-04-06"),
                ("Early May bank holiday", "2026-05-04"),
                ("Spring bank holiday", "2026-05-25"),
                ("Extra bank holiday", "2026-09-10"),
                ("Christmas Day", "2026-12-25"),
                ("Boxing Day", "2026-12-28"),
            ]
        ],
    },
    "scotland": {
        "division": "scotland",
        "events": [
            {"title": t, "date": d, "notes": "", "bunting": True}
            for t, d in [
                ("New Year\u2019s Day", "2026-01-01"),
                ("2nd January", "2026-01-02"),
                ("Good Friday", "2026-04-03"),
                ("Early May bank holiday", "2026-05-04"),
                ("Spring bank holiday", "2026-05-25"),
                ("World Cup bank holiday", "2026-06-15"),
                ("Summer bank holiday", "2026-08-03"),
                ("St Andrew\u2019s Day", "2026-11-30"),
                ("Christmas Day", "2026-12-25"),
                ("Boxing Day", "2026-12-28"),
            ]
        ],
    },
}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("RESETTLEMENT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()
    use_package_holidays()


@pytest.fixture
def govuk_file(tmp_path: Path) -> Path:
    path = tmp_path / "bank-holidays.json"
    path.write_text(json.dumps(GOVUK), encoding="utf-8")
    return path


def test_assess_json_prints_one_object_per_date_with_the_contract_fields() -> None:
    result = runner.invoke(
        app, ["rules", "assess", "2025-10-17", "2025-10-19", "2026-06-15", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [set(o) for o in out] == [CONTRACT_FIELDS] * 3
    assert [o["release_date"] for o in out] == ["2025-10-17", "2025-10-17", "2026-06-15"]
    assert out[0]["presumptive_date"] == "2025-10-16"
    assert out[2]["flagged"] is False


def test_assess_passes_nation_and_sentence_details() -> None:
    result = runner.invoke(
        app,
        [
            "rules",
            "assess",
            "2026-06-15",
            "--nation",
            "scotland",
            "--term-days",
            "14",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    [out] = json.loads(result.stdout)
    # The World Cup holiday moves a Scottish release to Friday 12 June; 14 days is too short
    # for s.26C.
    assert (out["nation"], out["release_date"], out["scheme"]) == ("scotland", "2026-06-12", None)
    assert out["ineligible_reason"]

    result = runner.invoke(app, ["rules", "assess", "2025-10-17", "--sentence", "parole", "--json"])
    [out] = json.loads(result.stdout)
    assert out["flagged"] is True and out["scheme"] is None and out["ineligible_reason"]


def test_assess_table_is_readable() -> None:
    result = runner.invoke(app, ["rules", "assess", "2025-04-18"])
    assert result.exit_code == 0, result.output
    assert "Fri 18 Apr 2025" in result.stdout
    assert "Thu 17 Apr 2025 (moved)" in result.stdout
    assert "day_before_bank_holiday" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["rules", "assess", "2025-13-01"],
        ["rules", "assess", "tomorrow"],
        ["rules", "assess", "2025-10-17", "--nation", "wales"],
        ["rules", "assess", "2025-10-17", "--sentence", "life"],
        ["rules", "assess"],
    ],
    ids=["impossible-date", "not-a-date", "unknown-nation", "unknown-sentence", "no-dates"],
)
def test_assess_refuses_bad_input_with_exit_code_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Invalid value" in result.output or "Missing argument" in result.output


def test_rules_list_shows_ids_sources_and_commencement() -> None:
    result = runner.invoke(app, ["rules", "list"])
    assert result.exit_code == 0, result.output
    assert "R2: " in result.stdout
    assert "Criminal Justice Act 1961 s.23(3)" in result.stdout
    assert "in force from 2023-12-12" in result.stdout
    assert "SCT-2023-S8" in result.stdout
    assert "off until a commencement date is configured" in result.stdout


def test_calendar_import_saves_the_file_and_counts_events(data_dir: Path, govuk_file: Path) -> None:
    result = runner.invoke(app, ["calendar", "import", str(govuk_file)])
    assert result.exit_code == 0, result.output
    assert "england-and-wales: 8 events" in result.stdout
    assert "scotland: 10 events" in result.stdout
    saved = json.loads((data_dir / "bank-holidays.json").read_text(encoding="utf-8"))
    assert saved == GOVUK


def test_calendar_import_refuses_a_file_not_in_the_govuk_shape(
    data_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"wales": {"events": []}}), encoding="utf-8")
    result = runner.invoke(app, ["calendar", "import", str(bad)])
    assert result.exit_code == 2
    assert not (data_dir / "bank-holidays.json").exists()
    bad.write_text("{not json", encoding="utf-8")
    assert runner.invoke(app, ["calendar", "import", str(bad)]).exit_code == 2


def test_calendar_check_lists_disagreements_and_exits_1(data_dir: Path, govuk_file: Path) -> None:
    assert runner.invoke(app, ["calendar", "import", str(govuk_file)]).exit_code == 0
    result = runner.invoke(app, ["calendar", "check"])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("2026-")]
    # The imagined extra day and the missing August bank holiday; Scotland agrees.
    assert len(lines) == 2
    assert "2026-08-31 england-and-wales: only the holidays package has" in result.stdout
    assert "2026-09-10 england-and-wales: only GOV.UK has 'Extra bank holiday'" in result.stdout


def test_calendar_check_of_an_agreeing_file_exits_0(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "scotland.json"
    path.write_text(json.dumps({"scotland": GOVUK["scotland"]}), encoding="utf-8")
    result = runner.invoke(app, ["calendar", "check", str(path)])
    assert result.exit_code == 0, result.output


def test_calendar_check_without_an_import_is_an_error(data_dir: Path) -> None:
    result = runner.invoke(app, ["calendar", "check"])
    assert result.exit_code == 2
    assert "calendar import" in result.output


def test_install_imported_calendar(data_dir: Path, govuk_file: Path) -> None:
    assert install_imported_calendar(data_dir) is False
    assert runner.invoke(app, ["calendar", "import", str(govuk_file)]).exit_code == 0
    use_package_holidays()
    assert is_working_day(date(2026, 9, 10), Nation.ENGLAND_AND_WALES) is True
    assert install_imported_calendar(data_dir) is True
    assert is_working_day(date(2026, 9, 10), Nation.ENGLAND_AND_WALES) is False


def _stale_scotland(tmp_path: Path) -> Path:
    """Scotland's 2026 list as GOV.UK published it before the 15 June holiday was proclaimed."""
    stale = {
        "scotland": {
            "division": "scotland",
            "events": [e for e in GOVUK["scotland"]["events"] if e["date"] != "2026-06-15"],
        }
    }
    path = tmp_path / "stale.json"
    path.write_text(json.dumps(stale), encoding="utf-8")
    return path


def _moves(release: str) -> bool:
    result = runner.invoke(app, ["rules", "assess", release, "--nation", "scotland", "--json"])
    assert result.exit_code == 0, result.output
    return bool(json.loads(result.stdout)[0]["moved"])


def test_a_stale_scottish_file_cannot_remove_15_june_2026_without_replace(
    data_dir: Path, tmp_path: Path
) -> None:
    stale = _stale_scotland(tmp_path)
    assert _moves("2026-06-15")
    result = runner.invoke(app, ["calendar", "import", str(stale)])
    assert result.exit_code == 0, result.output
    # Listed, and kept.
    assert "2026-06-15 scotland: only the holidays package has" in result.stdout
    assert "-> kept" in result.stdout
    assert "--replace" in result.stdout
    assert _moves("2026-06-15")
    # A new process (the API, a worker) installs the same merged calendar from the data dir.
    use_package_holidays()
    assert install_imported_calendar(data_dir) is True
    assert is_working_day(date(2026, 6, 15), Nation.SCOTLAND) is False
    assert _moves("2026-06-15")


def test_replace_removes_a_package_holiday_the_file_lacks_and_says_so(
    data_dir: Path, tmp_path: Path
) -> None:
    stale = _stale_scotland(tmp_path)
    result = runner.invoke(app, ["calendar", "import", "--replace", str(stale)])
    assert result.exit_code == 0, result.output
    assert "2026-06-15 scotland: only the holidays package has" in result.stdout
    assert "REMOVED (--replace)" in result.stdout
    assert not _moves("2026-06-15")
    use_package_holidays()
    assert install_imported_calendar(data_dir) is True
    assert is_working_day(date(2026, 6, 15), Nation.SCOTLAND) is True
    # A later import without --replace merges again: the holiday is back.
    assert runner.invoke(app, ["calendar", "import", str(stale)]).exit_code == 0
    assert _moves("2026-06-15")


def test_an_import_lists_every_disagreement_and_adds_govuks_extra_days(
    data_dir: Path, govuk_file: Path
) -> None:
    result = runner.invoke(app, ["calendar", "import", str(govuk_file)])
    assert result.exit_code == 0, result.output
    listed = [line for line in result.stdout.splitlines() if line.startswith("2026-")]
    assert listed == [
        "2026-08-31 england-and-wales: only the holidays package has "
        "'Late Summer Bank Holiday' -> kept",
        "2026-09-10 england-and-wales: only GOV.UK has 'Extra bank holiday' -> added",
    ]
    assert is_working_day(date(2026, 9, 10), Nation.ENGLAND_AND_WALES) is False
    assert is_working_day(date(2026, 8, 31), Nation.ENGLAND_AND_WALES) is False
