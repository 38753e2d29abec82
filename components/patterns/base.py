"""What every pattern takes and gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi

from components.config import Settings


@dataclass
class PatternArgs:
    """``stack`` and ``region`` only make names unique and build URLs; the
    pattern reads nothing from the environment or Pulumi config."""

    settings: Settings
    layers: Sequence[pulumi.Input[str]]
    stack: str
    region: str


def cognito_origin(region: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com"


@dataclass
class Monitored:
    """What a pattern asks the stack's alarms to watch."""

    functions: Sequence = ()
    apis: Sequence = ()
    tables: Sequence = ()
