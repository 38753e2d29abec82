"""The whole program for dev and prod: the differences the settings promise, tags, reachability."""

import json
import re

import pytest

from multitier._settings.model import PATTERNS
from local.engine import run_stack, tree

FN = "aws:lambda/function:Function"


def values(rec, type_, key):
    return {r.name: r.inputs.get(key) for r in rec.of_type(type_)}


def test_both_stacks_build_all_four_patterns(dev_stack, prod_stack):
    for rec in (dev_stack, prod_stack):
        assert len(rec.of_type("multitier:patterns:MobileBackend")) == 1
        assert {k.split("_")[0] for k in rec.outputs} >= {"mobile", "single", "web", "microservices"}
        assert len(rec.of_type("aws:apigateway/restApi:RestApi")) == 6


def test_every_resource_is_reachable_from_the_stack_in_the_preview(dev_stack, prod_stack):
    for rec in (dev_stack, prod_stack):
        urns = {r.urn for r in rec.registrations}
        orphans = [r.name for r in rec.registrations if r.parent not in urns and "pulumi:pulumi:Stack" not in r.parent]
        assert orphans == []
        assert len(tree(rec)) == len(rec.registrations)
        for pattern in ("MobileBackend", "SinglePageApp", "WebApp", "Microservices"):
            component = rec.one(f"multitier:patterns:{pattern}")
            assert len(rec.descendants_of(component)) > 20


def test_log_retention_differs(dev_stack, prod_stack):
    for rec, days in ((dev_stack, 7), (prod_stack, 90)):
        function_logs = [r for r in rec.of_type("aws:cloudwatch/logGroup:LogGroup")
                         if r.inputs.get("namePrefix", "").startswith("/aws/lambda/")]
        assert function_logs and {r.inputs["retentionInDays"] for r in function_logs} == {days}
    assert {r.inputs["retentionInDays"] for r in prod_stack.of_type("aws:cloudwatch/logGroup:LogGroup")
            if r.inputs.get("namePrefix", "").startswith("/aws/apigateway/")} == {365}


def test_tables_pitr_and_deletion_protection_differ(dev_stack, prod_stack):
    for rec, on in ((dev_stack, False), (prod_stack, True)):
        tables = rec.of_type("aws:dynamodb/table:Table")
        assert len(tables) == 12
        assert all(t.inputs["pointInTimeRecovery"]["enabled"] is on for t in tables)
        assert all(t.inputs["deletionProtectionEnabled"] is on for t in tables)
        assert all(t.inputs["billingMode"] == "PAY_PER_REQUEST" and t.inputs["serverSideEncryption"]["enabled"]
                   for t in tables)


def test_buckets_force_destroy_only_in_dev(dev_stack, prod_stack):
    assert {r.inputs["forceDestroy"] for r in dev_stack.of_type("aws:s3/bucket:Bucket")} == {True}
    assert {r.inputs["forceDestroy"] for r in prod_stack.of_type("aws:s3/bucket:Bucket")} == {False}


