"""API Gateway's own errors have the API's ``Error`` shape: its validators' 400s say what was invalid.

GIVEN every REST API of the dev stack
THEN each error API Gateway answers by itself (a gateway response) renders to JSON that the published
     ``Error`` schema accepts, and a validator's 400 (body or parameters) carries ``errors``.
"""

from __future__ import annotations

import json
import re

import jsonschema

from tests.unit.test_api_documents import documents

# What AWS substitutes (``messageString`` comes quoted; ``validationErrorString`` escaped for a JSON string).
CONTEXT = {"context.error.messageString": json.dumps('Invalid request body'),
           "context.error.validationErrorString": json.dumps('[instance value ("x") not of type (["integer"])]')[1:-1],
           "context.requestId": "c0ffee"}


def render(template: str) -> dict:
    return json.loads(re.sub(r"\$(context\.[\w.]+)", lambda m: CONTEXT[m.group(1)], template))


def test_every_gateway_error_is_an_error_and_a_validators_400_says_what(dev_stack):
    for name, imported, published in documents(dev_stack):
        schema = {**published["components"]["schemas"]["Error"], "components": published["components"]}
        responses = imported["x-amazon-apigateway-gateway-responses"]
        assert {"BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses), name
        for kind, response in responses.items():
            body = render(response["responseTemplates"]["application/json"])
            jsonschema.validate(body, schema)  # its $refs resolve in the components it carries
            assert bool(body.get("errors")) == kind.startswith("BAD_REQUEST_"), (name, kind, body)
            assert body["request_id"] == "c0ffee"
        assert render(responses["BAD_REQUEST_BODY"]["responseTemplates"]["application/json"])["errors"][0][
            "message"] == '[instance value ("x") not of type (["integer"])]'
