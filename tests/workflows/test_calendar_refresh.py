"""Calendars that stay current: the nightly refresh fetches GOV.UK's bank holidays from a local
HTTP server, keeps the last good copy when the fetch fails, and re-flags open plans."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from resettlement.bank_holidays import BANK_HOLIDAYS_FILE, import_calendar
from resettlement.config import get_settings
from resettlement.models import AuditEvent, EarlyReleaseRequest, PlanEvent, ReleasePlan
from rules import assess
from rules.calendars import is_working_day, package_holidays, use_package_holidays
from rules.nations import Nation
from workflows.flows import forty_eight_hour_followup
from workflows.upkeep import calendar_refresh, message_sweep

pytestmark = pytest.mark.usefixtures("flow_db")

EW, SCT = Nation.ENGLAND_AND_WALES, Nation.SCOTLAND
# new_plan's release is Wednesday 10 March 2027; this file makes Thursday 11 a bank holiday.
EXTRA = date(2027, 3, 11)
AS_OF = date(2026, 12, 1)
WORLD_CUP = date(2026, 6, 15)


def govuk_file(
    *, extra: bool, stale_scotland: bool = True, also: date | None = None
) -> dict[str, Any]:
    """GOV.UK's shape for 2026-2027, from the holidays package's lists; `extra` adds 11 March
    2027 for England and Wales; `stale_scotland` leaves out 15 June 2026, as a copy taken
    before that holiday was proclaimed did."""
    data: dict[str, Any] = {}
    for nation in Nation:
        events = {d: t for d, t in package_holidays(nation).items() if d.year in (2026, 2027)}
        if nation is EW and extra:
            events[EXTRA] = "Extra bank holiday"
        if nation is EW and also is not None:
            events[also] = "Another extra bank holiday"
        if nation is SCT and stale_scotland:
            events.pop(WORLD_CUP)
        data[nation.value] = {
            "division": nation.value,
            "events": [
                {"title": t, "date": d.isoformat(), "notes": "", "bunting": True}
                for d, t in sorted(events.items())
            ],
        }
    return data


class GovukServer:
    def __init__(self) -> None:
        self.status = 200
        self.body = b"{}"
        self.hits = 0

    def serve(self, data: dict[str, Any]) -> None:
        self.status, self.body = 200, json.dumps(data).encode()


@pytest.fixture
def govuk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GovukServer]:
    state = GovukServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.hits += 1
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("RESETTLEMENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(
        "RESETTLEMENT_BANK_HOLIDAYS_URL",
        f"http://127.0.0.1:{server.server_port}/bank-holidays.json",
    )
    get_settings.cache_clear()
    yield state
    server.shutdown()
    server.server_close()
    use_package_holidays()


def _plan(session: Session, plan_id: int) -> ReleasePlan:
    session.expire_all()
    plan = session.get(ReleasePlan, plan_id)
    assert plan is not None
    return plan


def _requests(session: Session, plan_id: int) -> list[EarlyReleaseRequest]:
    session.expire_all()
    return list(
        session.exec(
            select(EarlyReleaseRequest)
            .where(EarlyReleaseRequest.plan_id == plan_id)
            .order_by(EarlyReleaseRequest.id)  # type: ignore[arg-type]
        ).all()
    )


def test_a_proclaimed_holiday_flags_an_open_plan_and_a_withdrawn_one_unflags_it(
    session, new_plan, govuk: GovukServer
):
    plan = new_plan()
    assert (plan.release_date, plan.flagged) == (date(2027, 3, 10), False)
    assert _requests(session, plan.id) == []

    govuk.serve(govuk_file(extra=True))
    summary = calendar_refresh(as_of=AS_OF)

    assert summary["refreshed"] == 1 and summary["plans.flagged"] == 1
    flagged = _plan(session, plan.id)
    assert (flagged.flagged, flagged.flag_reason) == (True, "day_before_bank_holiday")
    [request] = _requests(session, plan.id)
    assert (request.state, request.release_date) == ("flagged", date(2027, 3, 10))
    events = session.exec(
        select(PlanEvent).where(PlanEvent.plan_id == plan.id, PlanEvent.kind == "calendar_changed")
    ).all()
    assert len(events) == 1 and "now the day before a bank holiday" in (events[0].reason or "")
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "reassess_for_calendar")
    ).first()
    # The stale Scottish copy did not take 15 June 2026 away.
    assert is_working_day(WORLD_CUP, SCT) is False
    assert assess(WORLD_CUP, SCT).moved is True

    # A second run with the same file changes nothing.
    again = calendar_refresh(as_of=AS_OF)
    assert "plans.flagged" not in again and len(_requests(session, plan.id)) == 1

    # GOV.UK withdraws its extra day: the request is withdrawn through the service.
    govuk.serve(govuk_file(extra=False))
    summary = calendar_refresh(as_of=AS_OF)
    assert summary["plans.unflagged"] == 1
    assert _plan(session, plan.id).flagged is False
    [withdrawn] = _requests(session, plan.id)
    assert withdrawn.state == "withdrawn"
    assert withdrawn.closed_reason == "The bank holiday calendar changed."


def test_a_holiday_on_the_release_day_itself_moves_the_release_as_a_new_date_would(
    session, new_plan, govuk: GovukServer
):
    plan = new_plan()
    govuk.serve(govuk_file(extra=False, also=date(2027, 3, 10)))

    summary = calendar_refresh(as_of=AS_OF)

    assert summary["plans.release_date"] == 1
    moved = _plan(session, plan.id)
    # Wednesday 10 March is now a holiday: the release moves back to Tuesday 9, the day
    # before a bank holiday, so it is flagged and a request opens for the new day.
    assert (moved.release_date, moved.walk_out_date) == (date(2027, 3, 9), date(2027, 3, 9))
    assert (moved.flagged, moved.flag_reason) == (True, "day_before_bank_holiday")
    [request] = _requests(session, plan.id)
    assert (request.state, request.release_date) == ("flagged", date(2027, 3, 9))
    [event] = session.exec(
        select(PlanEvent).where(PlanEvent.plan_id == plan.id, PlanEvent.kind == "calendar_changed")
    ).all()
    assert "moves from Wednesday 10 March 2027 to Tuesday 9 March 2027" in (event.reason or "")


@pytest.mark.parametrize(
    ("status", "body", "why"),
    [
        (500, b'{"error": "down"}', "GOV.UK answers 500"),
        (200, b"<html>maintenance</html>", "not JSON"),
        (200, json.dumps({"england-and-wales": {"events": []}}).encode(), "a division missing"),
        (
            200,
            json.dumps(
                {n.value: {"events": [{"title": "x", "date": "2027-02-30"}]} for n in Nation}
            ).encode(),
            "an impossible date",
        ),
    ],
)
def test_a_failed_or_malformed_fetch_keeps_the_last_good_copy(
    session, new_plan, govuk: GovukServer, status: int, body: bytes, why: str
):
    plan = new_plan()
    govuk.serve(govuk_file(extra=True))
    calendar_refresh(as_of=AS_OF)
    kept = (Path(get_settings().data_dir) / BANK_HOLIDAYS_FILE).read_bytes()

    govuk.status, govuk.body = status, body
    summary = calendar_refresh(as_of=AS_OF)

    assert summary["refreshed"] == 0, why
    assert (Path(get_settings().data_dir) / BANK_HOLIDAYS_FILE).read_bytes() == kept
    assert is_working_day(EXTRA, EW) is False
    assert _plan(session, plan.id).flagged is True
    assert [r.state for r in _requests(session, plan.id)] == ["flagged"]


def test_every_flow_run_installs_the_kept_calendar_first(govuk: GovukServer):
    """A worker started before the refresh (or on another machine sharing the data
    directory) uses the kept calendar in its next run, not the one it started with."""
    import_calendar(Path(get_settings().ensure_data_dir()), govuk_file(extra=True), replace=False)
    use_package_holidays()  # this process's calendar, as a worker started earlier has it
    assert is_working_day(EXTRA, EW) is True
    forty_eight_hour_followup(as_of=AS_OF)
    assert is_working_day(EXTRA, EW) is False

    use_package_holidays()
    message_sweep()
    assert is_working_day(EXTRA, EW) is False
