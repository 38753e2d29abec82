"""A public client of Cognito's JSON API, as a browser or app calls it (tests/site/srp_reference.py's SRP maths)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timezone
from typing import Any

from tests.local.conftest import Response, http
from tests.site import srp_reference as srp


def cognito_call(endpoint: str, operation: str, payload: dict[str, Any]) -> Response:
    return http("POST", endpoint, body=payload, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}"})


def srp_sign_in(endpoint: str, pool_id: str, client_id: str, username: str, password: str) -> Response:
    """USER_SRP_AUTH, then the PASSWORD_VERIFIER answer: the second response (or the first if it failed)."""
    small_a = int.from_bytes(secrets.token_bytes(128), "big") % srp.N
    big_a = pow(srp.G, small_a, srp.N)
    init = cognito_call(endpoint, "InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
                                                   "AuthParameters": {"USERNAME": username, "SRP_A": f"{big_a:x}"}})
    if init.status != 200:
        return init
    params = init.json()["ChallengeParameters"]
    big_b, salt, user_id = int(params["SRP_B"], 16), params["SALT"], params["USER_ID_FOR_SRP"]
    u = srp.calc_u(big_a, big_b)
    x = srp.calc_x(pool_id.split("_", 1)[1], user_id, password, salt)
    s = pow(big_b - srp.K * pow(srp.G, x, srp.N), small_a + u * x, srp.N)
    key = srp.hkdf16(bytes.fromhex(srp.pad_hex(s)), bytes.fromhex(srp.pad_hex(u)))
    stamp = srp.timestamp(datetime.now(timezone.utc))
    message = (pool_id.split("_", 1)[1].encode() + user_id.encode()
               + base64.b64decode(params["SECRET_BLOCK"]) + stamp.encode())
    signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return cognito_call(endpoint, "RespondToAuthChallenge", {
        "ChallengeName": "PASSWORD_VERIFIER", "ClientId": client_id, "Session": init.json()["Session"],
        "ChallengeResponses": {"USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
                               "PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": stamp}})


def refresh(endpoint: str, client_id: str, refresh_token: str) -> Response:
    return cognito_call(endpoint, "InitiateAuth", {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id,
                                                   "AuthParameters": {"REFRESH_TOKEN": refresh_token}})
