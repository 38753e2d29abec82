"""The shows cache: cache-aside through Redis/Valkey (ElastiCache), with TTL, and who keeps it fresh.

The shows service reads through it (``GET /shows``, ``GET /shows/{id}``); every write that
changes a show invalidates what it changed: the shows service's own (create, replace) and
the tickets service's (a purchase or a cancel changes ``remaining``), each as a cache user
of its own (``Cache.grant``: the tickets service may only delete and bump, never read or
write entries). Invalidating deletes the item key and bumps the list generation, so every
cached list page is orphaned at once.

Staleness bound: a read may still answer what was cached before a write only in a race (a
read that fetched the old item from DynamoDB before the write and stored it after the
invalidation), or while the cache was unreachable for the invalidation: at most
``CACHE_TTL_SECONDS``, when the entry expires. A purchase is always checked against
DynamoDB, so a stale count can never oversell.

A cache outage never fails a read or a write: every cache error is logged as a warning,
reads fall back to DynamoDB, and the cache is skipped for ``OUTAGE_BACKOFF_SECONDS``.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Literal

from pydantic import Field, model_validator

from shared import contract
from shared.config import EnvSettings
from shared.observability import logger, metrics

# One hash tag keeps every key in one slot (ElastiCache Serverless is cluster-mode).
_PREFIX = "{shows}"
_GENERATION_KEY = f"{_PREFIX}:list-generation"
_TOKEN_LIFETIME_SECONDS = 900  # the IAM auth token is valid for 15 minutes...
_TOKEN_REFRESH_SECONDS = 600  # ...and we reuse it for 10
# After a cache error, skip the cache for this long: an outage costs one timeout, not one per request.
OUTAGE_BACKOFF_SECONDS = 5.0


def item_key(show_id: str) -> str:
    return f"{_PREFIX}:item:{show_id}"


def list_key(generation: str, *parts: Any) -> str:
    return f"{_PREFIX}:list:{generation}:" + ":".join("" if part is None else str(part) for part in parts)


class ElastiCacheIAMTokenProvider:
    """Builds the ElastiCache IAM auth token: a SigV4-presigned ``connect`` URL without scheme."""

    def __init__(self, user_id: str, cache_name: str, region: str, serverless: bool = True):
        self.user_id = user_id
        self.cache_name = cache_name
        self.region = region
        self.serverless = serverless
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def _generate(self) -> str:
        from urllib.parse import urlencode

        import botocore.session
        from botocore.model import ServiceId
        from botocore.signers import RequestSigner

        session = botocore.session.get_session()
        signer = RequestSigner(
            ServiceId("elasticache"),
            self.region,
            "elasticache",
            "v4",
            session.get_credentials(),
            session.get_component("event_emitter"),
        )
        query = {"Action": "connect", "User": self.user_id}
        if self.serverless:
            query["ResourceType"] = "ServerlessCache"
        request = {
            "method": "GET",
            "url": f"https://{self.cache_name}/?{urlencode(query)}",
            "body": {},
            "headers": {},
            "context": {},
        }
        signed = signer.generate_presigned_url(
            request,
            operation_name="connect",
            expires_in=_TOKEN_LIFETIME_SECONDS,
            region_name=self.region,
        )
        return signed.removeprefix("https://")

    def token(self) -> str:
        with self._lock:
            now = time.monotonic()
            if self._token is None or now >= self._expires_at:
                self._token = self._generate()
                self._expires_at = now + _TOKEN_REFRESH_SECONDS
            return self._token

    def get_credentials(self) -> tuple[str, str]:
        """redis-py ``CredentialProvider`` protocol: called on every new connection."""
        return self.user_id, self.token()


class NullCache:
    """Used when no cache is configured."""

    enabled = False

    def get(self, key: str) -> Any | None:
        return None

    def set(self, key: str, value: Any) -> None:
        return None

    def generation(self) -> str:
        return "0"

    def invalidate(self, *keys: str, bump_lists: bool = True) -> None:
        return None


class RedisCache:
    enabled = True

    def __init__(
        self,
        host: str,
        port: int,
        ttl_seconds: int,
        tls: bool = False,
        credentials: ElastiCacheIAMTokenProvider | None = None,
        timeout_seconds: float = 0.5,
    ):
        import redis  # only the shows service with a cache configured pays this import
        from redis.backoff import NoBackoff
        from redis.credentials import CredentialProvider
        from redis.retry import Retry

        kwargs: dict[str, Any] = {}
        if credentials is not None:

            class _Provider(CredentialProvider):
                def get_credentials(self) -> tuple[str, str]:
                    return credentials.get_credentials()

            kwargs["credential_provider"] = _Provider()
        self.ttl_seconds = ttl_seconds
        self._errors = (redis.RedisError, OSError)
        self._down_until = 0.0
        self._client = redis.Redis(
            host=host,
            port=port,
            ssl=tls,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            retry=Retry(NoBackoff(), 0),  # a cache must fail fast; DynamoDB is the fallback
            health_check_interval=30,
            decode_responses=True,
            **kwargs,
        )

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _warn(self, operation: str, exc: Exception) -> None:
        self._down_until = time.monotonic() + OUTAGE_BACKOFF_SECONDS
        logger.warning("Cache unavailable, falling back to DynamoDB", extra={"operation": operation, "error": repr(exc)})
        metrics.add_metric(name="CacheErrors", unit="Count", value=1)

    def get(self, key: str) -> Any | None:
        if not self._available():
            return None
        try:
            raw = self._client.get(key)
        except self._errors as exc:
            self._warn("get", exc)
            return None
        try:
            value = json.loads(raw) if raw is not None else None
        except ValueError as exc:  # a corrupt entry is a miss, not a failed read (and not an outage)
            logger.warning("Corrupt cache entry ignored", extra={"key": key, "error": repr(exc)})
            value = None
        if value is None:
            metrics.add_metric(name="CacheMisses", unit="Count", value=1)
            return None
        metrics.add_metric(name="CacheHits", unit="Count", value=1)
        return value

    def set(self, key: str, value: Any) -> None:
        if not self._available():
            return
        try:
            self._client.set(key, json.dumps(value, separators=(",", ":")), ex=self.ttl_seconds)
        except self._errors as exc:
            self._warn("set", exc)

    def generation(self) -> str | None:
        """Current list generation, or None when the cache is unreachable (skip caching lists)."""
        if not self._available():
            return None
        try:
            value = self._client.get(_GENERATION_KEY)
        except self._errors as exc:
            self._warn("generation", exc)
            return None
        return value or "0"

    def invalidate(self, *keys: str, bump_lists: bool = True) -> None:
        if not self._available():
            return  # entries then expire by TTL: the staleness bound still holds
        try:
            pipe = self._client.pipeline(transaction=False)
            if keys:
                pipe.delete(*keys)
            if bump_lists:
                pipe.incr(_GENERATION_KEY)
            pipe.execute()
        except self._errors as exc:
            # Entries then expire by TTL: the staleness bound still holds.
            self._warn("invalidate", exc)


class CacheSettings(EnvSettings):
    """The cache a service is granted (``shared.contract.CACHE``); no endpoint: no cache."""

    cache_endpoint: str | None = Field(default=None, alias=contract.CACHE_ENDPOINT.name)
    cache_port: int = Field(default=6379, alias=contract.CACHE_PORT.name, ge=1, le=65535)
    cache_tls: bool = Field(default=False, alias=contract.CACHE_TLS.name)
    cache_auth: Literal["iam", "none"] = Field(default="none", alias=contract.CACHE_AUTH.name)
    cache_user: str | None = Field(default=None, alias=contract.CACHE_USER.name)
    cache_name: str | None = Field(default=None, alias=contract.CACHE_NAME.name)
    cache_mode: Literal["serverless", "cluster"] = Field(default="serverless", alias=contract.CACHE_MODE.name)
    cache_ttl_seconds: int = Field(default=30, alias=contract.CACHE_TTL_SECONDS.name, ge=1, le=86_400)
    region: str = Field(alias="AWS_REGION", min_length=1)  # set by Lambda in every function

    @model_validator(mode="after")
    def _iam_needs_user_and_name(self) -> CacheSettings:
        if self.cache_endpoint and self.cache_auth == "iam" and not (self.cache_user and self.cache_name):
            raise ValueError(f"{contract.CACHE_AUTH.name}=iam requires {contract.CACHE_USER.name} "
                             f"and {contract.CACHE_NAME.name}")
        return self


def cache_of(settings: CacheSettings) -> NullCache | RedisCache:
    """The cache the settings name (as their user), or ``NullCache`` without one."""
    if not settings.cache_endpoint:
        return NullCache()
    credentials = None
    if settings.cache_auth == "iam":
        credentials = ElastiCacheIAMTokenProvider(settings.cache_user, settings.cache_name, settings.region,
                                                  serverless=settings.cache_mode == "serverless")
    return RedisCache(settings.cache_endpoint, settings.cache_port, settings.cache_ttl_seconds,
                      tls=settings.cache_tls or settings.cache_auth == "iam", credentials=credentials)


def show_changed(cache: NullCache | RedisCache, show_id: str) -> None:
    """A write changed this show: its cached item and every cached list page go."""
    cache.invalidate(item_key(show_id), bump_lists=True)
