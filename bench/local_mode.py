"""Latency and throughput of ``GET /shows`` through local mode's API, and where the time goes.

    .venv/bin/python -m bench.local_mode [--stack dev] [--pattern mobile_backend] [--requests 400] [--clients 8]
                                         [--cold 10] [--rounds 3] [--json]

Brings the stack up (fresh, in a temporary folder), then measures:
* ready: start-up until every gateway serves, per phase (the emulators start while the
  program runs: their time overlaps the program's);
* cold: the first request after the function's workers were stopped (a cold start each),
  split into the worker's init (process start to its first ``/next``: awslambdaric and the
  handler module) and the first invocation (which loads X-Ray and boto3, as on Lambda);
* warm: sequential requests to a warm worker, with the handler's own duration (REPORT);
* throughput: requests per second with N concurrent clients (threads of a separate
  process, so local mode's process runs only local mode), and the CPU each process spends
  per request (local mode's own: gateway, Runtime API and runtime; the workers; moto; the
  clients), which bounds it on a machine of few cores.
Warm and throughput are measured ``--rounds`` times (median and range). The stage's
throttle would turn a benchmark into 429s, so it runs with ``--throttle off``. It reads
what runs from ``LocalMode.start()``'s record and the processes from the data folder's
``local-mode.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.machine import describe, table
from local.instance import RECORD
from local.up import LocalMode

GOALS = {"ready_s": 6, "warm_p50_ms": 10, "warm_p99_ms": 25, "requests_per_s": 150}
# N client threads, each sending its share of GET requests; prints seconds and how many were 200.
LOAD = """
import sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
url, token, clients, requests = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def get(_):
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": token}), timeout=30) as r:
        r.read()
        return r.status
with ThreadPoolExecutor(clients) as executor:
    list(executor.map(get, range(clients * 4)))  # every worker warm, every thread started
    started = time.perf_counter()
    statuses = list(executor.map(get, range(requests)))
print(time.perf_counter() - started, statuses.count(200))
"""


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": token})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.status


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_ms(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


class Reports:
    """The REPORT lines of the function's invocations: duration, and init duration on a cold start."""

    def __init__(self):
        self.durations: list[float] = []
        self.inits: list[float] = []

    def __call__(self, function: str, line: str) -> None:
        if line.startswith("REPORT"):
            self.durations.append(float(re.search(r"\tDuration: ([\d.]+) ms", line).group(1)))
            if init := re.search(r"Init Duration: ([\d.]+) ms", line):
                self.inits.append(float(init.group(1)))

    def clear(self) -> None:
        self.durations.clear()
        self.inits.clear()


def processes(data_dir: Path) -> dict[str, list[int]]:
    """The pids of local mode's moto (the AWS one) and of the Lambda workers running now, from its record."""
    children = json.loads((data_dir / RECORD).read_text())["children"]
    alive = [c for c in children if Path(f"/proc/{c['pid']}").exists()]
    return {"workers": [c["pid"] for c in alive if "awslambdaric" in c["command"]],
            "moto": [c["pid"] for c in alive if "moto_app" in c["command"] and "data/aws" in c["command"]]}


def measure(args: argparse.Namespace) -> dict:
    root = Path(tempfile.mkdtemp(prefix="mt-bench-"))
    reports = Reports()
    mode = LocalMode(args.stack, fresh=True, state_root=root, log=lambda line: None, on_function_log=reports,
                     throttle=(-1.0, -1))
    try:
        running = mode.start()
        api = next(a for a in running.apis if running.pattern_of(a.name) == args.pattern
                   and "/shows" in (a.openapi.get("paths") or {}))
        cognito = running.emulators.cognito.client("cognito-idp")
        pool = running.outputs[f"{args.pattern}_user_pool_id"]
        client = running.outputs[f"{args.pattern}_client_id"]
        demo = running.users[0]
        token = cognito.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                            AuthParameters={"USERNAME": demo.email, "PASSWORD": demo.password}
                                            )["AuthenticationResult"]["IdToken"]
        url = api.url + "/shows"
        function = api.stage_variables[next(k for k in api.stage_variables if "shows" in k)].split(":")[0]

        cold = []
        reports.clear()
        for _ in range(args.cold):
            mode.recycle(function)  # the next call is cold
            t = time.perf_counter()
            assert _get(url, token) == 200
            cold.append((time.perf_counter() - t) * 1000)
        cold_inits, cold_invocations = list(reports.inits), list(reports.durations)
        with ThreadPoolExecutor(args.clients) as executor:
            list(executor.map(lambda _: _get(url, token), range(args.clients * 4)))  # warm every worker
        rounds = [_round(args, running.data_dir, url, token, reports) for _ in range(args.rounds)]
    finally:
        mode.stop()
        shutil.rmtree(root, ignore_errors=True)
    return {"machine": describe(), "stack": args.stack, "pattern": args.pattern, "clients": args.clients,
            "requests": args.requests, "ready_s": round(running.ready_seconds, 1), "phases_s": dict(running.timings),
            "cold": {"n": len(cold), "p50_ms": round(percentile(cold, 50)),
                     "init_p50_ms": round(percentile(cold_inits, 50)) if cold_inits else None,
                     "first_invocation_p50_ms": round(percentile(cold_invocations, 50)) if cold_invocations else None},
            "rounds": rounds, "goals": GOALS}


