"""PostgreSQL connections whose credentials come from Secrets Manager (data-access helper).

The secret is the RDS-managed master secret (``{"username", "password"}``); host, port
and database come from the environment. The secret is cached by Powertools Parameters
and re-fetched (``force_fetch``) once when the server rejects the cached password, so a
rotation never needs a redeploy or a cold start.

psycopg is imported lazily: only code paths that really talk to the database pay for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import Field

from shared import contract
from shared.config import EnvSettings
from shared.observability import logger

T = TypeVar("T")
SECRET_MAX_AGE_SECONDS = 300


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


class Database:
    """One reusable connection per container, re-opened when broken."""

    def __init__(self, settings: DatabaseSettings, application_name: str = "multitier"):
        self.settings = settings
        self.application_name = application_name
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

    def _open(self, force_fetch: bool) -> Any:
        import psycopg

        secret = self._credentials(force_fetch)
        return psycopg.connect(
            host=self.settings.host,
            port=self.settings.port,
            dbname=self.settings.dbname,
            user=secret["username"],
            password=secret["password"],
            sslmode=self.settings.sslmode,
            connect_timeout=self.settings.connect_timeout,
            application_name=self.application_name,
            autocommit=True,
        )

    def connect(self) -> Any:
        """Open a new connection; on an authentication failure re-read the secret once."""
        import psycopg

        try:
            return self._open(force_fetch=False)
        except psycopg.OperationalError as exc:
            if not is_auth_failure(exc):
                raise
            logger.warning("Database rejected cached credentials; re-fetching the secret (rotation?)")
            return self._open(force_fetch=True)

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
