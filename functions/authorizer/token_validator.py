"""Validation of third-party OIDC JWT bearer tokens against the issuer's JWKS (RS256 only).

Which tokens count: ``token_uses`` lists the ``token_use`` claims accepted (Cognito
marks its tokens ``id`` or ``access``); an ID token names its client in ``aud``, a
Cognito access token in ``client_id`` (it has no ``aud``). With ``token_uses``
empty the issuer sets no ``token_use`` and ``aud`` is checked alone.
"""

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
                 leeway_seconds: int = 30, cooldown_seconds: int = 30,
                 token_uses: frozenset[str] = frozenset({"id"})):
        self.issuer = issuer
        self.audiences = audiences
        self.token_uses = token_uses
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
            valid, wrong issuer, token type or audience, or no subject.
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
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iss", "sub"], "verify_signature": True, "verify_aud": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"{type(exc).__name__}: {exc}") from None
        self._check_audience(claims)
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise InvalidToken("subject must be a non-empty string")
        return claims

    def _check_audience(self, claims: dict[str, Any]) -> None:
        use = claims.get("token_use")
        if self.token_uses and use not in self.token_uses:
            raise InvalidToken(f"token_use {use!r} is not one of {sorted(self.token_uses)}")
        if self.token_uses and use == "access":
            if claims.get("client_id") not in self.audiences:
                raise InvalidToken(f"client_id {claims.get('client_id')!r} is not an accepted client")
            return
        aud = claims.get("aud")
        audience = {a for a in (aud if isinstance(aud, list) else [aud]) if isinstance(a, str)}
        if not audience & set(self.audiences):
            raise InvalidToken(f"audience {claims.get('aud')!r} is not accepted")
