"""Measure each handler's cold import time (fresh interpreter, archive-like layout) and code size.

Run: .venv/bin/python tests/functions/measure_cold_import.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
SERVICES = ("shows", "tickets", "info", "migrate", "authorizer")
ENV = {
    **({"POWERTOOLS_TRACE_DISABLED": "true"} if "--no-tracer" in sys.argv else {}),
    "POWERTOOLS_SERVICE_NAME": "measure",
    "POWERTOOLS_METRICS_NAMESPACE": "measure",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}
PROBE = "import time; t=time.perf_counter(); import app; print(round((time.perf_counter()-t)*1000))"


def archive(service: str, into: Path) -> Path:
    root = into / service
    shutil.copytree(FUNCTIONS / service, root, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(FUNCTIONS / "shared", root / "shared", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'service':<11} {'files':>5} {'bytes':>7} {'import ms min':>14} {'median':>7}  (9 runs, .pyc warm)")
        for service in SERVICES:
            root = archive(service, Path(tmp))
            runs = []
            for _ in range(10):
                out = subprocess.run([sys.executable, "-c", PROBE], cwd=root, env={**os.environ, **ENV},
                                     capture_output=True, text=True, check=True)
                runs.append(int(out.stdout.strip()))
            runs = sorted(runs[1:])  # the first run compiles .pyc files
            files = sum(1 for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            print(f"{service:<11} {files:>5} {size(root):>7} {runs[0]:>14} {runs[len(runs) // 2]:>7}")


if __name__ == "__main__":
    main()
