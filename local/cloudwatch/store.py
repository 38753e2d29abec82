"""The local metric store: CloudWatch's data model (namespace, name, dimensions, samples) on disk.

Every sample is kept (local traffic is small) and appended to ``points.jsonl`` in the store's
folder, so a restart keeps the history; samples older than ``RETENTION_SECONDS`` are
dropped when the store opens. Statistics are CloudWatch's: ``Sum``, ``Average``,
``Minimum``, ``Maximum``, ``SampleCount`` and percentiles ``pNN`` (nearest rank).
"""

from __future__ import annotations

import json
import math
import threading
import time
from bisect import bisect_left
from pathlib import Path
from typing import Iterable, Mapping

RETENTION_SECONDS = 24 * 3600
FILE = "points.jsonl"

Key = tuple[str, str, tuple[tuple[str, str], ...]]


def key(namespace: str, name: str, dimensions: Mapping[str, str]) -> Key:
    """A metric's identity: CloudWatch matches dimensions as a set of name/value pairs."""
    return namespace, name, tuple(sorted((str(k), str(v)) for k, v in dimensions.items()))


def statistic(values: list[float], stat: str) -> float | None:
    """``stat`` of ``values`` (None when there are none)."""
    if not values:
        return None
    if stat == "Sum":
        return float(sum(values))
    if stat == "Average":
        return sum(values) / len(values)
    if stat == "Minimum":
        return float(min(values))
    if stat == "Maximum":
        return float(max(values))
    if stat == "SampleCount":
        return float(len(values))
    if stat.startswith("p"):
        ordered = sorted(values)
        rank = math.ceil(float(stat[1:]) / 100 * len(ordered))
        return float(ordered[max(rank, 1) - 1])
    raise ValueError(f"statistic {stat!r} is not one CloudWatch computes")


class MetricStore:
    """Thread-safe samples per metric, persisted under ``folder``; ``clock`` gives the time of new samples."""

    def __init__(self, folder: Path | None, clock=time.time):
        self.folder, self.clock = folder, clock
        self._series: dict[Key, tuple[list[float], list[float]]] = {}  # key → (times, values), by time
        self._lock = threading.Lock()
        self._file = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            self._load(folder / FILE)
            self._file = (folder / FILE).open("a", encoding="utf-8")

    def _load(self, path: Path) -> None:
        if not path.exists():
            return
        oldest = self.clock() - RETENTION_SECONDS
        kept = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                t, namespace, name, dimensions, value = json.loads(line)
            except (ValueError, TypeError):
                continue  # a line cut short by a crash
            if t >= oldest:
                self._add(key(namespace, name, dict(dimensions)), t, value)
                kept.append(line)
        path.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")

    def _add(self, k: Key, t: float, value: float) -> None:
        times, values = self._series.setdefault(k, ([], []))
        at = len(times) if not times or times[-1] <= t else bisect_left(times, t)
        times.insert(at, t)
        values.insert(at, value)

    def put(self, namespace: str, name: str, dimensions: Mapping[str, str], value: float,
            at: float | None = None) -> None:
        t = self.clock() if at is None else at
        k = key(namespace, name, dimensions)
        with self._lock:
            self._add(k, t, float(value))
            if self._file is not None:
                self._file.write(json.dumps([round(t, 3), namespace, name, list(k[2]), value]) + "\n")
                self._file.flush()

    def values(self, namespace: str, name: str, dimensions: Mapping[str, str], start: float, end: float) -> list[float]:
        """The samples in ``[start, end)``."""
        with self._lock:
            times, values = self._series.get(key(namespace, name, dimensions), ([], []))
            return values[bisect_left(times, start):bisect_left(times, end)]

    def series(self, namespace: str, name: str, dimensions: Mapping[str, str], stat: str, period: float,
               start: float, end: float) -> list[tuple[float, float | None]]:
        """``stat`` per ``period`` seconds from ``start`` (aligned to the period) to ``end``: (time, value)."""
        first = math.floor(start / period) * period
        count = max(0, math.ceil((end - first) / period))
        return [(first + i * period,
                 statistic(self.values(namespace, name, dimensions, first + i * period, first + (i + 1) * period),
                           stat)) for i in range(count)]

    def namespaces(self) -> set[str]:
        with self._lock:
            return {k[0] for k in self._series}

    def metrics(self) -> Iterable[Key]:
        with self._lock:
            return list(self._series)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
