"""The API Gateway emulator, driven over real HTTP with a document from multitier._logic.openapi."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from multitier._logic import openapi
from multitier._logic.routes import CognitoAuth, IamAuth, LambdaAuth, OpenApiOperation, Public, Route, path_parameters
from local.apigateway import Gateway, policy_allows
from local.lambda_ import InvokeResult, LambdaRuntime
from local.model import CognitoClient, CognitoPool, LocalApi, LocalFunction, UsagePlanKey

REGION, ACCOUNT, API_ID, STAGE = "us-east-1", "123456789012", "a1b2c3d4e5", "prod"
ORIGINS = ["http://localhost:8080", "http://127.0.0.1:8080"]
BROWSER = {"Origin": ORIGINS[1]}  # every call comes from a page at the second allowed origin
POOL_ARN = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_Pool1"
CLIENT_ID = "client-abc"


class Fn:
    """What the documents read of a function: its resource name, which names its stage variable (``fn_<name>``)."""

    def __init__(self, name: str):
        self.pulumi_resource_name = name


def fn_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def authorizer_uri(name: str) -> str:
    return (f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:live/invocations")


NONE = Public()
COGNITO = CognitoAuth((POOL_ARN,))
SCOPES = ("tickets/read", "tickets/admin")
TOKEN = LambdaAuth(Fn("authz"), name="tokenAuth", ttl_seconds=300)
TOKEN_NO_CACHE = LambdaAuth(Fn("authz"), name="tokenNoCache", ttl_seconds=0)
REQUEST = LambdaAuth(Fn("reqauthz"), type="REQUEST", name="reqAuth", ttl_seconds=60,
                     identity_source="method.request.header.Authorization, method.request.querystring.tenant")
IAM = IamAuth(name="iam")
# What RestApi resolves each authorizer's inputs to.
AUTHS = {"cognito": {"arns": [POOL_ARN]}, "tokenAuth": {"uri": authorizer_uri("authz")},
         "tokenNoCache": {"uri": authorizer_uri("authz")}, "reqAuth": {"uri": authorizer_uri("reqauthz")}, "iam": {}}
SHOW_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["title", "capacity"],
               "properties": {"title": {"type": "string", "minLength": 1},
                              "capacity": {"type": "integer", "minimum": 1}}}


def route(path: str, method: str, fn: str = "echo", auth: Any = NONE, *, body: dict | None = None,
          parameters: dict[tuple[str, str], bool] | None = None, **kw: Any) -> Route:
    """A route; ``parameters`` maps (place, name) to required, ``body`` is the JSON body's schema."""
    operation = None
    if body is not None or parameters:
        path_params = [{"name": p, "in": "path", "required": True} for p in path_parameters(path)]
        words = re.findall(r"[A-Za-z0-9]+", path)
        operation = OpenApiOperation(method.lower() + "".join(w[:1].upper() + w[1:] for w in words),
                                     request_body="ShowIn" if body else None,
                                     parameters=path_params + [{"name": n, "in": where, "required": required}
                                                               for (where, n), required in (parameters or {}).items()],
                                     responses={"200": {"description": "ok"}}, schemas={"ShowIn": body} if body else {})
    return Route(path, method, Fn(fn), auth=auth, operation=operation, **kw)


ROUTES = [
    route("/shows", "GET", "shows", parameters={("query", "cursor"): False}),
    route("/shows", "POST", "shows", COGNITO, body=SHOW_SCHEMA),
    route("/shows/{id}", "GET", "shows"),
    route("/shows/{id}", "PUT", "shows", body=SHOW_SCHEMA),
    route("/shows/featured", "GET", "featured"),
    route("/search", "GET", parameters={("query", "q"): True, ("header", "X-Client"): True}),
    route("/me", "GET", auth=COGNITO),
    route("/scoped", "GET", auth=COGNITO, scopes=SCOPES),
    route("/tickets", "GET", auth=TOKEN),
    route("/tickets", "POST", auth=TOKEN),
    route("/tickets/{id}", "GET", auth=TOKEN_NO_CACHE),
    route("/tenant", "GET", auth=REQUEST),
    route("/private", "GET", api_key_required=True),
    route("/iam", "GET", auth=IAM),
    route("/files/{proxy+}", "GET"),
    route("/bad", "GET", "bad"),
    route("/boom", "GET", "boom"),
    route("/late", "GET", "late"),
    route("/slow", "GET", "slow"),
    route("/sleepy", "GET", "sleepy"),
]


