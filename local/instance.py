"""One local mode per data folder: a lock held while it runs, and a record of the processes it started.

``.local/<stack>/local-mode.lock`` is locked (``flock``) for the whole run: the kernel
drops the lock when the process ends, however it ends, so a held lock means a live
local mode, and a second ``up`` on the same folder is refused before it touches
anything, naming the running one's pid and endpoints. ``local-mode.json`` records the
running one's pid and each child process it started (pid and start time, as PostgreSQL's
``postmaster.pid`` does); a start that finds the lock free but a record of a run that
did not stop cleanly stops what of it is still running (its children die with it on
Linux, see ``emulators/processes.py``: this covers any that did not), then starts.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from local.emulators.processes import Child, ServiceError, stop_all

LOCK = "local-mode.lock"
RECORD = "local-mode.json"


class AlreadyRunning(ServiceError):
    """Another local mode runs on this data folder."""


class Instance:
    """The lock and record of ``state_dir``; ``acquire()`` first, ``release()`` last."""

    def __init__(self, state_dir: Path, stack: str):
        self.state_dir = state_dir
        self.stack = stack
        self._fd: int | None = None
        self._since = ""

    def acquire(self) -> list[Child]:
        """Lock the folder, or raise ``AlreadyRunning``; returns what a dead earlier run left running (stopped)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state_dir / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(self._running_one()) from None
        self._fd = fd
        self._since = time.strftime("%Y-%m-%d %H:%M:%S")
        left = self._read_record()
        stopped = stop_all([Child(**child) for child in left.get("children", [])], timeout=3) if left else []
        self.record([])
        return stopped

    def record(self, children: list[Child]) -> None:
        """Write who runs here now and the children it started (replacing the last record)."""
        document = {"pid": os.getpid(), "stack": self.stack, "since": self._since,
                    "children": [asdict(child) for child in children]}
        partial = self.state_dir / (RECORD + ".partial")
        partial.write_text(json.dumps(document, indent=1))
        partial.replace(self.state_dir / RECORD)

    def release(self) -> None:
        """The run ended cleanly: nothing of it is left to stop."""
        if self._fd is None:
            return
        (self.state_dir / RECORD).unlink(missing_ok=True)
        os.close(self._fd)  # the lock goes with the descriptor
        self._fd = None

    def _read_record(self) -> dict[str, Any] | None:
        try:
            document = json.loads((self.state_dir / RECORD).read_text())
        except (OSError, ValueError):
            return None
        return document if isinstance(document, dict) else None

    def _running_one(self) -> str:
        record = self._read_record() or {}
        pid = record.get("pid", "?")
        lines = [f"local mode already runs stack {self.stack!r} on {self.state_dir} (pid {pid}, since "
                 f"{record.get('since', '?')}); stop it first (Ctrl-C in its terminal, or kill {pid})"]
        try:
            endpoints = json.loads((self.state_dir / "endpoints.json").read_text())
        except (OSError, ValueError):
            lines.append("  it is still starting (no endpoints.json yet)")
        else:
            lines.append(f"  its endpoints: {self.state_dir / 'endpoints.json'}")
            for name, pattern in sorted(endpoints.get("patterns", {}).items()):
                urls = [api["url"] for api in pattern.get("apis", [])] + list(pattern.get("sites", []))
                lines.append(f"  {name or '(no pattern)'}: {', '.join(urls)}")
        return "\n".join(lines)
