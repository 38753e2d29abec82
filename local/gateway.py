"""An API Gateway REST API stage, served on localhost from the API's own OpenAPI document.

One ``Gateway`` per ``LocalApi``: a threaded HTTP server on ``127.0.0.1:api.port``
that answers under ``/{stage}/...`` exactly what the document declares:

* routing by resource path (``{param}``, greedy ``{proxy+}``, literal segments win
  over parameters) and method; anything undeclared → 403 "Missing Authentication
  Token", a path outside the stage → 403 "Forbidden";
* ``aws_proxy`` integrations: the ``uri``'s ``${stageVariables.x}`` resolved with the
  stage's variables, the function invoked with a REST (v1) proxy event and its
  proxy response mapped back (malformed or failed → 502, too slow → 504; the
  integration timeout is ``min(29 s, timeoutInMillis)``);
* ``mock`` integrations (CORS preflight): ``responseParameters`` as headers, and the
  one template idiom the program uses (echo ``Origin`` when it is one of several
  allowed origins) — a small VTL subset, not a VTL engine;
* authorizers: Cognito user pools (RS256 JWT checked against the pool's JWKS,
  ``iss``, ``exp``, ``token_use`` with ``aud``/``client_id``, scopes), Lambda
  TOKEN and REQUEST authorizers (identity validation expression, IAM policy
  evaluated against the method ARN, result cache for
  ``authorizerResultTtlInSeconds`` keyed by the identity source, ``context`` passed
  on) and IAM (``awsSigv4``): only the *presence and format* of a SigV4
  ``Authorization`` header are checked, never the signature;
* API keys (``x-api-key`` header, usage-plan rate/burst/daily quota), per-method
  throttling (token buckets; ``method_throttles`` else the stage default),
  request validators (required parameters, JSON body against
  ``components.schemas`` with JSON Schema draft 4);
* gateway responses: ``x-amazon-apigateway-gateway-responses`` (a specific type,
  else DEFAULT_4XX / DEFAULT_5XX) give every gateway-generated error its headers
  (CORS) and body template.

Order of checks, as API Gateway: stage → route/method → throttling → authorizer →
API key (and its usage plan) → request validation → integration.

Not emulated: resource policies (``x-amazon-apigateway-policy``), VTL mapping
templates beyond the preflight idiom, non-proxy Lambda/HTTP/AWS integrations,
response caching, mutual TLS, WAF, binary media type conversion of responses
beyond ``isBase64Encoded``. A Lambda ``timed_out`` result is answered 504 (in AWS
a function timing out before the 29 s integration timeout surfaces as 502).

Every request writes one JSON access-log line through ``log``.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import json
import re
import secrets
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema

from local._http import LoopbackServer, QuietHandler, serve
from local.model import CognitoPool, LocalApi

try:  # the InvokeResult type; duck-typed so a test's fake invoke may return its own
    from local.lambda_runtime import InvokeResult, function_name_of
except ImportError:  # pragma: no cover
    InvokeResult = Any  # type: ignore[misc,assignment]

    def function_name_of(name_or_arn: str) -> str:
        return name_or_arn.split(":")[6] if name_or_arn.startswith("arn:") else name_or_arn.split(":")[0]

Invoke = Callable[[str, dict], "InvokeResult"]

MAX_INTEGRATION_TIMEOUT = 29.0
AUTHORIZER_TIMEOUT = 30.0
JWKS_TTL_SECONDS = 3600.0
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_ANY = "x-amazon-apigateway-any-method"
_PROXY_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
_SIGV4 = re.compile(r"^AWS4-HMAC-SHA256 Credential=(?P<akid>[A-Z0-9]{4,128})/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
                    r"execute-api/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;-]+), ?"
                    r"Signature=(?P<signature>[0-9a-f]{64})$")

# type → (default status, default message, x-amzn-ErrorType)
_RESPONSE_TYPES: dict[str, tuple[int, str | None, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token", "MissingAuthenticationTokenException"),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource", "AccessDeniedException"),
    "INVALID_API_KEY": (403, "Forbidden", "ForbiddenException"),
    "INVALID_SIGNATURE": (403, "Invalid signature", "InvalidSignatureException"),
    "EXPIRED_TOKEN": (403, "The security token included in the request is expired", "ExpiredTokenException"),
    "THROTTLED": (429, "Too Many Requests", "TooManyRequestsException"),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded", "LimitExceededException"),
    "BAD_REQUEST_BODY": (400, "Invalid request body", "BadRequestException"),
    "BAD_REQUEST_PARAMETERS": (400, "Missing required request parameters", "BadRequestException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLargeException"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None, "AuthorizerConfigurationException"),
    "AUTHORIZER_FAILURE": (500, None, "AuthorizerFailureException"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error", "InternalServerErrorException"),
    "INTEGRATION_FAILURE": (502, "Internal server error", "InternalServerErrorException"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out", "InternalServerErrorException"),
    "DEFAULT_5XX": (500, "Internal server error", "InternalServerErrorException"),
}


class GatewayError(Exception):
    """A gateway-generated response of one of API Gateway's response types."""

    def __init__(self, response_type: str, message: str | None = "", *, status: int | None = None,
                 validation: str | None = None):
        default_status, default_message, self.error_type = _RESPONSE_TYPES[response_type]
        self.response_type = response_type
        self.status = status or default_status
        self.message = default_message if message == "" else message
        self.validation = validation
        super().__init__(f"{response_type}: {self.message}")


