"""API keys and their usage plans: the ``x-api-key`` header (or the authorizer's key), rate, burst, daily quota."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Sequence

from local.apigateway.request import Request
from local.apigateway.responses import GatewayError
from local.apigateway.throttling import TokenBucket, unlimited
from local.model import UsagePlanKey


class UsagePlans:
    """The API keys of one stage, each with its usage plan's limits."""

    def __init__(self, keys: Sequence[UsagePlanKey], key_source: str = "HEADER"):
        self.key_source = key_source.upper()
        self._keys = {k.value: k for k in keys}
        self._buckets = {k.value: TokenBucket(k.rate, k.burst) for k in keys if not unlimited(k.rate, k.burst)}
        self._quota: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def check(self, req: Request) -> None:
        """Accept the request's key, or raise INVALID_API_KEY, THROTTLED or QUOTA_EXCEEDED."""
        value = req.header("x-api-key")
        if self.key_source == "AUTHORIZER":
            value = (req.authorizer or {}).get("_usageIdentifierKey") or value
        key = self._keys.get(value or "")
        if key is None:
            raise GatewayError("INVALID_API_KEY")
        req.api_key = key.value
        req.api_key_id = hashlib.sha1(key.value.encode()).hexdigest()[:10]
        bucket = self._buckets.get(key.value)
        if bucket is not None and not bucket.take():
            raise GatewayError("THROTTLED")
        if key.quota_per_day and key.quota_per_day > 0:
            day = time.strftime("%Y-%m-%d", time.gmtime())
            with self._lock:
                current_day, used = self._quota.get(key.value, (day, 0))
                used = used if current_day == day else 0
                if used >= key.quota_per_day:
                    raise GatewayError("QUOTA_EXCEEDED")
                self._quota[key.value] = (day, used + 1)
