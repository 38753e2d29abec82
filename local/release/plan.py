"""What a release of the stack is, read from what the program registered (as ``pulumi up`` would run it).

* a function's: its ``LambdaDeployment`` (alias), its CodeDeploy application (its ``service`` tag) and
  deployment group (the shift configuration and the alarms judging a new version) and the request its
  hook sends (in the hook's environment, the JSON object naming the function), for every function an
  API invokes;
* a stage canary's: its ``StageCanary`` (bake time, alarms) and the stage's canary share. A stack
  without one (dev: ``apiCanaryPercent`` 0) is rehearsed with the stage's own 5XX rate and latency
  alarms over the canary's requests, the definitions a canary release uses on AWS.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from local.cloudwatch import LocalAlarm
from local.engine import Recording
from local.model import LocalApi
from multitier._release.shift import TrafficShift

FUNCTION = "aws:lambda/function:Function"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
APPLICATION = "aws:codedeploy/application:Application"
LAMBDA_DEPLOYMENT = "pulumi-python:dynamic/release:LambdaDeployment"
STAGE_CANARY = "pulumi-python:dynamic/release:StageCanary"
CANARY_SUFFIX = "/Canary"
DEFAULT_BAKE_MINUTES = 10  # the stacks' releaseApiBakeMinutes default


@dataclass(frozen=True)
class FunctionPlan:
    """How one function is released: ``shift`` of its ``alias``, judged by ``alarms``, checked with ``check``."""

    function: str
    service: str
    alias: str
    shift: TrafficShift
    alarms: tuple[LocalAlarm, ...]
    check: Mapping[str, Any] | None = None  # the request the hook sends (None: no hook)


@dataclass(frozen=True)
class StagePlan:
    """How a stage canary is released: ``percent`` % of requests for ``bake_seconds``, judged by ``alarms``."""

    api: str
    percent: float
    bake_seconds: int
    alarms: tuple[LocalAlarm, ...]


def _environment(registration) -> dict[str, str]:
    return dict((registration.inputs.get("environment") or {}).get("variables") or {})


def function_plans(recording: Recording, alarms: Sequence[LocalAlarm]) -> dict[str, FunctionPlan]:
    """Function name → its release, for every function a ``LambdaDeployment`` releases."""
    by_name = {a.name: a for a in alarms}
    functions = {f.outputs["name"]: f for f in recording.of_type(FUNCTION)}
    plans = {}
    for deployment in recording.of_type(LAMBDA_DEPLOYMENT):
        i = deployment.inputs
        group = next(g for g in recording.of_type(GROUP) if g.inputs["appName"] == i["application"]
                     and g.inputs["deploymentGroupName"] == i["deployment_group"])
        name = i["function_name"]
        check = _check(_environment(functions[next(iter(i["hooks"].values()))]), name) if i.get("hooks") else None
        application = next(a for a in recording.of_type(APPLICATION) if a.outputs.get("name") == i["application"])
        plans[name] = FunctionPlan(
            function=name, service=(application.inputs.get("tags") or {}).get("service", ""), alias=i["alias"],
            shift=TrafficShift.parse(group.inputs["deploymentConfigName"]),
            alarms=tuple(by_name[n] for n in group.inputs["alarmConfiguration"]["alarms"]), check=check)
    return plans


def _check(hook_environment: Mapping[str, str], function: str) -> Mapping[str, Any] | None:
    """The request the hook sends ``function``: in the hook's environment, the JSON object naming it."""
    for value in hook_environment.values():
        try:
            checks = json.loads(value)
        except ValueError:
            continue
        if isinstance(checks, dict) and isinstance(checks.get(function), dict):
            return checks[function]
    return None


def stage_plans(recording: Recording, apis: Sequence[LocalApi], alarms: Sequence[LocalAlarm]) -> dict[str, StagePlan]:
    """API name → how its stage canary is released."""
    by_name = {a.name: a for a in alarms}
    api_names = {r.id: r.outputs.get("name") or r.name for r in recording.of_type("aws:apigateway/restApi:RestApi")}
    plans = {}
    for api in apis:
        release = next((c for c in recording.of_type(STAGE_CANARY) if c.inputs["rest_api_id"] == api.api_id), None)
        if release is not None:
            plans[api.name] = StagePlan(api.name, api.canary_percent, int(release.inputs["bake_seconds"]),
                                        tuple(by_name[n] for n in release.inputs["alarms"]))
            continue
        stage = {"ApiName": api_names.get(api.api_id, api.name), "Stage": api.stage}
        own = {a.metric: a for a in alarms if a.namespace == "AWS/ApiGateway" and dict(a.dimensions) == stage
               and a.metric in ("5XXError", "Latency")}
        canary = {**stage, "Stage": api.stage + CANARY_SUFFIX}
        plans[api.name] = StagePlan(api.name, api.canary_percent, DEFAULT_BAKE_MINUTES * 60, tuple(
            dataclasses.replace(a, name=f"{a.name}{CANARY_SUFFIX}", dimensions=canary) for a in own.values()))
    return plans
