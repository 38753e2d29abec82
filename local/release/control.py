"""How ``python -m local release`` reaches a running local mode: an HTTP endpoint on loopback.

``POST /release`` with ``{"service": "<service>", "via": "codedeploy"|"stage", "config": "", "percent": null,
"bake_minutes": null, "time_scale": 60, "traffic": 20}`` rehearses the release of the service's current
code in the running stack (``Releases.release_service``) and streams its timeline, one line at a time,
then a last line of JSON: ``{"promoted": true, "counts": {...}}`` (or ``{"error": "..."}``). One
rehearsal runs at a time. ``run_cli`` is the client.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from local.cloudwatch import Clock
from local._http import LoopbackServer, QuietHandler, serve, shut_down
from local.release.releases import ReleaseError
from local.release.traffic import id_token, traffic

if TYPE_CHECKING:
    from local.release.releases import Releases
    from local.running import Running


def rehearse(releases: "Releases", running: "Running", request: dict[str, Any], on_line: Callable[[str], None],
             stop: threading.Event | None = None) -> dict[str, Any]:
    """One rehearsal in ``running`` as ``request`` asks; the outcome as the endpoint's last line."""
    service = str(request.get("service") or "")
    rate = float(request.get("traffic") or 0)
    load = traffic(_targets(releases, running, service), rate) if rate > 0 else None
    outcome = releases.release_service(
        service, Clock(float(request.get("time_scale") or 30)), via=str(request.get("via") or "codedeploy"),
        config=str(request.get("config") or ""), percent=request.get("percent"),
        bake_minutes=request.get("bake_minutes"), on_line=on_line, stop=stop, traffic=load)
    return {"promoted": outcome.promoted, "counts": outcome.counts}


def _targets(releases: "Releases", running: "Running", service: str) -> list[tuple[str, str]]:
    """(URL, ID token) of each released function's check route, on the API that routes to it, as the first user
    local mode signed up (in every pool)."""
    outputs = running.outputs
    user = running.users[0] if running.users else None
    cognito = running.emulators.cognito.client("cognito-idp")
    targets = []
    for plan in releases.functions.values():
        if plan.service != service or plan.check is None:
            continue
        for api in running.apis:
            if f"{plan.function}:{plan.alias}" not in api.stage_variables.values():
                continue
            pattern = running.pattern_of(api.name)
            pool, client = outputs.get(f"{pattern}_user_pool_id"), outputs.get(f"{pattern}_client_id")
            if pool and client and user:
                token = id_token(cognito, pool, client, user.email, user.password)
                targets.append((api.url + plan.check["path"], token))
    if not targets:
        raise ReleaseError(f"no route of {service} to send traffic to (no GET without parameters, or no local user)")
    return targets


class ControlServer:
    """The endpoint in front of ``rehearse`` for one running local mode."""

    def __init__(self, port: int, release: Callable[[dict[str, Any], Callable[[str], None]], dict[str, Any]]):
        control = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                if self.path != "/release":
                    return self._send(404, {"error": f"no {self.path}: POST /release"})
                try:
                    request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                except ValueError:
                    return self._send(400, {"error": "the body must be JSON"})
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True  # the client reads the lines until the connection closes
                try:
                    last = control.release(request, self._line)
                except (ReleaseError, ValueError) as error:
                    last = {"error": str(error)}
                self._line(json.dumps(last))

            def _line(self, text: str) -> None:
                self.wfile.write(text.encode() + b"\n")
                self.wfile.flush()

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.release = release
        self.server = LoopbackServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/release"
        serve(self.server, "release-control")

    def stop(self) -> None:
        shut_down(self.server)


def run_cli(stack: str, state_root: Path, request: dict[str, Any], out: Callable[[str], None] = print) -> int:
    """``python -m local release``: ask the running local mode of ``stack``; 0 promoted, 1 rolled back, 2 error."""
    from local import endpoints

    path = state_root / stack / endpoints.FILE
    try:
        url = json.loads(path.read_text())["release"]
    except (OSError, ValueError, KeyError):
        out(f"error: no local mode of stack {stack!r} runs (no {path}): start it with `python -m local up --stack "
            f"{stack}`, change the code of {request.get('service')}, then rehearse its release")
        return 2
    http = urllib.request.Request(url, data=json.dumps(request).encode(), method="POST",
                                  headers={"Content-Type": "application/json"})
    last: dict[str, Any] = {}
    try:
        with urllib.request.urlopen(http, timeout=24 * 3600) as response:
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("{"):
                    last = json.loads(line)
                else:
                    out(line)
    except (urllib.error.URLError, OSError) as error:
        out(f"error: local mode of stack {stack!r} does not answer at {url}: {error}")
        return 2
    if "error" in last:
        out(f"error: {last['error']}")
        return 2
    for key, value in last.get("counts", {}).items():
        out(f"  {key}: {value:g}")
    out("promoted" if last.get("promoted") else "rolled back")
    return 0 if last.get("promoted") else 1