def test_waf_only_in_prod_on_every_stage_and_site(dev_stack, prod_stack):
    assert dev_stack.of_type("aws:wafv2/webAcl:WebAcl") == []
    associations = {r.inputs["resourceArn"]: r.inputs["webAclArn"]
                    for r in prod_stack.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")}
    (amplify,) = prod_stack.of_type("aws:amplify/app:App")
    stages = {s.outputs["arn"] for s in prod_stack.of_type("aws:apigateway/stage:Stage")}
    assert set(associations) == stages | {amplify.outputs["arn"]}
    cloudfront_acls = [r for r in prod_stack.of_type("aws:wafv2/webAcl:WebAcl") if r.inputs["scope"] == "CLOUDFRONT"]
    distributions = prod_stack.of_type("aws:cloudfront/distribution:Distribution")
    # every site has its CLOUDFRONT-scope ACL: the distributions through web_acl_id, the Amplify app associated
    assert {d.inputs["webAclId"] for d in distributions} | {associations[amplify.outputs["arn"]]} == \
        {a.outputs["arn"] for a in cloudfront_acls}


def monitoring_alarms(stack):
    """The stack's alarms (not those a release makes to judge itself: tests/unit/test_releases.py)."""
    return [a for a in stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "multitier:ops:Alarms" in a.parent]


def test_alarms_in_both_stacks_for_every_function_api_and_table(dev_stack, prod_stack):
    # dev has alarms too (no one is notified: no e-mail): the dashboards draw them, local mode evaluates them.
    assert dev_stack.of_type("aws:sns/topicSubscription:TopicSubscription") == []
    for stack in (dev_stack, prod_stack):
        metrics = {}
        for alarm in monitoring_alarms(stack):
            metrics.setdefault(alarm.inputs["metricName"], []).append(alarm)
        # Every function, the migrations' too: a failed migration is an error of its function.
        functions = len(stack.of_type(FN))
        assert len(metrics["Errors"]) == len(metrics["Throttles"]) == len(metrics["Duration"]) == functions
        assert len(metrics["5XXError"]) == len(metrics["Latency"]) == 6
        assert {a.inputs["extendedStatistic"] for a in metrics["Latency"] + metrics["Duration"]} == {"p99"}
        assert {a.inputs["statistic"] for a in metrics["5XXError"]} == {"Average"}  # a rate, not a count
        assert len(metrics["ReadThrottleEvents"]) == len(metrics["WriteThrottleEvents"]) == 12
    alarms = monitoring_alarms(prod_stack)
    topic = prod_stack.one("aws:sns/topic:Topic")
    assert all(a.inputs["alarmActions"] == [topic.outputs["arn"]] for a in alarms)
    # CloudWatch can publish only to a topic whose key lets it: a customer-managed key.
    key = prod_stack.one("aws:kms/key:Key", "alarms")
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"] and key.inputs["enableKeyRotation"] is True
    grant = json.loads(key.inputs["policy"])["Statement"][1]
    assert grant["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert grant["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]  # exact: what SNS calls to encrypt
    assert grant["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    # The topic's own policy: CloudWatch publishes this account's alarms only, and only over TLS.
    statements = {s["Sid"]: s for s in json.loads(prod_stack.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
                  ["Statement"]}
    assert statements["CloudWatchPublishesAlarms"]["Condition"] == {
        "ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"},
        "StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert prod_stack.one("aws:sns/topicSubscription:TopicSubscription").inputs["endpoint"] == "ops@example.com"


def test_mfa_and_protection_differ(dev_stack, prod_stack):
    assert set(values(dev_stack, "aws:cognito/userPool:UserPool", "mfaConfiguration").values()) == {"OFF"}
    # optional, not on: with "on" every user must enrol a TOTP app at first sign-in (MFA_SETUP), which the site does not offer
    assert set(values(prod_stack, "aws:cognito/userPool:UserPool", "mfaConfiguration").values()) == {"OPTIONAL"}
    assert {r.protect for r in prod_stack.of_type("aws:cognito/userPool:UserPool")} == {True}
    assert {r.protect for r in dev_stack.of_type("aws:cognito/userPool:UserPool")} == {False}


def test_self_sign_up_only_in_dev_and_the_sites_know(dev_stack, prod_stack):
    # dev lets the site's "create account" screen work; prod pools take only administrator-created users
    assert {json.dumps(v) for v in values(dev_stack, "aws:cognito/userPool:UserPool",
                                          "adminCreateUserConfig").values()} == {'{"allowAdminCreateUserOnly": false}'}
    assert {json.dumps(v) for v in values(prod_stack, "aws:cognito/userPool:UserPool",
                                          "adminCreateUserConfig").values()} == {'{"allowAdminCreateUserOnly": true}'}
    for stack, allowed in ((dev_stack, True), (prod_stack, False)):
        configs = [json.loads(r.inputs["content"]) for r in stack.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
                   if r.inputs.get("key") == "config.json"]
        assert configs and {c["auth"]["selfSignUp"] for c in configs} == {allowed}


def test_aurora_capacity_and_backups_differ(dev_stack, prod_stack):
    dev = dev_stack.one("aws:rds/cluster:Cluster").inputs
    prod = prod_stack.one("aws:rds/cluster:Cluster").inputs
    assert dev["serverlessv2ScalingConfiguration"]["minCapacity"] == 0
    assert dev["serverlessv2ScalingConfiguration"]["maxCapacity"] == 2
    assert prod["serverlessv2ScalingConfiguration"]["minCapacity"] == 0.5
    assert prod["serverlessv2ScalingConfiguration"]["maxCapacity"] == 8
    assert (dev["backupRetentionPeriod"], prod["backupRetentionPeriod"]) == (1, 14)
    assert (dev["skipFinalSnapshot"], prod["skipFinalSnapshot"]) == (True, False)
    assert (dev["deletionProtection"], prod["deletionProtection"]) == (False, True)
    assert dev_stack.of_type("aws:rds/proxy:Proxy") == [] and len(prod_stack.of_type("aws:rds/proxy:Proxy")) == 1


def test_no_nat_gateway_in_either_stack(dev_stack, prod_stack):
    for rec in (dev_stack, prod_stack):
        assert {r.inputs["natGateways"]["strategy"] for r in rec.of_type("awsx:ec2:Vpc")} == {"None"}


def test_cache_size_differs(dev_stack, prod_stack):
    def storage(rec):
        return rec.one("aws:elasticache/serverlessCache:ServerlessCache").inputs["cacheUsageLimits"]["dataStorage"]
    assert (storage(dev_stack)["maximum"], storage(prod_stack)["maximum"]) == (1, 5)


def test_throttling_stage_and_canary_differ(dev_stack, prod_stack):
    def all_methods(rec):
        return [r.inputs["settings"] for r in rec.of_type("aws:apigateway/methodSettings:MethodSettings")
                if r.inputs["methodPath"] == "*/*"]
    assert {(s["throttlingRateLimit"], s["throttlingBurstLimit"]) for s in all_methods(dev_stack)} == {(20, 40)}
    assert {(s["throttlingRateLimit"], s["throttlingBurstLimit"]) for s in all_methods(prod_stack)} == {(200, 400)}
    assert {s.inputs["stageName"] for s in dev_stack.of_type("aws:apigateway/stage:Stage")} == {"dev"}
    assert all("canarySettings" not in s.inputs for s in dev_stack.of_type("aws:apigateway/stage:Stage"))
    assert {s.inputs["canarySettings"]["percentTraffic"] for s in prod_stack.of_type("aws:apigateway/stage:Stage")} \
        == {10}


def test_custom_domains_only_in_prod(dev_stack, prod_stack):
    assert dev_stack.of_type("aws:acm/certificate:Certificate") == []
    names = {r.inputs["domainName"] for r in prod_stack.of_type("aws:acm/certificate:Certificate")}
    assert names == {"api.tickets.example.com", "spa.tickets.example.com"}
    # the web app's front end is on Amplify, which validates and renews its own certificate
    assert dev_stack.of_type("aws:amplify/domainAssociation:DomainAssociation") == []
    association = prod_stack.one("aws:amplify/domainAssociation:DomainAssociation").inputs
    assert association["domainName"] == "tickets.example.com"
    assert [d["prefix"] for d in association["subDomains"]] == ["www"]


def test_project_and_stack_tags_through_the_provider(dev_stack):
    provider = dev_stack.one("pulumi:providers:aws", "aws")
    assert json.loads(provider.inputs["defaultTags"])["tags"] == {
        "project": "multitier", "stack": "dev", "managed-by": "pulumi"}
    stack_provider = f"{provider.urn}::{provider.id}"
    # everything uses the stack's provider, except what CloudFront needs in us-east-1 and the dynamic resources
    # (the Amplify deployment and the releases call boto3 with the stack's aws:* settings; the network layout
    # calls nothing)
    others = {r.type for r in dev_stack.registrations if r.custom and r.type != "pulumi:providers:aws"
              and r.provider != stack_provider}
    assert others <= {"aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
                      "aws:wafv2/webAcl:WebAcl", "pulumi-python:dynamic/amplify:Deployment",
                      "pulumi-python:dynamic/release:LambdaDeployment", "pulumi-python:dynamic/release:StageCanary",
                      "pulumi-python:dynamic/network:Layout"}


def test_pattern_and_component_tags_on_every_taggable_resource(dev_stack):
    tagged = [r for r in dev_stack.registrations if r.custom and "tags" in r.inputs]
    assert len(tagged) > 100
    by_pattern = {}
    for r in tagged:
        by_pattern.setdefault(r.inputs["tags"]["pattern"], 0)
        by_pattern[r.inputs["tags"]["pattern"]] += 1
        assert r.inputs["tags"]["component"].startswith(("multitier:", "shared")), r.name
    assert set(PATTERNS) <= set(by_pattern) <= set(PATTERNS) | {"shared"}
    assert all({"project", "stack"} <= set(r.inputs["tags"]) for r in tagged)


@pytest.mark.parametrize("function, groups", [
    ("mobile-backend-shows", ["base", "redis"]), ("single-page-app-tickets", ["base", "redis"]),
    ("web-app-browse", ["base", "redis"]), ("microservices-info", ["base", "postgres"]),
    ("single-page-app-authorizer", ["base", "jwt"]), ("mobile-backend-migrate", ["base", "postgres"])])
def test_functions_attach_their_services_layers_and_use_the_newest_runtime(dev_stack, function, groups):
    layers = {r.outputs["arn"]: r.name for r in dev_stack.of_type("aws:lambda/layerVersion:LayerVersion")}
    assert sorted(layers.values()) == ["deps-base", "deps-jwt", "deps-postgres", "deps-redis"]
    inputs = next(r for r in dev_stack.of_type(FN) if r.name == function).inputs
    assert [layers[arn] for arn in inputs["layers"]] == [f"deps-{group}" for group in groups]
    assert inputs["runtime"] == "python3.14"


# EC2's charset for security group and rule descriptions; anything else (an
# apostrophe, say) fails CreateSecurityGroup / AuthorizeSecurityGroup* at `pulumi up`.
SG_DESCRIPTION = r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=;{}!$*]{0,255}$"
SG_TYPES = ("aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")


def test_security_group_and_rule_descriptions_use_ec2s_charset(dev_stack, prod_stack):
    for rec in (dev_stack, prod_stack):
        described = [r for t in SG_TYPES for r in rec.of_type(t)]
        assert described
        bad = {r.name: r.inputs.get("description") for r in described
               if not re.match(SG_DESCRIPTION, r.inputs.get("description", ""))}
        assert bad == {}



def test_federation_is_off_in_both_stacks_and_reaches_every_user_pool_when_turned_on(dev_stack, prod_stack):
    from tests.unit.test_config import FEDERATED_OIDC

    for rec in (dev_stack, prod_stack):
        assert rec.of_type("aws:cognito/identityProvider:IdentityProvider") == []
    rec = run_stack("dev", overrides=FEDERATED_OIDC)
    pools = {p.id for p in rec.of_type("aws:cognito/userPool:UserPool")}
    providers = rec.of_type("aws:cognito/identityProvider:IdentityProvider")
    assert len(pools) == 4 and {p.inputs["userPoolId"] for p in providers} == pools
    assert all(c.inputs["supportedIdentityProviders"] == ["COGNITO", "Corp"]
               for c in rec.of_type("aws:cognito/userPoolClient:UserPoolClient"))
    domains = {d.inputs["userPoolId"] for d in rec.of_type("aws:cognito/userPoolDomain:UserPoolDomain")}
    assert domains == pools  # the hosted UI each federated pool signs its users in through


def test_prod_keeps_access_logs_of_buckets_and_site_and_databases_accept_iam_auth(dev_stack, prod_stack):
    buckets = {b.name for b in prod_stack.of_type("aws:s3/bucket:Bucket")}
    logged = {r.inputs["bucket"] for r in prod_stack.of_type("aws:s3/bucketLogging:BucketLogging")}
    receivers = {b for b in buckets if b.endswith("-logs")}  # S3 access logs and CloudFront logs land there
    assert receivers and len(logged) == len(buckets - receivers)
    assert all(d.inputs["loggingConfig"]["bucket"] for d in prod_stack.of_type("aws:cloudfront/distribution:Distribution"))
    assert not dev_stack.of_type("aws:s3/bucketLogging:BucketLogging")  # dataBucketAccessLogs is off in dev
    for stack in (dev_stack, prod_stack):
        assert all(c.inputs["iamDatabaseAuthenticationEnabled"] for c in stack.of_type("aws:rds/cluster:Cluster"))
