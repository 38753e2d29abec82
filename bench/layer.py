"""Size of the dependency layer: as pip installs the requirements, and as the layer is built.

    python -m bench.layer [--architecture arm64] [--json]

"Before" is pip's install for Lambda's platform, zipped the same way; "after" is the
layer ``build_layer`` makes of it (the AWS SDK left to the runtime, what Lambda never
loads stripped). Both count zipped bytes, unzipped bytes and files, and the largest
top-level entries of the layer show what bounds its size.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import zipfile
from pathlib import Path

from components.logic.bundle import FUNCTIONS_DIR, PIP_PLATFORMS, build_layer, install_for_lambda, zip_layer
from components.logic.function import RUNTIME

MB = 1_000_000
LARGEST = 6


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


def measure(architecture: str, requirements: Path = FUNCTIONS_DIR / "requirements.txt") -> dict:
    python_version = RUNTIME.removeprefix("python")
    layer = build_layer(requirements, architecture, python_version)
    with tempfile.TemporaryDirectory(prefix="layer-bench-") as tmp:
        installed = Path(tmp) / "python"
        install_for_lambda(requirements, architecture, python_version, installed)
        zip_layer(installed, Path(tmp) / "pip.zip")
        before = zip_stats(Path(tmp) / "pip.zip")
    return {"requirements": str(requirements.relative_to(FUNCTIONS_DIR.parent)), "architecture": architecture,
            "runtime": RUNTIME, "sha256": layer.sha256, "before": before, "after": zip_stats(layer.zip_path)}


def table(report: dict) -> str:
    rows = [("as pip installs it", report["before"]), ("the layer", report["after"])]
    lines = [f"layer from {report['requirements']} for {report['architecture']}/{report['runtime']}",
             f"{'':<20} {'zipped MB':>9} {'unzipped MB':>11} {'files':>6}"]
    lines += [f"{name:<20} {r['zipped_mb']:>9.1f} {r['unzipped_mb']:>11.1f} {r['files']:>6}" for name, r in rows]
    largest = ", ".join(f"{name} {size}" for name, size in report["after"]["largest_mb"].items())
    lines.append(f"largest in the layer (unzipped MB): {largest}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.layer", description=__doc__.splitlines()[0])
    parser.add_argument("--architecture", default="arm64", choices=sorted(PIP_PLATFORMS))
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    report = measure(args.architecture)
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
