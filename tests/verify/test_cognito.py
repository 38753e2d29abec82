"""The verification user and its SRP sign-in: the client's maths against the independent reference's vectors,
the admin calls (Stubber), and a refused sign-in reported with Cognito's answer."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from local.emulators import cognito_srp as srp
from verify.cognito import SignInError, VerificationUser, srp_sign_in
from verify.http import Http

VECTORS = Path(__file__).resolve().parents[1] / "site" / "fixtures" / "srp_vectors.json"


@pytest.mark.parametrize("vector", json.loads(VECTORS.read_text())["vectors"], ids=lambda v: v["name"])
def test_the_password_claim_matches_the_reference(vector):
    """tests/site/srp_reference.py (written apart from this code, and checked against site/js/srp.js) made these."""
    parameters = {"USER_ID_FOR_SRP": vector["userIdForSrp"], "SALT": vector["saltHex"], "SRP_B": vector["srpBHex"],
                  "SECRET_BLOCK": vector["secretBlock"]}
    now = datetime.fromisoformat(vector["nowIso"].replace("Z", "+00:00"))
    claim = srp.password_claim(vector["poolId"], vector["password"], int(vector["smallAHex"], 16), parameters, now)
    assert claim == {"USERNAME": vector["userIdForSrp"], "PASSWORD_CLAIM_SECRET_BLOCK": vector["secretBlock"],
                     "TIMESTAMP": vector["timestamp"], "PASSWORD_CLAIM_SIGNATURE": vector["signature"]}


def test_the_server_accepts_the_right_password_only():
    a, srp_a = srp.client_secret()
    challenge = srp.challenge("us-east-1_Pool", "user-1", "Right-Passw0rd!", srp_a)
    right = srp.password_claim("us-east-1_Pool", "Right-Passw0rd!", a, challenge.parameters)
    wrong = srp.password_claim("us-east-1_Pool", "Wrong-Passw0rd!", a, challenge.parameters)
    assert srp.verify(challenge, right["TIMESTAMP"], right["PASSWORD_CLAIM_SIGNATURE"])
    assert not srp.verify(challenge, wrong["TIMESTAMP"], wrong["PASSWORD_CLAIM_SIGNATURE"])
    with pytest.raises(ValueError):
        srp.password_claim("us-east-1_Pool", "x", a, {**challenge.parameters, "SRP_B": f"{srp.N:x}"})


def test_the_user_is_made_with_a_permanent_password_and_deleted_once():
    admin = boto3.session.Session().client("cognito-idp", region_name="us-east-1", aws_access_key_id="k",
                                           aws_secret_access_key="s")
    user = VerificationUser(admin, "us-east-1_Pool")
    assert user.email.startswith("multitier-verify-") and user.password not in repr(user)
    with Stubber(admin) as stub:
        stub.add_response("admin_create_user", {}, {
            "UserPoolId": "us-east-1_Pool", "Username": user.email, "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": user.email}, {"Name": "email_verified", "Value": "true"}]})
        stub.add_response("admin_set_user_password", {}, {"UserPoolId": "us-east-1_Pool", "Username": user.email,
                                                          "Password": user.password, "Permanent": True})
        stub.add_response("admin_delete_user", {}, {"UserPoolId": "us-east-1_Pool", "Username": user.email})
        user.create()
        user.delete()
        user.delete()  # a second delete calls nothing
        stub.assert_no_pending_responses()


def test_a_refused_sign_in_carries_cognitos_answer(dev_local):
    pattern = dev_local.target.patterns["web_app"]
    demo = next(u for u in dev_local.endpoints["users"] if u["email"] == "demo@example.com")
    http = Http()
    with pytest.raises(SignInError) as refused:
        srp_sign_in(http, pattern.sign_in_endpoint, pattern.user_pool_id, pattern.client_id, demo["email"],
                    demo["password"] + "-wrong")
    assert refused.value.response.status == 400 and "NotAuthorizedException" in refused.value.response.summary()
    tokens = srp_sign_in(http, pattern.sign_in_endpoint, pattern.user_pool_id, pattern.client_id, demo["email"],
                         demo["password"])
    assert tokens["IdToken"] and tokens["RefreshToken"]


def test_without_the_admin_permission_sign_in_fails_naming_it():
    from verify.checks import Context, Failed
    from verify.checks.purchase import sign_in
    from verify.target import Pattern, Target

    admin = boto3.session.Session().client("cognito-idp", region_name="us-east-1", aws_access_key_id="k",
                                           aws_secret_access_key="s")
    pattern = Pattern("web_app", (), (), "us-east-1_Pool", "client", "https://cognito-idp.us-east-1.amazonaws.com/")
    ctx = Context(Target("aws", "dev", "us-east-1", {"web_app": pattern}, lambda service: admin), pattern, Http())
    with Stubber(admin) as stub:
        stub.add_client_error("admin_create_user", "AccessDeniedException", "not authorized to perform "
                              "cognito-idp:AdminCreateUser", 400, response_meta={"RequestId": "req-9"})
        with pytest.raises(Failed) as failed:
            sign_in(ctx, None)
    assert failed.value.request_id == "req-9" and "AdminCreateUser" in failed.value.expected
    assert "AccessDeniedException" in failed.value.actual and not ctx.user.created  # nothing to clean up
