"""The Cognito authorizer's memory of verified tokens: one RSA verification per token until it expires,
with every per-method check still made on each request."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local.apigateway.authorizers import cognito as cognito_module
from local.apigateway.authorizers.cognito import CognitoAuthorizer
from local.apigateway.request import Request
from local.apigateway.responses import GatewayError
from local.model import CognitoClient, CognitoPool

POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool1"
ISSUER = "http://127.0.0.1:1/us-east-1_Pool1"
SCHEME = {"name": "Authorization", "x-amazon-apigateway-authorizer": {"providerARNs": [POOL_ARN]}}
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def setup(monkeypatch):
    verifications = []
    decode = jwt.decode

    def counting_decode(token, key=None, *args, **kwargs):
        if key is not None:
            verifications.append(token)
        return decode(token, key, *args, **kwargs)

    monkeypatch.setattr(cognito_module.jwt, "decode", counting_decode)
    pool = CognitoPool(pool_id="us-east-1_Pool1", arn=POOL_ARN, issuer=ISSUER, jwks_url=f"{ISSUER}/jwks.json",
                       clients=(CognitoClient("client-abc"),))
    authorizer = CognitoAuthorizer([pool], lambda line: None)
    monkeypatch.setattr(authorizer, "_jwk", lambda url, kid: KEY.public_key() if kid == "kid-1" else None)
    return authorizer, verifications


def token(lifetime: int = 60, **claims) -> str:
    now = int(time.time())
    base = {"sub": "user-1", "iss": ISSUER, "aud": "client-abc", "token_use": "id", "iat": now,
            "exp": now + lifetime, "email": "a@example.com"}
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, KEY, algorithm="RS256",
                      headers={"kid": "kid-1"})


def authorize(authorizer: CognitoAuthorizer, value: str, scopes=(), scheme=SCHEME) -> dict:
    req = Request("GET", "/prod/me", [("Authorization", value)], b"", "127.0.0.1", 1)
    authorizer.authorize(req, scheme, list(scopes))
    return req.authorizer


def test_a_token_is_verified_once_and_its_claims_passed_on_each_time(setup) -> None:
    authorizer, verifications = setup
    value = token()
    first = authorize(authorizer, value)
    first["claims"]["email"] = "changed by a caller"
    second = authorize(authorizer, "Bearer " + value)
    assert second["claims"]["email"] == "a@example.com" and second["claims"]["sub"] == "user-1"
    assert verifications == [value], "the second request used the verified token"


def test_a_remembered_token_is_refused_once_it_expires(setup) -> None:
    authorizer, verifications = setup
    value = token(lifetime=1)
    authorize(authorizer, value)
    authorize(authorizer, value)
    time.sleep(max(0.0, jwt.decode(value, options={"verify_signature": False})["exp"] - time.time()))
    with pytest.raises(GatewayError):  # now >= exp: expired, as PyJWT has it
        authorize(authorizer, value)
    assert len(verifications) == 2, "verified once while valid; checked again once expired, and refused"


def test_the_method_s_checks_apply_to_a_remembered_token(setup) -> None:
    authorizer, _ = setup
    value = token()
    authorize(authorizer, value)
    with pytest.raises(GatewayError):  # an ID token where the method lists scopes
        authorize(authorizer, value, scopes=["tickets/read"])
    other_pool = {"x-amazon-apigateway-authorizer": {"providerARNs": [POOL_ARN + "-other"]}}
    with pytest.raises(GatewayError):  # a scheme naming another pool
        authorize(authorizer, value, scheme=other_pool)
    access = token(token_use="access", aud=None, client_id="client-abc", scope="tickets/read")
    assert authorize(authorizer, access, scopes=["tickets/read"])["claims"]["scope"] == "tickets/read"
    with pytest.raises(GatewayError):
        authorize(authorizer, access, scopes=["tickets/admin"])


def test_a_forged_token_is_never_remembered(setup) -> None:
    authorizer, verifications = setup
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode({"iss": ISSUER, "aud": "client-abc", "token_use": "id", "exp": int(time.time()) + 60},
                        other, algorithm="RS256", headers={"kid": "kid-1"})
    for _ in range(2):
        with pytest.raises(GatewayError):
            authorize(authorizer, forged)
    assert verifications == [forged, forged]
