"""Child processes and start-up steps of local mode: waiting for a port, stopping, running in parallel."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from typing import Any, Callable


class ServiceError(RuntimeError):
    """A local service could not start (port in use, missing dependency, bad setting)."""


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


def stop_process(process: subprocess.Popen | None, timeout: float = 5) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
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
