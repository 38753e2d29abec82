"""One request as the gateway sees it, and the mapping expressions that read it."""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from typing import TYPE_CHECKING, Sequence
from urllib.parse import parse_qsl, urlsplit

from local.model import LocalApi

if TYPE_CHECKING:
    from local.apigateway.routing import Route


class Request:
    """One request: what came in, and what the gateway learnt about it on the way."""

    def __init__(self, method: str, raw_path: str, headers: Sequence[tuple[str, str]], body: bytes,
                 source_ip: str, port: int):
        self.method = method.upper()
        split = urlsplit(raw_path)
        self.raw_path = split.path or "/"
        self.query_pairs = parse_qsl(split.query, keep_blank_values=True)
        self.header_pairs = list(headers)
        self.body = body
        self.source_ip = source_ip
        self.port = port                  # the gateway's port (X-Forwarded-Port)
        self.request_id = str(uuid.uuid4())
        self.extended_id = base64.b64encode(secrets.token_bytes(6)).decode()
        self.received = time.time()
        self.started = time.monotonic()
        self.path = "/"
        self.route: Route | None = None
        self.path_params: dict[str, str] = {}
        self.api_key: str | None = None
        self.api_key_id: str | None = None
        self.authorizer: dict | None = None
        self.iam_key: str | None = None
        self.integration_ms: float | None = None
        self.function: str | None = None
        self.version: str | None = None  # the function version that answered (through an alias)
        self.error_type: str | None = None

    def header(self, name: str) -> str | None:
        value = None
        lname = name.lower()
        for k, v in self.header_pairs:
            if k.lower() == lname:
                value = v
        return value

    def query(self, name: str) -> str | None:
        value = None
        for k, v in self.query_pairs:
            if k == name:
                value = v
        return value

    def param(self, name: str) -> str | None:
        """``$input.params(name)``: path, then query string, then header."""
        for value in (self.path_params.get(name), self.query(name), self.header(name)):
            if value is not None:
                return value
        return None


def param_value(expr: str, req: Request, api: LocalApi) -> str | None:
    """A mapping expression's value: ``'literal'``, ``method.request.{header,querystring,path}.X``,
    ``stageVariables.X``, ``context.requestId`` or ``context.stage``."""
    expr = str(expr).strip()
    if len(expr) >= 2 and expr[0] == expr[-1] == "'":
        return expr[1:-1]
    for prefix, getter in (("method.request.header.", req.header), ("method.request.querystring.", req.query),
                           ("method.request.path.", req.path_params.get),
                           ("stageVariables.", api.stage_variables.get)):
        if expr.startswith(prefix):
            return getter(expr[len(prefix):])
    if expr.startswith("context."):
        return {"context.requestId": req.request_id, "context.stage": api.stage}.get(expr)
    return None
