"""Issue 10: what a real `pulumi up` does that mocks alone would accept, asserted on both stacks.

Each test names the trap (DESIGN.md §6) it guards; the policy's MT-DEPLOY-* checks read
the same recordings (tests/policy/test_stacks.py).
"""

import json

import pytest

from multitier._declarations import contract
from multitier._settings.loader import SettingsError, settings_from_config
from local.engine import run_stack

STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
ACCOUNT = "aws:apigateway/account:Account"
FN = "aws:lambda/function:Function"
PROVIDER = "pulumi:providers:aws"


def stacks(dev_stack, prod_stack):
    return {"dev": dev_stack, "prod": prod_stack}


def env(rec, function_name):
    return next(r for r in rec.of_type(FN) if r.name == function_name).inputs["environment"]["variables"]


# --- 1. the account-level API Gateway CloudWatch role --------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_first_deploy_sets_the_account_role_before_any_stage_logs(request, stack):
    rec = request.getfixturevalue(f"{stack}_stack")
    account = rec.one(ACCOUNT)
    role = rec.by_urn(next(d for d in account.dependencies if rec.by_urn(d).type == "aws:iam/role:Role"))
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    # Destroying this stack resets nothing and deletes no role another stack's logging may use ...
    assert account.retain_on_delete and role.retain_on_delete
    assert rec.one("aws:iam/rolePolicy:RolePolicy", "apigateway-account").retain_on_delete
    # ... and no later up re-points the region's setting (two stacks never fight over it).
    assert account.ignore_changes == ["cloudwatchRoleArn"]
    assert role.inputs["tags"]["retained-after-destroy"] == "true"
    logged = rec.of_type(STAGE) + rec.of_type(METHOD_SETTINGS)
    assert len(logged) >= 12 and [r.name for r in logged if account.urn not in r.dependencies] == []
    assert rec.outputs["apigateway_account_role_arn"] == role.outputs["arn"]


def test_a_stack_may_rely_on_a_role_someone_else_set():
    rec = run_stack("dev", overrides={"multitier:apiAccountRole": "external"})
    assert rec.of_type(ACCOUNT) == [] and "apigateway_account_role_arn" not in rec.outputs
    assert not [r for r in rec.of_type("aws:iam/role:Role") if r.name.startswith("apigateway-account")]


def test_the_account_role_setting_names_its_choices():
    assert settings_from_config({}).api.account_role == "manage"
    with pytest.raises(SettingsError, match=r"apiAccountRole = 'shared'.*'manage' or 'external'"):
        settings_from_config({"multitier:apiAccountRole": "shared"})
    with pytest.raises(SettingsError, match="apiManageAccountRole.*unknown setting"):
        settings_from_config({"multitier:apiManageAccountRole": "true"})


# --- 2. schema migrations through an RDS Proxy ----------------------------------------------------------

def test_migrations_connect_to_the_writer_while_the_api_goes_through_the_proxy(prod_stack):
    cluster = prod_stack.one("aws:rds/cluster:Cluster")
    proxy = prod_stack.one("aws:rds/proxy:Proxy")
    assert env(prod_stack, "mobile-backend-migrate")[contract.DB_HOST.name] == cluster.outputs["endpoint"]
    assert env(prod_stack, "mobile-backend-info")[contract.DB_HOST.name] == proxy.outputs["endpoint"]


# --- 3. per-route method settings -----------------------------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_buying_tickets_has_its_own_escaped_method_setting(request, stack):
    rec = request.getfixturevalue(f"{stack}_stack")
    settings = rec.of_type(METHOD_SETTINGS)
    stage_rate = {s.inputs["restApi"]: s.inputs["settings"]["throttlingRateLimit"]
                  for s in settings if s.inputs["methodPath"] == "*/*"}
    purchases = [s for s in settings if s.inputs["methodPath"] == "~1tickets/POST"]
    apis_selling = {api.id for api in rec.of_type("aws:apigateway/restApi:RestApi")
                    if "/tickets" in json.loads(api.inputs["body"])["paths"]}
    assert {s.inputs["restApi"] for s in purchases} == apis_selling and len(apis_selling) == 4
    assert all(s.inputs["settings"]["throttlingRateLimit"] < stage_rate[s.inputs["restApi"]] for s in purchases)
    assert all(s.inputs["methodPath"] == "*/*" or s.inputs["methodPath"].startswith("~1") for s in settings)


# --- 4. fixed names on replace-prone resources ------------------------------------------------------------

