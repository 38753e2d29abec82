"""Integrations other than Lambda proxy, as API Gateway runs them: ``mock``, and ``aws`` to Lambda or S3.

``mapping.py`` holds what they share (template variables, request mapping, integration
response selection); ``mock.py``, ``aws_lambda.py`` and ``s3.py`` the kinds. Templates
run in the VTL subset of ``local/apigateway/vtl``; ``check_templates`` parses every
template and compiles every selection pattern of a document when its gateway is built,
so a template outside the subset stops local mode at start with its route named.
Other kinds (``http``, ``http_proxy``, ``aws`` to other services) are refused by name.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Mapping

from local.apigateway.integrations.aws_lambda import lambda_response
from local.apigateway.integrations.mock import mock_response
from local.apigateway.integrations.s3 import s3_response
from local.apigateway.request import Request
from local.apigateway.responses import GatewayError, Response
from local.apigateway.vtl import VtlError, parse
from local.model import LocalApi

# (role ARN, service) → a boto3 client signing as the identity local mode made for that role
ClientFor = Callable[[str, str], Any]


def _no_clients(role: str, service: str) -> Any:
    raise GatewayError("API_CONFIGURATION_ERROR")


class Integrations:
    """Answers the non-proxy operations of one API."""

    def __init__(self, api: LocalApi, call: Callable[[str, dict, float], Any], client_for: ClientFor | None,
                 log: Callable[[str], None]):
        self.api, self.call, self.log = api, call, log
        self.client_for = client_for or _no_clients

    def respond(self, req: Request, integration: Mapping[str, Any]) -> Response:
        kind, uri = str(integration.get("type", "")).lower(), str(integration.get("uri", ""))
        try:
            if kind == "mock":
                return mock_response(self.api, req, integration)
            if kind == "aws" and ":lambda:path/" in uri:
                return lambda_response(self.api, req, integration, self.call, self.log)
            if kind == "aws" and ":s3:path/" in uri:
                return s3_response(self.api, req, integration, self.client_for, self.log)
        except VtlError as error:
            self.log(json.dumps({"requestId": req.request_id, "error": f"mapping template: {error}"}))
            raise GatewayError("API_CONFIGURATION_ERROR") from None
        self.log(json.dumps({"requestId": req.request_id,
                             "error": f"local mode does not emulate {kind or 'untyped'} integrations to {uri!r}"}))
        raise GatewayError("API_CONFIGURATION_ERROR")


def check_templates(doc: Mapping[str, Any]) -> None:
    """Parse every mapping template and compile every selection pattern; VtlError names the operation."""
    for path, operations in (doc.get("paths") or {}).items():
        for method, operation in operations.items():
            integration = operation.get("x-amazon-apigateway-integration") if isinstance(operation, Mapping) else None
            if not integration:
                continue
            where = f"{method.upper()} {path}"
            templates = [("request", t) for t in (integration.get("requestTemplates") or {}).values()]
            for pattern, response in (integration.get("responses") or {}).items():
                try:
                    re.compile(pattern)
                except re.error as error:
                    raise VtlError(f"{where}: selection pattern {pattern!r}: {error}") from None
                templates += [(f"response {pattern!r}", t) for t in (response.get("responseTemplates") or {}).values()]
            for which, template in templates:
                try:
                    parse(template)
                except VtlError as error:
                    raise VtlError(f"{where}, {which} template: {error}") from None
