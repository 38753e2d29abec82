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
from local.emulators.processes import start_time
from tests.local.cognito_client import cognito_call, srp_sign_in
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


def _signed_in(doc: dict, pattern: str, email: str = "demo@example.com", password: str = "") -> tuple[str, str]:
    """(API URL serving /tickets, ID token) for a user (a seeded one: its password from the document)."""
    entry = doc["patterns"][pattern]
    pool = entry["user_pools"][0]
    password = password or next(u for u in doc["users"] if u["email"] == email)["password"]
    answer = srp_sign_in(pool["sign_in_endpoint"], pool["id"], pool["client_ids"][0], email, password)
    assert answer.status == 200, answer.body
    api = next(a["url"] for a in entry["apis"] if "/tickets" in a["paths"])
    return api, answer.json()["AuthenticationResult"]["IdToken"]


def _children(state: Path) -> list[tuple[int, int]]:
    """(pid, start time) of every process the running local mode recorded as its own."""
    record = json.loads((state / "dev" / "local-mode.json").read_text())
    return [(child["pid"], child["started"]) for child in record["children"]]


def _alive(children: list[tuple[int, int]]) -> list[int]:
    return [pid for pid, started in children if start_time(pid) == started and _state_of(pid) != "Z"]


def _state_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def _eventually(check, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_up_refuses_a_second_run_survives_kill_9_and_keeps_data_users_and_ids(state):
    base = _base_port()
    # GIVEN local mode started for a program: one line of JSON on stdout once ready
    process = _up(state, "--fresh", "--port-base", str(base), "--json")
    try:
        doc = json.loads(process.stdout.readline() or "null") or pytest.fail(_stderr(process)[-3000:])
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

        # WHEN a second `up` of the same stack starts, even with --fresh THEN it is refused, naming the running
        # one, and the running one keeps its data folder, its endpoints file and its service
        second = _up(state, "--fresh", "--port-base", str(base + 50))
        assert second.wait(120) == 2
        refusal = _stderr(second)
        assert f"pid {process.pid}" in refusal and str(file) in refusal and doc["patterns"]["mobile_backend"]["apis"][0][
            "url"] in refusal, refusal
        assert json.loads(file.read_text()) == doc and (state / "dev" / "postgres").is_dir()

        # WHEN the demo user buys a ticket, and a new user signs up (the code is in the log) and buys one
        api, token = _signed_in(doc, "mobile_backend")
        show = http("GET", api + "/shows", token=token).json()["items"][0]["id"]
        bought = http("POST", api + "/tickets", token=token, body={"show_id": show, "quantity": 1},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
        assert bought.status == 201, bought.body
        pool = doc["patterns"]["mobile_backend"]["user_pools"][0]
        sub = next(u for u in doc["users"] if u["email"] == "demo@example.com")["subs"][pool["id"]]
        assert pool["self_sign_up"]
        newcomer = f"new-{uuid.uuid4().hex[:8]}@example.com"
        signed_up = cognito_call(pool["sign_in_endpoint"], "SignUp", {
            "ClientId": pool["client_ids"][0], "Username": newcomer, "Password": "Newcomer-Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": newcomer}]})
        assert signed_up.status == 200, signed_up.body
        assert _eventually(lambda: f"confirmation code for {newcomer}" in _stderr(process))
        code = re.search(rf"confirmation code for {re.escape(newcomer)} in \S+: (\d{{6}})", _stderr(process)).group(1)
        assert cognito_call(pool["sign_in_endpoint"], "ConfirmSignUp", {
            "ClientId": pool["client_ids"][0], "Username": newcomer, "ConfirmationCode": code}).status == 200
        _, newcomer_token = _signed_in(doc, "mobile_backend", newcomer, "Newcomer-Passw0rd!")
        theirs = http("POST", api + "/tickets", token=newcomer_token, body={"show_id": show, "quantity": 2},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
        assert theirs.status == 201, theirs.body

        # AND local mode's main process alone is killed (as an out-of-memory kill does)
        children = _children(state)
        assert len(children) >= 5  # moto twice, PostgreSQL, the cache, workers
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        # THEN nothing it started keeps running or listening
        assert _eventually(lambda: not _alive(children)), _alive(children)
        # (eventually: a worker being forked at the kill holds the sockets until it sees its parent gone)
        assert _eventually(lambda: not [p for p in ports if _listening(p)]), [p for p in ports if _listening(p)]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    # AND the next run, as a person starts it (the table, no --fresh, no throttle), starts cleanly on that folder
    again = _up(state, "--port-base", str(base), "--throttle", "off")
    try:
        table = _wait_ready(again)
        assert re.search(r"ready in \d+\.\d s", table)
        assert "demo@example.com" in table and "admin@example.com [admins]" in table
        assert re.search(r"throttle\s+every method and API key\s+off", table)
        site = re.search(r"site\s+\S+ \(single_page_app\)\s+(http://\S+)", table).group(1)  # its pattern named
        assert http("GET", site).status == 200
        # AND the pools have the ids they had, the demo user its sub: the tickets bought are still theirs
        again_doc = json.loads((state / "dev" / "endpoints.json").read_text())
        assert {name: p["user_pools"] for name, p in again_doc["patterns"].items()} == \
            {name: p["user_pools"] for name, p in doc["patterns"].items()}
        assert next(u for u in again_doc["users"] if u["email"] == "demo@example.com")["subs"][pool["id"]] == sub
        api, token = _signed_in(again_doc, "mobile_backend")
        assert [t["id"] for t in http("GET", api + "/tickets", token=token).json()["items"]] == [bought.json()["id"]]
        _, newcomer_token = _signed_in(again_doc, "mobile_backend", newcomer, "Newcomer-Passw0rd!")
        assert [t["id"] for t in http("GET", api + "/tickets", token=newcomer_token).json()["items"]] == \
            [theirs.json()["id"]]
        remaining = next(s for s in http("GET", api + "/shows", token=token).json()["items"] if s["id"] == show)
        # AND with the throttle off, a burst past the stage's limits (dev: 20/s, burst 40) is not throttled
        # (API Gateway throttles before it authorizes: requests without a token count, and stay cheap)
        with ThreadPoolExecutor(8) as executor:
            statuses = list(executor.map(lambda _: http("GET", api + "/shows").status, range(150)))
        assert set(statuses) == {401}, sorted(set(statuses))
        ports = sorted({int(p) for p in re.findall(r"http://127\.0\.0\.1:(\d+)", table)})
        again.send_signal(signal.SIGTERM)
        assert again.wait(60) == 0
        assert re.search(r"put back [1-9]\d* items", _stderr(again))
        assert [p for p in ports if _listening(p)] == [] and not (state / "dev" / "endpoints.json").exists()
    finally:
        if again.poll() is None:
            os.killpg(again.pid, signal.SIGKILL)

    # AND Ctrl-C while a third run starts stops it at once: it never reports ready, leaves nothing running,
    # and the data is still there
    third = _up(state, "--port-base", str(base), "--json")
    try:
        assert _eventually(lambda: "starting stack 'dev'" in _stderr(third), 60), _stderr(third)[-2000:]
        assert _eventually(lambda: len(_children(state)) >= 2, 60)  # the emulators are starting
        children = _children(state)
        third.send_signal(signal.SIGINT)
        assert third.wait(60) == 130, _stderr(third)[-2000:]
        assert third.stdout.read() == ""  # no ready line
        assert not _alive(children) and not (state / "dev" / "endpoints.json").exists()
        assert remaining["remaining"] >= 0 and (state / "dev" / "data" / "aws" / "snapshot.json").is_file()
    finally:
        if third.poll() is None:
            os.killpg(third.pid, signal.SIGKILL)


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
