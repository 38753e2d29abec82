"""What every benchmark prints with its numbers: the machine they were measured on, and a table."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Sequence


def describe() -> str:
    """CPU model, CPUs, system, Python version and the load average at the time of measuring."""
    model = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")),
                 platform.machine())
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (f"{model}, {os.cpu_count()} CPUs (nproc), {platform.system()}, Python {platform.python_version()}; "
            f"load average {load}")


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, the form README's Performance section shows."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
