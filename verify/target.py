"""What the suite checks, read from one place per target.

* ``local``: ``.local/<stack>/endpoints.json``, which local mode writes once it is ready;
* ``aws``: ``pulumi stack output --json`` of the deployed stack (the outputs the README lists).

Both become the same ``Target``: per pattern its APIs (URL, stage, paths), sites, user
pool, app client and sign-in endpoint, plus a way to make AWS clients (the emulator's
Cognito locally, the ambient credentials on AWS).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = "endpoints.json"


class TargetError(Exception):
    """The target cannot be read: what is missing and how to get it."""


@dataclass(frozen=True)
class Api:
    """One REST API stage; ``url`` is its base (with the stage, or the custom domain's base path)."""

    name: str
    url: str
    stage: str
    paths: tuple[str, ...]
    rest_api_id: str = ""
    access_log_group: str = ""
    throttle: tuple[float, int] | None = None  # the stage's (rate, burst) on every method, when the target says

    def at(self, path: str) -> str:
        return self.url.rstrip("/") + path


@dataclass(frozen=True)
class Pattern:
    name: str
    apis: tuple[Api, ...]
    sites: tuple[str, ...]
    user_pool_id: str
    client_id: str
    sign_in_endpoint: str

    def api_for(self, path: str) -> Api | None:
        """The API that serves ``path`` (OpenAPI form: ``/tickets/{id}``), if any."""
        return next((api for api in self.apis if path in api.paths), None)


@dataclass(frozen=True)
class Target:
    kind: Literal["local", "aws"]
    stack: str
    region: str
    patterns: Mapping[str, Pattern]
    client: Callable[[str], Any] = field(repr=False)  # service name → a boto3 client for this target
    alarm_names: tuple[str, ...] = ()


def local_target(stack: str, endpoints: Path | None = None) -> Target:
    """The target local mode describes in ``endpoints.json`` (by default ``.local/<stack>/``)."""
    path = endpoints or Path(os.environ.get("MULTITIER_LOCAL_DIR") or ROOT / ".local") / stack / ENDPOINTS
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise TargetError(f"{path} not found: local mode is not running for stack {stack!r} (start it with "
                          f"`make local STACK={stack}` or `python -m local up --stack {stack}`)") from None
    except (OSError, ValueError) as error:
        raise TargetError(f"{path}: {error}") from None
    if not _alive(doc.get("pid")):
        raise TargetError(f"{path} names local mode's process {doc.get('pid')}, which is not running: start it again")
    patterns = {}
    for name, entry in (doc.get("patterns") or {}).items():
        if not name:
            continue
        pools = entry.get("user_pools") or []
        if not pools or not pools[0].get("client_ids"):
            raise TargetError(f"{path}: pattern {name} has no user pool with an app client")
        pool = pools[0]
        apis = tuple(Api(name=api["name"], url=api["url"].rstrip("/"), stage=api["url"].rstrip("/").rsplit("/", 1)[-1],
                         paths=tuple(api.get("paths") or ()), throttle=_throttle(api.get("throttle")))
                     for api in entry.get("apis") or ())
        patterns[name] = Pattern(name, apis, tuple(entry.get("sites") or ()), pool["id"], pool["client_ids"][0],
                                 pool["sign_in_endpoint"])
    if not patterns:
        raise TargetError(f"{path}: no pattern runs")
    region = next(iter(patterns.values())).user_pool_id.split("_", 1)[0]
    cognito = (doc.get("emulators") or {}).get("cognito")
    if not cognito:
        raise TargetError(f"{path}: no Cognito emulator listed under emulators.cognito")

    def client(service: str) -> Any:
        # The Cognito emulator (moto) takes any keys: it is where local mode's administrators call.
        if service != "cognito-idp":
            raise TargetError(f"local mode offers no {service} for the suite (checks of it run on --target aws)")
        return _boto3_client(service, region, endpoint_url=cognito, aws_access_key_id="verify",
                             aws_secret_access_key="verify")

    return Target("local", stack, region, patterns, _once_per_service(client))


def aws_target(stack: str, outputs: Mapping[str, Any] | None = None,
               client: Callable[[str], Any] | None = None) -> Target:
    """The deployed stack its outputs describe (``pulumi stack output --json`` unless given)."""
    outputs = pulumi_outputs(stack) if outputs is None else outputs
    region = outputs.get("region")
    if not isinstance(region, str) or not region:
        raise TargetError(f"stack {stack!r} has no `region` output: run `pulumi up` with this version of the "
                          f"program first (outputs found: {', '.join(sorted(outputs)) or 'none'})")
    sign_in = f"https://cognito-idp.{region}.amazonaws.com/"
    patterns = {}
    for key, value in outputs.items():
        if not key.endswith("_apis") or not isinstance(value, list):
            continue
        name = key.removesuffix("_apis")
        missing = [f"{name}_{k}" for k in ("user_pool_id", "client_id") if not outputs.get(f"{name}_{k}")]
        if missing:
            raise TargetError(f"stack {stack!r}: missing outputs {', '.join(missing)}")
        apis = tuple(Api(name=a["name"], url=a["url"].rstrip("/"), stage=a["stage"], paths=tuple(a["paths"]),
                         rest_api_id=a.get("id", ""), access_log_group=a.get("access_log_group", ""))
                     for a in value)
        site = outputs.get(f"{name}_site_url")
        patterns[name] = Pattern(name, apis, (site,) if site else (), outputs[f"{name}_user_pool_id"],
                                 outputs[f"{name}_client_id"], sign_in)
    if not patterns:
        raise TargetError(f"stack {stack!r} has no `<pattern>_apis` outputs: run `pulumi up` with this version of "
                          f"the program first")
    if client is None:
        client = _once_per_service(lambda service: _boto3_client(service, region))
    return Target("aws", stack, region, patterns, client, tuple(outputs.get("alarm_names") or ()))


def pulumi_outputs(stack: str) -> dict[str, Any]:
    """``pulumi stack output --json`` of ``stack``, run in the project's folder."""
    try:
        done = subprocess.run(["pulumi", "stack", "output", "--json", "--stack", stack], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise TargetError("the pulumi CLI is not on PATH: install it, or pass --outputs FILE "
                          "(what `pulumi stack output --json` printed)") from None
    if done.returncode != 0:
        raise TargetError(f"pulumi stack output --stack {stack} failed: {done.stderr.strip() or done.stdout.strip()}")
    return json.loads(done.stdout or "{}")


def read_outputs(path: Path) -> dict[str, Any]:
    try:
        outputs = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise TargetError(f"{path}: {error}") from None
    if not isinstance(outputs, dict):
        raise TargetError(f"{path}: expected the JSON object `pulumi stack output --json` prints")
    return outputs


def _throttle(value: Any) -> tuple[float, int] | None:
    if isinstance(value, dict) and "rate" in value and "burst" in value:
        return float(value["rate"]), int(value["burst"])
    return None


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int):
        return True  # nothing to check against
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _once_per_service(make: Callable[[str], Any]) -> Callable[[str], Any]:
    """``make`` called once per service: boto3 clients are thread-safe, and each costs its service's model."""
    made: dict[str, Any] = {}
    lock = threading.Lock()

    def client(service: str) -> Any:
        with lock:
            if service not in made:
                made[service] = make(service)
            return made[service]
    return client


def _boto3_client(service: str, region: str, **options: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(service, region_name=region, config=Config(
        retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30), **options)
