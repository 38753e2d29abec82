"""The shared vocabulary of the offline engine: what local mode runs, as read from the registrations.

The provisioner (``local/provision``) fills these from the resources ``__main__.py``
registers; the Lambda runtime (``local/lambda_``), the API Gateway emulator
(``local/apigateway``) and the site server (``local/cloudfront``) only ever see these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

# The account and region of everything the offline engine fabricates (a stack's
# ``aws:region`` overrides the region).
ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


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
    method_throttles: Mapping[str, tuple[float, int]] = field(default_factory=dict)  # "items/{id}/GET" → (rate, burst)
    api_keys: Sequence[UsagePlanKey] = ()
    region: str = DEFAULT_REGION
    account: str = ACCOUNT
    published_openapi: Mapping[str, Any] | None = None  # the document clients read (served at /openapi.json)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.stage}"


@dataclass(frozen=True)
class CognitoPool:
    """A user pool in the emulator, for verifying its JWTs."""

    pool_id: str
    arn: str
    issuer: str       # the iss claim the emulator puts in tokens
    jwks_url: str     # where the emulator serves the pool's keys
    client_ids: Sequence[str] = ()
    groups: Sequence[str] = ()  # the groups the program registered in the pool


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
