"""Size of the dependency layers, per layer and per function (the sum of the layers it attaches).

    .venv/bin/python -m bench.layer [--architecture arm64] [--json]

Each group of ``functions/layers/`` is built as the stacks build it (the AWS SDK left to
the runtime, what the base layer carries left out of the others, what Lambda never loads
stripped); each service attaches the groups ``functions/shared/contract.py`` declares.
Zipped bytes, unzipped bytes and files, and the largest top-level entries of each layer
show what bounds its size.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import zipfile
from pathlib import Path

from bench.machine import describe, table
from multitier._declarations import contract
from multitier._logic.bundle import CONSTRAINTS, LAYERS_DIR, PIP_PLATFORMS
from multitier._logic.function import RUNTIME
from multitier._logic.layer import build_group

MB = 1_000_000
LARGEST = 4
GOAL_MB = 30


def zip_stats(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
    sizes: collections.Counter[str] = collections.Counter()
    for info in entries:
        sizes[info.filename.split("/")[1]] += info.file_size
    return {"zipped_mb": round(zip_path.stat().st_size / MB, 1),
            "unzipped_mb": round(sum(info.file_size for info in entries) / MB, 1),
            "files": len(entries),
            "largest_mb": {name: round(size / MB, 1) for name, size in sizes.most_common(LARGEST)}}


def measure(architecture: str) -> dict:
    groups = sorted(p.stem for p in LAYERS_DIR.glob("*.txt") if p != CONSTRAINTS)
    layers = {group: zip_stats(build_group(group, architecture).zip_path) for group in groups}
    functions = {name: {"layers": list(service.layers),
                        **{key: round(sum(layers[g][key] for g in service.layers), 1)
                           for key in ("zipped_mb", "unzipped_mb", "files")}}
                 for name, service in contract.CONTRACTS.items()}
    return {"machine": describe(), "architecture": architecture, "runtime": RUNTIME, "goal_mb": GOAL_MB,
            "layers": layers, "functions": functions}


def render(report: dict) -> str:
    layer_rows = [(group, f"{r['zipped_mb']:.1f} MB", f"{r['unzipped_mb']:.1f} MB", r["files"],
                   ", ".join(f"{name} {size}" for name, size in r["largest_mb"].items()))
                  for group, r in report["layers"].items()]
    function_rows = [(service, " + ".join(r["layers"]), f"{r['zipped_mb']:.1f} MB", f"{r['unzipped_mb']:.1f} MB",
                      r["files"]) for service, r in report["functions"].items()]
    worst = max(r["unzipped_mb"] for r in report["functions"].values())
    return "\n".join([
        f"dependency layers for {report['architecture']}/{report['runtime']}; {report['machine']}",
        table(["layer", "zipped", "unzipped", "files", "largest (unzipped MB)"], layer_rows), "",
        table(["function", "layers", "zipped", "unzipped", "files"], function_rows),
        f"largest function: {worst:.1f} MB unzipped (goal <= {report['goal_mb']} MB)"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.layer", description=__doc__.splitlines()[0])
    parser.add_argument("--architecture", default="arm64", choices=sorted(PIP_PLATFORMS))
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    report = measure(args.architecture)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
