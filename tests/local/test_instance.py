"""One local mode per data folder (local/instance.py), children that die with it (processes.Children), and what a
dead run left on the folder stopped by the next start (its record, and PostgreSQL's postmaster.pid)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from local.emulators.ports import Ports
from local.emulators.postgres import Postgres
from local.emulators.processes import Child, Children, start_time
from local.instance import RECORD, AlreadyRunning, Instance

HOLD = """
import sys, time
from pathlib import Path
from local.instance import Instance
Instance(Path(sys.argv[1]), "dev").acquire()
print("locked", flush=True)
time.sleep(60)
"""


def _gone(pid: int, started: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stat = Path(f"/proc/{pid}/stat")
        if start_time(pid) != started or (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"):
            return True
        time.sleep(0.05)
    return False


def test_a_second_local_mode_on_a_folder_is_refused_naming_the_first_and_touching_nothing(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout.readline().strip() == "locked"
        (tmp_path / "endpoints.json").write_text(json.dumps({"patterns": {"web_app": {
            "apis": [{"url": "http://127.0.0.1:4100/dev"}], "sites": ["http://127.0.0.1:4101/"]}}}))
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        with pytest.raises(AlreadyRunning) as refused:
            Instance(tmp_path, "dev").acquire()
        message = str(refused.value)
        assert f"pid {holder.pid}" in message and "kill" in message
        assert "http://127.0.0.1:4100/dev" in message and "http://127.0.0.1:4101/" in message
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    finally:
        holder.kill()
        holder.wait()
    # once its holder is gone (however it ended) the folder is free
    instance = Instance(tmp_path, "dev")
    assert instance.acquire() == []
    instance.release()
    assert not (tmp_path / RECORD).exists()


def test_what_a_dead_run_left_running_is_stopped_by_the_next_start(tmp_path):
    # GIVEN a run that recorded its children and died without stopping them (one ignores SIGTERM)
    stubborn = subprocess.Popen([sys.executable, "-c", "import signal, time; "
                                 "signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); "
                                 "time.sleep(60)"], stdout=subprocess.PIPE, text=True, start_new_session=True)
    plain = subprocess.Popen(["sleep", "60"], start_new_session=True)
    assert stubborn.stdout.readline().strip() == "up"
    left = [Child(p.pid, start_time(p.pid), "left") for p in (stubborn, plain)]
    unrelated = subprocess.Popen(["sleep", "60"], start_new_session=True)  # a pid reused since: not ours
    (tmp_path / RECORD).write_text(json.dumps({"pid": 1, "children": [
        {"pid": c.pid, "started": c.started, "command": c.command, "stop_signal": 15} for c in left]
        + [{"pid": unrelated.pid, "started": start_time(unrelated.pid) + 1, "command": "x", "stop_signal": 15}]}))
    try:
        # WHEN the next run takes the folder THEN it stops them, and only them
        instance = Instance(tmp_path, "dev")
        stopped = instance.acquire()
        assert sorted(c.pid for c in stopped) == sorted(c.pid for c in left)
        for process in (stubborn, plain):
            assert process.wait(10) is not None
        assert unrelated.poll() is None
        instance.release()
    finally:
        for process in (stubborn, plain, unrelated):
            process.kill()
            process.wait()


CHILD_OF_A_DYING_PARENT = """
import sys, threading
from local.emulators.processes import Children
children = Children()
process = threading.Thread(target=lambda: print(children.popen(["sleep", "60"]).pid, flush=True))
process.start(); process.join()  # started from a thread that ends: the child must outlive that thread
sys.stdin.read()
"""


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_children_die_with_local_mode_not_with_the_thread_that_asked(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", CHILD_OF_A_DYING_PARENT], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        pid = int(parent.stdout.readline())
        started = start_time(pid)
        time.sleep(0.3)
        assert start_time(pid) == started  # the asking thread ended; the child lives on
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _gone(pid, started)
    finally:
        parent.kill()


def test_close_stops_the_children_and_refuses_new_ones():
    children = Children()
    process = children.popen(["sleep", "60"])
    children.close()
    assert process.poll() is not None
    with pytest.raises(RuntimeError, match="stopping"):
        children.popen(["sleep", "1"])


def test_a_postgres_left_on_the_data_folder_is_stopped_and_a_new_one_starts():
    root = Path(tempfile.mkdtemp(prefix="mt-pg-left-"))
    first = Postgres(Ports(None).take("PostgreSQL"), root)
    try:
        first.start()
        pid = first.process.pid
        # GIVEN its parent gone without stopping it (as a run before this version left it)
        first.process = None
        # WHEN another run starts PostgreSQL on the same data folder
        second = Postgres(Ports(None).take("PostgreSQL"), root)
        try:
            info = second.start()
            # THEN the old postmaster is gone and the new one answers
            assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
            with info.connect() as connection:
                assert connection.execute("SELECT 1").fetchone() == (1,)
        finally:
            second.stop()
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, UnboundLocalError):
            pass
        first.children.close()
        shutil.rmtree(root, ignore_errors=True)
