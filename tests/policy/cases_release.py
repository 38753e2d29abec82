"""Cases of the release rules (policy/rules/release.py): a function behind an API, its release, its group."""

from __future__ import annotations

from tests.policy.builders import res
from tests.policy.cases import FUNCTION, PERM, STAGE_OK, Case, changed

ALIAS = "aws:lambda/alias:Alias"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
RELEASE = "pulumi-python:dynamic/release:LambdaDeployment"
CANARY = "pulumi-python:dynamic/release:StageCanary"

INVOKED = res(PERM, "perm", {"function": "fn-0a1b2c3", "qualifier": "live", "principal": "apigateway.amazonaws.com"},
              deps=["fn-alias"])
ALIAS_OK = res(ALIAS, "fn-alias", {"name": "live", "functionName": "fn-0a1b2c3", "functionVersion": "1"},
               ignore=("functionVersion", "routingConfig"))
GROUP_OK = res(GROUP, "fn-group", {
    "appName": "fn-0a1b2c3", "deploymentGroupName": "live",
    "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    "deploymentStyle": {"deploymentOption": "WITH_TRAFFIC_CONTROL", "deploymentType": "BLUE_GREEN"},
    "alarmConfiguration": {"enabled": True, "alarms": ["fn-errors-0a1b2c3"]},
    "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}})
RELEASE_OK = res(RELEASE, "fn-deployment", {"application": "fn-0a1b2c3", "deployment_group": "live",
                                            "function_name": "fn-0a1b2c3", "alias": "live", "target_version": "1"},
                 deps=["fn-alias", "fn-group"])
RELEASED = [FUNCTION, INVOKED, ALIAS_OK, GROUP_OK, RELEASE_OK]
CANARY_STAGE = changed(STAGE_OK, canarySettings={"deploymentId": "d1", "percentTraffic": 10})
CANARY_STAGE.ignore = ("deployment", "canarySettings.deploymentId")
CANARY_OK = res(CANARY, "api-canary-release", {"rest_api_id": "api1", "stage_name": "prod", "deployment_id": "d1",
                                               "bake_seconds": 600, "alarms": ["canary-5xx"]}, deps=["api-stage"])

RELEASE_CASES = {
    "MT-RELEASE-1": Case(RELEASED, [FUNCTION, INVOKED, ALIAS_OK, changed(
        GROUP_OK, deploymentConfigName="CodeDeployDefault.LambdaAllAtOnce"), RELEASE_OK]),
    "MT-RELEASE-2": Case([*RELEASED, CANARY_STAGE, CANARY_OK], [*RELEASED, CANARY_STAGE]),
}
