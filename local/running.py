"""What a started local mode runs, as one frozen record: ``LocalMode.start()`` returns it.

The endpoints file and the ready table (``endpoints.py``), the tests and the benchmarks
read this, never local mode's working parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from local.cloudwatch import LocalCloudWatch
from local.emulators.moto_server import Keys, client
from local.emulators.postgres import PostgresInfo
from local.engine import Recording
from local.release import Releases
from local.model import CognitoPool, LocalAmplifyApp, LocalApi, LocalFunction, LocalSite


@dataclass(frozen=True)
class Endpoint:
    """An AWS API emulator: where it is and the provisioning identity (allowed everything) that signs for it."""

    url: str
    region: str
    keys: Keys

    def client(self, service: str) -> Any:
        """A boto3 client of this emulator signing as the provisioning identity."""
        return client(self.url, self.region, service, self.keys)


@dataclass(frozen=True)
class EmulatorUrls:
    aws: Endpoint            # DynamoDB, S3, Secrets Manager, IAM (enforced)
    cognito: Endpoint        # Cognito's API, for administrators
    sign_in: str             # Cognito's public endpoint, as browsers and apps meet it
    postgres: PostgresInfo | None
    cache: str               # what serves the Redis protocol, and where


@dataclass(frozen=True)
class LocalUser:
    """A user the services declare, signed up in every pool: its password and its sub per pool id."""

    email: str
    password: str
    groups: tuple[str, ...]
    subs: Mapping[str, str]


@dataclass(frozen=True)
class Running:
    stack: str
    pid: int
    data_dir: Path
    ready_seconds: float
    timings: Mapping[str, float]            # start-up phase → seconds
    throttle: tuple[float, int] | None      # --throttle's (rate, burst), negative: none; None: the stack's
    emulators: EmulatorUrls
    apis: tuple[LocalApi, ...]
    sites: tuple[LocalSite, ...]             # CloudFront distributions
    amplify_apps: tuple[LocalAmplifyApp, ...]
    pools: tuple[CognitoPool, ...]
    users: tuple[LocalUser, ...]
    functions: tuple[LocalFunction, ...]
    patterns: Mapping[str, str]              # resource name → the pattern it belongs to
    outputs: Mapping[str, Any]               # the stack's outputs
    policies: Mapping[str, Mapping]          # function name → its role's statements (resources widened)
    service_roles: Mapping[str, Mapping]     # API integration role ARN → its statements
    invocations: tuple[Mapping[str, Any], ...] = ()  # what the program's aws:lambda/invocation returned
    federated: tuple[tuple[str, str], ...] = ()      # (identity provider, type) registered in a pool
    restored: Mapping[str, int] = field(default_factory=dict)  # entries put back from earlier runs, and kept
    recording: Recording | None = None       # what the program registered
    cloudwatch: LocalCloudWatch | None = None  # the local CloudWatch: its URL, dashboards, alarms and clock
    releases: Releases | None = None         # versions, aliases, stage deployments; rehearsals at its control URL

    def pattern_of(self, name: str) -> str:
        return self.patterns.get(name, "")

    def user(self, email: str) -> LocalUser:
        return next(user for user in self.users if user.email == email)
