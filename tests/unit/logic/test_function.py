"""Function: own role, least privilege, log group first, tracing, alias, links, VPC."""

import json

import pytest

from multitier._iam import Statement
from multitier._logic.function import ENI_ACTIONS, RUNTIME, Function, FunctionArgs, FunctionRuntime
from multitier._logic.link import Link, NetworkAccess

DEFAULTS = FunctionRuntime()

FN = "aws:lambda/function:Function"
POLICY = "aws:iam/rolePolicy:RolePolicy"


def make(functions_dir, **extra):
    return lambda: Function("hello", FunctionArgs(service="hello", functions_dir=functions_dir, **extra))


def statements(recording):
    return json.loads(recording.one(POLICY).inputs["policy"])["Statement"]


def test_role_trusts_only_lambda_and_has_no_managed_policies(run, functions_dir):
    rec = run(make(functions_dir))
    role = rec.one("aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                   "Action": "sts:AssumeRole"}]
    assert "managedPolicyArns" not in role.inputs
    assert rec.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") == []


def test_policy_grants_logs_on_its_own_group_and_xray_only(run, functions_dir):
    rec = run(make(functions_dir))
    log_group = rec.one("aws:cloudwatch/logGroup:LogGroup")
    by_sid = {s["Sid"]: s for s in statements(rec)}
    assert set(by_sid) == {"Logs", "Tracing"}
    assert by_sid["Logs"]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert by_sid["Logs"]["Resource"] == [log_group.outputs["arn"] + ":*"]
    assert by_sid["Tracing"]["Action"] == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]


def test_log_group_exists_before_the_function_with_retention(run, functions_dir):
    rec = run(make(functions_dir))
    log_group, function = rec.one("aws:cloudwatch/logGroup:LogGroup"), rec.one(FN)
    assert log_group.inputs["namePrefix"] == "/aws/lambda/hello-"
    assert log_group.inputs["retentionInDays"] == DEFAULTS.log_retention_days
    assert function.inputs["loggingConfig"]["logGroup"] == log_group.outputs["name"]
    assert log_group.urn in function.dependencies
    assert rec.one(POLICY).urn in function.dependencies


def test_function_defaults(run, functions_dir):
    function = run(make(functions_dir)).one(FN).inputs
    assert function["runtime"] == RUNTIME == "python3.14"
    assert function["architectures"] == ["arm64"]
    assert function["tracingConfig"] == {"mode": "Active"}
    assert function["timeout"] == DEFAULTS.timeout_seconds
    assert function["memorySize"] == DEFAULTS.memory_mb
    assert function["publish"] is True
    assert function["handler"] == "app.handler"
    assert function["environment"]["variables"]["POWERTOOLS_SERVICE_NAME"] == "hello"
    assert "vpcConfig" not in function


def test_alias_points_at_the_published_version(run, functions_dir):
    rec = run(make(functions_dir))
    alias = rec.one("aws:lambda/alias:Alias").inputs
    function = rec.one(FN).outputs
    assert alias["name"] == "live"
    assert alias["functionName"] == function["name"]
    assert alias["functionVersion"] == function["version"]


def test_timeout_behind_an_api_must_stay_below_29_seconds(run, functions_dir):
    with pytest.raises(ValueError, match="below API Gateway's 29s"):
        run(make(functions_dir, runtime=FunctionRuntime(timeout_seconds=29)))
    rec = run(make(functions_dir, runtime=FunctionRuntime(timeout_seconds=60), behind_api=False))
    assert rec.one(FN).inputs["timeout"] == 60


def test_secret_looking_environment_is_refused(run, functions_dir):
    with pytest.raises(ValueError, match="DB_PASSWORD looks like a secret"):
        run(make(functions_dir, environment={"DB_PASSWORD": "hunter2"}))
    rec = run(make(functions_dir, environment={"DB_SECRET_ARN": "arn:aws:secretsmanager:x"}))
    assert rec.one(FN).inputs["environment"]["variables"]["DB_SECRET_ARN"] == "arn:aws:secretsmanager:x"


def test_links_add_exact_statements_and_environment(run, functions_dir):
    link = Link(statements=[Statement(["dynamodb:GetItem"], ["arn:aws:dynamodb:us-east-1:1:table/t"], "Shows")],
                env={"SHOWS_TABLE": "t"})
    rec = run(make(functions_dir, links=[link]))
    by_sid = {s["Sid"]: s for s in statements(rec)}
    assert by_sid["Shows"] == {"Sid": "Shows", "Effect": "Allow", "Action": ["dynamodb:GetItem"],
                               "Resource": ["arn:aws:dynamodb:us-east-1:1:table/t"]}
    assert rec.one(FN).inputs["environment"]["variables"]["SHOWS_TABLE"] == "t"


def test_network_link_puts_the_function_in_the_vpc_with_its_own_group(run, functions_dir):
    network = NetworkAccess(vpc_id="vpc-1", subnet_ids=["subnet-a", "subnet-b"], security_group_id="sg-db",
                            port=5432, description="PostgreSQL")
    rec = run(make(functions_dir, links=[Link(network=network)]))
    group = rec.one("aws:ec2/securityGroup:SecurityGroup")
    vpc = rec.one(FN).inputs["vpcConfig"]
    assert vpc == {"subnetIds": ["subnet-a", "subnet-b"], "securityGroupIds": [group.id]}
    assert "ingress" not in group.inputs and "egress" not in group.inputs
    ingress = rec.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs
    assert (ingress["securityGroupId"], ingress["referencedSecurityGroupId"], ingress["fromPort"],
            ingress["toPort"]) == ("sg-db", group.id, 5432, 5432)
    egress = {r.inputs.get("referencedSecurityGroupId") or r.inputs.get("cidrIpv4"): r.inputs["fromPort"]
              for r in rec.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")}
    assert egress == {"sg-db": 5432, "0.0.0.0/0": 443}
    eni = {s["Sid"]: s for s in statements(rec)}["VpcNetworkInterfaces"]
    assert eni["Action"] == sorted(ENI_ACTIONS) and eni["Resource"] == ["*"]


def test_children_are_parented_and_named_from_the_component(run, functions_dir):
    rec = run(make(functions_dir))
    component = rec.one("multitier:logic:Function")
    children = rec.children_of(component)
    assert {c.type for c in children} >= {FN, "aws:iam/role:Role", POLICY, "aws:lambda/alias:Alias",
                                         "aws:cloudwatch/logGroup:LogGroup"}
    assert all(c.name.startswith("hello") for c in children)


def test_x86_architecture_without_tracing(run, functions_dir):
    rec = run(make(functions_dir, runtime=FunctionRuntime(architecture="x86_64", tracing=False)))
    assert rec.one(FN).inputs["architectures"] == ["x86_64"]
    assert rec.one(FN).inputs["tracingConfig"] == {"mode": "PassThrough"}
    assert "Tracing" not in {s["Sid"] for s in statements(rec)}
