"""Tracing as deployed: nothing of X-Ray, the SDK or the drivers is paid at import, yet the
handler, its methods and its AWS SDK calls are traced (each test runs a fresh interpreter
with the environment Lambda gives a function with active tracing)."""

import json
import os
import socket
import subprocess
import sys

import pytest

from fn_support import FUNCTIONS, SERVICES, create_shows_table, put_show

TESTS = os.path.dirname(os.path.abspath(__file__))
TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793"
# Loaded on first use only: the X-Ray SDK, the AWS SDK, and each service's driver or crypto.
HEAVY = ("aws_xray_sdk.core", "boto3", "botocore.client", "psycopg", "redis", "jwt", "cryptography")


def lambda_env(service: str, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"], "LAMBDA_TASK_ROOT": str(FUNCTIONS / service),
        "AWS_LAMBDA_FUNCTION_NAME": service, "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": service, "POWERTOOLS_METRICS_NAMESPACE": "tests", "LOG_LEVEL": "WARNING",
        "_X_AMZN_TRACE_ID": f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1", **extra,
    }


def run(service: str, code: str, env: dict[str, str]) -> str:
    prelude = f"import sys; sys.path[:0] = [{str(FUNCTIONS / service)!r}, {str(FUNCTIONS)!r}, {TESTS!r}]\n"
    done = subprocess.run([sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("service", SERVICES)
def test_importing_a_handler_loads_neither_xray_nor_the_sdk_nor_drivers(service):
    out = run(service, f"import app, json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))",
              lambda_env(service))
    assert json.loads(out) == []


def test_libraries_are_patched_when_imported():
    code = ("import app, boto3, botocore.client, psycopg, wrapt\n"
            "from shared.observability import tracer\n"
            "print(tracer.disabled, getattr(botocore.client, '_xray_enabled', False),"
            " isinstance(psycopg.connect, wrapt.FunctionWrapper))")
    assert run("info", code, lambda_env("info")).split() == ["False", "True", "True"]


@pytest.fixture
def xray_daemon():
    """A UDP socket standing for the X-Ray daemon the SDK sends segments to."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.5)  # read once the function's process has exited: its datagrams are queued
        yield sock


def received(sock: socket.socket) -> list[dict]:
    documents = []
    try:
        while True:
            header, _, body = sock.recv(65536).decode().partition("\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            documents.append(json.loads(body))
    except TimeoutError:
        return documents


def test_a_traced_invocation_sends_handler_method_and_sdk_subsegments(moto_server, xray_daemon):
    # GIVEN a shows table in a moto server and the shows function in a Lambda-like process
    create_shows_table()
    put_show("show-1")
    host, port = xray_daemon.getsockname()
    env = lambda_env("shows", SHOWS_TABLE="shows", AWS_ENDPOINT_URL=moto_server,
                     AWS_XRAY_DAEMON_ADDRESS=f"{host}:{port}")
    code = ("import app, json\n"
            "from events import FakeLambdaContext, api_event, lambda_authorizer\n"
            "event = api_event('GET', '/shows', authorizer=lambda_authorizer('u-1'))\n"
            "print(app.handler(event, FakeLambdaContext())['statusCode'])")
    # WHEN it handles GET /shows (stdout also carries the cold-start metric)
    assert run("shows", code, env).splitlines()[-1] == "200"
    # THEN X-Ray received the handler's, the route's and the DynamoDB call's subsegments
    subsegments = {doc["name"]: doc for doc in received(xray_daemon)}
    assert {"## handler", "## app.list_shows", "dynamodb"} <= set(subsegments)
    assert all(doc["trace_id"] == TRACE_ID for doc in subsegments.values())
    assert subsegments["## handler"]["annotations"] == {"ColdStart": True, "Service": "shows"}
    assert subsegments["dynamodb"]["aws"]["operation"] == "Query"
