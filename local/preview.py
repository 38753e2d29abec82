"""Offline preview: what a stack holds, from the real program, with no CLI and no AWS.

It also writes each REST API's OpenAPI documents under ``.build/openapi/<stack>/``:
``<api>.json``, the published one clients read, and ``<api>.apigateway.json``, the one
API Gateway imports.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from local import engine

DOCUMENTS_DIR = engine.PROJECT_ROOT / ".build" / "openapi"


def write_documents(recording: engine.Recording, folder: Path) -> list[str]:
    """Each REST API component's documents as files in ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for api in sorted(recording.of_type("multitier:logic:RestApi"), key=lambda api: api.name):
        for suffix, key in ((".json", "published_openapi"), (".apigateway.json", "openapi")):
            if isinstance(api.outputs.get(key), str):
                path = folder / f"{api.name}{suffix}"
                path.write_text(api.outputs[key] + "\n")
                written.append(str(path))
    return written


def preview(stack: str) -> dict[str, Any]:
    """Run the program for ``stack`` under the mock engine, describe the result and write its API documents."""
    started = time.perf_counter()
    recording = engine.run_stack(stack)
    elapsed = time.perf_counter() - started
    return {
        "stack": stack,
        "resources": [{"type": r.type, "name": r.name, "parent": r.parent_name, "depth": depth}
                      for depth, r in engine.tree(recording)],
        "totals": recording.counts(),
        "total": len(recording.registrations),
        "outputs": dict(sorted(recording.outputs.items())),
        "seconds": round(elapsed, 2),
        "openapi_documents": write_documents(recording, DOCUMENTS_DIR / stack),
    }


def render(result: dict[str, Any]) -> str:
    lines = [f"Offline preview of stack {result['stack']!r} ({result['total']} resources, "
             f"{result['seconds']} s; no AWS credentials, no Pulumi CLI)", ""]
    for resource in result["resources"]:
        lines.append(f"{'  ' * resource['depth']}{resource['type']}  {resource['name']}")
    lines += ["", "Totals by type:"]
    width = max((len(t) for t in result["totals"]), default=0)
    lines += [f"  {t.ljust(width)}  {n}" for t, n in result["totals"].items()]
    lines += ["", "Stack outputs:"]
    lines += [f"  {k}: {json.dumps(v) if not isinstance(v, str) else v}" for k, v in sorted(result["outputs"].items())]
    lines += ["", "OpenAPI documents (published, and as API Gateway imports them):"]
    lines += [f"  {path}" for path in result["openapi_documents"]]
    return "\n".join(lines)
