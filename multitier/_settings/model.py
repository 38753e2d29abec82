"""The typed stack settings: one pydantic model, validated once, before any resource.

Pulumi stack files hold flat keys in the ``multitier`` namespace, named
``<section><Field>`` in camelCase (``multitier:apiThrottleRate`` is
``settings.api.throttle_rate``); top-level fields keep their own name
(``multitier:patterns``). Flat scalar keys let ``Pulumi.yaml`` declare every
setting with a type, a description and a default, which the CLI checks too.
``config_keys()`` is that flat view; ``loader.py`` reads it, ``generate.py``
writes ``Pulumi.yaml`` and the README table from it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from multitier._release.shift import LAMBDA_CONFIGS

NAMESPACE = "multitier"

PATTERNS = ("mobile_backend", "single_page_app", "web_app", "microservices")

# CloudWatch Logs accepts only these retention periods.
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
                  1096, 1827, 2192, 2557, 2922, 3288, 3653)

# EFS moves files to Infrequent Access after one of these periods without a read.
EFS_TRANSITION_DAYS = (1, 7, 14, 30, 60, 90, 180, 270, 365)

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https://[^\s/]+(/\S*)?$")
_STAGE = re.compile(r"^[A-Za-z0-9_]{1,128}$")
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$")
_PROVIDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
# Cognito keeps these provider names for its own and the social providers.
_RESERVED_PROVIDERS = ("cognito", "google", "facebook", "loginwithamazon", "signinwithapple")


def _matches(pattern: re.Pattern[str], allowed: str):
    def check(value: str) -> str:
        if value and not pattern.match(value):
            raise ValueError(f"must be {allowed}")
        return value
    return check


def _retention(value: int) -> int:
    if value not in RETENTION_DAYS:
        raise ValueError(f"must be one of CloudWatch's retention periods {list(RETENTION_DAYS)}")
    return value


def _efs_transition(value: int) -> int:
    if value not in EFS_TRANSITION_DAYS:
        raise ValueError(f"must be one of EFS's lifecycle periods {list(EFS_TRANSITION_DAYS)}")
    return value


Domain = Annotated[str, AfterValidator(_matches(_DOMAIN, "a lower-case DNS name such as api.example.com"))]
ZoneId = Annotated[str, AfterValidator(_matches(_ZONE_ID, "a Route 53 hosted zone id such as Z0123456789ABC"))]
CertificateArn = Annotated[str, AfterValidator(_matches(_ACM_ARN, "an ACM certificate ARN"))]
Email = Annotated[str, AfterValidator(_matches(_EMAIL, "an e-mail address"))]
HttpsUrl = Annotated[str, AfterValidator(_matches(_URL, "an https:// URL"))]
StageName = Annotated[str, AfterValidator(_matches(_STAGE, "letters, digits and underscores (1-128)"))]
Retention = Annotated[int, AfterValidator(_retention)]
EfsTransition = Annotated[int, AfterValidator(_efs_transition)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LambdaSettings(_Section):
    architecture: Literal["arm64", "x86_64"] = Field("arm64", description="CPU architecture of every function and of the dependency layer.")
    memory_mb: int = Field(256, ge=128, le=10240, description="Memory of each function, in MB.")
    timeout_seconds: int = Field(10, ge=1, le=28, description="Timeout of each function behind an API, in seconds (API Gateway stops waiting at 29 s).")
    log_retention_days: Retention = Field(14, description="Retention of each function's log group, in days.")
    tracing: bool = Field(True, description="X-Ray active tracing on every function.")


class ApiSettings(_Section):
    stage_name: StageName = Field("live", description="Name of each REST API's stage.")
    endpoint_type: Literal["REGIONAL", "EDGE", "PRIVATE"] = Field("REGIONAL", description="Endpoint type of each REST API.")
    private_vpc_endpoint_ids: list[str] = Field(default_factory=list, description="VPC endpoint ids allowed to call a PRIVATE API.")
    throttle_rate: float = Field(100.0, gt=0, le=10000, description="Steady-state requests per second allowed on every method.")
    throttle_burst: int = Field(200, gt=0, le=5000, description="Burst of requests allowed on every method.")
    logging_level: Literal["INFO", "ERROR", "OFF"] = Field("INFO", description="Execution logging level of every method.")
    access_log_retention_days: Retention = Field(14, description="Retention of each stage's access-log group, in days.")
    cache_enabled: bool = Field(False, description="Provision a stage cache and cache GET methods.")
    cache_size_gb: Literal["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"] = Field("0.5", description="Size of the stage cache, in GB.")
    cache_ttl_seconds: int = Field(60, ge=0, le=3600, description="Time to live of cached responses, in seconds.")
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="Origins allowed by CORS (preflight and gateway responses).")
    waf: bool = Field(False, description="Attach a WAFv2 web ACL (managed rules + rate rule) to each stage.")
    waf_rate_limit: int = Field(2000, ge=10, le=2_000_000_000, description="Requests per 5 minutes per IP before the WAF rate rule blocks.")
    canary_percent: float = Field(0.0, ge=0, le=100, description="Share of traffic sent to the canary deployment (0 = no canary).")
    account_role: Literal["manage", "external"] = Field("manage", description="Who sets the region's API Gateway CloudWatch role that stage logging needs: manage (this stack creates a role and sets it once, both kept after destroy) or external (someone else set it).")
    usage_plan: bool = Field(False, description="Require an API key (usage plan with quota and throttle) on every route, besides its authorizer; for machine clients.")
    usage_quota_per_day: int = Field(10000, ge=1, description="Requests per day per API key in the usage plan.")


class DataSettings(_Section):
    point_in_time_recovery: bool = Field(True, description="DynamoDB point-in-time recovery.")
    deletion_protection: bool = Field(True, description="Deletion protection of what holds data (tables, databases, buckets, file systems, the alarm key): AWS's own where it has one, and Pulumi's protect, so a delete or a replacement stops at the preview.")
    bucket_versioning: bool = Field(True, description="S3 versioning on data and site buckets.")
    noncurrent_version_days: int = Field(30, ge=1, le=3650, description="Days before noncurrent object versions expire.")
    force_destroy: bool = Field(False, description="Let `pulumi destroy` empty and delete buckets (dev only).")
    bucket_access_logs: bool = Field(False, description="S3 server access logs of every data and site bucket, each to a log bucket of its own (kept 90 days).")


class DatabaseSettings(_Section):
    min_capacity: float = Field(0.5, ge=0, le=256, description="Aurora Serverless v2 minimum ACUs (0 lets the cluster pause).")
    max_capacity: float = Field(4, ge=1, le=256, description="Aurora Serverless v2 maximum ACUs.")
    seconds_until_auto_pause: int = Field(3600, ge=300, le=86400, description="Idle seconds before a cluster with 0 minimum ACUs pauses.")
    backup_retention_days: int = Field(7, ge=1, le=35, description="Days of automated backups.")
    skip_final_snapshot: bool = Field(False, description="Destroy without a final snapshot (dev only).")
    proxy: bool = Field(False, description="Put an RDS Proxy between the functions and the cluster.")
    engine_version: str = Field("16.4", description="Aurora PostgreSQL engine version.")

    @model_validator(mode="after")
    def _capacity_order(self) -> "DatabaseSettings":
        if self.min_capacity > self.max_capacity:
            raise ValueError(f"databaseMinCapacity ({self.min_capacity}) must not exceed databaseMaxCapacity ({self.max_capacity})")
        return self


class CacheSettings(_Section):
    mode: Literal["serverless", "cluster"] = Field("serverless", description="ElastiCache Serverless or a replication group.")
    engine: Literal["valkey", "redis"] = Field("valkey", description="Cache engine.")
    node_type: str = Field("cache.t4g.micro", description="Node type of a replication group.")
    replicas: int = Field(1, ge=0, le=5, description="Read replicas of a replication group (0 = single node).")
    max_storage_gb: int = Field(1, ge=1, le=5000, description="Data storage limit of a serverless cache, in GB.")
    ttl_seconds: int = Field(30, ge=1, le=3600, description="Time to live of cached reads, in seconds.")


class EfsSettings(_Section):
    backups: bool = Field(True, description="AWS Backup's daily plan for the EFS file systems (the mobile backend's ticket documents).")
    transition_to_ia_days: EfsTransition = Field(30, description="Days without a read before an EFS file moves to Infrequent Access (back on its next read).")


class NetworkSettings(_Section):
    cidr: str = Field("10.20.0.0/16", description="CIDR block of the VPC.")
    az_count: int = Field(2, ge=1, le=3, description="Availability zones used by the VPC.")
    nat: Literal["none", "single", "one_per_az"] = Field("none", description="NAT gateways (none: endpoints only).")
    flow_log_retention_days: Retention = Field(14, description="Retention of the VPC flow-log group, in days.")


class IdentitySettings(_Section):
    mfa: Literal["off", "optional", "on"] = Field("optional", description="Multi-factor authentication of the user pool.")
    advanced_security: Literal["off", "audit", "enforced"] = Field("off", description="Cognito threat protection mode (needs the Plus tier when not off).")
    domain_prefix: str = Field("", description="Hosted-UI domain prefix (global across AWS); the stack and pattern are appended. Empty: no hosted UI.")
    access_token_minutes: int = Field(60, ge=5, le=1440, description="Access and ID token lifetime, in minutes.")
    refresh_token_days: int = Field(30, ge=1, le=3650, description="Refresh token lifetime, in days.")
    protect: bool = Field(True, description="Protect the user pool from deletion by Pulumi.")
    callback_urls: list[str] = Field(default_factory=list, description="OAuth callback URLs of the app client (hosted UI).")
    self_sign_up: bool = Field(False, description="Let anyone create an account (Cognito self sign-up with an e-mailed confirmation code); the sites then offer it.")

    @model_validator(mode="after")
    def _hosted_ui_needs_callbacks(self) -> "IdentitySettings":
        if self.domain_prefix and not self.callback_urls:
            raise ValueError(f"identityDomainPrefix {self.domain_prefix!r} (the hosted UI) needs identityCallbackUrls "
                             f"for the authorization-code flow")
        return self


class FederationSettings(_Section):
    provider: Literal["none", "oidc", "saml"] = Field("none", description="A third-party identity provider federated into every user pool (the hosted UI is then required).")
    name: str = Field("", description="The provider's name in Cognito and on the hosted UI (1-32 letters, digits, '.', '_', '-').")
    issuer: str = Field("", description="OIDC: the issuer URL (https).")
    client_id: str = Field("", description="OIDC: the client id Cognito uses at the provider.")
    client_secret_arn: str = Field("", description="OIDC: ARN of the Secrets Manager secret holding the client secret (read at deploy time; never the secret itself).")
    scopes: str = Field("openid email profile", description="OIDC: the scopes Cognito requests, space-separated.")
    metadata_url: str = Field("", description="SAML: the provider's metadata URL (https).")
    attribute_mapping: list[str] = Field(default_factory=lambda: ["email=email"], description="User pool attribute = provider attribute (OIDC claim or SAML attribute); email is required.")

    @model_validator(mode="after")
    def _complete_for_its_kind(self) -> "FederationSettings":
        key = lambda field: key_of("federation", field)  # noqa: E731
        wanted = {"none": (), "oidc": ("name", "issuer", "client_id", "client_secret_arn"),
                  "saml": ("name", "metadata_url")}[self.provider]
        named = ("name", "issuer", "client_id", "client_secret_arn", "metadata_url")
        missing = [key(f) for f in wanted if not getattr(self, f)]
        stray = [key(f) for f in named if f not in wanted and getattr(self, f)]
        if missing:
            raise ValueError(f"federationProvider {self.provider} needs {', '.join(missing)}")
        if stray:
            raise ValueError(f"{', '.join(stray)} {'is' if len(stray) == 1 else 'are'} not used with "
                             f"federationProvider {self.provider}")
        if self.provider == "none":
            return self
        if not _PROVIDER_NAME.match(self.name) or self.name.lower() in _RESERVED_PROVIDERS:
            raise ValueError(f"federationName {self.name!r} must be 1-32 letters, digits, '.', '_' or '-', and not "
                             f"one of Cognito's own ({', '.join(_RESERVED_PROVIDERS)})")
        for field in ("issuer", "metadata_url"):
            value = getattr(self, field)
            if value and not _URL.match(value):
                raise ValueError(f"{key(field)} {value!r} must be an https:// URL")
        if self.client_secret_arn and not _SECRET_ARN.match(self.client_secret_arn):
            raise ValueError(f"federationClientSecretArn {self.client_secret_arn!r} must be a Secrets Manager secret "
                             f"ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>); the secret itself "
                             f"never goes in the stack's config")
        pairs = [item.partition("=") for item in self.attribute_mapping]
        if any(not a or not sep or not b for a, sep, b in pairs):
            raise ValueError(f"federationAttributeMapping {self.attribute_mapping} must list poolAttribute=providerAttribute")
        if "email" not in {a for a, _, _ in pairs}:
            raise ValueError("federationAttributeMapping must map email (users sign in with their e-mail address)")
        return self

    def mapping(self) -> dict[str, str]:
        return dict(item.split("=", 1) for item in self.attribute_mapping)


class OidcSettings(_Section):
    issuer: str = Field("", description="Third-party OIDC issuer for the single-page app's Lambda authorizer (empty: the pattern's own user pool).")
    audience: str = Field("", description="Expected audience (client id) of third-party tokens.")
    jwks_url: str = Field("", description="JWKS URL of the third-party issuer.")
    authorizer_ttl_seconds: int = Field(300, ge=0, le=3600, description="Time API Gateway caches a Lambda authorizer's result.")

    @model_validator(mode="after")
    def _all_or_none(self) -> "OidcSettings":
        given = {k: bool(getattr(self, k)) for k in ("issuer", "audience", "jwks_url")}
        if any(given.values()) and not all(given.values()):
            missing = ", ".join(key_of("oidc", k) for k, v in given.items() if not v)
            raise ValueError(f"an external OIDC issuer needs issuer, audience and jwksUrl together; missing: {missing}")
        for key in ("issuer", "jwks_url"):
            value = getattr(self, key)
            if value and not _URL.match(value):
                raise ValueError(f"{key_of('oidc', key)} {value!r} must be an https:// URL")
        return self


class SiteSettings(_Section):
    hosting: Literal["amplify", "cloudfront"] = Field("amplify", description="Hosting of the web app pattern's front end: Amplify Hosting (the whitepaper's) or S3 + CloudFront.")
    waf: bool = Field(False, description="Attach a CLOUDFRONT-scope WAF web ACL (created in us-east-1) to each site: CloudFront distributions and Amplify apps.")
    access_logs: bool = Field(False, description="CloudFront standard logging to a log bucket.")
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field("PriceClass_100", description="CloudFront price class.")


class DomainSettings(_Section):
    name: Domain = Field("", description="Base domain (e.g. example.com). Empty: AWS-generated names only.")
    hosted_zone_id: ZoneId = Field("", description="Route 53 hosted zone of the domain.")
    api_certificate_arn: CertificateArn = Field("", description="Regional ACM certificate for the API domain (created and DNS-validated when empty).")
    mtls_truststore_uri: str = Field("", description="s3:// URI of a PEM truststore to require mutual TLS on the API domain.")

    @model_validator(mode="after")
    def _zone_with_name(self) -> "DomainSettings":
        if self.name and not self.hosted_zone_id:
            raise ValueError(f"domainName {self.name!r} needs domainHostedZoneId (the Route 53 zone that serves it)")
        if self.mtls_truststore_uri and not self.mtls_truststore_uri.startswith("s3://"):
            raise ValueError(f"domainMtlsTruststoreUri {self.mtls_truststore_uri!r} must be an s3:// URI")
        return self


class AlarmSettings(_Section):
    enabled: bool = Field(False, description="CloudWatch alarms the components declare (function errors, throttles and p99 duration; API 5XX rate and p99 latency; DynamoDB throttles), notifying an SNS topic, and drawn on the dashboards.")
    email: Email = Field("", description="E-mail subscribed to the alarm topic (empty: topic only).")
    latency_p99_ms: int = Field(3000, ge=100, le=29000, description="API p99 latency alarm threshold, in ms.")


class DashboardSettings(_Section):
    enabled: bool = Field(True, description="A CloudWatch dashboard per pattern and an overview of the stack ($3 a month each beyond the account's first three).")


class ReleaseSettings(_Section):
    functions: Literal[LAMBDA_CONFIGS] = Field("Canary10Percent5Minutes", description="How a new version of each function behind an API reaches its live alias, through CodeDeploy: AllAtOnce, or one of its predefined canary or linear configurations (Canary10Percent5Minutes, Linear10PercentEvery1Minute, ...), rolled back when its alarms go off.")
    services: list[str] = Field(default_factory=list, description="Per-service choice instead of releaseFunctions, as service=configuration (e.g. tickets=Linear10PercentEvery1Minute).")
    api_bake_minutes: int = Field(10, ge=5, le=1440, description="Minutes a new API deployment serves the stage canary's share (apiCanaryPercent) before it is promoted, its alarms OK, or removed on an alarm (at least the alarms' 5-minute window).")
    hooks: bool = Field(True, description="Before and after a new function version takes traffic, a check invokes it with a request of its own routes (CodeDeploy's BeforeAllowTraffic and AfterAllowTraffic hooks); a 5xx or a crash rolls the release back.")

    @model_validator(mode="after")
    def _service_overrides(self) -> "ReleaseSettings":
        seen = set()
        for item in self.services:
            service, sep, config = item.partition("=")
            if not sep or not service or config not in LAMBDA_CONFIGS:
                raise ValueError(f"releaseServices entry {item!r} must be service=configuration, the configuration "
                                 f"one of {', '.join(LAMBDA_CONFIGS)}")
            if service in seen:
                raise ValueError(f"releaseServices names {service} twice")
            seen.add(service)
        return self

    def of(self, service: str) -> str:
        """The configuration that releases ``service``'s functions."""
        return dict(item.split("=", 1) for item in self.services).get(service, self.functions)


