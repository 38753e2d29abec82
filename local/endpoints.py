"""What a running local mode serves, as one JSON document for programs (test harnesses, load tests).

``python -m local up --json`` prints it on one line once everything is ready (its
ready signal), and it is ``<data folder>/endpoints.json`` while local mode runs
(written when ready, removed when it stops). Resources are grouped by the
``pattern`` tag the program gives them: each API's URL, paths and throttle in force on
every method (negative: none), the sites, the
user pools with their clients and sign-in endpoint. Then the seeded users with
their passwords and subs (per pool id), the throttle in force and the emulators.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from local.up import LocalMode

FILE = "endpoints.json"


def document(mode: LocalMode) -> dict[str, Any]:
    local = mode.local
    patterns: dict[str, dict[str, list]] = {}

    def of(name: str) -> dict[str, list]:
        return patterns.setdefault(local.patterns.get(name, ""), {"apis": [], "sites": [], "user_pools": []})

    for api in local.apis:
        of(api.name)["apis"].append({"name": api.name, "url": api.url, "paths": sorted(api.openapi.get("paths") or {}),
                                     "throttle": {"rate": api.throttle_rate, "burst": api.throttle_burst}})
    for site in local.sites:
        of(site.name)["sites"].append(site.url)
    for pool in local.pools:
        of(pool.name)["user_pools"].append({
            "id": pool.pool_id, "name": pool.name, "client_ids": pool.client_ids, "issuer": pool.issuer,
            "self_sign_up": pool.self_sign_up, "sign_in_endpoint": mode.sign_in.url + "/"})
    postgres = mode.postgres.info if mode.postgres else None
    return {
        "stack": mode.stack, "pid": os.getpid(), "ready_seconds": round(mode.ready_seconds or 0, 2),
        "data_dir": str(mode.state_dir), "patterns": patterns, "users": mode.users,
        "throttle": "as the stack sets it" if mode.throttle is None
        else "off" if mode.throttle[0] < 0 else {"rate": mode.throttle[0], "burst": mode.throttle[1]},
        "dashboards": {"url": mode.cloudwatch.url, "names": sorted(mode.cloudwatch.dashboards)}
        if mode.cloudwatch else None,
        "emulators": {"aws": mode.moto.url, "cognito": mode.cognito.url,
                      "postgres": f"{postgres.host}:{postgres.port}" if postgres else None,
                      "cache": mode.redis.kind if mode.redis else None},
    }


def write(state_dir: Path, doc: dict[str, Any]) -> Path:
    """``endpoints.json``, readable by its owner only (it holds the users' passwords)."""
    path = state_dir / FILE
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        json.dump(doc, out, indent=1)
    partial.replace(path)  # readers never see half a file
    return path