def render(routes: list[Route], origins: list[str] = ORIGINS, integrations: dict | None = None) -> dict:
    """The document API Gateway would import for ``routes`` (what RestApi renders)."""
    functions = {f"fn_{r.function.pulumi_resource_name}": fn_arn(r.function.pulumi_resource_name)
                 for r in routes if r.function is not None}
    definition = openapi.ApiDefinition("tickets", "test", routes, NONE, origins)
    return openapi.imported(definition, openapi.Resolved(functions, AUTHS, integrations or {}))


def document(routes=ROUTES) -> dict:
    doc = render(routes)
    doc["paths"]["/slow"]["get"]["x-amazon-apigateway-integration"]["timeoutInMillis"] = 300
    return doc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_api(doc: dict | None = None, **kw: Any) -> LocalApi:
    names = {"echo", "shows", "featured", "bad", "boom", "late", "slow", "sleepy"}
    variables = {f"fn_{n}": f"{n}:live" for n in names}
    variables["fn_shows"] = "shows-dev-fn:live"  # the stage variable, not the ARN, names the function
    args = dict(name="tickets", api_id=API_ID, stage=STAGE, openapi=doc or document(), stage_variables=variables,
                port=free_port(), throttle_rate=1000, throttle_burst=1000, region=REGION, account=ACCOUNT)
    args.update(kw)
    return LocalApi(**args)


def proxy_ok(event: dict) -> dict:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json", "X-Fn": "1"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "body": json.dumps(event)}


