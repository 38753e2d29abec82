"""What ``pulumi up`` waits for: a CodeDeploy deployment of a function version, a stage canary's bake.

Two dynamic resources, each calling AWS as the stack's AWS provider would
(``multitier._provider_session``: region, profile, assumed roles, account guard):

* ``LambdaDeployment`` (``pulumi-python:dynamic/release:LambdaDeployment``): when the function's
  published version changes, it reads the version the alias serves, starts a CodeDeploy deployment
  from it to the new one (an AppSpec naming the function, the alias, both versions and the hooks)
  and waits for it. It succeeds when the deployment does; when CodeDeploy stops and rolls back (an
  alarm, a failed hook), the update fails naming the deployment, its error and the alarms in ALARM.
  A first deploy (the alias created at that version) has nothing to shift.
* ``StageCanary`` (``pulumi-python:dynamic/release:StageCanary``): when the API's deployment
  changes, it points the stage's canary at it, waits the bake time watching the canary's alarms,
  then promotes it (the stage's deployment becomes the canary's) or, on an alarm, points the canary
  back at the stage's deployment and fails the same way.

Pulumi never moves what these move (the alias's version and weights, the stage's and the canary's
deployment: ``ignore_changes``), so neither fights the other and the next ``up`` and ``refresh``
find nothing to change. A failed release leaves the resource's state at the version (deployment)
still live, so the next ``up`` offers the release again.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, Callable, Mapping, Sequence

import pulumi
import pulumi.dynamic

from multitier._provider_session import clients

POLL_SECONDS = 15
DONE = ("Succeeded", "Failed", "Stopped")
# Hook phases of a Lambda AppSpec, in the order CodeDeploy runs them.
HOOK_PHASES = ("BeforeAllowTraffic", "AfterAllowTraffic")

ClientOf = Callable[[str], Any]


class ReleaseFailed(RuntimeError):
    """A release was rolled back or stopped; the message says which, why and what serves traffic now."""


def appspec(function_name: str, alias: str, current: str, target: str, hooks: Mapping[str, str]) -> str:
    """The AppSpec of a Lambda deployment (CodeDeploy takes it as JSON)."""
    spec: dict[str, Any] = {"version": 0.0, "Resources": [{"release": {"Type": "AWS::Lambda::Function", "Properties": {
        "Name": function_name, "Alias": alias, "CurrentVersion": current, "TargetVersion": target}}}]}
    if hooks:
        spec["Hooks"] = [{phase: hooks[phase]} for phase in HOOK_PHASES if phase in hooks]
    return json.dumps(spec, sort_keys=True)


def alarms_in_alarm(cloudwatch: Any, names: Sequence[str]) -> list[str]:
    if not names:
        return []
    found = cloudwatch.describe_alarms(AlarmNames=list(names), AlarmTypes=["MetricAlarm"])["MetricAlarms"]
    return sorted(a["AlarmName"] for a in found if a.get("StateValue") == "ALARM")


def release_version(client_of: ClientOf, props: Mapping[str, Any], sleep: Callable[[float], None] = time.sleep,
                    clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Deploy ``target_version`` behind ``alias`` through CodeDeploy and wait; the outputs, or ReleaseFailed."""
    function, alias, target = props["function_name"], props["alias"], str(props["target_version"])
    current = str(client_of("lambda").get_alias(FunctionName=function, Name=alias)["FunctionVersion"])
    if current == target:  # a first deploy (the alias was created at this version) or already released
        return {**props, "live_version": target, "deployment_id": props.get("deployment_id") or ""}
    codedeploy = client_of("codedeploy")
    content = appspec(function, alias, current, target, props.get("hooks") or {})
    deployment_id = codedeploy.create_deployment(
        applicationName=props["application"], deploymentGroupName=props["deployment_group"],
        description=f"{function}:{alias} from version {current} to {target} ({props.get('config', '')})",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {
            "content": content, "sha256": hashlib.sha256(content.encode()).hexdigest()}})["deploymentId"]
    pulumi.log.info(f"release of {function} version {target}: CodeDeploy deployment {deployment_id} "
                    f"({props.get('config', '')}) started")
    deadline = clock() + float(props["timeout_seconds"])
    while True:
        info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
        if info["status"] in DONE:
            break
        if clock() > deadline:
            codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
            raise ReleaseFailed(f"release of {function} version {target}: deployment {deployment_id} took longer "
                                f"than {props['timeout_seconds']} s; stopped and rolled back to version {current}")
        sleep(POLL_SECONDS)
    if info["status"] != "Succeeded":
        error = info.get("errorInformation") or {}
        alarms = alarms_in_alarm(client_of("cloudwatch"), props.get("alarms") or [])
        rollback = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
        raise ReleaseFailed(
            f"release of {function} version {target} rolled back: CodeDeploy deployment {deployment_id} "
            f"{info['status']}" + (f" ({error.get('code')}: {error.get('message')})" if error else "")
            + (f"; alarms in ALARM: {', '.join(alarms)}" if alarms else "")
            + (f"; rollback deployment {rollback}" if rollback else "")
            + f"; {alias} serves version {current}")
    return {**props, "live_version": target, "deployment_id": deployment_id}


