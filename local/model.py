"""The shared vocabulary of the offline engine: what local mode runs, as read from the registrations.

The provisioner (``local/provision``) fills these from the resources ``__main__.py``
registers; the Lambda runtime (``local/lambda_``), the API Gateway emulator
(``local/apigateway``) and the site servers (``local/cloudfront``, ``local/amplify``) only ever
see these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

# The account of everything the offline engine fabricates (the region is the program's).
ACCOUNT = "123456789012"


@dataclass(frozen=True)
class LocalFunction:
    """One Lambda function: its unpacked archive, handler, runtime and limits."""

    name: str                      # the function's physical name (as in stage variables)
    code_dir: Path                 # the unpacked code archive (the program's own asset)
    handler: str                   # "app.handler"
    environment: Mapping[str, str]  # exactly the function's env vars, with the contract's local values
    timeout_seconds: int
    memory_mb: int
    dependency_paths: Sequence[Path] = ()  # the layer's requirements, installed for this interpreter
    credentials: Mapping[str, str] = field(default_factory=dict)  # AWS_ACCESS_KEY_ID/SECRET of its role's identity
    arn: str = ""
    runtime: str = ""              # the declared runtime ("python3.14"); names AWS_EXECUTION_ENV
    version: str = "$LATEST"       # the published version this code is (local/release runs several at once)


@dataclass(frozen=True)
class UsagePlanKey:
    value: str
    rate: float
    burst: int
    quota_per_day: int


@dataclass(frozen=True)
class LocalApi:
    """One REST API stage, served from its own OpenAPI document."""

    name: str
    api_id: str
    stage: str
    openapi: Mapping[str, Any]            # the document the program generated
    stage_variables: Mapping[str, str]
    port: int
    throttle_rate: float                  # from the */* method settings
    throttle_burst: int
    region: str                           # the program's (its provider's)
    method_throttles: Mapping[str, tuple[float, int]] = field(default_factory=dict)  # "~1items~1{id}/GET" → (rate, burst)
    api_keys: Sequence[UsagePlanKey] = ()
    account: str = ACCOUNT
    published_openapi: Mapping[str, Any] | None = None  # the document clients read (served at /openapi.json)
    canary_percent: float = 0.0                      # the stage canary's share of requests (canarySettings)
    canary_stage_variables: Mapping[str, str] = field(default_factory=dict)  # its stageVariableOverrides

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.stage}"


# What an app client allows when the program names no flows (Cognito's default).
DEFAULT_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH")


@dataclass(frozen=True)
class CognitoClient:
    """An app client of a user pool, as the program registered it."""

    client_id: str
    auth_flows: Sequence[str] = DEFAULT_AUTH_FLOWS  # its ExplicitAuthFlows (ALLOW_* names)
    token_revocation: bool = True                   # EnableTokenRevocation


@dataclass(frozen=True)
class CognitoPool:
    """A user pool in the emulator: verifying its JWTs, signing its users in and up."""

    pool_id: str
    arn: str
    issuer: str       # the iss claim the emulator puts in tokens
    jwks_url: str     # where the emulator serves the pool's keys
    clients: Sequence[CognitoClient] = ()
    groups: Sequence[str] = ()  # the groups the program registered in the pool
    self_sign_up: bool = False  # not AdminCreateUserConfig.AllowAdminCreateUserOnly
    name: str = ""              # the program's name for it (stable across runs, unlike the id)

    @property
    def client_ids(self) -> list[str]:
        return [client.client_id for client in self.clients]


@dataclass
class LocalSite:
    """A CloudFront distribution in front of a bucket, served from the emulator's bucket."""

    name: str
    bucket: str
    port: int
    root_object: str
    fallback: dict[int, tuple[int, str]]   # error code → (response code, page)
    headers: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@dataclass(frozen=True)
class LocalAmplifyApp:
    """An Amplify Hosting app's branch, served from the zip its deployment published."""

    name: str
    port: int
    bucket: str                                   # where the deployed zip is, in the emulator's S3
    key: str
    rules: Sequence[tuple[str, str, str]]         # the app's custom rules in order: (source, target, status)
    headers: Sequence[tuple[str, Mapping[str, str]]]  # the app's custom headers: (path pattern, headers)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"
