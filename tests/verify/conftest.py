"""Local mode for the suite's tests: each stack started once per session, as a user starts it.

``python -m local up --stack S --json`` in a process of its own, in a temporary data folder;
its one line of JSON is the ready signal and ``endpoints.json`` is what the suite reads.
When the session will need prod, prod starts in the background while dev's tests run.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from verify.target import Target, local_target

ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 300


@dataclass
class LocalStack:
    stack: str
    data_root: Path               # what MULTITIER_LOCAL_DIR names
    process: subprocess.Popen
    endpoints: dict | None = None
    error: str = ""

    @property
    def endpoints_path(self) -> Path:
        return self.data_root / self.stack / "endpoints.json"

    @functools.cached_property
    def target(self) -> Target:
        return local_target(self.stack, self.endpoints_path)


class LocalStacks:
    """Starts each stack's local mode at most once, and stops them all."""

    def __init__(self) -> None:
        self.stacks: dict[str, LocalStack] = {}
        self.ready: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def start(self, stack: str) -> None:
        """Start ``stack`` without waiting for it."""
        with self._lock:
            if stack in self.stacks:
                return
            # Not pytest's tmp_path: PostgreSQL runs as another user when root, and pytest's folder is private.
            root = Path(tempfile.mkdtemp(prefix=f"mt-verify-{stack}-"))
            log = open(root / "local-mode.log", "wb")
            process = subprocess.Popen([sys.executable, "-m", "local", "up", "--stack", stack, "--json", "--fresh"],
                                       cwd=ROOT, env={**os.environ, "MULTITIER_LOCAL_DIR": str(root)},
                                       stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
            log.close()
            self.stacks[stack] = LocalStack(stack, root, process)
            self.ready[stack] = threading.Event()
            threading.Thread(target=self._wait_ready, args=(self.stacks[stack],), daemon=True).start()

    def _wait_ready(self, local: LocalStack) -> None:
        line = local.process.stdout.readline()
        try:
            local.endpoints = json.loads(line)
        except ValueError:
            local.process.wait(10)
            log = (local.data_root / "local-mode.log").read_text(errors="replace")
            local.error = f"local mode for {local.stack} exited {local.process.returncode}:\n{log[-3000:]}"
        self.ready[local.stack].set()

    def get(self, stack: str) -> LocalStack:
        self.start(stack)
        if not self.ready[stack].wait(READY_SECONDS):
            pytest.fail(f"local mode for {stack} was not ready within {READY_SECONDS} s")
        local = self.stacks[stack]
        if local.error:
            pytest.fail(local.error)
        return local

    def stop(self) -> None:
        for local in self.stacks.values():
            if local.process.poll() is None:
                local.process.send_signal(signal.SIGINT)  # local mode stops everything it started
        for local in self.stacks.values():
            if local.process.poll() is None:
                try:
                    local.process.wait(60)
                except subprocess.TimeoutExpired:
                    local.process.kill()
                    local.process.wait()
            local.process.stdout.close()
            shutil.rmtree(local.data_root, ignore_errors=True)


_needs_prod = False


def pytest_collection_modifyitems(items):
    global _needs_prod
    _needs_prod = any("prod_local" in getattr(item, "fixturenames", ()) for item in items)


@pytest.fixture(scope="session")
def local_stacks():
    stacks = LocalStacks()
    try:
        yield stacks
    finally:
        stacks.stop()


@pytest.fixture(scope="session")
def dev_local(local_stacks) -> LocalStack:
    local_stacks.start("dev")
    if _needs_prod:
        local_stacks.start("prod")  # overlaps with dev's tests; waited for when a test needs it
    return local_stacks.get("dev")


@pytest.fixture(scope="session")
def prod_local(local_stacks) -> LocalStack:
    return local_stacks.get("prod")
