"""What each of ``local/emulators/moto_patches.py``'s patches still saves: moto with all of them, and without each.

    .venv/bin/python -m bench.moto_patches [--requests 300] [--clients 8] [--rounds 7] [--json]

Starts one emulator (``moto_app``'s application) per variant, all at once, each with the
table ``GET /shows`` queries (20 shows); then, in interleaved rounds, per variant: a
Query of all 20 with N concurrent clients (requests per second, and the emulator's CPU
per request) and ``CreateUserPool`` (its CPU: the signing-key patch acts there). A patch
whose "without" is no worse than "all" within the rounds' spread no longer pays for itself.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import boto3
from botocore.config import Config

from bench.local_mode import cpu_ms
from bench.machine import describe, table
from local.emulators.ports import Ports
from local.emulators.processes import wait_for_port

VARIANTS = {"all patches": "", "without the serializer": "serializer", "without the module listing": "listing",
            "without kept connections": "connections", "without the shared signing key": "key"}
ITEM = {"pk": {"S": "all"}, "name": {"S": "A show with a name"}, "venue": {"S": "Hall"},
        "starts_at": {"S": "2030-01-01T19:00:00Z"}, "remaining": {"N": "50"}, "capacity": {"N": "100"},
        "price_cents": {"N": "2500"}, "tags": {"SS": ["a", "b"]}}


def serve(port: int, without: str) -> None:
    """The emulator with every patch but ``without`` (run in a process of its own)."""
    from local.emulators import moto_internals
    from local.emulators import moto_patches as patches
    from local.emulators.moto_app import Emulator

    moto_internals.check()
    if without != "key":
        moto_internals.replace_cognito_jwk(SimpleNamespace(RSAKey=patches._OnceImportedRSAKey))
    if without != "serializer":
        moto_internals.use_serializer("dynamodb", patches.DynamoDBSerializer)
    if without != "listing":
        moto_internals.list_moto_modules_once()
    handler = moto_internals.RequestHandler
    if without != "connections":
        moto_internals.replace_drain_selectors(patches._DrainSelectors)
        handler = patches.KeepAliveHandler
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(0))
    moto_internals.run("127.0.0.1", port, Emulator(None, "us-east-1"), handler)


def _start(without: str) -> tuple[subprocess.Popen, object, object]:
    port = Ports(None).take(without or "all")
    process = subprocess.Popen([sys.executable, "-m", "bench.moto_patches", "--serve", str(port), without],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "inf"})
    wait_for_port(port, 60, process, without or "all")
    session = boto3.session.Session()
    config = Config(max_pool_connections=32, retries={"max_attempts": 0})
    ddb, idp = (session.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                               aws_access_key_id="testing", aws_secret_access_key="testing", config=config)
                for service in ("dynamodb", "cognito-idp"))
    ddb.create_table(TableName="shows", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                                   {"AttributeName": "id", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    for n in range(20):
        ddb.put_item(TableName="shows", Item={**ITEM, "id": {"S": f"show-{n}"}})
    return process, ddb, idp


def _round(process: subprocess.Popen, ddb, idp, args: argparse.Namespace) -> dict:
    def query(_: int) -> None:
        ddb.query(TableName="shows", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "all"}})

    with ThreadPoolExecutor(args.clients) as executor:
        list(executor.map(query, range(args.clients * 4)))
        before, started = cpu_ms(process.pid), time.perf_counter()
        list(executor.map(query, range(args.requests)))
        elapsed, used = time.perf_counter() - started, cpu_ms(process.pid) - before
    before = cpu_ms(process.pid)
    for n in range(3):
        idp.create_user_pool(PoolName=f"pool-{time.time_ns()}-{n}")
    return {"per_s": args.requests / elapsed, "cpu_ms": used / args.requests, "pool_cpu_ms": (cpu_ms(process.pid) - before) / 3}


def measure(args: argparse.Namespace) -> dict:
    servers = {name: _start(without) for name, without in VARIANTS.items()}
    try:
        rounds: dict[str, list[dict]] = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, server in servers.items():  # interleaved: a busy moment hits every variant
                rounds[name].append(_round(*server, args))
    finally:
        for process, _, _ in servers.values():
            process.kill()
            process.wait()
    return {"machine": describe(), "requests": args.requests, "clients": args.clients, "rounds": args.rounds,
            "variants": {name: {key: {"median": round(statistics.median(r[key] for r in runs), 2),
                                      "low": round(min(r[key] for r in runs), 2),
                                      "high": round(max(r[key] for r in runs), 2)} for key in runs[0]}
                         for name, runs in rounds.items()}}


def render(report: dict) -> str:
    def cell(value: dict, unit: str, digits: int) -> str:
        return f"{value['median']:.{digits}f} {unit} ({value['low']:.{digits}f}-{value['high']:.{digits}f})"

    rows = [(name, cell(v["per_s"], "/s", 0), cell(v["cpu_ms"], "ms", 2), cell(v["pool_cpu_ms"], "ms", 0))
            for name, v in report["variants"].items()]
    return "\n".join([
        f"moto_patches: {report['rounds']} rounds of {report['requests']} Queries of 20 items, {report['clients']} "
        f"clients (median, range); {report['machine']}",
        table(["emulator", "Query requests/s", "CPU per Query", "CPU per CreateUserPool"], rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.moto_patches", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "WITHOUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(int(args.serve[0]), args.serve[1])
        return 0
    if min(args.requests, args.clients, args.rounds) < 1:
        parser.error("--requests, --clients and --rounds must be at least 1")
    report = measure(args)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
