"""The verification user: made with Cognito's admin API for one run, signed in over SRP as an app does, deleted.

Its password is random, lives in this process only and is never printed or written.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from local.emulators import cognito_srp as srp
from verify.http import Http, Response

USERNAME_PREFIX = "multitier-verify-"


class SignInError(Exception):
    def __init__(self, message: str, response: Response):
        super().__init__(message)
        self.response = response


@dataclass
class VerificationUser:
    """One user in one pool, for one run; ``delete()`` removes it (and is safe to call twice)."""

    admin: Any              # a cognito-idp client allowed AdminCreateUser/SetUserPassword/DeleteUser on the pool
    pool_id: str
    email: str = field(default_factory=lambda: f"{USERNAME_PREFIX}{secrets.token_hex(6)}@example.com")
    password: str = field(default_factory=lambda: f"Vf-{secrets.token_urlsafe(24)}-9a!", repr=False)
    created: bool = False

    def create(self) -> "VerificationUser":
        # SUPPRESS: no invitation e-mail; a permanent password: no NEW_PASSWORD_REQUIRED challenge.
        self.admin.admin_create_user(UserPoolId=self.pool_id, Username=self.email, MessageAction="SUPPRESS",
                                     UserAttributes=[{"Name": "email", "Value": self.email},
                                                     {"Name": "email_verified", "Value": "true"}])
        self.created = True
        self.admin.admin_set_user_password(UserPoolId=self.pool_id, Username=self.email, Password=self.password,
                                           Permanent=True)
        return self

    def join(self, group: str) -> None:
        self.admin.admin_add_user_to_group(UserPoolId=self.pool_id, Username=self.email, GroupName=group)

    def delete(self) -> None:
        if self.created:
            self.admin.admin_delete_user(UserPoolId=self.pool_id, Username=self.email)
            self.created = False


def call(http: Http, endpoint: str, operation: str, payload: dict[str, Any]) -> Response:
    """One call of Cognito's public JSON API, as a browser or app makes it."""
    return http("POST", endpoint, body=json.dumps(payload).encode(), headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}"})


def srp_sign_in(http: Http, endpoint: str, pool_id: str, client_id: str, username: str, password: str) -> dict:
    """USER_SRP_AUTH then the PASSWORD_VERIFIER answer: the AuthenticationResult (tokens)."""
    a, srp_a = srp.client_secret()
    init = call(http, endpoint, "InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
                                                 "AuthParameters": {"USERNAME": username, "SRP_A": srp_a}})
    body = init.json() or {}
    if init.status != 200 or body.get("ChallengeName") != "PASSWORD_VERIFIER":
        raise SignInError("InitiateAuth (USER_SRP_AUTH) did not answer a PASSWORD_VERIFIER challenge", init)
    responses = srp.password_claim(pool_id, password, a, body["ChallengeParameters"])
    answer = call(http, endpoint, "RespondToAuthChallenge", {
        "ChallengeName": "PASSWORD_VERIFIER", "ClientId": client_id, "Session": body.get("Session"),
        "ChallengeResponses": responses})
    result = (answer.json() or {}).get("AuthenticationResult") if answer.status == 200 else None
    if not result or not result.get("IdToken"):
        raise SignInError("RespondToAuthChallenge (PASSWORD_VERIFIER) returned no tokens", answer)
    return result


def claims(token: str) -> dict[str, Any]:
    """A JWT's claims, unverified (the API verifies them; the suite only reads who it is)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
