"""The single place where errors become HTTP responses, plus CORS and paging cursors."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Callable

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from shared.errors import AppError, BadRequestError
from shared.observability import logger

INTERNAL_ERROR = "Internal server error"


def json_response(status_code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, separators=(",", ":"), default=str),
        headers=headers,
    )


def _describe_validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Keep only what the caller needs: where, what and the rule (no input echo, no URLs)."""
    described = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        described.append(
            {
                "field": ".".join(loc),
                "message": error.get("msg", "Invalid value"),
                "type": error.get("type", "value_error"),
            },
        )
    return described


def error_response(exc: Exception, correlation_id: str | None = None) -> Response:
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
    logger.exception("Unhandled error")
    return json_response(500, {"message": INTERNAL_ERROR, "correlation_id": correlation_id or "unknown"})


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    """Route every exception raised by a route through :func:`error_response`."""

    def _correlation_id() -> str | None:
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
        return error_response(exc, _correlation_id())


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


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    """Encode a DynamoDB LastEvaluatedKey as an opaque URL-safe cursor."""
    if not key:
        return None
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, required_keys: frozenset[str]) -> dict[str, str] | None:
    """Decode a cursor made by :func:`encode_cursor`; reject anything else with a 400."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequestError("Invalid cursor: pass the 'next_cursor' value of a previous page") from None
    if (
        not isinstance(key, dict)
        or set(key) != set(required_keys)
        or not all(isinstance(value, str) and value for value in key.values())
    ):
        raise BadRequestError("Invalid cursor: pass the 'next_cursor' value of a previous page")
    return key


def new_resolver() -> APIGatewayRestResolver:
    """A REST resolver that validates input and maps every error in one place."""
    app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500)
    register_error_handlers(app)
    return app


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
        return with_cors(app.resolve(event, context), settings.cors_origin, headers.get("origin"))

    return handler
