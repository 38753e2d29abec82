"""What ``pulumi up`` does on AWS for a release (multitier/release/deploy.py), against stubbed AWS APIs.

A function release: the alias's current version, a CodeDeploy deployment to the new one (the AppSpec
naming both and the hooks), waiting, and a failure naming the deployment and the alarms when CodeDeploy
rolls back. A stage canary: the canary moved to the new deployment, the bake with its alarms, then the
promotion, or the canary moved back and a failure naming the alarm.
"""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from botocore.stub import Stubber

from multitier._release import deploy
from multitier._release.deploy import ReleaseFailed, bake_canary, release_version

RELEASE = {"application": "shows-fn", "deployment_group": "live", "function_name": "shows-fn", "alias": "live",
           "target_version": "4", "config": "CodeDeployDefault.LambdaCanary10Percent5Minutes", "timeout_seconds": 1500,
           "alarms": ["shows-errors", "shows-duration", "api-5xx"],
           "hooks": {"BeforeAllowTraffic": "hook-fn", "AfterAllowTraffic": "hook-fn"}}
CANARY = {"rest_api_id": "api1", "stage_name": "prod", "deployment_id": "d2", "bake_seconds": 600,
          "alarms": ["api-canary-5xx", "api-canary-latency"]}


class Clock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def aws():
    clients = {service: boto3.client(service, region_name="us-east-1", aws_access_key_id="x",
                                     aws_secret_access_key="x")
               for service in ("lambda", "codedeploy", "cloudwatch", "apigateway")}
    stubs = {service: Stubber(client) for service, client in clients.items()}
    for stub in stubs.values():
        stub.activate()
    yield clients.__getitem__, stubs
    for stub in stubs.values():
        stub.assert_no_pending_responses()


def alarms(*in_alarm: str, names=RELEASE["alarms"]) -> dict:
    return {"MetricAlarms": [{"AlarmName": n, "StateValue": "ALARM" if n in in_alarm else "OK"} for n in names]}


def expect_deployment(stubs, *statuses: dict) -> None:
    stubs["lambda"].add_response("get_alias", {"FunctionVersion": "3", "Name": "live"},
                                 {"FunctionName": "shows-fn", "Name": "live"})
    content = deploy.appspec("shows-fn", "live", "3", "4", RELEASE["hooks"])
    stubs["codedeploy"].add_response("create_deployment", {"deploymentId": "d-ABC"}, {
        "applicationName": "shows-fn", "deploymentGroupName": "live",
        "description": "shows-fn:live from version 3 to 4 (CodeDeployDefault.LambdaCanary10Percent5Minutes)",
        "revision": {"revisionType": "AppSpecContent", "appSpecContent": {
            "content": content, "sha256": hashlib.sha256(content.encode()).hexdigest()}}})
    for status in statuses:
        stubs["codedeploy"].add_response("get_deployment", {"deploymentInfo": status}, {"deploymentId": "d-ABC"})


def test_the_appspec_names_the_function_alias_versions_and_hooks_in_order():
    spec = json.loads(deploy.appspec("fn", "live", "3", "4", {"AfterAllowTraffic": "b", "BeforeAllowTraffic": "a"}))
    assert spec["Resources"] == [{"release": {"Type": "AWS::Lambda::Function", "Properties": {
        "Name": "fn", "Alias": "live", "CurrentVersion": "3", "TargetVersion": "4"}}}]
    assert spec["Hooks"] == [{"BeforeAllowTraffic": "a"}, {"AfterAllowTraffic": "b"}]
    assert "Hooks" not in json.loads(deploy.appspec("fn", "live", "3", "4", {}))


def test_a_first_deploy_has_nothing_to_shift(aws):
    client_of, stubs = aws
    stubs["lambda"].add_response("get_alias", {"FunctionVersion": "4"}, {"FunctionName": "shows-fn", "Name": "live"})
    outs = release_version(client_of, RELEASE, sleep=Clock().sleep)
    assert outs["live_version"] == "4" and outs["deployment_id"] == ""


def test_a_release_waits_for_codedeploy_and_succeeds_with_it(aws):
    client_of, stubs = aws
    expect_deployment(stubs, {"status": "InProgress"}, {"status": "InProgress"}, {"status": "Succeeded"})
    clock = Clock()
    outs = release_version(client_of, RELEASE, sleep=clock.sleep, clock=clock)
    assert outs["live_version"] == "4" and outs["deployment_id"] == "d-ABC"
    assert clock.now == 2 * deploy.POLL_SECONDS


