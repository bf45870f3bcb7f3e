"""Rate limits shared by many API workers through Redis (RESETTLEMENT_REDIS_URL), and kept in
each worker's memory without it."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.rate_limits import RateLimiter
from resettlement.models import ReleasePlan
from tests.api.conftest import bearer, publish
from tests.conftest import free_port, server_process

REDIS_URL = "redis://127.0.0.1:6379/0"
FIVE_A_MINUTE = {
    "RESETTLEMENT_LEAVER_BURST": "5",
    "RESETTLEMENT_LEAVER_REQUESTS_PER_MINUTE": "5",
}


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the shared Redis, removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running at 127.0.0.1:6379")
    prefix = f"resettlement-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def test_two_workers_sharing_redis_allow_exactly_five_of_thirty_requests(
    engine, session: Session, new_plan: Callable[..., ReleasePlan], redis_prefix: str
) -> None:
    plan = publish(session, new_plan())
    headers = bearer("prison_leaver", "leaver-1", plan=plan.id)
    env = {
        **FIVE_A_MINUTE,
        "RESETTLEMENT_REDIS_URL": REDIS_URL,
        "RESETTLEMENT_REDIS_KEY_PREFIX": redis_prefix,
    }
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        bases = [
            stack.enter_context(
                server_process(
                    engine,
                    ["-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(p)],
                    p,
                    env=env,
                    # Two workers starting one after the other on a busy 2-core machine.
                    start_seconds=180,
                )
            )
            for p in ports
        ]

        def ask(n: int) -> tuple[str, int]:
            base = bases[n % 2]
            response = httpx.get(base + "/api/v1/me/plan", headers=headers, timeout=30)
            return base, response.status_code

        # Both workers at once, so the count must hold under concurrency too.
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(ask, range(30)))
    statuses = Counter(status for _, status in answers)
    assert statuses == {200: 5, 429: 25}, statuses
    # Each worker refused some: neither kept a count of its own.
    for base in bases:
        assert {s for b, s in answers if b == base} >= {429}
    assert any(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{redis_prefix}*"))


def test_without_redis_each_worker_counts_in_its_own_memory(
    engine, app, session: Session, new_plan: Callable[..., ReleasePlan], monkeypatch
) -> None:
    from api.main import create_app
    from api.settings import ApiSettings

    plan = publish(session, new_plan())
    headers = bearer("prison_leaver", "leaver-1", plan=plan.id)
    settings = ApiSettings(leaver_burst=5, leaver_requests_per_minute=5)
    first, second = create_app(settings), create_app(settings)
    for worker in (first, second):
        worker.dependency_overrides.update(app.dependency_overrides)
        assert not worker.state.leaver_limiter.shared
    with TestClient(first) as one, TestClient(second) as two:
        statuses = Counter(
            (one if n % 2 else two).get("/api/v1/me/plan", headers=headers).status_code
            for n in range(30)
        )
    # Two memories, two allowances: the reason production sets RESETTLEMENT_REDIS_URL.
    assert statuses == {200: 10, 429: 20}, statuses


def test_a_redis_that_cannot_be_reached_lets_requests_through() -> None:
    # Nothing listens on port 1: the limit fails open rather than take the service down.
    limiter = RateLimiter(name="leaver", per_minute=1, burst=1, redis_url="redis://127.0.0.1:1/0")
    assert limiter.take("ip:203.0.113.1") == 0
    assert limiter.take("ip:203.0.113.1") == 0


def test_the_window_says_when_to_try_again(redis_prefix: str) -> None:
    limiter = RateLimiter(
        name="leaver", per_minute=5, burst=5, redis_url=REDIS_URL, key_prefix=redis_prefix
    )
    assert [limiter.take("user:a") for _ in range(5)] == [0.0] * 5
    wait = limiter.take("user:a")
    assert 1 <= wait <= 60
    assert limiter.take("user:b") == 0.0
