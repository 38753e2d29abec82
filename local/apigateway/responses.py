"""Gateway responses: the errors API Gateway itself answers, shaped by the document's gateway responses.

``x-amazon-apigateway-gateway-responses`` (a specific type, else DEFAULT_4XX /
DEFAULT_5XX) give every gateway-generated error its status, headers (CORS) and body
template (``$context.error.*``, ``$context.*``, ``$stageVariables.*``).
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from local.apigateway.request import Request, param_value
from local.model import LocalApi

# type → (default status, default message, x-amzn-ErrorType)
RESPONSE_TYPES: dict[str, tuple[int, str | None, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token", "MissingAuthenticationTokenException"),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource", "AccessDeniedException"),
    "INVALID_API_KEY": (403, "Forbidden", "ForbiddenException"),
    "INVALID_SIGNATURE": (403, "Invalid signature", "InvalidSignatureException"),
    "EXPIRED_TOKEN": (403, "The security token included in the request is expired", "ExpiredTokenException"),
    "THROTTLED": (429, "Too Many Requests", "TooManyRequestsException"),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded", "LimitExceededException"),
    "BAD_REQUEST_BODY": (400, "Invalid request body", "BadRequestException"),
    "BAD_REQUEST_PARAMETERS": (400, "Missing required request parameters", "BadRequestException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLargeException"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported Media Type", "UnsupportedMediaTypeException"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None, "AuthorizerConfigurationException"),
    "AUTHORIZER_FAILURE": (500, None, "AuthorizerFailureException"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error", "InternalServerErrorException"),
    "INTEGRATION_FAILURE": (502, "Internal server error", "InternalServerErrorException"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out", "InternalServerErrorException"),
    "DEFAULT_5XX": (500, "Internal server error", "InternalServerErrorException"),
}

Response = tuple[int, list[tuple[str, str]], bytes]


class GatewayError(Exception):
    """A gateway-generated response of one of API Gateway's response types."""

    def __init__(self, response_type: str, message: str | None = "", *, status: int | None = None,
                 validation: str | None = None):
        default_status, default_message, self.error_type = RESPONSE_TYPES[response_type]
        self.response_type = response_type
        self.status = status or default_status
        self.message = default_message if message == "" else message
        self.validation = validation
        super().__init__(f"{response_type}: {self.message}")


def error_response(doc: Mapping[str, Any], api: LocalApi, err: GatewayError, req: Request) -> Response:
    """The response of a gateway error, as the document's gateway responses shape it."""
    responses = doc.get("x-amazon-apigateway-gateway-responses") or {}
    spec = responses.get(err.response_type)
    status = err.status
    if spec is not None and spec.get("statusCode"):
        status = int(spec["statusCode"])
    if spec is None:
        spec = responses.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX") or {}
    headers: dict[str, str] = {"Content-Type": "application/json", "x-amzn-ErrorType": err.error_type}
    for name, expr in (spec.get("responseParameters") or {}).items():
        if name.startswith("gatewayresponse.header."):
            value = param_value(expr, req, api)
            if value is not None:
                headers[name.removeprefix("gatewayresponse.header.")] = value
    template = (spec.get("responseTemplates") or {}).get("application/json")
    if template:
        body = _render(template, api, err, req)
    else:
        body = json.dumps({"message": err.message})
    return status, list(headers.items()), body.encode()


def _render(template: str, api: LocalApi, err: GatewayError, req: Request) -> str:
    values = {
        "context.error.messageString": json.dumps(err.message),
        "context.error.message": "" if err.message is None else err.message,
        "context.error.responseType": err.response_type,
        # AWS escapes it for a JSON string: templates quote it ("$context.error.validationErrorString").
        "context.error.validationErrorString": json.dumps(err.validation or "")[1:-1],
        "context.requestId": req.request_id,
        "context.extendedRequestId": req.extended_id,
        "context.stage": api.stage,
        "context.apiId": api.api_id,
        "context.httpMethod": req.method,
        "context.resourcePath": req.route.path if req.route else "",
        "context.path": f"/{api.stage}{req.path}",
    }

    def replace(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name.startswith("stageVariables."):
            return api.stage_variables.get(name.split(".", 1)[1], "")
        return values.get(name, "")

    return re.sub(r"\$!?(?:\{([A-Za-z][\w.]*)\}|((?:context|stageVariables)\.[A-Za-z][\w.]*[A-Za-z0-9]))",
                  replace, template)
