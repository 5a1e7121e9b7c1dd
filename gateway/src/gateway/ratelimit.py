"""Token buckets per key, in process memory.

Each gateway replica counts on its own, so N replicas allow N times the configured rate;
a shared store (Redis) is the next step when the gateway is scaled out.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from gateway.config import GatewaySettings
from gateway.problems import RateLimited


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    def __init__(
        self, per_minute: float, burst: int, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str, per_minute: float | None = None) -> float | None:
        """Spend one token: None when allowed, else the seconds until one is available.

        `per_minute` replaces the limiter's rate for this key (a machine client's own limit); the key's
        bucket then holds one minute's worth.
        """
        rate, burst = (self.rate, self.burst) if per_minute is None else (per_minute / 60.0, float(per_minute))
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(burst, now)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)  # the least recently seen key starts afresh
        else:
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            self._buckets.move_to_end(key)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return (1 - bucket.tokens) / rate if rate > 0 else 3600.0


class RateLimits:
    """The gateway's limits: every request per IP, signed-in users per user, login and public routes stricter,
    machine clients each at the rate their token carries, and their token endpoint per IP."""

    def __init__(self, settings: GatewaySettings) -> None:
        keys = settings.rate_limit_max_keys
        self.limiters = {
            "ip": TokenBucketLimiter(settings.rate_limit_ip_per_minute, settings.rate_limit_ip_burst, keys),
            "user": TokenBucketLimiter(settings.rate_limit_user_per_minute, settings.rate_limit_user_burst, keys),
            "login": TokenBucketLimiter(settings.rate_limit_login_per_minute, settings.rate_limit_login_burst, keys),
            "public": TokenBucketLimiter(settings.rate_limit_public_per_minute, settings.rate_limit_public_burst, keys),
            "token": TokenBucketLimiter(settings.rate_limit_token_per_minute, settings.rate_limit_token_burst, keys),
            # The rate of each key is the one its client's token carries (`check_client`).
            "client": TokenBucketLimiter(60, 60, keys),
        }

    def check(self, limit: str, key: str) -> None:
        wait = self.limiters[limit].take(key)
        if wait is not None:
            raise RateLimited(wait, limit)

    def check_client(self, client_id: str, per_minute: int) -> None:
        wait = self.limiters["client"].take(client_id, per_minute)
        if wait is not None:
            raise RateLimited(wait, "client")
