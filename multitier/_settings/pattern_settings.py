# Generated from multitier/_settings/model.py by `python -m multitier._settings.generate`;
# tests/unit/test_config.py fails when the two disagree.
"""The settings a pattern reads, as typed and documented fields: ``PatternSettings``, with an enum for each
choice. Generated from the model, so that Pulumi's analyzer reads a type and a description for each
(the component provider's schema); the model checks them (``PatternSettings.validated``).
"""

from dataclasses import dataclass
from enum import Enum

from multitier._settings.loader import SettingsInputs

__all__ = [
    "ApiCacheSizeGb",
    "ApiEndpointType",
    "ApiLoggingLevel",
    "CacheEngine",
    "CacheMode",
    "FederationProvider",
    "IdentityAdvancedSecurity",
    "IdentityMfa",
    "LambdaArchitecture",
    "NetworkNat",
    "PatternSettings",
    "ReleaseFunctions",
    "SiteHosting",
    "SitePriceClass",
]


class LambdaArchitecture(str, Enum):
    """CPU architecture of every function and of the dependency layer."""

    ARM64 = "arm64"
    """``arm64``"""
    X86_64 = "x86_64"
    """``x86_64``"""


class ApiEndpointType(str, Enum):
    """Endpoint type of each REST API."""

    REGIONAL = "REGIONAL"
    """``REGIONAL``"""
    EDGE = "EDGE"
    """``EDGE``"""
    PRIVATE = "PRIVATE"
    """``PRIVATE``"""


class ApiLoggingLevel(str, Enum):
    """Execution logging level of every method."""

    INFO = "INFO"
    """``INFO``"""
    ERROR = "ERROR"
    """``ERROR``"""
    OFF = "OFF"
    """``OFF``"""


class ApiCacheSizeGb(str, Enum):
    """Size of the stage cache, in GB."""

    GB_0_5 = "0.5"
    """``0.5``"""
    GB_1_6 = "1.6"
    """``1.6``"""
    GB_6_1 = "6.1"
    """``6.1``"""
    GB_13_5 = "13.5"
    """``13.5``"""
    GB_28_4 = "28.4"
    """``28.4``"""
    GB_58_2 = "58.2"
    """``58.2``"""
    GB_118 = "118"
    """``118``"""
    GB_237 = "237"
    """``237``"""


class CacheMode(str, Enum):
    """ElastiCache Serverless or a replication group."""

    SERVERLESS = "serverless"
    """``serverless``"""
    CLUSTER = "cluster"
    """``cluster``"""


class CacheEngine(str, Enum):
    """Cache engine."""

    VALKEY = "valkey"
    """``valkey``"""
    REDIS = "redis"
    """``redis``"""


class NetworkNat(str, Enum):
    """NAT gateways (none: endpoints only)."""

    NONE = "none"
    """``none``"""
    SINGLE = "single"
    """``single``"""
    ONE_PER_AZ = "one_per_az"
    """``one_per_az``"""


class IdentityMfa(str, Enum):
    """Multi-factor authentication of the user pool."""

    OFF = "off"
    """``off``"""
    OPTIONAL = "optional"
    """``optional``"""
    ON = "on"
    """``on``"""


class IdentityAdvancedSecurity(str, Enum):
    """Cognito threat protection mode (needs the Plus tier when not off)."""

    OFF = "off"
    """``off``"""
    AUDIT = "audit"
    """``audit``"""
    ENFORCED = "enforced"
    """``enforced``"""


class FederationProvider(str, Enum):
    """A third-party identity provider federated into every user pool (the hosted UI is then required)."""

    NONE = "none"
    """``none``"""
    OIDC = "oidc"
    """``oidc``"""
    SAML = "saml"
    """``saml``"""


class SiteHosting(str, Enum):
    """Hosting of the web app pattern's front end: Amplify Hosting (the whitepaper's) or S3 + CloudFront."""

    AMPLIFY = "amplify"
    """``amplify``"""
    CLOUDFRONT = "cloudfront"
    """``cloudfront``"""


