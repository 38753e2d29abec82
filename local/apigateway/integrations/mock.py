"""Mock integrations: API Gateway answers from the integration's templates, with no backend.

The request template's ``statusCode`` selects the integration response (as a status
selects one for an HTTP integration), whose template renders the body.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from local.apigateway.integrations.mapping import method_response, request_body
from local.apigateway.request import Request
from local.apigateway.responses import GatewayError, Response
from local.model import LocalApi


def mock_response(api: LocalApi, req: Request, integration: Mapping[str, Any]) -> Response:
    mapped = request_body(api, req, integration).strip()
    try:
        status = int(json.loads(mapped).get("statusCode", 200)) if mapped else 200
    except (ValueError, AttributeError, TypeError):
        raise GatewayError("API_CONFIGURATION_ERROR") from None  # the mock's request template is no JSON object
    return method_response(api, req, integration, str(status), b"")
