"""How a new function version reaches its alias: CodeDeploy's predefined Lambda configurations.

``TrafficShift.parse("Canary10Percent5Minutes")`` is the schedule CodeDeploy follows for
``CodeDeployDefault.LambdaCanary10Percent5Minutes``: the share of traffic the new version
gets, and when. The components name the configuration; the policy pack reads it; local
mode's release rehearsal follows the same schedule in compressed time.

* ``AllAtOnce``: every request to the new version at once;
* ``Canary<P>Percent<M>Minutes``: ``P`` % for ``M`` minutes, then 100 %;
* ``Linear<P>PercentEvery<M>Minute(s)``: ``P`` % more at the start of every ``M`` minutes
  (CodeDeploy's "percentage shifted at the start of each increment"), so 100 % after
  ``(100 / P - 1) * M`` minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# CodeDeploy's predefined configurations for the Lambda compute platform (CodeDeployDefault.Lambda<name>).
LAMBDA_CONFIGS = ("AllAtOnce", "Canary10Percent5Minutes", "Canary10Percent10Minutes", "Canary10Percent15Minutes",
                  "Canary10Percent30Minutes", "Linear10PercentEvery1Minute", "Linear10PercentEvery2Minutes",
                  "Linear10PercentEvery3Minutes", "Linear10PercentEvery10Minutes")
CONFIG_PREFIX = "CodeDeployDefault.Lambda"
_CANARY = re.compile(r"^Canary(\d+)Percent(\d+)Minutes?$")
_LINEAR = re.compile(r"^Linear(\d+)PercentEvery(\d+)Minutes?$")


@dataclass(frozen=True)
class TrafficShift:
    """One of ``LAMBDA_CONFIGS``: ``kind``, the ``percent`` shifted per step and the ``minutes`` between steps."""

    name: str
    kind: Literal["all", "canary", "linear"]
    percent: int = 100
    minutes: int = 0

    @classmethod
    def parse(cls, name: str) -> "TrafficShift":
        """The shift of a predefined configuration (``Canary10Percent5Minutes`` or its full
        ``CodeDeployDefault.LambdaCanary10Percent5Minutes``); ValueError names the allowed ones."""
        short = name.removeprefix(CONFIG_PREFIX)
        if short not in LAMBDA_CONFIGS:
            raise ValueError(f"{name!r} is not one of CodeDeploy's predefined Lambda configurations: "
                             f"{', '.join(LAMBDA_CONFIGS)}")
        if short == "AllAtOnce":
            return cls(short, "all")
        canary, linear = _CANARY.match(short), _LINEAR.match(short)
        match = canary or linear
        return cls(short, "canary" if canary else "linear", int(match.group(1)), int(match.group(2)))

    @property
    def config_name(self) -> str:
        """The deployment configuration's name in CodeDeploy."""
        return CONFIG_PREFIX + self.name

    def steps(self) -> list[tuple[float, float]]:
        """(minute, share of traffic on the new version in %) from the start, ending at 100 %."""
        if self.kind == "all":
            return [(0.0, 100.0)]
        if self.kind == "canary":
            return [(0.0, float(self.percent)), (float(self.minutes), 100.0)]
        count = -(-100 // self.percent)  # increments until every request reaches the new version
        return [(float(i * self.minutes), float(min(100, (i + 1) * self.percent))) for i in range(count)]

    @property
    def total_minutes(self) -> float:
        """Minutes from the first shift to 100 %."""
        return self.steps()[-1][0]
