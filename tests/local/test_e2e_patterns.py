"""Every pattern of the dev stack, in local mode, over real HTTP.

GIVEN the stack brought up once from ``__main__.py`` (conftest ``local_stack``)
WHEN a signed-in user lists shows, buys, lists and cancels tickets and reads /info
THEN each pattern's API, authorizer, functions and data tier answer as deployed.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from local import engine
from local.provision.identities import TRANSACTION_ACTIONS
from tests.local.cognito_client import refresh, srp_sign_in
from tests.local.conftest import STACK, http

PATTERNS = list(engine.stack_config(STACK).get("multitier:patterns") or [])


def test_every_configured_pattern_is_served(patterns):
    assert sorted(patterns) == sorted(PATTERNS)
    for pattern in patterns.values():
        assert {"shows", "tickets", "info"} <= set(pattern.apis), pattern
        assert pattern.pool_id and pattern.client_id


@pytest.mark.parametrize("name", PATTERNS)
def test_shows_and_ticket_lifecycle(name, local_stack, patterns, sign_in):
    pattern = patterns[name]
    token = sign_in.id_token(pattern)

    # GIVEN the seeded shows
    listed = http("GET", pattern.url("/shows"), token=token)
    assert listed.status == 200, listed.body
    shows = listed.json()["items"]
    assert len(shows) >= 5
    show = next(s for s in shows if s["remaining"] >= 2)
    # (read by id too: where the pattern caches shows, the cache now holds the item and the list page)
    assert http("GET", pattern.url(f"/shows/{show['id']}"), token=token).json()["remaining"] == show["remaining"]

    # WHEN the user buys two tickets
    bought = http("POST", pattern.url("/tickets"), token=token, body={"show_id": show["id"], "quantity": 2},
                  headers={"Idempotency-Key": str(uuid.uuid4())})
    assert bought.status == 201, bought.body
    assert _show_item(local_stack, name, show["id"])["remaining"] == show["remaining"] - 2
    ticket = bought.json()
    assert ticket["status"] == "active" and ticket["quantity"] == 2
    assert ticket["price_cents"] == 2 * show["price_cents"]

    # THEN the seats are gone from what readers see at once, through a cache too, and the ticket is readable
    assert _seats(pattern, token, show["id"]) == (show["remaining"] - 2,) * 2
    mine = http("GET", pattern.url("/tickets"), token=token)
    assert mine.status == 200
    assert ticket["id"] in [t["id"] for t in mine.json()["items"]]
    assert http("GET", pattern.url(f"/tickets/{ticket['id']}"), token=token).json()["id"] == ticket["id"]

    # WHEN it is cancelled THEN it stays listed as cancelled, and cannot be cancelled twice
    cancelled = http("POST", pattern.url(f"/tickets/{ticket['id']}/cancel"), token=token)
    assert cancelled.status == 200, cancelled.body
    assert cancelled.json()["status"] == "cancelled"
    again = http("POST", pattern.url(f"/tickets/{ticket['id']}/cancel"), token=token)
    assert again.status in (404, 409), again.body
    assert _show_item(local_stack, name, show["id"])["remaining"] == show["remaining"]
    assert _seats(pattern, token, show["id"]) == (show["remaining"],) * 2


def test_idempotent_purchase_is_not_charged_twice(patterns, sign_in):
    pattern = patterns[PATTERNS[0]]
    token = sign_in.id_token(pattern)
    show = http("GET", pattern.url("/shows"), token=token).json()["items"][0]
    key = str(uuid.uuid4())
    first = http("POST", pattern.url("/tickets"), token=token, body={"show_id": show["id"], "quantity": 1},
                 headers={"Idempotency-Key": key})
    second = http("POST", pattern.url("/tickets"), token=token, body={"show_id": show["id"], "quantity": 1},
                  headers={"Idempotency-Key": key})
    assert first.status == 201 and second.status in (200, 201)
    assert first.json()["id"] == second.json()["id"]


@pytest.mark.parametrize("name", PATTERNS)
def test_another_users_ticket_is_not_found(name, patterns, sign_in):
    pattern = patterns[name]
    owner = sign_in.id_token(pattern)
    stranger = sign_in.new_user(pattern, f"stranger-{name.replace('_', '-')}@example.com")
    show = http("GET", pattern.url("/shows"), token=owner).json()["items"][0]
    ticket = http("POST", pattern.url("/tickets"), token=owner, body={"show_id": show["id"], "quantity": 1},
                  headers={"Idempotency-Key": str(uuid.uuid4())}).json()

    assert http("GET", pattern.url(f"/tickets/{ticket['id']}"), token=stranger).status == 404
    assert http("POST", pattern.url(f"/tickets/{ticket['id']}/cancel"), token=stranger).status == 404
    assert ticket["id"] not in [t["id"] for t in http("GET", pattern.url("/tickets"), token=stranger).json()["items"]]
    assert http("GET", pattern.url(f"/tickets/{ticket['id']}"), token=owner).status == 200


def test_info_of_the_mobile_backend_comes_from_postgresql(local_stack, patterns, sign_in):
    assert "mobile_backend" in patterns, "the dev stack must run the mobile backend"
    pattern = patterns["mobile_backend"]
    token = sign_in.id_token(pattern)
    before = http("GET", pattern.url("/info"), token=token)
    assert before.status == 200, before.body
    assert before.json()["name"] == "Multitier Hall"  # seeded by the program's migration

    # WHEN the row in the local PostgreSQL changes THEN /info shows it
    fn = next(f for f in local_stack.functions if f.environment.get("INFO_SOURCE") == "postgres")
    with local_stack.emulators.postgres.connect(fn.environment["DB_NAME"]) as conn:
        conn.execute("UPDATE venue SET name = 'Local Hall' WHERE id = 1")
    try:
        assert _eventually(lambda: http("GET", pattern.url("/info"), token=token).json()["name"] == "Local Hall")
    finally:
        with local_stack.emulators.postgres.connect(fn.environment["DB_NAME"]) as conn:
            conn.execute("UPDATE venue SET name = 'Multitier Hall' WHERE id = 1")


def test_info_of_the_single_page_app_comes_from_s3(local_stack, patterns, sign_in):
    assert "single_page_app" in patterns, "the dev stack must run the single-page app"
    pattern = patterns["single_page_app"]
    token = sign_in.id_token(pattern)
    before = http("GET", pattern.url("/info"), token=token)
    assert before.status == 200, before.body
    fn = next(f for f in local_stack.functions
              if f.environment.get("INFO_SOURCE") == "s3" and f.name.startswith("single-page-app"))
    bucket, prefix = fn.environment["INFO_BUCKET"], fn.environment.get("INFO_PREFIX", "info/")
    s3 = local_stack.emulators.aws.client("s3")
    key = f"{prefix}venue.json"
    original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert json.loads(original)["name"] == before.json()["name"]  # the program's uploaded object
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps({**json.loads(original), "name": "Bucket Hall"}).encode(),
                  ContentType="application/json")
    try:
        assert _eventually(lambda: http("GET", pattern.url("/info"), token=token).json()["name"] == "Bucket Hall")
    finally:
        s3.put_object(Bucket=bucket, Key=key, Body=original, ContentType="application/json")


# --- authorization ------------------------------------------------------------------

def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _sign(claims: dict, key_pem: str | bytes, kid: str) -> str:
    import jwt

    return jwt.encode(claims, key_pem, algorithm="RS256", headers={"kid": kid})


def _moto_signing_key() -> tuple[str, str]:
    """The key moto's Cognito signs with (to mint a correctly signed but expired token)."""
    from pathlib import Path

    import moto.cognitoidp as cognitoidp

    import gzip

    private = json.loads(gzip.decompress((Path(cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz").read_bytes()))
    from jwt.algorithms import RSAAlgorithm

    key = RSAAlgorithm.from_jwk(json.dumps(private))
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return pem, private.get("kid", "dummy")


@pytest.mark.parametrize("name", PATTERNS)
def test_missing_forged_and_expired_tokens_are_rejected(name, patterns, sign_in):
    pattern = patterns[name]
    url = pattern.url("/shows")
    good = sign_in.id_token(pattern)
    assert http("GET", url, token=good).status == 200

    missing = http("GET", url)
    assert missing.status == 401, missing.body

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    header = json.loads(base64.urlsafe_b64decode(good.split(".")[0] + "=="))
    forged = _sign(_claims(good), stranger_key, header.get("kid", "dummy"))
    assert http("GET", url, token=forged).status in (401, 403)

    tampered = good.split(".")
    claims = {**_claims(good), "sub": str(uuid.uuid4())}
    tampered[1] = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert http("GET", url, token=".".join(tampered)).status in (401, 403)

    pem, kid = _moto_signing_key()
    now = int(time.time())
    expired = _sign({**_claims(good), "iat": now - 7200, "auth_time": now - 7200, "exp": now - 3600}, pem, kid)
    response = http("GET", url, token=expired)
    assert response.status in (401, 403), response.body
    # The same claims, freshly dated and signed with the same key, are accepted: the
    # rejection above is the expiry, not the signature.
    fresh = _sign({**_claims(good), "iat": now, "exp": now + 600}, pem, kid)
    assert http("GET", url, token=fresh).status == 200


def test_cors_preflight_is_answered_without_a_token(patterns):
    pattern = patterns[PATTERNS[0]]
    response = http("OPTIONS", pattern.url("/shows"), headers={
        "Origin": "http://127.0.0.1:9999", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert response.status in (200, 204)
    assert response.headers.get("access-control-allow-origin") in ("*", "http://127.0.0.1:9999")
    assert "GET" in response.headers.get("access-control-allow-methods", "")


def test_throttling_returns_429_past_the_stage_limits(local_stack, patterns, sign_in):
    pattern = patterns[PATTERNS[0]]
    api = next(a for a in local_stack.apis if a.url == pattern.apis["shows"])
    token = sign_in.id_token(pattern)
    total = int(api.throttle_burst * 3 + api.throttle_rate * 2)
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: http("GET", pattern.url("/shows?limit=1"), token=token).status,
                                 range(total)))
    assert statuses.count(429) > 0, statuses
    assert statuses.count(200) >= api.throttle_burst // 2, statuses
    assert set(statuses) <= {200, 429}
    time.sleep(max(1.0, api.throttle_burst / api.throttle_rate))  # let the bucket refill for later tests


# --- least privilege, executed ------------------------------------------------------------

def test_each_worker_carries_exactly_its_roles_statements(local_stack):
    iam = local_stack.emulators.aws.client("iam")
    recording = local_stack.recording
    for fn in local_stack.functions:
        registration = next(r for r in recording.of_type("aws:lambda/function:Function")
                            if r.outputs["name"] == fn.name)
        role = next(r for r in recording.of_type("aws:iam/role:Role") if r.outputs["arn"] == registration.inputs["role"])
        policy = next(r for r in recording.of_type("aws:iam/rolePolicy:RolePolicy") if r.inputs["role"] == role.id)
        declared = sorted(a for s in json.loads(policy.inputs["policy"])["Statement"] for a in _list(s["Action"]))
        stored = iam.get_user_policy(UserName=f"fn-{fn.name}"[:64], PolicyName="role-policy")["PolicyDocument"]
        if isinstance(stored, str):
            stored = json.loads(stored)
        stored_actions = {a for s in stored["Statement"] for a in _list(s["Action"])}
        # moto checks a DynamoDB transaction as one action; local mode adds it where AWS
        # would check the item actions (see provision/identities.py TRANSACTION_ACTIONS)
        assert stored_actions - set(TRANSACTION_ACTIONS) == set(declared), fn.name
        assert all(s["Resource"] == "*" for s in stored["Statement"])
        assert fn.credentials["AWS_ACCESS_KEY_ID"] != local_stack.emulators.aws.keys.access_key_id


def test_a_removed_grant_fails_with_access_denied(local_stack, patterns, sign_in, function_logs):
    from local.provision.identities import put_function_policy

    pattern = patterns[PATTERNS[0]]
    token = sign_in.id_token(pattern)
    api = next(a for a in local_stack.apis if a.url == pattern.apis["shows"])
    function_name = next(v for k, v in api.stage_variables.items()
                         if "shows" in k and "authorizer" not in k).split(":")[0]
    granted = local_stack.policies[function_name]
    without_reads = {**granted, "Statement": [s for s in granted["Statement"]
                                              if "dynamodb:Query" not in _list(s["Action"])]}
    assert len(without_reads["Statement"]) < len(granted["Statement"])
    assert http("GET", pattern.url("/shows"), token=token).status == 200

    # WHEN the function's identity loses the statement that grants dynamodb:Query
    put_function_policy(local_stack.emulators.aws, function_name, without_reads)
    try:
        denied = http("GET", pattern.url("/shows"), token=token)
        # THEN listing shows fails, and the function saw AccessDenied from the emulator
        assert denied.status >= 500, denied.body
        assert any("AccessDenied" in line for line in function_logs.of(function_name)), function_logs.tail()
    finally:
        put_function_policy(local_stack.emulators.aws, function_name, granted)
    assert _eventually(lambda: http("GET", pattern.url("/shows"), token=token).status == 200)


# --- the sites -----------------------------------------------------------------------------

def test_sites_serve_the_program_uploads_with_local_config_and_headers(local_stack, patterns):
    assert local_stack.sites, "the dev stack has static sites"
    for site in local_stack.sites:
        index = http("GET", site.url)
        assert index.status == 200 and b"<html" in index.body.lower()
        assert index.headers["x-frame-options"] == "DENY"
        assert index.headers["x-content-type-options"] == "nosniff"
        assert "max-age=" in index.headers["strict-transport-security"]
        csp = index.headers["content-security-policy"]
        assert local_stack.emulators.sign_in in csp

        config = http("GET", site.url + "config.json").json()
        assert config["auth"]["endpoint"].rstrip("/") == local_stack.emulators.sign_in
        assert config["apiUrl"].startswith("http://127.0.0.1:")
        assert config["apiUrl"].rstrip("/") in [a.url for a in local_stack.apis]
        assert config["apiUrl"].split("/dev")[0] in csp
        pattern = patterns[config["pattern"]]
        assert config["auth"]["userPoolId"] == pattern.pool_id
        assert config["auth"]["clientId"] == pattern.client_id

        deep = http("GET", site.url + "shows/some-show")  # SPA fallback (CloudFront's 403/404 → /index.html)
        assert deep.status == 200 and deep.body == index.body
        assert http("POST", site.url).status == 405


def test_the_browser_sign_in_endpoint_answers_cross_origin(local_stack):
    site = local_stack.sites[0]
    origin = site.url.rstrip("/")
    config = http("GET", site.url + "config.json").json()
    preflight = http("OPTIONS", config["auth"]["endpoint"], headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target"})
    assert preflight.headers.get("access-control-allow-origin") in ("*", origin)
    assert "x-amz-target" in preflight.headers.get("access-control-allow-headers", "").lower()


def test_srp_sign_in_checks_the_password_and_returns_working_tokens(local_stack, patterns):
    pattern = patterns[PATTERNS[0]]
    demo = local_stack.user("demo@example.com")
    endpoint = local_stack.emulators.sign_in + "/"

    wrong = srp_sign_in(endpoint, pattern.pool_id, pattern.client_id, demo.email, demo.password + "x")
    assert wrong.status == 400 and wrong.json()["__type"] == "NotAuthorizedException"
    unknown = srp_sign_in(endpoint, pattern.pool_id, pattern.client_id, "nobody@example.com", "Whatever-1!")
    assert unknown.status == 400

    right = srp_sign_in(endpoint, pattern.pool_id, pattern.client_id, demo.email, demo.password)
    assert right.status == 200, right.body
    tokens = right.json()["AuthenticationResult"]
    assert http("GET", pattern.url("/shows"), token=tokens["IdToken"]).status == 200
    # REFRESH_TOKEN_AUTH passes through to the emulator's Cognito
    refreshed = refresh(endpoint, pattern.client_id, tokens["RefreshToken"])
    assert refreshed.status == 200, refreshed.body
    assert http("GET", pattern.url("/shows"),
                token=refreshed.json()["AuthenticationResult"]["IdToken"]).status == 200


def _seats(pattern, token: str, show_id: str) -> tuple[int, int]:
    """A show's remaining seats as the API answers them: by id, and in the list."""
    by_id = http("GET", pattern.url(f"/shows/{show_id}"), token=token).json()["remaining"]
    listed = [s for s in http("GET", pattern.url("/shows?limit=100"), token=token).json()["items"] if s["id"] == show_id]
    return by_id, listed[0]["remaining"]


def _show_item(mode, pattern: str, show_id: str) -> dict:
    """The show as stored in the pattern's shows table (read with the provisioning identity)."""
    prefix = pattern.replace("_", "-")
    table = next(f.environment["SHOWS_TABLE"] for f in mode.functions
                 if f.name.startswith(prefix) and f.environment.get("TICKETS_TABLE"))
    item = mode.emulators.aws.client("dynamodb").get_item(TableName=table, Key={"id": {"S": show_id}})["Item"]
    return {k: int(v["N"]) if "N" in v else v.get("S") for k, v in item.items()}


def _list(value):
    return value if isinstance(value, list) else [value]


def _eventually(check, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except (KeyError, ValueError):
            pass
        time.sleep(0.3)
    return False
