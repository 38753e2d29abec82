"""Releases as both stacks register them (multitier/release): what judges, moves and checks a new version."""

from __future__ import annotations

import json

import pytest

from local import engine
from multitier._release.function_release import deployment_group_arn
from multitier._release.shift import LAMBDA_CONFIGS, TrafficShift
from multitier._settings.loader import SettingsError

FN = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
PERMISSION = "aws:lambda/permission:Permission"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
APP = "aws:codedeploy/application:Application"
DEPLOYMENT = "pulumi-python:dynamic/release:LambdaDeployment"
CANARY = "pulumi-python:dynamic/release:StageCanary"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
STAGE = "aws:apigateway/stage:Stage"


def behind_an_api(stack) -> dict[str, object]:
    invoked = {p.inputs["function"] for p in stack.of_type(PERMISSION)
               if p.inputs["principal"] == "apigateway.amazonaws.com"}
    return {f.outputs["name"]: f for f in stack.of_type(FN) if f.outputs["name"] in invoked}


def release_of(stack, function_name: str):
    deployment = next(d for d in stack.of_type(DEPLOYMENT) if d.inputs["function_name"] == function_name)
    group = next(g for g in stack.of_type(GROUP) if g.inputs["appName"] == deployment.inputs["application"])
    return deployment, group


def alarms_by_name(stack) -> dict:
    return {a.outputs["name"]: a for a in stack.of_type(ALARM)}


