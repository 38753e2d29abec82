"""Routes that API Gateway answers or maps itself (the whitepaper's non-proxy, mock and S3 integrations).

* ``health()``: ``GET /health``, a mock answered from a template; explicitly public (a
  load balancer or uptime check carries no token) and it reveals nothing but the stage;
* ``venue_document(bucket)``: ``GET /venue``, the venue's public document
  (``<INFO_PREFIX>venue.json``) straight from S3 through a role that may read that object only;
* ``mapped_info(function)``: ``GET /info`` and ``GET /info/{section}`` through a non-proxy
  Lambda integration: the info service's ``info_mapped.handler`` receives
  ``{"section": ...}``; API Gateway shapes its ``{"section", "content"}`` answer and maps
  its errors to 400/404/503 by their message prefix.

Each is an operation of ``functions/shared/api.py``, so both documents describe it from the
same models; ``RestApi`` holds each integration to the statuses its operation declares.
"""

from __future__ import annotations

import json

from multitier._declarations import api
from multitier._data.bucket import Bucket
from multitier._logic.function import Function
from multitier._logic.integrations import LambdaMapped, MockResponse, S3Object
from multitier._logic.routes import Public, Route
from multitier._patterns.services import INFO_PREFIX, route

VENUE_DOCUMENT = f"{INFO_PREFIX}venue.json"
INFO_MAPPED_HANDLER = "info_mapped.handler"
# The info function starts an error message with these (functions/info/info_mapped.py ERROR_PREFIXES);
# plain words, so each is its own selection pattern's literal start.
INFO_ERROR_PREFIXES = {400: "Bad request: ", 404: "Not found: ", 503: "Unavailable: "}

HEALTH_TEMPLATE = json.dumps({"status": "ok", "stage": "$context.stage", "request_id": "$context.requestId",
                              "time": "$context.requestTime"})
# escapeJavaScript escapes ' as \', which JSON does not allow: turned back, as AWS's documentation advises.
INFO_REQUEST = "{\"section\": \"$util.escapeJavaScript($input.params('section')).replace(\"\\'\", \"'\")\"}"
INFO_VENUE = "$input.json('$.content')"
INFO_SECTION = "{\"section\": $input.json('$.section'), \"content\": $input.json('$.content')}"


def health() -> Route:
    return route(api.GET_HEALTH, auth=Public(), integration=MockResponse(HEALTH_TEMPLATE, api.GET_HEALTH.status))


def venue_document(bucket: Bucket) -> Route:
    return route(api.GET_VENUE, integration=S3Object(bucket, VENUE_DOCUMENT))


def mapped_info(function: Function) -> list[Route]:
    errors = {prefix + ".*": status for status, prefix in INFO_ERROR_PREFIXES.items()}
    return [route(api.GET_INFO, function, integration=LambdaMapped(INFO_REQUEST, INFO_VENUE, errors)),
            route(api.GET_INFO_SECTION, function, integration=LambdaMapped(INFO_REQUEST, INFO_SECTION, errors))]
