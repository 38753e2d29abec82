"""Lambda authorizers, TOKEN and REQUEST: the function's IAM policy evaluated against the method ARN.

A TOKEN authorizer's ``identityValidationExpression`` is checked first; the
result (policy and ``context``) is cached for ``authorizerResultTtlInSeconds``,
keyed by the token or by the identity sources' values; the ``context`` reaches the
integration as ``requestContext.authorizer``.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any, Callable, Mapping

from local.apigateway.proxy import event_parts, function_of
from local.apigateway.request import Request, param_value
from local.apigateway.responses import GatewayError
from local.apigateway.values import as_list, glob, stringify
from local.model import LocalApi

AUTHORIZER_TIMEOUT = 30.0
_CACHE_LIMIT = 10000

# (function name, event, timeout) → the invocation's result, or None when it took longer.
Call = Callable[[str, dict, float], Any]


def policy_allows(policy: Mapping[str, Any], method_arn: str) -> bool:
    """An authorizer's IAM policy: an Allow for ``execute-api:Invoke`` on the ARN, and no Deny."""
    allowed = False
    for statement in as_list((policy or {}).get("Statement")):
        if not isinstance(statement, Mapping):
            continue
        actions = as_list(statement.get("Action"))
        if not any(glob(str(a), "execute-api:Invoke", ignore_case=True) for a in actions):
            continue
        if not any(glob(str(r), method_arn) for r in as_list(statement.get("Resource"))):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return False
        if effect == "allow":
            allowed = True
    return allowed


class LambdaAuthorizer:
    """The Lambda authorizers of one stage, with their result cache."""

    def __init__(self, api: LocalApi, call: Call):
        self.api = api
        self.call = call
        self._cache: dict[tuple, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def method_arn(self, req: Request) -> str:
        api = self.api
        return f"arn:aws:execute-api:{api.region}:{api.account}:{api.api_id}/{api.stage}/{req.method}{req.path}"

    def authorize(self, req: Request, name: str, scheme: Mapping[str, Any]) -> None:
        config = scheme.get("x-amazon-apigateway-authorizer") or {}
        kind = str(config.get("type", "token")).lower()
        ttl = int(config.get("authorizerResultTtlInSeconds", 300))
        function = function_of(str(config.get("authorizerUri", "")), self.api.stage_variables)
        method_arn = self.method_arn(req)
        if kind == "token":
            token = req.header(str(scheme.get("name", "Authorization")))
            if not token:
                raise GatewayError("UNAUTHORIZED")
            expression = config.get("identityValidationExpression")
            if expression and re.fullmatch(expression, token) is None:
                raise GatewayError("UNAUTHORIZED")
            cache_key: tuple = (name, token)
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
        else:
            sources = [s.strip() for s in str(config.get("identitySource", "")).split(",") if s.strip()]
            values = [param_value(s, req, self.api) for s in sources]
            if ttl > 0 and any(v in (None, "") for v in values):
                raise GatewayError("UNAUTHORIZED")
            cache_key = (name, tuple(values))
            event = {"type": "REQUEST", "methodArn": method_arn, **event_parts(self.api, req)}
        entry = None
        if ttl > 0:
            with self._lock:
                cached = self._cache.get(cache_key)
                if cached and cached[0] > time.monotonic():
                    entry = cached[1]
        if entry is None:
            entry = self._invoke(function, event)
            if ttl > 0:
                with self._lock:
                    now = time.monotonic()
                    if len(self._cache) > _CACHE_LIMIT:  # many distinct tokens: drop the expired ones
                        self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
                    self._cache[cache_key] = (now + ttl, entry)
        if not policy_allows(entry["policy"], method_arn):
            raise GatewayError("ACCESS_DENIED")
        req.authorizer = dict(entry["context"])

    def _invoke(self, function: str, event: dict) -> dict:
        started = time.monotonic()
        result = self.call(function, event, AUTHORIZER_TIMEOUT)
        latency = int((time.monotonic() - started) * 1000)
        if result is None or getattr(result, "timed_out", False):
            raise GatewayError("AUTHORIZER_FAILURE")
        error = getattr(result, "error", None)
        if error:
            if str(error.get("errorMessage", "")) == "Unauthorized":
                raise GatewayError("UNAUTHORIZED")
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR")
        payload = getattr(result, "payload", None)
        if not isinstance(payload, Mapping) or "principalId" not in payload \
                or not isinstance(payload.get("policyDocument"), Mapping):
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR")
        context = payload.get("context") or {}
        if not isinstance(context, Mapping) or any(isinstance(v, (Mapping, list, tuple))
                                                   for v in context.values()):
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR")
        out = {k: stringify(v) for k, v in context.items() if v is not None}
        out["principalId"] = str(payload["principalId"])
        out["integrationLatency"] = latency
        if payload.get("usageIdentifierKey"):
            out["_usageIdentifierKey"] = str(payload["usageIdentifierKey"])
        return {"policy": payload["policyDocument"], "context": out}
