"""Cognito: strong passwords, MFA, threat protection, safe clients, no guest identities."""

from __future__ import annotations

from policy.core import Resource, items, resource_rule

PREFIX = "MT-COG"

POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
IDENTITY_POOL = "aws:cognito/identityPool:IdentityPool"


@resource_rule("MT-COG-1", POOL, description="Passwords: at least 8 characters with upper, lower, digit and symbol",
               remediation="Set password_policy minimum_length >= 8 and require_uppercase/lowercase/numbers/symbols.")
def password_policy(pool: Resource):
    policy = pool.get("passwordPolicy") or {}
    if (policy.get("minimumLength") or 8) < 8:
        yield f"minimum length {policy.get('minimumLength'):g}"
    missing = [k for k in ("requireUppercase", "requireLowercase", "requireNumbers", "requireSymbols")
               if not policy.get(k)]
    if missing:
        yield f"does not require {missing}"


@resource_rule("MT-COG-2", POOL, description="User pools offer MFA (optional or required)",
               remediation="Set mfa_configuration='OPTIONAL' or 'ON' with software tokens (identityMfa).")
def mfa(pool: Resource):
    if pool.get("mfaConfiguration") not in ("ON", "OPTIONAL"):
        yield f"MFA is {pool.get('mfaConfiguration') or 'OFF'}"


@resource_rule("MT-COG-3", IDENTITY_POOL, severity="critical", description="Identity pools allow no unauthenticated identities",
               remediation="Set allow_unauthenticated_identities=False.")
def no_guests(pool: Resource):
    if pool.get("allowUnauthenticatedIdentities"):
        yield "unauthenticated identities get AWS credentials"


@resource_rule("MT-COG-4", POOL, severity="medium", description="User pools enforce threat protection",
               remediation="Set user_pool_add_ons={'advanced_security_mode': 'ENFORCED'} (PLUS tier, "
                           "identityAdvancedSecurity).")
def threat_protection(pool: Resource):
    if pool.get("userPoolAddOns", "advancedSecurityMode") != "ENFORCED":
        yield f"advanced security mode is {pool.get('userPoolAddOns', 'advancedSecurityMode') or 'OFF'}"


@resource_rule("MT-COG-5", CLIENT, description="Clients hide whether a user exists and can revoke tokens",
               remediation="Set prevent_user_existence_errors='ENABLED' and enable_token_revocation=True.")
def client_hardened(client: Resource):
    if client.get("preventUserExistenceErrors") != "ENABLED":
        yield "user existence errors are not prevented"
    if client.get("enableTokenRevocation") is False:
        yield "token revocation is off"


@resource_rule("MT-COG-6", CLIENT, description="Clients use no implicit OAuth flow and no password flow",
               remediation="Use the authorization-code flow (with PKCE) and SRP; drop 'implicit' and USER_PASSWORD_AUTH.")
def client_flows(client: Resource):
    if "implicit" in items(client.get("allowedOauthFlows")):
        yield "the implicit flow puts tokens in URLs"
    weak = [f for f in items(client.get("explicitAuthFlows")) if "USER_PASSWORD_AUTH" in f or f == "ADMIN_NO_SRP_AUTH"]
    if weak:
        yield f"plain-password flows {weak}"


@resource_rule("MT-COG-7", POOL, description="User pools have deletion protection",
               remediation="Set deletion_protection='ACTIVE' (identityProtect).")
def deletion_protection(pool: Resource):
    if pool.get("deletionProtection") != "ACTIVE":
        yield "deletion protection is INACTIVE"
