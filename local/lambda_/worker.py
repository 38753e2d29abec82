"""One execution environment: a worker process, its Runtime API server and its memory limit."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from typing import Any, Callable

from local._http import serve, shut_down
from local.lambda_.invocation import Invocation
from local.lambda_.runtime_api import RuntimeApiServer
from local.model import LocalFunction

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

LogSink = Callable[[str, str], None]


def _rss_bytes(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


class Worker:
    """One execution environment: a process and its Runtime API server."""

    def __init__(self, fn: LocalFunction, index: int, command: list[str], environment: Callable[[int], dict],
                 log: LogSink, popen: Callable[..., subprocess.Popen]):
        """Start the process with ``popen`` (in a session of its own); ``environment(port)`` is its environment
        given its Runtime API port."""
        self.fn = fn
        self.log = log
        self.index = index
        self.lock = threading.Lock()
        self.pending: list[Invocation] = []
        self.current: Invocation | None = None
        self.has_work = threading.Condition(self.lock)
        self.stopping = False
        self.dead = False
        self.exit_reason: str | None = None  # "timeout", "memory", "init", "stopped"
        self.oom_detail = ""
        self.initialized = False
        self.spawned_at = time.monotonic()
        self.init_ms: float | None = None
        self.server = RuntimeApiServer(self)
        serve(self.server, f"runtime-api-{fn.name}-{index}")
        self.proc = popen(
            command, cwd=str(fn.code_dir), env=environment(self.server.server_address[1]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, close_fds=True)
        threading.Thread(target=self._pump_logs, name=f"lambda-logs-{fn.name}-{index}", daemon=True).start()

    # -- called by the Runtime API server -------------------------------------------------
    def next_invocation(self) -> Invocation | None:
        with self.lock:
            if not self.initialized:
                self.initialized = True
                self.init_ms = (time.monotonic() - self.spawned_at) * 1000
                self.log(self.fn.name, f"[cold start] {self.fn.name} init {self.init_ms:.0f} ms")
            while not self.pending and not self.stopping:
                self.has_work.wait()
            if self.stopping:
                return None
            inv = self.pending.pop(0)
            self.current = inv
        inv.start()
        self.log(self.fn.name, f"START RequestId: {inv.request_id} Version: {self.fn.version}")
        return inv

    def complete(self, request_id: str, payload: Any = None, error: dict | None = None) -> bool:
        with self.lock:
            inv = self.current
            if inv is None or inv.request_id != request_id:
                return False
            self.current = None
        rss = _rss_bytes(self.proc.pid)  # a short invocation may finish between two watchdog samples
        if rss:
            inv.max_rss = max(inv.max_rss, rss)
        return inv.finish(payload=payload, error=error)

    def init_failed(self, error: dict) -> None:
        with self.lock:
            self.exit_reason = "init"
            self.dead = True
            waiting = list(self.pending) + ([self.current] if self.current else [])
            self.pending.clear()
            self.current = None
        for inv in waiting:
            inv.finish(error=error)

    # -- called by the runtime ------------------------------------------------------------
    def submit(self, inv: Invocation) -> None:
        with self.lock:
            self.pending.append(inv)
            self.has_work.notify_all()

    def alive(self) -> bool:
        return not self.dead and self.proc.poll() is None

    def kill(self, reason: str) -> None:
        with self.lock:
            if self.exit_reason is None:
                self.exit_reason = reason
            self.dead = True
            self.stopping = True
            self.has_work.notify_all()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
            pass
        shut_down(self.server)

    def _pump_logs(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            # awslambdaric separates the lines of one multi-line record with \r.
            for part in line.split("\r"):
                self.log(self.fn.name, part)
        code = self.proc.wait()
        with self.lock:
            self.dead = True
            reason = self.exit_reason
            waiting = list(self.pending) + ([self.current] if self.current else [])
            self.pending.clear()
            self.current = None
        if reason in ("timeout", "stopped"):
            return
        for inv in waiting:
            if reason == "memory":
                error = {"errorType": "Runtime.OutOfMemory",
                         "errorMessage": f"RequestId: {inv.request_id} Error: Runtime exited: memory limit exceeded"
                                         f" ({self.oom_detail})"}
            else:
                status = f"signal: {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
                error = {"errorType": "Runtime.ExitError",
                         "errorMessage": f"RequestId: {inv.request_id} Error: Runtime exited with error: {status}"}
            inv.finish(error=error)
        if reason not in ("init",):
            self.log(self.fn.name, f"[worker exited] {self.fn.name} #{self.index}: "
                                            f"{reason or f'exit code {code}'}")

    def sample_memory(self) -> None:
        inv = self.current
        if self.dead:
            return
        rss = _rss_bytes(self.proc.pid)
        if rss is None:
            return
        if inv is not None:
            inv.max_rss = max(inv.max_rss, rss)
        limit = self.fn.memory_mb * 1024 * 1024
        if rss > limit:
            self.oom_detail = f"{rss / 1048576:.0f} MB > {self.fn.memory_mb} MB"
            self.log(self.fn.name, f"[memory limit] {self.fn.name} #{self.index} uses {self.oom_detail}: killed")
            with self.lock:
                if self.exit_reason is None:
                    self.exit_reason = "memory"
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
