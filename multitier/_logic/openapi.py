"""The OpenAPI 3.0 documents of a REST API: what API Gateway imports and what clients read.

Both are rendered from the same definition (the routes, checked by ``routes.check_routes``) and one
map of the values known only once the API's Outputs resolve (``Resolved``). Each route carries its
``OpenApiOperation`` (parameters, body and responses with their schemas): ``published`` renders it
whole, for clients and fuzzers; ``imported`` renders what API Gateway's importer accepts without a
warning (the API is imported with ``fail_on_warnings``), plus API Gateway's extensions: the security
scheme each auth kind describes, validators, integrations, CORS (``cors.py``). Lambda proxy
integrations call each function's alias through a stage variable, so a new function version needs no
new deployment, while any change to routes, auth or validation changes the document (and with it the
deployment trigger). Other kinds come rendered (``integrations.py``): their method responses are the
operation's statuses, with the headers their integration responses set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

from multitier._logic import cors, integrations
from multitier._logic.routes import Auth, OpenApiOperation, Public, Route, merged_schemas, path_parameters, \
    route_label, stage_variable

OPENAPI_VERSION = "3.0.1"
SCHEMA_REF = "#/components/schemas/"
HEADER = "method.response.header."
API_KEY = "api_key"
IMPORTED_API_KEY = {"type": "apiKey", "name": "x-api-key", "in": "header"}
PUBLISHED_API_KEY = {**IMPORTED_API_KEY, "description": "The API key of a usage plan"}
# JSON Schema draft 4 keywords API Gateway's models take; anything else (additionalProperties,
# anyOf, oneOf, discriminator, example, readOnly, nullable, ...) makes the import warn.
MODEL_KEYWORDS = {"type", "properties", "required", "items", "enum", "minimum", "maximum", "minLength", "maxLength",
                  "pattern", "format", "minItems", "maxItems", "uniqueItems", "multipleOf", "description", "$ref",
                  "allOf"}


@dataclass(frozen=True)
class ApiDefinition:
    """What both documents of one API are rendered from. ``api_keys``: every route requires an API key
    (a usage plan). ``endpoint`` (``vpcEndpointIds``, ``disableExecuteApiEndpoint``) and ``policy`` ride in
    the imported document, so that an import in overwrite mode keeps them."""

    title: str
    description: str
    routes: Sequence[Route]
    default_auth: Auth | Public
    cors_origins: Sequence[str]
    api_keys: bool = False
    policy: Mapping[str, Any] | None = None
    endpoint: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Resolved:
    """The values the documents read that exist once the API's Outputs resolve: each function's ARN (by its
    stage variable), each authorizer's ``inputs`` (by its name) and each non-proxy integration's inputs (by
    its route's label)."""

    functions: Mapping[str, str] = field(default_factory=dict)
    auths: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    integrations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Method:
    """One route as both documents see it."""

    route: Route
    auth: Auth | Public
    operation: OpenApiOperation
    integration: Mapping[str, Any]  # the x-amazon-apigateway-integration
    api_key: bool


def imported(definition: ApiDefinition, resolved: Resolved) -> dict:
    """The document API Gateway imports; every method is authorized unless its route is ``Public``.

    Parameters keep only what API Gateway reads of them (name, place, required, type);
    responses only their status and description (a proxy integration answers for
    itself); request body models only the keywords its importer takes. ``endpoint`` goes on a
    Server object, whose base path the import ignores.
    """
    paths: dict[str, dict] = {}
    schemes: dict[str, dict] = {}
    methods = list(_methods(definition, resolved))
    schemas = merged_schemas([m.operation for m in methods])
    bodies: list[str] = []
    for m in methods:
        parameters = [{"name": p["name"], "in": p["in"], "required": p["required"],
                       "schema": {"type": p.get("schema", {}).get("type", "string")}} for p in m.operation.parameters]
        if isinstance(m.auth, Auth) and _credential_key(m.auth) in m.integration.get("cacheKeyParameters", ()):
            # a cache key must be a parameter of the method; optional, as the authorizer answers for it
            parameters.append({"name": m.auth.header, "in": "header", "required": False, "schema": {"type": "string"}})
        operation: dict[str, Any] = {
            "operationId": m.operation.operation_id,
            "parameters": parameters,
            "responses": _method_responses(m),
            "security": _security(m, schemes, lambda auth: _imported_scheme(auth, resolved), IMPORTED_API_KEY),
            "x-amazon-apigateway-request-validator": "params",
            "x-amazon-apigateway-integration": m.integration,
        }
        if m.operation.request_body is not None:
            bodies.append(m.operation.request_body)
            operation["requestBody"] = _body(m.operation.request_body)
            operation["x-amazon-apigateway-request-validator"] = "all"
        paths.setdefault(m.route.path, {})[m.route.method.lower()] = operation
    for path, operations in paths.items():
        operations["options"] = cors.preflight(_string_path_parameters(path), [m.upper() for m in operations],
                                               definition.cors_origins)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": _info(definition),
        "paths": paths,
        "components": {"securitySchemes": schemes,
                       "schemas": {name: api_gateway_model(schemas[name])
                                   for name in sorted(_referenced(bodies, schemas))}},
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": True, "validateRequestParameters": True},
            "params": {"validateRequestBody": False, "validateRequestParameters": True}},
        "x-amazon-apigateway-gateway-responses": cors.gateway_responses(definition.cors_origins),
        "x-amazon-apigateway-api-key-source": "HEADER",
    }
    if definition.endpoint:
        document["servers"] = [{"url": "/", "x-amazon-apigateway-endpoint-configuration": dict(definition.endpoint)}]
    if definition.policy:
        document["x-amazon-apigateway-policy"] = dict(definition.policy)
    return document


