"""Offline preview: what a stack holds, from the real program, with no CLI and no AWS."""

from __future__ import annotations

import json
import time
from typing import Any

from local import engine


def preview(stack: str) -> dict[str, Any]:
    """Run the program for ``stack`` under the mock engine and describe the result."""
    started = time.perf_counter()
    recording = engine.run_stack(stack)
    elapsed = time.perf_counter() - started
    return {
        "stack": stack,
        "resources": [{"type": r.type, "name": r.name, "parent": r.parent_name, "depth": depth}
                      for depth, r in engine.tree(recording)],
        "totals": recording.counts(),
        "total": len(recording.registrations),
        "outputs": recording.outputs,
        "seconds": round(elapsed, 2),
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
    return "\n".join(lines)
