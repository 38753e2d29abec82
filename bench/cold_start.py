"""Cold import time of each Lambda handler next to ``import boto3``, in fresh interpreters.

    python -m bench.cold_start [--runs 11] [--json]

Each function's archive is laid out as Lambda unpacks it (the files ``code_files`` bundles:
the service folder plus ``shared/``). Every probe is a fresh interpreter whose path is that
folder, then the distributions of the service's layers, then the runtime's SDK (this
interpreter's copies of the same pinned distributions, linked into folders, so nothing else
is importable; ``import boto3`` runs with the base layer's),
with the environment the Function component sets plus what Lambda sets, so tracing is on
as deployed. Probes run interleaved, round after round, so load on the machine hits the
baseline and the handlers alike; the first round only warms the .pyc caches and is dropped.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from bench.machine import describe, table
from multitier._declarations import contract
from multitier._logic.bundle import FUNCTIONS_DIR, RUNTIME_SDK, code_files, layer_distributions
from multitier._logic.function import RUNTIME
from multitier._logic.layer import BASE_GROUP, build_group

HANDLER = "app.handler"
ARCHITECTURE = "arm64"
BASELINE = "boto3"
GOAL_RATIO = 1.5
PROBE = ("import sys, time; sys.path[:0] = sys.argv[2:]; t = time.perf_counter(); "
         "__import__(sys.argv[1]); print((time.perf_counter() - t) * 1000)")


def services(functions_dir: Path = FUNCTIONS_DIR) -> list[str]:
    return sorted(contract.CONTRACTS)


def lambda_environment(service: str, task_root: Path) -> dict[str, str]:
    """What the Function component sets, plus what Lambda sets in an execution environment."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "en_US.UTF-8", "TZ": ":UTC",
        "POWERTOOLS_SERVICE_NAME": service, "POWERTOOLS_METRICS_NAMESPACE": "multitier", "LOG_LEVEL": "INFO",
        "LAMBDA_TASK_ROOT": str(task_root), "_HANDLER": HANDLER,
        "AWS_LAMBDA_FUNCTION_NAME": f"bench-{service}", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512", "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{RUNTIME}", "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "INFO", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000", "_AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1",
        "_AWS_XRAY_DAEMON_PORT": "2000", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    }


def unpack(service: str, into: Path) -> tuple[Path, int, int]:
    """Copy the service's archive files into ``into/service``; return the folder, files and bytes."""
    root = into / service
    files = code_files(service, HANDLER)
    for name, source in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(source.read_bytes())
    return root, len(files), sum(p.stat().st_size for p in files.values())


def link_distributions(pins: dict[str, str | None], into: Path) -> None:
    """Symlink each installed distribution's top-level files into ``into``; a pinned version must match."""
    into.mkdir(parents=True, exist_ok=True)
    for name, version in pins.items():
        dist = importlib.metadata.distribution(name)
        if version is not None and dist.version != version:
            raise RuntimeError(f"{name} {dist.version} is installed but the layer holds {version}: run make install")
        for top in {file.parts[0] for file in dist.files or ()} - {"..", "__pycache__"}:
            if not (into / top).exists():
                (into / top).symlink_to(dist.locate_file(top))


def lambda_path(groups: tuple[str, ...], into: Path) -> list[str]:
    """Folders standing for the layers' ``/opt/python`` and the runtime's SDK, in Lambda's order."""
    opt_python = into / ("opt-python-" + "-".join(groups))
    for group in groups:
        link_distributions(layer_distributions(build_group(group, ARCHITECTURE).zip_path), opt_python)
    link_distributions(dict.fromkeys(RUNTIME_SDK), into / "runtime")
    return [str(opt_python), str(into / "runtime")]


class Target(NamedTuple):
    """One import to time: the module, the path before it, the environment, and the archive's size."""

    module: str
    path: list[str]
    env: dict[str, str]
    files: int = 0
    bytes: int = 0

    def probe(self) -> float:
        out = subprocess.run([sys.executable, "-I", "-S", "-c", PROBE, self.module, *self.path], env=self.env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"importing {self.module} from {self.path[0]} failed:\n{out.stderr.strip()[-1500:]}")
        return float(out.stdout)


def measure(runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        targets = {BASELINE: Target(BASELINE, lambda_path((BASE_GROUP,), Path(tmp)),
                                    lambda_environment(BASELINE, Path(tmp)))}
        for service in services():
            root, files, size = unpack(service, Path(tmp) / "task")
            packages = lambda_path(contract.CONTRACTS[service].layers, Path(tmp))
            targets[service] = Target("app", [str(root), *packages], lambda_environment(service, root), files, size)
        times: dict[str, list[float]] = {name: [] for name in targets}
        for round_ in range(runs + 1):
            for name, target in targets.items():
                elapsed = target.probe()
                if round_:  # round 0 compiles the .pyc files
                    times[name].append(elapsed)
    base, base_min = statistics.median(times[BASELINE]), min(times[BASELINE])
    return {
        "machine": describe(), "runs": runs, "goal_ratio": GOAL_RATIO,
        "results": {name: {"median_ms": round(statistics.median(t), 1), "min_ms": round(min(t), 1),
                           "ratio": round(statistics.median(t) / base, 2), "min_ratio": round(min(t) / base_min, 2),
                           "files": targets[name].files, "bytes": targets[name].bytes}
                    for name, t in times.items()},
    }


def render(report: dict) -> str:
    base = report["results"][BASELINE]
    rows = [(f"`import {name}`" if name == BASELINE else f"{name} `import app`", f"{r['median_ms']:.0f} ms",
             "" if name == BASELINE else f"{r['ratio']:.2f}x", f"{r['min_ms']:.0f} ms",
             "" if name == BASELINE else f"{r['min_ratio']:.2f}x", r["files"] or "", r["bytes"] or "")
            for name, r in report["results"].items()]
    worst = max(r["ratio"] for name, r in report["results"].items() if name != BASELINE)
    return "\n".join([
        f"cold import, fresh interpreters, .pyc warm, median of {report['runs']} rounds; {report['machine']}",
        table(["import", "median", f"x {BASELINE}", "min", "x (min)", "files", "bytes"], rows),
        f"worst handler: {worst:.2f}x import {BASELINE} ({base['median_ms']:.0f} ms), medians "
        f"(goal <= {report['goal_ratio']}x)"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="measured rounds (one warm-up round is added)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    report = measure(args.runs)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
