"""The sign-in front against a real moto Cognito server: flows, SRP for any user, sign-up, revocation."""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest

from local.emulators import cognito_sign_in
from local.emulators.cognito_sign_in import CognitoFront
from local.emulators.moto_server import MotoServer
from local.emulators.ports import Ports
from local.model import CognitoClient, CognitoPool
from tests.local.cognito_client import cognito_call, refresh, srp_sign_in

PASSWORD = "Local-Passw0rd!"
SRP_ONLY = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


class Setup:
    def __init__(self, moto: MotoServer, front: CognitoFront, log: list[str]):
        self.moto, self.front, self.log = moto, front, log
        self.idp = moto.client("cognito-idp")
        self.pools: dict[str, CognitoPool] = {}

    def pool(self, name: str, *, self_sign_up: bool, flows=SRP_ONLY, revocation: bool = True) -> CognitoPool:
        pool_id = self.idp.create_user_pool(PoolName=name, UsernameAttributes=["email"],
                                            AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client_id = self.idp.create_user_pool_client(UserPoolId=pool_id, ClientName=name,
                                                     ExplicitAuthFlows=list(flows))["UserPoolClient"]["ClientId"]
        pool = CognitoPool(pool_id=pool_id, arn="", issuer="", jwks_url="", name=name, self_sign_up=self_sign_up,
                           clients=(CognitoClient(client_id, tuple(flows), revocation),))
        self.pools[name] = pool
        self.front.serve_pools(list(self.pools.values()))
        return pool

    @property
    def endpoint(self) -> str:
        return self.front.url + "/"

    def admin_user(self, pool: CognitoPool, email: str, password: str = PASSWORD, permanent: bool = True) -> None:
        temporary = {} if permanent else {"TemporaryPassword": password}
        self.idp.admin_create_user(UserPoolId=pool.pool_id, Username=email, MessageAction="SUPPRESS",
                                   UserAttributes=[{"Name": "email", "Value": email}], **temporary)
        if permanent:
            self.idp.admin_set_user_password(UserPoolId=pool.pool_id, Username=email, Password=password,
                                             Permanent=True)

    def code_for(self, email: str) -> str:
        codes = [m.group(1) for line in self.log for m in [re.search(rf"code for {re.escape(email)} in \S+: (\d{{6}})$",
                                                                     line)] if m]
        assert codes, f"no confirmation code for {email} in the log: {self.log}"
        return codes[-1]


@pytest.fixture(scope="module")
def cognito():
    root = Path(tempfile.mkdtemp(prefix="mt-cognito-front-"))
    ports = Ports(None)
    moto = MotoServer(ports.take("moto (Cognito)"), "cognito", root / "cognito.log", "us-east-1")
    log: list[str] = []
    front = CognitoFront(ports.take("sign-in"), moto, log.append)
    moto.start()
    front.start()
    try:
        yield Setup(moto, front, log)
    finally:
        front.stop()
        moto.stop()
        shutil.rmtree(root, ignore_errors=True)


def _email() -> str:
    return f"user-{secrets.token_hex(4)}@example.com"


def error_of(response) -> tuple[int, str, str]:
    body = response.json()
    return response.status, body["__type"], body["message"]


def test_only_the_flows_the_app_client_allows(cognito):
    pool = cognito.pool("srp-only", self_sign_up=False)
    email = _email()
    cognito.admin_user(pool, email)
    client = pool.clients[0].client_id
    # GIVEN a client that allows SRP and refresh only: a plain password is refused, as Cognito refuses it
    plain = cognito_call(cognito.endpoint, "InitiateAuth", {
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
        "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD}})
    assert error_of(plain) == (400, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
    admin = cognito_call(cognito.endpoint, "InitiateAuth", {"AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                                                            "ClientId": client, "AuthParameters": {}})
    assert error_of(admin)[1] == "InvalidParameterException"
    assert srp_sign_in(cognito.endpoint, pool.pool_id, client, email, PASSWORD).status == 200
    # WHEN another client allows USER_PASSWORD_AUTH THEN it is passed on
    open_pool = cognito.pool("with-password", self_sign_up=False, flows=(*SRP_ONLY, "ALLOW_USER_PASSWORD_AUTH"))
    cognito.admin_user(open_pool, email)
    allowed = cognito_call(cognito.endpoint, "InitiateAuth", {
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": open_pool.clients[0].client_id,
        "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD}})
    assert allowed.status == 200 and allowed.json()["AuthenticationResult"]["IdToken"]


def test_a_user_made_through_the_admin_api_signs_in_with_srp(cognito):
    pool = cognito.pool("admin-made", self_sign_up=False)
    client = pool.clients[0].client_id
    email = _email()
    cognito.admin_user(pool, email)
    assert error_of(srp_sign_in(cognito.endpoint, pool.pool_id, client, email, PASSWORD + "x"))[1] == \
        "NotAuthorizedException"
    assert error_of(srp_sign_in(cognito.endpoint, pool.pool_id, client, _email(), PASSWORD))[1] == \
        "NotAuthorizedException"
    signed_in = srp_sign_in(cognito.endpoint, pool.pool_id, client, email, PASSWORD)
    assert signed_in.status == 200, signed_in.body
    # a changed password is the one that counts
    cognito.idp.admin_set_user_password(UserPoolId=pool.pool_id, Username=email, Password="Changed-Passw0rd!",
                                        Permanent=True)
    assert srp_sign_in(cognito.endpoint, pool.pool_id, client, email, PASSWORD).status == 400
    assert srp_sign_in(cognito.endpoint, pool.pool_id, client, email, "Changed-Passw0rd!").status == 200


def test_a_temporary_password_leads_to_new_password_required(cognito):
    pool = cognito.pool("temporary", self_sign_up=False)
    client = pool.clients[0].client_id
    email = _email()
    cognito.admin_user(pool, email, permanent=False)
    challenge = srp_sign_in(cognito.endpoint, pool.pool_id, client, email, PASSWORD)
    assert challenge.status == 200 and challenge.json()["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answered = cognito_call(cognito.endpoint, "RespondToAuthChallenge", {
        "ChallengeName": "NEW_PASSWORD_REQUIRED", "ClientId": client, "Session": challenge.json()["Session"],
        "ChallengeResponses": {"USERNAME": email, "NEW_PASSWORD": "Brand-New-Passw0rd!"}})
    assert answered.status == 200, answered.body
    assert srp_sign_in(cognito.endpoint, pool.pool_id, client, email, "Brand-New-Passw0rd!").status == 200


def test_sign_up_confirmation_code_from_the_log_then_sign_in(cognito):
    pool = cognito.pool("open", self_sign_up=True)
    client = pool.clients[0].client_id
    email = _email()
    # GIVEN a new user signs up
    signed_up = cognito_call(cognito.endpoint, "SignUp", {
        "ClientId": client, "Username": email, "Password": PASSWORD,
        "UserAttributes": [{"Name": "email", "Value": email}]})
    assert signed_up.status == 200, signed_up.body
    assert signed_up.json()["UserConfirmed"] is False
    assert signed_up.json()["CodeDeliveryDetails"] == {"Destination": f"{email[0]}***@e***",
                                                       "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    first = cognito.code_for(email)
    # THEN an unconfirmed user cannot sign in, and only the latest code confirms
    assert error_of(srp_sign_in(cognito.endpoint, pool.pool_id, client, email, PASSWORD))[1] == \
        "UserNotConfirmedException"
    wrong = str((int(first) + 1) % 10 ** 6).zfill(6)
    assert error_of(cognito_call(cognito.endpoint, "ConfirmSignUp", {
        "ClientId": client, "Username": email, "ConfirmationCode": wrong}))[1] == "CodeMismatchException"
    resent = cognito_call(cognito.endpoint, "ResendConfirmationCode", {"ClientId": client, "Username": email})
    assert resent.status == 200 and resent.json()["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    second = cognito.code_for(email)
    if second != first:
        assert error_of(cognito_call(cognito.endpoint, "ConfirmSignUp", {
            "ClientId": client, "Username": email, "ConfirmationCode": first}))[1] == "CodeMismatchException"
    confirmed = cognito_call(cognito.endpoint, "ConfirmSignUp", {
        "ClientId": client, "Username": email, "ConfirmationCode": second})
    assert confirmed.status == 200, confirmed.body
    # AND the user signs in; the address is verified; a second confirmation is refused
    tokens = srp_sign_in(cognito.endpoint, pool.pool_id, client, email, PASSWORD)
    assert tokens.status == 200, tokens.body
    user = cognito.idp.admin_get_user(UserPoolId=pool.pool_id, Username=email)
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    again = cognito_call(cognito.endpoint, "ConfirmSignUp", {
        "ClientId": client, "Username": email, "ConfirmationCode": second})
    assert error_of(again)[:2] == (400, "NotAuthorizedException")
    assert error_of(cognito_call(cognito.endpoint, "ResendConfirmationCode",
                                 {"ClientId": client, "Username": email}))[1] == "NotAuthorizedException"


def test_sign_up_is_refused_where_only_administrators_make_users(cognito):
    pool = cognito.pool("closed", self_sign_up=False)
    email = _email()
    refused = cognito_call(cognito.endpoint, "SignUp", {"ClientId": pool.clients[0].client_id, "Username": email,
                                                        "Password": PASSWORD})
    assert error_of(refused) == (400, "NotAuthorizedException", "SignUp is not permitted for this user pool")
    assert cognito.idp.list_users(UserPoolId=pool.pool_id)["Users"] == []


def test_a_weak_password_is_refused_at_sign_up(cognito):
    pool = cognito.pool("policy", self_sign_up=True)
    cognito.idp.update_user_pool(UserPoolId=pool.pool_id, Policies={"PasswordPolicy": {
        "MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True}})
    weak = cognito_call(cognito.endpoint, "SignUp", {"ClientId": pool.clients[0].client_id, "Username": _email(),
                                                     "Password": "short"})
    assert error_of(weak)[:2] == (400, "InvalidPasswordException")


def test_a_revoked_refresh_token_is_refused(cognito):
    pool = cognito.pool("revocation", self_sign_up=False)
    client = pool.clients[0].client_id
    email = _email()
    cognito.admin_user(pool, email)
    tokens = srp_sign_in(cognito.endpoint, pool.pool_id, client, email, PASSWORD).json()["AuthenticationResult"]
    assert refresh(cognito.endpoint, client, tokens["RefreshToken"]).status == 200
    revoked = cognito_call(cognito.endpoint, "RevokeToken", {"ClientId": client, "Token": tokens["RefreshToken"]})
    assert revoked.status == 200
    assert error_of(refresh(cognito.endpoint, client, tokens["RefreshToken"])) == (
        400, "NotAuthorizedException", "Refresh Token has been revoked")
    # a client without revocation refuses the call
    plain = cognito.pool("no-revocation", self_sign_up=False, revocation=False)
    assert error_of(cognito_call(cognito.endpoint, "RevokeToken", {
        "ClientId": plain.clients[0].client_id, "Token": "x"}))[1] == "UnsupportedOperationException"


@pytest.mark.parametrize("operation", ["AdminCreateUser", "AdminSetUserPassword", "ListUsers", "CreateUserPool", ""])
def test_administrator_calls_are_refused_unsigned(cognito, operation):
    pool = cognito.pool("admin-calls", self_sign_up=False)
    refused = cognito_call(cognito.endpoint, operation, {"UserPoolId": pool.pool_id, "Username": _email()})
    assert error_of(refused)[:2] == (400, "MissingAuthenticationTokenException")
    assert cognito.idp.list_users(UserPoolId=pool.pool_id)["Users"] == []


def test_an_unknown_client_is_not_found(cognito):
    for operation in ("InitiateAuth", "SignUp", "RevokeToken"):
        answer = cognito_call(cognito.endpoint, operation, {"ClientId": "nope", "AuthFlow": "USER_SRP_AUTH"})
        assert error_of(answer)[:2] == (400, "ResourceNotFoundException"), operation


def test_unanswered_challenges_expire_instead_of_accumulating(cognito, monkeypatch):
    pool = cognito.pool("expiry", self_sign_up=False)
    email = _email()
    cognito.admin_user(pool, email)
    clock = [1000.0]
    monkeypatch.setattr(cognito_sign_in.time, "monotonic", lambda: clock[0])
    cognito.front.sessions.clear()

    def initiate() -> str:
        status, answer = cognito.front.call("InitiateAuth", {
            "AuthFlow": "USER_SRP_AUTH", "ClientId": pool.clients[0].client_id,
            "AuthParameters": {"USERNAME": email, "SRP_A": secrets.token_hex(64)}})
        assert status == 200 and answer["ChallengeName"] == "PASSWORD_VERIFIER"
        return answer["Session"]

    # GIVEN sign-ins that were started and never answered
    for _ in range(20):
        initiate()
    assert len(cognito.front.sessions) == 20
    # WHEN their challenges are past answering and another sign-in starts
    clock[0] += 301  # a challenge can be answered for 300 s
    latest = initiate()
    # THEN only the live challenge is kept
    assert list(cognito.front.sessions) == [latest]


def _claims(token: str) -> dict:
    import base64
    import json

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_id_token_carries_the_users_email_as_cognito_does(cognito):
    # GIVEN a pool whose users sign in with their e-mail (the program's pools), and a user in it
    pool = cognito.pool("claims", self_sign_up=False)
    client = pool.clients[0].client_id
    email = _email()
    cognito.admin_user(pool, email)
    # WHEN they sign in with SRP, and refresh their tokens
    result = srp_sign_in(cognito.endpoint, pool.pool_id, client, email, PASSWORD).json()["AuthenticationResult"]
    again = refresh(cognito.endpoint, client, result["RefreshToken"]).json()["AuthenticationResult"]
    # THEN each ID token's email claim is the e-mail (the site shows it), and sub the user's id
    sub = cognito.idp.admin_get_user(UserPoolId=pool.pool_id, Username=email)["Username"]
    for token in (result["IdToken"], again["IdToken"]):
        claims = _claims(token)
        assert claims["email"] == email and claims["sub"] == sub != email


def test_a_pool_whose_usernames_are_not_emails_still_signs_in(cognito):
    pool_id = cognito.idp.create_user_pool(PoolName="names")["UserPool"]["Id"]
    client_id = cognito.idp.create_user_pool_client(UserPoolId=pool_id, ClientName="names",
                                                    ExplicitAuthFlows=list(SRP_ONLY))["UserPoolClient"]["ClientId"]
    cognito.front.serve_pools([*cognito.pools.values(), CognitoPool(
        pool_id=pool_id, arn="", issuer="", jwks_url="", name="names", clients=(CognitoClient(client_id, SRP_ONLY),))])
    cognito.idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    cognito.idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    signed_in = srp_sign_in(cognito.endpoint, pool_id, client_id, "alice", PASSWORD)
    assert signed_in.status == 200, signed_in.body
    assert _claims(signed_in.json()["AuthenticationResult"]["IdToken"])["cognito:username"] == "alice"
