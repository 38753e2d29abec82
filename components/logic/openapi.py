"""The OpenAPI 3 document of a REST API, with API Gateway's extensions.

A pure function of resolved values, so the same document is what API Gateway
imports, what local mode serves and what a fuzzer reads. Integrations call each
function's alias through a stage variable, so a new function version needs no
new deployment, while any change to routes, auth or validation changes the
document (and with it the deployment trigger).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

OPENAPI_VERSION = "3.0.1"
JWT_PATTERN = r"^(Bearer )?[-0-9A-Za-z_=]+\.[-0-9A-Za-z_=]+\.[-0-9A-Za-z_=]*$"
_PATH = re.compile(r"^(/[A-Za-z0-9._~-]+|/\{[A-Za-z_][A-Za-z0-9_]*\+?\})+$|^/$")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


@dataclass(frozen=True)
class AuthSpec:
    """A resolved authorizer: kind is cognito, token, request, iam or none."""

    kind: str
    name: str = ""
    provider_arns: Sequence[str] = ()
    authorizer_uri: str = ""
    ttl_seconds: int = 300
    identity_source: str = "method.request.header.Authorization"
    scopes: Sequence[str] = ()


@dataclass(frozen=True)
class RouteSpec:
    """A resolved route: where it goes and how it is guarded."""

    path: str
    method: str
    stage_variable: str
    function_arn: str
    auth: AuthSpec
    request_schema: Mapping[str, Any] | None = None
    query_parameters: Mapping[str, bool] = field(default_factory=dict)  # name → required
    header_parameters: Mapping[str, bool] = field(default_factory=dict)
    api_key_required: bool = False
    cache_key_parameters: Sequence[str] = ()
    integration: Mapping[str, Any] | None = None  # operation fields of a non-proxy integration (integrations.py)


def path_parameters(path: str) -> list[str]:
    return [p.rstrip("+") for p in re.findall(r"\{([^}]+)\}", path)]


def validate_route(path: str, method: str) -> None:
    if not _PATH.match(path):
        raise ValueError(f"route path {path!r} must start with / and use only letters, digits, ._~- and {{param}}")
    if method not in METHODS:
        raise ValueError(f"route {path}: method {method!r} must be one of {', '.join(METHODS)}")


def operation_id(route: RouteSpec) -> str:
    """getShowsId for GET /shows/{id}."""
    words = re.findall(r"[A-Za-z0-9]+", route.path)
    return route.method.lower() + "".join(w[:1].upper() + w[1:] for w in words)


def schema_name(route: RouteSpec) -> str:
    name = operation_id(route)
    return name[:1].upper() + name[1:] + "Request"


def lambda_integration_uri(function_arn: str, stage_variable: str) -> str:
    # arn:aws:lambda:<region>:<account>:function:<name> → a URI whose function is a stage variable.
    parts = function_arn.split(":")
    region, account = parts[3], parts[4]
    target = f"arn:{parts[1]}:lambda:{region}:{account}:function:${{stageVariables.{stage_variable}}}"
    return f"arn:{parts[1]}:apigateway:{region}:lambda:path/2015-03-31/functions/{target}/invocations"


def _lambda_proxy(route: RouteSpec) -> dict:
    return {
        "responses": {"default": {"description": "Response of the Lambda proxy integration"}},
        "x-amazon-apigateway-integration": {
            "type": "aws_proxy", "httpMethod": "POST", "passthroughBehavior": "when_no_match",
            "uri": lambda_integration_uri(route.function_arn, route.stage_variable),
            "timeoutInMillis": 29000,
            **({"cacheKeyParameters": list(route.cache_key_parameters)} if route.cache_key_parameters else {}),
        },
    }


def _security_scheme(auth: AuthSpec) -> dict:
    base = {"type": "apiKey", "name": "Authorization", "in": "header"}
    if auth.kind == "cognito":
        return {**base, "x-amazon-apigateway-authtype": "cognito_user_pools",
                "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                                                   "providerARNs": list(auth.provider_arns)}}
    if auth.kind == "iam":
        return {**base, "x-amazon-apigateway-authtype": "awsSigv4"}
    authorizer = {"type": auth.kind, "authorizerUri": auth.authorizer_uri,
                  "authorizerResultTtlInSeconds": auth.ttl_seconds}
    if auth.kind == "token":
        authorizer["identityValidationExpression"] = JWT_PATTERN
    else:
        authorizer["identitySource"] = auth.identity_source
    header = auth.identity_source.rsplit(".", 1)[-1] if auth.kind == "token" else "Authorization"
    return {**base, "name": header, "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": authorizer}


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


def _preflight(methods: Sequence[str], origins: Sequence[str]) -> dict:
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
        "security": [],
        "responses": {"204": {"description": "CORS preflight", "headers": {
            name.removeprefix("method.response.header."): {"schema": {"type": "string"}}
            for name in response_parameters}}},
        "x-amazon-apigateway-integration": {
            "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 204}'},
            "passthroughBehavior": "when_no_match",
            "responses": {"default": integration_response}},
    }


def _gateway_responses(origins: Sequence[str]) -> dict:
    headers = {"gatewayresponse.header.Access-Control-Allow-Origin": f"'{origins[0]}'",
               "gatewayresponse.header.Access-Control-Allow-Headers":
                   f"'{_cors_headers(origins)['Access-Control-Allow-Headers']}'"}
    if len(origins) > 1:
        # A gateway response's template is not run through VTL, so it cannot choose among
        # origins: name the caller's, so a page at any allowed origin reads its errors (an
        # error carries nothing but its message; the preflight still admits only the allowed).
        headers["gatewayresponse.header.Access-Control-Allow-Origin"] = "method.request.header.Origin"
        headers["gatewayresponse.header.Vary"] = "'Origin'"
    template = {"application/json": '{"message": $context.error.messageString, "request_id": "$context.requestId"}'}
    return {kind: {"responseParameters": headers, "responseTemplates": template}
            for kind in ("DEFAULT_4XX", "DEFAULT_5XX")}


def build(*, title: str, description: str, routes: Sequence[RouteSpec], cors_origins: Sequence[str],
          policy: Mapping[str, Any] | None = None) -> dict:
    """The whole document; every method is authorized unless its auth kind is ``none``.

    The endpoint type is not in the document: OpenAPI 3 only allows it on a Server
    object, which would also set the base path; the RestApi's ``endpoint_configuration``
    argument sets it instead.
    """
    paths: dict[str, dict] = {}
    schemes: dict[str, dict] = {}
    schemas: dict[str, dict] = {}
    seen: set[tuple[str, str]] = set()
    for route in sorted(routes, key=lambda r: (r.path, r.method)):
        validate_route(route.path, route.method)
        if (route.path, route.method) in seen:
            raise ValueError(f"route {route.method} {route.path} is declared twice")
        seen.add((route.path, route.method))
        operation: dict[str, Any] = {
            "operationId": operation_id(route),
            "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                           for p in path_parameters(route.path)]
                          + [{"name": n, "in": "query", "required": r, "schema": {"type": "string"}}
                             for n, r in sorted(route.query_parameters.items())]
                          + [{"name": n, "in": "header", "required": r, "schema": {"type": "string"}}
                             for n, r in sorted(route.header_parameters.items())],
            "x-amazon-apigateway-request-validator": "params",
            **(route.integration or _lambda_proxy(route)),
        }
        if route.request_schema is not None:
            name = schema_name(route)
            schemas[name] = dict(route.request_schema)
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
            operation["x-amazon-apigateway-request-validator"] = "all"
        security: dict[str, list[str]] = {}
        if route.auth.kind != "none":
            schemes[route.auth.name] = _security_scheme(route.auth)
            security[route.auth.name] = list(route.auth.scopes)
        if route.api_key_required:
            schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
            security["api_key"] = []
        operation["security"] = [security] if security else []
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    for path, operations in paths.items():
        operations["options"] = _preflight([m.upper() for m in operations], cors_origins)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "description": description, "version": "1.0"},
        "paths": paths,
        "components": {"securitySchemes": schemes, "schemas": schemas},
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": True, "validateRequestParameters": True},
            "params": {"validateRequestBody": False, "validateRequestParameters": True}},
        "x-amazon-apigateway-gateway-responses": _gateway_responses(cors_origins),
        "x-amazon-apigateway-api-key-source": "HEADER",
    }
    if policy:
        document["x-amazon-apigateway-policy"] = dict(policy)
    return document
