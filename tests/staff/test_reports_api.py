"""The reports API over HTTP: JSON shape, CSV, suppression marks, who may read which prison.

The figures themselves are checked by hand in tests/core/test_reports.py; here the HTTP layer
must give exactly what resettlement.reports gives.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from faker import Faker
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from resettlement import demo, reports
from resettlement.actors import Actor, Role
from resettlement.models import AuditEvent
from resettlement.reports import Breakdown
from tests.staff.conftest import OTHER_PRISON, OWN_PRISON, bearer, released

OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}
ALL_TRUE = dict.fromkeys(reports.OUTCOMES, True)
ADMIN = bearer(Role.ADMIN, "admin-test")
GOVERNOR = bearer(Role.GOVERNOR, "governor-mdi", prison=OWN_PRISON)


@pytest.fixture
def october(session: Session, fake: Faker) -> None:
    """Ten people released from MDI (enough to show) and two from BWI (suppressed)."""
    for index in range(10):
        released(
            session,
            fake,
            sex="female" if index < 3 else "male",
            followup={**ALL_TRUE, "gp_registered": index < 5},
        )
    for _ in range(2):
        released(session, fake, prison=OTHER_PRISON, followup=ALL_TRUE)


def _service(session: Session, kind: str, **kwargs: object) -> dict[str, object]:
    actor = Actor(user_id="check", role=Role.ADMIN)
    build = reports.outcomes if kind == "outcomes" else reports.friday_releases
    return build(session=session, actor=actor, **kwargs).as_dict()  # type: ignore[arg-type]


@pytest.mark.usefixtures("october")
@pytest.mark.parametrize("kind", ["outcomes", "friday-releases"])
@pytest.mark.parametrize("breakdown", ["none", "sex", "cohort"])
@pytest.mark.parametrize("prison", [None, OWN_PRISON])
def test_json_is_the_services_report(
    client: TestClient, session: Session, kind: str, breakdown: str, prison: str | None
) -> None:
    params = {**OCTOBER, "breakdown": breakdown, **({"prison": prison} if prison else {})}
    response = client.get(f"/api/v1/reports/{kind}", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    expected = _service(
        session,
        kind,
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
        prison_code=prison,
        breakdown=Breakdown(breakdown),
    )
    assert response.json() == expected


def test_figures_on_the_demo_set_match_the_service(client: TestClient, session: Session) -> None:
    demo.seed(session)
    # The demo's people walk out from a fortnight ago to four months ahead.
    start, end = date.today() - timedelta(days=60), date.today() + timedelta(days=150)
    params = {"start": str(start), "end": str(end), "breakdown": "sex"}
    for kind in ("outcomes", "friday-releases"):
        response = client.get(f"/api/v1/reports/{kind}", params=params, headers=ADMIN)
        assert response.status_code == 200
        expected = _service(
            session,
            kind,
            start=start,
            end=end,
            breakdown=Breakdown.SEX,
        )
        assert response.json() == expected
        assert response.json()["rows"][-1]["group"] == "all"


@pytest.mark.usefixtures("october")
def test_json_says_which_counts_are_suppressed(client: TestClient) -> None:
    body = client.get(
        "/api/v1/reports/outcomes", params={**OCTOBER, "breakdown": "sex"}, headers=ADMIN
    ).json()
    rows = {row["group"]: row for row in body["rows"]}
    assert body["prison"] == "national" and body["suppressed_below"] == 5
    # Three women: too few to show, and so is every figure about them.
    assert rows["female"]["total"] is None and rows["female"]["suppressed"] is True
    assert rows["female"]["measures"]["gp_registered"] == {
        "count": None,
        "suppressed": True,
        "percent": None,
    }
    assert rows["all"]["total"] == 12
    # Five at MDI and both at BWI; the five without a GP are no small group either.
    assert rows["all"]["measures"]["gp_registered"] == {
        "count": 7,
        "suppressed": False,
        "percent": 58.3,
    }
    # All twelve slept where planned: nobody is left over to be picked out.
    assert rows["all"]["measures"]["night_in_planned_accommodation"]["suppressed"] is False
    assert rows["male"]["measures"]["gp_registered"]["suppressed"] is True


@pytest.mark.usefixtures("october")
def test_csv_download_marks_suppressed_cells(client: TestClient) -> None:
    response = client.get(
        "/api/v1/reports/outcomes.csv",
        params={**OCTOBER, "breakdown": "sex", "prison": "mdi"},
        headers=ADMIN,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="outcomes-mdi-2026-10-01-2026-10-31-sex.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0] == ["Outcomes after release"]
    assert lines[1][:3] == ["2026-10-01 to 2026-10-31", "MDI", "by sex"]
    header, *rows = lines[2:]
    assert header[:3] == ["group", "total", "Accommodation on release night (count)"]
    by_group = {row[0]: row for row in rows}
    assert by_group["female"][1:] == ["[c]"] * (len(header) - 1)
    assert by_group["male"][1] == "7"
    # Two of the seven men have a GP: a small count, hidden.
    assert by_group["male"][header.index("Registered with a GP (count)")] == "[c]"
    assert by_group["all"][1] == "10"
    assert by_group["all"][header.index("Registered with a GP (count)")] == "5"
    assert by_group["all"][header.index("Registered with a GP (%)")] == "50.0"


@pytest.mark.usefixtures("october")
def test_governor_sees_own_prison_by_default_and_no_other(client: TestClient) -> None:
    own = client.get("/api/v1/reports/outcomes", params=OCTOBER, headers=GOVERNOR)
    assert own.status_code == 200
    assert own.json()["prison"] == OWN_PRISON
    assert own.json()["rows"][0]["total"] == 10
    named = client.get(
        "/api/v1/reports/outcomes", params={**OCTOBER, "prison": "mdi"}, headers=GOVERNOR
    )
    assert named.json() == own.json()
    for path in ("outcomes", "friday-releases.csv"):
        other = client.get(
            f"/api/v1/reports/{path}", params={**OCTOBER, "prison": OTHER_PRISON}, headers=GOVERNOR
        )
        assert other.status_code == 403
        assert other.headers["content-type"] == "application/problem+json"
        assert "own prison" in other.json()["detail"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        (bearer(Role.PROBATION_OFFICER, "po-test"), 403),
        (bearer(Role.PRISON_LEAVER, "leaver", plan=1), 403),
    ],
)
def test_officers_and_leavers_get_no_reports(
    client: TestClient, headers: dict[str, str], status: int
) -> None:
    for path in ("outcomes", "outcomes.csv", "friday-releases", "friday-releases.csv"):
        assert client.get(f"/api/v1/reports/{path}", headers=headers).status_code == status


def test_a_period_that_ends_before_it_starts_is_refused(client: TestClient) -> None:
    response = client.get(
        "/api/v1/reports/outcomes",
        params={"start": "2026-10-31", "end": "2026-10-01"},
        headers=ADMIN,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"


def test_bad_breakdown_and_prison_are_refused(client: TestClient) -> None:
    for params in ({"breakdown": "star_sign"}, {"prison": "MDI1"}):
        response = client.get("/api/v1/reports/outcomes", params=params, headers=ADMIN)
        assert response.status_code == 422


def test_reading_a_report_is_audited(client: TestClient, session: Session) -> None:
    client.get("/api/v1/reports/friday-releases", params=OCTOBER, headers=GOVERNOR)
    events = session.exec(select(AuditEvent).where(AuditEvent.actor == "governor-mdi")).all()
    assert [(e.action, e.object_id) for e in events] == [("report:friday_releases", OWN_PRISON)]


def test_due_for_release_with_only_an_end_in_the_past_is_an_empty_report(
    client: TestClient,
) -> None:
    # Found by schemathesis: the due report's default start (today) came after a past end.
    response = client.get(
        "/api/v1/reports/due-for-release", params={"end": "1990-01-01"}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == []
