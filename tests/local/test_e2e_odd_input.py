"""Odd bodies on every route of the stack in local mode: always a 4xx with a JSON body, never a 5xx.

GIVEN every API of the dev stack, signed in as the demo user
WHEN each declared path (and its CORS preflight) is sent a body nobody should send: another
     content type than JSON (also where the route takes no body, the mock integrations
     included), JSON nested deeper than any parser goes, and bytes that are not UTF-8
THEN each answer is below 500, and an error carries a JSON body, whichever stage answers it (the
     gateway's validator, a mock, the S3 or non-proxy integration, the function).

The fuzzer (test_fuzz.py) sends bodies only where the documents declare one, so these
would escape it. None of the bodies is valid, so nothing is bought or changed.
"""

from __future__ import annotations

import json
import re

from tests.local.conftest import http

BODIES = {  # Content-Type → body
    "text/plain": b"x",
    "application/json": b'{"a": ' * 5000,  # nested deeper than any parser goes (and never closed)
    "application/json; charset=utf-8": b'{"title": "\xff\xfe"}',  # not UTF-8
}
METHODS = ("GET", "POST", "PUT", "DELETE", "OPTIONS")


def is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def test_odd_bodies_never_reach_a_5xx_anywhere(local_stack, sign_in, patterns):
    failures, sent = [], 0
    for api in local_stack.apis:
        pattern = patterns[local_stack.pattern_of(api.name)]
        token = sign_in.id_token(pattern)
        for path in api.openapi.get("paths") or {}:
            concrete = re.sub(r"\{[^}]+\}", "show-001", path)
            for method in METHODS:
                for content_type, body in BODIES.items():
                    response = http(method, api.url + concrete, token=token, body=body, headers={
                        "Content-Type": content_type, "Origin": "http://127.0.0.1:9999"})
                    sent += 1
                    where = f"{method} {api.name}{path} {content_type}: {response.status} {response.body[:120]!r}"
                    if response.status >= 500 or (response.status >= 400 and not is_json(response.body)):
                        failures.append(where)
    assert sent > 300  # every API, path, method and body
    assert not failures, "\n".join(failures)