def published(definition: ApiDefinition, resolved: Resolved) -> dict:
    """The document clients read: every operation whole, and no AWS extension (nor the CORS preflights)."""
    paths: dict[str, dict] = {}
    schemes: dict[str, dict] = {}
    methods = list(_methods(definition, resolved))
    for m in methods:
        operation: dict[str, Any] = {"operationId": m.operation.operation_id}
        if m.operation.summary:
            operation["summary"] = m.operation.summary
        if m.operation.description:
            operation["description"] = m.operation.description
        if m.operation.tags:
            operation["tags"] = list(m.operation.tags)
        operation["parameters"] = [dict(p) for p in m.operation.parameters]
        if m.operation.request_body is not None:
            operation["requestBody"] = _body(m.operation.request_body)
        operation["responses"] = {status: dict(response) for status, response in m.operation.responses.items()}
        operation["security"] = _security(m, schemes, _published_scheme, PUBLISHED_API_KEY)
        paths.setdefault(m.route.path, {})[m.route.method.lower()] = operation
    _keep_links_within(paths)
    return {
        "openapi": OPENAPI_VERSION,
        "info": _info(definition),
        "tags": [{"name": tag} for tag in sorted({t for ops in paths.values() for op in ops.values()
                                                  for t in op.get("tags", ())})],
        "paths": paths,
        "components": {"securitySchemes": schemes,
                       "schemas": dict(sorted(merged_schemas([m.operation for m in methods]).items()))},
    }


def _auth(definition: ApiDefinition, route: Route) -> Auth | Public:
    return route.auth if route.auth is not None else definition.default_auth


def _methods(definition: ApiDefinition, resolved: Resolved) -> Iterator[_Method]:
    """Each route, by path and method, with its auth, its integration and its operation (a plain one when
    it declares none: its path parameters, and each status its integration answers)."""
    for route in sorted(definition.routes, key=lambda r: (r.path, r.method)):
        variable = stage_variable(route.function) if route.function is not None else ""
        uri = lambda_integration_uri(resolved.functions[variable], variable) if variable else ""
        auth = _auth(definition, route)
        if isinstance(route.integration, integrations.LambdaProxy):
            integration = {"type": "aws_proxy", "httpMethod": "POST", "passthroughBehavior": "when_no_match",
                           "uri": uri, "timeoutInMillis": 29000}
        else:
            integration = integrations.operation(route.integration, resolved.integrations[route_label(route)], uri,
                                                 definition.cors_origins)
        cache_keys = _cache_keys(route, auth)
        if cache_keys and integration.get("type") != "mock":
            integration = {**integration, "cacheKeyParameters": cache_keys}
        yield _Method(route, auth, route.operation or _plain_operation(route, integration), integration,
                      route.api_key_required or definition.api_keys)