@pytest.mark.parametrize("stack_name, config", [("dev", "AllAtOnce"), ("prod", "Canary10Percent5Minutes")])
def test_every_function_behind_an_api_is_released_by_codedeploy_as_its_stack_says(request, stack_name, config):
    stack = request.getfixturevalue(f"{stack_name}_stack")
    released = behind_an_api(stack)
    assert {d.inputs["function_name"] for d in stack.of_type(DEPLOYMENT)} == set(released)
    assert len(released) == 14  # 3 + 4 (with the authorizer) + 4 + 3: every function an API invokes
    for name, function in released.items():
        deployment, group = release_of(stack, name)
        assert group.inputs["deploymentConfigName"] == f"CodeDeployDefault.Lambda{config}"
        assert group.inputs["deploymentStyle"] == {"deploymentOption": "WITH_TRAFFIC_CONTROL",
                                                   "deploymentType": "BLUE_GREEN"}
        assert group.inputs["autoRollbackConfiguration"] == {
            "enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
        application = next(a for a in stack.of_type(APP) if a.outputs["name"] == group.inputs["appName"])
        assert application.inputs["computePlatform"] == "Lambda" and application.outputs["name"] == name
        assert application.inputs["tags"]["service"] == function.inputs["environment"]["variables"][
            "POWERTOOLS_SERVICE_NAME"]  # what `python -m local release --service` selects by
        # It releases the version the function publishes now, behind `live`, and waits long enough for the shift.
        assert deployment.inputs["target_version"] == function.outputs["version"]
        assert deployment.inputs["alias"] == "live"
        assert deployment.inputs["timeout_seconds"] == (TrafficShift.parse(config).total_minutes + 20) * 60
        assert deployment.inputs["aws"]["region"] == "us-east-1"


def test_a_new_version_is_judged_by_its_own_errors_and_duration_and_its_apis_5xx_rate(prod_stack):
    alarms = alarms_by_name(prod_stack)
    for name, function in behind_an_api(prod_stack).items():
        deployment, group = release_of(prod_stack, name)
        judges = [alarms[n] for n in group.inputs["alarmConfiguration"]["alarms"]]
        assert group.inputs["alarmConfiguration"]["enabled"] is True
        assert deployment.inputs["alarms"] == group.inputs["alarmConfiguration"]["alarms"]
        by_metric = {a.inputs["metricName"]: a for a in judges}
        assert set(by_metric) == {"Errors", "Duration", "5XXError"}
        version = {"FunctionName": name, "Resource": f"{name}:live", "ExecutedVersion": function.outputs["version"]}
        assert by_metric["Errors"].inputs["dimensions"] == version and by_metric["Errors"].inputs["threshold"] == 0
        assert by_metric["Duration"].inputs["dimensions"] == version
        assert by_metric["Duration"].inputs["threshold"] == function.inputs["timeout"] * 1000 * 0.8
        assert by_metric["5XXError"].inputs["statistic"] == "Average"
        # They judge; they notify no one (the failed `pulumi up` says what happened).
        assert all(a.inputs.get("alarmActions") is None for a in judges)


def test_codedeploy_may_move_only_the_alias_read_only_its_alarms_and_run_only_the_hook(prod_stack):
    alarms = alarms_by_name(prod_stack)
    aliases = {(a.inputs["functionName"], a.inputs["name"]): a for a in prod_stack.of_type(ALIAS)}
    for name in behind_an_api(prod_stack):
        deployment, group = release_of(prod_stack, name)
        role = next(r for r in prod_stack.of_type("aws:iam/role:Role") if r.outputs["arn"] == group.inputs["serviceRoleArn"])
        assert json.loads(role.inputs["assumeRolePolicy"])["Statement"] == [{
            "Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        assert not role.inputs.get("managedPolicyArns")
        policy = next(p for p in prod_stack.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id)
        statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
        assert statements["MoveTheAlias"]["Action"] == ["lambda:GetAlias", "lambda:GetProvisionedConcurrencyConfig",
                                                        "lambda:UpdateAlias"]
        assert statements["MoveTheAlias"]["Resource"] == [aliases[(name, "live")].outputs["arn"]]
        assert statements["ReadTheAlarms"]["Resource"] == [
            alarms[n].outputs["arn"] for n in group.inputs["alarmConfiguration"]["alarms"]]
        hook = deployment.inputs["hooks"]
        if hook:
            hook_fn = next(f for f in prod_stack.of_type(FN) if f.outputs["name"] == hook["BeforeAllowTraffic"])
            assert statements["RunTheHook"] == {"Sid": "RunTheHook", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                                                "Resource": [hook_fn.outputs["arn"]]}
        else:
            assert "RunTheHook" not in statements


def test_pulumi_ignores_what_codedeploy_moves_and_only_on_released_aliases(dev_stack):
    released = behind_an_api(dev_stack)
    for alias in dev_stack.of_type(ALIAS):
        moved = alias.inputs["functionName"] in released
        assert set(alias.ignore_changes) == ({"functionVersion", "routingConfig"} if moved else set()), alias.name
        # A first deploy: the alias starts at the version the function publishes.
        function = next(f for f in dev_stack.of_type(FN) if f.outputs["name"] == alias.inputs["functionName"])
        assert alias.inputs["functionVersion"] == function.outputs["version"]


def test_the_release_check_asks_each_version_a_get_of_its_own_routes(prod_stack):
    hooks = [f for f in prod_stack.of_type(FN) if "release-check" in f.name]
    assert len(hooks) == 4  # one per pattern
    functions = {f.outputs["name"]: f for f in prod_stack.of_type(FN)}
    for hook in hooks:
        checks = json.loads(hook.inputs["environment"]["variables"]["RELEASE_CHECKS"])
        assert all(e["httpMethod"] == "GET" and "{" not in e["path"] for e in checks.values())
        for name, event in checks.items():
            deployment, _ = release_of(prod_stack, name)
            assert deployment.inputs["hooks"] == {"BeforeAllowTraffic": hook.outputs["name"],
                                                  "AfterAllowTraffic": hook.outputs["name"]}
        policy = next(p for p in prod_stack.of_type("aws:iam/rolePolicy:RolePolicy")
                      if p.inputs["role"] == hook.inputs["role"].rsplit("/", 1)[-1])
        statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
        assert statements["InvokeTheNewVersions"]["Resource"] == [functions[n].outputs["qualifiedArn"] for n in checks]
        assert statements["ReportToCodeDeploy"]["Resource"] == [
            deployment_group_arn(functions[n].outputs["arn"]) for n in checks]
        assert statements["ReportToCodeDeploy"]["Action"] == ["codedeploy:GetDeployment",
                                                              "codedeploy:PutLifecycleEventHookExecutionStatus"]
    checked = {n for h in hooks for n in json.loads(h.inputs["environment"]["variables"]["RELEASE_CHECKS"])}
    paths = {json.loads(h.inputs["environment"]["variables"]["RELEASE_CHECKS"])[n]["path"] for h in hooks for n in
             json.loads(h.inputs["environment"]["variables"]["RELEASE_CHECKS"])}
    assert paths == {"/shows", "/tickets", "/info"}
    # Without a parameterless GET of its own (the authorizer, the web app's admin and mapped /info): no hook.
    unchecked = set(behind_an_api(prod_stack)) - checked
    assert {functions[n].name for n in unchecked} == {"single-page-app-authorizer", "web-app-admin", "web-app-info"}
    assert all(not release_of(prod_stack, n)[0].inputs["hooks"] for n in unchecked)


def test_the_group_arn_the_hook_is_granted_is_the_groups():
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:shows-abc1234"
    assert deployment_group_arn(arn) == "arn:aws:codedeploy:eu-west-1:111122223333:deploymentgroup:shows-abc1234/live"


def test_the_stage_canary_is_baked_and_judged_by_the_canarys_own_metrics(prod_stack, dev_stack):
    assert dev_stack.of_type(CANARY) == []  # no canary in dev (apiCanaryPercent 0)
    alarms = alarms_by_name(prod_stack)
    stages = prod_stack.of_type(STAGE)
    assert len(prod_stack.of_type(CANARY)) == len(stages) == 6
    for stage in stages:
        canary = next(c for c in prod_stack.of_type(CANARY) if c.inputs["rest_api_id"] == stage.inputs["restApi"])
        assert canary.inputs["stage_name"] == "prod" and canary.inputs["bake_seconds"] == 600
        assert canary.inputs["deployment_id"] == stage.inputs["deployment"]
        assert set(stage.ignore_changes) == {"deployment", "canarySettings.deploymentId"}
        judges = [alarms[n] for n in canary.inputs["alarms"]]
        assert {a.inputs["metricName"] for a in judges} == {"5XXError", "Latency"}
        assert all(a.inputs["dimensions"]["Stage"] == "prod/Canary" for a in judges)


def test_a_service_may_be_released_its_own_way(run):
    rec = engine.run_stack("dev", overrides={"multitier:releaseServices": '["tickets=Linear10PercentEvery1Minute"]'})
    for deployment in rec.of_type(DEPLOYMENT):
        _, group = release_of(rec, deployment.inputs["function_name"])
        function = next(f for f in rec.of_type(FN) if f.outputs["name"] == deployment.inputs["function_name"])
        service = function.inputs["environment"]["variables"]["POWERTOOLS_SERVICE_NAME"]
        expected = "Linear10PercentEvery1Minute" if service == "tickets" else "AllAtOnce"
        assert group.inputs["deploymentConfigName"] == f"CodeDeployDefault.Lambda{expected}"


@pytest.mark.parametrize("overrides, message", [
    ({"multitier:releaseFunctions": "Canary50Percent1Minute"}, "multitier:releaseFunctions = 'Canary50Percent1Minute'"),
    ({"multitier:releaseServices": '["tickets"]'}, "must be service=configuration"),
    ({"multitier:releaseServices": '["tickets=Slowly"]'}, "must be service=configuration"),
    ({"multitier:releaseServices": '["seats=AllAtOnce"]'}, "releaseServices names seats, which no function runs"),
    ({"multitier:releaseApiBakeMinutes": "2"}, "multitier:releaseApiBakeMinutes = '2'"),
])
def test_a_bad_release_setting_stops_the_program_naming_it(overrides, message):
    with pytest.raises((SettingsError, ValueError), match=message.replace("[", r"\[").replace("(", r"\(")):
        engine.run_stack("dev", overrides=overrides)


def test_the_shifts_follow_codedeploys_schedules():
    assert TrafficShift.parse("AllAtOnce").steps() == [(0.0, 100.0)]
    assert TrafficShift.parse("CodeDeployDefault.LambdaCanary10Percent5Minutes").steps() == [(0.0, 10.0), (5.0, 100.0)]
    linear = TrafficShift.parse("Linear10PercentEvery2Minutes")
    assert linear.steps()[:2] == [(0.0, 10.0), (2.0, 20.0)] and linear.steps()[-1] == (18.0, 100.0)
    assert all(TrafficShift.parse(name).config_name == f"CodeDeployDefault.Lambda{name}" for name in LAMBDA_CONFIGS)
    with pytest.raises(ValueError, match="not one of CodeDeploy's predefined Lambda configurations"):
        TrafficShift.parse("Canary25Percent1Minute")
