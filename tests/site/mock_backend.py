"""Stand-in backend for trying the site in a browser without AWS.

Serves site/ with the production CSP, a generated /config.json, a fake
ticketing API under /api, and a fake Cognito JSON API under /cognito/ that
does the *server* half of SRP (from srp_reference.py) and really verifies the
browser's PASSWORD_CLAIM_SIGNATURE -- so signing in here proves the browser
SRP code end to end.

    python tests/site/mock_backend.py [port]     # then open http://127.0.0.1:port/

Users: alice / Alice-Passw0rd (admins), bob / Bob-Passw0rd,
newbie / Temp-Passw0rd (must choose a new password). New accounts can be
created; their confirmation code is printed (and kept in CODES) instead of
being e-mailed. Sign-out revokes the refresh token (REVOKED).
"""

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srp_reference as ref  # noqa: E402

SITE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "site"))
POOL_ID = "us-east-1_MockPool"
CLIENT_ID = "mockclient"
TOKEN_TTL = 3600
CSP = ("default-src 'self'; connect-src 'self' https: http://127.0.0.1:* http://localhost:*; "
       "img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")

USERS = {
    "alice": {"password": "Alice-Passw0rd", "groups": ["admins"], "email": "alice@example.com"},
    "bob": {"password": "Bob-Passw0rd", "groups": [], "email": "bob@example.com"},
    "newbie": {"password": "Temp-Passw0rd", "groups": [], "email": "newbie@example.com", "force_change": True},
}
for name, u in USERS.items():
    u["sub"] = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