def _cache_keys(route: Route, auth: Auth | Public) -> list[str]:
    """What the stage cache keys a GET's answer on besides the resource: its path parameters and, when it is
    authorized, the caller's credential, so that a cached answer only ever reaches the caller it was made for
    (a caller's tickets are not another's)."""
    if route.method != "GET":
        return []
    keys = [f"method.request.path.{p}" for p in path_parameters(route.path)]
    return keys + [_credential_key(auth)] if isinstance(auth, Auth) else keys


def _credential_key(auth: Auth) -> str:
    return f"method.request.header.{auth.header}"


def _plain_operation(route: Route, integration: Mapping[str, Any]) -> OpenApiOperation:
    words = re.findall(r"[A-Za-z0-9]+", route.path)
    kind = integration["type"] if integration["type"] != "aws_proxy" else ""
    statuses = integration_statuses(integration) if kind else ["200"]
    return OpenApiOperation(
        operation_id=route.method.lower() + "".join(w[:1].upper() + w[1:] for w in words),  # getShowsId
        parameters=_string_path_parameters(route.path),
        responses={status: {"description": f"Answered by API Gateway's {kind} integration" if kind
                            else "The answer of the function"} for status in statuses})


def _imported_scheme(auth: Auth, resolved: Resolved) -> dict[str, Any]:
    return {"type": "apiKey", "name": auth.header, "in": "header", **auth.extensions(resolved.auths[auth.name])}


def _published_scheme(auth: Auth) -> dict[str, Any]:
    return {"type": "apiKey", "in": "header", "name": auth.header, "description": auth.credential}


def _security(method: _Method, schemes: dict[str, dict], scheme_of: Callable[[Auth], dict],
              api_key_scheme: dict) -> list[dict]:
    """The method's security requirement; adds the schemes it names to ``schemes``."""
    security: dict[str, list[str]] = {}
    if isinstance(method.auth, Auth):
        schemes[method.auth.name] = scheme_of(method.auth)
        security[method.auth.name] = list(method.route.scopes)
    if method.api_key:
        schemes[API_KEY] = api_key_scheme
        security[API_KEY] = []
    return [security] if security else []


def _info(definition: ApiDefinition) -> dict:
    return {"title": definition.title, "description": definition.description, "version": "1.0"}


def _string_path_parameters(path: str) -> list[dict[str, Any]]:
    return [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in path_parameters(path)]


def integration_statuses(integration: Mapping[str, Any]) -> list[str]:
    """The statuses a non-proxy integration's responses answer (each needs a method response)."""
    return sorted({str(response["statusCode"]) for response in integration["responses"].values()})


def api_gateway_model(schema: Any) -> Any:
    """A schema as an API Gateway model: only the draft 4 keywords its importer takes.

    What is dropped (``additionalProperties: false``, ``nullable``, examples) only
    loosens what API Gateway checks; the function validates the whole operation.
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


def _method_responses(method: _Method) -> dict[str, dict]:
    """Each status of the operation, described; where a non-proxy integration answers it, with the
    headers its integration response sets (API Gateway sets only a declared header)."""
    responses = {status: {"description": response["description"]}
                 for status, response in method.operation.responses.items()}
    if method.integration["type"] == "aws_proxy":
        return responses  # a proxy integration answers for itself
    for mapped in method.integration["responses"].values():
        headers = sorted(name.removeprefix(HEADER) for name in mapped.get("responseParameters") or {}
                         if name.startswith(HEADER))
        if headers:
            responses[str(mapped["statusCode"])]["headers"] = {name: {"schema": {"type": "string"}} for name in headers}
    return responses


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
