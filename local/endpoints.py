"""What a running local mode serves: one JSON document for programs, one table for people.

``python -m local up --json`` prints the document on one line once everything is ready
(its ready signal), and it is ``<data folder>/endpoints.json`` while local mode runs
(written when ready, removed when it stops). Resources are grouped by the ``pattern``
tag the program gives them: each API's URL, paths and throttle in force on every method
(negative: none), the sites, the user pools with their clients and sign-in endpoint.
Then the seeded users with their passwords and subs (per pool id), the throttle in force
and the emulators. Both read only ``Running``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from local.apigateway.gateway import DOCUMENT_PATH
from local.running import Running

FILE = "endpoints.json"


def document(running: Running) -> dict[str, Any]:
    patterns: dict[str, dict[str, list]] = {}

    def of(name: str) -> dict[str, list]:
        return patterns.setdefault(running.pattern_of(name), {"apis": [], "sites": [], "user_pools": []})

    for api in running.apis:
        of(api.name)["apis"].append({"name": api.name, "url": api.url, "paths": sorted(api.openapi.get("paths") or {}),
                                     "throttle": {"rate": api.throttle_rate, "burst": api.throttle_burst}})
    for site in (*running.sites, *running.amplify_apps):  # CloudFront distributions and Amplify apps
        of(site.name)["sites"].append(site.url)
    for pool in running.pools:
        of(pool.name)["user_pools"].append({
            "id": pool.pool_id, "name": pool.name, "client_ids": pool.client_ids, "issuer": pool.issuer,
            "self_sign_up": pool.self_sign_up, "sign_in_endpoint": running.emulators.sign_in + "/"})
    postgres, throttle = running.emulators.postgres, running.throttle
    return {
        "stack": running.stack, "pid": running.pid, "ready_seconds": running.ready_seconds,
        "data_dir": str(running.data_dir), "patterns": patterns,
        "users": [{**dataclasses.asdict(user), "groups": list(user.groups)} for user in running.users],
        "throttle": "as the stack sets it" if throttle is None
        else "off" if throttle[0] < 0 else {"rate": throttle[0], "burst": throttle[1]},
        "dashboards": {"url": running.cloudwatch.url, "names": sorted(running.cloudwatch.dashboards)}
        if running.cloudwatch else None,
        "release": running.releases.control.url if running.releases else None,
        "emulators": {"aws": running.emulators.aws.url, "cognito": running.emulators.cognito.url,
                      "postgres": f"{postgres.host}:{postgres.port}" if postgres else None,
                      "cache": running.emulators.cache or None},
    }


def table(running: Running) -> str:
    """The ready table: what runs, with its URLs, users and emulators."""
    rows: list[tuple[str, str, str]] = []
    for site in (*running.sites, *running.amplify_apps):
        pattern = running.pattern_of(site.name)
        rows.append(("site", site.name + (f" ({pattern})" if pattern else ""), site.url))
    for api in running.apis:
        pattern = running.pattern_of(api.name)
        rows.append(("api", api.name + (f" ({pattern})" if pattern else ""), api.url))
        if api.published_openapi:
            rows.append(("openapi", api.name, f"{api.url}{DOCUMENT_PATH}"))
    for user in running.users:
        rows.append(("user", user.email + (f" [{', '.join(user.groups)}]" if user.groups else ""), user.password))
    for pool in running.pools:
        rows.append(("user pool", pool.pool_id, f"clients {', '.join(pool.client_ids)}"))
    for provider, kind in running.federated:
        rows.append(("federation", f"{provider} ({kind})", "registered; sign-in through it not emulated"))
    if running.cloudwatch and running.cloudwatch.url:
        rows.append(("dashboards", f"{len(running.cloudwatch.dashboards)} CloudWatch dashboards, "
                                   f"{len(running.cloudwatch.evaluator.alarms)} alarms", running.cloudwatch.url))
    if running.releases:
        rows.append(("release", f"python -m local release --stack {running.stack} --service NAME",
                     running.releases.control.url))
    emulators = running.emulators
    rows.append(("emulator", "moto (IAM enforced)", emulators.aws.url))
    rows.append(("emulator", "moto (Cognito)", emulators.cognito.url))
    rows.append(("sign-in", "Cognito SRP endpoint", emulators.sign_in))
    if emulators.postgres:
        rows.append(("database", "PostgreSQL", emulators.postgres.description))
    if emulators.cache:
        rows.append(("cache", "Redis protocol", emulators.cache))
    if running.throttle is not None:
        rate, burst = running.throttle
        rows.append(("throttle", "every method and API key", "off" if rate < 0 else f"{rate:g}/s, burst {burst}"))
    rows.append(("functions", f"{len(running.functions)} workers", f"code in {running.data_dir / 'functions'}"))
    for invocation in running.invocations:
        rows.append(("invocation", invocation["function"], json.dumps(invocation["result"])[:80]))
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    lines = [f"multitier local mode: stack {running.stack!r} ready in {running.ready_seconds:.1f} s "
             f"(data in {running.data_dir}; Ctrl-C stops everything)", ""]
    lines += [f"  {kind.ljust(width[0])}  {name.ljust(width[1])}  {value}" for kind, name, value in rows]
    return "\n".join(lines)


def write(state_dir: Path, doc: dict[str, Any]) -> Path:
    """``endpoints.json``, readable by its owner only (it holds the users' passwords)."""
    path = state_dir / FILE
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        json.dump(doc, out, indent=1)
    partial.replace(path)  # readers never see half a file
    return path