def test_replace_prone_resources_are_autonamed_or_renamed_by_what_replaces_them(prod_stack):
    proxy = prod_stack.one("aws:rds/proxy:Proxy")
    assert "name" not in proxy.inputs and proxy.outputs["name"].startswith("mobile-backend-db-proxy-")
    # ElastiCache ids cannot be autonamed: they name the stack and the engine (tests/unit/tiers/test_cache.py).
    users = prod_stack.of_type("aws:elasticache/user:User") + prod_stack.of_type("aws:elasticache/userGroup:UserGroup")
    assert len(users) == 4
    assert all((r.inputs.get("userId") or r.inputs["userGroupId"]).endswith("-valkey-prod") for r in users)


def test_each_cluster_names_its_own_final_snapshot(prod_stack):
    # A random part renewed by every input that replaces the cluster (tests/unit/tiers/test_database.py)
    cluster = prod_stack.one("aws:rds/cluster:Cluster")
    suffix = prod_stack.one("random:index/randomId:RandomId", "mobile-backend-db")
    assert cluster.inputs["finalSnapshotIdentifier"] == f"mobile-backend-db-final-{suffix.outputs['hex']}"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_dependency_layers_are_named_per_stack(request, stack):
    layers = request.getfixturevalue(f"{stack}_stack").of_type("aws:lambda/layerVersion:LayerVersion")
    assert sorted(layer.inputs["layerName"] for layer in layers) == [
        f"multitier-{stack}-deps-{group}" for group in ("base", "jwt", "postgres", "redis")]


# --- 6. every aws:* setting reaches every provider ------------------------------------------------------

AWS_SETTINGS = {"aws:profile": "ops", "aws:allowedAccountIds": ["111122223333"],
                "aws:assumeRoles": [{"roleArn": "arn:aws:iam::111122223333:role/deploy", "sessionName": "multitier"}],
                "aws:defaultTags": {"tags": {"team": "tickets"}}, "aws:skipMetadataApiCheck": "true",
                "aws:sharedCredentialsFiles": ["/etc/aws/credentials"]}


def test_every_provider_carries_every_aws_setting_and_the_us_east_1_ones_keep_their_region():
    rec = run_stack("prod", overrides={**AWS_SETTINGS, "aws:region": "eu-west-1"})
    providers = rec.of_type(PROVIDER)
    assert len(providers) == 3  # the stack's, and the us-east-1 ones of the CloudFront site and the Amplify app
    for provider in providers:
        p = provider.inputs
        assert p["profile"] == "ops" and json.loads(p["allowedAccountIds"]) == ["111122223333"]
        assert json.loads(p["assumeRoles"]) == AWS_SETTINGS["aws:assumeRoles"]
        assert json.loads(p["skipMetadataApiCheck"]) is True
        assert json.loads(p["sharedCredentialsFiles"]) == ["/etc/aws/credentials"]
        assert json.loads(p["defaultTags"])["tags"] == {"team": "tickets", "project": "multitier", "stack": "prod",
                                                        "managed-by": "pulumi"}
    assert {p.name: p.inputs["region"] for p in providers} == {
        "aws": "eu-west-1", "single-page-app-site-us-east-1": "us-east-1", "web-app-amplify-us-east-1": "us-east-1"}
    # The engine fabricates each resource in its provider's region, as AWS would create it.
    assert {c.outputs["arn"].split(":")[3] for c in rec.of_type("aws:acm/certificate:Certificate")
            if c.parent_name.endswith("-site")} == {"us-east-1"}
    assert rec.one("aws:rds/cluster:Cluster").outputs["arn"].split(":")[3] == "eu-west-1"


def test_a_misspelt_provider_setting_stops_the_program():
    with pytest.raises(SettingsError, match=r"aws:regoin = 'eu-west-1'.*not a setting of the AWS provider"):
        run_stack("dev", overrides={"aws:regoin": "eu-west-1"})


def test_prod_refuses_every_account_but_the_one_it_names(prod_stack):
    placeholder = json.loads(prod_stack.one(PROVIDER, "aws").inputs["allowedAccountIds"])
    assert placeholder == ["000000000000"]  # replaced before the first real deploy (README)
    assert all(json.loads(p.inputs["allowedAccountIds"]) == placeholder for p in prod_stack.of_type(PROVIDER))


