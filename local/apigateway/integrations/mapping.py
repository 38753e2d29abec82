"""What every non-proxy integration shares: the template variables, the request mapping, the method response.

* ``variables``: ``$input`` (the body a template transforms, the method request's
  parameters), ``$context`` (the proxy event's ``requestContext`` keys, ``authorizer``,
  and ``responseOverride`` for the template to write), ``$stageVariables``, ``$util``;
* ``request_body``: the request template for the request's Content-Type (JSON when none),
  else the body passed through as ``passthroughBehavior`` allows (``never``: 415);
* ``method_response``: the integration response whose selection pattern fully matches the
  integration's outcome (an error message, an HTTP status), else ``default``; its
  ``responseParameters`` (literals, ``method.request.*``, ``integration.response.header.*``,
  ``stageVariables.*``) and its JSON template, whose ``$context.responseOverride`` wins.
  Without a template the integration's body passes through.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from local.apigateway.proxy import event_parts
from local.apigateway.request import Request, param_value
from local.apigateway.responses import GatewayError, Response
from local.apigateway.vtl import UTIL, Input, render
from local.model import LocalApi

JSON = "application/json"


def variables(api: LocalApi, req: Request, body: str) -> dict[str, Any]:
    """The variables a template of this request sees, ``$input`` reading ``body``."""
    context = event_parts(api, req)["requestContext"]
    context["authorizer"] = {k: v for k, v in (req.authorizer or {}).items() if not k.startswith("_")}
    context["responseOverride"] = {"status": None, "header": {}}
    params = {"path": dict(req.path_params), "querystring": dict(req.query_pairs), "header": dict(req.header_pairs)}
    return {"input": Input(body, params), "context": context, "stageVariables": dict(api.stage_variables),
            "util": UTIL}


def request_body(api: LocalApi, req: Request, integration: Mapping[str, Any]) -> str:
    """What the integration receives: the matching request template's output, or the body passed through."""
    body = req.body.decode("utf-8", "replace")
    templates = integration.get("requestTemplates") or {}
    media = (req.header("Content-Type") or JSON).split(";")[0].strip().lower()
    template = templates.get(media)
    if template is None:
        behavior = str(integration.get("passthroughBehavior") or "when_no_match").lower()
        if behavior == "never" or (behavior == "when_no_templates" and templates):
            raise GatewayError("UNSUPPORTED_MEDIA_TYPE")
        return body
    return render(template, variables(api, req, body))


def method_response(api: LocalApi, req: Request, integration: Mapping[str, Any], outcome: str | None,
                    body: bytes, headers: Mapping[str, str] | None = None) -> Response:
    """The response to the caller for an integration that ended with ``outcome`` (None: success)."""
    responses = integration.get("responses") or {}
    chosen = responses.get("default")
    if outcome is not None:
        chosen = next((spec for pattern, spec in responses.items()
                       if pattern != "default" and re.fullmatch(pattern, outcome)), chosen)
    if chosen is None:
        raise GatewayError("API_CONFIGURATION_ERROR")  # API Gateway: "No integration response matched"
    status = int(chosen.get("statusCode", 200))
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    out: dict[str, str] = {}
    for name, expr in (chosen.get("responseParameters") or {}).items():
        if not name.startswith("method.response.header."):
            continue
        source = str(expr)
        value = lower.get(source.removeprefix("integration.response.header.").lower()) \
            if source.startswith("integration.response.header.") else param_value(source, req, api)
        if value is not None:
            out[name.removeprefix("method.response.header.")] = value
    template = (chosen.get("responseTemplates") or {}).get(JSON)
    if template is not None:
        names = variables(api, req, body.decode("utf-8", "replace"))
        body = render(template, names).encode()
        override = names["context"]["responseOverride"]
        out.update({k: str(v) for k, v in override["header"].items()})
        status = int(override["status"] or status)
        out.setdefault("Content-Type", JSON)
    out.setdefault("Content-Type", lower.get("content-type", JSON))
    return status, list(out.items()), b"" if status in (204, 304) else body
