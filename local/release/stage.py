"""A stage's deployments, locally: the stage's own and its canary's, as API Gateway picks between them.

The gateway that serves a stage asks ``StageDeployments.pick`` which deployment answers each
request: the canary's with ``percent`` % probability (its requests logged and measured under
``<stage>/Canary``, as API Gateway reports them), else the stage's. Each deployment is a
``Gateway`` over its own ``LocalApi`` (document and stage variables); a release moves the canary
to a new deployment, and promotes it (the stage serves it) or takes it back.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from typing import Callable

from local.apigateway import Gateway
from local.model import LocalApi

# (the deployment's api, whether it is the canary) → a gateway for it, logging and measuring as that
MakeGateway = Callable[[LocalApi, bool], Gateway]


def canary_api(api: LocalApi) -> LocalApi:
    """The deployment a stage's canary serves as registered: the stage's, with its stage variable overrides."""
    return dataclasses.replace(api, stage_variables={**api.stage_variables, **api.canary_stage_variables})


class StageDeployments:
    """What answers the requests of the stage ``gateway`` serves (``gateway.pick``)."""

    def __init__(self, gateway: Gateway, make: MakeGateway, draw: Callable[[], float] = random.random):
        self._make, self.draw = make, draw
        self._made: list[Gateway] = []
        self.stable: Gateway = gateway
        self.canary: Gateway | None = None
        self.percent = gateway.api.canary_percent
        if self.percent > 0:
            self.canary = self.make(canary_api(gateway.api), True)
        self._lock = threading.Lock()
        gateway.pick = self.pick

    def make(self, api: LocalApi, canary: bool) -> Gateway:
        gateway = self._make(api, canary)
        self._made.append(gateway)
        return gateway

    def stop(self) -> None:
        for gateway in self._made:
            gateway.stop()

    def pick(self) -> Gateway:
        with self._lock:
            canary, percent, stable = self.canary, self.percent, self.stable
        return canary if canary is not None and self.draw() * 100 < percent else stable

    def start_canary(self, api: LocalApi, percent: float) -> Gateway | None:
        """The canary serves ``api`` for ``percent`` % of requests; the canary it replaces (to take back)."""
        canary = self.make(api, True)
        with self._lock:
            previous, self.canary, self.percent = self.canary, canary, percent
        return previous

    def take_back(self, previous: Gateway | None, percent: float) -> None:
        with self._lock:
            self.canary, self.percent = previous, percent

    def promote(self) -> None:
        """The stage serves the canary's deployment; the canary keeps its share, of the same deployment."""
        with self._lock:
            api = self.canary.api if self.canary is not None else None
        if api is not None:
            stable = self.make(api, False)
            with self._lock:
                self.stable = stable
