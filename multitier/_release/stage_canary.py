"""A stage canary promoted or taken back by its alarms: what ``ApiStage`` adds when ``canary_percent`` > 0.

API Gateway reports a canary's requests apart from the stage's, under the stage name followed by
``/Canary``; the canary is judged by the stage's own alarm definitions (5XX rate, p99 latency:
``watch_logic.api_alarms``) over those. ``StageCanary`` (``deploy.py``) moves the canary to each
new deployment, bakes it and promotes it or takes it back.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from multitier._ops import watch_logic
from multitier._ops.alarms import made_alarm
from multitier._ops.watch import Alarm
from multitier._provider_session import session_settings
from multitier._release.deploy import StageCanary

CANARY_SUFFIX = "/Canary"


def canary_stage(stage_name: pulumi.Input[str]) -> pulumi.Output[str]:
    """The ``Stage`` dimension of a canary's metrics."""
    return pulumi.Output.concat(stage_name, CANARY_SUFFIX)


def stage_canary(name: str, api: aws.apigateway.RestApi, stage: aws.apigateway.Stage,
                 deployment: aws.apigateway.Deployment, *, bake_minutes: int, latency_p99_ms: float,
                 provider_settings: Mapping[str, Any], parent: pulumi.Resource,
                 after: Sequence[pulumi.Resource] = ()) -> tuple[list[Alarm], StageCanary]:
    """The canary's alarms (made, keys ``canary-5xx`` and ``canary-latency`` of the API's watch ``name``) and the
    release that bakes each new ``deployment`` ``bake_minutes`` on it."""
    child = pulumi.ResourceOptions(parent=parent)
    alarms = [made_alarm(name, dataclasses.replace(alarm, key=f"canary-{alarm.key}"), child) for alarm in
              watch_logic.api_alarms(f"{name} canary", api.name, canary_stage(stage.stage_name), latency_p99_ms)]
    made = [alarm.made for alarm in alarms]
    release = StageCanary(f"{name}-canary-release", rest_api_id=api.id, stage_name=stage.stage_name,
                          deployment_id=deployment.id, bake_seconds=bake_minutes * 60,
                          alarms=[alarm.name for alarm in made], aws=session_settings(provider_settings),
                          opts=pulumi.ResourceOptions(parent=parent, depends_on=[stage, *made, *after]))
    return alarms, release
