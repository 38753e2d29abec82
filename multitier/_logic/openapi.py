"""The OpenAPI 3.0 documents of a REST API: what API Gateway imports and what clients read.

Both are pure functions of the same resolved routes. Each route carries its
``Contract`` (parameters, body and responses with their schemas): ``publish`` renders
it whole, for clients and fuzzers; ``build`` renders what API Gateway's importer
accepts without a warning (the API is imported with ``fail_on_warnings``), plus
API Gateway's extensions: authorizers, validators, integrations, CORS (``cors.py``).
Lambda proxy integrations call each function's alias through a stage variable, so a
new function version needs no new deployment, while any change to routes, auth or
validation changes the document (and with it the deployment trigger). Other kinds
come rendered (``integrations.py``): their method responses are the contract's
statuses, with the headers their integration responses set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from multitier._logic import cors

OPENAPI_VERSION = "3.0.1"
JWT_PATTERN = r"^(Bearer )?[-0-9A-Za-z_=]+\.[-0-9A-Za-z_=]+\.[-0-9A-Za-z_=]*$"
_PATH = re.compile(r"^(/[A-Za-z0-9._~-]+|/\{[A-Za-z_][A-Za-z0-9_]*\+?\})+$|^/$")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
SCHEMA_REF = "#/components/schemas/"
HEADER = "method.response.header."
# JSON Schema draft 4 keywords API Gateway's models take; anything else (additionalProperties,
# anyOf, oneOf, discriminator, example, readOnly, nullable, ...) makes the import warn.
MODEL_KEYWORDS = {"type", "properties", "required", "items", "enum", "minimum", "maximum", "minLength", "maxLength",
                  "pattern", "format", "minItems", "maxItems", "uniqueItems", "multipleOf", "description", "$ref",
                  "allOf"}


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
class Contract:
    """What clients see of one operation, as plain OpenAPI 3.0 objects.

    ``parameters`` are Parameter objects (path ones included); ``request_body`` names the
    component schema of the ``application/json`` body; ``responses`` maps each status to
    a Response object; ``schemas`` holds every component schema these refer to.
    """

    operation_id: str
    summary: str = ""
    tags: Sequence[str] = ()
    parameters: Sequence[Mapping[str, Any]] = ()
    request_body: str | None = None
    responses: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class RouteSpec:
    """A resolved route: where it goes, how it is guarded and (optionally) its contract."""

    path: str
    method: str
    stage_variable: str
    function_arn: str
    auth: AuthSpec
    contract: Contract | None = None
    api_key_required: bool = False
    cache_key_parameters: Sequence[str] = ()
    integration: Mapping[str, Any] | None = None  # a non-proxy integration (integrations.py); None: Lambda proxy


def path_parameters(path: str) -> list[str]:
    return [p.rstrip("+") for p in re.findall(r"\{([^}]+)\}", path)]


def _string_path_parameters(path: str) -> list[dict[str, Any]]:
    return [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in path_parameters(path)]


def validate_route(path: str, method: str) -> None:
    if not _PATH.match(path):
        raise ValueError(f"route path {path!r} must start with / and use only letters, digits, ._~- and {{param}}")
    if method not in METHODS:
        raise ValueError(f"route {path}: method {method!r} must be one of {', '.join(METHODS)}")


def contract_of(route: RouteSpec) -> Contract:
    """The route's contract; without one, its path parameters (strings) and undescribed answers:
    a 200 of its function, or each status its non-proxy integration answers."""
    if route.contract is not None:
        return route.contract
    words = re.findall(r"[A-Za-z0-9]+", route.path)
    kind = (route.integration or {}).get("type")
    statuses = integration_statuses(route.integration) if route.integration else ["200"]
    return Contract(
        operation_id=route.method.lower() + "".join(w[:1].upper() + w[1:] for w in words),  # getShowsId
        parameters=_string_path_parameters(route.path),
        responses={status: {"description": f"Answered by API Gateway's {kind} integration" if kind
                            else "The answer of the function"} for status in statuses})


def integration_statuses(integration: Mapping[str, Any]) -> list[str]:
    """The statuses a non-proxy integration's responses answer (each needs a method response)."""
    return sorted({str(response["statusCode"]) for response in integration["responses"].values()})


def check_statuses(label: str, contract: Contract, answered: Sequence[str]) -> None:
    """API Gateway maps an integration response only onto a declared method response, and a client
    reads only the statuses the contract names: the contract must declare every one answered."""
    missing = sorted(set(answered) - set(contract.responses))
    if missing:
        raise ValueError(f"route {label}: its integration answers {', '.join(missing)}, which operation "
                         f"{contract.operation_id} does not declare")


