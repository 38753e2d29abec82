"""Local mode's releases: function versions and aliases, each stage's deployments, and release rehearsals.

``Releases`` sits in local mode's invoke path (``invoke``: every invocation through an alias runs
the version its weights pick) and behind every gateway (``serve``: the stage's deployment or its
canary's, by the canary's share). ``release_service`` rehearses the release of a service's current
code as the stack would release it, through CodeDeploy's schedule (``via="codedeploy"``) or through
the stage canary (``via="stage"``: the canary's deployment points the service's stage variables at
the new version), and returns its timeline.
"""

from __future__ import annotations

import dataclasses
import filecmp
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from local.apigateway import Gateway
from local.cloudwatch import Clock, LocalCloudWatch
from local.engine import Recording
from local.lambda_ import LambdaRuntime
from local.model import LocalApi, LocalFunction
from local.provision.code import unpack_code
from local.release.aliases import Aliases
from local.release.plan import FunctionPlan, StagePlan, function_plans, stage_plans
from local.release.rehearsal import FunctionRehearsal, Rehearsal, StageRehearsal
from local.release.stage import MakeGateway, StageDeployments
from multitier._release.shift import TrafficShift

ALIAS = "aws:lambda/alias:Alias"


class ReleaseError(ValueError):
    """A release cannot be rehearsed as asked; the message says why."""


@dataclass
class Outcome:
    promoted: bool
    timeline: str
    counts: dict[str, float]


