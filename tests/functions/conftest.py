"""Fixtures for the Lambda function tests (helpers live in fn_support.py)."""

import os
import sys
import threading
import urllib.request
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fn_support import (  # noqa: E402
    SERVICE_ENV_KEYS,
    Postgres,
    RedisServer,
    _client,
    create_idempotency_table,
    create_shows_table,
    create_tickets_table,
    free_port,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """No service variables leak between tests; Powertools caches are cleared."""
    for key in SERVICE_ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    from aws_lambda_powertools.utilities.parameters import base

    base.DEFAULT_PROVIDERS.clear()
    yield


@pytest.fixture
def aws():
    """moto for every AWS API, with fresh clients."""
    from moto import mock_aws

    from shared import aws as shared_aws

    with mock_aws():
        shared_aws.reset_clients()
        yield
        shared_aws.reset_clients()


@pytest.fixture
def tables(aws, monkeypatch):
    monkeypatch.setenv("SHOWS_TABLE", create_shows_table())
    monkeypatch.setenv("TICKETS_TABLE", create_tickets_table())
    monkeypatch.setenv("IDEMPOTENCY_TABLE", create_idempotency_table())
    return {"shows": "shows", "tickets": "tickets", "idempotency": "idempotency"}


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def moto_server(monkeypatch):
    """A moto server on 127.0.0.1 that separate processes (containers) share, as they share DynamoDB."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.server import ThreadedMotoServer

    # DynamoDB evaluates a condition and applies the write atomically; moto 5.2.5 does not
    # (its server handles requests in threads with no lock). A conditional put can pass its
    # check while another request writes the same item, and a cancelled transaction restores
    # whole-table snapshots, wiping writes that concurrent transactions made meanwhile. We
    # serialise moto's writes to restore DynamoDB's semantics; our conditions still decide.
    lock = threading.RLock()
    for name in ("transact_write_items", "put_item", "update_item", "delete_item"):
        original = getattr(DynamoDBBackend, name)

        def atomic(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, atomic)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto's state is process-wide: start from empty tables.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    yield endpoint
    server.stop()


@pytest.fixture(scope="session")
def postgres():
    server = Postgres()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database(postgres, aws, monkeypatch):
    """A fresh database whose credentials live in a (moto) Secrets Manager secret, as RDS manages it."""
    import json

    dbname, user, password = postgres.create_database()
    arn = _client("secretsmanager").create_secret(
        Name=f"rds!db-{uuid.uuid4().hex[:8]}", SecretString=json.dumps({"username": user, "password": password}),
    )["ARN"]
    monkeypatch.setenv("DB_SECRET_ARN", arn)
    monkeypatch.setenv("DB_HOST", "127.0.0.1")
    monkeypatch.setenv("DB_PORT", str(postgres.port))
    monkeypatch.setenv("DB_NAME", dbname)
    monkeypatch.setenv("DB_SSLMODE", "disable")
    return {"dbname": dbname, "user": user, "password": password, "secret_arn": arn}


def pytest_configure(config):
    # Powertools warns on every invocation that emits only the cold-start metric; not a defect.
    config.addinivalue_line("filterwarnings", "ignore:No application metrics to publish:UserWarning")
