"""The shared package: identity, settings, the error mapper, cursors, CORS."""

import json
import re

import pytest
from pydantic import Field

from events import api_event, cognito_authorizer, lambda_authorizer
from shared import ConfigError, UnauthorizedError, identity_from_event, load_settings, parse_groups
from shared.config import EnvSettings
from shared.dynamo import next_cursor, start_key
from shared.errors import ConflictError
from shared.http import error_response, location, with_cors
from shared.models import CURSOR_PATTERN


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("admins", {"admins"}),
        ("[admins other]", {"admins", "other"}),
        ("admins,other", {"admins", "other"}),
        ("admins, other", {"admins", "other"}),
        (["admins", "other"], {"admins", "other"}),
        ("", set()),
        (None, set()),
        ("[]", set()),
    ],
)
def test_parse_groups_accepts_every_shape_api_gateway_delivers(raw, expected):
    assert parse_groups(raw) == frozenset(expected)


def test_identity_from_cognito_claims():
    event = api_event("GET", "/tickets", authorizer=cognito_authorizer("user-1", "[admins staff]"))
    identity = identity_from_event(event)
    assert identity.user_id == "user-1"
    assert identity.in_group("admins") and identity.in_group("staff")


def test_identity_from_lambda_authorizer_context():
    identity = identity_from_event(api_event("GET", "/tickets", authorizer=lambda_authorizer("u-2", "admins,x")))
    assert identity.user_id == "u-2"
    assert identity.groups == frozenset({"admins", "x"})


def test_identity_ignores_the_body_and_requires_a_context():
    event = api_event("POST", "/tickets", body={"owner": "mallory", "sub": "mallory"})
    with pytest.raises(UnauthorizedError):
        identity_from_event(event)


class _Settings(EnvSettings):
    table: str = Field(alias="SOME_TABLE")
    port: int = Field(default=1, alias="SOME_PORT", ge=1, le=10)


def test_settings_fail_clearly_naming_the_variable():
    with pytest.raises(ConfigError, match="SOME_TABLE is required"):
        load_settings(_Settings, {})
    with pytest.raises(ConfigError, match=r"SOME_PORT='99'.*less than or equal to 10"):
        load_settings(_Settings, {"SOME_TABLE": "t", "SOME_PORT": "99"})
    assert load_settings(_Settings, {"SOME_TABLE": "t", "SOME_PORT": "3"}).port == 3


def test_error_mapper_hides_internals_and_returns_the_request_id():
    response = error_response(KeyError("secret internal detail"), "req-123")
    assert response.status_code == 500
    body = json.loads(response.body)
    assert body == {"message": "Internal server error", "request_id": "req-123"}


def test_error_mapper_keeps_app_error_messages():
    response = error_response(ConflictError("sold out", errors=[{"field": "x"}]))
    assert response.status_code == 409
    assert json.loads(response.body) == {"message": "sold out", "errors": [{"field": "x"}]}


def test_a_cursor_is_the_last_sort_key_and_id_and_any_such_value_is_a_position():
    last = {"id": {"S": "show-001"}, "kind": {"S": "show"}, "starts_at": {"S": "2026-01-01T00:00:00Z"}}
    cursor = next_cursor(last, "starts_at")
    assert cursor == "2026-01-01T00:00:00Z~show-001"
    assert re.fullmatch(CURSOR_PATTERN.strip("^$"), cursor)
    assert start_key(cursor, {"kind": "show"}, "starts_at") == last
    assert next_cursor(None, "starts_at") is None and start_key(None, {}, "x") is None


def test_with_cors_sets_origin_in_the_header_map_used():
    single = with_cors({"statusCode": 200, "headers": {"A": "b"}}, "https://app.example", "https://app.example")
    assert single["headers"]["Access-Control-Allow-Origin"] == "https://app.example"
    assert single["headers"]["Vary"] == "Origin"
    multi = with_cors({"statusCode": 200, "multiValueHeaders": {"Content-Type": ["application/json"]}}, "*")
    assert multi["multiValueHeaders"]["Access-Control-Allow-Origin"] == ["*"]


def test_with_cors_echoes_any_allowed_origin_and_no_other():
    allowed = "https://a.example, https://b.example"
    second = with_cors({"statusCode": 200, "headers": {}}, allowed, "https://b.example")
    assert second["headers"]["Access-Control-Allow-Origin"] == "https://b.example"
    stranger = with_cors({"statusCode": 200, "headers": {}}, allowed, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in stranger["headers"] and stranger["headers"]["Vary"] == "Origin"


@pytest.mark.parametrize(("full_path", "expected"), [
    ("/dev/tickets/t1", "/dev/tickets/t2"),   # API Gateway's own endpoint: under the stage
    ("/v1/tickets/t1", "/v1/tickets/t2"),     # a custom domain's base path
    ("/tickets/t1", "/tickets/t2"),           # a custom domain mapped at its root
])
def test_a_location_is_the_path_the_caller_reaches_it_by(full_path, expected):
    # GIVEN a request of GET /tickets/{id} reaching the API by one of its URLs
    event = api_event("GET", "/tickets/{id}", path_params={"id": "t1"})
    event["requestContext"]["path"] = full_path
    # THEN another of the API's paths is given under the same prefix
    assert location(event, "/tickets/t2") == expected


def test_a_location_without_the_requests_path_is_the_apis_own():
    assert location({"resource": "/tickets"}, "/tickets/t2") == "/tickets/t2"
