"""Child processes and start-up steps of local mode: starting them so they die with it, waiting, stopping.

Every process local mode starts goes through ``Children``: it forks them all from one
thread that lives until local mode has stopped them, and (on Linux) each child asks the
kernel for SIGKILL when that thread's process dies (``PR_SET_PDEATHSIG``, which the kernel
ties to the forking thread: a child forked by a short-lived thread would die with the
thread). So a ``kill -9`` of local mode, or an out-of-memory kill, leaves nothing behind.
``Children`` also reports each child (pid and start time) so the data folder's record
names what to stop should one survive anyway (``local/instance.py``).
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable


class ServiceError(RuntimeError):
    """A local service could not start (port in use, missing dependency, bad setting)."""


@dataclass(frozen=True)
class Child:
    """What identifies a child process later: its pid and its start time (a reused pid has another)."""

    pid: int
    started: int          # clock ticks after boot (/proc/<pid>/stat field 22)
    command: str
    stop_signal: int = signal.SIGTERM


def start_time(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks after boot), or None if there is none."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with(parent: int) -> Callable[[], None]:
    def preexec() -> None:  # in the child, between fork and exec: only a system call
        if _libc is not None:
            _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGKILL)
    return preexec


class Children:
    """Starts local mode's child processes from one long-lived thread; ``close()`` stops those still running."""

    def __init__(self, on_change: Callable[[list[Child]], None] = lambda children: None):
        self.on_change = on_change
        self._lock = threading.Lock()
        self._closed = False
        self._running: dict[int, tuple[subprocess.Popen, Child]] = {}
        self._requests: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._fork, name="process-parent", daemon=True)
        self._thread.start()

    def popen(self, args: list[str], *, stop_signal: int = signal.SIGTERM, **kwargs: Any) -> subprocess.Popen:
        """``subprocess.Popen(args, **kwargs)`` in a new session, dying with local mode."""
        done: Future = Future()
        with self._lock:
            if self._closed:
                raise ServiceError(f"local mode is stopping: {os.path.basename(str(args[0]))} was not started")
            self._requests.put((args, stop_signal, kwargs, done))
        return done.result()

    def run(self, args: list[str], timeout: float, **kwargs: Any) -> subprocess.CompletedProcess:
        """``subprocess.run(args, capture_output=True, text=True)`` through ``popen``."""
        process = self.popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
        try:
            out, err = process.communicate(timeout=timeout)
        except BaseException:
            process.kill()
            process.wait()
            raise
        return subprocess.CompletedProcess(args, process.returncode, out, err)

    def _fork(self) -> None:
        parent = os.getpid()
        while (request := self._requests.get()) is not None:
            args, stop_signal, kwargs, done = request
            try:
                process = subprocess.Popen(args, preexec_fn=_die_with(parent), start_new_session=True, **kwargs)
            except BaseException as error:  # noqa: BLE001 (handed to the caller)
                done.set_exception(error)
                continue
            child = Child(process.pid, start_time(process.pid) or 0, " ".join(map(str, args))[:200], stop_signal)
            with self._lock:
                self._running = {pid: entry for pid, entry in self._running.items() if entry[0].poll() is None}
                self._running[process.pid] = (process, child)
                children = [entry[1] for entry in self._running.values()]
            self.on_change(children)
            done.set_result(process)

    def close(self, timeout: float = 5) -> None:
        """Stop every child still running (its stop signal to its process group, then SIGKILL) and end the
        forking thread; nothing starts after this."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            running = [entry for entry in self._running.values() if entry[0].poll() is None]
        stop_all([child for _, child in running], timeout, [process for process, _ in running])
        self._requests.put(None)
        self._thread.join()


def stop_all(children: list[Child], timeout: float = 5, processes: list[subprocess.Popen] = ()) -> list[Child]:
    """Stop these processes (and their process groups), SIGKILL after ``timeout``; returns those that were
    running. A pid whose start time differs is another process now, and is left alone."""
    alive = [child for child in children if _running(child)]
    for child in alive:
        _signal_group(child.pid, child.stop_signal)
    deadline = time.monotonic() + timeout
    pending = list(alive)
    while pending and time.monotonic() < deadline:
        for process in processes:
            process.poll()  # reap our own children, or they stay as zombies
        pending = [child for child in pending if _running(child)]
        if pending:
            time.sleep(0.05)
    for child in pending:
        _signal_group(child.pid, signal.SIGKILL)
    for process in processes:
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            pass
    return alive


def _running(child: Child) -> bool:
    started = start_time(child.pid)
    if started is None or (child.started and started != child.started):
        return False
    try:
        with open(f"/proc/{child.pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _signal_group(pid: int, sig: int) -> None:
    for kill in (os.killpg, os.kill):  # the group it leads (its session), else the process alone
        try:
            kill(pid, sig)
            return
        except (ProcessLookupError, PermissionError):
            continue


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceError(f"{what} exited with code {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise ServiceError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def stop_process(process: subprocess.Popen | None, timeout: float = 5, sig: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def run_parallel(tasks: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run start-up steps in threads; the first failure is raised after all have ended."""
    results: dict[str, Any] = {}
    errors: list[BaseException] = []

    def run(name: str, task: Callable[[], Any]) -> None:
        try:
            results[name] = task()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run, args=item, daemon=True) for item in tasks.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
