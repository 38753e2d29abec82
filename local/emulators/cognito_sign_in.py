"""Cognito's sign-in endpoint for the browser: real SRP-6a in front of moto's Cognito."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from local.emulators.loopback import LoopbackServer, QuietHandler, serve, shut_down
from local.emulators.moto_server import MotoServer

_SRP_N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
_SRP_G = 2
SRP_SESSION_SECONDS = 300  # how long a PASSWORD_VERIFIER challenge may be answered


def _pad_hex(value: int | str) -> str:
    h = value if isinstance(value, str) else f"{value:x}"
    if len(h) % 2:
        return "0" + h
    return "00" + h if h[0].lower() in "89abcdef" else h


def _hex_hash(hex_str: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_str)).hexdigest()


_SRP_K = int(_hex_hash(_pad_hex(_SRP_N) + _pad_hex(_SRP_G)), 16)


class CognitoFront:
    """Cognito's JSON endpoint for the browser: real SRP in front of moto's Cognito.

    moto answers USER_SRP_AUTH with a random ``SRP_B`` and a non-base64
    ``SECRET_BLOCK`` and accepts any ``PASSWORD_CLAIM_SIGNATURE``, so the site's SRP
    code cannot run against it and a wrong password would sign in. This front plays
    Cognito's side of SRP-6a for the users whose passwords local mode set (the
    seeded ones): it verifies the password proof, then gets the user's tokens from
    moto (AdminInitiateAuth), so tokens, groups, JWKS and issuer stay moto's. Every
    other call (REFRESH_TOKEN_AUTH, ...) is passed through to moto.
    """

    def __init__(self, port: int, cognito: MotoServer):
        self.port = port
        self.cognito = cognito
        self.passwords: dict[tuple[str, str], str] = {}   # (pool id, username) → password
        self.client_pools: dict[str, str] = {}             # client id → pool id
        self.sessions: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._client: Any = None
        self.httpd: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_password(self, pool_id: str, username: str, password: str) -> None:
        self.passwords[(pool_id, username.lower())] = password

    def _idp(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self.cognito.client("cognito-idp")
            return self._client

    # -- the two SRP steps ------------------------------------------------------------------
    def initiate(self, body: dict) -> tuple[int, dict]:

        client_id = body.get("ClientId", "")
        pool_id = self.client_pools.get(client_id)
        params = body.get("AuthParameters") or {}
        username = str(params.get("USERNAME", ""))
        password = self.passwords.get((pool_id, username.lower())) if pool_id else None
        if pool_id is None:
            return 400, {"__type": "ResourceNotFoundException", "message": f"User pool client {client_id} does not exist."}
        if password is None:
            return 400, {"__type": "NotAuthorizedException", "message": "Incorrect username or password."}
        try:
            srp_a = int(params["SRP_A"], 16)
        except (KeyError, ValueError):
            return 400, {"__type": "InvalidParameterException", "message": "SRP_A is missing or not hex."}
        if srp_a % _SRP_N == 0:
            return 400, {"__type": "InvalidParameterException", "message": "SRP_A must not be 0 mod N."}
        user = self._idp().admin_get_user(UserPoolId=pool_id, Username=username)
        user_id = user["Username"]
        salt = secrets.token_hex(16)
        inner = hashlib.sha256(f"{pool_id.split('_', 1)[1]}{user_id}:{password}".encode()).hexdigest()
        x = int(_hex_hash(_pad_hex(salt) + inner), 16)
        v = pow(_SRP_G, x, _SRP_N)
        b = int.from_bytes(secrets.token_bytes(128), "big") % _SRP_N
        srp_b = (_SRP_K * v + pow(_SRP_G, b, _SRP_N)) % _SRP_N
        secret_block = base64.b64encode(secrets.token_bytes(96)).decode()
        session = secrets.token_urlsafe(32)
        with self._lock:
            # A sign-in that never answers its challenge must not stay in memory for ever.
            now = time.monotonic()
            for stale in [k for k, s in self.sessions.items() if now - s["at"] > SRP_SESSION_SECONDS]:
                del self.sessions[stale]
            self.sessions[session] = {"pool_id": pool_id, "client_id": client_id, "username": username,
                                      "user_id": user_id, "password": password, "A": srp_a, "B": srp_b, "b": b,
                                      "v": v, "secret_block": secret_block, "at": time.monotonic()}
        return 200, {"ChallengeName": "PASSWORD_VERIFIER", "Session": session, "ChallengeParameters": {
            "SALT": salt, "SRP_B": f"{srp_b:x}", "USERNAME": user_id, "USER_ID_FOR_SRP": user_id,
            "SECRET_BLOCK": secret_block}}

    def respond(self, body: dict) -> tuple[int, dict]:

        responses = body.get("ChallengeResponses") or {}
        with self._lock:
            session = self.sessions.pop(body.get("Session") or "", None)
            if session is None:  # the site may omit Session and pass the secret block instead
                key = next((k for k, s in self.sessions.items()
                            if s["secret_block"] == responses.get("PASSWORD_CLAIM_SECRET_BLOCK")), None)
                session = self.sessions.pop(key, None) if key else None
        if session is None or time.monotonic() - session["at"] > SRP_SESSION_SECONDS:
            return 400, {"__type": "NotAuthorizedException", "message": "Invalid session for the user."}
        u = int(_hex_hash(_pad_hex(session["A"]) + _pad_hex(session["B"])), 16)
        s = pow(session["A"] * pow(session["v"], u, _SRP_N), session["b"], _SRP_N)
        prk = hmac.new(bytes.fromhex(_pad_hex(u)), bytes.fromhex(_pad_hex(s)), hashlib.sha256).digest()
        key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
        message = (session["pool_id"].split("_", 1)[1].encode() + session["user_id"].encode()
                   + base64.b64decode(session["secret_block"]) + str(responses.get("TIMESTAMP", "")).encode())
        expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, str(responses.get("PASSWORD_CLAIM_SIGNATURE", ""))):
            return 400, {"__type": "NotAuthorizedException", "message": "Incorrect username or password."}
        result = self._idp().admin_initiate_auth(
            UserPoolId=session["pool_id"], ClientId=session["client_id"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": session["username"], "PASSWORD": session["password"]})
        return 200, {"ChallengeParameters": {}, "AuthenticationResult": result["AuthenticationResult"]}

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
                target = self.headers.get("X-Amz-Target", "")
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                if target.endswith(".InitiateAuth") and body.get("AuthFlow") == "USER_SRP_AUTH":
                    status, answer = front.initiate(body)
                    return self._send(status, json.dumps(answer).encode())
                if target.endswith(".RespondToAuthChallenge") and body.get("ChallengeName") == "PASSWORD_VERIFIER":
                    status, answer = front.respond(body)
                    return self._send(status, json.dumps(answer).encode())
                request = urllib.request.Request(front.cognito.url + "/", data=raw, method="POST", headers={
                    "Content-Type": self.headers.get("Content-Type", "application/x-amz-json-1.1"),
                    "X-Amz-Target": target})
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, payload = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                self._send(status, payload)

        self.httpd = LoopbackServer(("127.0.0.1", self.port), Handler)
        serve(self.httpd, "cognito-front")
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            shut_down(self.httpd)
            self.httpd = None
