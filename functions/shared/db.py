"""PostgreSQL connections whose credentials come from Secrets Manager (data-access helper).

The secret is the RDS-managed master secret (``{"username", "password"}``); host, port
and database come from the environment. The secret is cached by Powertools Parameters
and re-fetched (``force_fetch``) once when the server rejects the cached password, so a
rotation never needs a redeploy or a cold start.

A database may not accept connections yet: a paused Aurora Serverless cluster takes
~15 s to resume, a new RDS endpoint is registered before it is available. Connecting is
retried with backoff while the invocation has time left (``time_left``, from the Lambda
context), keeping enough to answer; then ``DatabaseUnavailable`` (HTTP 503, Retry-After).

psycopg is imported lazily: only code paths that really talk to the database pay for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import Field

from shared import contract
from shared.config import EnvSettings
from shared.errors import ServiceUnavailableError
from shared.observability import logger

T = TypeVar("T")
SECRET_MAX_AGE_SECONDS = 300
FIRST_BACKOFF_SECONDS = 0.25
MAX_BACKOFF_SECONDS = 2.0
# Kept back from the invocation's remaining time: running the query and answering.
RESERVE_SECONDS = 1.5
RETRY_AFTER_SECONDS = 10  # what a client is told while Aurora resumes (~15 s in all)


class DatabaseSettings(EnvSettings):
    secret_arn: str = Field(alias=contract.DB_SECRET_ARN.name, min_length=1)
    host: str = Field(alias=contract.DB_HOST.name, min_length=1)
    port: int = Field(default=5432, alias=contract.DB_PORT.name, ge=1, le=65535)
    dbname: str = Field(alias=contract.DB_NAME.name, min_length=1)
    sslmode: str = Field(
        default="require",
        alias=contract.DB_SSLMODE.name,
        pattern=r"^(disable|allow|prefer|require|verify-ca|verify-full)$",
    )
    connect_timeout: int = Field(default=5, alias=contract.DB_CONNECT_TIMEOUT.name, ge=1, le=60)


def is_auth_failure(exc: BaseException) -> bool:
    """True when the server refused the credentials (libpq reports these without SQLSTATE)."""
    if getattr(exc, "sqlstate", None) in ("28P01", "28000"):
        return True
    text = str(exc).lower()
    return "authentication failed" in text or "no password supplied" in text


class DatabaseUnavailable(ServiceUnavailableError):
    """The database did not accept a connection within the time the invocation had."""


def seconds_left(context: Any) -> float:
    """The seconds the invocation of a Lambda ``context`` has left."""
    return context.get_remaining_time_in_millis() / 1000


class Database:
    """One reusable connection per container, re-opened when broken.

    ``time_left`` returns the seconds the current invocation has left; connection
    attempts are retried until it nearly runs out. Without it: one attempt.
    """

    def __init__(self, settings: DatabaseSettings, application_name: str = "multitier",
                 time_left: Callable[[], float] | None = None):
        self.settings = settings
        self.application_name = application_name
        self.time_left = time_left
        self._conn: Any = None
        self._lock = threading.Lock()

    def _credentials(self, force_fetch: bool) -> dict[str, Any]:
        from aws_lambda_powertools.utilities import parameters

        secret = parameters.get_secret(
            self.settings.secret_arn,
            transform="json",
            max_age=SECRET_MAX_AGE_SECONDS,
            force_fetch=force_fetch,
        )
        if not isinstance(secret, dict) or not secret.get("username") or "password" not in secret:
            raise RuntimeError("database secret must be JSON with 'username' and 'password'")
        return secret

    def _open(self, force_fetch: bool, timeout: int) -> Any:
        import psycopg

        secret = self._credentials(force_fetch)
        return psycopg.connect(
            host=self.settings.host,
            port=self.settings.port,
            dbname=self.settings.dbname,
            user=secret["username"],
            password=secret["password"],
            sslmode=self.settings.sslmode,
            connect_timeout=timeout,
            application_name=self.application_name,
            autocommit=True,
        )

    def _budget(self) -> float:
        """Seconds left for connecting (infinite without ``time_left``: one attempt decides)."""
        return float("inf") if self.time_left is None else self.time_left() - RESERVE_SECONDS

    def connect(self) -> Any:
        """Open a new connection, retrying with backoff while the invocation has time.

        An authentication failure re-reads the secret once (rotation) and is never retried.
        """
        import psycopg

        delay, attempts, force_fetch, started = FIRST_BACKOFF_SECONDS, 0, False, time.monotonic()
        while True:
            # libpq waits at least 2 s per attempt (it rounds 1 up).
            timeout = max(2, int(min(self.settings.connect_timeout, self._budget())))
            attempts += 1
            try:
                return self._open(force_fetch, timeout)
            except psycopg.OperationalError as exc:
                if is_auth_failure(exc):
                    if force_fetch:
                        raise
                    logger.warning("Database rejected cached credentials; re-fetching the secret (rotation?)")
                    force_fetch = True
                    continue
                if self.time_left is None:
                    raise
                if self._budget() < delay + 2:
                    waited = time.monotonic() - started
                    logger.error("Database not reachable within the invocation", extra={
                        "host": self.settings.host, "port": self.settings.port, "attempts": attempts,
                        "seconds": round(waited, 1), "error": str(exc)})
                    # Safe to show an API caller: no host, no driver message.
                    raise DatabaseUnavailable(
                        f"The database is resuming or not reachable yet ({attempts} connection attempts in "
                        f"{waited:.1f} s); retry shortly", RETRY_AFTER_SECONDS) from exc
                logger.warning("Database not reachable yet (resuming?); retrying",
                               extra={"attempt": attempts, "retry_in_seconds": delay, "error": str(exc)})
                time.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self.connect()
        return self._conn

    def run(self, work: Callable[[Any], T], retry_on_disconnect: bool = True) -> T:
        """Run ``work(connection)``; a dropped connection is re-opened and ``work`` retried once.

        Only pass ``retry_on_disconnect=True`` for work that is safe to repeat (reads, or
        work in a transaction that the disconnect rolled back).
        """
        import psycopg

        with self._lock:
            conn = self._connection()
            try:
                return work(conn)
            except psycopg.OperationalError:
                if not (retry_on_disconnect and (conn.closed or conn.broken)):
                    raise
                logger.warning("Database connection lost; reconnecting")
                self._conn = None
                return work(self._connection())

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
