"""What local mode runs, as read from the program's registrations.

The provisioner (``local/provision.py``) fills these from the resources
``__main__.py`` registers; the Lambda runtime (``local/lambda_runtime.py``) and the
API Gateway emulator (``local/gateway.py``) only ever see these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence


@dataclass(frozen=True)
class LocalFunction:
    """One Lambda function: its unpacked archive, handler and limits."""

    name: str                      # the function's physical name (as in stage variables)
    code_dir: Path                 # the unpacked code archive (the program's own asset)
    handler: str                   # "app.handler"
    environment: Mapping[str, str]  # exactly the function's env vars, plus local overrides
    timeout_seconds: int
    memory_mb: int
    dependency_paths: Sequence[Path] = ()  # the layer's requirements, installed for this interpreter
    credentials: Mapping[str, str] = field(default_factory=dict)  # AWS_ACCESS_KEY_ID/SECRET of its role's identity
    arn: str = ""


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
    method_throttles: Mapping[str, tuple[float, int]] = field(default_factory=dict)  # "shows/{id}/GET" → (rate, burst)
    api_keys: Sequence[UsagePlanKey] = ()
    region: str = "us-east-1"
    account: str = "123456789012"

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