# --- 7. a permission naming an alias depends on it ----------------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_alias_permission_waits_for_its_alias(request, stack):
    rec = request.getfixturevalue(f"{stack}_stack")
    aliases = {a.inputs["functionName"]: a.urn for a in rec.of_type("aws:lambda/alias:Alias")}
    permissions = [p for p in rec.of_type("aws:lambda/permission:Permission") if p.inputs.get("qualifier") == "live"]
    assert len(permissions) >= 40
    assert [p.name for p in permissions if aliases[p.inputs["function"]] not in p.dependencies] == []


# --- 8. engine upgrades AWS applies on purpose ------------------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_automatic_minor_engine_upgrades_are_not_undone(request, stack):
    rec = request.getfixturevalue(f"{stack}_stack")
    assert rec.one("aws:rds/cluster:Cluster").ignore_changes == ["engineVersion"]
    assert rec.one("aws:rds/clusterInstance:ClusterInstance").ignore_changes == ["engineVersion"]


# --- 9. one VPC per stack ------------------------------------------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_patterns_share_one_network(request, stack):
    rec = request.getfixturevalue(f"{stack}_stack")
    vpc = rec.one("awsx:ec2:Vpc")
    assert vpc.name == "network" and vpc.parent_name == "network"
    private = {r.inputs["vpcId"] for r in rec.of_type("aws:ec2/securityGroup:SecurityGroup")}
    assert private == {vpc.outputs["vpcId"]}
    services = sorted(e.inputs["serviceName"] for e in rec.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"))
    assert services == ["com.amazonaws.us-east-1.secretsmanager", "com.amazonaws.us-east-1.xray"]  # each paid once


def test_the_xray_endpoint_is_there_only_for_traced_functions_without_nat():
    def endpoints(**overrides):
        rec = run_stack("dev", overrides={"multitier:patterns": ["mobile_backend"], **overrides})
        return sorted(e.inputs["serviceName"].rsplit(".", 1)[1] for e in rec.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"))

    assert endpoints() == ["secretsmanager", "xray"]
    assert endpoints(**{"multitier:lambdaTracing": False}) == ["secretsmanager"]
    assert endpoints(**{"multitier:networkNat": "single"}) == ["secretsmanager"]


def test_a_stack_without_private_data_has_no_network():
    rec = run_stack("dev", overrides={"multitier:patterns": ["web_app", "microservices"]})
    assert rec.of_type("awsx:ec2:Vpc") == [] and rec.of_type("multitier:network:Network") == []


# --- 10. one URN per resource ------------------------------------------------------------------------------

def test_a_function_and_a_table_of_one_name_each_get_their_own_alarms(prod_stack):
    alarms = prod_stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert len({a.urn for a in alarms}) == len(alarms)
    watched = {(a.inputs["namespace"], a.inputs["metricName"], json.dumps(a.inputs["dimensions"], sort_keys=True))
               for a in alarms}
    function = next(r for r in prod_stack.of_type(FN) if r.name == "mobile-backend-shows")
    table = prod_stack.one("aws:dynamodb/table:Table", "mobile-backend-shows")
    assert ("AWS/Lambda", "Throttles", json.dumps({"FunctionName": function.outputs["name"]})) in watched
    assert ("AWS/DynamoDB", "ReadThrottleEvents", json.dumps({"TableName": table.outputs["name"]})) in watched


# --- 12. each function gets exactly what its service's contract declares ------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_function_is_given_a_variable_its_contract_does_not_declare(request, stack):
    rec = request.getfixturevalue(f"{stack}_stack")
    for function in rec.of_type(FN):
        variables = function.inputs["environment"]["variables"]
        declared = contract.CONTRACTS[variables[contract.POWERTOOLS_SERVICE_NAME.name]].names
        assert set(variables) - set(declared) == set(), function.name


# --- 11. gateway errors readable from every allowed origin ------------------------------------------------

def test_with_several_origins_every_gateway_error_names_the_callers_origin():
    from policy import recorded
    from policy.rules import RULES

    config = {"multitier:apiCorsOrigins": ["https://tickets.example.com", "https://www.tickets.example.com"]}
    rec = run_stack("dev", overrides=config)
    for api in rec.of_type("aws:apigateway/restApi:RestApi"):
        responses = json.loads(api.inputs["body"])["x-amazon-apigateway-gateway-responses"]
        assert {r["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
                for r in responses.values()} == {"method.request.header.Origin"}, api.name
    stack = recorded.to_stack(rec, "dev", config)
    assert RULES["MT-OPENAPI-4"].evaluate(stack) == ([], [])
