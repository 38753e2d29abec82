"""S3 service integrations (``type: aws``, an ``s3:path/<bucket>/<key>`` URI): one object, read with the
integration's own role.

The object is fetched from the emulator's S3 with the identity local mode made for the
role in ``credentials`` (its policy's actions, as far as moto's IAM can check them);
S3's status (``200``, ``403``, ``404``, ...) selects the integration response and its
headers are what ``integration.response.header.*`` reads. Only a GET of one fixed key is
emulated: a URI with ``{parameters}`` or another method is refused by name.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Callable, Mapping

from local.apigateway.integrations.mapping import method_response
from local.apigateway.request import Request
from local.apigateway.responses import GatewayError, Response
from local.model import LocalApi

_S3_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:s3:path/([^/{}]+)/([^{}]+)$")


def s3_response(api: LocalApi, req: Request, integration: Mapping[str, Any],
                client_for: Callable[[str, str], Any], log: Callable[[str], None]) -> Response:
    uri, method = str(integration.get("uri", "")), str(integration.get("httpMethod", "")).upper()
    match = _S3_URI.match(uri)
    role = integration.get("credentials")
    if match is None or method != "GET" or not role:
        log(json.dumps({"requestId": req.request_id, "error": f"local mode emulates S3 integrations that GET one "
                        f"fixed s3:path/<bucket>/<key> with credentials, not {method} {uri}"}))
        raise GatewayError("API_CONFIGURATION_ERROR")
    bucket, key = match.groups()
    started = time.monotonic()
    try:
        obj = client_for(str(role), "s3").get_object(Bucket=bucket, Key=key)
        status, body = 200, obj["Body"].read()
        headers = {"Content-Type": obj.get("ContentType") or "application/octet-stream", "ETag": obj.get("ETag", "")}
    except Exception as error:  # noqa: BLE001 (S3's answer, whatever it is, selects the response)
        response = getattr(error, "response", None)
        if not isinstance(response, Mapping):
            raise
        status, body, headers = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)), b"", {}
        log(json.dumps({"requestId": req.request_id, "s3": f"{bucket}/{key}",
                        "error": response.get("Error", {}).get("Code", str(status))}))
    req.integration_ms = (time.monotonic() - started) * 1000
    return method_response(api, req, integration, str(status), body, headers)
