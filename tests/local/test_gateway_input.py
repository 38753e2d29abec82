"""The API Gateway emulator with odd input: whole-path routing, the 10 MB payload limit, the published document."""

from __future__ import annotations

import http.client
import json

import pytest

from local.apigateway import Gateway
from local.apigateway.server import MAX_PAYLOAD
from tests.local.test_gateway import FakeLambda, call, make_api

PUBLISHED = {"openapi": "3.0.1", "info": {"title": "tickets", "version": "1.0"}, "paths": {}}


@pytest.fixture
def gateway(fake: FakeLambda):
    gw = Gateway(make_api(published_openapi=PUBLISHED), fake, log=lambda line: None)
    gw.start()
    yield gw
    gw.stop()


@pytest.fixture
def fake() -> FakeLambda:
    return FakeLambda()


@pytest.mark.parametrize("path", ["/shows%0A", "/shows%0D", "/search%0A", "/shows/featured%0A/x"])
def test_a_trailing_control_character_is_no_other_route(gateway, fake, path):
    r = call(f"{gateway.api.url}{path}")
    assert r.status == 403 and r.json()["message"] == "Missing Authentication Token"
    assert fake.calls == []


def test_a_control_character_is_a_path_parameter_value_as_api_gateway_routes_it(gateway, fake):
    # /shows/%0A is /shows/{id} with the id "\n" (the function refuses it), never /shows
    r = call(f"{gateway.api.url}/shows/%0A")
    assert r.status == 200 and r.json()["resource"] == "/shows/{id}" and r.json()["pathParameters"] == {"id": "\n"}
    r = call(f"{gateway.api.url}/shows/featured%0A")
    assert r.json()["resource"] == "/shows/{id}" and r.json()["pathParameters"] == {"id": "featured\n"}


def _post(gateway: Gateway, size: int, chunked: bool = False) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
    body = b"x" * size
    headers = {"Content-Type": "application/json"}
    if chunked:
        connection.request("POST", f"/{gateway.api.stage}/tickets", body=iter([body[:size // 2], body[size // 2:]]),
                           headers={**headers, "Transfer-Encoding": "chunked"}, encode_chunked=True)
    else:
        connection.request("POST", f"/{gateway.api.stage}/tickets", body=body, headers=headers)
    response = connection.getresponse()
    answer = response.status, json.loads(response.read() or b"null")
    connection.close()
    return answer


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_10_mb_is_413_before_anything_else(gateway, fake, chunked):
    status, body = _post(gateway, MAX_PAYLOAD + 1, chunked)
    assert status == 413 and body["message"] == "Request Too Long"
    assert fake.calls == []  # neither the authorizer nor the function ran


def test_a_body_of_exactly_10_mb_is_passed_on(gateway, fake):
    status, _ = _post(gateway, MAX_PAYLOAD)
    assert status == 401  # on to the TOKEN authorizer, which finds no token
    assert len(fake.calls) == 0


def test_the_published_document_is_served_unauthenticated_with_its_server(gateway, fake):
    r = call(f"{gateway.api.url}/openapi.json")
    assert r.status == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == {**PUBLISHED, "servers": [{"url": gateway.api.url}]}
    assert fake.calls == []


def test_no_document_is_served_for_an_api_without_one(fake):
    gw = Gateway(make_api(), fake, log=lambda line: None).start()
    try:
        assert call(f"{gw.api.url}/openapi.json").status == 403
    finally:
        gw.stop()