def bake_canary(client_of: ClientOf, props: Mapping[str, Any], sleep: Callable[[float], None] = time.sleep,
                clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Move the stage's canary to ``deployment_id``, bake, then promote it or take it back; outputs or ReleaseFailed."""
    api, stage_name, target = props["rest_api_id"], props["stage_name"], props["deployment_id"]
    apigateway = client_of("apigateway")
    stage = apigateway.get_stage(restApiId=api, stageName=stage_name)
    stable = stage["deploymentId"]
    if stable == target:  # a first deploy (the stage was created at this deployment) or already promoted
        return {**props, "live_deployment": target}

    def patch(*operations: dict[str, str]) -> None:
        apigateway.update_stage(restApiId=api, stageName=stage_name, patchOperations=list(operations))

    patch({"op": "replace", "path": "/canarySettings/deploymentId", "value": target})
    pulumi.log.info(f"stage {stage_name} of {api}: deployment {target} takes the canary's share for "
                    f"{props['bake_seconds']} s")
    cloudwatch = client_of("cloudwatch")
    names = list(props.get("alarms") or [])
    end = clock() + float(props["bake_seconds"])
    while True:
        alarms = alarms_in_alarm(cloudwatch, names)
        if alarms:
            patch({"op": "replace", "path": "/canarySettings/deploymentId", "value": stable})
            raise ReleaseFailed(f"stage {stage_name} of {api}: canary deployment {target} rolled back (alarms in "
                                f"ALARM: {', '.join(alarms)}); the canary serves deployment {stable} again")
        if clock() >= end:
            break
        sleep(min(POLL_SECONDS, max(0.0, end - clock())))
    # Promotion, as API Gateway documents it: the stage serves the canary's deployment; the canary keeps its
    # share and its settings, now of the same deployment, ready for the next release.
    patch({"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"})
    return {**props, "live_deployment": target}


class _Provider(pulumi.dynamic.ResourceProvider):
    """A release runs on create and when ``TRIGGER`` changes; how it reaches AWS (``aws``) is no reason to run."""

    TRIGGER = ""
    REPLACES: tuple[str, ...] = ()  # a new target is released in place (``update``), never by replacement
    run: Callable[..., dict[str, Any]]

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        outs = type(self).run(clients(props.get("aws") or {}), props)
        return pulumi.dynamic.CreateResult(id_=f"{outs[self.TRIGGER]}", outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        changed = [key for key in news if key != "aws" and olds.get(key) != news.get(key)
                   and key not in ("live_version", "live_deployment")]
        return pulumi.dynamic.DiffResult(changes=bool(changed), replaces=[])

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        if olds.get(self.TRIGGER) == news.get(self.TRIGGER):
            return pulumi.dynamic.UpdateResult(outs={**olds, **news})  # settings changed, nothing to release
        return pulumi.dynamic.UpdateResult(outs=type(self).run(clients(news.get("aws") or {}), news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None  # a release is history; the alias and the stage go with their owners


class _LambdaDeploymentProvider(_Provider):
    TRIGGER = "target_version"
    run = staticmethod(release_version)


class _StageCanaryProvider(_Provider):
    TRIGGER = "deployment_id"
    run = staticmethod(bake_canary)


# The state keeps each provider pickled by reference: at the package's top, where no move of the private
# modules can break a later update or destroy (multitier/__init__.py imports them there).
_LambdaDeploymentProvider.__module__, _LambdaDeploymentProvider.__qualname__ = "multitier", "_LambdaDeploymentProvider"
_StageCanaryProvider.__module__, _StageCanaryProvider.__qualname__ = "multitier", "_StageCanaryProvider"


def _secret_keys(aws: Mapping[str, Any] | None) -> dict[str, Any]:
    """``provider_session.session_settings`` with static keys kept secret in the state."""
    aws = dict(aws or {})
    for key in ("access_key", "secret_key", "token"):
        if aws.get(key):
            aws[key] = pulumi.Output.secret(aws[key])
    return aws


class LambdaDeployment(pulumi.dynamic.Resource, module="release", name="LambdaDeployment"):
    """The release of ``target_version`` of a function behind ``alias`` by a CodeDeploy deployment group."""

    live_version: pulumi.Output[str]
    deployment_id: pulumi.Output[str]

    def __init__(self, name: str, *, application: pulumi.Input[str], deployment_group: pulumi.Input[str],
                 function_name: pulumi.Input[str], alias: str, target_version: pulumi.Input[str], config: str,
                 timeout_seconds: int, alarms: pulumi.Input[Sequence[pulumi.Input[str]]] = (),
                 hooks: Mapping[str, pulumi.Input[str]] | None = None, aws: Mapping[str, Any] | None = None,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(_LambdaDeploymentProvider(), name, {
            "application": application, "deployment_group": deployment_group, "function_name": function_name,
            "alias": alias, "target_version": target_version, "config": config, "timeout_seconds": timeout_seconds,
            "alarms": alarms, "hooks": dict(hooks or {}), "aws": _secret_keys(aws),
            "live_version": None, "deployment_id": None}, opts)


class StageCanary(pulumi.dynamic.Resource, module="release", name="StageCanary"):
    """The promotion (or removal) of a stage canary's ``deployment_id`` after ``bake_seconds`` watching ``alarms``."""

    live_deployment: pulumi.Output[str]

    def __init__(self, name: str, *, rest_api_id: pulumi.Input[str], stage_name: pulumi.Input[str],
                 deployment_id: pulumi.Input[str], bake_seconds: int, alarms: pulumi.Input[Sequence[pulumi.Input[str]]],
                 aws: Mapping[str, Any] | None = None, opts: pulumi.ResourceOptions | None = None):
        super().__init__(_StageCanaryProvider(), name, {
            "rest_api_id": rest_api_id, "stage_name": stage_name, "deployment_id": deployment_id,
            "bake_seconds": bake_seconds, "alarms": alarms, "aws": _secret_keys(aws), "live_deployment": None},
            opts)
