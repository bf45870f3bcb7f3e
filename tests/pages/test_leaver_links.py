"""Links to a published plan: issued, confirmed with a date of birth, expired, revoked, locked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from resettlement import clock, leaver_access
from resettlement.errors import GuardRefused
from resettlement.leaver_access import (
    LeaverLink,
    LinkLocked,
    LinkNotValid,
    WrongDateOfBirth,
    hash_secret,
)
from tests.pages.conftest import OFFICER


def _secret(path: str) -> str:
    assert path.startswith(leaver_access.LINK_PATH)
    return path.removeprefix(leaver_access.LINK_PATH)


def test_issued_link_stores_only_a_hash_of_its_secret(session, published):
    p = published()
    secret = _secret(p.path)
    row = session.exec(select(LeaverLink).where(LeaverLink.id == p.link.id)).one()
    assert row.secret_hash == hash_secret(secret)
    assert secret not in row.secret_hash
    assert len(secret) >= 43  # 256 bits, URL-safe
    assert row.expires_at - row.created_at == timedelta(days=7)


def test_a_plan_that_was_never_published_gets_no_link(session, new_plan):
    plan = new_plan()
    with pytest.raises(GuardRefused) as refused:
        leaver_access.issue_link(session=session, actor=OFFICER, plan_id=plan.id)
    assert refused.value.unmet[0].guard == "published"


def test_the_right_date_of_birth_opens_the_link(session, published):
    p = published()
    link = leaver_access.confirm(
        session=session, secret=_secret(p.path), date_of_birth=p.date_of_birth
    )
    assert link.id == p.link.id
    assert link.last_used_at is not None
    assert link.failed_attempts == 0


def test_a_wrong_date_of_birth_counts_and_says_how_many_tries_are_left(session, published):
    p = published()
    wrong = p.date_of_birth + timedelta(days=1)
    with pytest.raises(WrongDateOfBirth) as first:
        leaver_access.confirm(session=session, secret=_secret(p.path), date_of_birth=wrong)
    assert first.value.attempts_left == 4
    session.refresh(p.link)
    assert p.link.failed_attempts == 1


def test_five_wrong_tries_lock_the_link_for_15_minutes_even_for_the_right_date(session, published):
    p = published()
    secret = _secret(p.path)
    wrong = date(1900, 1, 1)
    now = clock.now()
    for _ in range(4):
        with pytest.raises(WrongDateOfBirth):
            leaver_access.confirm(session=session, secret=secret, date_of_birth=wrong, now=now)
    with pytest.raises(LinkLocked) as locked:
        leaver_access.confirm(session=session, secret=secret, date_of_birth=wrong, now=now)
    assert locked.value.until == now + timedelta(minutes=15)
    with pytest.raises(LinkLocked):
        leaver_access.confirm(
            session=session, secret=secret, date_of_birth=p.date_of_birth, now=now
        )
    later = now + timedelta(minutes=16)
    link = leaver_access.confirm(
        session=session, secret=secret, date_of_birth=p.date_of_birth, now=later
    )
    assert link.failed_attempts == 0 and link.locked_until is None


def test_after_a_lock_ends_the_count_starts_again(session, published):
    p = published()
    secret = _secret(p.path)
    now = clock.now()
    for _ in range(4):
        with pytest.raises(WrongDateOfBirth):
            leaver_access.confirm(
                session=session, secret=secret, date_of_birth=date(1900, 1, 1), now=now
            )
    with pytest.raises(LinkLocked):
        leaver_access.confirm(
            session=session, secret=secret, date_of_birth=date(1900, 1, 1), now=now
        )
    with pytest.raises(WrongDateOfBirth) as again:
        leaver_access.confirm(
            session=session,
            secret=secret,
            date_of_birth=date(1900, 1, 1),
            now=now + timedelta(minutes=20),
        )
    assert again.value.attempts_left == 4


def test_an_expired_link_does_not_work(session, published):
    p = published()
    after = p.link.expires_at + timedelta(seconds=1)
    with pytest.raises(LinkNotValid):
        leaver_access.confirm(
            session=session, secret=_secret(p.path), date_of_birth=p.date_of_birth, now=after
        )


def test_a_revoked_link_stops_at_once_and_revoking_twice_changes_nothing(session, published):
    p = published()
    leaver_access.revoke_link(session=session, actor=OFFICER, link_id=p.link.id)
    first = p.link.revoked_at
    leaver_access.revoke_link(session=session, actor=OFFICER, link_id=p.link.id)
    assert p.link.revoked_at == first
    with pytest.raises(LinkNotValid):
        leaver_access.confirm(
            session=session, secret=_secret(p.path), date_of_birth=p.date_of_birth
        )
    with pytest.raises(LinkNotValid):
        leaver_access.check_session_link(session, p.link.id, _secret(p.path))


def test_revoking_a_plans_links_stops_every_live_one(session, published):
    p = published()
    _, second = leaver_access.issue_link(session=session, actor=OFFICER, plan_id=p.plan.id)
    p.path = second
    assert leaver_access.revoke_links(session=session, actor=OFFICER, plan_id=p.plan.id)
    for path in (p.path, second):
        with pytest.raises(LinkNotValid):
            leaver_access.find_link(session, _secret(path))


def test_a_session_must_carry_the_links_own_secret(session, published):
    p, other = published(), published()
    with pytest.raises(LinkNotValid):
        leaver_access.check_session_link(session, p.link.id, _secret(other.path))
    assert leaver_access.check_session_link(session, p.link.id, _secret(p.path)).id == p.link.id


def test_an_unknown_or_absurd_secret_is_simply_not_valid(session):
    for secret in ("", "nope", "x" * 500):
        with pytest.raises(LinkNotValid):
            leaver_access.find_link(session, secret)


def test_the_servers_access_log_never_holds_a_link_secret(app, published, caplog):
    import threading
    import time

    import httpx
    import uvicorn

    from tests.conftest import free_port

    p = published()
    # log_config=None: uvicorn's loggers propagate to pytest's capture, as a deployment's would
    # reach its log handlers.
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_config=None, log_level="info")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        with caplog.at_level("INFO", logger="uvicorn.access"):
            response = httpx.get(f"http://127.0.0.1:{server.config.port}{p.path}?lang=cy")
            assert response.status_code == 200
            time.sleep(0.2)  # the access line is written after the response is sent
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any("/plan-link/[redacted]?lang=cy" in line for line in lines), lines
    assert not any(_secret(p.path) in line for line in lines)


def test_a_new_link_stops_the_plans_older_one(session, published):
    p = published()
    newer, path = leaver_access.issue_link(session=session, actor=OFFICER, plan_id=p.plan.id)
    with pytest.raises(LinkNotValid):
        leaver_access.find_link(session, _secret(p.path))
    with pytest.raises(LinkNotValid):
        leaver_access.check_session_link(session, p.link.id, _secret(p.path))
    assert leaver_access.find_link(session, _secret(path)).id == newer.id
    live = session.exec(
        select(LeaverLink).where(
            LeaverLink.plan_id == p.plan.id, col(LeaverLink.revoked_at).is_(None)
        )
    ).all()
    assert [link.id for link in live] == [newer.id]


def test_the_database_holds_one_live_link_per_plan_whoever_writes(session, published):
    p = published()
    session.add(
        LeaverLink(
            plan_id=p.plan.id,
            secret_hash=hash_secret("written-around-the-service"),
            created_by="someone",
            expires_at=clock.now() + timedelta(days=1),
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def _officers(user: str = "po-test") -> dict[str, str]:
    from api.auth import mint_token

    return {"Authorization": f"Bearer {mint_token(role='probation_officer', user=user)}"}


def test_only_the_plans_officer_can_stop_its_links_through_the_api(client, session, published):
    from resettlement.models import AuditEvent

    p = published()
    url = f"/api/v1/plans/{p.plan.id}/leaver-links"
    other = client.delete(url, headers=_officers("po-other"))
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    from api.auth import mint_token

    governor = mint_token(role="governor", user="g-mdi", prison="MDI")
    assert client.delete(url, headers={"Authorization": f"Bearer {governor}"}).status_code == 403
    assert client.delete(url).status_code == 401
    assert leaver_access.find_link(session, _secret(p.path)).id == p.link.id

    stopped = client.delete(url, headers=_officers())
    assert stopped.status_code == 200
    assert stopped.json() == {"plan_id": p.plan.id, "revoked": 1}
    session.expire_all()
    with pytest.raises(LinkNotValid):
        leaver_access.find_link(session, _secret(p.path))
    assert client.delete(url, headers=_officers()).json()["revoked"] == 0
    missing = client.delete("/api/v1/plans/999999/leaver-links", headers=_officers())
    assert missing.status_code == 404
    actions = session.exec(
        select(AuditEvent.actor, AuditEvent.action).where(
            AuditEvent.object_id == str(p.plan.id),
            col(AuditEvent.action).in_(["revoke_leaver_links", "denied"]),
        )
    ).all()
    assert sorted(actions) == [
        ("po-other", "denied"),
        ("po-test", "revoke_leaver_links"),
        ("po-test", "revoke_leaver_links"),
    ]


def test_the_plans_officer_can_issue_a_link_to_hand_over(client, session, published):
    p = published()
    issued = client.post(f"/api/v1/plans/{p.plan.id}/leaver-links", headers=_officers())
    assert issued.status_code == 201
    path = issued.json()["path"]
    session.expire_all()
    assert leaver_access.find_link(session, _secret(path)).id == issued.json()["link_id"]
    with pytest.raises(LinkNotValid):
        leaver_access.find_link(session, _secret(p.path))
    other = client.post(f"/api/v1/plans/{p.plan.id}/leaver-links", headers=_officers("po-other"))
    assert other.status_code == 404


def test_the_command_line_stops_a_plans_links(engine, session, published, monkeypatch):
    from typer.testing import CliRunner

    from cli.main import app
    from resettlement.config import get_settings

    p = published()
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["links", "revoke", "--plan", str(p.plan.id), "--by", "ops"])
    assert result.exit_code == 0, result.output
    assert "Stopped 1 live link(s)" in result.output
    session.expire_all()
    with pytest.raises(LinkNotValid):
        leaver_access.find_link(session, _secret(p.path))
    missing = CliRunner().invoke(app, ["links", "revoke", "--plan", "999999", "--by", "ops"])
    assert missing.exit_code == 1
