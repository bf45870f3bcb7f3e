"""An API worker picks up the calendar the nightly refresh (another process) wrote, without a
restart: through the request path, at most once a minute."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from api.middleware import CalendarFreshness
from resettlement.bank_holidays import import_calendar, reinstall_if_changed
from rules.calendars import is_working_day, use_package_holidays
from rules.nations import Nation
from tests.workflows.test_calendar_refresh import EXTRA, govuk_file

EW = Nation.ENGLAND_AND_WALES


@pytest.fixture(autouse=True)
def _package_calendar() -> Any:
    use_package_holidays()
    yield
    use_package_holidays()


def test_a_worker_installs_a_calendar_written_by_another_process(tmp_path: Path) -> None:
    assert reinstall_if_changed(tmp_path) is True  # nothing imported: the package's list
    assert reinstall_if_changed(tmp_path) is False  # nothing changed since
    import_calendar(tmp_path, govuk_file(extra=True), replace=False)
    use_package_holidays()  # as the worker had it, started before the refresh
    assert is_working_day(EXTRA, EW) is True
    assert reinstall_if_changed(tmp_path) is True
    assert is_working_day(EXTRA, EW) is False
    assert reinstall_if_changed(tmp_path) is False
    (tmp_path / "bank-holidays.json").unlink()
    assert reinstall_if_changed(tmp_path) is True
    assert is_working_day(EXTRA, EW) is True


def test_the_middleware_looks_at_most_once_a_minute(tmp_path: Path) -> None:
    passed: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        passed.append(scope["path"])

    fresh = CalendarFreshness(app, data_dir=tmp_path, every_seconds=60)
    import_calendar(tmp_path, govuk_file(extra=True), replace=False)
    use_package_holidays()
    call = fresh({"type": "http", "path": "/a"}, None, None)
    asyncio.run(call)
    assert is_working_day(EXTRA, EW) is True, "too soon: not looked at yet"
    fresh.checked -= 61
    asyncio.run(fresh({"type": "http", "path": "/b"}, None, None))
    assert is_working_day(EXTRA, EW) is False
    assert passed == ["/a", "/b"]
