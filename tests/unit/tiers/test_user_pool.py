"""UserPool: password policy, MFA, public SRP client, hosted-UI prefix, protect."""

import pulumi
import pytest

from multitier._identity.user_pool import DomainPrefixError, Federation, UserPool, UserPoolArgs, hosted_ui_prefix

POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"


def _pool(**kw):
    def program():
        pool = UserPool("users", UserPoolArgs(region="eu-west-1", **kw))
        pulumi.export("issuer", pool.issuer_url)
        pulumi.export("jwks", pool.jwks_url)
        pulumi.export("auth", pool.site_auth())
        pulumi.export("id", pool.user_pool_id)
    return program


def test_password_policy_and_email_sign_in(run):
    pool = run(_pool()).one(POOL).inputs
    policy = pool["passwordPolicy"]
    assert policy["minimumLength"] >= 8
    assert all(policy[k] is True for k in ("requireUppercase", "requireLowercase", "requireNumbers",
                                           "requireSymbols"))
    assert pool["usernameAttributes"] == ["email"] and pool["autoVerifiedAttributes"] == ["email"]
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": True}


@pytest.mark.parametrize("mfa, expected", [("off", "OFF"), ("optional", "OPTIONAL"), ("on", "ON")])
def test_mfa_with_totp_when_not_off(run, mfa, expected):
    pool = run(_pool(mfa=mfa)).one(POOL).inputs
    assert pool["mfaConfiguration"] == expected
    if mfa == "off":
        assert "softwareTokenMfaConfiguration" not in pool
    else:
        assert pool["softwareTokenMfaConfiguration"] == {"enabled": True}


def test_advanced_security_needs_plus_tier(run):
    assert run(_pool()).one(POOL).inputs["userPoolAddOns"] == {"advancedSecurityMode": "OFF"}
    pool = run(_pool(advanced_security="enforced")).one(POOL).inputs
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "ENFORCED"}
    assert pool["userPoolTier"] == "PLUS"


def test_prod_pool_is_protected_and_deletion_protected(run):
    rec = run(_pool())
    assert rec.one(POOL).protect is True
    assert rec.one(POOL).inputs["deletionProtection"] == "ACTIVE"


def test_dev_pool_is_not_protected(run):
    rec = run(_pool(mfa="off", protect=False))
    assert rec.one(POOL).protect is False
    assert rec.one(POOL).inputs["deletionProtection"] == "INACTIVE"
    assert rec.one(POOL).inputs["mfaConfiguration"] == "OFF"


