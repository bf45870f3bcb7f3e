"""`resettlement serve-api` as deployed: whose X-Forwarded-For it believes."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.conftest import free_port, server_process

# Three requests, then one every minute: a guesser must be held back within a few tries.
TIGHT_LIMIT = {"RESETTLEMENT_LEAVER_BURST": "3", "RESETTLEMENT_LEAVER_REQUESTS_PER_MINUTE": "1"}


def _statuses_with_forged_addresses(engine, env: dict[str, str]) -> Counter[int]:
    port = free_port()
    command = ["-m", "cli.main", "serve-api", "--host", "127.0.0.1", "--port", str(port)]
    with server_process(engine, command, port, env={**TIGHT_LIMIT, **env}) as base:
        return Counter(
            httpx.get(
                base + "/api/v1/me/plan", headers={"X-Forwarded-For": f"203.0.113.{n}"}
            ).status_code
            for n in range(1, 9)
        )


def test_a_forged_forwarded_address_does_not_escape_the_rate_limit(engine):
    statuses = _statuses_with_forged_addresses(engine, {})
    assert statuses == {401: 3, 429: 5}, statuses


@pytest.mark.parametrize("proxies", ["127.0.0.1", "127.0.0.0/8"])
def test_a_configured_proxy_is_believed_about_the_address(engine, proxies):
    # Behind the proxy every person has their own address, and so their own allowance.
    statuses = _statuses_with_forged_addresses(engine, {"RESETTLEMENT_TRUSTED_PROXIES": proxies})
    assert statuses == {401: 8}, statuses
