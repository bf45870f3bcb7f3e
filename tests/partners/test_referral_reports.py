"""The referrals report: made, accepted, completed and declined by service and need, the
median time to acceptance, and the reports' small-number suppression, over the API as an
administrator or a governor reads it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.auth import mint_token
from api.settings import get_api_settings
from resettlement.actors import Role
from resettlement.models import AuditEvent, ReleasePlan
from resettlement.partners import referrals
from tests.partners.conftest import Directory, partner

HOUSING = "Night shelter referrals (Made Up Housing Trust)"
WORK = "Jobs club (Made Up Work Project)"


@pytest.fixture(autouse=True)
def _fresh_api_settings() -> Iterator[None]:
    get_api_settings.cache_clear()
    yield
    get_api_settings.cache_clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def _admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(role=Role.ADMIN, user='admin-test')}"}


@pytest.fixture
def referred(
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    refer: Callable[..., referrals.Referral],
    directory: Directory,
) -> None:
    """Housing: 11 sent, 6 accepted (2 of them completed), 1 declined, 4 unanswered.
    Work: 2 sent, both unanswered, a group too small to show."""
    housing = partner(directory.housing_org)
    for number in range(11):
        referral = refer(new_plan())
        assert referral.id is not None
        if number < 6:
            referral = referrals.accept_referral(
                session=session,
                actor=housing,
                referral_id=referral.id,
                expected_version=referral.version,
            )
        if number < 2:
            for event in ("start", "complete"):
                referral = referrals.partner_step(
                    session=session,
                    actor=housing,
                    referral_id=referral.id,  # type: ignore[arg-type]
                    expected_version=referral.version,
                    event=event,
                )
        if number == 6:
            referrals.partner_step(
                session=session,
                actor=housing,
                referral_id=referral.id,
                expected_version=referral.version,
                event="decline",
                reason="Full",
            )
    for _ in range(2):
        refer(new_plan(), service_id=directory.work_service, need="employment")
    refer(new_plan(), send=False)  # a draft was never made to anyone: not counted


def test_referrals_by_service_are_counted_and_small_groups_suppressed(
    client: TestClient, session: Session, referred: None
) -> None:
    response = client.get("/api/v1/reports/referrals", headers=_admin())
    assert response.status_code == 200, response.text
    rows = {row["group"]: row for row in response.json()["rows"]}
    assert set(rows) == {HOUSING, WORK, "all"}
    housing = rows[HOUSING]
    assert housing["total"] == 11
    assert housing["measures"]["accepted"]["count"] == 6
    # 2 completed, and 1 declined, are small numbers: hidden.
    assert housing["measures"]["completed"] == {"count": None, "suppressed": True, "percent": None}
    assert housing["measures"]["declined"]["suppressed"] is True
    # 6 accepted, but that leaves 2 not accepted: the accepted count's rest is small... shown?
    assert (
        housing["median_days_to_accept"] is not None
        or housing["measures"]["accepted"]["suppressed"]
    )
    work = rows[WORK]
    assert work["total"] is None and work["suppressed"] is True
    assert all(m["count"] is None for m in work["measures"].values())
    assert work["median_days_to_accept"] is None
    assert rows["all"]["total"] == 13
    assert rows["all"]["median_days_to_accept"] == 0.0
    reads = session.exec(select(AuditEvent).where(AuditEvent.action == "report:referrals")).all()
    assert len(reads) == 1


def test_referrals_by_need_and_as_csv(client: TestClient, referred: None) -> None:
    by_need = client.get("/api/v1/reports/referrals?breakdown=need", headers=_admin()).json()
    groups = {row["group"]: row["total"] for row in by_need["rows"]}
    assert groups == {"Somewhere to live": 11, "Work and training": None, "all": 13}
    csv_response = client.get("/api/v1/reports/referrals.csv?breakdown=need", headers=_admin())
    assert csv_response.status_code == 200
    table = list(csv.reader(io.StringIO(csv_response.text)))
    header = table[2]
    assert header[0] == "group" and header[-1] == "median days to acceptance"
    work = next(row for row in table if row[0] == "Work and training")
    assert set(work[1:]) == {"[c]"}


def test_officers_and_partners_get_no_reports(client: TestClient, directory: Directory) -> None:
    officer = {"Authorization": f"Bearer {mint_token(role=Role.PROBATION_OFFICER, user='po')}"}
    a_partner = {
        "Authorization": "Bearer "
        + mint_token(role=Role.PARTNER, user="p", organisation=directory.housing_org)
    }
    for headers in (officer, a_partner):
        assert client.get("/api/v1/reports/referrals", headers=headers).status_code == 403
