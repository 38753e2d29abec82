"""Validation of third-party OIDC JWT bearer tokens against the issuer's JWKS (RS256 only)."""

from __future__ import annotations

from typing import Any

import jwt
from jwt import PyJWKClient

ALGORITHMS = ["RS256"]


class InvalidToken(Exception):
    """The token is not acceptable; the message is for logs, never for the caller."""


class JwksUnavailable(Exception):
    """The issuer's JWKS could not be fetched (our problem, not the caller's)."""


class TokenValidator:
    def __init__(self, issuer: str, audiences: list[str], jwks_url: str, cache_seconds: int = 300,
                 leeway_seconds: int = 30, cooldown_seconds: int = 30):
        self.issuer = issuer
        self.audiences = audiences
        self.leeway_seconds = leeway_seconds
        # Caches the (parsed) key set for ``cache_seconds``; an unknown kid triggers at most one
        # refetch per cooldown (key rotation without a DoS lever). No per-kid cache: PyJWT's
        # never expires, so a key the issuer withdrew would stay trusted for the container's life.
        self._jwks = PyJWKClient(
            jwks_url,
            cache_keys=False,
            lifespan=max(cache_seconds, 1),
            timeout=5,
            cooldown_duration=cooldown_seconds,
        )

    def validate(self, token: str) -> dict[str, Any]:
        """Return the claims of a valid token.

        Raises
        ------
        InvalidToken
            Malformed, wrong algorithm, unknown key, bad signature, expired, not yet
            valid, wrong issuer or audience, or no subject.
        JwksUnavailable
            The JWKS endpoint could not be reached.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from None
        # Decide the algorithm from our allow-list, never from the token (alg=none, HS256 confusion).
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken(f"algorithm {header.get('alg')!r} not allowed")
        kid = header.get("kid")
        if not kid or not isinstance(kid, str):
            raise InvalidToken("token has no key id")
        try:
            signing_key = self._jwks.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise JwksUnavailable(str(exc)) from None
        except jwt.PyJWKClientError as exc:
            raise InvalidToken(f"signing key not found: {exc}") from None
        try:
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=ALGORITHMS,
                audience=self.audiences,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"], "verify_signature": True},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"{type(exc).__name__}: {exc}") from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise InvalidToken("subject must be a non-empty string")
        return claims
