"""The single place where errors become HTTP responses, plus routes, the request body and CORS."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any, Callable

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from shared.errors import AppError, BadRequestError, UnsupportedMediaTypeError
from shared.powertools_internals import Resolver
from shared.observability import logger

if TYPE_CHECKING:
    from shared.api import Operation

INTERNAL_ERROR = "Internal server error"
UNSUPPORTED_MEDIA_TYPE = "Send the body as application/json"


def json_response(status_code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, separators=(",", ":"), default=str),
        headers=headers,
    )


def location(event: dict[str, Any], path: str) -> str:
    """``path`` (the API's own, e.g. ``/tickets/t1``) as the caller reaches it: under the stage on API
    Gateway's own endpoint (``/dev/tickets/t1``), under the base path on a custom domain. The request's
    full path (``requestContext.path``) ends with its resource, its parameters filled in; what comes
    before is that prefix."""
    parameters = event.get("pathParameters") or {}
    resource = event.get("resource") or ""
    for name, value in parameters.items():
        resource = resource.replace(f"{{{name}}}", str(value))
    full = (event.get("requestContext") or {}).get("path") or ""
    prefix = full[: -len(resource)] if resource and full.endswith(resource) else ""
    return prefix.rstrip("/") + path


def _describe_validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Keep only what the caller needs: where, what and the rule (no input echo, no URLs)."""
    described = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in ("path", "query", "header"):
            loc = [loc[0], loc[-1]]  # "query.limit", not the model argument's name in between
        described.append(
            {
                "field": ".".join(loc),
                "message": error.get("msg", "Invalid value"),
                "type": error.get("type", "value_error"),
            },
        )
    return described


def error_response(exc: Exception, request_id: str | None = None) -> Response:
    """Map any exception to the API's JSON error shape. The one mapper used by every service."""
    if isinstance(exc, AppError):
        body: dict[str, Any] = {"message": exc.message}
        if exc.errors:
            body["errors"] = exc.errors
        return json_response(exc.status_code, body, exc.headers or None)
    if isinstance(exc, RequestValidationError):
        return json_response(400, {"message": "Invalid request", "errors": _describe_validation_errors(exc)})
    if isinstance(exc, RouteNotFoundError):
        return json_response(404, {"message": "Route not found"})
    if isinstance(exc, RequestUnsupportedContentType):
        return json_response(415, {"message": UNSUPPORTED_MEDIA_TYPE})
    logger.exception("Unhandled error")
    return json_response(500, {"message": INTERNAL_ERROR, "request_id": request_id or "unknown"})


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    """Route every exception raised by a route through :func:`error_response`."""

    def _request_id() -> str | None:
        try:
            return app.current_event.request_context.request_id
        except Exception:  # pragma: no cover - no event bound
            return None

    @app.exception_handler(RequestValidationError)
    def _validation(exc: RequestValidationError) -> Response:
        return error_response(exc)

    @app.exception_handler(AppError)
    def _app_error(exc: AppError) -> Response:
        if exc.status_code >= 500:
            logger.error("Application error", extra={"error": exc.message})
        return error_response(exc)

    @app.not_found
    def _not_found(exc: RouteNotFoundError) -> Response:
        return error_response(exc)

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        return error_response(exc, _request_id())


def with_cors(response: dict[str, Any], allowed: str, request_origin: str | None = None) -> dict[str, Any]:
    """Add ``Access-Control-Allow-Origin`` to a proxy response (preflight is the gateway's job).

    ``allowed`` is ``*`` or a comma-separated list of origins; with a list, the
    caller's origin is echoed when it is on it (a response can name only one).
    """
    origins = [o.strip() for o in allowed.split(",") if o.strip()]
    if "*" in origins:
        extra = {"Access-Control-Allow-Origin": "*"}
    elif len(origins) == 1 or request_origin in origins:
        extra = {"Access-Control-Allow-Origin": request_origin if request_origin in origins else origins[0],
                 "Vary": "Origin"}
    else:
        extra = {"Vary": "Origin"}
    multi = response.get("multiValueHeaders")
    if isinstance(multi, dict):
        response["multiValueHeaders"] = {**multi, **{name: [value] for name, value in extra.items()}}
    else:
        response["headers"] = {**(response.get("headers") or {}), **extra}
    return response


def new_resolver() -> APIGatewayRestResolver:
    """A REST resolver that validates input and maps every error in one place."""
    app = Resolver(enable_validation=True, response_validation_error_http_code=500)
    register_error_handlers(app)
    return app


def route(app: APIGatewayRestResolver, operation: Operation) -> Callable:
    """Register a handler for one operation of ``shared.api`` (its path, method, id and summary)."""
    return app.route(operation.rule, operation.method, summary=operation.summary, tags=[operation.tag],
                     operation_id=operation.operation_id)


def body_error(event: dict) -> AppError | None:
    """What is wrong with the request body before any route reads it: not JSON (415), unreadable (400).

    Powertools would parse form data for a JSON route, and fail with a 500 on a body that is
    not UTF-8 or nests too deep; this API reads JSON only, whatever the route.
    """
    body = event.get("body")
    if not body:
        return None
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    media_type = (headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if media_type != content_types.APPLICATION_JSON:
        return UnsupportedMediaTypeError(UNSUPPORTED_MEDIA_TYPE)
    try:
        json.loads(base64.b64decode(body, validate=True).decode() if event.get("isBase64Encoded") else body)
    except (ValueError, RecursionError):  # binascii.Error, UnicodeDecodeError and JSONDecodeError are ValueErrors
        return BadRequestError("Invalid request", [{"field": "body", "message": "Not valid JSON (UTF-8)",
                                                     "type": "json_invalid"}])
    return None


def api_handler(app: APIGatewayRestResolver, get_settings: Callable[[], Any],
                before: Callable[[dict, Any], None] | None = None) -> Callable[[dict, Any], dict]:
    """The Lambda entry point of a service: correlation ids, traces, metrics, CORS.

    ``before`` sees each event and context first (tickets hands the context to
    idempotency, which needs the remaining time).
    """
    from shared.observability import API_CORRELATION_PATH, metrics, tracer

    @logger.inject_lambda_context(correlation_id_path=API_CORRELATION_PATH)
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict, context: Any) -> dict:
        settings = get_settings()  # fails clearly on a bad environment, at cold start
        if before is not None:
            before(event, context)
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        refused = body_error(event)
        if refused is None:
            response = app.resolve(event, context)
        else:
            error = error_response(refused)
            response = {"statusCode": error.status_code, "headers": {"Content-Type": content_types.APPLICATION_JSON},
                        "body": error.body, "isBase64Encoded": False}
        return with_cors(response, settings.cors_origin, headers.get("origin"))

    return handler
