"""``python -m local up`` as a person and a program run it: table or JSON, Ctrl-C, persistence, clear errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from local import engine
from tests.local.cognito_client import srp_sign_in
from tests.local.conftest import http

PATTERNS = engine.stack_config("dev").get("multitier:patterns") or []

ROOT = Path(__file__).resolve().parents[2]


def _up(state: Path, *args: str) -> subprocess.Popen:
    """``python -m local up --stack dev``; its stderr is drained into ``process.errors`` (logs must not block it)."""
    env = {**os.environ, "MULTITIER_LOCAL_DIR": str(state), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "local", "up", "--stack", "dev", *args], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    process.errors = []
    process.drain = threading.Thread(target=lambda: process.errors.extend(process.stderr), daemon=True)
    process.drain.start()
    return process


def _stderr(process: subprocess.Popen) -> str:
    if process.poll() is not None:
        process.drain.join(10)
    return "".join(process.errors)


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
                pytest.fail(f"local up exited {process.returncode}: {_stderr(process)[-2000:]}")
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


def _signed_in(doc: dict, pattern: str, email: str = "demo@example.com") -> tuple[str, str]:
    """(API URL serving /tickets, ID token) for a seeded user, from the endpoints document alone."""
    entry = doc["patterns"][pattern]
    pool = entry["user_pools"][0]
    user = next(u for u in doc["users"] if u["email"] == email)
    answer = srp_sign_in(pool["sign_in_endpoint"], pool["id"], pool["client_ids"][0], email, user["password"])
    assert answer.status == 200, answer.body
    api = next(a["url"] for a in entry["apis"] if "/tickets" in a["paths"])
    return api, answer.json()["AuthenticationResult"]["IdToken"]


def test_up_for_programs_and_people_stops_on_ctrl_c_and_keeps_data_and_owners(state):
    base = _base_port()
    # GIVEN local mode started for a program: one line of JSON on stdout once ready
    process = _up(state, "--fresh", "--port-base", str(base), "--json")
    try:
        doc = json.loads(process.stdout.readline())
        assert doc["stack"] == "dev" and doc["pid"] == process.pid and doc["throttle"] == "as the stack sets it"
        file = state / "dev" / "endpoints.json"
        assert json.loads(file.read_text()) == doc and file.stat().st_mode & 0o077 == 0
        assert set(doc["patterns"]) == set(PATTERNS)
        for pattern in doc["patterns"].values():
            assert {p.split("/")[1] for a in pattern["apis"] for p in a["paths"]} >= {"shows", "tickets", "info"}
            [pool] = pattern["user_pools"]
            assert pool["id"] and pool["client_ids"] and pool["sign_in_endpoint"].startswith("http://127.0.0.1:")
        assert doc["patterns"]["single_page_app"]["sites"]
        assert {u["email"] for u in doc["users"]} == {"demo@example.com", "admin@example.com"}
        urls = re.findall(r"http://127\.0\.0\.1:(\d+)", json.dumps(doc))
        assert urls and all(base <= int(p) < base + 40 for p in urls)
        ports = sorted({int(p) for p in urls})
        # WHEN the demo user buys a ticket
        api, token = _signed_in(doc, "mobile_backend")
        show = http("GET", api + "/shows", token=token).json()["items"][0]["id"]
        bought = http("POST", api + "/tickets", token=token, body={"show_id": show, "quantity": 1},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
        assert bought.status == 201, bought.body
        pool_id = doc["patterns"]["mobile_backend"]["user_pools"][0]["id"]
        sub = next(u for u in doc["users"] if u["email"] == "demo@example.com")["subs"][pool_id]

        # AND Ctrl-C THEN it exits 0, nothing it started keeps listening, the endpoints file is gone
        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 0, _stderr(process)[-2000:]
        assert [p for p in ports if _listening(p)] == []
        assert not file.exists()
        exported = list((state / "dev" / "data" / "dynamodb").glob("*.json"))
        assert exported and any(f.read_text() != "[]" for f in exported)  # the seeded shows
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    # AND the next run, as a person starts it (the table, no --fresh, no throttle) restores the data
    again = _up(state, "--port-base", str(base), "--throttle", "off")
    try:
        table = _wait_ready(again)
        assert re.search(r"ready in \d+\.\d s", table)
        assert "demo@example.com" in table and "admin@example.com [admins]" in table
        assert re.search(r"throttle\s+every method and API key\s+off", table)
        site = re.search(r"site\s+\S+ \(single_page_app\)\s+(http://\S+)", table).group(1)  # its pattern named
        assert http("GET", site).status == 200
        # AND the demo user has the sub it had, so the ticket is still theirs
        doc = json.loads((state / "dev" / "endpoints.json").read_text())
        user = next(u for u in doc["users"] if u["email"] == "demo@example.com")
        new_pool_id = doc["patterns"]["mobile_backend"]["user_pools"][0]["id"]
        assert new_pool_id != pool_id and user["subs"][new_pool_id] == sub
        api, token = _signed_in(doc, "mobile_backend")
        tickets = http("GET", api + "/tickets", token=token).json()["items"]
        assert [t["show_id"] for t in tickets] == [show]
        # AND with the throttle off, a burst past the stage's limits (dev: 20/s, burst 40) is not throttled
        # (API Gateway throttles before it authorizes: requests without a token count, and stay cheap)
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: http("GET", api + "/shows").status, range(150)))
        assert set(statuses) == {401}, sorted(set(statuses))
        again.send_signal(signal.SIGTERM)
        assert again.wait(60) == 0
        assert re.search(r"restored [1-9]\d* items", _stderr(again))
    finally:
        if again.poll() is None:
            os.killpg(again.pid, signal.SIGKILL)


def test_a_port_in_use_is_one_clear_line_and_exit_code_2(state):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _up(state, "--port-base", str(port))
        process.wait(60)
        err = _stderr(process)
    assert process.returncode == 2
    lines = [line for line in err.strip().splitlines() if not line.startswith(" ") and "Warning" not in line]
    assert lines[-1].startswith("error: port") and "in use" in lines[-1], err


def test_an_unknown_stack_is_exit_code_2(state):
    result = subprocess.run([sys.executable, "-m", "local", "up", "--stack", "nope"], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "MULTITIER_LOCAL_DIR": str(state)})
    assert result.returncode == 2
    assert "no stack named 'nope'" in result.stderr
