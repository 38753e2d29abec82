"""One REST API stage: the order of API Gateway's checks, the integration call and the access log."""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
from http.server import ThreadingHTTPServer
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import unquote

from local.apigateway.api_keys import UsagePlans
from local.apigateway.authorizers import CognitoAuthorizer, LambdaAuthorizer, check_sigv4
from local.apigateway.integrations import ClientFor, Integrations, check_templates
from local.apigateway.proxy import MalformedResponse, function_of, proxy_event, proxy_response
from local.apigateway.request import Request
from local.apigateway.responses import GatewayError, Response, error_response
from local.apigateway.routing import Router
from local.apigateway.server import MAX_PAYLOAD, GatewayHandler, GatewayServer
from local.apigateway.throttling import MethodThrottles
from local.apigateway.validation import validate
from local._http import serve, shut_down
from local.lambda_ import InvokeResult
from local.model import CognitoPool, LocalApi

# (function name or ARN, event) → the result; a test's fake may return its own duck-typed result.
Invoke = Callable[[str, dict], InvokeResult]

MAX_INTEGRATION_TIMEOUT = 29.0
DOCUMENT_PATH = "/openapi.json"  # where local mode serves the API's published document (not on AWS)


class Gateway:
    """An API Gateway REST API stage emulator for one ``LocalApi``."""

    def __init__(self, api: LocalApi, invoke: Invoke, cognito_pools: Sequence[CognitoPool] = (),
                 log: Callable[[str], None] = print, client_for: ClientFor | None = None):
        check_templates(api.openapi)  # a template outside local mode's VTL subset fails here, named
        self.api = api
        self.invoke = invoke
        self.log = log
        self.doc = api.openapi
        self.router = Router(self.doc.get("paths") or {})
        self.schemes: Mapping[str, Any] = ((self.doc.get("components") or {}).get("securitySchemes") or {})
        self.binary_types = list(self.doc.get("x-amazon-apigateway-binary-media-types") or [])
        self.throttles = MethodThrottles(api)
        self.usage_plans = UsagePlans(api.api_keys, self.doc.get("x-amazon-apigateway-api-key-source", "HEADER"))
        self.cognito = CognitoAuthorizer(cognito_pools, self._safe_log)
        self.lambda_authorizer = LambdaAuthorizer(api, self._call)
        self.integrations = Integrations(api, self._call, client_for, self._safe_log)
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix=f"gw-{api.name}")
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = api.port
        # Which deployment answers a request (the stage's, or its canary's): set by local/release; None: this one.
        self.pick: Callable[[], "Gateway"] | None = None

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.api.stage}"

    def start(self) -> "Gateway":
        if self._server is not None:
            return self
        handler = type("_BoundHandler", (GatewayHandler,), {"gateway": self})
        server = GatewayServer(("127.0.0.1", self.api.port), handler)
        self.port = server.server_address[1]
        self._server = server
        self._thread = serve(server, f"gateway-{self.api.name}", poll_interval=0.05)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            shut_down(server)
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> "Gateway":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- request handling -------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: Sequence[tuple[str, str]], body: bytes,
               source_ip: str = "127.0.0.1") -> Response:
        """Answer one request: (status, headers, body). Used by the HTTP server; callable directly."""
        deployment = self.pick() if self.pick is not None else self
        if deployment is not self:
            return deployment.handle(method, raw_path, headers, body, source_ip)
        req = Request(method, raw_path, headers, body, source_ip, self.port)
        try:
            status, out_headers, out_body = self._dispatch(req)
        except GatewayError as err:
            req.error_type = err.response_type
            status, out_headers, out_body = error_response(self.doc, self.api, err, req)
        except Exception as exc:  # a bug in the emulator: say so, as a 500
            req.error_type = "EMULATOR_ERROR"
            self._safe_log(json.dumps({"requestId": req.request_id, "emulatorError": repr(exc)}))
            status, out_headers, out_body = error_response(self.doc, self.api, GatewayError("DEFAULT_5XX"), req)
        out_headers = [*out_headers, ("x-amzn-RequestId", req.request_id),
                       ("x-amz-apigw-id", req.extended_id)]
        self._access_log(req, status, len(out_body))
        return status, out_headers, out_body

    def _dispatch(self, req: Request) -> Response:
        stage = self.api.stage
        segments = req.raw_path.split("/")
        if len(segments) < 2 or unquote(segments[1]) != stage:
            req.error_type = "FORBIDDEN"
            return 403, [("Content-Type", "application/json"),
                         ("x-amzn-ErrorType", "ForbiddenException")], b'{"message":"Forbidden"}'
        rest = [unquote(s) for s in segments[2:]]
        while len(rest) > 1 and rest[-1] == "":  # API Gateway ignores a trailing slash
            rest.pop()
        req.path = "/" + "/".join(rest) if rest and rest != [""] else "/"
        if len(req.body) > MAX_PAYLOAD:
            raise GatewayError("REQUEST_TOO_LARGE")
        if req.path == DOCUMENT_PATH and req.method in ("GET", "HEAD") and self.api.published_openapi \
                and DOCUMENT_PATH not in (self.doc.get("paths") or {}):
            document = {**self.api.published_openapi, "servers": [{"url": self.url}]}
            return 200, [("Content-Type", "application/json")], json.dumps(document, indent=1).encode()
        operation = self.router.match(req)
        self.throttles.take(req)
        self._authorize(req, operation)
        validate(self.doc, req, operation)
        return self._integrate(req, operation)

    def _authorize(self, req: Request, operation: Mapping[str, Any]) -> None:
        """The operation's security requirement: its authorizers, then its API key."""
        security = operation.get("security", self.doc.get("security", []))
        requirement: Mapping[str, Sequence[str]] = security[0] if security else {}
        api_key_needed = False
        authorizers = []
        for name, scopes in requirement.items():
            scheme = self.schemes.get(name)
            if scheme is None:
                raise GatewayError("API_CONFIGURATION_ERROR")
            authtype = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
            if not authtype and scheme.get("type") == "apiKey" and scheme.get("in") == "header" \
                    and str(scheme.get("name", "")).lower() == "x-api-key":
                api_key_needed = True
            else:
                authorizers.append((name, scheme, authtype, list(scopes or [])))
        for name, scheme, authtype, scopes in authorizers:
            if authtype == "cognito_user_pools":
                self.cognito.authorize(req, scheme, scopes)
            elif authtype == "custom":
                self.lambda_authorizer.authorize(req, name, scheme)
            elif authtype == "awssigv4":
                check_sigv4(req)
            else:
                raise GatewayError("API_CONFIGURATION_ERROR")
        if api_key_needed:
            self.usage_plans.check(req)

    def _integrate(self, req: Request, operation: Mapping[str, Any]) -> Response:
        integration = operation.get("x-amazon-apigateway-integration") or {}
        if str(integration.get("type", "")).lower() != "aws_proxy":
            return self.integrations.respond(req, integration)
        function = function_of(str(integration.get("uri", "")), self.api.stage_variables)
        req.function = function
        timeout = min(MAX_INTEGRATION_TIMEOUT, float(integration.get("timeoutInMillis", 29000)) / 1000)
        event = proxy_event(self.api, req, self.binary_types)
        started = time.monotonic()
        result = self._call(function, event, timeout)
        req.integration_ms = (time.monotonic() - started) * 1000
        req.version = getattr(result, "executed_version", None)
        if result is None or getattr(result, "timed_out", False):
            raise GatewayError("INTEGRATION_TIMEOUT")
        if getattr(result, "error", None):
            raise GatewayError("INTEGRATION_FAILURE")
        try:
            return proxy_response(getattr(result, "payload", None))
        except MalformedResponse as err:
            self._safe_log(json.dumps({"requestId": req.request_id, "function": req.function,
                                       "error": f"Malformed Lambda proxy response: {err.why}"}))
            raise

    def _call(self, function: str, event: dict, timeout: float) -> Any:
        """Invoke and wait up to ``timeout``; None when it took longer (the function keeps running)."""
        future = self._executor.submit(self.invoke, function, event)
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            return None
        except Exception as exc:  # e.g. the function does not exist locally
            self._safe_log(json.dumps({"warning": f"invoking {function} failed: {exc!r}"}))
            raise GatewayError("API_CONFIGURATION_ERROR") from None

    # -- logging ---------------------------------------------------------------------------------------
    def _access_log(self, req: Request, status: int, length: int) -> None:
        line = {
            "requestId": req.request_id, "ip": req.source_ip,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(req.received)),
            "httpMethod": req.method, "path": req.raw_path,
            "resourcePath": req.route.path if req.route else None, "status": status,
            "protocol": "HTTP/1.1", "responseLength": length,
            "latencyMs": round((time.monotonic() - req.started) * 1000, 2),
            "integrationLatency": None if req.integration_ms is None else round(req.integration_ms, 2),
            "function": req.function, "version": req.version, "errorType": req.error_type,
            "apiKeyId": req.api_key_id,
        }
        self._safe_log(json.dumps(line))

    def _safe_log(self, line: str) -> None:
        try:
            self.log(line)
        except Exception:
            pass
