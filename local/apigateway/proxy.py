"""Lambda proxy integrations: the function an integration URI names, the REST (v1) event, the response.

The ``uri``'s ``${stageVariables.x}`` is resolved with the stage's variables; the
function's proxy response is checked as API Gateway checks it (a malformed one is
a 502).
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any, Mapping, Sequence

from local.apigateway.request import Request
from local.apigateway.responses import GatewayError, Response
from local.apigateway.values import glob, stringify
from local.lambda_.invocation import function_name_of
from local.model import LocalApi

_PROXY_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}


class MalformedResponse(GatewayError):
    """A function's answer that is no proxy response (API Gateway answers 502)."""

    def __init__(self, why: str):
        super().__init__("INTEGRATION_FAILURE")
        self.why = why


def function_of(uri: str, stage_variables: Mapping[str, str]) -> str:
    """The function in an integration or authorizer URI, stage variables resolved: its name and, when the URI
    names one, its qualifier (``fn:live``), which says which version runs (``local/release``)."""
    def variable(m: re.Match) -> str:
        value = stage_variables.get(m.group(1))
        if value is None:
            raise GatewayError("API_CONFIGURATION_ERROR")
        return value

    resolved = re.sub(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}", variable, uri)
    m = re.search(r"/functions/(.+)/invocations$", resolved)
    target = m.group(1) if m else resolved
    try:
        name = function_name_of(target)
    except KeyError:
        raise GatewayError("API_CONFIGURATION_ERROR") from None
    qualifier = target.split(":function:", 1)[-1].partition(":")[2] if target.startswith("arn:") else \
        target.partition(":")[2]
    return f"{name}:{qualifier}" if qualifier else name


def event_parts(api: LocalApi, req: Request) -> dict[str, Any]:
    """The parts a proxy event and a REQUEST authorizer event share."""
    assert req.route is not None
    headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    port = str(req.port)
    extra = {"X-Forwarded-For": req.source_ip, "X-Forwarded-Port": port, "X-Forwarded-Proto": "http",
             "X-Amzn-Trace-Id": f"Root=1-{int(req.received):08x}-{req.request_id.replace('-', '')[:24]}"}
    pairs = list(req.header_pairs) + [(k, v) for k, v in extra.items() if req.header(k) is None]
    for k, v in pairs:
        headers[k] = v
        multi.setdefault(k, []).append(v)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for k, v in req.query_pairs:
        query[k] = v
        multi_query.setdefault(k, []).append(v)
    host = req.header("Host") or f"127.0.0.1:{port}"
    identity = {"cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None,
                "caller": req.iam_key, "sourceIp": req.source_ip, "principalOrgId": None,
                "accessKey": req.iam_key, "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None, "userArn": None,
                "userAgent": req.header("User-Agent"), "user": req.iam_key,
                "apiKey": req.api_key, "apiKeyId": req.api_key_id}
    context = {
        "resourceId": req.route.resource_id, "resourcePath": req.route.path, "httpMethod": req.method,
        "extendedRequestId": req.extended_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(req.received)),
        "path": f"/{api.stage}{req.path}", "accountId": api.account, "protocol": "HTTP/1.1",
        "stage": api.stage, "domainPrefix": host.split(".")[0].split(":")[0],
        "requestTimeEpoch": int(req.received * 1000), "requestId": req.request_id,
        "identity": identity, "domainName": host, "apiId": api.api_id,
    }
    return {
        "resource": req.route.path, "path": req.path, "httpMethod": req.method,
        "headers": headers or None, "multiValueHeaders": multi or None,
        "queryStringParameters": query or None, "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(req.path_params) or None,
        "stageVariables": dict(api.stage_variables) or None,
        "requestContext": context,
    }


def proxy_event(api: LocalApi, req: Request, binary_types: Sequence[str]) -> dict:
    """The event a proxy integration hands the function (binary media types base64-encoded)."""
    event = event_parts(api, req)
    if req.authorizer is not None:
        event["requestContext"]["authorizer"] = {k: v for k, v in req.authorizer.items()
                                                 if not k.startswith("_")}
    body: str | None = None
    binary = False
    if req.body:
        media = (req.header("Content-Type") or "").split(";")[0].strip().lower()
        if any(glob(t.lower(), media) for t in binary_types):
            binary = True
        else:
            try:
                body = req.body.decode("utf-8")
            except UnicodeDecodeError:
                binary = True
        if binary:
            body = base64.b64encode(req.body).decode()
    event["body"] = body
    event["isBase64Encoded"] = binary
    return event


def proxy_response(payload: Any) -> Response:
    """The HTTP response of a function's proxy answer; ``MalformedResponse`` when it is none."""
    if not isinstance(payload, Mapping):
        raise MalformedResponse("not a JSON object")
    unknown = set(payload) - _PROXY_KEYS
    if unknown:
        raise MalformedResponse(f"unexpected keys {sorted(unknown)}")
    status = payload.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResponse("statusCode must be an integer HTTP status")
    headers = payload.get("headers") or {}
    multi = payload.get("multiValueHeaders") or {}
    if not isinstance(headers, Mapping) or not isinstance(multi, Mapping) \
            or any(isinstance(v, (Mapping, list)) for v in headers.values()) \
            or any(not isinstance(v, list) for v in multi.values()):
        raise MalformedResponse("headers must map names to strings, multiValueHeaders to lists")
    body = payload.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResponse("body must be a string")
    encoded = payload.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise MalformedResponse("isBase64Encoded must be a boolean")
    multi_names = {k.lower() for k in multi}
    out: list[tuple[str, str]] = [(k, stringify(v)) for k, v in headers.items()
                                  if k.lower() not in multi_names and v is not None]
    out += [(k, stringify(v)) for k, values in multi.items() for v in values if v is not None]
    if not any(k.lower() == "content-type" for k, _ in out):
        out.append(("Content-Type", "application/json"))
    if encoded and body:
        try:
            data = base64.b64decode(body, validate=True)
        except ValueError:
            raise MalformedResponse("body is not valid base64") from None
    else:
        data = (body or "").encode()
    return status, out, data
