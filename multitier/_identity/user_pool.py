"""UserPool: the Cognito user pool and app client the presentation and logic tiers use.

Users sign in with their e-mail address through SRP from a public client (no
secret, no implicit flow). By default only administrators create users
(``self_sign_up=False``): an open pool lets anyone create accounts; a stack
that wants the site's sign-up screen opts in, and ``site_auth()`` tells the site.
There is no identity pool, so there are no unauthenticated identities.

``federation`` adds a third-party identity provider (OIDC or SAML) whose users sign
in through the hosted UI (so it needs ``domain_prefix``); the app client allows it
besides the pool's own users. An OIDC client secret is read from Secrets Manager at
deploy time by ARN, so it is never in the program or its config (Pulumi keeps it
encrypted in the state as a secret).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from multitier._ops import watch_edge
from multitier._ops.watch import Watch

MIN_PASSWORD_LENGTH = 8
_MFA = {"off": "OFF", "optional": "OPTIONAL", "on": "ON"}
_ADVANCED = {"off": "OFF", "audit": "AUDIT", "enforced": "ENFORCED"}
_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$")
_RESERVED = ("aws", "amazon", "cognito")
EXPLICIT_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


class DomainPrefixError(ValueError):
    """A hosted-UI domain prefix Cognito would reject."""


def hosted_ui_prefix(prefix: str, unique_suffix: str) -> str:
    """``<prefix>-<unique_suffix>`` (lower-cased), validated against Cognito's rules.

    Domain prefixes are global across all AWS accounts, so the pattern passes a
    suffix unique to the stack and account (e.g. ``dev-123456789012``).
    """
    value = "-".join(p for p in (prefix, unique_suffix) if p).lower()
    if not _DOMAIN_PREFIX.match(value):
        raise DomainPrefixError(f"Cognito domain prefix {value!r} must match {_DOMAIN_PREFIX.pattern} "
                                f"(1-63 lower-case letters, digits and hyphens, not starting or ending with '-')")
    reserved = [word for word in _RESERVED if word in value]
    if reserved:
        raise DomainPrefixError(f"Cognito domain prefix {value!r} contains the reserved word "
                                f"{reserved[0]!r} (Cognito rejects 'aws', 'amazon' and 'cognito')")
    return value


@dataclass(frozen=True)
class Federation:
    """A third-party identity provider federated into the pool.

    OIDC: ``issuer``, ``client_id``, ``client_secret_arn`` (a Secrets Manager secret
    holding the client secret as plain text) and ``scopes``; SAML: ``metadata_url``.
    ``attribute_mapping``: pool attribute → the provider's claim or attribute.
    """

    kind: Literal["oidc", "saml"]
    name: str
    attribute_mapping: Mapping[str, str]
    issuer: str = ""
    client_id: str = ""
    client_secret_arn: str = ""
    scopes: str = "openid email profile"
    metadata_url: str = ""


@dataclass
class UserPoolArgs:
    """Inputs of a UserPool.

    ``region`` builds the issuer URL. ``mfa`` optional offers TOTP to users who
    enrol; ``advanced_security`` other than off needs Cognito's Plus tier.
    ``domain_prefix`` (empty: no hosted UI) gets ``unique_suffix`` appended, as
    prefixes are global across AWS, and needs ``callback_urls``. Tokens last
    ``access_token_minutes`` (access and ID) and ``refresh_token_days``.
    ``protect`` guards the pool (and its users) against deletion by Pulumi.
    ``groups`` maps group name → description.
    """

    region: pulumi.Input[str]
    mfa: Literal["off", "optional", "on"] = "optional"
    advanced_security: Literal["off", "audit", "enforced"] = "off"
    domain_prefix: str = ""
    callback_urls: Sequence[str] = ()
    access_token_minutes: int = 60
    refresh_token_days: int = 30
    protect: bool = True
    unique_suffix: str = ""
    groups: dict[str, str] = field(default_factory=lambda: {"admins": "Administrators of the ticketing app"})
    self_sign_up: bool = False
    logout_urls: Sequence[str] = ()
    federation: Federation | None = None


class UserPool(pulumi.ComponentResource):
    """A Cognito user pool (e-mail sign-in, strong passwords, TOTP MFA) with a public client."""

    def __init__(self, name: str, args: UserPoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:identity:UserPool", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        domain_prefix = (hosted_ui_prefix(args.domain_prefix, args.unique_suffix)
                         if args.domain_prefix else "")
        if domain_prefix and not args.callback_urls:
            raise ValueError(f"user pool {name}: the hosted UI (domain_prefix) needs "
                             f"callback_urls for the authorization-code flow")
        if args.federation is not None and not domain_prefix:
            raise ValueError(f"user pool {name}: federated users sign in through the hosted UI; set domain_prefix")
        mfa = _MFA[args.mfa]

        self.pool = aws.cognito.UserPool(
            name,
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            username_configuration={"case_sensitive": False},
            password_policy={"minimum_length": MIN_PASSWORD_LENGTH, "require_uppercase": True,
                             "require_lowercase": True, "require_numbers": True, "require_symbols": True,
                             "temporary_password_validity_days": 3},
            mfa_configuration=mfa,
            software_token_mfa_configuration={"enabled": True} if mfa != "OFF" else None,
            # Threat protection (advanced security) is a Plus-tier feature.
            user_pool_tier="PLUS" if args.advanced_security != "off" else "ESSENTIALS",
            user_pool_add_ons={"advanced_security_mode": _ADVANCED[args.advanced_security]},
            admin_create_user_config={"allow_admin_create_user_only": not args.self_sign_up},
            account_recovery_setting={"recovery_mechanisms": [{"name": "verified_email", "priority": 1}]},
            deletion_protection="ACTIVE" if args.protect else "INACTIVE",
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))

        self.groups = {group: aws.cognito.UserGroup(
            f"{name}-{group}", user_pool_id=self.pool.id, name=group, description=description, opts=child)
            for group, description in args.groups.items()}

        self.identity_provider = self._federate(name, args.federation) if args.federation else None
        providers = ["COGNITO", *([args.federation.name] if args.federation else [])]
        hosted_ui = bool(domain_prefix)
        minutes = args.access_token_minutes
        self.client = aws.cognito.UserPoolClient(
            f"{name}-client",
            user_pool_id=self.pool.id,
            generate_secret=False,
            explicit_auth_flows=list(EXPLICIT_AUTH_FLOWS),
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            access_token_validity=minutes,
            id_token_validity=minutes,
            refresh_token_validity=args.refresh_token_days,
            token_validity_units={"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"},
            supported_identity_providers=providers,
            allowed_oauth_flows_user_pool_client=hosted_ui,
            allowed_oauth_flows=["code"] if hosted_ui else None,
            allowed_oauth_scopes=["openid", "email", "profile"] if hosted_ui else None,
            callback_urls=list(args.callback_urls) if hosted_ui and args.callback_urls else None,
            logout_urls=list(args.logout_urls) if hosted_ui and args.logout_urls else None,
            # A client may name a provider only once it exists.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.identity_provider] if self.identity_provider
                                        else None))

        self.domain: aws.cognito.UserPoolDomain | None = None
        self.hosted_ui_url: pulumi.Output[str] | None = None
        if hosted_ui:
            # A pool holds one domain: a new prefix must replace the old one delete-first, or Cognito
            # refuses the new domain ("User pool already has a domain configured").
            self.domain = aws.cognito.UserPoolDomain(
                f"{name}-domain", domain=domain_prefix, user_pool_id=self.pool.id,
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True))
            self.hosted_ui_url = pulumi.Output.concat("https://", domain_prefix, ".auth.", args.region,
                                                      ".amazoncognito.com")

        self.user_pool_id = self.pool.id
        self.self_sign_up = args.self_sign_up
        self.arn = self.pool.arn
        self.client_id = self.client.id
        self.endpoint = self.pool.endpoint
        self.region = pulumi.Output.from_input(args.region)
        self.issuer_url = pulumi.Output.concat("https://cognito-idp.", args.region, ".amazonaws.com/", self.pool.id)
        self.jwks_url = self.issuer_url.apply(lambda issuer: f"{issuer}/.well-known/jwks.json")
        # What a browser client needs to sign in (the runtime config's "auth" block).
        self.sign_in_endpoint = pulumi.Output.concat("https://cognito-idp.", args.region, ".amazonaws.com/")
        outputs = {"user_pool_id": self.user_pool_id, "arn": self.arn, "client_id": self.client_id,
                   "issuer_url": self.issuer_url, "jwks_url": self.jwks_url, "endpoint": self.endpoint}
        if self.hosted_ui_url is not None:
            outputs["hosted_ui_url"] = self.hosted_ui_url
        self.register_outputs(outputs)

    def _federate(self, name: str, federation: Federation) -> aws.cognito.IdentityProvider:
        if federation.kind == "oidc":
            secret = aws.secretsmanager.get_secret_version_output(
                secret_id=federation.client_secret_arn, opts=pulumi.InvokeOutputOptions(parent=self))
            details: dict = {"client_id": federation.client_id, "client_secret": pulumi.Output.secret(
                secret.secret_string), "authorize_scopes": federation.scopes, "oidc_issuer": federation.issuer,
                "attributes_request_method": "GET"}
        else:
            details = {"MetadataURL": federation.metadata_url}
        # Its name is the one the hosted UI shows and the client lists, unique in the pool: a new
        # provider type under the same name replaces it delete-first.
        return aws.cognito.IdentityProvider(
            f"{name}-{federation.name.lower()}", user_pool_id=self.pool.id, provider_name=federation.name,
            provider_type=federation.kind.upper(), provider_details=details,
            attribute_mapping=dict(federation.attribute_mapping),
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True))

    @property
    def authorizer_provider_arns(self) -> list[pulumi.Output[str]]:
        """``provider_arns`` of an API Gateway COGNITO_USER_POOLS authorizer."""
        return [self.arn]

    def watch(self) -> Watch:
        """Sign-ins, sign-ups and token refreshes of the app client, and their throttling."""
        return watch_edge.user_pool(self.pulumi_resource_name, self.user_pool_id, self.client_id)

    def site_auth(self) -> pulumi.Output[dict]:
        """The ``auth`` block of a site's runtime config: pool id, client id, endpoint, whether sign-up is open."""
        return pulumi.Output.all(self.user_pool_id, self.client_id, self.sign_in_endpoint).apply(
            lambda v: {"userPoolId": v[0], "clientId": v[1], "endpoint": v[2], "selfSignUp": self.self_sign_up})
