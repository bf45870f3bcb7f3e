"""The trends page and API: the chosen months and measures as a column chart and its table per
measure, the same figures as JSON and CSV, refused ranges as an error summary or problem+json;
and the page at 390 pixels in Chromium with axe, with the form used without JavaScript."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from fastapi.testclient import TestClient
from sqlmodel import Session

from resettlement import clock, reports
from resettlement.actors import Actor, Role
from resettlement.reports.trends import add_months, first_of_month
from tests.staff.conftest import OWN_PRISON, Browser, bearer, released

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ADMIN = bearer(Role.ADMIN, "admin-test")
ALL_TRUE = dict.fromkeys(reports.OUTCOMES, True)
SignedIn = Callable[[str], Browser]


def _months_ago(count: int, day: int = 10) -> date:
    return add_months(first_of_month(clock.today()), -count).replace(day=day)


@pytest.fixture
def history(session: Session, fake: Faker) -> dict[str, date]:
    """Seven people released three months ago, two last-but-one month (too few to show),
    nobody last month."""
    busy, few, empty = _months_ago(3), _months_ago(2), _months_ago(1)
    for index in range(7):
        released(
            session,
            fake,
            on=busy,
            followup={**ALL_TRUE, "first_appointment_attended": index < 5},
        )
    for _ in range(2):
        released(session, fake, on=few, followup=ALL_TRUE)
    return {"busy": busy, "few": few, "empty": empty}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_api_gives_the_services_trend_as_json_and_csv(
    client: TestClient, session: Session, history: dict[str, date]
) -> None:
    first, last = f"{history['busy']:%Y-%m}", f"{history['empty']:%Y-%m}"
    params: Any = {"from": first, "to": last, "measure": ["released", "appointment_kept"]}
    response = client.get("/api/v1/reports/trends", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = reports.trends_by_month(
        session=session,
        actor=Actor(user_id="check", role=Role.ADMIN),
        months=reports.month_range(history["busy"], history["empty"], clock.today()),
        measures=["released", "appointment_kept"],
    ).as_dict()
    assert body == expected
    months = {m["month"]: m["measures"] for m in body["months"]}
    assert list(months) == [first, f"{history['few']:%Y-%m}", last]
    assert months[first]["released"] == {
        "count": 7,
        "out_of": None,
        "suppressed": False,
        "percent": None,
    }
    # Five of seven kept the appointment: the two who did not are a small number.
    assert months[first]["appointment_kept"]["suppressed"] is True
    assert months[f"{history['few']:%Y-%m}"]["released"]["count"] is None
    assert months[last]["released"] == {
        "count": 0,
        "out_of": None,
        "suppressed": False,
        "percent": None,
    }

    table = client.get("/api/v1/reports/trends.csv", params=params, headers=ADMIN)
    assert table.status_code == 200
    assert table.headers["content-type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(table.text)))
    assert lines[0] == ["Trends month by month"]
    assert lines[1][1:] == ["national", "by month", "[c] = fewer than 5, not shown"]
    assert lines[2] == [
        "month",
        "People released (count)",
        "First probation appointment attended (count)",
        "First probation appointment attended (out of)",
        "First probation appointment attended (%)",
    ]
    assert lines[3:] == [
        [first, "7", "[c]", "[c]", "[c]"],
        [f"{history['few']:%Y-%m}", "[c]", "[c]", "[c]", "[c]"],
        [last, "0", "0", "0", ""],
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-05", "to": "2026-04"}, "to"),
        ({"from": "2020-01", "to": "2026-11"}, "from"),
        ({"from": "2026-13"}, None),
        ({"from": "May 2026"}, None),
        ({"measure": "happiness"}, None),
    ],
)
def test_bad_ranges_and_measures_are_problems(
    client: TestClient, params: dict[str, str], field: str | None
) -> None:
    for path in ("trends", "trends.csv"):
        response = client.get(f"/api/v1/reports/{path}", params=params, headers=ADMIN)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        if field:
            assert response.json()["errors"][0]["field"] == field


def test_the_page_shows_a_chart_and_a_table_per_measure_and_its_csv(
    signed_in: SignedIn, history: dict[str, date]
) -> None:
    governor = signed_in("governor")
    assert 'href="/staff/reports/trends"' in governor.get("/staff/reports").text
    page = governor.get("/staff/reports/trends")
    assert page.status_code == 200
    # The last twelve whole months, every measure, the governor's own prison.
    svgs = re.findall(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart".*?</svg>', page.text
    )
    assert len(svgs) == len(reports.TREND_MEASURES)
    released_svg = svgs[0]
    assert 'role="img"' in released_svg and "<title id=" in released_svg
    assert "<desc id=" in released_svg
    # Twelve months: a column for each shown month (zeros included), a gap for the [c] month.
    assert released_svg.count("<rect") == 11
    assert released_svg.count('class="app-chart__suppressed"') == 1
    assert f"{history['busy']:%B %Y}: 7" in released_svg
    shown = _text(page.text)
    assert "HMP Moorland" in shown
    assert f"{history['busy']:%B %Y} 7 " in shown
    assert f"{history['few']:%B %Y} [c] " in shown
    assert f"{history['empty']:%B %Y} 0 " in shown
    csv_link = re.search(r'href="(/staff/reports/trends\.csv\?[^"]+)"', page.text)
    assert csv_link
    table = governor.get(csv_link.group(1).replace("&amp;", "&"))
    assert table.status_code == 200 and f"{history['busy']:%Y-%m},7," in table.text
    assert lines_of(table.text)[1][1] == OWN_PRISON


def lines_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "from-month=6&from-year=2026&to-month=5&to-year=2026",
            "The last month must be the same as or after the first.",
        ),
        (
            "from-month=1&from-year=2020&to-month=1&to-year=2026",
            "Choose a range of 36 months or fewer.",
        ),
        (
            "from-month=13&from-year=2026&to-month=5&to-year=2026",
            "Enter the first month as a month and a 4-digit year, for example 11 2026.",
        ),
        ("measure=happiness", "Select measures from the list."),
    ],
)
def test_a_bad_range_is_an_error_summary_on_the_page(
    signed_in: SignedIn, query: str, message: str
) -> None:
    admin = signed_in("admin")
    page = admin.get(f"/staff/reports/trends?{query}")
    assert page.status_code == 422
    assert "There is a problem" in page.text and message in page.text
    assert 'class="app-chart"' not in page.text
    assert admin.get(f"/staff/reports/trends.csv?{query}").status_code == 422


def test_officers_get_no_trends(signed_in: SignedIn) -> None:
    assert signed_in("officer").get("/staff/reports/trends").status_code == 403


# --- in Chromium --------------------------------------------------------------------------


@pytest.mark.browser
def test_the_trends_page_at_390_pixels_with_axe_and_no_javascript(
    live_server: str, chromium: Any, history: dict[str, date]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from api.auth import Claims
    from api.staff.identity import COOKIE, COOKIE_PATH, encode_session, new_session

    cookie = encode_session(new_session(Claims(sub="admin-test", role=Role.ADMIN)))
    browser = chromium
    # Without JavaScript: the form is a GET form, the chart is drawn by the server.
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    context.add_cookies(
        [{"name": COOKIE, "value": cookie, "domain": "127.0.0.1", "path": COOKIE_PATH}]
    )
    page = context.new_page()
    page.goto(f"{live_server}/staff/reports/trends")
    wanted = ("released", "accommodation_first_night")
    for key in reports.TREND_MEASURES:
        box = page.locator(f'input[name=measure][value="{key}"]')
        box.check() if key in wanted else box.uncheck()
    page.locator("#from-month").fill(str(history["busy"].month))
    page.locator("input[name=from-year]").fill(str(history["busy"].year))
    page.get_by_role("button", name="Show the trends").click()
    page.wait_for_url("**measure=released**")
    assert page.locator("svg.app-chart").count() == 2
    table = page.get_by_role("table", name="People released: figures by month")
    assert f"{history['busy']:%B %Y}" in table.inner_text()
    html = page.content()
    context.close()

    # axe needs JavaScript: the same page, checked with it on.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [{"name": COOKIE, "value": cookie, "domain": "127.0.0.1", "path": COOKIE_PATH}]
    )
    page = context.new_page()
    page.goto(page_url(live_server, html))
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staff-trends-390.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.goto(f"{live_server}/staff/reports/trends?from-month=13&from-year=2026")
    assert page.locator(".govuk-error-summary").count() == 1
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    context.close()


def page_url(live_server: str, html: str) -> str:
    link = re.search(r'href="/staff/reports/trends\.csv\?([^"]+)"', html)
    assert link
    return f"{live_server}/staff/reports/trends?{link.group(1).replace('&amp;', '&')}"
