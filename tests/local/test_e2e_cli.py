"""``python -m local up`` as a person runs it: ready table, Ctrl-C, persistence, clear errors."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.local.conftest import http

ROOT = Path(__file__).resolve().parents[2]


def _up(state: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "MULTITIER_LOCAL_DIR": str(state), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "local", "up", "--stack", "dev", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _base_port() -> int:
    """A run of 40 free ports below the ephemeral range (checked once; the command re-checks each)."""
    import random

    for _ in range(50):
        base = random.randrange(20000, 31900)
        try:
            for port in range(base, base + 40):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    pytest.fail("no run of 40 free ports")


def _wait_ready(process: subprocess.Popen, timeout: float = 120) -> str:
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                pytest.fail(f"local up exited {process.returncode}: {process.stderr.read()[-2000:]}")
            continue
        lines.append(line)
        if line.strip().startswith("functions"):  # the table's last fixed row
            return "".join(lines)
    pytest.fail("local up did not print its table in time:\n" + "".join(lines))


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def state():
    path = Path(tempfile.mkdtemp(prefix="mt-local-cli-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_up_prints_what_runs_stops_everything_on_ctrl_c_and_keeps_data(state):
    base = _base_port()
    process = _up(state, "--fresh", "--port-base", str(base))
    try:
        table = _wait_ready(process)
        assert re.search(r"ready in \d+\.\d s", table)
        urls = re.findall(r"http://127\.0\.0\.1:(\d+)", table)
        assert urls and all(base <= int(p) < base + 40 for p in urls)
        assert "demo@example.com" in table and "admin@example.com [admins]" in table
        site = re.search(r"site\s+\S+\s+(http://\S+)", table).group(1)
        assert http("GET", site).status == 200
        ports = sorted({int(p) for p in urls})

        # WHEN Ctrl-C THEN it exits 0 and nothing it started keeps listening
        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 0, process.stderr.read()[-2000:]
        assert [p for p in ports if _listening(p)] == []
        exported = list((state / "dev" / "data" / "dynamodb").glob("*.json"))
        assert exported and any(f.read_text() != "[]" for f in exported)  # the seeded shows
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    # AND the next run (no --fresh) restores the data
    again = _up(state, "--port-base", str(base))
    try:
        _wait_ready(again)
        again.send_signal(signal.SIGTERM)
        assert again.wait(60) == 0
        assert re.search(r"restored [1-9]\d* items", again.stderr.read())
    finally:
        if again.poll() is None:
            os.killpg(again.pid, signal.SIGKILL)


def test_a_port_in_use_is_one_clear_line_and_exit_code_2(state):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _up(state, "--port-base", str(port))
        out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    lines = [line for line in err.strip().splitlines() if not line.startswith(" ") and "Warning" not in line]
    assert lines[-1].startswith("error: port") and "in use" in lines[-1], err


def test_an_unknown_stack_is_exit_code_2(state):
    result = subprocess.run([sys.executable, "-m", "local", "up", "--stack", "nope"], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "MULTITIER_LOCAL_DIR": str(state)})
    assert result.returncode == 2
    assert "no stack named 'nope'" in result.stderr
