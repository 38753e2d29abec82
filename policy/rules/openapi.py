"""Deploy traps in the OpenAPI documents API Gateway imports (``MT-OPENAPI-*``).

The REST APIs are imported with ``fail_on_warnings``: any construct API Gateway warns
about fails the deploy, and what it silently ignores (a VTL template where none runs)
fails at run time. What the import supports:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html#api-gateway-known-issues-rest-apis
"""

from __future__ import annotations

import re

from policy.core import Resource, get, items, resource_rule
from policy.rules.common import REST_API, operations, parse_json

PREFIX = "MT-OPENAPI"

# API Gateway's REST import warns on these schema keywords (and fails with fail_on_warnings).
UNSUPPORTED_KEYWORDS = ("additionalProperties", "anyOf", "oneOf", "discriminator", "example", "exclusiveMinimum",
                        "readOnly")
ALLOW_ORIGIN = "gatewayresponse.header.Access-Control-Allow-Origin"


@resource_rule("MT-OPENAPI-1", REST_API, kind="deploy", severity="high",
               description="Every operation of a templated path declares its path parameters (OPTIONS too)",
               remediation="Add {'name': p, 'in': 'path', 'required': True} to every operation (or the path item) "
                           "of a path with {p}.")
def path_parameters_declared(api: Resource):
    for path, method, operation, item in operations(parse_json(api.get("body"))):
        declared = {get(p, "name") for p in items(operation.get("parameters")) + items(item.get("parameters"))
                    if get(p, "in") == "path"}
        missing = [p for p in re.findall(r"\{([^}+]+)\+?\}", path) if p not in declared]
        if missing:
            yield f"{method.upper()} {path} does not declare {missing}"


def _keywords(value, where: str):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in UNSUPPORTED_KEYWORDS or (key == "format" and item in ("int32", "int64")):
                yield f"{where}: {key}"
            yield from _keywords(item, where)
    elif isinstance(value, list):
        for item in value:
            yield from _keywords(item, where)


@resource_rule("MT-OPENAPI-2", REST_API, kind="deploy", severity="high",
               description="The OpenAPI document uses nothing API Gateway's import warns about (fail_on_warnings)",
               remediation="Drop additionalProperties/anyOf/oneOf/discriminator/example/readOnly from models, use "
                           "alphanumeric model names and explicit status-code responses; validate in the function.")
def importable_document(api: Resource):
    document = parse_json(api.get("body"))
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        if not re.fullmatch(r"[A-Za-z0-9]+", name):
            yield f"model name {name!r} is not alphanumeric"
        yield from sorted(set(_keywords(schema, f"model {name}")))
    for path, method, operation, _ in operations(document):
        if "default" in (operation.get("responses") or {}):
            yield f"{method.upper()} {path}: a 'default' response (API Gateway expects status codes)"


@resource_rule("MT-OPENAPI-3", REST_API, kind="deploy", severity="medium",
               description="APIs are updated in overwrite mode, so removed routes disappear",
               remediation="Use put_rest_api_mode='overwrite' (a PRIVATE API keeps its endpoint type through "
                           "endpoint_configuration and x-amazon-apigateway-endpoint-configuration).")
def overwrite_mode(api: Resource):
    if api.get("body") and api.get("putRestApiMode") == "merge":
        yield "merge mode never deletes a route removed from the document"


def _preflight_origins(document) -> set[str]:
    """The origins the CORS preflights (mock integrations) choose among."""
    origins: set[str] = set()
    for _, method, operation, _ in operations(document):
        if method == "options":
            for response in (get(operation, "x-amazon-apigateway-integration", "responses") or {}).values():
                template = str(get(response, "responseTemplates", "application/json") or "")
                origins.update(re.findall(r'\$origin == "([^"]+)"', template))
    return origins


@resource_rule("MT-OPENAPI-4", REST_API, kind="deploy", severity="medium",
               description="Gateway error responses allow every CORS origin the preflight allows",
               remediation="Map gatewayresponse.header.Access-Control-Allow-Origin from method.request.header.Origin: "
                           "a gateway response's template is not run through VTL, so it cannot choose an origin.")
def error_responses_cors(api: Resource):
    document = parse_json(api.get("body"))
    origins = _preflight_origins(document)
    if len(origins) < 2:
        return
    for kind, response in (document.get("x-amazon-apigateway-gateway-responses") or {}).items():
        allow = str(get(response, "responseParameters", ALLOW_ORIGIN) or "")
        if allow.lower() != "method.request.header.origin":
            yield (f"{kind} answers Access-Control-Allow-Origin {allow or '(none)'}: browsers at the other allowed "
                   f"origins of {sorted(origins)} cannot read its errors")


@resource_rule("MT-OPENAPI-5", REST_API, kind="deploy", severity="high",
               description="REST integrations time out within 50 ms-29 s",
               remediation="Set timeoutInMillis between 50 and 29000 (longer needs a quota increase).")
def integration_timeout(api: Resource):
    for path, method, operation, _ in operations(parse_json(api.get("body"))):
        timeout = get(operation, "x-amazon-apigateway-integration", "timeoutInMillis")
        if timeout is not None and not 50 <= timeout <= 29000:
            yield f"{method.upper()} {path} waits {timeout} ms"


@resource_rule("MT-OPENAPI-6", REST_API, kind="deploy", severity="medium",
               description="Mock integrations refuse a body their request templates do not map",
               remediation="Set passthroughBehavior 'when_no_templates' (or 'never') on mock integrations: a body of "
                           "another type is passed to the mock, which finds no statusCode in it and answers 500.")
def mock_passthrough(api: Resource):
    for path, method, operation, _ in operations(parse_json(api.get("body"))):
        integration = get(operation, "x-amazon-apigateway-integration") or {}
        behavior = str(integration.get("passthroughBehavior") or "when_no_match").lower()
        if integration.get("type") == "mock" and behavior == "when_no_match":
            yield f"{method.upper()} {path}: a body of any type but the templates' answers 500"


@resource_rule("MT-OPENAPI-7", REST_API, kind="security", severity="high",
               description="An authorized GET keys the stage cache on its caller's credential",
               remediation="Declare the authorizer's header (e.g. Authorization) as a header parameter of the method "
                           "and list method.request.header.<header> in its integration's cacheKeyParameters: with the "
                           "stage cache on, an answer is otherwise cached by path alone and served to other callers "
                           "(one user's tickets to another).")
def cache_keyed_on_caller(api: Resource):
    document = parse_json(api.get("body"))
    schemes = get(document, "components", "securitySchemes") or {}
    for path, method, operation, item in operations(document):
        integration = get(operation, "x-amazon-apigateway-integration") or {}
        if method != "get" or integration.get("type") == "mock":
            continue
        requirements = operation["security"] if "security" in operation else items(document.get("security"))
        headers = {str(get(schemes, name, "name")) for requirement in items(requirements) for name in requirement
                   if get(schemes, name, "x-amazon-apigateway-authtype") or get(schemes, name,
                                                                                "x-amazon-apigateway-authorizer")}
        declared = {str(get(p, "name")).lower() for p in items(operation.get("parameters")) +
                    items(item.get("parameters")) if get(p, "in") == "header"}
        keys = {str(k).lower() for k in items(integration.get("cacheKeyParameters"))}
        for header in sorted(headers):
            if f"method.request.header.{header}".lower() not in keys or header.lower() not in declared:
                yield f"GET {path}: a cached answer is keyed without its caller's {header} header"
