"""Pooled PostgreSQL connections: pinged after sitting idle, and only then."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from resettlement.database import _ping_when_idle
from tests.conftest import POSTGRES

pytestmark = pytest.mark.skipif(not POSTGRES, reason="connection pooling is PostgreSQL's")


@pytest.fixture
def pooled(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_that_died_while_idle_is_replaced_before_use(
    pooled: Engine, database_url: str
) -> None:
    _ping_when_idle(pooled, idle_seconds=0)
    first = _backend(pooled)
    killer = create_engine(database_url)
    with killer.connect() as connection:
        assert connection.execute(
            text("SELECT pg_terminate_backend(:pid)"), {"pid": first}
        ).scalar_one()
    killer.dispose()
    # The pooled connection is dead; the ping finds out and the pool opens a new one.
    second = _backend(pooled)
    assert second != first


def test_a_connection_returned_moments_ago_is_not_pinged(
    pooled: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ping_when_idle(pooled, idle_seconds=60)
    pings = _count_pings(pooled, monkeypatch)
    backends = {_backend(pooled) for _ in range(5)}
    assert len(backends) == 1  # the same pooled connection each time
    assert pings == []


def test_with_no_idle_allowance_every_checkout_is_pinged(
    pooled: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0 behaves as SQLAlchemy's pool_pre_ping: a ping before every use.
    _ping_when_idle(pooled, idle_seconds=0)
    pings = _count_pings(pooled, monkeypatch)
    for _ in range(3):
        _backend(pooled)
    assert len(pings) == 3
