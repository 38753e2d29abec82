"""Lambda's Runtime API, served on 127.0.0.1 for one worker (awslambdaric is its client).

``GET /next`` hands the worker its next event; ``POST /{id}/response`` and
``/{id}/error`` complete it; ``POST /init/error`` reports a handler module that failed
to import.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import TYPE_CHECKING

from local._http import LoopbackServer, QuietHandler

if TYPE_CHECKING:
    from local.lambda_.worker import Worker

RUNTIME_API_PREFIX = "/2018-06-01/runtime"


class RuntimeApiHandler(QuietHandler):
    server: "RuntimeApiServer"

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self._headers_buffer.append(b"\r\n" + body)  # headers and body in one write
        self.flush_headers()

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:  # noqa: N802
        if self.path != f"{RUNTIME_API_PREFIX}/invocation/next":
            self._reply(404, b'{"errorMessage": "not found"}')
            return
        inv = self.server.worker.next_invocation()
        if inv is None:  # the worker is being stopped
            self._reply(410, b'{"errorMessage": "worker stopped"}')
            return
        now_ms = int(time.time() * 1000)
        trace = f"Root=1-{now_ms // 1000:08x}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled=0"
        self._reply(200, inv.body, {
            "Lambda-Runtime-Aws-Request-Id": inv.request_id,
            "Lambda-Runtime-Deadline-Ms": str(inv.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": inv.arn,
            "Lambda-Runtime-Trace-Id": trace,
        })

    def do_POST(self) -> None:  # noqa: N802
        body = self._body()
        path = self.path
        worker = self.server.worker
        if path == f"{RUNTIME_API_PREFIX}/init/error":
            worker.init_failed(_error_body(body, self.headers.get("Lambda-Runtime-Function-Error-Type")))
            self._reply(202, b'{"status": "OK"}')
            return
        prefix = f"{RUNTIME_API_PREFIX}/invocation/"
        if path.startswith(prefix) and path.count("/") == 5:
            request_id, kind = path[len(prefix):].split("/", 1)
            if kind == "response":
                try:
                    payload = json.loads(body) if body else None
                except ValueError:
                    payload = body.decode(errors="replace")
                accepted = worker.complete(request_id, payload=payload)
            elif kind == "error":
                accepted = worker.complete(
                    request_id, error=_error_body(body, self.headers.get("Lambda-Runtime-Function-Error-Type")))
            else:
                accepted = None
            if accepted is not None:
                self._reply(202 if accepted else 400,
                            b'{"status": "OK"}' if accepted else b'{"errorMessage": "InvalidRequestID"}')
                return
        self._reply(404, b'{"errorMessage": "not found"}')


def _error_body(body: bytes, error_type: str | None) -> dict:
    try:
        error = json.loads(body) if body else {}
    except ValueError:
        error = {"errorMessage": body.decode(errors="replace")}
    if not isinstance(error, dict):
        error = {"errorMessage": str(error)}
    error.setdefault("errorType", error_type or "Runtime.Unknown")
    error.setdefault("errorMessage", "")
    return error


class RuntimeApiServer(LoopbackServer):
    def __init__(self, worker: "Worker"):
        self.worker = worker
        super().__init__(("127.0.0.1", 0), RuntimeApiHandler)