class SitePriceClass(str, Enum):
    """CloudFront price class."""

    PRICECLASS_100 = "PriceClass_100"
    """``PriceClass_100``"""
    PRICECLASS_200 = "PriceClass_200"
    """``PriceClass_200``"""
    PRICECLASS_ALL = "PriceClass_All"
    """``PriceClass_All``"""


class ReleaseFunctions(str, Enum):
    """How a new version of each function behind an API reaches its live alias, through CodeDeploy: AllAtOnce, or one of its predefined canary or linear configurations (Canary10Percent5Minutes, Linear10PercentEvery1Minute, ...), rolled back when its alarms go off."""

    ALLATONCE = "AllAtOnce"
    """``AllAtOnce``"""
    CANARY10PERCENT5MINUTES = "Canary10Percent5Minutes"
    """``Canary10Percent5Minutes``"""
    CANARY10PERCENT10MINUTES = "Canary10Percent10Minutes"
    """``Canary10Percent10Minutes``"""
    CANARY10PERCENT15MINUTES = "Canary10Percent15Minutes"
    """``Canary10Percent15Minutes``"""
    CANARY10PERCENT30MINUTES = "Canary10Percent30Minutes"
    """``Canary10Percent30Minutes``"""
    LINEAR10PERCENTEVERY1MINUTE = "Linear10PercentEvery1Minute"
    """``Linear10PercentEvery1Minute``"""
    LINEAR10PERCENTEVERY2MINUTES = "Linear10PercentEvery2Minutes"
    """``Linear10PercentEvery2Minutes``"""
    LINEAR10PERCENTEVERY3MINUTES = "Linear10PercentEvery3Minutes"
    """``Linear10PercentEvery3Minutes``"""
    LINEAR10PERCENTEVERY10MINUTES = "Linear10PercentEvery10Minutes"
    """``Linear10PercentEvery10Minutes``"""


