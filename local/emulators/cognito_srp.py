"""Cognito's SRP-6a (``USER_SRP_AUTH``): the PASSWORD_VERIFIER challenge, its check, and the client's answer.

The maths of Cognito's published protocol (3072-bit group, SHA-256, HKDF key
"Caldera Derived Key"). The server's side (``challenge``, ``verify``) is what local
mode's sign-in endpoint plays; the client's (``client_secret``, ``password_claim``) is
what ``verify`` signs in with, on AWS as locally. The site's ``srp.js`` and the
independent ``tests/site/srp_reference.py`` compute the client's side too; the client
here is checked against that reference's vectors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
G = 2


def _pad_hex(value: int | str) -> str:
    h = value if isinstance(value, str) else f"{value:x}"
    if len(h) % 2:
        return "0" + h
    return "00" + h if h[0].lower() in "89abcdef" else h


def _hex_hash(hex_str: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_str)).hexdigest()


K = int(_hex_hash(_pad_hex(N) + _pad_hex(G)), 16)


@dataclass(frozen=True)
class Challenge:
    """One PASSWORD_VERIFIER challenge: what the client is sent, and what checks its answer."""

    pool_id: str
    user_id: str        # USER_ID_FOR_SRP: the user's internal name
    salt: str
    srp_a: int
    srp_b: int
    b: int
    verifier: int
    secret_block: str

    @property
    def parameters(self) -> dict[str, str]:
        return {"SALT": self.salt, "SRP_B": f"{self.srp_b:x}", "USERNAME": self.user_id,
                "USER_ID_FOR_SRP": self.user_id, "SECRET_BLOCK": self.secret_block}


def challenge(pool_id: str, user_id: str, password: str, srp_a_hex: str) -> Challenge:
    """The server's step for a client's ``SRP_A``; ValueError when it is not a usable public value."""
    srp_a = int(srp_a_hex, 16)
    if srp_a % N == 0:
        raise ValueError("SRP_A must not be 0 mod N")
    salt = secrets.token_hex(16)
    verifier = pow(G, _password_key(pool_id, user_id, password, salt), N)
    b = int.from_bytes(secrets.token_bytes(128), "big") % N
    srp_b = (K * verifier + pow(G, b, N)) % N
    return Challenge(pool_id, user_id, salt, srp_a, srp_b, b, verifier,
                     base64.b64encode(secrets.token_bytes(96)).decode())


def verify(c: Challenge, timestamp: str, signature: str) -> bool:
    """Whether ``PASSWORD_CLAIM_SIGNATURE`` proves the client knew the password."""
    u = _scrambler(c.srp_a, c.srp_b)
    s = pow(c.srp_a * pow(c.verifier, u, N), c.b, N)
    expected = _claim_signature(s, u, c.pool_id, c.user_id, c.secret_block, timestamp)
    return hmac.compare_digest(expected, signature)


# -- the client's side -------------------------------------------------------------------------------
def client_secret() -> tuple[int, str]:
    """A client's random ``a`` and the ``SRP_A`` (hex) that ``InitiateAuth`` sends."""
    a = int.from_bytes(secrets.token_bytes(128), "big") % N
    return a, f"{pow(G, a, N):x}"


def password_claim(pool_id: str, password: str, a: int, parameters: Mapping[str, str],
                   now: datetime | None = None) -> dict[str, str]:
    """The ``ChallengeResponses`` answering a PASSWORD_VERIFIER challenge's ``parameters``."""
    user_id, salt = parameters["USER_ID_FOR_SRP"], parameters["SALT"]
    srp_b = int(parameters["SRP_B"], 16)
    if srp_b % N == 0:
        raise ValueError("SRP_B must not be 0 mod N")
    u, x = _scrambler(pow(G, a, N), srp_b), _password_key(pool_id, user_id, password, salt)
    s = pow(srp_b - K * pow(G, x, N), a + u * x, N)
    stamp = timestamp(now or datetime.now(timezone.utc))
    return {"USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"], "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SIGNATURE": _claim_signature(s, u, pool_id, user_id, parameters["SECRET_BLOCK"], stamp)}


def timestamp(now: datetime) -> str:
    """Cognito's TIMESTAMP, in English whatever the locale: ``Tue Mar 5 07:08:09 UTC 2024`` (day not padded)."""
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[now.weekday()]
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")[now.month - 1]
    return f"{day} {month} {now.day} {now:%H:%M:%S} UTC {now.year}"


# -- what both sides compute ---------------------------------------------------------------------------
def _password_key(pool_id: str, user_id: str, password: str, salt: str) -> int:
    """x = H(salt | H(pool name | user | ":" | password)): the verifier is g^x."""
    inner = hashlib.sha256(f"{pool_id.split('_', 1)[1]}{user_id}:{password}".encode()).hexdigest()
    return int(_hex_hash(_pad_hex(salt) + inner), 16)


def _scrambler(srp_a: int, srp_b: int) -> int:
    return int(_hex_hash(_pad_hex(srp_a) + _pad_hex(srp_b)), 16)


def _claim_signature(s: int, u: int, pool_id: str, user_id: str, secret_block: str, stamp: str) -> str:
    """HKDF("Caldera Derived Key") of the shared secret, then HMAC of the pool, user, block and time."""
    prk = hmac.new(bytes.fromhex(_pad_hex(u)), bytes.fromhex(_pad_hex(s)), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    message = pool_id.split("_", 1)[1].encode() + user_id.encode() + base64.b64decode(secret_block) + stamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
