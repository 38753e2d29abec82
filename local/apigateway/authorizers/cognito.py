"""The Cognito user-pool authorizer: an RS256 JWT checked against the pool's JWKS.

Checked as API Gateway checks it: signature, ``iss``, ``exp``; a method without
OAuth scopes takes only ID tokens (``token_use`` id, ``aud`` one of the pool's
clients), a method with scopes only access tokens (``token_use`` access, the
client's ``client_id``) carrying at least one of them.
The claims reach the function as strings (lists as ``[a b]``, exp/iat as dates).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Sequence

import jwt  # PyJWT, with cryptography

from local.apigateway.request import Request
from local.apigateway.responses import GatewayError
from local.apigateway.values import as_list, stringify
from local.model import CognitoPool

JWKS_TTL_SECONDS = 3600.0
MAX_VERIFIED_TOKENS = 4096


def cognito_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as a REST API passes them: strings, lists as ``[a b]``, exp/iat as dates."""
    out = {}
    for name, value in claims.items():
        if name in ("exp", "iat") and isinstance(value, (int, float)):
            out[name] = datetime.fromtimestamp(value, timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")
        else:
            out[name] = stringify(value)
    return out


def _accepted(claims: Mapping[str, Any], clients: set[str], scopes: Sequence[str]) -> bool:
    """An ID token where the method lists no scopes, else an access token with one of them."""
    if not scopes:
        return claims.get("token_use") == "id" and bool(set(as_list(claims.get("aud"))) & clients)
    return (claims.get("token_use") == "access" and claims.get("client_id") in clients
            and bool(set(str(claims.get("scope", "")).split()) & set(scopes)))


class CognitoAuthorizer:
    """Verifies tokens of the emulator's user pools, caching each pool's keys and each verified token.

    A token whose signature, issuer and claims were verified once is remembered (keyed by the
    token itself) until its ``exp``: the same token again costs a lookup, not an RSA
    verification. What depends on the method (the pools its scheme names, ID or access token,
    scopes) is still checked on every request.
    """

    def __init__(self, pools: Sequence[CognitoPool], log: Callable[[str], None]):
        self.pools = list(pools)
        self.log = log
        self._jwks: dict[str, tuple[float, dict[str, Any]]] = {}
        # token → (exp, claims, the claims as passed on)
        self._verified: dict[str, tuple[float, dict[str, Any], dict[str, str]]] = {}
        self._lock = threading.Lock()

    def authorize(self, req: Request, scheme: Mapping[str, Any], scopes: Sequence[str]) -> None:
        token = req.header(str(scheme.get("name", "Authorization")))
        if not token:
            raise GatewayError("UNAUTHORIZED")
        token = token.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        arns = (scheme.get("x-amazon-apigateway-authorizer") or {}).get("providerARNs") or []
        pools = [p for p in self.pools if p.arn in arns]
        if not pools:
            self.log(json.dumps({"requestId": req.request_id,
                                 "warning": f"no local Cognito pool for providerARNs {arns}"}))
            raise GatewayError("UNAUTHORIZED")
        verified = self._verified.get(token)
        if verified is not None and not time.time() < verified[0]:
            verified = None  # expired since (PyJWT's rule: valid while now < exp)
        if verified is None:
            verified = self._verify(token, pools)
        if verified is not None:
            _, claims, passed_on = verified
            for pool in pools:
                if claims.get("iss") == pool.issuer and _accepted(claims, set(pool.client_ids), scopes):
                    req.authorizer = {"claims": dict(passed_on)}
                    return
        raise GatewayError("UNAUTHORIZED")

    def _verify(self, token: str, pools: Sequence[CognitoPool]) -> tuple[float, dict[str, Any], dict[str, str]] | None:
        """The token's claims if one of ``pools`` signed it and it is valid now (remembered until ``exp``)."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return None
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
            verified = (float(claims["exp"]), claims, cognito_claims(claims))
            with self._lock:
                if len(self._verified) >= MAX_VERIFIED_TOKENS:  # keep the ones still valid
                    now = time.time()
                    self._verified = {t: v for t, v in self._verified.items() if now < v[0]}
                    if len(self._verified) >= MAX_VERIFIED_TOKENS:
                        self._verified.clear()
                self._verified[token] = verified
            return verified
        return None

    def _jwk(self, url: str, kid: str | None) -> Any:
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
                    self.log(json.dumps({"warning": f"JWKS fetch from {url} failed: {exc!r}"}))
                    return None
                cached = (time.monotonic(), keys)
                with self._lock:
                    self._jwks[url] = cached
            if kid in cached[1]:
                return cached[1][kid]
        return None