class FakeLambda:
    """Stands in for the runtime: name → handler(event) → payload, recording every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.handlers: dict[str, Callable[[dict], Any]] = {
            "echo": proxy_ok, "shows-dev-fn": proxy_ok, "featured": proxy_ok,
            "bad": lambda e: {"statusCode": 200, "body": {"not": "a string"}},
            "sleepy": lambda e: (time.sleep(0.3), proxy_ok(e))[1],
            "slow": lambda e: (time.sleep(2), proxy_ok(e))[1],
            "authz": self.authorizer, "reqauthz": self.request_authorizer,
        }

    def __call__(self, name: str, event: dict) -> InvokeResult:
        with self.lock:
            self.calls.append((name, event))
        if name == "boom":
            return InvokeResult(name, "r", error={"errorType": "KeyError", "errorMessage": "'x'"})
        if name == "late":
            return InvokeResult(name, "r", timed_out=True,
                                error={"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out"})
        handler = self.handlers[name]
        try:
            return InvokeResult(name, "r", payload=handler(event))
        except Exception as exc:
            return InvokeResult(name, "r", error={"errorType": type(exc).__name__, "errorMessage": str(exc)})

    def named(self, name: str) -> list[dict]:
        with self.lock:
            return [e for n, e in self.calls if n == name]

    @staticmethod
    def policy(effect: str, resource: str | list) -> dict:
        return {"Version": "2012-10-17",
                "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}

    def authorizer(self, event: dict) -> dict:
        token = event["authorizationToken"].removeprefix("Bearer ")
        base = event["methodArn"].split("/", 1)[0]
        if token.startswith("unauthorized."):
            raise Exception("Unauthorized")
        if token.startswith("deny."):
            return {"principalId": "u-deny", "policyDocument": self.policy("Deny", "*")}
        if token.startswith("gettickets."):
            return {"principalId": "u-get", "policyDocument": self.policy("Allow", f"{base}/{STAGE}/GET/tickets")}
        if token.startswith("broken."):
            return {"policyDocument": "nope"}
        return {"principalId": "u-1", "policyDocument": self.policy("Allow", f"{base}/*/*"),
                "context": {"userId": "u-1", "groups": "admins", "n": 3, "flag": True}}

    def request_authorizer(self, event: dict) -> dict:
        tenant = (event.get("queryStringParameters") or {}).get("tenant")
        return {"principalId": f"tenant-{tenant}",
                "policyDocument": self.policy("Allow" if tenant == "acme" else "Deny", event["methodArn"]),
                "context": {"tenant": tenant}}


class Response:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


def call(url: str, method: str = "GET", body: Any = None, headers: dict | None = None) -> Response:
    data = body if isinstance(body, (bytes, type(None))) else (body if isinstance(body, str) else json.dumps(body))
    if isinstance(data, str):
        data = data.encode()
    request = urllib.request.Request(url, data=data, method=method, headers={**BROWSER, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


@pytest.fixture
def fake() -> FakeLambda:
    return FakeLambda()


@pytest.fixture
def access_log() -> list[str]:
    return []


@pytest.fixture
def cognito():
    """An RSA key, a JWKS endpoint serving it, and the pool that trusts it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="kid-1", alg="RS256", use="sig")
    fetches = []

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            fetches.append(self.path)
            body = json.dumps({"keys": [jwk]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_address[1]}/{REGION}_Pool1"
    pool = CognitoPool(pool_id=f"{REGION}_Pool1", arn=POOL_ARN, issuer=issuer,
                       jwks_url=f"{issuer}/.well-known/jwks.json", clients=(CognitoClient(CLIENT_ID),))

    def token(signing_key=key, **claims: Any) -> str:
        now = int(time.time())
        base = {"sub": "user-1", "iss": issuer, "aud": CLIENT_ID, "token_use": "id", "iat": now, "exp": now + 600,
                "cognito:groups": ["admins", "staff"], "email": "a@example.com"}
        base.update(claims)
        base = {k: v for k, v in base.items() if v is not None}
        return jwt.encode(base, signing_key, algorithm="RS256", headers={"kid": "kid-1"})

    yield pool, token, fetches
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway(fake: FakeLambda, access_log: list[str], cognito):
    gw = Gateway(make_api(api_keys=(UsagePlanKey("key-123", rate=1000, burst=1000, quota_per_day=3),)),
                 fake, cognito_pools=[cognito[0]], log=access_log.append)
    gw.start()
    yield gw
    gw.stop()


def assert_cors(r: Response) -> None:
    assert r.headers.get("access-control-allow-origin") == ORIGINS[1], "the caller's allowed origin reads the error"
    assert "Authorization" in r.headers.get("access-control-allow-headers", "")


# -- routing and the proxy event ------------------------------------------------------------
def test_routing_path_parameters_and_proxy_event(gateway: Gateway, fake: FakeLambda) -> None:
    r = call(f"{gateway.api.url}/shows/abc%20d?x=1&x=2&cursor=c", headers={"X-Custom": "yes", "User-Agent": "t/1"})
    assert r.status == 200
    assert r.headers["x-fn"] == "1" and r.headers["content-type"] == "application/json"
    assert r.headers["x-amzn-requestid"]
    event = r.json()
    assert fake.calls[-1][0] == "shows-dev-fn", "invoked the function the stage variable names"
    assert event["resource"] == "/shows/{id}" and event["path"] == "/shows/abc d"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "abc d"}
    assert event["queryStringParameters"] == {"x": "2", "cursor": "c"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "cursor": ["c"]}
    assert event["headers"]["X-Custom"] == "yes" and event["multiValueHeaders"]["X-Custom"] == ["yes"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["stageVariables"]["fn_shows"] == "shows-dev-fn:live"
    assert event["body"] is None and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["stage"] == STAGE and ctx["path"] == "/prod/shows/abc d"
    assert ctx["apiId"] == API_ID and ctx["accountId"] == ACCOUNT
    assert ctx["resourcePath"] == "/shows/{id}" and ctx["httpMethod"] == "GET"
    assert ctx["identity"]["sourceIp"] == "127.0.0.1" and ctx["identity"]["userAgent"] == "t/1"
    assert ctx["requestId"] == r.headers["x-amzn-requestid"]
    assert abs(ctx["requestTimeEpoch"] / 1000 - time.time()) < 5
    assert "authorizer" not in ctx


def test_literal_beats_parameter_greedy_path_and_multi_value_headers(gateway: Gateway, fake: FakeLambda) -> None:
    r = call(f"{gateway.api.url}/shows/featured")
    assert r.status == 200 and fake.calls[-1][0] == "featured"
    r = call(f"{gateway.api.url}/files/a/b/c.txt")
    assert r.status == 200 and r.json()["pathParameters"] == {"proxy": "a/b/c.txt"}
    raw = urllib.request.urlopen(f"{gateway.api.url}/shows/1", timeout=5)
    assert raw.headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    r = call(f"{gateway.api.url}/shows/", method="GET")
    assert r.status == 200 and r.json()["resource"] == "/shows"


def test_post_body_reaches_the_function(gateway: Gateway, fake: FakeLambda, cognito) -> None:
    pool, token, _ = cognito
    r = call(f"{gateway.api.url}/shows", "POST", {"title": "Hamlet", "capacity": 3},
             {"Authorization": token(), "Content-Type": "application/json"})
    assert r.status == 200
    assert json.loads(r.json()["body"]) == {"title": "Hamlet", "capacity": 3}


def test_unknown_stage_route_and_method(gateway: Gateway, fake: FakeLambda) -> None:
    port = gateway.api.port
    r = call(f"http://127.0.0.1:{port}/dev/shows")
    assert (r.status, r.json()) == (403, {"message": "Forbidden"})
    assert call(f"http://127.0.0.1:{port}/").status == 403
    for method, path in (("GET", "/nope"), ("DELETE", "/shows"), ("PATCH", "/shows/1"), ("GET", "/")):
        r = call(f"{gateway.api.url}{path}", method)
        assert r.status == 403, (method, path)
        assert r.json()["message"] == "Missing Authentication Token"
        assert r.json()["request_id"] == r.headers["x-amzn-requestid"]  # the DEFAULT_4XX template
        assert r.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
        assert_cors(r)
    assert fake.calls == []


def test_methods_the_document_does_not_declare_are_missing_authentication_token(gateway: Gateway,
                                                                              fake: FakeLambda) -> None:
    # Methods the HTTP server itself knows nothing about, too: API Gateway answers them like any undeclared method.
    for method in ("TRACE", "CONNECT", "PROPFIND", "FOO"):
        r = call(f"{gateway.api.url}/shows", method)
        assert r.status == 403, method
        assert r.headers["content-type"] == "application/json"
        assert r.json()["message"] == "Missing Authentication Token"
        assert r.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert fake.calls == []


def test_preflight_is_answered_by_the_mock_integration(gateway: Gateway, fake: FakeLambda) -> None:
    r = call(f"{gateway.api.url}/shows", "OPTIONS", headers={"Origin": ORIGINS[1]})
    assert r.status == 204 and r.body == b""
    assert r.headers["access-control-allow-origin"] == ORIGINS[1], "a second allowed origin is echoed"
    assert r.headers["access-control-allow-methods"] == "GET,OPTIONS,POST"
    assert r.headers["access-control-max-age"] == "600"
    assert "Idempotency-Key" in r.headers["access-control-allow-headers"]
    r = call(f"{gateway.api.url}/shows/7", "OPTIONS", headers={"Origin": "https://evil.example"})
    assert r.status == 204 and r.headers["access-control-allow-origin"] == ORIGINS[0]
    assert r.headers["access-control-allow-methods"] == "GET,OPTIONS,PUT"
    assert fake.calls == []


# -- integration failures ---------------------------------------------------------------------------
def test_malformed_response_error_and_timeouts(gateway: Gateway) -> None:
    r = call(f"{gateway.api.url}/bad")
    assert r.status == 502 and r.json()["message"] == "Internal server error"
    assert_cors(r)
    r = call(f"{gateway.api.url}/boom")
    assert r.status == 502 and r.json()["message"] == "Internal server error"
    r = call(f"{gateway.api.url}/late")
    assert r.status == 504 and r.json()["message"] == "Endpoint request timed out"
    assert_cors(r)
    t0 = time.perf_counter()
    r = call(f"{gateway.api.url}/slow")  # timeoutInMillis 300, the function takes 2 s
    assert r.status == 504 and time.perf_counter() - t0 < 1.5


def test_access_log_line_per_request(gateway: Gateway, access_log: list[str]) -> None:
    r = call(f"{gateway.api.url}/shows/9")
    call(f"{gateway.api.url}/nope")
    lines = [json.loads(line) for line in access_log]
    first = next(line for line in lines if line["requestId"] == r.headers["x-amzn-requestid"])
    assert first["status"] == 200 and first["httpMethod"] == "GET" and first["path"] == "/prod/shows/9"
    assert first["resourcePath"] == "/shows/{id}" and first["latencyMs"] >= first["integrationLatency"] >= 0
    assert lines[-1]["status"] == 403 and lines[-1]["integrationLatency"] is None


# -- validation ---------------------------------------------------------------------------------------
def test_body_validation(gateway: Gateway, fake: FakeLambda) -> None:
    url = f"{gateway.api.url}/shows/1"
    nested_too_deep = b'{"title": ' * 5000  # the parser gives up (RecursionError) before seeing the end
    for body in ({"title": "x"}, {"title": "", "capacity": 1}, {"title": "x", "capacity": 0}, "not json", None,
                 nested_too_deep, b'{"title": ' * 900 + b'"x"' + b'}' * 900):
        r = call(url, "PUT", body, {"Content-Type": "application/json"})
        assert r.status == 400, body
        assert r.json()["message"] == "Invalid request body"
        assert_cors(r)
    assert fake.named("shows-dev-fn") == []
    assert call(url, "PUT", {"title": "x", "capacity": 2}, {"Content-Type": "application/json"}).status == 200
    # API Gateway's models take no additionalProperties: an unknown field is the function's to refuse
    assert call(url, "PUT", {"title": "x", "capacity": 1, "extra": 1}, {"Content-Type": "application/json"}).status \
        == 200


def test_required_parameters(gateway: Gateway, fake: FakeLambda) -> None:
    r = call(f"{gateway.api.url}/search")
    assert r.status == 400 and r.json()["message"] == "Missing required request parameters: [q, X-Client]"
    r = call(f"{gateway.api.url}/search?q=hamlet")
    assert r.status == 400 and r.json()["message"] == "Missing required request parameters: [X-Client]"
    assert fake.calls == []
    assert call(f"{gateway.api.url}/search?q=hamlet", headers={"x-client": "web"}).status == 200


# -- Cognito ----------------------------------------------------------------------------------------------
def test_cognito_id_token_where_the_method_lists_no_scopes(gateway: Gateway, fake: FakeLambda, cognito) -> None:
    pool, token, fetches = cognito
    r = call(f"{gateway.api.url}/me", headers={"Authorization": token()})
    assert r.status == 200
    claims = r.json()["requestContext"]["authorizer"]["claims"]
    assert claims["sub"] == "user-1" and claims["email"] == "a@example.com"
    assert claims["cognito:groups"] == "[admins staff]"
    assert all(isinstance(v, str) for v in claims.values())
    call(f"{gateway.api.url}/me", headers={"Authorization": token()})
    assert len(fetches) == 1, "the JWKS is fetched once and cached"
    # API Gateway treats the token as an ID token when the method lists no scopes: an access token is refused
    access = token(token_use="access", aud=None, client_id=CLIENT_ID, scope="openid tickets/read")
    r = call(f"{gateway.api.url}/me", headers={"Authorization": "Bearer " + access})
    assert r.status == 401 and r.json()["message"] == "Unauthorized"


def test_cognito_access_token_with_one_of_the_methods_scopes(gateway: Gateway, fake: FakeLambda, cognito) -> None:
    pool, token, _ = cognito
    document = gateway.doc["paths"]["/scoped"]["get"]
    assert document["security"] == [{"cognito": ["tickets/read", "tickets/admin"]}]

    def status(value: str) -> int:
        return call(f"{gateway.api.url}/scoped", headers={"Authorization": value}).status

    assert status(token(token_use="access", aud=None, client_id=CLIENT_ID, scope="openid tickets/admin")) == 200
    assert status(token(token_use="access", aud=None, client_id=CLIENT_ID, scope="openid profile")) == 401
    assert status(token(token_use="access", aud=None, client_id="someone-else", scope="tickets/read")) == 401
    assert status(token()) == 401, "an ID token is refused where the method lists scopes"
    assert len(fake.calls) == 1, "only the accepted token reached the function"


@pytest.mark.parametrize("case", ["missing", "forged", "expired", "wrong_issuer", "wrong_audience",
                                  "wrong_client", "no_token_use", "garbage"])
def test_cognito_rejections(gateway: Gateway, fake: FakeLambda, cognito, case: str) -> None:
    pool, token, _ = cognito
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    value = {
        "missing": None,
        "forged": token(signing_key=other_key),
        "expired": token(exp=int(time.time()) - 10),
        "wrong_issuer": token(iss="https://cognito-idp.us-east-1.amazonaws.com/other"),
        "wrong_audience": token(aud="someone-else"),
        "wrong_client": token(token_use="access", aud=None, client_id="someone-else"),
        "no_token_use": token(token_use=None),
        "garbage": "not-a-jwt",
    }[case]
    r = call(f"{gateway.api.url}/me", headers={"Authorization": value} if value else {})
    assert r.status == 401 and r.json()["message"] == "Unauthorized"
    assert r.headers["x-amzn-errortype"] == "UnauthorizedException"
    assert_cors(r)
    assert fake.calls == []


# -- Lambda authorizers -----------------------------------------------------------------------------------
def test_token_authorizer_allow_context_and_cache(gateway: Gateway, fake: FakeLambda) -> None:
    headers = {"Authorization": "Bearer allow.a.b"}
    r = call(f"{gateway.api.url}/tickets", headers=headers)
    assert r.status == 200
    authorizer = r.json()["requestContext"]["authorizer"]
    assert {k: authorizer[k] for k in ("userId", "groups", "n", "flag", "principalId")} == \
        {"userId": "u-1", "groups": "admins", "n": "3", "flag": "true", "principalId": "u-1"}
    [event] = fake.named("authz")
    assert event == {"type": "TOKEN", "authorizationToken": "Bearer allow.a.b",
                     "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{STAGE}/GET/tickets"}
    assert call(f"{gateway.api.url}/tickets", "POST", {}, headers).status == 200
    assert len(fake.named("authz")) == 1, "the second call used the cached result"


def test_token_authorizer_without_cache(gateway: Gateway, fake: FakeLambda) -> None:
    headers = {"Authorization": "Bearer allow.a.b"}
    assert call(f"{gateway.api.url}/tickets/1", headers=headers).status == 200
    assert call(f"{gateway.api.url}/tickets/1", headers=headers).status == 200
    assert len(fake.named("authz")) == 2


def test_token_authorizer_deny_unauthorized_and_validation(gateway: Gateway, fake: FakeLambda) -> None:
    url = f"{gateway.api.url}/tickets"
    r = call(url, headers={"Authorization": "Bearer deny.a.b"})
    assert r.status == 403 and r.json()["message"] == "User is not authorized to access this resource"
    assert_cors(r)
    r = call(url, headers={"Authorization": "Bearer unauthorized.a.b"})
    assert r.status == 401 and r.json()["message"] == "Unauthorized"
    assert_cors(r)
    invoked = len(fake.named("authz"))
    for value in (None, "no-dots-here", "Basic dXNlcjpwYXNz"):
        r = call(url, headers={"Authorization": value} if value else {})
        assert r.status == 401, value
    assert len(fake.named("authz")) == invoked, "identityValidationExpression rejects before invoking"
    r = call(url, headers={"Authorization": "Bearer broken.a.b"})
    assert r.status == 500 and r.headers["x-amzn-errortype"] == "AuthorizerConfigurationException"
    assert fake.named("echo") == []


def test_policy_is_evaluated_against_the_method_arn(gateway: Gateway, fake: FakeLambda) -> None:
    headers = {"Authorization": "Bearer gettickets.a.b"}
    assert call(f"{gateway.api.url}/tickets", headers=headers).status == 200
    r = call(f"{gateway.api.url}/tickets", "POST", {}, headers)
    assert r.status == 403 and r.json()["message"] == "User is not authorized to access this resource"
    assert len(fake.named("authz")) == 1, "the cached policy is re-evaluated for the other method"
    assert call(f"{gateway.api.url}/tickets/5", headers=headers).status == 403


def test_policy_evaluation_rules() -> None:
    arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/prod/GET/shows/1"
    allow = FakeLambda.policy
    assert policy_allows(allow("Allow", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/*/GET/shows/*"), arn)
    assert policy_allows(allow("Allow", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/prod/GET/shows/?"), arn)
    assert not policy_allows(allow("Allow", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/prod/POST/*"), arn)
    both = {"Statement": allow("Allow", "*")["Statement"] + allow("Deny", "*/GET/*")["Statement"]}
    assert not policy_allows(both, arn), "an explicit Deny wins"
    assert not policy_allows({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, arn)
    assert policy_allows({"Statement": {"Effect": "Allow", "Action": ["execute-api:*"], "Resource": [arn]}}, arn)
    assert not policy_allows({}, arn)


def test_request_authorizer(gateway: Gateway, fake: FakeLambda) -> None:
    url = f"{gateway.api.url}/tenant"
    assert call(url, headers={"Authorization": "x"}).status == 401, "an identity source is missing"
    assert fake.named("reqauthz") == []
    r = call(url + "?tenant=acme", headers={"Authorization": "x"})
    assert r.status == 200 and r.json()["requestContext"]["authorizer"]["tenant"] == "acme"
    [event] = fake.named("reqauthz")
    assert event["type"] == "REQUEST" and event["methodArn"].endswith(f"/{STAGE}/GET/tenant")
    assert event["queryStringParameters"] == {"tenant": "acme"} and event["headers"]["Authorization"] == "x"
    assert event["requestContext"]["resourcePath"] == "/tenant"
    assert call(url + "?tenant=other", headers={"Authorization": "x"}).status == 403


# -- IAM, API keys, throttling ---------------------------------------------------------------------------
def test_iam_requires_a_sigv4_header(gateway: Gateway, fake: FakeLambda) -> None:
    url = f"{gateway.api.url}/iam"
    r = call(url)
    assert r.status == 403 and r.json()["message"] == "Missing Authentication Token"
    assert call(url, headers={"Authorization": "Bearer abc"}).status == 403
    signed = ("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE123/20250101/us-east-1/execute-api/aws4_request, "
              "SignedHeaders=host;x-amz-date, Signature=" + "ab" * 32)
    assert call(url, headers={"Authorization": signed}).status == 403, "X-Amz-Date is required"
    r = call(url, headers={"Authorization": signed, "X-Amz-Date": "20250101T000000Z"})
    assert r.status == 200 and r.json()["requestContext"]["identity"]["accessKey"] == "AKIAEXAMPLE123"


def test_api_keys_and_quota(gateway: Gateway, fake: FakeLambda) -> None:
    url = f"{gateway.api.url}/private"
    for headers in ({}, {"x-api-key": "wrong"}):
        r = call(url, headers=headers)
        assert r.status == 403 and r.json()["message"] == "Forbidden"
        assert_cors(r)
    assert fake.calls == []
    r = call(url, headers={"x-api-key": "key-123"})
    assert r.status == 200 and r.json()["requestContext"]["identity"]["apiKey"] == "key-123"
    assert call(url, headers={"X-API-Key": "key-123"}).status == 200
    assert call(url, headers={"x-api-key": "key-123"}).status == 200
    r = call(url, headers={"x-api-key": "key-123"})
    assert r.status == 429 and r.json()["message"] == "Limit Exceeded", "quota of 3 a day"


def test_api_key_rate_limit(fake: FakeLambda) -> None:
    api = make_api(api_keys=(UsagePlanKey("k", rate=0.001, burst=1, quota_per_day=0),))
    with Gateway(api, fake, log=lambda line: None) as gw:
        assert call(f"{gw.api.url}/private", headers={"x-api-key": "k"}).status == 200
        r = call(f"{gw.api.url}/private", headers={"x-api-key": "k"})
        assert r.status == 429 and r.json()["message"] == "Too Many Requests"


def test_throttling_burst_and_method_settings(fake: FakeLambda) -> None:
    api = make_api(throttle_rate=0.001, throttle_burst=2, method_throttles={"~1shows~1{id}/GET": (1000.0, 1000)})
    with Gateway(api, fake, log=lambda line: None) as gw:
        statuses = [call(f"{gw.api.url}/shows").status for _ in range(3)]
        assert statuses == [200, 200, 429]
        r = call(f"{gw.api.url}/shows")
        assert r.status == 429 and r.json()["message"] == "Too Many Requests"
        assert r.headers["x-amzn-errortype"] == "TooManyRequestsException"
        assert_cors(r)
        assert call(f"{gw.api.url}/shows", "OPTIONS").status == 204, "each method has its own bucket"
        assert all(call(f"{gw.api.url}/shows/{i}").status == 200 for i in range(10)), "the method's own limit"


def test_throttle_refills(fake: FakeLambda) -> None:
    api = make_api(throttle_rate=20, throttle_burst=1)
    with Gateway(api, fake, log=lambda line: None) as gw:
        assert call(f"{gw.api.url}/shows/1").status == 200
        assert call(f"{gw.api.url}/shows/1").status == 429
        time.sleep(0.12)
        assert call(f"{gw.api.url}/shows/1").status == 200


def test_concurrent_clients(gateway: Gateway) -> None:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda i: call(f"{gateway.api.url}/sleepy").status, range(8)))
    assert statuses == [200] * 8
    assert time.perf_counter() - t0 < 1.5, "eight 0.3 s requests were served in parallel"


# -- with the real runtime ---------------------------------------------------------------------------------
def test_end_to_end_with_the_lambda_runtime(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    routes = [route("/shows/{id}", "GET", "proxy"), route("/sleepy", "GET", "sleepy")]
    doc = render(routes)
    api = LocalApi(name="t", api_id=API_ID, stage=STAGE, openapi=doc, port=free_port(), throttle_rate=100,
                   throttle_burst=100, region=REGION, stage_variables={"fn_proxy": "proxy-fn:live", "fn_sleepy": "sleepy-fn:live"})
    with LambdaRuntime(on_log=lambda name, line: None) as runtime:
        runtime.start(LocalFunction("proxy-fn", fixtures / "proxy", "app.handler", {}, 5, 128))
        runtime.start(LocalFunction("sleepy-fn", fixtures / "proxy", "app.handler", {}, 1, 128))
        with Gateway(api, runtime.invoke, log=lambda line: None):
            r = call(f"{api.url}/shows/42")
            assert r.status == 200
            body = r.json()
            assert body["pathParameters"] == {"id": "42"} and body["function"] == "proxy-fn"
            assert body["requestId"] == r.headers["x-amzn-requestid"]
            r = call(f"{api.url}/sleepy?sleep=3")
            assert r.status == 504 and r.json()["message"] == "Endpoint request timed out"
            assert call(f"{api.url}/sleepy").status == 200