class Releases:
    """Versions, aliases and stage deployments of one local stack, and its rehearsals (one at a time)."""

    def __init__(self, recording: Recording, functions: Sequence[LocalFunction], apis: Sequence[LocalApi],
                 runtime: LambdaRuntime, cloudwatch: LocalCloudWatch, state_dir: Path):
        """``runtime`` runs ``functions`` (as the program registered them, with their identities' keys); each
        version published here gets a runtime alike."""
        routes = {(a.inputs["functionName"], a.inputs["name"]): str(a.inputs["functionVersion"])
                  for a in recording.of_type(ALIAS)}
        self.aliases = Aliases(runtime, functions, routes, lambda: LambdaRuntime(
            on_log=runtime.on_log, max_concurrency=runtime.max_concurrency, region=runtime.region,
            children=runtime.children))
        self.functions = function_plans(recording, cloudwatch.evaluator.alarms)
        self.stage_plans = stage_plans(recording, apis, cloudwatch.evaluator.alarms)
        self.apis = {api.name: api for api in apis}
        self.stages: dict[str, StageDeployments] = {}
        self.cloudwatch, self.state_dir = cloudwatch, state_dir
        self.busy = threading.Lock()
        self.control: Any = None  # the endpoint of `python -m local release` (control.ControlServer), once serving

    # -- what local mode wires in -------------------------------------------------------------
    def invoke(self, name_or_arn: str, event: Any) -> Any:
        return self.aliases.invoke(name_or_arn, event)

    def serve(self, gateway: Gateway, make: MakeGateway) -> StageDeployments:
        """Answer ``gateway``'s requests from the stage's deployment or its canary's (``make`` builds one)."""
        self.stages[gateway.api.name] = deployments = StageDeployments(gateway, make)
        return deployments

    def stop(self) -> None:
        if self.control is not None:
            self.control.stop()
        for deployments in self.stages.values():
            deployments.stop()
        self.aliases.stop()

    # -- rehearsals -----------------------------------------------------------------------------
    def publish(self, function: str, code_dir: Path) -> str:
        """A new version of ``function`` running ``code_dir`` (its environment and limits unchanged)."""
        live = self.aliases.function(function, self.aliases.versions(function)[-1])
        return self.aliases.publish(dataclasses.replace(live, code_dir=code_dir))

    def current_code(self, function: str, version: str = "") -> Path | None:
        """The service's code as it is now, unpacked; None when it equals ``version``'s (default: the newest)."""
        from multitier._logic.bundle import code_archive  # the program's own bundling

        plan = self._plan(function)
        versions = self.aliases.versions(function)
        live = self.aliases.function(function, version or versions[-1])
        target = unpack_code(code_archive(plan.service, live.handler),
                             self.state_dir / "functions" / f"{function}.v{int(versions[-1]) + 1}")
        return None if _same_tree(target, Path(live.code_dir)) else target

    def rehearsal(self, clock: Clock, on_line: Callable[[str], None] | None = None) -> Rehearsal:
        return Rehearsal(clock, self.cloudwatch.taps, on_line)

    def function_release(self, rehearsal: Rehearsal, function: str, version: str,
                         shift: TrafficShift | None = None) -> FunctionRehearsal:
        self.cloudwatch.releasing[f"{function}:{self._plan(function).alias}"] = version
        return rehearsal.add(FunctionRehearsal(self._plan(function), version, self.aliases, rehearsal.store,
                                               rehearsal.clock, rehearsal.timeline, shift))

    def stage_release(self, rehearsal: Rehearsal, api: LocalApi, percent: float | None = None,
                      bake_seconds: float | None = None) -> StageRehearsal:
        """The release of ``api`` (a new deployment of its stage) through the stage's canary."""
        plan: StagePlan = self.stage_plans[api.name]
        percent = percent if percent is not None else plan.percent
        if not 0 < percent < 100:
            raise ReleaseError(f"stage {api.stage} of {api.name}: a canary share of {percent:g} % releases nothing "
                               f"gradually (apiCanaryPercent, or give one)")
        return rehearsal.add(StageRehearsal(self.stages[api.name], api, percent,
                                            bake_seconds if bake_seconds is not None else plan.bake_seconds,
                                            plan.alarms, rehearsal.store, rehearsal.clock, rehearsal.timeline,
                                            api.name))

    def release_service(self, service: str, clock: Clock, *, via: str = "codedeploy", config: str = "",
                        percent: float | None = None, bake_minutes: float | None = None,
                        on_line: Callable[[str], None] | None = None, stop: threading.Event | None = None,
                        traffic: Callable[[threading.Event], None] | None = None) -> Outcome:
        """Publish ``service``'s current code as a new version of each of its functions and release it."""
        plans = [p for p in self.functions.values() if p.service == service]
        if not plans:
            known = sorted({p.service for p in self.functions.values()})
            raise ReleaseError(f"no function of service {service!r} is released by this stack (services: "
                               f"{', '.join(known)})")
        if not self.busy.acquire(blocking=False):
            raise ReleaseError("another release is being rehearsed; wait for it to end")
        try:
            candidates = {p.function: self.current_code(p.function) for p in plans}
            if not any(candidates.values()):
                raise ReleaseError(f"the code of {service} is the code its functions run: nothing to release")
            shift = TrafficShift.parse(config) if config else None
            versions = {name: self.publish(name, code) for name, code in candidates.items() if code is not None}
            with self.rehearsal(clock, on_line) as rehearsal:
                if via == "codedeploy":
                    for name, version in versions.items():
                        self.function_release(rehearsal, name, version, shift)
                elif via == "stage":
                    for api in self._apis_of(versions):
                        self.stage_release(rehearsal, self._with_versions(api, versions), percent,
                                           bake_minutes * 60 if bake_minutes is not None else None)
                else:
                    raise ReleaseError(f"release via {via!r}: codedeploy or stage")
                done = threading.Event()
                if traffic is not None:
                    threading.Thread(target=traffic, args=(done,), name="release-traffic", daemon=True).start()
                try:
                    promoted = rehearsal.run(stop)
                finally:
                    done.set()
                return Outcome(promoted, rehearsal.timeline.render(), rehearsal.counts())
        finally:
            self.busy.release()

    def _plan(self, function: str) -> FunctionPlan:
        if function not in self.functions:
            raise ReleaseError(f"function {function} has no release in this stack")
        return self.functions[function]

    def _apis_of(self, versions: dict[str, str]) -> list[LocalApi]:
        return [api for api in self.apis.values()
                if any(value.split(":")[0] in versions for value in api.stage_variables.values())]

    def _with_versions(self, api: LocalApi, versions: dict[str, str]) -> LocalApi:
        """The stage's deployment, its stage variables naming the new versions instead of their aliases."""
        variables = {key: f"{value.split(':')[0]}:{versions[value.split(':')[0]]}"
                     if value.split(":")[0] in versions else value for key, value in api.stage_variables.items()}
        return dataclasses.replace(api, stage_variables=variables)


def _same_tree(a: Path, b: Path) -> bool:
    compared = filecmp.dircmp(a, b, ignore=["__pycache__"])

    def same(c: filecmp.dircmp) -> bool:
        if c.left_only or c.right_only or c.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        return not mismatch and not errors and all(same(sub) for sub in c.subdirs.values())
    return same(compared)

