"""Cognito's endpoint for browsers and apps (``https://cognito-idp.<region>.amazonaws.com/``), in front of moto.

moto's Cognito keeps the pools, users, groups, tokens and keys; this front plays
what a public client meets at Cognito's endpoint and moto does not emulate:

* only Cognito's public operations: an unsigned administrator call is refused, as
  AWS refuses it (administrators use the Cognito emulator itself);
* ``InitiateAuth`` only with a flow the app client allows (its ``ExplicitAuthFlows``
  as the program registered them);
* ``USER_SRP_AUTH`` as real SRP-6a (``cognito_srp.py``): moto answers it with random
  numbers and takes any proof. The proof is checked against the password moto holds
  for the user (so any user signs in: seeded, signed up, or made through the admin
  API), an unconfirmed user is refused, and the tokens (or the next challenge) come
  from moto's AdminInitiateAuth, so tokens, groups, keys and issuer stay moto's;
* ``SignUp`` only where the pool allows self sign-up, with a confirmation code that
  is printed to local mode's log (there is no e-mail); ``ConfirmSignUp`` checks it,
  ``ResendConfirmationCode`` makes a new one;
* ``RevokeToken`` (moto has none): a revoked refresh token is refused from then on.

Every other public call (``REFRESH_TOKEN_AUTH``, ``NEW_PASSWORD_REQUIRED``,
``GetUser``, ...) is answered by moto.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Mapping, Sequence

from botocore.exceptions import ClientError

from local.emulators import cognito_srp as srp
from local._http import LoopbackServer, QuietHandler, serve, shut_down
from local.emulators.moto_server import MotoServer
from local.model import CognitoClient, CognitoPool

PUBLIC_OPERATIONS = frozenset({"InitiateAuth", "RespondToAuthChallenge", "SignUp", "ConfirmSignUp",
                               "ResendConfirmationCode", "RevokeToken", "GetUser", "GlobalSignOut", "ChangePassword"})
# InitiateAuth's AuthFlow → the ExplicitAuthFlows entry that allows it.
FLOW_PERMISSIONS = {"USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH", "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
                    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH", "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
                    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH", "USER_AUTH": "ALLOW_USER_AUTH"}
SRP_SESSION_SECONDS = 300  # how long a PASSWORD_VERIFIER challenge may be answered
CODE_SECONDS = 24 * 3600   # how long a sign-up confirmation code is valid, as Cognito's


class CognitoError(Exception):
    """An error Cognito answers with HTTP 400 and ``{"__type", "message"}``."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _masked(email: str) -> str:
    """Cognito's way of naming where a code went: ``n***@e***``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***" if domain else f"{email[:1]}***"


class CognitoFront:
    """The sign-in endpoint on 127.0.0.1:<port> for the pools ``serve_pools`` names."""

    def __init__(self, port: int, cognito: MotoServer, log: Callable[[str], None] = print):
        self.port = port
        self.cognito = cognito
        self.log = log
        self.clients: dict[str, tuple[CognitoPool, CognitoClient]] = {}
        self.sessions: dict[str, tuple[float, srp.Challenge, str, dict]] = {}  # → (at, challenge, client, user)
        self.codes: dict[tuple[str, str], tuple[str, float]] = {}  # (pool id, sub) → (code, valid until)
        self.revoked: set[str] = set()
        self._lock = threading.Lock()
        self._client: Any = None
        self.httpd: Any = None
        self._handlers: dict[str, Callable[[dict], dict]] = {
            "InitiateAuth": self.initiate_auth, "RespondToAuthChallenge": self.respond_to_auth_challenge,
            "SignUp": self.sign_up, "ConfirmSignUp": self.confirm_sign_up,
            "ResendConfirmationCode": self.resend_confirmation_code, "RevokeToken": self.revoke_token}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_pools(self, pools: Sequence[CognitoPool]) -> None:
        self.clients = {client.client_id: (pool, client) for pool in pools for client in pool.clients}

    def call(self, operation: str, body: Mapping[str, Any]) -> tuple[int, dict]:
        """Answer one call of Cognito's JSON API: (HTTP status, body)."""
        try:
            if operation not in PUBLIC_OPERATIONS:
                raise CognitoError("MissingAuthenticationTokenException",
                                   f"Missing Authentication Token: {operation or 'this call'} needs a signed request "
                                   f"(administrators call the Cognito emulator at {self.cognito.url})")
            handler = self._handlers.get(operation)
            return 200, handler(dict(body)) if handler else self._moto(operation, body)
        except CognitoError as error:
            return 400, {"__type": error.kind, "message": error.message}
        except ClientError as error:  # moto's answer to the front's own administrator calls
            return 400, {"__type": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}

    # -- sign-in -----------------------------------------------------------------------------
    def initiate_auth(self, body: dict) -> dict:
        pool, client = self._client_of(body)
        flow = str(body.get("AuthFlow", ""))
        permission = FLOW_PERMISSIONS.get(flow)
        if permission is None:
            raise CognitoError("InvalidParameterException", f"Initiate Auth method not supported: {flow!r}")
        if permission not in client.auth_flows:
            raise CognitoError("InvalidParameterException", f"{flow} flow not enabled for this client")
        params = body.get("AuthParameters") or {}
        if flow == "USER_SRP_AUTH":
            return self._password_verifier(pool, client, params)
        if flow.startswith("REFRESH_TOKEN") and params.get("REFRESH_TOKEN") in self.revoked:
            raise CognitoError("NotAuthorizedException", "Refresh Token has been revoked")
        return self._moto("InitiateAuth", body)

    def _password_verifier(self, pool: CognitoPool, client: CognitoClient, params: Mapping[str, Any]) -> dict:
        user = self._user(pool.pool_id, str(params.get("USERNAME", "")))
        if user is None or not user.get("password"):
            raise CognitoError("NotAuthorizedException", "Incorrect username or password.")
        try:
            challenge = srp.challenge(pool.pool_id, user["username"], user["password"], str(params.get("SRP_A", "")))
        except ValueError:
            raise CognitoError("InvalidParameterException", "SRP_A must be a hex number, not 0 mod N.") from None
        session = secrets.token_urlsafe(32)
        with self._lock:
            # A sign-in that never answers its challenge must not stay in memory for ever.
            now = time.monotonic()
            for stale in [k for k, s in self.sessions.items() if now - s[0] > SRP_SESSION_SECONDS]:
                del self.sessions[stale]
            self.sessions[session] = (now, challenge, client.client_id, user)
        return {"ChallengeName": "PASSWORD_VERIFIER", "Session": session, "ChallengeParameters": challenge.parameters}

    def respond_to_auth_challenge(self, body: dict) -> dict:
        if body.get("ChallengeName") != "PASSWORD_VERIFIER":
            return self._moto("RespondToAuthChallenge", body)
        responses = body.get("ChallengeResponses") or {}
        with self._lock:
            session = self.sessions.pop(body.get("Session") or "", None)
            if session is None:  # the site may omit Session and pass the secret block instead
                key = next((k for k, s in self.sessions.items()
                            if s[1].secret_block == responses.get("PASSWORD_CLAIM_SECRET_BLOCK")), None)
                session = self.sessions.pop(key, None) if key else None
        if session is None or time.monotonic() - session[0] > SRP_SESSION_SECONDS \
                or session[2] != body.get("ClientId"):
            raise CognitoError("NotAuthorizedException", "Invalid session for the user.")
        _, challenge, client_id, user = session
        if not srp.verify(challenge, str(responses.get("TIMESTAMP", "")),
                          str(responses.get("PASSWORD_CLAIM_SIGNATURE", ""))):
            raise CognitoError("NotAuthorizedException", "Incorrect username or password.")
        if user.get("status") == "UNCONFIRMED":
            raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
        # moto writes the USERNAME it is given into the ID token's email claim (where e-mail is the pool's
        # username attribute, which it then resolves): the e-mail, not the internal username (the sub).
        email = (user.get("attribute_lookup") or {}).get("email")
        for login in dict.fromkeys((email or user["username"], user["username"])):
            try:
                result = self._idp().admin_initiate_auth(
                    UserPoolId=challenge.pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": login, "PASSWORD": user["password"]})
                break
            except self._idp().exceptions.UserNotFoundException:
                if login == user["username"]:
                    raise
        return {"ChallengeParameters": {}, **{k: v for k, v in result.items() if k != "ResponseMetadata"}}

    def revoke_token(self, body: dict) -> dict:
        _, client = self._client_of(body)
        if not client.token_revocation:
            raise CognitoError("UnsupportedOperationException", "Token revocation is not enabled for this client.")
        token = body.get("Token")
        if not isinstance(token, str) or not token:
            raise CognitoError("InvalidParameterException", "Token is required.")
        with self._lock:
            self.revoked.add(token)
        return {}

    # -- sign-up -------------------------------------------------------------------------------
    def sign_up(self, body: dict) -> dict:
        pool, _ = self._client_of(body)
        if not pool.self_sign_up:
            raise CognitoError("NotAuthorizedException", "SignUp is not permitted for this user pool")
        answer = self._moto("SignUp", body)  # moto checks the password policy and the username
        attributes = {a.get("Name"): a.get("Value") for a in body.get("UserAttributes") or []}
        email = str(attributes.get("email") or body.get("Username", ""))
        delivery = self._send_code(pool, answer["UserSub"], str(body.get("Username", "")), email)
        return {**answer, "UserConfirmed": False, "CodeDeliveryDetails": delivery}

    def confirm_sign_up(self, body: dict) -> dict:
        pool, _ = self._client_of(body)
        user = self._unconfirmed(pool, str(body.get("Username", "")), "User cannot be confirmed. Current status is")
        with self._lock:
            code, valid_until = self.codes.get((pool.pool_id, user["id"]), ("", 0.0))
            if time.monotonic() > valid_until:
                raise CognitoError("ExpiredCodeException", "Invalid code provided, please request a code again.")
            if not hmac.compare_digest(code, str(body.get("ConfirmationCode", ""))):
                raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
            del self.codes[(pool.pool_id, user["id"])]
        idp = self._idp()
        idp.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username=user["username"])
        # The code went to the address, so the address is verified (moto does not do this itself).
        idp.admin_update_user_attributes(UserPoolId=pool.pool_id, Username=user["username"],
                                         UserAttributes=[{"Name": "email_verified", "Value": "true"}])
        return {}

    def resend_confirmation_code(self, body: dict) -> dict:
        pool, _ = self._client_of(body)
        username = str(body.get("Username", ""))
        user = self._unconfirmed(pool, username, "User is already confirmed. Current status is")
        email = (user.get("attribute_lookup") or {}).get("email") or username
        return {"CodeDeliveryDetails": self._send_code(pool, user["id"], username, email)}

    def _unconfirmed(self, pool: CognitoPool, username: str, otherwise: str) -> dict:
        user = self._user(pool.pool_id, username)
        if user is None:
            raise CognitoError("UserNotFoundException", "Username/client id combination not found.")
        if user.get("status") != "UNCONFIRMED":
            raise CognitoError("NotAuthorizedException", f"{otherwise} {user.get('status')}")
        return user

    def _send_code(self, pool: CognitoPool, sub: str, username: str, email: str) -> dict:
        code = f"{secrets.randbelow(10 ** 6):06d}"
        with self._lock:
            self.codes[(pool.pool_id, sub)] = (code, time.monotonic() + CODE_SECONDS)
        self.log(f"cognito: confirmation code for {username} in {pool.pool_id}: {code}")
        return {"Destination": _masked(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}

    # -- moto ------------------------------------------------------------------------------------
    def _client_of(self, body: Mapping[str, Any]) -> tuple[CognitoPool, CognitoClient]:
        client_id = str(body.get("ClientId", ""))
        if client_id not in self.clients:
            raise CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
        return self.clients[client_id]

    def _user(self, pool_id: str, username: str) -> dict | None:
        """moto's record of a user (username, id = sub, password, status, attributes), or None."""
        try:
            internal = self._idp().admin_get_user(UserPoolId=pool_id, Username=username)["Username"]
        except ClientError:
            return None
        records = [r for r in self.cognito.records("cognitoidp", "CognitoIdpUser")
                   if r.get("user_pool_id") == pool_id and r.get("username") == internal]
        return records[-1] if records else None  # a user deleted and made again has two records

    def _idp(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self.cognito.client("cognito-idp")
            return self._client

    def _moto(self, operation: str, body: Mapping[str, Any]) -> dict:
        request = urllib.request.Request(self.cognito.url + "/", data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/x-amz-json-1.1",
                                                  "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read() or b"{}")
            except ValueError:
                answer = {}
            raise CognitoError(str(answer.get("__type") or "InternalErrorException").split("#")[-1],
                               str(answer.get("message") or answer.get("Message") or f"HTTP {error.code}")) from None

    # -- HTTP ----------------------------------------------------------------------------------
    def start(self) -> "CognitoFront":
        front = self

        class Handler(QuietHandler):
            def _cors(self) -> None:
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
                self.send_header("Vary", "Origin")
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers",
                                 self.headers.get("Access-Control-Request-Headers")
                                 or "content-type, x-amz-target, x-amz-user-agent")
                self.send_header("Access-Control-Max-Age", "600")

            def _send(self, status: int, body: bytes, content_type: str = "application/x-amz-json-1.1") -> None:
                self.send_response(status)
                self._cors()
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self) -> None:  # noqa: N802
                self._send(200, b"", "text/plain")

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                    if not isinstance(body, dict):
                        raise ValueError
                except ValueError:
                    return self._send(400, json.dumps({"__type": "SerializationException",
                                                       "message": "The body must be a JSON object."}).encode())
                target = self.headers.get("X-Amz-Target", "")
                prefix, _, operation = target.partition(".")
                status, answer = front.call(operation if prefix == "AWSCognitoIdentityProviderService" else "", body)
                self._send(status, json.dumps(answer).encode())

        self.httpd = LoopbackServer(("127.0.0.1", self.port), Handler)
        serve(self.httpd, "cognito-front")
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            shut_down(self.httpd)
            self.httpd = None
