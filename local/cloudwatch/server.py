"""The local dashboards over HTTP (127.0.0.1 only): the page, the bodies, metric data and alarm states.

* ``GET /`` lists the dashboards; ``GET /dashboards/<name>`` is one (``page/``), rendered in the
  browser from ``GET /api/dashboards/<name>``, the body the program registered;
* ``POST /api/metrics`` ``{"start", "end", "queries": [{"id", "namespace", "name", "dimensions",
  "stat", "period"}]}`` answers each query's ``[[time, value], ...]`` (periods in CloudWatch seconds,
  compressed by the clock's scale);
* ``GET /api/alarms`` the alarms' states and their changes.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from local._http import LoopbackServer, QuietHandler, serve, shut_down

if TYPE_CHECKING:
    from local.cloudwatch.service import LocalCloudWatch

PAGE = Path(__file__).resolve().parent / "page"
MAX_QUERIES = 500
SECURITY_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
                    "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class DashboardServer:
    """Serves ``cloudwatch``'s dashboards on ``port`` (0: any free one)."""

    def __init__(self, cloudwatch: "LocalCloudWatch", port: int = 0):
        self.cloudwatch, self.port = cloudwatch, port
        self._server: LoopbackServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> "DashboardServer":
        handler = type("_Bound", (_Handler,), {"cloudwatch": self.cloudwatch})
        self._server = LoopbackServer(("127.0.0.1", self.port), handler)
        self.port = self._server.server_address[1]
        serve(self._server, "cloudwatch-dashboards")
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            shut_down(server)


class _Handler(QuietHandler):
    cloudwatch: "LocalCloudWatch"

    def do_GET(self) -> None:
        path = unquote(self.path.split("?", 1)[0])
        cw = self.cloudwatch
        if path == "/":
            return self._file(PAGE / "index.html")
        if path == "/favicon.ico":
            return self._send(204, b"", "image/x-icon")
        if path.startswith("/dashboards/") and path.removeprefix("/dashboards/") in cw.dashboards:
            return self._file(PAGE / "dashboard.html")
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
            target = (PAGE / name).resolve()
            if target.is_file() and PAGE in target.parents:
                return self._file(target)
        if path == "/api/dashboards":
            return self._json(200, cw.about())
        if path.startswith("/api/dashboards/") and path.removeprefix("/api/dashboards/") in cw.dashboards:
            return self._json(200, cw.dashboards[path.removeprefix("/api/dashboards/")])
        if path == "/api/alarms":
            return self._json(200, {"alarms": cw.evaluator.states(), "history": cw.evaluator.history[-200:]})
        self._json(404, {"message": f"no {path}"})

    def do_POST(self) -> None:
        if self.path != "/api/metrics":
            return self._json(404, {"message": f"no {self.path}"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(min(length, 1 << 20)) or b"{}")
            queries = request["queries"]
            if not isinstance(queries, list) or len(queries) > MAX_QUERIES:
                raise ValueError(f"queries must be a list of at most {MAX_QUERIES}")
            answer = {q["id"]: self.cloudwatch.series(q, float(request["start"]), float(request["end"]))
                      for q in queries}
        except (ValueError, KeyError, TypeError) as error:
            return self._json(400, {"message": f"bad metrics request: {error}"})
        self._json(200, answer)

    def _file(self, path: Path) -> None:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self._send(200, path.read_bytes(), kind + ("; charset=utf-8" if kind.startswith("text/") or
                                                   kind.endswith("javascript") else ""))

    def _json(self, status: int, body: Any) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
