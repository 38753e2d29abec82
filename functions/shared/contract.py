"""Each service's contract, declared once: the environment it reads, the dependency layers it
imports; and what local mode may seed.

Standard library only, so both sides can read this one file without importing each other:
the functions import it from inside their archive (``shared.contract``); the components and
local mode read it by path (``multitier/_declarations.py``; local mode from each function's
unpacked archive). No other file spells out a variable name or a service's name: a service
is named once, by its ``Contract`` (the folder of its code under ``functions/``), and the
program and the API declaration (``api.SERVICES``) refer to that.

Every ``Var`` says what the variable means, what fills it at deploy time (``filled_by``:
the grant or argument of the infrastructure that sets it), its default when the
infrastructure leaves it unset (``None``: required wherever its service or group is used),
and ``local``: what local mode puts there instead, because the emulators differ from AWS
(a literal, or ``{fact}`` where local mode knows the fact: ``{postgres_port}``,
``{redis_port}``, ``{cognito_jwks_url}``, ``{mounted_path}``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Var:
    """One environment variable of the contract."""

    name: str
    meaning: str
    filled_by: str
    default: str | None = None
    local: str | None = None
    # "module:function" in the service's code returning the items local mode puts into the
    # resource this variable names, when that resource is empty (seed data of the demo).
    seed: str = ""

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Contract:
    """One service: its name (the folder of its code), the variables it reads and the dependency
    groups (``functions/layers/<group>.txt``) it imports, base first. A function attaches one
    layer per group of its service's, so none carries a library it never loads (only the
    authorizer needs cryptography, only SQL needs libpq)."""

    service: str
    variables: tuple[Var, ...]
    layers: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)


# --- set by the Function component on every function ---------------------------------------
POWERTOOLS_SERVICE_NAME = Var("POWERTOOLS_SERVICE_NAME", "Service name in logs, traces and metrics", "Function")
POWERTOOLS_METRICS_NAMESPACE = Var("POWERTOOLS_METRICS_NAMESPACE", "CloudWatch namespace of the metrics", "Function")
LOG_LEVEL = Var("LOG_LEVEL", "Level of the application log", "Function", default="INFO")
CORS_ORIGIN = Var("CORS_ORIGIN", "Allowed browser origins, comma-separated (a response names the caller's)",
                  "pattern (apiCorsOrigins)", default="*")
COMMON = (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, LOG_LEVEL)

# --- Table grants ------------------------------------------------------------------------
SHOWS_TABLE = Var("SHOWS_TABLE", "DynamoDB table of shows (and their remaining seats)", "Table.grant",
                  seed="shows_seed:seed_items")
TICKETS_TABLE = Var("TICKETS_TABLE", "DynamoDB table of tickets", "Table.grant")
IDEMPOTENCY_TABLE = Var("IDEMPOTENCY_TABLE", "DynamoDB table of Powertools idempotency records", "Table.grant")
IDEMPOTENCY_TTL_SECONDS = Var("IDEMPOTENCY_TTL_SECONDS", "How long a purchase's Idempotency-Key is remembered",
                              "(default)", default="3600")

# --- FileSystem grant ------------------------------------------------------------------------
TICKET_DOCUMENTS_PATH = Var("TICKET_DOCUMENTS_PATH", "Where the file system holding ticket documents is mounted "
                            "(unset: no documents)", "FileSystem.grant", default="", local="{mounted_path}")

# --- Bucket grant and the info source --------------------------------------------------------
INFO_SOURCE = Var("INFO_SOURCE", "Where /info reads the venue: postgres or s3", "pattern")
INFO_BUCKET = Var("INFO_BUCKET", "Bucket holding <INFO_PREFIX>venue.json (INFO_SOURCE=s3)", "Bucket.grant",
                  default="")
INFO_PREFIX = Var("INFO_PREFIX", "Key prefix of the venue document in INFO_BUCKET", "pattern", default="info/")

# --- Database grant ------------------------------------------------------------------------
DB_SECRET_ARN = Var("DB_SECRET_ARN", "ARN of the RDS-managed master secret {username, password}", "Database.grant")
DB_HOST = Var("DB_HOST", "PostgreSQL host (the RDS Proxy when there is one; for migrations, the cluster's writer)",
              "Database.grant")
DB_PORT = Var("DB_PORT", "PostgreSQL port", "Database.grant", default="5432", local="{postgres_port}")
DB_NAME = Var("DB_NAME", "Database name", "Database.grant")
DB_SSLMODE = Var("DB_SSLMODE", "libpq sslmode", "(default)", default="require", local="disable")
DB_CONNECT_TIMEOUT = Var("DB_CONNECT_TIMEOUT", "Seconds to wait for one connection attempt (attempts are retried "
                         "while the invocation has time)", "(default)", default="5")
DATABASE = (DB_SECRET_ARN, DB_HOST, DB_PORT, DB_NAME, DB_SSLMODE, DB_CONNECT_TIMEOUT)

# --- Cache grant -----------------------------------------------------------------------------
CACHE_ENDPOINT = Var("CACHE_ENDPOINT", "Cache host (unset: no cache)", "Cache.grant", default="")
CACHE_PORT = Var("CACHE_PORT", "Cache port", "Cache.grant", default="6379", local="{redis_port}")
CACHE_TLS = Var("CACHE_TLS", "TLS to the cache (forced on with IAM auth)", "Cache.grant", default="false",
                local="false")
CACHE_AUTH = Var("CACHE_AUTH", "iam (ElastiCache IAM auth token) or none", "Cache.grant", default="none",
                 local="none")
CACHE_USER = Var("CACHE_USER", "ElastiCache user id (with iam): the grant's access decides which", "Cache.grant",
                 default="")
CACHE_NAME = Var("CACHE_NAME", "Serverless cache name or replication group id (with iam)", "Cache.grant",
                 default="")
CACHE_MODE = Var("CACHE_MODE", "serverless or cluster: how the IAM auth token names the cache", "Cache.grant",
                 default="serverless")
CACHE_TTL_SECONDS = Var("CACHE_TTL_SECONDS", "Time to live of cached reads", "Cache.grant", default="30")
CACHE = (CACHE_ENDPOINT, CACHE_PORT, CACHE_TLS, CACHE_AUTH, CACHE_USER, CACHE_NAME, CACHE_MODE, CACHE_TTL_SECONDS)

# --- OIDC token validation (the Lambda authorizer) --------------------------------------------
OIDC_ISSUER = Var("OIDC_ISSUER", "Expected iss of tokens", "pattern (UserPool.issuer_url or oidcIssuer)")
OIDC_AUDIENCE = Var("OIDC_AUDIENCE", "Allowed aud/client_id, comma-separated",
                    "pattern (UserPool.client_id or oidcAudience)")
OIDC_JWKS_URL = Var("OIDC_JWKS_URL", "JWKS of the issuer (https; http only for 127.0.0.1/localhost)",
                    "pattern (UserPool.jwks_url or oidcJwksUrl)", local="{cognito_jwks_url}")
OIDC_ACCEPTS = Var("OIDC_ACCEPTS", "Tokens accepted by their token_use: id (aud is the audience), access "
                   "(client_id is), both comma-separated, or any (an issuer that sets none: aud is checked)",
                   "pattern (any with oidcIssuer)", default="id")
AUTHZ_REQUIRED_GROUP = Var("AUTHZ_REQUIRED_GROUP", "Group a token must carry (unset: any valid token)",
                           "(default)", default="")
OIDC_JWKS_CACHE_SECONDS = Var("OIDC_JWKS_CACHE_SECONDS", "How long the key set is trusted", "(default)",
                              default="300")
OIDC_JWKS_COOLDOWN_SECONDS = Var("OIDC_JWKS_COOLDOWN_SECONDS", "Minimum gap between refetches for an unknown kid",
                                 "(default)", default="30")
OIDC_LEEWAY_SECONDS = Var("OIDC_LEEWAY_SECONDS", "Clock skew allowed on exp/nbf/iat", "(default)", default="30")

SHOWS = Contract("shows", (*COMMON, CORS_ORIGIN, SHOWS_TABLE, *CACHE), layers=("base", "redis"))
TICKETS = Contract("tickets", (*COMMON, CORS_ORIGIN, TICKETS_TABLE, SHOWS_TABLE, IDEMPOTENCY_TABLE,
                               IDEMPOTENCY_TTL_SECONDS, TICKET_DOCUMENTS_PATH, *CACHE),
                   layers=("base", "redis"))  # redis: the shows cache, where a pattern has one
INFO = Contract("info", (*COMMON, CORS_ORIGIN, INFO_SOURCE, INFO_BUCKET, INFO_PREFIX, *DATABASE),
                layers=("base", "postgres"))
MIGRATE = Contract("migrate", (*COMMON, *DATABASE), layers=("base", "postgres"))
AUTHORIZER = Contract("authorizer", (*COMMON, OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL, OIDC_ACCEPTS,
                                     AUTHZ_REQUIRED_GROUP,
                                     OIDC_JWKS_CACHE_SECONDS, OIDC_JWKS_COOLDOWN_SECONDS, OIDC_LEEWAY_SECONDS),
                      layers=("base", "jwt"))
CONTRACTS = {c.service: c for c in (SHOWS, TICKETS, INFO, MIGRATE, AUTHORIZER)}
VARIABLES = {v.name: v for c in CONTRACTS.values() for v in c.variables}

# Who local mode signs up in every user pool (groups: those the pool declares), with generated passwords.
LOCAL_USERS = (
    {"email": "demo@example.com", "groups": ()},
    {"email": "admin@example.com", "groups": ("admins",)},
)