class Settings(_Section):
    """Everything a stack can set. Defaults are the secure (prod-like) choice."""

    patterns: list[Literal["mobile_backend", "single_page_app", "web_app", "microservices"]] = Field(
        default_factory=lambda: list(PATTERNS), description="Whitepaper patterns to deploy.")
    lambda_: LambdaSettings = Field(default_factory=LambdaSettings, alias="lambda")
    api: ApiSettings = Field(default_factory=ApiSettings)
    data: DataSettings = Field(default_factory=DataSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    efs: EfsSettings = Field(default_factory=EfsSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    federation: FederationSettings = Field(default_factory=FederationSettings)
    oidc: OidcSettings = Field(default_factory=OidcSettings)
    site: SiteSettings = Field(default_factory=SiteSettings)
    domain: DomainSettings = Field(default_factory=DomainSettings)
    alarms: AlarmSettings = Field(default_factory=AlarmSettings)
    dashboards: DashboardSettings = Field(default_factory=DashboardSettings)
    release: ReleaseSettings = Field(default_factory=ReleaseSettings)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _cross_checks(self) -> "Settings":
        if len(set(self.patterns)) != len(self.patterns):
            raise ValueError(f"patterns {self.patterns} lists a pattern twice")
        if self.federation.provider != "none" and not self.identity.domain_prefix:
            raise ValueError(f"federationProvider {self.federation.provider} signs users in through the hosted UI: "
                             f"set identityDomainPrefix and identityCallbackUrls")
        if self.api.endpoint_type == "PRIVATE" and not self.api.private_vpc_endpoint_ids:
            raise ValueError("apiEndpointType PRIVATE needs apiPrivateVpcEndpointIds (the VPC endpoints allowed to call it)")
        return self


def camel(snake: str) -> str:
    """snake_case → camelCase (the flat key of a top-level field)."""
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def key_of(section: str, field: str) -> str:
    """The flat config key of a section's field: ("api", "throttle_rate") → apiThrottleRate."""
    name = camel(field)
    return section + name[:1].upper() + name[1:]


def sections() -> dict[str, type[_Section]]:
    """Section name as written in keys (``lambda``, ``api``, ...) → its model."""
    return {field.alias or name: field.annotation for name, field in Settings.model_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)}


def config_keys() -> dict[str, tuple[str | None, str, Any]]:
    """Every flat config key → (section, field, pydantic FieldInfo)."""
    keys: dict[str, tuple[str | None, str, Any]] = {}
    for name, field in Settings.model_fields.items():
        section = field.alias or name
        model = sections().get(section)
        if model is None:
            keys[camel(name)] = (None, name, field)
            continue
        for sub, info in model.model_fields.items():
            keys[key_of(section, sub)] = (section, sub, info)
    return keys


def value_of(settings: Settings, section: str | None, field: str) -> Any:
    """The value behind one flat key (``section`` None: a top-level field)."""
    holder = getattr(settings, "lambda_" if section == "lambda" else section) if section else settings
    return getattr(holder, field)
