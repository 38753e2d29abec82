"""What keeping every acknowledged write costs, per request: the emulator local mode runs, with and without its journal.

    .venv/bin/python -m bench.durability [--requests 200] [--clients 8] [--rounds 3] [--json]

Starts two emulators (``local/emulators/moto_app.py``, both handling one request at a time
per service): one keeps its data (every write's records appended to the journal and
flushed to the disk before the answer leaves, as local mode runs it), one does not.
Each gets a table, a bucket, a secret and a user pool; then, in interleaved rounds, per
operation: the latency of sequential requests (p50), requests per second with N
concurrent clients, and the emulator's CPU per request. A read (``GetItem``) shows the
cost of the rest of the machinery (none of it journals). Last, one ``fdatasync`` of a
journal line on this disk.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import boto3
from botocore.config import Config

from bench.local_mode import cpu_ms, percentile
from bench.machine import describe, table
from local.emulators.moto_server import MotoServer
from local.emulators.ports import Ports

REGION = "us-east-1"


class Target:
    """One emulator with the containers the operations write to."""

    def __init__(self, name: str, data: Path | None, root: Path):
        self.name = name
        self.server = MotoServer(Ports(None).take(name), name, root / f"{name}.log", REGION, data=data)
        self.server.start()
        session = boto3.session.Session()
        config = Config(retries={"max_attempts": 0}, max_pool_connections=64)
        self.clients = {service: session.client(service, endpoint_url=self.server.url, region_name=REGION,
                                                aws_access_key_id="testing", aws_secret_access_key="testing",
                                                config=config)
                        for service in ("dynamodb", "s3", "secretsmanager", "cognito-idp")}
        ddb = self.clients["dynamodb"]
        for table_name in ("shows", "tickets"):
            ddb.create_table(TableName=table_name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST")
        self.clients["s3"].create_bucket(Bucket="bucket")
        idp = self.clients["cognito-idp"]
        self.pool = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
        self.server.load()  # keeping from here on (a no-op without a data folder)
        ddb.put_item(TableName="shows", Item={"id": {"S": "show"}, "remaining": {"N": str(10 ** 9)}})
        self.clients["secretsmanager"].create_secret(Name="secret", SecretString="v")

    def operations(self) -> dict[str, Callable[[int], Any]]:
        ddb, s3 = self.clients["dynamodb"], self.clients["s3"]
        secrets, idp = self.clients["secretsmanager"], self.clients["cognito-idp"]
        item = {"id": {"S": ""}, "name": {"S": "x" * 200}, "seats": {"N": "2"}}
        body = os.urandom(4096)
        return {
            "DynamoDB GetItem (a read)": lambda n: ddb.get_item(TableName="shows", Key={"id": {"S": "show"}}),
            "DynamoDB PutItem": lambda n: ddb.put_item(TableName="tickets", Item={**item, "id": {"S": uuid.uuid4().hex}}),
            "DynamoDB TransactWriteItems (a purchase)": lambda n: ddb.transact_write_items(TransactItems=[
                {"Update": {"TableName": "shows", "Key": {"id": {"S": "show"}},
                            "UpdateExpression": "SET remaining = remaining - :one", "ConditionExpression": "remaining >= :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"Put": {"TableName": "tickets", "Item": {**item, "id": {"S": uuid.uuid4().hex}},
                         "ConditionExpression": "attribute_not_exists(id)"}}]),
            "S3 PutObject (4 KB)": lambda n: s3.put_object(Bucket="bucket", Key=f"o/{uuid.uuid4().hex}",
                                                            Body=body + uuid.uuid4().bytes),
            "Secrets Manager PutSecretValue": lambda n: secrets.put_secret_value(SecretId="secret",
                                                                                 SecretString=uuid.uuid4().hex),
            "Cognito AdminCreateUser": lambda n: idp.admin_create_user(
                UserPoolId=self.pool, Username=f"{uuid.uuid4().hex}@example.com", MessageAction="SUPPRESS"),
        }

    def stop(self) -> None:
        self.server.stop()


def _round(target: Target, name: str, operation: Callable[[int], Any], args: argparse.Namespace) -> dict:
    latencies = []
    for n in range(args.requests):
        started = time.perf_counter()
        operation(n)
        latencies.append((time.perf_counter() - started) * 1000)
    pid = target.server.process.pid
    cpu_before, started = cpu_ms(pid), time.perf_counter()
    with ThreadPoolExecutor(args.clients) as executor:
        list(executor.map(operation, range(args.requests)))
    elapsed = time.perf_counter() - started
    return {"p50_ms": percentile(latencies, 50), "per_s": args.requests / elapsed,
            "cpu_ms": (cpu_ms(pid) - cpu_before) / args.requests}


def fdatasync_ms(folder: Path, lines: int = 200) -> float:
    """One appended journal line flushed to the disk, in this folder's file system."""
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        started = time.perf_counter()
        for _ in range(lines):
            os.write(fd, b'{"kind":"dynamodb","in":"tickets","id":"x","value":{}}\n')
            os.fdatasync(fd)
        return (time.perf_counter() - started) * 1000 / lines
    finally:
        os.close(fd)
        path.unlink()


def measure(args: argparse.Namespace) -> dict:
    root = Path(tempfile.mkdtemp(prefix="mt-bench-durability-"))
    targets = [Target("journal", root / "data", root), Target("no journal", None, root)]
    try:
        results: dict[str, dict[str, list[dict]]] = {}
        for _ in range(args.rounds):
            for target in targets:  # interleaved: a busy moment hits both
                for name, operation in target.operations().items():
                    results.setdefault(name, {}).setdefault(target.name, []).append(
                        _round(target, name, operation, args))
        sync = fdatasync_ms(root)
    finally:
        for target in targets:
            target.stop()
        shutil.rmtree(root, ignore_errors=True)
    summary = {name: {target: {key: round(statistics.median(r[key] for r in rounds), 2) for key in rounds[0]}
                      for target, rounds in per_target.items()} for name, per_target in results.items()}
    return {"machine": describe(), "requests": args.requests, "clients": args.clients, "rounds": args.rounds,
            "operations": summary, "fdatasync_ms": round(sync, 3)}


def render(report: dict) -> str:
    rows = []
    for name, both in report["operations"].items():
        kept, not_kept = both["journal"], both["no journal"]
        rows.append((name, f"{kept['p50_ms']:.2f} / {not_kept['p50_ms']:.2f} ms",
                     f"{kept['p50_ms'] - not_kept['p50_ms']:+.2f} ms",
                     f"{kept['per_s']:.0f} / {not_kept['per_s']:.0f}",
                     f"{kept['cpu_ms']:.2f} / {not_kept['cpu_ms']:.2f} ms"))
    return "\n".join([
        f"the emulator with its journal / without, {report['rounds']} rounds of {report['requests']} requests "
        f"(median); {report['machine']}",
        table(["operation", "latency p50", "journal costs", f"requests/s, {report['clients']} clients",
               "emulator CPU per request"], rows),
        f"one fdatasync of a journal line: {report['fdatasync_ms']:.3f} ms"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.durability", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if min(args.requests, args.clients, args.rounds) < 1:
        parser.error("--requests, --clients and --rounds must be at least 1")
    report = measure(args)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