def _round(args, data_dir: Path, url: str, token: str, reports: Reports) -> dict:
    reports.clear()
    warm = []
    for _ in range(args.requests):
        t = time.perf_counter()
        assert _get(url, token) == 200
        warm.append((time.perf_counter() - t) * 1000)
    handler = list(reports.durations)
    pids = {"local mode": [os.getpid()], **processes(data_dir)}
    before = {name: sum(cpu_ms(pid) for pid in group) for name, group in pids.items()}
    clients_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = subprocess.run([sys.executable, "-c", LOAD, url, token, str(args.clients), str(args.requests)],
                          capture_output=True, text=True, check=True)
    clients_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = {name: sum(cpu_ms(pid) for pid in group) for name, group in pids.items()}
    elapsed, ok = load.stdout.split()
    used = {name: after[name] - before[name] for name in pids}
    # The client process's CPU includes warming up and its interpreter's start: an upper bound.
    used["clients"] = (clients_after.ru_utime + clients_after.ru_stime
                       - clients_before.ru_utime - clients_before.ru_stime) * 1000
    return {"warm_p50_ms": round(percentile(warm, 50), 1), "warm_p99_ms": round(percentile(warm, 99), 1),
            "handler_p50_ms": round(percentile(handler, 50), 1) if handler else None,
            "requests_per_s": round(args.requests / float(elapsed)), "ok": int(ok),
            "cpu_ms_per_request": {name: round(ms / args.requests, 1) for name, ms in used.items()}}


def render(report: dict) -> str:
    rounds = report["rounds"]

    def spread(key: str, unit: str, digits: int = 1) -> str:
        values = [r[key] for r in rounds if r[key] is not None]
        if not values:
            return "n/a"
        median = statistics.median(values)
        return (f"{median:.{digits}f} {unit}" if len(values) == 1 else
                f"{median:.{digits}f} {unit} ({min(values):.{digits}f}-{max(values):.{digits}f})")

    cpu = {name: statistics.median(r["cpu_ms_per_request"][name] for r in rounds)
           for name in rounds[0]["cpu_ms_per_request"]}
    cold = report["cold"]
    goals = report["goals"]
    rows = [
        ("ready", f"{report['ready_s']:.1f} s", f"<= {goals['ready_s']} s"),
        ("cold `GET /shows` p50 (init + first invocation)",
         f"{cold['p50_ms']} ms ({cold['init_p50_ms']} + {cold['first_invocation_p50_ms']})", ""),
        ("warm p50", spread("warm_p50_ms", "ms"), f"<= {goals['warm_p50_ms']} ms"),
        ("warm p99", spread("warm_p99_ms", "ms"), f"<= {goals['warm_p99_ms']} ms"),
        ("handler p50 (REPORT Duration)", spread("handler_p50_ms", "ms"), ""),
        (f"{report['clients']} concurrent clients", spread("requests_per_s", "requests/s", 0),
         f">= {goals['requests_per_s']} requests/s"),
        ("CPU per request", ", ".join(f"{name} {ms:.1f} ms" for name, ms in cpu.items()), ""),
    ]
    phases = ", ".join(f"{name} {seconds}" for name, seconds in report["phases_s"].items())
    return "\n".join([
        f"local mode, stack {report['stack']}, pattern {report['pattern']}, {len(rounds)} rounds of "
        f"{report['requests']} requests (median, range); {report['machine']}",
        table(["GET /shows", "measured", "goal"], rows),
        f"start-up phases (s; the emulators start during the program): {phases}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.local_mode", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--pattern", default="mobile_backend")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cold", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="warm and throughput measurements")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if min(args.requests, args.clients, args.cold, args.rounds) < 1:
        parser.error("--requests, --clients, --cold and --rounds must be at least 1")
    report = measure(args)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