def test_client_is_public_srp_only_with_no_implicit_flow(run):
    client = run(_pool()).one(CLIENT).inputs
    assert client["generateSecret"] is False
    assert client["explicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["preventUserExistenceErrors"] == "ENABLED"
    assert client["enableTokenRevocation"] is True
    assert "allowedOauthFlows" not in client and client["allowedOauthFlowsUserPoolClient"] is False
    assert client["accessTokenValidity"] == 60 and client["refreshTokenValidity"] == 30
    assert client["tokenValidityUnits"] == {"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"}


def test_hosted_ui_uses_code_flow_and_a_unique_prefix(run):
    rec = run(_pool(domain_prefix="tickets", callback_urls=["https://app.example.com/"],
                    unique_suffix="dev-123456789012"))
    assert rec.one("aws:cognito/userPoolDomain:UserPoolDomain").inputs["domain"] == "tickets-dev-123456789012"
    client = rec.one(CLIENT).inputs
    assert client["allowedOauthFlows"] == ["code"]
    assert client["callbackUrls"] == ["https://app.example.com/"]


def test_a_new_hosted_ui_prefix_replaces_the_domain_delete_first(run):
    # A pool holds one domain: created before the old one is deleted, Cognito refuses the new one.
    rec = run(_pool(domain_prefix="tickets", callback_urls=["https://app.example.com/"], unique_suffix="dev"))
    assert rec.one("aws:cognito/userPoolDomain:UserPoolDomain").delete_before_replace is True


@pytest.mark.parametrize("prefix, suffix, message", [
    ("my-aws-app", "dev", "reserved word 'aws'"), ("amazonish", "", "reserved word 'amazon'"),
    ("cognito", "x", "reserved word 'cognito'"), ("bad_prefix", "", "must match"),
    ("x" * 60, "dev-123456789012", "must match"), ("", "-dev", "must match")])
def test_bad_hosted_ui_prefixes_fail_clearly(prefix, suffix, message):
    with pytest.raises(DomainPrefixError, match=message):
        hosted_ui_prefix(prefix, suffix)


def test_no_domain_without_prefix_and_admins_group(run):
    rec = run(_pool())
    assert rec.of_type("aws:cognito/userPoolDomain:UserPoolDomain") == []
    assert rec.one("aws:cognito/userGroup:UserGroup").inputs["name"] == "admins"
    assert not [r for r in rec.registrations if "identityPool" in r.type]


def test_self_sign_up_is_off_unless_asked_for_and_the_site_is_told(run):
    rec = run(_pool())
    assert rec.one(POOL).inputs["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": True}
    assert rec.outputs["auth"]["selfSignUp"] is False
    rec = run(_pool(self_sign_up=True))
    assert rec.one(POOL).inputs["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": False}
    assert rec.outputs["auth"]["selfSignUp"] is True


def test_issuer_jwks_and_site_auth_outputs(run):
    out = run(_pool(), config={"aws:region": "eu-west-1"}).outputs
    assert out["id"].startswith("eu-west-1_")
    assert out["issuer"] == f"https://cognito-idp.eu-west-1.amazonaws.com/{out['id']}"
    assert out["jwks"] == out["issuer"] + "/.well-known/jwks.json"
    assert out["auth"]["userPoolId"] == out["id"] and out["auth"]["clientId"]
    assert out["auth"]["endpoint"] == "https://cognito-idp.eu-west-1.amazonaws.com/"


SECRET_SIG = "4dabf18193072939515e22adb298388d"  # how the Pulumi protocol marks a secret value
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:idp-client-AbCdEf"
OIDC = Federation(kind="oidc", name="Corp", attribute_mapping={"email": "email", "name": "name"},
                  issuer="https://idp.example.com", client_id="cognito-at-corp", client_secret_arn=SECRET_ARN)
HOSTED = {"domain_prefix": "tickets", "unique_suffix": "dev", "callback_urls": ["https://www.example.com/"]}


def test_oidc_federation_with_the_client_secret_read_from_secrets_manager(run):
    rec = run(_pool(federation=OIDC, **HOSTED))
    provider = rec.one("aws:cognito/identityProvider:IdentityProvider")
    pool = rec.one(POOL)
    assert provider.inputs["userPoolId"] == pool.id
    assert (provider.inputs["providerName"], provider.inputs["providerType"]) == ("Corp", "OIDC")
    assert provider.inputs["attributeMapping"] == {"email": "email", "name": "name"}
    # the details carry the client secret, so Pulumi keeps all of them as a secret (encrypted in the state)
    secret = provider.inputs["providerDetails"]
    assert secret[SECRET_SIG] == "1b47061264138c4ac30d75fd1eb44270"
    details = secret["value"]
    assert details["client_id"] == "cognito-at-corp" and details["oidc_issuer"] == "https://idp.example.com"
    assert details["authorize_scopes"] == "openid email profile"
    # the secret is what Secrets Manager holds under the ARN (the offline engine's stand-in), not config
    assert details["client_secret"] == "stand-in"
    client = rec.one(CLIENT)
    assert client.inputs["supportedIdentityProviders"] == ["COGNITO", "Corp"]
    assert provider.urn in client.dependencies
    assert client.inputs["allowedOauthFlows"] == ["code"]
    assert rec.one("aws:cognito/userPoolDomain:UserPoolDomain").inputs["domain"] == "tickets-dev"


def test_saml_federation_from_its_metadata(run):
    saml = Federation(kind="saml", name="Corp-SAML", attribute_mapping={"email": "http://schemas.xmlsoap.org/ws/2005/"
                                                                                 "05/identity/claims/emailaddress"},
                      metadata_url="https://idp.example.com/metadata.xml")
    provider = run(_pool(federation=saml, **HOSTED)).one("aws:cognito/identityProvider:IdentityProvider").inputs
    assert provider["providerType"] == "SAML"
    assert provider["providerDetails"] == {"MetadataURL": "https://idp.example.com/metadata.xml"}


def test_without_federation_only_the_pools_own_users_and_no_provider(run):
    rec = run(_pool())
    assert rec.of_type("aws:cognito/identityProvider:IdentityProvider") == []
    assert rec.one(CLIENT).inputs["supportedIdentityProviders"] == ["COGNITO"]


def test_federation_needs_the_hosted_ui(run):
    with pytest.raises(Exception, match="federated users sign in through the hosted UI; set domain_prefix"):
        run(_pool(federation=OIDC))
