"""The emulator process: moto's server, one writer at a time per kept service, every acknowledged write on disk.

    python -m local.emulators.moto_app --port <port> [--data <folder>]

moto serves each request in its own thread and its backends take no lock: a
conditional write checks, then writes, and a cancelled ``TransactWriteItems`` puts
back copies of whole tables taken when it began, wiping what other requests wrote
meanwhile. Under concurrent purchases that sold seats twice. DynamoDB promises that a
conditional write or a transaction is atomic and isolated; here every request to
DynamoDB, S3, Secrets Manager and Cognito holds its service's lock while moto
handles it, so requests to one service apply one after the other, as if alone. (The
lock costs no parallelism: moto's work is Python under one GIL.)

With ``--data``, once local mode has made the program's resources and called
``POST /_local/load`` (which puts the data of earlier runs back, ``moto_writes.load``),
each write's records are appended to the journal under that same lock, and the answer
leaves only once they are on the disk (``local/state.py``). ``/_local/`` is local mode's
own and answers only requests that carry the token the process was given.
"""

from __future__ import annotations

import argparse
import hmac
import io
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

from werkzeug.test import EnvironBuilder, run_wsgi_app

from local.emulators import moto_internals, moto_patches, moto_writes
from local.emulators.moto_server import TOKEN_HEADER
from local.state import Store

CONTROL = "/_local/"


class Emulator:
    """moto's WSGI application behind a lock per kept service, journaling what each write left."""

    def __init__(self, store: Store | None, region: str, token: str = ""):
        self.dispatch = moto_internals.dispatcher()
        self.locks = {service: threading.Lock() for service in moto_writes.SERVICES}
        self.store = store
        self.region = region
        self.token = token

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(CONTROL):
            return self._control(environ, start_response)
        service, app = moto_internals.service_app(self.dispatch, environ)
        lock = self.locks.get(service)
        if lock is None:
            return app(environ, start_response)
        status: list[str] = []

        def keep_status(line: str, headers: list, exc_info: Any = None) -> Any:
            status.append(line)
            return start_response(line, headers, exc_info)

        sequence = None
        with lock:
            after = None
            if self.store is not None and self.store.is_open:
                body = environ["wsgi.input"].read()
                environ["wsgi.input"] = io.BytesIO(body)
                after = moto_writes.plan(moto_writes.Request.of(service, environ, body, self.region))
            answer = _whole(app(environ, keep_status))
            if after is not None and status and status[-1][:1] == "2":
                try:
                    sequence = self.store.append(after(self.store))
                except Exception as error:  # noqa: BLE001 (the write is not acknowledged)
                    return _failed(start_response, error)
        if sequence is not None:
            try:
                self.store.sync(sequence)
            except OSError as error:
                return _failed(start_response, error)
        return answer

    # -- local mode's own requests ------------------------------------------------------------------
    def _control(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        given = environ.get("HTTP_" + TOKEN_HEADER.upper().replace("-", "_"), "")
        if not self.token or not hmac.compare_digest(given, self.token):
            return _answer(start_response, "403 Forbidden", {"message": "not local mode's request"})
        if environ["PATH_INFO"] == CONTROL + "load" and environ["REQUEST_METHOD"] == "POST":
            if self.store is None:
                return _answer(start_response, "200 OK", {"restored": {}, "kept": {}})
            with _all(self.locks.values()):
                if self.store.is_open:
                    return _answer(start_response, "409 Conflict", {"message": "the data is loaded already"})
                counts = moto_writes.load(self.store, self._call, self.region)
                self.store.open()
            return _answer(start_response, "200 OK", counts)
        return _answer(start_response, "404 Not Found", {"message": f"no {environ['PATH_INFO']}"})

    def _call(self, service: str, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """A request to moto in this process, signed for ``service`` (only its scope is read: the admin
        identity does not exist yet and IAM is not enforced while the data is loaded)."""
        headers = {**headers, "Authorization": f"AWS4-HMAC-SHA256 Credential=local/20200101/{self.region}/{service}/"
                                              f"aws4_request, SignedHeaders=host, Signature=0"}
        environ = EnvironBuilder(path=path, method=method, headers=headers, data=body,
                                 base_url="http://127.0.0.1/").get_environ()
        _, app = moto_internals.service_app(self.dispatch, environ)
        answer, status, _ = run_wsgi_app(app, environ, buffered=True)
        return int(status.split()[0]), b"".join(answer)


class _all:
    """Hold every lock (in one order), so nothing writes while the data is loaded."""

    def __init__(self, locks: Iterable[threading.Lock]):
        self.locks = list(locks)

    def __enter__(self) -> None:
        for lock in self.locks:
            lock.acquire()

    def __exit__(self, *exc: Any) -> None:
        for lock in reversed(self.locks):
            lock.release()


def _whole(answer: Iterable[bytes]) -> list[bytes]:
    """The whole answer, made while the lock is held (moto's answers are in memory anyway)."""
    try:
        return [b"".join(answer)]
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()


def _answer(start_response: Callable, status: str, document: dict[str, Any], exc_info: Any = None) -> list[bytes]:
    body = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))], exc_info)
    return [body]


def _failed(start_response: Callable, error: BaseException) -> list[bytes]:
    """A 500 in place of the 2xx moto gave (nothing of it was sent yet): the write could not be kept."""
    return _answer(start_response, "500 Internal Server Error",
                   {"__type": "InternalFailure", "message": f"local mode could not keep this write: {error}"},
                   exc_info=sys.exc_info())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local.emulators.moto_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, default=None, help="the folder this emulator keeps its data in")
    args = parser.parse_args(argv)
    moto_internals.check()
    moto_patches.install()
    store = Store(args.data) if args.data else None
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    app = Emulator(store, region, os.environ.pop("MULTITIER_EMULATOR_TOKEN", ""))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(0))
    moto_internals.run(args.host, args.port, app, moto_patches.KeepAliveHandler)


if __name__ == "__main__":
    main()