TS_RE = re.compile(r"^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                   r"[1-9]\d? \d\d:\d\d:\d\d UTC \d{4}$")

lock = threading.Lock()
srp_sessions = {}
challenge_sessions = {}
refresh_tokens = {}
CODES = {}  # username → the confirmation code "e-mailed" to them
REVOKED = set()
tickets = {}
idempotency = {}
shows = {}


def seed():
    venues = ["Main Hall", "Studio B", "Open-Air Stage"]
    titles = ["The Tempest", "Jazz at Night", "Symphony No. 9", "Comedy Hour", "Hamlet",
              "Indie Showcase", "Ballet: Giselle", "Poetry Slam", "Film & Orchestra",
              "Magic Evening", "Folk Festival", "Opera Gala", "Late Night Improv", "Choir Concert"]
    start = datetime(2031, 5, 1, 19, 30, tzinfo=timezone.utc)
    for i, title in enumerate(titles):
        sid = f"show-{i + 1:03d}"
        cap = [200, 80, 500][i % 3]
        shows[sid] = {
            "id": sid, "title": title, "venue": venues[i % 3],
            "starts_at": (start + timedelta(days=3 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "capacity": cap, "remaining": 0 if i == 2 else (3 if i == 1 else cap - 17 * i % cap),
            "price_cents": [2500, 1950, 4800][i % 3],
        }


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_tokens(user_name):
    u = USERS[user_name]
    now = int(time.time())
    claims = {"sub": u["sub"], "cognito:username": user_name, "email": u["email"],
              "cognito:groups": u["groups"], "token_use": "id", "aud": CLIENT_ID,
              "iat": now, "exp": now + TOKEN_TTL}
    if not u["groups"]:
        del claims["cognito:groups"]
    head = b64url(json.dumps({"alg": "none", "kid": "mock"}).encode())
    id_token = f"{head}.{b64url(json.dumps(claims).encode())}.{b64url(b'mock')}"
    refresh = secrets.token_urlsafe(24)
    refresh_tokens[refresh] = user_name
    return {"IdToken": id_token, "AccessToken": "access-" + secrets.token_hex(8),
            "RefreshToken": refresh, "ExpiresIn": TOKEN_TTL, "TokenType": "Bearer"}


def claims_of(token):
    try:
        head, part, sig = token.split(".")
        if sig != b64url(b"mock"):  # stands in for signature verification
            return None
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except Exception:
        return None


class CognitoFault(Exception):
    def __init__(self, type_, message):
        super().__init__(message)
        self.type = type_


def cognito(target, body):
    pool_name = POOL_ID.split("_", 1)[1]
    if body.get("ClientId") != CLIENT_ID:
        raise CognitoFault("ResourceNotFoundException", "User pool client does not exist.")
    if target == "InitiateAuth":
        flow = body.get("AuthFlow")
        params = body.get("AuthParameters") or {}
        if flow == "REFRESH_TOKEN_AUTH":
            name = refresh_tokens.get(params.get("REFRESH_TOKEN"))
            if not name or params.get("REFRESH_TOKEN") in REVOKED:
                raise CognitoFault("NotAuthorizedException", "Invalid Refresh Token")
            tokens = make_tokens(name)
            del tokens["RefreshToken"]
            return {"AuthenticationResult": tokens, "ChallengeParameters": {}}
        if flow != "USER_SRP_AUTH":
            raise CognitoFault("InvalidParameterException", f"Auth flow not enabled for this client: {flow}")
        name = params.get("USERNAME", "")
        user = USERS.get(name) or next((n for n in USERS.values() if n["email"] == name), None)
        if not user:
            raise CognitoFault("UserNotFoundException", "User does not exist.")
        if user.get("unconfirmed"):
            raise CognitoFault("UserNotConfirmedException", "User is not confirmed.")
        big_a = int(params["SRP_A"], 16)
        if big_a % ref.N == 0:
            raise CognitoFault("InvalidParameterException", "Bad SRP_A")
        salt = secrets.token_hex(16)
        x = ref.calc_x(pool_name, user["sub"], user["password"], salt)
        v = pow(ref.G, x, ref.N)
        b = secrets.randbelow(ref.N)
        big_b = (ref.K * v + pow(ref.G, b, ref.N)) % ref.N
        block = base64.b64encode(secrets.token_bytes(64)).decode()
        srp_sessions[block] = {"A": big_a, "B": big_b, "b": b, "v": v, "user": user}
        return {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {
            "SALT": salt, "SRP_B": ref.long_to_hex(big_b), "SECRET_BLOCK": block,
            "USER_ID_FOR_SRP": user["sub"], "USERNAME": user["sub"]}}
    if target == "RespondToAuthChallenge":
        name = body.get("ChallengeName")
        resp = body.get("ChallengeResponses") or {}
        if name == "PASSWORD_VERIFIER":
            st = srp_sessions.pop(resp.get("PASSWORD_CLAIM_SECRET_BLOCK"), None)
            if not st or resp.get("USERNAME") != st["user"]["sub"]:
                raise CognitoFault("NotAuthorizedException", "Incorrect username or password.")
            ts = resp.get("TIMESTAMP", "")
            if not TS_RE.match(ts):
                raise CognitoFault("InvalidParameterException", f"Bad TIMESTAMP format: {ts!r}")
            u = ref.calc_u(st["A"], st["B"])
            s = pow(st["A"] * pow(st["v"], u, ref.N), st["b"], ref.N)
            key = ref.hkdf16(bytes.fromhex(ref.pad_hex(s)), bytes.fromhex(ref.pad_hex(u)))
            msg = (pool_name.encode() + st["user"]["sub"].encode()
                   + base64.b64decode(resp["PASSWORD_CLAIM_SECRET_BLOCK"]) + ts.encode())
            expected = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(expected, resp.get("PASSWORD_CLAIM_SIGNATURE", "")):
                raise CognitoFault("NotAuthorizedException", "Incorrect username or password.")
            user_name = next(k for k, v in USERS.items() if v is st["user"])
            if st["user"].get("force_change"):
                session = secrets.token_urlsafe(32)
                challenge_sessions[session] = user_name
                return {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ChallengeParameters": {
                    "USER_ID_FOR_SRP": st["user"]["sub"], "requiredAttributes": '["userAttributes.name"]',
                    "userAttributes": json.dumps({"email": st["user"]["email"]})}}
            return {"AuthenticationResult": make_tokens(user_name), "ChallengeParameters": {}}
        if name == "NEW_PASSWORD_REQUIRED":
            user_name = challenge_sessions.pop(body.get("Session"), None)
            if not user_name:
                raise CognitoFault("NotAuthorizedException", "Invalid session for the user.")
            if len(resp.get("NEW_PASSWORD", "")) < 8:
                raise CognitoFault("InvalidPasswordException", "Password does not conform to policy: Password not long enough")
            if not resp.get("userAttributes.name"):
                raise CognitoFault("InvalidParameterException", "Missing required attribute name")
            USERS[user_name]["password"] = resp["NEW_PASSWORD"]
            USERS[user_name]["force_change"] = False
            return {"AuthenticationResult": make_tokens(user_name), "ChallengeParameters": {}}
    if target == "SignUp":
        name = body.get("Username", "")
        if name in USERS or any(u["email"] == name for u in USERS.values()):
            raise CognitoFault("UsernameExistsException", "User already exists")
        if len(body.get("Password", "")) < 8:
            raise CognitoFault("InvalidPasswordException", "Password did not conform with policy: Password not long enough")
        USERS[name] = {"password": body["Password"], "groups": [], "email": name, "unconfirmed": True,
                       "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, name))}
        return {"UserConfirmed": False, "UserSub": USERS[name]["sub"], "CodeDeliveryDetails": send_code(name)}
    if target == "ResendConfirmationCode":
        return {"CodeDeliveryDetails": send_code(body.get("Username", ""))}
    if target == "ConfirmSignUp":
        name = body.get("Username", "")
        if CODES.get(name) != body.get("ConfirmationCode"):
            raise CognitoFault("CodeMismatchException", "Invalid verification code provided, please try again.")
        USERS[name]["unconfirmed"] = False
        return {}
    if target == "RevokeToken":
        REVOKED.add(body.get("Token"))
        return {}
    raise CognitoFault("InvalidParameterException", f"Unsupported: {target}")


def send_code(name):
    if not USERS.get(name, {}).get("unconfirmed"):
        raise CognitoFault("InvalidParameterException", "User is already confirmed.")
    CODES[name] = f"{secrets.randbelow(10 ** 6):06d}"
    print(f"confirmation code for {name}: {CODES[name]}", flush=True)
    return {"Destination": f"{name[0]}***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}


class Handler(SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=SITE, **kw)

    def log_message(self, fmt, *args):
        if os.environ.get("MOCK_VERBOSE"):
            super().log_message(fmt, *args)

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.path.split("?")[0] in ("/", "/index.html", "/config.json"):
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_json(self, status, data, content_type="application/json"):
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/config.json":
            if os.environ.get("MOCK_NO_CONFIG"):
                return self.send_json(404, {"message": "Not Found"})
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            return self.send_json(200, {
                "stack": "mock", "pattern": "single_page_app", "apiUrl": f"{host}/api",
                "region": "us-east-1",
                "auth": {"userPoolId": POOL_ID, "clientId": CLIENT_ID, "endpoint": f"{host}/cognito/",
                         "selfSignUp": True}})
        if path.startswith("/api/"):
            return self.api("GET")
        return super().do_GET()

    def do_POST(self):
        path = urlsplit(self.path).path
        if path == "/cognito/":
            target = (self.headers.get("X-Amz-Target") or "").split(".")[-1]
            if self.headers.get("Content-Type") != "application/x-amz-json-1.1":
                return self.send_json(400, {"__type": "SerializationException", "message": "bad content type"})
            try:
                with lock:
                    out = cognito(target, self.body() or {})
                return self.send_json(200, out, "application/x-amz-json-1.1")
            except CognitoFault as f:
                return self.send_json(400, {"__type": f.type, "message": str(f)}, "application/x-amz-json-1.1")
        return self.api("POST")

    def api(self, method):
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p][1:]
        token = self.headers.get("Authorization") or ""
        claims = claims_of(token) if not token.lower().startswith("bearer ") else None
        if not claims or claims.get("exp", 0) < time.time():
            return self.send_json(401, {"message": "Unauthorized"})
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        with lock:
            return self.route(method, parts, q, claims)

    def route(self, method, parts, q, claims):
        if parts == ["info"] and method == "GET":
            return self.send_json(200, {
                "name": "Riverside Arts Centre",
                "description": "A community venue with three stages by the river.",
                "address": {"street": "1 Quay Street", "city": "Springfield", "postcode": "SP1 2AB", "country": "UK"},
                "opening_hours": {"monday_to_friday": "10:00–22:00", "saturday": "12:00–23:00", "sunday": "Closed"},
                "phone": "+44 20 7946 0000", "email": "boxoffice@example.com",
                "website": "https://example.com/riverside",
                "accessibility": ["Step-free access", "Hearing loop in Main Hall"],
                "parking": False})
        if parts == ["shows"] and method == "GET":
            items = sorted(shows.values(), key=lambda s: s["starts_at"])
            if q.get("from"):
                items = [s for s in items if s["starts_at"] >= q["from"]]
            if q.get("to"):
                items = [s for s in items if s["starts_at"] <= q["to"]]
            start = int(q.get("cursor") or 0)
            limit = min(int(q.get("limit") or 20), 50)
            page = items[start:start + limit]
            nxt = str(start + limit) if start + limit < len(items) else None
            return self.send_json(200, {"items": page, "next_cursor": nxt})
        if len(parts) == 2 and parts[0] == "shows" and method == "GET":
            show = shows.get(parts[1])
            return self.send_json(200, show) if show else self.send_json(404, {"message": "Show not found"})
        if parts == ["shows"] and method == "POST":
            if "admins" not in (claims.get("cognito:groups") or []):
                return self.send_json(403, {"message": "Only admins can create shows"})
            b = self.body() or {}
            errors = [f"{k} is required" for k in ("title", "venue", "starts_at", "capacity", "price_cents") if k not in b]
            if not errors and not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", str(b["starts_at"])):
                errors.append({"field": "starts_at", "message": "must be ISO-8601 UTC"})
            if errors:
                return self.send_json(400, {"message": "Invalid show", "errors": errors})
            sid = "show-" + uuid.uuid4().hex[:8]
            shows[sid] = {"id": sid, **{k: b[k] for k in ("title", "venue", "starts_at", "capacity", "price_cents")},
                          "remaining": b["capacity"]}
            return self.send_json(201, shows[sid])
        if parts == ["tickets"] and method == "GET":
            mine = [t for t in tickets.values() if t["owner"] == claims["sub"]]
            return self.send_json(200, {"items": [{k: v for k, v in t.items() if k != "owner"} for t in mine]})
        if parts == ["tickets"] and method == "POST":
            key = self.headers.get("Idempotency-Key")
            if not key:
                return self.send_json(400, {"message": "Idempotency-Key header is required"})
            if key in idempotency:
                t = tickets[idempotency[key]]
                return self.send_json(201, {k: v for k, v in t.items() if k != "owner"})
            b = self.body() or {}
            show = shows.get(b.get("show_id"))
            qty = b.get("quantity")
            if not show:
                return self.send_json(404, {"message": "Show not found"})
            if not isinstance(qty, int) or qty < 1:
                return self.send_json(400, {"message": "Invalid request", "errors": [{"field": "quantity", "message": "must be >= 1"}]})
            if show["remaining"] < qty:
                return self.send_json(409, {"message": f"Only {show['remaining']} seats left"})
            show["remaining"] -= qty
            tid = "t-" + uuid.uuid4().hex[:10]
            tickets[tid] = {"id": tid, "show_id": show["id"], "quantity": qty, "status": "confirmed",
                            "price_cents": qty * show["price_cents"], "owner": claims["sub"],
                            "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
            idempotency[key] = tid
            return self.send_json(201, {k: v for k, v in tickets[tid].items() if k != "owner"})
        if len(parts) == 3 and parts[0] == "tickets" and parts[2] == "cancel" and method == "POST":
            t = tickets.get(parts[1])
            if not t or t["owner"] != claims["sub"]:
                return self.send_json(404, {"message": "Ticket not found"})
            if t["status"] != "cancelled":
                t["status"] = "cancelled"
                shows[t["show_id"]]["remaining"] += t["quantity"]
            return self.send_json(200, {k: v for k, v in t.items() if k != "owner"})
        return self.send_json(404, {"message": "Not found"})


def serve(port=0):
    seed()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    return server


if __name__ == "__main__":
    srv = serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8765)
    print(f"Serving on http://127.0.0.1:{srv.server_address[1]}/", flush=True)
    srv.serve_forever()