def api_gateway_model(schema: Any) -> Any:
    """A schema as an API Gateway model: only the draft 4 keywords its importer takes.

    What is dropped (``additionalProperties: false``, ``nullable``, examples) only
    loosens what API Gateway checks; the function validates the whole contract.
    """
    if isinstance(schema, list):
        return [api_gateway_model(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {key: ({name: api_gateway_model(item) for name, item in value.items()} if key == "properties"
                  else api_gateway_model(value))
            for key, value in schema.items()
            if key in MODEL_KEYWORDS and not (key == "format" and value in ("int32", "int64"))}


def lambda_integration_uri(function_arn: str, stage_variable: str) -> str:
    # arn:aws:lambda:<region>:<account>:function:<name> → a URI whose function is a stage variable.
    parts = function_arn.split(":")
    region, account = parts[3], parts[4]
    target = f"arn:{parts[1]}:lambda:{region}:{account}:function:${{stageVariables.{stage_variable}}}"
    return f"arn:{parts[1]}:apigateway:{region}:lambda:path/2015-03-31/functions/{target}/invocations"


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


def _integration(route: RouteSpec) -> Mapping[str, Any]:
    """How API Gateway calls the route's backend: its non-proxy integration, else a Lambda proxy to its alias."""
    if route.integration is not None:
        return route.integration
    integration = {"type": "aws_proxy", "httpMethod": "POST", "passthroughBehavior": "when_no_match",
                   "uri": lambda_integration_uri(route.function_arn, route.stage_variable), "timeoutInMillis": 29000}
    if route.cache_key_parameters:
        integration["cacheKeyParameters"] = list(route.cache_key_parameters)
    return integration


def _method_responses(route: RouteSpec, contract: Contract) -> dict[str, dict]:
    """Each status of the contract, described; where a non-proxy integration answers it, with the
    headers its integration response sets (API Gateway sets only a declared header)."""
    responses = {status: {"description": response["description"]} for status, response in contract.responses.items()}
    if route.integration is None:
        return responses  # a proxy integration answers for itself
    check_statuses(f"{route.method} {route.path}", contract, integration_statuses(route.integration))
    for mapped in route.integration["responses"].values():
        headers = sorted(name.removeprefix(HEADER) for name in mapped.get("responseParameters") or {}
                         if name.startswith(HEADER))
        if headers:
            responses[str(mapped["statusCode"])]["headers"] = {name: {"schema": {"type": "string"}} for name in headers}
    return responses


def _checked(routes: Sequence[RouteSpec]) -> list[RouteSpec]:
    seen: set[tuple[str, str]] = set()
    for route in routes:
        validate_route(route.path, route.method)
        if (route.path, route.method) in seen:
            raise ValueError(f"route {route.method} {route.path} is declared twice")
        seen.add((route.path, route.method))
    return sorted(routes, key=lambda r: (r.path, r.method))


def _security(route: RouteSpec, schemes: dict[str, dict]) -> list[dict[str, list[str]]]:
    """The route's security requirement; adds the schemes it names to ``schemes``."""
    security: dict[str, list[str]] = {}
    if route.auth.kind != "none":
        schemes[route.auth.name] = _security_scheme(route.auth)
        security[route.auth.name] = list(route.auth.scopes)
    if route.api_key_required:
        schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
        security["api_key"] = []
    return [security] if security else []


def merged_schemas(contracts: Sequence[Contract]) -> dict[str, Mapping[str, Any]]:
    """Every schema the contracts hold; one name must mean one schema."""
    schemas: dict[str, Mapping[str, Any]] = {}
    for contract in contracts:
        for name, schema in contract.schemas.items():
            if schemas.setdefault(name, schema) != schema:
                raise ValueError(f"operation {contract.operation_id}: schema {name!r} differs from another "
                                 f"operation's schema of that name")
    return schemas


def _body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": SCHEMA_REF + name}}}}


def _referenced(names: Sequence[str], schemas: Mapping[str, Any]) -> set[str]:
    """``names`` and every schema they refer to, transitively."""
    found: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending += re.findall(re.escape(SCHEMA_REF) + r"(\w+)", repr(schemas[name]))
    return found


def build(*, title: str, description: str, routes: Sequence[RouteSpec], cors_origins: Sequence[str],
          policy: Mapping[str, Any] | None = None, endpoint: Mapping[str, Any] | None = None) -> dict:
    """The document API Gateway imports; every method is authorized unless its auth kind is ``none``.

    Parameters keep only what API Gateway reads of them (name, place, required, type);
    responses only their status and description (a proxy integration answers for
    itself); request body models only the keywords its importer takes. ``endpoint``
    (``vpcEndpointIds``, ``disableExecuteApiEndpoint``) goes on a Server object, so that
    an import in overwrite mode keeps it; the base path of that server is ignored on
    import.
    """
    paths: dict[str, dict] = {}
    schemes: dict[str, dict] = {}
    schemas = merged_schemas([contract_of(route) for route in routes])
    bodies: list[str] = []
    for route in _checked(routes):
        contract = contract_of(route)
        operation: dict[str, Any] = {
            "operationId": contract.operation_id,
            "parameters": [{"name": p["name"], "in": p["in"], "required": p["required"],
                            "schema": {"type": p.get("schema", {}).get("type", "string")}}
                           for p in contract.parameters],
            "responses": _method_responses(route, contract),
            "security": _security(route, schemes),
            "x-amazon-apigateway-request-validator": "params",
            "x-amazon-apigateway-integration": _integration(route),
        }
        if contract.request_body is not None:
            bodies.append(contract.request_body)
            operation["requestBody"] = _body(contract.request_body)
            operation["x-amazon-apigateway-request-validator"] = "all"
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    for path, operations in paths.items():
        operations["options"] = cors.preflight(_string_path_parameters(path), [m.upper() for m in operations],
                                               cors_origins)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "description": description, "version": "1.0"},
        "paths": paths,
        "components": {"securitySchemes": schemes,
                       "schemas": {name: api_gateway_model(schemas[name])
                                   for name in sorted(_referenced(bodies, schemas))}},
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": True, "validateRequestParameters": True},
            "params": {"validateRequestBody": False, "validateRequestParameters": True}},
        "x-amazon-apigateway-gateway-responses": cors.gateway_responses(cors_origins),
        "x-amazon-apigateway-api-key-source": "HEADER",
    }
    if endpoint:
        document["servers"] = [{"url": "/", "x-amazon-apigateway-endpoint-configuration": dict(endpoint)}]
    if policy:
        document["x-amazon-apigateway-policy"] = dict(policy)
    return document


