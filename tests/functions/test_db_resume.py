"""A database that is not accepting connections yet: a paused Aurora cluster resuming (~15 s),
or an RDS endpoint registered before it is available. Connects are retried with backoff
within the invocation's remaining time; an API call still unanswered gets a 503 with
Retry-After, and a migration that never connects fails the deploy with the reason."""

import time

import pytest

from events import FakeLambdaContext, api_event, parse
from fn_support import ResumingDatabase, free_port, load_service


def test_a_migration_waits_for_the_database_to_accept_connections(postgres, database, monkeypatch):
    # GIVEN a writer endpoint that refuses connections for its first 1.5 s
    with ResumingDatabase(postgres.port, delay=1.5) as resuming:
        monkeypatch.setenv("DB_PORT", str(resuming.port))
        started = time.monotonic()
        # WHEN the deploy-time migration runs (60 s function timeout)
        result = load_service("migrate").handler({"action": "migrate"}, FakeLambdaContext(remaining_ms=60_000))
    # THEN it retried until the database accepted, and applied the migrations
    assert result["applied"] and time.monotonic() - started >= 1.5


def test_a_migration_gives_up_within_its_timeout_naming_the_reason(database, monkeypatch):
    monkeypatch.setenv("DB_PORT", str(free_port()))  # nothing ever listens
    started = time.monotonic()
    with pytest.raises(Exception, match=r"database is resuming or not reachable yet \(\d+ connection attempts"):
        load_service("migrate").handler({"action": "migrate"}, FakeLambdaContext(remaining_ms=4_000))
    assert time.monotonic() - started < 4  # before Lambda would kill it


def test_info_answers_503_with_retry_after_while_the_database_resumes(database, monkeypatch):
    monkeypatch.setenv("INFO_SOURCE", "postgres")
    monkeypatch.setenv("DB_PORT", str(free_port()))  # paused: refuses for longer than the invocation
    info = load_service("info")
    started = time.monotonic()
    response = info.handler(api_event("GET", "/info", request_id="req-paused"), FakeLambdaContext(remaining_ms=4_000))
    elapsed = time.monotonic() - started
    status, body = parse(response)
    assert status == 503 and body["message"].startswith("The database is resuming")
    assert int(response["multiValueHeaders"]["Retry-After"][0]) > 0
    assert 1 < elapsed < 4  # it retried, and answered within the function's timeout


def test_info_succeeds_when_the_database_resumes_within_the_invocation(postgres, database, monkeypatch):
    load_service("migrate").handler({"action": "migrate"}, FakeLambdaContext())
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    monkeypatch.setenv("INFO_SOURCE", "postgres")
    with ResumingDatabase(postgres.port, delay=1.0) as resuming:
        monkeypatch.setenv("DB_PORT", str(resuming.port))
        status, body = parse(load_service("info").handler(api_event("GET", "/info"),
                                                          FakeLambdaContext(remaining_ms=10_000)))
    assert status == 200 and body["name"]
