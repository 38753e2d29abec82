"""Latency and throughput of ``GET /shows`` through local mode's API.

    .venv/bin/python -m bench.local_mode [--stack dev] [--pattern mobile_backend] [--requests 400] [--clients 8]

Brings the stack up (fresh, in a temporary folder), then measures:
* cold: the first request after the function's workers were stopped (a cold start each);
* warm: sequential requests to a warm worker;
* throughput: requests per second with N concurrent clients.
The stage's throttle would turn a benchmark into 429s, so the gateway's limits are
lifted for the measurement (reported separately).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from local.apigateway import Gateway
from local.up import LocalMode


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": token})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.status


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.local_mode")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--pattern", default="mobile_backend")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cold", type=int, default=10)
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="mt-bench-"))
    started = time.perf_counter()
    mode = LocalMode(args.stack, fresh=True, state_root=root, log=lambda line: None,
                     on_function_log=lambda f, line: None)
    try:
        mode.start()
        ready = time.perf_counter() - started
        api = next(a for a in mode.local.apis if mode.local.patterns.get(a.name) == args.pattern
                   and "/shows" in (a.openapi.get("paths") or {}))
        # Lift the throttle for the measurement (the gateway reads the LocalApi it was given).
        gateway = next(g for g in mode.gateways if g.api.name == api.name)
        lifted = dataclasses.replace(api, throttle_rate=1e9, throttle_burst=10**9, method_throttles={})
        gateway.stop()
        gateway = Gateway(lifted, mode.runtime.invoke, mode.local.pools, lambda *a: None)
        gateway.start()
        cognito = mode.cognito.client("cognito-idp")
        pool = mode.local.outputs[f"{args.pattern}_user_pool_id"]
        client = mode.local.outputs[f"{args.pattern}_client_id"]
        demo = mode.users[0]
        token = cognito.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                            AuthParameters={"USERNAME": demo["email"], "PASSWORD": demo["password"]}
                                            )["AuthenticationResult"]["IdToken"]
        url = api.url + "/shows"
        function = api.stage_variables[next(k for k in api.stage_variables if "shows" in k)].split(":")[0]
        fn = next(f for f in mode.local.functions if f.name == function)

        cold = []
        for _ in range(args.cold):
            mode.runtime.start(fn)  # re-registering drops the warm workers: the next call is cold
            t = time.perf_counter()
            assert _get(url, token) == 200
            cold.append((time.perf_counter() - t) * 1000)
        for _ in range(20):
            _get(url, token)
        warm = []
        for _ in range(args.requests):
            t = time.perf_counter()
            assert _get(url, token) == 200
            warm.append((time.perf_counter() - t) * 1000)
        with ThreadPoolExecutor(args.clients) as executor:
            list(executor.map(lambda _: _get(url, token), range(args.clients * 4)))  # warm every worker
            t = time.perf_counter()
            statuses = list(executor.map(lambda _: _get(url, token), range(args.requests)))
            elapsed = time.perf_counter() - t
        gateway.stop()
        print(f"stack {args.stack}, pattern {args.pattern}: ready in {ready:.1f} s "
              f"(phases: {mode.timings})")
        print(f"GET /shows cold ({len(cold)}): p50 {percentile(cold, 50):.0f} ms, p99 {percentile(cold, 99):.0f} ms")
        print(f"GET /shows warm ({len(warm)}): p50 {percentile(warm, 50):.1f} ms, p99 {percentile(warm, 99):.1f} ms, "
              f"mean {statistics.mean(warm):.1f} ms")
        print(f"{args.clients} concurrent clients: {len(statuses) / elapsed:.0f} requests/s "
              f"({statuses.count(200)}/{len(statuses)} OK)")
    finally:
        mode.stop(export=False)
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
