"""boto3 for dynamic providers, as the stack's AWS provider would call AWS (multitier/_provider_session.py)."""

from __future__ import annotations

import pytest

from multitier._provider_session import _seconds, clients, session_settings


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch):
    for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAAMBIENTAMBIENT00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "ambient")


def test_only_what_decides_who_calls_where_is_taken():
    settings = {"region": "eu-west-1", "profile": "ops", "default_tags": {"tags": {"a": "b"}}, "max_retries": 5,
                "allowed_account_ids": ["123456789012"], "skip_credentials_validation": True, "token": None}
    assert session_settings(settings) == {"region": "eu-west-1", "profile": "ops",
                                          "allowed_account_ids": ["123456789012"]}


def test_durations_are_go_durations():
    assert (_seconds("1h30m"), _seconds("15m"), _seconds(None)) == (5400, 900, None)
    with pytest.raises(ValueError, match="must be a duration such as 15m or 1h"):
        _seconds("90 minutes")


def test_a_forbidden_account_is_refused_before_any_other_call():
    from moto import mock_aws

    with mock_aws(), pytest.raises(PermissionError, match="it is in aws:forbiddenAccountIds"):
        clients({"region": "us-east-1", "forbidden_account_ids": ["123456789012"]})


def test_static_keys_and_endpoints_are_those_of_the_stack():
    client = clients({"region": "eu-central-1", "access_key": "AKIASTACKSTACKSTACK0", "secret_key": "stack",
                      "endpoints": [{"amplify": "http://127.0.0.1:4566"}]})("amplify")
    assert client.meta.endpoint_url == "http://127.0.0.1:4566" and client.meta.region_name == "eu-central-1"
    assert client._request_signer._credentials.access_key == "AKIASTACKSTACKSTACK0"
