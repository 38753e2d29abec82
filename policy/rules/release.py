"""Releases: what serves an API changes gradually, judged by alarms that roll it back, and nothing fights it.

A function's release is the ``LambdaDeployment`` naming it (``multitier/_release``): its CodeDeploy
deployment group holds the shift, the alarms and the rollback. A stage canary's is the
``StageCanary`` naming the stage's API and stage.
"""

from __future__ import annotations

from typing import Iterator

from policy.core import Finding, Resource, Stack, items, stack_rule
from policy.rules.common import ALIAS, FUNCTION, PERMISSION, STAGE

PREFIX = "MT-RELEASE"

GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
LAMBDA_DEPLOYMENT = "pulumi-python:dynamic/release:LambdaDeployment"
STAGE_CANARY = "pulumi-python:dynamic/release:StageCanary"
ALL_AT_ONCE = "CodeDeployDefault.LambdaAllAtOnce"
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM")
# What CodeDeploy moves on an alias, and a canary's release on a stage: Pulumi must ignore both.
ALIAS_MOVED = ("functionVersion", "routingConfig")
STAGE_MOVED = ("deployment", "canarySettings.deploymentId")


def _behind_an_api(stack: Stack) -> Iterator[Resource]:
    """Functions API Gateway may invoke (a permission for apigateway.amazonaws.com)."""
    invoked = {str(p.get("function")) for p in stack.of_type(PERMISSION)
               if p.get("principal") == "apigateway.amazonaws.com"}
    for function in stack.of_type(FUNCTION):
        if {str(function.get("name")), str(function.get("arn"))} & invoked:
            yield function


def _release_of(stack: Stack, function: Resource) -> tuple[Resource | None, Resource | None]:
    """The function's LambdaDeployment and the deployment group it deploys with."""
    release = next((r for r in stack.of_type(LAMBDA_DEPLOYMENT) if r.get("function_name") == function.get("name")),
                   None)
    if release is None:
        return None, None
    group = next((g for g in stack.of_type(GROUP) if g.get("appName") == release.get("application")
                  and g.get("deploymentGroupName") == release.get("deployment_group")), None)
    return release, group


@stack_rule("MT-RELEASE-1", kind="deploy", severity="high",
            description="Functions behind an API release gradually, rolled back by alarms",
            remediation="Release through CodeDeploy with a canary or linear configuration (releaseFunctions, "
                        "releaseServices), alarms on the new version enabled, and automatic rollback on an alarm "
                        "and on a failure (multitier.FunctionRelease).")
def gradual_releases(stack: Stack):
    for function in _behind_an_api(stack):
        release, group = _release_of(stack, function)
        if release is None or group is None:
            yield Finding(function, "no CodeDeploy release: a new version takes every request at once, unwatched")
            continue
        problems = []
        if (group.get("deploymentConfigName") or ALL_AT_ONCE) == ALL_AT_ONCE:
            problems.append("its deployment configuration shifts all traffic at once")
        alarms = group.get("alarmConfiguration") or {}
        if not alarms.get("enabled") or not items(alarms.get("alarms")):
            problems.append("no alarm judges its new versions")
        rollback = group.get("autoRollbackConfiguration") or {}
        missing = [e for e in ROLLBACK_EVENTS if not rollback.get("enabled") or e not in items(rollback.get("events"))]
        if missing:
            problems.append(f"no automatic rollback on {', '.join(missing)}")
        if problems:
            yield Finding(group, f"releases {function.get('name')}, but {'; '.join(problems)}")


@stack_rule("MT-RELEASE-2", kind="deploy", severity="high",
            description="What a release moves, Pulumi leaves alone; a stage canary has a release",
            remediation="ignore_changes=['functionVersion', 'routingConfig'] on an alias CodeDeploy moves, and "
                        "['deployment', 'canarySettings.deploymentId'] on a stage whose canary a StageCanary "
                        "promotes (multitier.FunctionRelease, StageOptions.canary_percent); a stage with canary "
                        "settings gets a StageCanary.")
def releases_not_undone(stack: Stack):
    for release in stack.of_type(LAMBDA_DEPLOYMENT):
        for alias in stack.of_type(ALIAS):
            if alias.get("functionName") == release.get("function_name") and alias.get("name") == release.get("alias"):
                missing = [p for p in ALIAS_MOVED if p not in alias.ignore_changes]
                if missing:
                    yield Finding(alias, f"CodeDeploy moves this alias, but the next up would set {missing} back")
    canaries = stack.of_type(STAGE_CANARY)
    for stage in stack.of_type(STAGE):
        if not stage.get("canarySettings"):
            continue
        if not any(c.get("rest_api_id") == stage.get("restApi") and c.get("stage_name") == stage.get("stageName")
                   for c in canaries):
            yield Finding(stage, "its canary is never promoted or taken back: no StageCanary release")
            continue
        missing = [p for p in STAGE_MOVED if p not in stage.ignore_changes]
        if missing:
            yield Finding(stage, f"a StageCanary moves this stage's deployments, but the next up would set "
                                 f"{missing} back")
