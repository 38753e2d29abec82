"""Throttling: token buckets per method (``method_throttles``, else the stage's ``*/*`` limits)."""

from __future__ import annotations

import threading
import time

from local.apigateway.request import Request
from local.apigateway.responses import GatewayError
from local.model import LocalApi


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` per second."""

    def __init__(self, rate: float, burst: int):
        self.rate = max(0.0, float(rate))
        self.capacity = max(0.0, float(burst))
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


def unlimited(rate: float | None, burst: int | None) -> bool:
    """No limit: unset, negative (API Gateway's -1), or both zero."""
    return rate is None or burst is None or (rate <= 0 and burst <= 0) or rate < 0 or burst < 0


class MethodThrottles:
    """One bucket per ``resource/METHOD`` of a stage."""

    def __init__(self, api: LocalApi):
        self.api = api
        self._buckets: dict[str, TokenBucket | None] = {}
        self._lock = threading.Lock()

    def take(self, req: Request) -> None:
        """Raise THROTTLED when the method's bucket is empty."""
        assert req.route is not None
        key = f"{req.route.path.replace('/', '~1')}/{req.method}"  # as method settings name it
        with self._lock:
            if key not in self._buckets:
                rate, burst = self.api.method_throttles.get(key) or (self.api.throttle_rate, self.api.throttle_burst)
                self._buckets[key] = None if unlimited(rate, burst) else TokenBucket(rate, burst)
            bucket = self._buckets[key]
        if bucket is not None and not bucket.take():
            raise GatewayError("THROTTLED")
