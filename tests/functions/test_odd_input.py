"""Hostile and odd requests: every one is a 4xx with a JSON error, never a 5xx or another route's answer.

GIVEN requests a client can send (any media type, any bytes, control characters in the path)
WHEN a service handles them as API Gateway delivers them
THEN each is refused with the status the API documents (shared/api.py) and a JSON ``message``.
"""

import base64
import json

import pytest

from events import FakeLambdaContext, api_event, cognito_authorizer, parse
from fn_support import get_item, load_service, put_show

ADMIN = cognito_authorizer("admin-1", "[admins]")
SHOW = {"title": "Hamlet", "venue": "Main hall", "starts_at": "2099-12-01T19:30:00Z", "capacity": 5,
        "price_cents": 100}
TICKET = {"show_id": "show-001", "quantity": 1}


@pytest.fixture
def services(tables):
    put_show("show-001")
    return {name: load_service(name) for name in ("shows", "tickets")}


def send(module, event):
    status, body = parse(module.handler(event, FakeLambdaContext()))
    assert isinstance(body, dict) and isinstance(body.get("message"), str), body
    return status, body


WRITES = [("shows", "POST", "/shows", None, SHOW), ("shows", "PUT", "/shows/{id}", {"id": "show-001"}, SHOW),
          ("tickets", "POST", "/tickets", None, TICKET)]


@pytest.mark.parametrize(("service", "method", "resource", "params", "body"), WRITES)
@pytest.mark.parametrize("media_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml",
                                        "multipart/form-data; boundary=x"])
def test_a_body_that_is_not_json_is_415(services, service, method, resource, params, body, media_type):
    event = api_event(method, resource, path_params=params, body=json.dumps(body), authorizer=ADMIN,
                      headers={"Content-Type": media_type})
    status, answer = send(services[service], event)
    assert status == 415 and answer["message"] == "Send the body as application/json"
    assert get_item("shows", "show-001")["remaining"] == 100  # nothing bought


@pytest.mark.parametrize(("service", "method", "resource", "params", "body"), WRITES)
def test_an_unsupported_media_type_without_a_body_is_415_too(services, service, method, resource, params, body):
    event = api_event(method, resource, path_params=params, authorizer=ADMIN, headers={"Content-Type": "text/plain"})
    assert send(services[service], event)[0] == 415


@pytest.mark.parametrize("raw", [b"\xff\xfe{}", b'{"show_id": "\xc3"}'])
def test_a_body_that_is_not_utf8_is_400(services, raw):
    event = api_event("POST", "/tickets", body="x", authorizer=ADMIN)
    event.update(body=base64.b64encode(raw).decode(), isBase64Encoded=True)
    status, answer = send(services["tickets"], event)
    assert status == 400 and answer["errors"][0]["type"] == "json_invalid"


@pytest.mark.parametrize(("service", "resource", "path", "params"), [
    ("tickets", "/tickets/{id}", "/tickets/\n", {"id": "\n"}),
    ("shows", "/shows/{id}", "/shows/show-001\n", {"id": "show-001\n"}),
    ("shows", "/shows/{id}", "/shows/show-001\r", {"id": "show-001\r"}),
    ("shows", "/shows/{id}", "/shows/\t", {"id": "\t"}),
])
def test_a_trailing_control_character_matches_no_other_route(services, service, resource, path, params):
    # API Gateway routes /tickets/%0A to /tickets/{id} with id "\n"; the function must not answer as /tickets.
    event = api_event("GET", resource, path, path_params=params, authorizer=ADMIN)
    status, answer = send(services[service], event)
    assert status == 404 and "items" not in answer and answer.get("id") is None


def test_info_with_a_newline_section_is_not_the_whole_venue(tables, monkeypatch):
    monkeypatch.setenv("INFO_SOURCE", "s3")
    monkeypatch.setenv("INFO_BUCKET", "no-bucket-needed")
    info = load_service("info")
    event = api_event("GET", "/info/{section}", "/info/\n", path_params={"section": "\n"})
    status, answer = send(info, event)
    assert status == 404 and "name" not in answer


@pytest.mark.parametrize("show_id", ["a b", "x" * 65, "-leading-dash", "show%2F001", "ü"])
def test_path_parameters_are_validated_by_pattern(services, show_id):
    status, answer = send(services["shows"], api_event("GET", "/shows/{id}", path_params={"id": show_id}))
    assert status == 400 and answer["errors"][0]["field"] == "path.id"


def test_unknown_body_fields_are_400_naming_them(services):
    event = api_event("POST", "/tickets", body={**TICKET, "price_cents": 1}, authorizer=ADMIN)
    status, answer = send(services["tickets"], event)
    assert status == 400 and answer["errors"][0]["field"] == "body.price_cents"
