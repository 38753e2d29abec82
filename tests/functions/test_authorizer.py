"""The OIDC Lambda authorizer against a JWKS served over HTTP on 127.0.0.1."""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from events import (
    ACCOUNT,
    API_ID,
    REGION,
    STAGE,
    FakeLambdaContext,
    request_authorizer_event,
    token_authorizer_event,
)
from fn_support import load_service

ISSUER = "https://idp.example/realms/tickets"
AUDIENCE = "tickets-spa"
WHOLE_API = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{STAGE}/*/*"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = new_key()
OTHER_KEY = new_key()


class JwksServer:
    def __init__(self, keys):
        self.keys = keys
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests += 1
                body = json.dumps({"keys": [
                    {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "use": "sig", "alg": "RS256"}
                    for kid, key in outer.keys.items()
                ]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


@pytest.fixture
def jwks():
    server = JwksServer({"key-1": SIGNING_KEY})
    yield server
    server.stop()


@pytest.fixture
def authorizer(jwks, monkeypatch):
    monkeypatch.setenv("OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("OIDC_JWKS_URL", jwks.url)
    return load_service("authorizer")


def make_token(key=SIGNING_KEY, kid="key-1", alg="RS256", **overrides):
    now = int(time.time())
    claims = {"sub": "user-42", "iss": ISSUER, "aud": AUDIENCE, "token_use": "id", "iat": now, "nbf": now - 5,
              "exp": now + 600, "groups": ["admins", "staff"]}
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid} if kid else None)


def authorize(module, token, *, request=False, method="GET", path="shows"):
    event = request_authorizer_event(token, method, path) if request else token_authorizer_event(token, method, path)
    return module.handler(event, FakeLambdaContext())


def assert_unauthorized(module, token, **kwargs):
    with pytest.raises(Exception) as info:
        authorize(module, token, **kwargs)
    assert str(info.value) == "Unauthorized"  # the exact message API Gateway maps to 401


def test_valid_token_allows_the_whole_api_with_context(authorizer):
    result = authorize(authorizer, "Bearer " + make_token())
    assert result["principalId"] == "user-42"
    assert result["policyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [WHOLE_API]}],
    }
    assert result["context"] == {"userId": "user-42", "groups": "admins,staff"}
    assert all(isinstance(value, (str, int, bool)) for value in result["context"].values())


def test_cached_policy_covers_other_methods(authorizer):
    # The policy from a GET /shows call must also allow POST /tickets/x/cancel (API Gateway caches it per token).
    result = authorize(authorizer, make_token(), method="POST", path="tickets/abc/cancel")
    assert result["policyDocument"]["Statement"][0]["Resource"] == [WHOLE_API]


def test_token_without_bearer_prefix_and_request_type(authorizer):
    assert authorize(authorizer, make_token())["principalId"] == "user-42"
    assert authorize(authorizer, "bearer " + make_token(), request=True)["principalId"] == "user-42"


def test_cognito_groups_claim_is_read(authorizer):
    token = make_token(groups=None, **{"cognito:groups": ["admins"]})
    assert authorize(authorizer, token)["context"]["groups"] == "admins"
    assert authorize(authorizer, make_token(groups=None))["context"]["groups"] == ""


def test_group_names_with_separators_cannot_smuggle_a_group(authorizer):
    # GIVEN an IdP group whose name contains a separator the services split on
    token = make_token(groups=["Ticket admins", "x,admins", "[admins]", "staff"])
    context = authorize(authorizer, token)["context"]
    # THEN the services cannot read "admins" out of the context
    from shared.identity import parse_groups

    assert "admins" not in parse_groups(context["groups"])
    assert context["groups"] == "staff"


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token_factory",
    [
        pytest.param(lambda: make_token(exp=int(time.time()) - 300), id="expired"),
        pytest.param(lambda: make_token(nbf=int(time.time()) + 3600), id="not-yet-valid"),
        pytest.param(lambda: make_token(iss="https://evil.example"), id="wrong-issuer"),
        pytest.param(lambda: make_token(aud="another-app"), id="wrong-audience"),
        pytest.param(lambda: make_token(key=OTHER_KEY), id="bad-signature"),
        pytest.param(lambda: make_token(kid="unknown-kid"), id="unknown-kid"),
        pytest.param(lambda: make_token(kid=None), id="no-kid"),
        pytest.param(lambda: make_token(exp=None), id="no-exp"),
        pytest.param(lambda: make_token(sub=None), id="no-sub"),
        pytest.param(lambda: make_token(token_use=None), id="no-token-use"),
        pytest.param(lambda: make_token(token_use="access", aud=None, client_id=AUDIENCE), id="access-token"),
        pytest.param(lambda: make_token(token_use="refresh"), id="other-token-use"),
        pytest.param(lambda: make_token(aud=None, client_id=AUDIENCE), id="id-token-naming-client-id-only"),
        pytest.param(lambda: make_token(alg="RS512"), id="rs512-not-in-allow-list"),
        pytest.param(
            lambda: b64({"alg": "none", "typ": "JWT", "kid": "key-1"}) + "."
            + b64({"sub": "user-42", "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 600}) + ".",
            id="alg-none",
        ),
        pytest.param(lambda: _hs256_with_public_key(), id="hs256-with-public-key"),
        pytest.param(lambda: make_token()[:-6] + "AAAAAA", id="tampered"),
        pytest.param(lambda: "not-a-jwt", id="garbage"),
    ],
)
def test_invalid_tokens_are_unauthorized(authorizer, token_factory):
    assert_unauthorized(authorizer, "Bearer " + token_factory())


def access_token_authorizer(jwks, monkeypatch, token_use):
    monkeypatch.setenv("OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("OIDC_JWKS_URL", jwks.url)
    monkeypatch.setenv("OIDC_ACCEPTS", token_use)
    return load_service("authorizer")


def test_access_tokens_name_their_client_in_client_id(jwks, monkeypatch):
    # GIVEN an authorizer that takes access tokens (Cognito's carry client_id, no aud)
    module = access_token_authorizer(jwks, monkeypatch, "access")
    # THEN the client id is the audience, and an ID token is refused
    assert authorize(module, make_token(token_use="access", aud=None, client_id=AUDIENCE))["principalId"] == "user-42"
    assert_unauthorized(module, make_token(token_use="access", aud=None, client_id="another-app"))
    assert_unauthorized(module, make_token(token_use="access", aud=None, client_id=None))
    assert_unauthorized(module, make_token())


def test_id_and_access_tokens_together(jwks, monkeypatch):
    module = access_token_authorizer(jwks, monkeypatch, "id, access")
    assert authorize(module, make_token())["principalId"] == "user-42"
    assert authorize(module, make_token(token_use="access", aud=None, client_id=AUDIENCE))["principalId"] == "user-42"
    assert_unauthorized(module, make_token(token_use=None))


def test_an_issuer_without_token_use_is_checked_by_audience(jwks, monkeypatch):
    # GIVEN a third-party issuer whose tokens carry no token_use
    module = access_token_authorizer(jwks, monkeypatch, "any")
    assert authorize(module, make_token(token_use=None))["principalId"] == "user-42"
    assert_unauthorized(module, make_token(token_use=None, aud="another-app"))
    assert_unauthorized(module, make_token(token_use=None, aud=None))


@pytest.mark.parametrize("value", ["refresh", "id,refresh", "any,id", " , "])
def test_token_use_setting_is_validated(jwks, monkeypatch, value):
    from shared import ConfigError

    module = access_token_authorizer(jwks, monkeypatch, value)
    with pytest.raises(ConfigError, match="OIDC_ACCEPTS"):
        authorize(module, make_token())


def _hs256_with_public_key():
    """The classic key-confusion attack: HMAC-sign with the RSA public key as the secret."""
    import hashlib
    import hmac

    public_pem = SIGNING_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64({"alg": "HS256", "typ": "JWT", "kid": "key-1"})
    payload = b64({"sub": "user-42", "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 600})
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


@pytest.mark.parametrize("token", [None, "", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_missing_or_non_bearer_header_is_unauthorized(authorizer, token):
    assert_unauthorized(authorizer, token, request=True)
    assert_unauthorized(authorizer, token)


def test_valid_token_outside_required_group_gets_deny(jwks, monkeypatch):
    monkeypatch.setenv("OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("OIDC_JWKS_URL", jwks.url)
    monkeypatch.setenv("AUTHZ_REQUIRED_GROUP", "ticketing")
    module = load_service("authorizer")
    denied = authorize(module, make_token(groups=["staff"]))
    assert denied["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [WHOLE_API]},
    ]
    allowed = authorize(module, make_token(groups=["ticketing"]))
    assert allowed["policyDocument"]["Statement"][0]["Effect"] == "Allow"


def test_unknown_kids_cannot_hammer_the_jwks_endpoint(authorizer, jwks):
    authorize(authorizer, make_token())
    for kid in ("k-a", "k-b", "k-c"):
        assert_unauthorized(authorizer, make_token(kid=kid))
    assert jwks.requests == 1  # within the 30 s cooldown no refetch happens


def test_jwks_is_cached_and_refetched_for_a_rotated_key(authorizer, jwks, monkeypatch):
    monkeypatch.setenv("OIDC_JWKS_COOLDOWN_SECONDS", "0")
    authorizer = load_service("authorizer")
    for _ in range(5):
        authorize(authorizer, make_token())
    assert jwks.requests == 1
    # The issuer rotates in a new key: an unknown kid triggers one refetch, then it is cached.
    new = new_key()
    jwks.keys["key-2"] = new
    assert authorize(authorizer, make_token(key=new, kid="key-2"))["principalId"] == "user-42"
    authorize(authorizer, make_token(key=new, kid="key-2"))
    assert jwks.requests == 2


def test_a_key_withdrawn_from_the_jwks_is_no_longer_trusted(authorizer, jwks, monkeypatch):
    # GIVEN a warm authorizer that has accepted a token signed with key-1
    monkeypatch.setenv("OIDC_JWKS_CACHE_SECONDS", "1")
    authorizer = load_service("authorizer")
    assert authorize(authorizer, make_token())["principalId"] == "user-42"
    # WHEN the issuer withdraws key-1 (compromised) and the key set cache expires
    jwks.keys = {"key-2": new_key()}
    time.sleep(1.2)
    # THEN tokens signed with key-1 are refused
    assert_unauthorized(authorizer, make_token())
    assert jwks.requests == 2


def test_multiple_audiences_are_accepted(jwks, monkeypatch):
    monkeypatch.setenv("OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("OIDC_AUDIENCE", f"{AUDIENCE}, mobile-app")
    monkeypatch.setenv("OIDC_JWKS_URL", jwks.url)
    module = load_service("authorizer")
    assert authorize(module, make_token(aud="mobile-app"))["principalId"] == "user-42"


@pytest.mark.parametrize(
    "url",
    [
        "http://idp.example/jwks.json",
        # A loopback-looking prefix is not a loopback host: plain HTTP to these would let anyone
        # on the path swap the signing keys.
        "http://localhost.evil.example/jwks.json",
        "http://127.0.0.1.nip.io/jwks.json",
        "http://127.0.0.1@idp.example/jwks.json",
    ],
)
def test_settings_are_validated(monkeypatch, url):
    monkeypatch.setenv("OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("OIDC_JWKS_URL", url)
    from shared import ConfigError

    with pytest.raises(ConfigError, match="OIDC_JWKS_URL"):
        authorize(load_service("authorizer"), make_token())


def test_jwks_outage_is_an_error_not_a_401(authorizer, jwks):
    # An unreachable issuer is our failure (API Gateway answers 500), not the caller's.
    jwks.stop()
    with pytest.raises(Exception) as info:
        authorize(authorizer, make_token())
    assert str(info.value) != "Unauthorized"
    assert type(info.value).__name__ == "JwksUnavailable"