# --------------------------------------------------------------------------------------
# small pure helpers (unit-testable)
# --------------------------------------------------------------------------------------
def _glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM-style wildcard match: ``*`` any run of characters, ``?`` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def policy_allows(policy: Mapping[str, Any], method_arn: str) -> bool:
    """An authorizer's IAM policy: an Allow for ``execute-api:Invoke`` on the ARN, and no Deny."""
    allowed = False
    for statement in _as_list((policy or {}).get("Statement")):
        if not isinstance(statement, Mapping):
            continue
        actions = _as_list(statement.get("Action"))
        if not any(_glob(str(a), "execute-api:Invoke", ignore_case=True) for a in actions):
            continue
        if not any(_glob(str(r), method_arn) for r in _as_list(statement.get("Resource"))):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return False
        if effect == "allow":
            allowed = True
    return allowed


def _stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(_stringify(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return json.dumps(value)
    return str(value)


def cognito_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as a REST API passes them: strings, lists as ``[a b]``, exp/iat as dates."""
    out = {}
    for name, value in claims.items():
        if name in ("exp", "iat") and isinstance(value, (int, float)):
            out[name] = datetime.fromtimestamp(value, timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")
        else:
            out[name] = _stringify(value)
    return out


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` per second."""

    def __init__(self, rate: float, burst: int):
        self.rate = max(0.0, float(rate))
        self.capacity = max(0.0, float(burst))
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


def _unlimited(rate: float | None, burst: int | None) -> bool:
    return rate is None or burst is None or (rate <= 0 and burst <= 0) or rate < 0 or burst < 0


@dataclass
class _Route:
    path: str
    regex: re.Pattern
    rank: tuple
    operations: dict[str, dict]   # upper-case method (or _ANY) → operation
    resource_id: str


def _compile_route(path: str, operations: Mapping[str, Any]) -> _Route:
    segments = [s for s in path.split("/") if s]
    parts, rank = [], []
    for seg in segments:
        m = re.fullmatch(r"\{([^}]+?)(\+?)\}", seg)
        if m and m.group(2):
            parts.append(f"(?P<{_group(m.group(1))}>.+)")
            rank.append(0)
        elif m:
            parts.append(f"(?P<{_group(m.group(1))}>[^/]+)")
            rank.append(1)
        else:
            parts.append(re.escape(seg))
            rank.append(2)
    regex = re.compile("^/" + "/".join(parts) + "$") if parts else re.compile("^/$")
    ops = {(k if k == _ANY else k.upper()): v for k, v in operations.items()
           if isinstance(v, Mapping) and (k.upper() in _METHODS or k == _ANY)}
    resource_id = hashlib.sha1(path.encode()).hexdigest()[:6]
    return _Route(path, regex, tuple(rank), ops, resource_id)


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name) + "_" + hashlib.sha1(name.encode()).hexdigest()[:6]


def _param_names(route: _Route) -> dict[str, str]:
    return {_group(m.group(1)): m.group(1) for m in re.finditer(r"\{([^}]+?)\+?\}", route.path)}


class _Request:
    """One request as the gateway sees it."""

    def __init__(self, method: str, raw_path: str, headers: Sequence[tuple[str, str]], body: bytes,
                 source_ip: str):
        self.method = method.upper()
        split = urlsplit(raw_path)
        self.raw_path = split.path or "/"
        self.query_pairs = parse_qsl(split.query, keep_blank_values=True)
        self.header_pairs = list(headers)
        self.body = body
        self.source_ip = source_ip
        self.request_id = str(uuid.uuid4())
        self.extended_id = base64.b64encode(secrets.token_bytes(6)).decode()
        self.received = time.time()
        self.started = time.monotonic()
        self.path = "/"
        self.route: _Route | None = None
        self.path_params: dict[str, str] = {}
        self.api_key: str | None = None
        self.api_key_id: str | None = None
        self.authorizer: dict | None = None
        self.iam_key: str | None = None
        self.integration_ms: float | None = None
        self.function: str | None = None
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


# --------------------------------------------------------------------------------------
# the gateway
# --------------------------------------------------------------------------------------
class Gateway:
    """An API Gateway REST API stage emulator for one ``LocalApi``."""

    def __init__(self, api: LocalApi, invoke: Invoke, cognito_pools: Sequence[CognitoPool] = (),
                 log: Callable[[str], None] = print):
        self.api = api
        self.invoke = invoke
        self.cognito_pools = list(cognito_pools)
        self.log = log
        self.doc = api.openapi
        self.routes = [_compile_route(path, ops) for path, ops in (self.doc.get("paths") or {}).items()]
        self.routes.sort(key=lambda r: r.rank, reverse=True)
        self.schemes: Mapping[str, Any] = ((self.doc.get("components") or {}).get("securitySchemes") or {})
        self.schemas: Mapping[str, Any] = ((self.doc.get("components") or {}).get("schemas") or {})
        self.binary_types = list(self.doc.get("x-amazon-apigateway-binary-media-types") or [])
        self._keys = {k.value: k for k in api.api_keys}
        self._buckets: dict[str, TokenBucket | None] = {}
        self._key_buckets = {k.value: TokenBucket(k.rate, k.burst) for k in api.api_keys
                             if not _unlimited(k.rate, k.burst)}
        self._quota: dict[str, tuple[str, int]] = {}
        self._auth_cache: dict[tuple, tuple[float, dict]] = {}
        self._jwks: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix=f"gw-{api.name}")
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = api.port

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.api.stage}"

    def start(self) -> "Gateway":
        if self._server is not None:
            return self
        handler = type("_BoundHandler", (_Handler,), {"gateway": self})
        server = _Server(("127.0.0.1", self.api.port), handler)
        self.port = server.server_address[1]
        self._server = server
        self._thread = serve(server, f"gateway-{self.api.name}", poll_interval=0.05)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> "Gateway":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- request handling -------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: Sequence[tuple[str, str]], body: bytes,
               source_ip: str = "127.0.0.1") -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer one request: (status, headers, body). Used by the HTTP server; callable directly."""
        req = _Request(method, raw_path, headers, body, source_ip)
        try:
            status, out_headers, out_body = self._dispatch(req)
        except GatewayError as err:
            req.error_type = err.response_type
            status, out_headers, out_body = self._error_response(err, req)
        except Exception as exc:  # a bug in the emulator: say so, as a 500
            req.error_type = "EMULATOR_ERROR"
            self._safe_log(json.dumps({"requestId": req.request_id, "emulatorError": repr(exc)}))
            status, out_headers, out_body = self._error_response(GatewayError("DEFAULT_5XX"), req)
        out_headers = [*out_headers, ("x-amzn-RequestId", req.request_id),
                       ("x-amz-apigw-id", req.extended_id)]
        self._access_log(req, status, len(out_body))
        return status, out_headers, out_body

    def _dispatch(self, req: _Request) -> tuple[int, list[tuple[str, str]], bytes]:
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
        operation = self._route(req)
        self._throttle(req)
        if operation.get("x-amazon-apigateway-integration", {}).get("type", "").lower() == "mock":
            return self._mock(req, operation)
        self._authorize(req, operation)
        self._validate(req, operation)
        return self._integrate(req, operation)

    def _route(self, req: _Request) -> dict:
        for route in self.routes:
            m = route.regex.match(req.path)
            if not m:
                continue
            operation = route.operations.get(req.method) or route.operations.get(_ANY)
            if operation is None:
                continue
            names = _param_names(route)
            req.route = route
            req.path_params = {names[g]: v for g, v in m.groupdict().items()}
            return operation
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN")

    def _throttle(self, req: _Request) -> None:
        assert req.route is not None
        key = f"{req.route.path.lstrip('/')}/{req.method}"
        with self._lock:
            if key not in self._buckets:
                rate, burst = (self.api.method_throttles.get(key)
                               or self.api.method_throttles.get("/" + key)
                               or (self.api.throttle_rate, self.api.throttle_burst))
                self._buckets[key] = None if _unlimited(rate, burst) else TokenBucket(rate, burst)
            bucket = self._buckets[key]
        if bucket is not None and not bucket.take():
            raise GatewayError("THROTTLED")

    # -- mock integration ----------------------------------------------------------------------
    def _mock(self, req: _Request, operation: Mapping[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        integration = operation["x-amazon-apigateway-integration"]
        responses = integration.get("responses") or {}
        response = responses.get("default") or next(iter(responses.values()), {})
        status = int(response.get("statusCode", 200))
        headers: dict[str, str] = {}
        for name, expr in (response.get("responseParameters") or {}).items():
            if name.startswith("method.response.header."):
                value = self._param_value(expr, req)
                if value is not None:
                    headers[name.removeprefix("method.response.header.")] = value
        body = ""
        template = (response.get("responseTemplates") or {}).get("application/json")
        if template:
            body, overrides, status_override = _render_mock_template(template, req)
            headers.update(overrides)
            status = status_override or status
        headers.setdefault("Content-Type", "application/json")
        payload = b"" if status in (204, 304) else body.encode()
        return status, list(headers.items()), payload

    # -- authorization -----------------------------------------------------------------------------
    def _authorize(self, req: _Request, operation: Mapping[str, Any]) -> None:
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
                self._cognito(req, scheme, scopes)
            elif authtype == "custom":
                self._lambda_authorizer(req, name, scheme)
            elif authtype == "awssigv4":
                self._sigv4(req)
            else:
                raise GatewayError("API_CONFIGURATION_ERROR")
        if api_key_needed:
            self._api_key(req)

    def _method_arn(self, req: _Request) -> str:
        api = self.api
        return f"arn:aws:execute-api:{api.region}:{api.account}:{api.api_id}/{api.stage}/{req.method}{req.path}"

    def _api_key(self, req: _Request) -> None:
        value = req.header("x-api-key")
        if self.doc.get("x-amazon-apigateway-api-key-source", "HEADER").upper() == "AUTHORIZER":
            value = (req.authorizer or {}).get("_usageIdentifierKey") or value
        key = self._keys.get(value or "")
        if key is None:
            raise GatewayError("INVALID_API_KEY")
        req.api_key = key.value
        req.api_key_id = hashlib.sha1(key.value.encode()).hexdigest()[:10]
        bucket = self._key_buckets.get(key.value)
        if bucket is not None and not bucket.take():
            raise GatewayError("THROTTLED")
        if key.quota_per_day and key.quota_per_day > 0:
            day = time.strftime("%Y-%m-%d", time.gmtime())
            with self._lock:
                current_day, used = self._quota.get(key.value, (day, 0))
                used = used if current_day == day else 0
                if used >= key.quota_per_day:
                    raise GatewayError("QUOTA_EXCEEDED")
                self._quota[key.value] = (day, used + 1)

    def _sigv4(self, req: _Request) -> None:
        header = req.header("Authorization")
        if not header:
            raise GatewayError("MISSING_AUTHENTICATION_TOKEN")
        m = _SIGV4.match(header.strip())
        if not m:
            raise GatewayError("INVALID_SIGNATURE", "Authorization header requires 'Credential', 'SignedHeaders' "
                                                    "and 'Signature' parameters (AWS4-HMAC-SHA256)")
        if not (req.header("X-Amz-Date") or req.header("Date")):
            raise GatewayError("INVALID_SIGNATURE", "Authorization header requires existence of either a "
                                                    "'X-Amz-Date' or a 'Date' header.")
        req.iam_key = m.group("akid")

    def _cognito(self, req: _Request, scheme: Mapping[str, Any], scopes: Sequence[str]) -> None:
        import jwt  # PyJWT, with cryptography

        token = req.header(str(scheme.get("name", "Authorization")))
        if not token:
            raise GatewayError("UNAUTHORIZED")
        token = token.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        arns = (scheme.get("x-amazon-apigateway-authorizer") or {}).get("providerARNs") or []
        pools = [p for p in self.cognito_pools if p.arn in arns]
        if not pools:
            self._safe_log(json.dumps({"requestId": req.request_id,
                                       "warning": f"no local Cognito pool for providerARNs {arns}"}))
            raise GatewayError("UNAUTHORIZED")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise GatewayError("UNAUTHORIZED") from None
        for pool in pools:
            if unverified.get("iss") != pool.issuer:
                continue
            key = self._jwk(pool.jwks_url, header.get("kid"))
            if key is None:
                continue
            try:
                claims = jwt.decode(token, key, algorithms=["RS256"], issuer=pool.issuer,
                                    options={"verify_aud": False, "require": ["exp", "iss"]})
            except jwt.PyJWTError:
                continue
            use = claims.get("token_use")
            clients = set(pool.client_ids)
            if use == "id":
                audience = set(_as_list(claims.get("aud")))
                if scopes or (clients and not audience & clients):
                    continue
            elif use == "access":
                if clients and claims.get("client_id") not in clients:
                    continue
                if scopes and not set(str(claims.get("scope", "")).split()) & set(scopes):
                    continue
            else:
                continue
            req.authorizer = {"claims": cognito_claims(claims)}
            return
        raise GatewayError("UNAUTHORIZED")

    def _jwk(self, url: str, kid: str | None) -> Any:
        import jwt

        for refresh in (False, True):
            with self._lock:
                cached = self._jwks.get(url)
            if refresh or cached is None or time.monotonic() - cached[0] > JWKS_TTL_SECONDS:
                if refresh and cached is not None and time.monotonic() - cached[0] < 1.0:
                    return None  # fetched a moment ago: an unknown kid is a forged token, not a rotation
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local URL
                        document = json.load(response)
                    keys = {k.get("kid"): jwt.PyJWK(k).key for k in document.get("keys", [])
                            if k.get("kty") == "RSA"}
                except Exception as exc:
                    self._safe_log(json.dumps({"warning": f"JWKS fetch from {url} failed: {exc!r}"}))
                    return None
                cached = (time.monotonic(), keys)
                with self._lock:
                    self._jwks[url] = cached
            if kid in cached[1]:
                return cached[1][kid]
        return None

    def _lambda_authorizer(self, req: _Request, name: str, scheme: Mapping[str, Any]) -> None:
        config = scheme.get("x-amazon-apigateway-authorizer") or {}
        kind = str(config.get("type", "token")).lower()
        ttl = int(config.get("authorizerResultTtlInSeconds", 300))
        function = self._function_of(str(config.get("authorizerUri", "")))
        method_arn = self._method_arn(req)
        if kind == "token":
            token = req.header(str(scheme.get("name", "Authorization")))
            if not token:
                raise GatewayError("UNAUTHORIZED")
            expression = config.get("identityValidationExpression")
            if expression and re.fullmatch(expression, token) is None:
                raise GatewayError("UNAUTHORIZED")
            cache_key = (name, token)
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
        else:
            sources = [s.strip() for s in str(config.get("identitySource", "")).split(",") if s.strip()]
            values = [self._param_value(s, req) for s in sources]
            if ttl > 0 and any(v in (None, "") for v in values):
                raise GatewayError("UNAUTHORIZED")
            cache_key = (name, tuple(values))
            event = {"type": "REQUEST", "methodArn": method_arn, **self._event_parts(req)}
        entry = None
        if ttl > 0:
            with self._lock:
                cached = self._auth_cache.get(cache_key)
                if cached and cached[0] > time.monotonic():
                    entry = cached[1]
        if entry is None:
            entry = self._call_authorizer(req, function, event)
            if ttl > 0:
                with self._lock:
                    now = time.monotonic()
                    if len(self._auth_cache) > 10000:  # many distinct tokens: drop the expired ones
                        self._auth_cache = {k: v for k, v in self._auth_cache.items() if v[0] > now}
                    self._auth_cache[cache_key] = (now + ttl, entry)
        if not policy_allows(entry["policy"], method_arn):
            raise GatewayError("ACCESS_DENIED")
        req.authorizer = dict(entry["context"])

    def _call_authorizer(self, req: _Request, function: str, event: dict) -> dict:
        started = time.monotonic()
        result = self._call(function, event, AUTHORIZER_TIMEOUT)
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
        out = {k: _stringify(v) for k, v in context.items() if v is not None}
        out["principalId"] = str(payload["principalId"])
        out["integrationLatency"] = latency
        if payload.get("usageIdentifierKey"):
            out["_usageIdentifierKey"] = str(payload["usageIdentifierKey"])
        return {"policy": payload["policyDocument"], "context": out}

    # -- validation ------------------------------------------------------------------------------
    def _validate(self, req: _Request, operation: Mapping[str, Any]) -> None:
        validators = self.doc.get("x-amazon-apigateway-request-validators") or {}
        name = operation.get("x-amazon-apigateway-request-validator",
                             self.doc.get("x-amazon-apigateway-request-validator"))
        validator = validators.get(name) or {} if name else {}
        if validator.get("validateRequestParameters"):
            missing = []
            for p in operation.get("parameters") or []:
                if not p.get("required"):
                    continue
                where, pname = p.get("in"), p.get("name", "")
                present = {"query": lambda n: req.query(n) is not None,
                           "header": lambda n: req.header(n) is not None,
                           "path": lambda n: bool(req.path_params.get(n))}.get(where, lambda n: True)(pname)
                if not present:
                    missing.append(pname)
            if missing:
                raise GatewayError("BAD_REQUEST_PARAMETERS",
                                   f"Missing required request parameters: [{', '.join(missing)}]")
        request_body = operation.get("requestBody")
        if validator.get("validateRequestBody") and request_body:
            content = request_body.get("content") or {}
            media = (req.header("Content-Type") or "application/json").split(";")[0].strip().lower()
            schema_ref = (content.get(media) or {}).get("schema")
            if schema_ref is None:
                return  # no model for this content type: API Gateway passes the body through
            schema = self._deref(schema_ref)
            try:
                data = json.loads(req.body) if req.body else None
            except ValueError:
                raise GatewayError("BAD_REQUEST_BODY", validation="[Invalid JSON]") from None
            if data is None and not request_body.get("required"):
                return
            errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(data), key=lambda e: list(e.path))
            if errors:
                raise GatewayError("BAD_REQUEST_BODY", validation="[" + ", ".join(e.message for e in errors) + "]")

    def _deref(self, node: Any, depth: int = 0) -> Any:
        if depth > 32:
            return {}
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                return self._deref(self.schemas.get(ref.rsplit("/", 1)[-1], {}), depth + 1)
            return {k: self._deref(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self._deref(v, depth + 1) for v in node]
        return node

    # -- integration ---------------------------------------------------------------------------------
    def _integrate(self, req: _Request, operation: Mapping[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        integration = operation.get("x-amazon-apigateway-integration") or {}
        if str(integration.get("type", "")).lower() != "aws_proxy":
            raise GatewayError("API_CONFIGURATION_ERROR")
        function = self._function_of(str(integration.get("uri", "")))
        req.function = function
        timeout = min(MAX_INTEGRATION_TIMEOUT, float(integration.get("timeoutInMillis", 29000)) / 1000)
        event = self._proxy_event(req)
        started = time.monotonic()
        result = self._call(function, event, timeout)
        req.integration_ms = (time.monotonic() - started) * 1000
        if result is None or getattr(result, "timed_out", False):
            raise GatewayError("INTEGRATION_TIMEOUT")
        if getattr(result, "error", None):
            raise GatewayError("INTEGRATION_FAILURE")
        return self._proxy_response(req, getattr(result, "payload", None))

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

    def _function_of(self, uri: str) -> str:
        def variable(m: re.Match) -> str:
            value = self.api.stage_variables.get(m.group(1))
            if value is None:
                raise GatewayError("API_CONFIGURATION_ERROR")
            return value

        resolved = re.sub(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}", variable, uri)
        m = re.search(r"/functions/(.+)/invocations$", resolved)
        target = m.group(1) if m else resolved
        try:
            return function_name_of(target)
        except KeyError:
            raise GatewayError("API_CONFIGURATION_ERROR") from None

    def _event_parts(self, req: _Request) -> dict[str, Any]:
        """The parts a proxy event and a REQUEST authorizer event share."""
        assert req.route is not None
        headers: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        port = str(self.port)
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
            "path": f"/{self.api.stage}{req.path}", "accountId": self.api.account, "protocol": "HTTP/1.1",
            "stage": self.api.stage, "domainPrefix": host.split(".")[0].split(":")[0],
            "requestTimeEpoch": int(req.received * 1000), "requestId": req.request_id,
            "identity": identity, "domainName": host, "apiId": self.api.api_id,
        }
        return {
            "resource": req.route.path, "path": req.path, "httpMethod": req.method,
            "headers": headers or None, "multiValueHeaders": multi or None,
            "queryStringParameters": query or None, "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": dict(req.path_params) or None,
            "stageVariables": dict(self.api.stage_variables) or None,
            "requestContext": context,
        }

    def _proxy_event(self, req: _Request) -> dict:
        event = self._event_parts(req)
        if req.authorizer is not None:
            event["requestContext"]["authorizer"] = {k: v for k, v in req.authorizer.items()
                                                     if not k.startswith("_")}
        body: str | None = None
        binary = False
        if req.body:
            media = (req.header("Content-Type") or "").split(";")[0].strip().lower()
            if any(_glob(t.lower(), media) for t in self.binary_types):
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

    def _proxy_response(self, req: _Request, payload: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        def malformed(why: str) -> GatewayError:
            self._safe_log(json.dumps({"requestId": req.request_id, "function": req.function,
                                       "error": f"Malformed Lambda proxy response: {why}"}))
            return GatewayError("INTEGRATION_FAILURE")

        if not isinstance(payload, Mapping):
            raise malformed("not a JSON object")
        unknown = set(payload) - _PROXY_KEYS
        if unknown:
            raise malformed(f"unexpected keys {sorted(unknown)}")
        status = payload.get("statusCode")
        if isinstance(status, str) and status.isdigit():
            status = int(status)
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise malformed("statusCode must be an integer HTTP status")
        headers = payload.get("headers") or {}
        multi = payload.get("multiValueHeaders") or {}
        if not isinstance(headers, Mapping) or not isinstance(multi, Mapping) \
                or any(isinstance(v, (Mapping, list)) for v in headers.values()) \
                or any(not isinstance(v, list) for v in multi.values()):
            raise malformed("headers must map names to strings, multiValueHeaders to lists")
        body = payload.get("body")
        if body is not None and not isinstance(body, str):
            raise malformed("body must be a string")
        encoded = payload.get("isBase64Encoded", False)
        if not isinstance(encoded, bool):
            raise malformed("isBase64Encoded must be a boolean")
        multi_names = {k.lower() for k in multi}
        out: list[tuple[str, str]] = [(k, _stringify(v)) for k, v in headers.items()
                                      if k.lower() not in multi_names and v is not None]
        out += [(k, _stringify(v)) for k, values in multi.items() for v in values if v is not None]
        if not any(k.lower() == "content-type" for k, _ in out):
            out.append(("Content-Type", "application/json"))
        if encoded and body:
            try:
                data = base64.b64decode(body, validate=True)
            except ValueError:
                raise malformed("body is not valid base64") from None
        else:
            data = (body or "").encode()
        return status, out, data

    # -- gateway responses ---------------------------------------------------------------------------
    def _error_response(self, err: GatewayError, req: _Request) -> tuple[int, list[tuple[str, str]], bytes]:
        responses = self.doc.get("x-amazon-apigateway-gateway-responses") or {}
        spec = responses.get(err.response_type)
        status = err.status
        if spec is not None and spec.get("statusCode"):
            status = int(spec["statusCode"])
        if spec is None:
            spec = responses.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX") or {}
        headers: dict[str, str] = {"Content-Type": "application/json", "x-amzn-ErrorType": err.error_type}
        for name, expr in (spec.get("responseParameters") or {}).items():
            if name.startswith("gatewayresponse.header."):
                value = self._param_value(expr, req)
                if value is not None:
                    headers[name.removeprefix("gatewayresponse.header.")] = value
        template = (spec.get("responseTemplates") or {}).get("application/json")
        if template:
            body = self._render_error_template(template, err, req)
        else:
            body = json.dumps({"message": err.message})
        return status, list(headers.items()), body.encode()

    def _render_error_template(self, template: str, err: GatewayError, req: _Request) -> str:
        values = {
            "context.error.messageString": json.dumps(err.message),
            "context.error.message": "" if err.message is None else err.message,
            "context.error.responseType": err.response_type,
            "context.error.validationErrorString": err.validation or "",
            "context.requestId": req.request_id,
            "context.extendedRequestId": req.extended_id,
            "context.stage": self.api.stage,
            "context.apiId": self.api.api_id,
            "context.httpMethod": req.method,
            "context.resourcePath": req.route.path if req.route else "",
            "context.path": f"/{self.api.stage}{req.path}",
        }

        def replace(m: re.Match) -> str:
            name = m.group(1) or m.group(2)
            if name.startswith("stageVariables."):
                return self.api.stage_variables.get(name.split(".", 1)[1], "")
            return values.get(name, "")

        return re.sub(r"\$!?(?:\{([A-Za-z][\w.]*)\}|((?:context|stageVariables)\.[A-Za-z][\w.]*[A-Za-z0-9]))",
                      replace, template)

    def _param_value(self, expr: str, req: _Request) -> str | None:
        expr = str(expr).strip()
        if len(expr) >= 2 and expr[0] == expr[-1] == "'":
            return expr[1:-1]
        for prefix, getter in (("method.request.header.", req.header), ("method.request.querystring.", req.query),
                               ("method.request.path.", req.path_params.get),
                               ("stageVariables.", self.api.stage_variables.get)):
            if expr.startswith(prefix):
                return getter(expr[len(prefix):])
        if expr.startswith("context."):
            return {"context.requestId": req.request_id, "context.stage": self.api.stage}.get(expr)
        return None

    # -- logging ---------------------------------------------------------------------------------------
    def _access_log(self, req: _Request, status: int, length: int) -> None:
        line = {
            "requestId": req.request_id, "ip": req.source_ip,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(req.received)),
            "httpMethod": req.method, "path": req.raw_path,
            "resourcePath": req.route.path if req.route else None, "status": status,
            "protocol": "HTTP/1.1", "responseLength": length,
            "latencyMs": round((time.monotonic() - req.started) * 1000, 2),
            "integrationLatency": None if req.integration_ms is None else round(req.integration_ms, 2),
            "function": req.function, "errorType": req.error_type, "apiKeyId": req.api_key_id,
        }
        self._safe_log(json.dumps(line))

    def _safe_log(self, line: str) -> None:
        try:
            self.log(line)
        except Exception:
            pass


def _render_mock_template(template: str, req: _Request) -> tuple[str, dict[str, str], int | None]:
    """The VTL subset mock integrations here use: ``#set($v = $input.params("X"))``,
    ``#if($v == "a" || $v == "b") ... #end`` and ``#set($context.responseOverride.header.H = $v)``
    (or ``.status``). Returns (body, header overrides, status override)."""
    variables: dict[str, str | None] = {}
    headers: dict[str, str] = {}
    status: list[int] = []

    def value(token: str) -> str | None:
        token = token.strip()
        if token.startswith('"') and token.endswith('"'):
            return token[1:-1]
        if token.startswith("$"):
            return variables.get(token[1:])
        return token

    def run(block: str) -> str:
        pos, out = 0, []
        pattern = re.compile(r'#set\(\s*\$([\w.-]+)\s*=\s*(\$input\.params\("([^"]*)"\)|"[^"]*"|\$[\w]+|\d+)\s*\)'
                             r'|#if\((.*?)\)(.*?)#end', re.DOTALL)
        for m in pattern.finditer(block):
            out.append(block[pos:m.start()])
            pos = m.end()
            if m.group(1):
                target = m.group(1)
                v = req.param(m.group(3)) if m.group(3) is not None else value(m.group(2))
                if target.startswith("context.responseOverride.header."):
                    if v is not None:
                        headers[target.removeprefix("context.responseOverride.header.")] = v
                elif target == "context.responseOverride.status":
                    if v and str(v).isdigit():
                        status.append(int(v))
                else:
                    variables[target] = v
            else:
                if _condition(m.group(4), value):
                    out.append(run(m.group(5)))
        out.append(block[pos:])
        return "".join(out)

    body = run(template).strip()
    return body, headers, (status[-1] if status else None)


def _condition(expr: str, value: Callable[[str], str | None]) -> bool:
    for alternative in expr.split("||"):
        if all(_comparison(term, value) for term in alternative.split("&&")):
            return True
    return False


def _comparison(term: str, value: Callable[[str], str | None]) -> bool:
    for op in ("==", "!="):
        if op in term:
            left, right = term.split(op, 1)
            equal = value(left) == value(right)
            return equal if op == "==" else not equal
    v = value(term)
    return bool(v) and v != "false"


# --------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------
class _Server(LoopbackServer):
    request_queue_size = 128


class _Handler(QuietHandler):  # the gateway writes its own access log
    server_version = "local-apigateway"
    sys_version = ""
    gateway: Gateway

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        body = self._read_body()
        headers = [(k, v) for k, v in self.headers.items()]
        status, out_headers, out_body = self.gateway.handle(self.command, self.path, headers, body,
                                                            self.client_address[0])
        self.send_response(status)
        for name, value in out_headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(out_body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and out_body:
            self.wfile.write(out_body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve
