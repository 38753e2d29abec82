"""What the API documents promise of errors, over real HTTP in local mode: a 400 says what was invalid.

GIVEN the dev stack in local mode (conftest ``local_stack``)
WHEN a signed-in user sends a body API Gateway's validator refuses, or one a function refuses
THEN the 400 carries ``errors`` (field, message, type), as the published ``Error`` schema says, in valid JSON.
"""

from __future__ import annotations

import uuid

import pytest

from tests.local.conftest import http
from tests.local.test_e2e_patterns import PATTERNS


def _show_id(pattern, token) -> str:
    return http("GET", pattern.url("/shows"), token=token).json()["items"][0]["id"]


@pytest.mark.parametrize("name", PATTERNS)
def test_a_body_the_gateway_refuses_says_what_was_invalid(name, patterns, sign_in):
    pattern = patterns[name]
    token = sign_in.id_token(pattern)
    show = _show_id(pattern, token)
    # (a value with a quote in it: the validator's message quotes it back, and the answer must stay JSON)
    for body in ({"show_id": show}, {"show_id": show, "quantity": 0}, {"show_id": show, "quantity": "it's"}, [],
                 b"not json"):
        answer = http("POST", pattern.url("/tickets"), token=token, body=body,
                      headers={"Idempotency-Key": str(uuid.uuid4())})
        assert answer.status == 400, (body, answer.body)
        error = answer.json()
        assert error["message"] and error["request_id"], error
        assert error["errors"] and all(set(e) == {"field", "message", "type"} and e["message"]
                                       for e in error["errors"]), error
    quoted = http("POST", pattern.url("/tickets"), token=token, body={"show_id": show, "quantity": "it's"}).json()
    assert "it's" in quoted["errors"][0]["message"]


@pytest.mark.parametrize("name", PATTERNS)
def test_a_body_the_function_refuses_says_what_was_invalid_too(name, patterns, sign_in):
    pattern = patterns[name]
    token = sign_in.id_token(pattern)
    answer = http("POST", pattern.url("/tickets"), token=token,
                  body={"show_id": _show_id(pattern, token), "quantity": 1, "seat": "A1"})
    assert answer.status == 400
    assert answer.json()["errors"] == [{"field": "body.seat", "message": "Extra inputs are not permitted",
                                        "type": "extra_forbidden"}]
