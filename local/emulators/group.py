"""The stand-ins for AWS's managed services of one local mode, made, started and stopped together."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from local.emulators.cognito_sign_in import CognitoFront
from local.emulators.moto_server import MotoServer
from local.emulators.ports import Ports
from local.emulators.postgres import Postgres
from local.emulators.processes import Children, ServiceError, run_parallel
from local.emulators.redis_server import Redis
from local.state import Store


class EmulatorGroup:
    """moto (DynamoDB, S3, Secrets Manager, IAM), moto for Cognito with Cognito's public endpoint in front of it,
    PostgreSQL and a Redis-protocol server, on ports from ``ports``, keeping their data under ``state_dir``.

    ``start()`` starts them in the background (the program runs meanwhile; ``ready()`` waits);
    ``load()`` puts the earlier runs' data back once the program made its resources;
    ``stop()`` then ``close()`` (after the children are stopped) end them.
    """

    def __init__(self, state_dir: Path, region: str, ports: Ports, children: Children, log: Callable[[str], None]):
        self.region = region
        self.ports = ports
        self.log = log
        logs, data = state_dir / "logs", state_dir / "data"
        self.moto = MotoServer(ports.take("moto"), "main", logs / "moto.log", region, data / "aws", children)
        self.cognito = MotoServer(ports.take("moto (Cognito)"), "cognito", logs / "cognito.log", region,
                                  data / "cognito", children)
        self.postgres = Postgres(ports.take("PostgreSQL"), state_dir / "postgres",
                                 os.environ.get("MULTITIER_DATABASE_URL") or None, children)
        self.redis = Redis(ports.take("Redis"), state_dir, children)
        self.sign_in = CognitoFront(ports.take("Cognito sign-in"), self.cognito, log)
        self.seconds = 0.0  # how long starting took
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._cancelled = threading.Event()

    @property
    def sign_in_url(self) -> str:
        return self.sign_in.url

    def start(self) -> None:
        """Start them all in the background: moto (twice), PostgreSQL and Redis in parallel, then the sign-in
        endpoint and moto's admin identity."""
        self._thread = threading.Thread(target=self._start, name="emulators", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        started = time.perf_counter()
        try:
            run_parallel({"moto": self.moto.start, "cognito": self.cognito.start,
                          "postgres": self.postgres.start, "redis": self.redis.start})
            if self.redis.embedded:
                self.log("local mode: no valkey-server or redis-server on PATH (`make system-deps` installs "
                         "Debian's); the cache is the embedded fakeredis stand-in")
            self.sign_in.start()
            self.moto.bootstrap_admin()
        except BaseException as error:  # noqa: BLE001 (raised by ready())
            self._error = error
        self.seconds = round(time.perf_counter() - started, 2)

    def ready(self) -> None:
        """Wait until they run, or raise why they do not (``cancel()`` ends every wait at once)."""
        while self._thread is not None and self._thread.is_alive() and not self._cancelled.is_set():
            self._thread.join(0.1)
        if self._cancelled.is_set():
            raise ServiceError("local mode is stopping")
        if self._error is not None:
            raise self._error

    def cancel(self) -> None:
        """Local mode is stopping while they start: whoever waits for them stops waiting (the program's
        resources do, so the program ends at once)."""
        self._cancelled.set()

    def load(self) -> dict[str, int]:
        """The earlier runs' data back (where the program made its container) and every write kept from now on:
        how many entries were put back, and how many wait for a container the program no longer makes."""
        counts = {"restored": 0, "kept": 0}
        for server in (self.moto, self.cognito):
            for what, per_kind in server.load().items():
                counts[what] += sum(per_kind.values())
        return counts

    def stop(self) -> None:
        """Stop each one that runs (each errs quietly: stopping goes on)."""
        for step in (self.sign_in.stop, self.moto.stop, self.cognito.stop, self.postgres.stop, self.redis.stop):
            _quietly(step)

    def close(self) -> None:
        """After ``stop`` and once no child process is left: wait for the start-up thread, fold the journals."""
        if self._thread is not None:
            self._thread.join()
        for server in (self.moto, self.cognito):
            _quietly(Store(server.data).compact)


def _quietly(step: Callable[[], object]) -> None:
    try:
        step()
    except Exception as error:  # noqa: BLE001 (shutdown continues whatever fails)
        print(f"local mode: while stopping: {error}", file=sys.stderr)