def test_a_rollback_fails_the_update_naming_the_deployment_and_the_alarm(aws):
    client_of, stubs = aws
    expect_deployment(stubs, {"status": "InProgress"}, {
        "status": "Stopped", "errorInformation": {"code": "ALARM_ACTIVE", "message": "One or more alarms have been "
                                                  "activated"}, "rollbackInfo": {"rollbackDeploymentId": "d-RB"}})
    stubs["cloudwatch"].add_response("describe_alarms", alarms("shows-errors"),
                                     {"AlarmNames": RELEASE["alarms"], "AlarmTypes": ["MetricAlarm"]})
    with pytest.raises(ReleaseFailed) as failed:
        release_version(client_of, RELEASE, sleep=Clock().sleep)
    message = str(failed.value)
    assert "deployment d-ABC Stopped (ALARM_ACTIVE" in message and "alarms in ALARM: shows-errors" in message
    assert "rollback deployment d-RB" in message and "live serves version 3" in message


def test_a_release_past_its_time_is_stopped_and_rolled_back(aws):
    client_of, stubs = aws
    expect_deployment(stubs, *[{"status": "InProgress"}] * 102)
    stubs["codedeploy"].add_response("stop_deployment", {"status": "Pending"},
                                     {"deploymentId": "d-ABC", "autoRollbackEnabled": True})
    clock = Clock()
    with pytest.raises(ReleaseFailed, match="took longer than 1500 s; stopped and rolled back to version 3"):
        release_version(client_of, RELEASE, sleep=clock.sleep, clock=clock)


def expect_canary_start(stubs) -> None:
    stubs["apigateway"].add_response("get_stage", {"deploymentId": "d1", "stageName": "prod"},
                                     {"restApiId": "api1", "stageName": "prod"})
    stubs["apigateway"].add_response("update_stage", {}, {"restApiId": "api1", "stageName": "prod", "patchOperations": [
        {"op": "replace", "path": "/canarySettings/deploymentId", "value": "d2"}]})


def test_a_canary_baked_with_its_alarms_ok_is_promoted(aws):
    client_of, stubs = aws
    expect_canary_start(stubs)
    for _ in range(600 // deploy.POLL_SECONDS + 1):
        stubs["cloudwatch"].add_response("describe_alarms", alarms(names=CANARY["alarms"]),
                                         {"AlarmNames": CANARY["alarms"], "AlarmTypes": ["MetricAlarm"]})
    stubs["apigateway"].add_response("update_stage", {}, {"restApiId": "api1", "stageName": "prod", "patchOperations": [
        {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"}]})
    clock = Clock()
    assert bake_canary(client_of, CANARY, sleep=clock.sleep, clock=clock)["live_deployment"] == "d2"
    assert clock.now == 600


def test_a_canary_in_alarm_is_taken_back_and_fails_the_update(aws):
    client_of, stubs = aws
    expect_canary_start(stubs)
    request = {"AlarmNames": CANARY["alarms"], "AlarmTypes": ["MetricAlarm"]}
    stubs["cloudwatch"].add_response("describe_alarms", alarms(names=CANARY["alarms"]), request)
    stubs["cloudwatch"].add_response("describe_alarms", alarms("api-canary-5xx", names=CANARY["alarms"]), request)
    stubs["apigateway"].add_response("update_stage", {}, {"restApiId": "api1", "stageName": "prod", "patchOperations": [
        {"op": "replace", "path": "/canarySettings/deploymentId", "value": "d1"}]})
    clock = Clock()
    with pytest.raises(ReleaseFailed, match=r"canary deployment d2 rolled back \(alarms in ALARM: api-canary-5xx\); "
                                            r"the canary serves deployment d1 again"):
        bake_canary(client_of, CANARY, sleep=clock.sleep, clock=clock)
    assert clock.now == deploy.POLL_SECONDS


def test_a_stage_already_at_the_deployment_is_left_alone(aws):
    client_of, stubs = aws
    stubs["apigateway"].add_response("get_stage", {"deploymentId": "d2"}, {"restApiId": "api1", "stageName": "prod"})
    assert bake_canary(client_of, CANARY)["live_deployment"] == "d2"


def test_only_a_new_version_or_deployment_runs_a_release():
    provider = deploy._LambdaDeploymentProvider()
    olds = {**RELEASE, "target_version": "4", "live_version": "4", "deployment_id": "d-ABC", "aws": {"region": "a"}}
    assert not provider.diff("4", olds, {**RELEASE, "aws": {"region": "b"}}).changes  # another way to reach AWS
    assert provider.diff("4", olds, {**RELEASE, "target_version": "5"}).changes
    # a changed setting is recorded without a deployment (AWS is never called)
    outs = provider.update("4", olds, {**RELEASE, "timeout_seconds": 99}).outs
    assert outs["timeout_seconds"] == 99 and outs["deployment_id"] == "d-ABC"