@dataclass(frozen=True)
class PatternSettings(SettingsInputs):
    """The stack settings a pattern reads, each named after its key (``lambda_memory_mb`` is
    ``multitier:lambdaMemoryMb``); unset (None), the default: the secure choice. Checked together when the
    pattern is created: a wrong value stops it, naming the key, the value and what is allowed."""

    lambda_architecture: LambdaArchitecture | None = None
    """CPU architecture of every function and of the dependency layer. Default: arm64."""

    lambda_memory_mb: int | None = None
    """Memory of each function, in MB. Default: 256."""

    lambda_timeout_seconds: int | None = None
    """Timeout of each function behind an API, in seconds (API Gateway stops waiting at 29 s). Default: 10."""

    lambda_log_retention_days: int | None = None
    """Retention of each function's log group, in days. Default: 14."""

    lambda_tracing: bool | None = None
    """X-Ray active tracing on every function. Default: True."""

    api_stage_name: str | None = None
    """Name of each REST API's stage. Default: live."""

    api_endpoint_type: ApiEndpointType | None = None
    """Endpoint type of each REST API. Default: REGIONAL."""

    api_private_vpc_endpoint_ids: list[str] | None = None
    """VPC endpoint ids allowed to call a PRIVATE API. Default: (empty)."""

    api_throttle_rate: float | None = None
    """Steady-state requests per second allowed on every method. Default: 100.0."""

    api_throttle_burst: int | None = None
    """Burst of requests allowed on every method. Default: 200."""

    api_logging_level: ApiLoggingLevel | None = None
    """Execution logging level of every method. Default: INFO."""

    api_access_log_retention_days: int | None = None
    """Retention of each stage's access-log group, in days. Default: 14."""

    api_cache_enabled: bool | None = None
    """Provision a stage cache and cache GET methods. Default: False."""

    api_cache_size_gb: ApiCacheSizeGb | None = None
    """Size of the stage cache, in GB. Default: 0.5."""

    api_cache_ttl_seconds: int | None = None
    """Time to live of cached responses, in seconds. Default: 60."""

    api_cors_origins: list[str] | None = None
    """Origins allowed by CORS (preflight and gateway responses). Default: *."""

    api_waf: bool | None = None
    """Attach a WAFv2 web ACL (managed rules + rate rule) to each stage. Default: False."""

    api_waf_rate_limit: int | None = None
    """Requests per 5 minutes per IP before the WAF rate rule blocks. Default: 2000."""

    api_canary_percent: float | None = None
    """Share of traffic sent to the canary deployment (0 = no canary). Default: 0.0."""

    api_usage_plan: bool | None = None
    """Require an API key (usage plan with quota and throttle) on every route, besides its authorizer; for machine clients. Default: False."""

    api_usage_quota_per_day: int | None = None
    """Requests per day per API key in the usage plan. Default: 10000."""

    data_point_in_time_recovery: bool | None = None
    """DynamoDB point-in-time recovery. Default: True."""

    data_deletion_protection: bool | None = None
    """Deletion protection of what holds data (tables, databases, buckets, file systems, the alarm key): AWS's own where it has one, and Pulumi's protect, so a delete or a replacement stops at the preview. Default: True."""

    data_bucket_versioning: bool | None = None
    """S3 versioning on data and site buckets. Default: True."""

    data_noncurrent_version_days: int | None = None
    """Days before noncurrent object versions expire. Default: 30."""

    data_force_destroy: bool | None = None
    """Let `pulumi destroy` empty and delete buckets (dev only). Default: False."""

    data_bucket_access_logs: bool | None = None
    """S3 server access logs of every data and site bucket, each to a log bucket of its own (kept 90 days). Default: False."""

    database_min_capacity: float | None = None
    """Aurora Serverless v2 minimum ACUs (0 lets the cluster pause). Default: 0.5."""

    database_max_capacity: float | None = None
    """Aurora Serverless v2 maximum ACUs. Default: 4."""

    database_seconds_until_auto_pause: int | None = None
    """Idle seconds before a cluster with 0 minimum ACUs pauses. Default: 3600."""

    database_backup_retention_days: int | None = None
    """Days of automated backups. Default: 7."""

    database_skip_final_snapshot: bool | None = None
    """Destroy without a final snapshot (dev only). Default: False."""

    database_proxy: bool | None = None
    """Put an RDS Proxy between the functions and the cluster. Default: False."""

    database_engine_version: str | None = None
    """Aurora PostgreSQL engine version. Default: 16.4."""

    cache_mode: CacheMode | None = None
    """ElastiCache Serverless or a replication group. Default: serverless."""

    cache_engine: CacheEngine | None = None
    """Cache engine. Default: valkey."""

    cache_node_type: str | None = None
    """Node type of a replication group. Default: cache.t4g.micro."""

    cache_replicas: int | None = None
    """Read replicas of a replication group (0 = single node). Default: 1."""

    cache_max_storage_gb: int | None = None
    """Data storage limit of a serverless cache, in GB. Default: 1."""

    cache_ttl_seconds: int | None = None
    """Time to live of cached reads, in seconds. Default: 30."""

    efs_backups: bool | None = None
    """AWS Backup's daily plan for the EFS file systems (the mobile backend's ticket documents). Default: True."""

    efs_transition_to_ia_days: int | None = None
    """Days without a read before an EFS file moves to Infrequent Access (back on its next read). Default: 30."""

    network_cidr: str | None = None
    """CIDR block of the VPC. Default: 10.20.0.0/16."""

    network_az_count: int | None = None
    """Availability zones used by the VPC. Default: 2."""

    network_nat: NetworkNat | None = None
    """NAT gateways (none: endpoints only). Default: none."""

    network_flow_log_retention_days: int | None = None
    """Retention of the VPC flow-log group, in days. Default: 14."""

    identity_mfa: IdentityMfa | None = None
    """Multi-factor authentication of the user pool. Default: optional."""

    identity_advanced_security: IdentityAdvancedSecurity | None = None
    """Cognito threat protection mode (needs the Plus tier when not off). Default: off."""

    identity_domain_prefix: str | None = None
    """Hosted-UI domain prefix (global across AWS); the stack and pattern are appended. Empty: no hosted UI. Default: (empty)."""

    identity_access_token_minutes: int | None = None
    """Access and ID token lifetime, in minutes. Default: 60."""

    identity_refresh_token_days: int | None = None
    """Refresh token lifetime, in days. Default: 30."""

    identity_protect: bool | None = None
    """Protect the user pool from deletion by Pulumi. Default: True."""

    identity_callback_urls: list[str] | None = None
    """OAuth callback URLs of the app client (hosted UI). Default: (empty)."""

    identity_self_sign_up: bool | None = None
    """Let anyone create an account (Cognito self sign-up with an e-mailed confirmation code); the sites then offer it. Default: False."""

    federation_provider: FederationProvider | None = None
    """A third-party identity provider federated into every user pool (the hosted UI is then required). Default: none."""

    federation_name: str | None = None
    """The provider's name in Cognito and on the hosted UI (1-32 letters, digits, '.', '_', '-'). Default: (empty)."""

    federation_issuer: str | None = None
    """OIDC: the issuer URL (https). Default: (empty)."""

    federation_client_id: str | None = None
    """OIDC: the client id Cognito uses at the provider. Default: (empty)."""

    federation_client_secret_arn: str | None = None
    """OIDC: ARN of the Secrets Manager secret holding the client secret (read at deploy time; never the secret itself). Default: (empty)."""

    federation_scopes: str | None = None
    """OIDC: the scopes Cognito requests, space-separated. Default: openid email profile."""

    federation_metadata_url: str | None = None
    """SAML: the provider's metadata URL (https). Default: (empty)."""

    federation_attribute_mapping: list[str] | None = None
    """User pool attribute = provider attribute (OIDC claim or SAML attribute); email is required. Default: email=email."""

    oidc_issuer: str | None = None
    """Third-party OIDC issuer for the single-page app's Lambda authorizer (empty: the pattern's own user pool). Default: (empty)."""

    oidc_audience: str | None = None
    """Expected audience (client id) of third-party tokens. Default: (empty)."""

    oidc_jwks_url: str | None = None
    """JWKS URL of the third-party issuer. Default: (empty)."""

    oidc_authorizer_ttl_seconds: int | None = None
    """Time API Gateway caches a Lambda authorizer's result. Default: 300."""

    site_hosting: SiteHosting | None = None
    """Hosting of the web app pattern's front end: Amplify Hosting (the whitepaper's) or S3 + CloudFront. Default: amplify."""

    site_waf: bool | None = None
    """Attach a CLOUDFRONT-scope WAF web ACL (created in us-east-1) to each site: CloudFront distributions and Amplify apps. Default: False."""

    site_access_logs: bool | None = None
    """CloudFront standard logging to a log bucket. Default: False."""

    site_price_class: SitePriceClass | None = None
    """CloudFront price class. Default: PriceClass_100."""

    domain_name: str | None = None
    """Base domain (e.g. example.com). Empty: AWS-generated names only. Default: (empty)."""

    domain_hosted_zone_id: str | None = None
    """Route 53 hosted zone of the domain. Default: (empty)."""

    domain_api_certificate_arn: str | None = None
    """Regional ACM certificate for the API domain (created and DNS-validated when empty). Default: (empty)."""

    domain_mtls_truststore_uri: str | None = None
    """s3:// URI of a PEM truststore to require mutual TLS on the API domain. Default: (empty)."""

    alarms_latency_p99_ms: int | None = None
    """API p99 latency alarm threshold, in ms. Default: 3000."""

    release_functions: ReleaseFunctions | None = None
    """How a new version of each function behind an API reaches its live alias, through CodeDeploy: AllAtOnce, or one of its predefined canary or linear configurations (Canary10Percent5Minutes, Linear10PercentEvery1Minute, ...), rolled back when its alarms go off. Default: Canary10Percent5Minutes."""

    release_services: list[str] | None = None
    """Per-service choice instead of releaseFunctions, as service=configuration (e.g. tickets=Linear10PercentEvery1Minute). Default: (empty)."""

    release_api_bake_minutes: int | None = None
    """Minutes a new API deployment serves the stage canary's share (apiCanaryPercent) before it is promoted, its alarms OK, or removed on an alarm (at least the alarms' 5-minute window). Default: 10."""

    release_hooks: bool | None = None
    """Before and after a new function version takes traffic, a check invokes it with a request of its own routes (CodeDeploy's BeforeAllowTraffic and AfterAllowTraffic hooks); a 5xx or a crash rolls the release back. Default: True."""