def publish(*, title: str, description: str, routes: Sequence[RouteSpec]) -> dict:
    """The document clients read: every contract whole, and no AWS extension (nor the CORS preflights)."""
    paths: dict[str, dict] = {}
    schemes: dict[str, dict] = {}
    schemas = merged_schemas([contract_of(route) for route in routes])
    for route in _checked(routes):
        contract = contract_of(route)
        operation: dict[str, Any] = {"operationId": contract.operation_id}
        if contract.summary:
            operation["summary"] = contract.summary
        if contract.tags:
            operation["tags"] = list(contract.tags)
        operation["parameters"] = [dict(p) for p in contract.parameters]
        if contract.request_body is not None:
            operation["requestBody"] = _body(contract.request_body)
        operation["responses"] = {status: dict(response) for status, response in contract.responses.items()}
        operation["security"] = _security(route, schemes)
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    _keep_links_within(paths)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "description": description, "version": "1.0"},
        "tags": [{"name": tag} for tag in sorted({t for ops in paths.values() for op in ops.values()
                                                  for t in op.get("tags", ())})],
        "paths": paths,
        "components": {"securitySchemes": {name: _published_scheme(scheme) for name, scheme in schemes.items()},
                       "schemas": dict(sorted(schemas.items()))},
    }


def _keep_links_within(paths: dict[str, dict]) -> None:
    """Drop the links to operations this API does not have (a microservice has only its own)."""
    ids = {operation["operationId"] for operations in paths.values() for operation in operations.values()}
    for operations in paths.values():
        for operation in operations.values():
            for response in operation["responses"].values():
                if "links" in response:
                    response["links"] = {name: link for name, link in response["links"].items()
                                         if link["operationId"] in ids}
                    if not response["links"]:
                        del response["links"]


def _published_scheme(scheme: Mapping[str, Any]) -> dict:
    authorizer = scheme.get("x-amazon-apigateway-authorizer") or {}
    kind = authorizer.get("type") or scheme.get("x-amazon-apigateway-authtype") or "api_key"
    described = {"cognito_user_pools": "A Cognito user pool ID token (the JWT itself, no 'Bearer ' prefix)",
                 "token": "A JWT of the OIDC issuer, 'Bearer ' prefix optional",
                 "request": "A JWT of the OIDC issuer, 'Bearer ' prefix optional",
                 "awsSigv4": "An AWS Signature Version 4 signature",
                 "api_key": "The API key of a usage plan"}[kind]
    return {"type": "apiKey", "in": "header", "name": scheme["name"], "description": described}
