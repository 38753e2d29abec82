"""Non-proxy Lambda integrations (``type: aws``, a ``lambda:path`` URI): mapped payload in, mapped result out.

The request template's output (JSON) is the event; the function's result is the body
the default integration response maps. A function error's ``errorMessage`` selects the
integration response (its pattern must match the whole message), whose template sees
the error ``{"errorMessage", "errorType", ...}`` as ``$input``.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Mapping

from local.apigateway.integrations.mapping import method_response, request_body
from local.apigateway.proxy import function_of
from local.apigateway.request import Request
from local.apigateway.responses import GatewayError, Response
from local.model import LocalApi

MAX_INTEGRATION_TIMEOUT = 29.0


def lambda_response(api: LocalApi, req: Request, integration: Mapping[str, Any],
                    call: Callable[[str, dict, float], Any], log: Callable[[str], None]) -> Response:
    function = function_of(str(integration.get("uri", "")), api.stage_variables)
    req.function = function
    mapped = request_body(api, req, integration)
    try:
        event = json.loads(mapped)
    except ValueError:
        log(json.dumps({"requestId": req.request_id, "function": function,
                        "error": f"the request template rendered no JSON: {mapped[:200]!r}"}))
        raise GatewayError("API_CONFIGURATION_ERROR") from None
    timeout = min(MAX_INTEGRATION_TIMEOUT, float(integration.get("timeoutInMillis", 29000)) / 1000)
    started = time.monotonic()
    result = call(function, event, timeout)
    req.integration_ms = (time.monotonic() - started) * 1000
    if result is None or getattr(result, "timed_out", False):
        raise GatewayError("INTEGRATION_TIMEOUT")
    error = getattr(result, "error", None)
    if error:
        return method_response(api, req, integration, str(error.get("errorMessage", "")), json.dumps(error).encode())
    return method_response(api, req, integration, None, json.dumps(getattr(result, "payload", None)).encode())
