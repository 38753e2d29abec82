"""CORS as API Gateway answers it, where no function does: the preflights (mock integrations),
the gateway responses (its own errors, in the API's ``Error`` shape) and the template that echoes one of
several origins.

A response names one allowed origin; with several allowed, a template answers the caller's
when it is one of them (``echo_origin_template``), as the functions do (``shared.http.with_cors``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence


def _cors_headers(origins: Sequence[str]) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origins[0],
            "Access-Control-Allow-Headers": "Authorization,Content-Type,Idempotency-Key,X-Amz-Date,X-Api-Key,X-Amz-Security-Token",
            "Access-Control-Max-Age": "600"}


def echo_origin_template(origins: Sequence[str]) -> str:
    """VTL that answers the caller's Origin when it is one of several allowed (a response names one)."""
    checks = " || ".join(f'$origin == "{o}"' for o in origins)
    # No text outside the directives: it is prepended to bodies that must stay byte for byte.
    return ('#set($origin = $input.params("Origin"))'
            f'#if({checks})#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end')


def preflight(parameters: Sequence[Mapping[str, Any]], methods: Sequence[str], origins: Sequence[str]) -> dict:
    headers = _cors_headers(origins)
    response_parameters = {
        "method.response.header.Access-Control-Allow-Origin": f"'{headers['Access-Control-Allow-Origin']}'",
        "method.response.header.Access-Control-Allow-Methods": f"'{','.join(sorted(set(methods) | {'OPTIONS'}))}'",
        "method.response.header.Access-Control-Allow-Headers": f"'{headers['Access-Control-Allow-Headers']}'",
        "method.response.header.Access-Control-Max-Age": f"'{headers['Access-Control-Max-Age']}'",
    }
    integration_response: dict[str, Any] = {"statusCode": "204", "responseParameters": response_parameters}
    if len(origins) > 1:
        # A mock integration can echo one of several allowed origins only from a template.
        integration_response["responseTemplates"] = {"application/json": echo_origin_template(origins)}
    return {
        "summary": "CORS preflight, answered by API Gateway",
        "parameters": list(parameters),
        "security": [],
        "responses": {"204": {"description": "CORS preflight", "headers": {
            name.removeprefix("method.response.header."): {"schema": {"type": "string"}}
            for name in response_parameters}}},
        "x-amazon-apigateway-integration": {
            "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 204}'},
            "passthroughBehavior": "when_no_templates",  # another type's body would fail the mock: 415
            "responses": {"default": integration_response}},
    }


def gateway_responses(origins: Sequence[str]) -> dict:
    headers = {"gatewayresponse.header.Access-Control-Allow-Origin": f"'{origins[0]}'",
               "gatewayresponse.header.Access-Control-Allow-Headers":
                   f"'{_cors_headers(origins)['Access-Control-Allow-Headers']}'"}
    if len(origins) > 1:
        # A gateway response's template is not run through VTL, so it cannot choose among
        # origins: name the caller's, so a page at any allowed origin reads its errors (an
        # error carries nothing but its message; the preflight still admits only the allowed).
        headers["gatewayresponse.header.Access-Control-Allow-Origin"] = "method.request.header.Origin"
        headers["gatewayresponse.header.Vary"] = "'Origin'"
    return {kind: {"responseParameters": headers, "responseTemplates": {"application/json": template}}
            for kind, template in ERROR_TEMPLATES.items()}


def _error_template(errors: str = "") -> str:
    """The API's ``Error`` shape (``message``, ``errors`` for a 400, ``request_id``) as a gateway response's body."""
    return ('{"message": $context.error.messageString, ' + (f'"errors": [{errors}], ' if errors else "")
            + '"request_id": "$context.requestId"}')


# API Gateway's own errors in the shape a function's have: a validator's 400 says what was invalid, as a
# function's does (AWS escapes ``validationErrorString`` for a JSON string; ``messageString`` comes quoted).
ERROR_TEMPLATES = {
    "DEFAULT_4XX": _error_template(),
    "DEFAULT_5XX": _error_template(),
    "BAD_REQUEST_BODY": _error_template(
        '{"field": "body", "message": "$context.error.validationErrorString", "type": "invalid_body"}'),
    "BAD_REQUEST_PARAMETERS": _error_template(
        '{"field": "parameters", "message": $context.error.messageString, "type": "missing"}'),
}
