"""Lambda handler of /info behind API Gateway's non-proxy integration (the web app pattern).

API Gateway's request template hands ``{"section": "<name, or empty for the whole venue>"}``;
the handler returns ``{"section", "content"}`` and the integration's response templates shape
what the caller sees. An error the caller may see is raised with one of ``ERROR_PREFIXES``
starting its message, which the integration responses select on (API Gateway matches the
message, not the type); any other error reaches the caller as a bare 500.
"""

from typing import Any, get_args

from shared.errors import AppError, BadRequestError
from shared.models import InfoSection
from shared.observability import logger, metrics, tracer

from info_settings import get_settings

# status → prefix of the error message; the routes' selection patterns are built from these
# (multitier/patterns/gateway_routes.py, held to them by tests/functions/test_info_mapped.py).
ERROR_PREFIXES = {400: "Bad request: ", 404: "Not found: ", 503: "Unavailable: "}
SECTIONS = get_args(InfoSection)  # what GET /info/{section} declares (shared/api.py)
_context: Any = None  # the current invocation's: the service (built once) asks it for the time left


def _time_left() -> float:
    """Seconds the current invocation has left (a resuming database is retried until then)."""
    from shared.db import seconds_left

    return seconds_left(_context)


class MappedError(Exception):
    """An error whose message starts with the prefix of its status."""


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: Any, context: Any) -> dict:
    global _context
    _context = context
    get_settings()  # fails clearly on a bad environment, at cold start
    from info_logic import configured_service

    try:
        section = event.get("section") if isinstance(event, dict) else None
        if not isinstance(section, str):
            raise BadRequestError("the event needs a 'section' string (empty for the whole venue)")
        if not section:
            return {"section": "", "content": configured_service(_time_left).venue_info().model_dump(mode="json")}
        if section not in SECTIONS:
            raise BadRequestError(f"unknown section {section!r}; one of {', '.join(SECTIONS)}")
        return configured_service(_time_left).section(section).model_dump(mode="json")
    except AppError as error:
        prefix = ERROR_PREFIXES.get(error.status_code)
        if prefix is None:
            raise
        raise MappedError(prefix + error.message) from None
