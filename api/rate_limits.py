"""Rate limits through the `limits` library: in this process's memory by default, in Redis when
RESETTLEMENT_REDIS_URL is set, so that every API worker counts against the same allowance.

A limit is `burst` requests in any window of `burst / per_minute` minutes (a moving window):
a person may send `burst` at once, and over time no more than `per_minute` a minute.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)


class RateLimiter:
    def __init__(
        self,
        *,
        name: str,
        per_minute: float,
        burst: int,
        redis_url: str | None = None,
        key_prefix: str = "resettlement",
    ) -> None:
        window = max(1, math.ceil(burst * 60 / per_minute)) if per_minute > 0 else 365 * 86400
        self.item = RateLimitItemPerSecond(burst, window, namespace=name)
        # Redis is a network round trip: callers on the event loop hand it to a thread.
        self.shared = redis_url is not None
        storage = (
            storage_from_string(redis_url, key_prefix=key_prefix)
            if redis_url
            else storage_from_string("memory://")
        )
        self._limiter = MovingWindowRateLimiter(storage)

    def take(self, key: str) -> float:
        """Takes one request for `key`; returns 0 if allowed, else seconds until one is free."""
        try:
            if self._limiter.hit(self.item, key):
                return 0.0
            stats = self._limiter.get_window_stats(self.item, key)
        except Exception:
            # A limit exists to slow guessing, and the lockouts that stop it are kept in the
            # database: with Redis down the service stays up rather than refusing everyone.
            log.warning("rate limit store unreachable; request allowed", exc_info=True)
            return 0.0
        return max(1.0, stats.reset_time - time.time())
