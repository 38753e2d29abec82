"""One record per resource type (local/engine/types.py), and replace-on-change data for every one of them."""

from __future__ import annotations

import json

import pytest

from local.engine import TYPES
from local.provision.mocks import LocalMocks
from multitier._replacement import DATA, dynamic_providers, known, provenance, replacement

# Types local mode does not create in an emulator: their fabricated outputs serve. Each is here on
# purpose; a new type that local mode should make for real gets a LocalMocks method instead.
FABRICATED_ONLY = {
    "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
    "aws:amplify/branch:Branch", "aws:amplify/domainAssociation:DomainAssociation",
    "aws:apigateway/account:Account", "aws:apigateway/apiKey:ApiKey", "aws:apigateway/authorizer:Authorizer",
    "aws:apigateway/basePathMapping:BasePathMapping", "aws:apigateway/deployment:Deployment",
    "aws:apigateway/domainName:DomainName", "aws:apigateway/methodSettings:MethodSettings",
    "aws:apigateway/restApiPolicy:RestApiPolicy", "aws:apigateway/usagePlan:UsagePlan",
    "aws:apigateway/usagePlanKey:UsagePlanKey", "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/dashboard:Dashboard",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter", "aws:cognito/userPoolDomain:UserPoolDomain",
    "aws:ec2/flowLog:FlowLog", "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:efs/accessPoint:AccessPoint", "aws:efs/backupPolicy:BackupPolicy", "aws:efs/fileSystem:FileSystem",
    "aws:efs/fileSystemPolicy:FileSystemPolicy", "aws:efs/mountTarget:MountTarget",
    "aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/user:User", "aws:elasticache/userGroup:UserGroup",
    "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:kms/key:Key", "aws:lambda/alias:Alias",
    "aws:lambda/function:Function", "aws:lambda/invocation:Invocation", "aws:lambda/layerVersion:LayerVersion",
    "aws:lambda/permission:Permission", "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
    "aws:rds/proxyTarget:ProxyTarget", "aws:rds/subnetGroup:SubnetGroup", "aws:route53/record:Record",
    "aws:codedeploy/application:Application", "aws:codedeploy/deploymentGroup:DeploymentGroup",
    "pulumi-python:dynamic/release:LambdaDeployment", "pulumi-python:dynamic/release:StageCanary",  # local/release
    "aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning", "aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:wafv2/webAcl:WebAcl",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "awsx:ec2:Vpc", "pulumi-python:dynamic/network:Layout",
    "pulumi:providers:aws", "pulumi:providers:random", "random:index/randomId:RandomId",
}


def test_types_fabricated_but_not_provisioned_are_the_listed_ones():
    fabricated_only = {token for token, record in TYPES.items() if not record.local}
    assert fabricated_only == FABRICATED_ONLY, (
        f"new: {sorted(fabricated_only - FABRICATED_ONLY)}; now provisioned: {sorted(FABRICATED_ONLY - fabricated_only)}")


def test_every_provisioned_type_names_a_method_local_mode_has():
    missing = {token: record.local for token, record in TYPES.items()
               if record.local and not callable(getattr(LocalMocks, record.local, None))}
    assert missing == {}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_type_a_stack_registers_has_a_record_and_replacement_data(request, stack):
    registered = {r.type for r in request.getfixturevalue(f"{stack}_stack").registrations}
    assert {t for t in registered if not t.startswith("multitier:")} <= set(TYPES)
    for token in registered:
        assert replacement(token).source  # components: planned through their children


def test_the_data_covers_the_table_and_nothing_else():
    assert known() == set(TYPES)
    with pytest.raises(KeyError, match="python -m multitier._replacement.extract"):
        replacement("aws:s3/bucketNotification:BucketNotification")


def test_the_data_says_where_it_comes_from():
    source = provenance()
    assert source["pulumi-aws"] == "7.51.1" and source["terraform-provider-aws"].startswith("v6.")
    terraform = [r for r in json.loads(DATA.read_text())["types"].values() if r["kind"] == "terraform"]
    assert len(terraform) > 60 and all("internal/service/" in r["source"] for r in terraform)


def test_the_dynamic_resources_data_is_what_their_providers_do():
    for token, provider in dynamic_providers().items():
        assert set(replacement(token).replace_on) == set(provider.REPLACES), f"{token}: rerun the extraction"


@pytest.mark.parametrize("token, replacing, updating", [
    # what the review found, as the provider declares it
    ("aws:cognito/userPoolDomain:UserPoolDomain", {"domain", "userPoolId"}, set()),
    ("aws:efs/mountTarget:MountTarget", {"fileSystemId", "subnetId"}, {"securityGroups"}),
    ("aws:rds/cluster:Cluster", {"databaseName", "dbSubnetGroupName", "masterUsername", "storageEncrypted"},
     {"vpcSecurityGroupIds", "finalSnapshotIdentifier", "serverlessv2ScalingConfiguration"}),
    ("aws:rds/subnetGroup:SubnetGroup", set(), {"subnetIds"}),
    ("aws:ec2/securityGroup:SecurityGroup", {"vpcId", "description"}, set()),
    ("aws:lambda/function:Function", {"name"}, {"vpcConfig", "environment", "role"}),
    ("aws:apigateway/stage:Stage", {"restApi", "stageName"}, {"deployment", "variables"}),
    ("aws:elasticache/serverlessCache:ServerlessCache", {"subnetIds"}, {"securityGroupIds"}),
    ("awsx:ec2:Vpc", {"cidrBlock", "availabilityZoneNames"}, set()),
])
def test_the_data_knows_what_replaces_what(token, replacing, updating):
    record = replacement(token)
    assert all(record.forcing(path) for path in replacing)
    assert not any(record.forcing(path) for path in updating)


def test_rule_tokens_come_from_the_table():
    from policy.rules import common

    for name in ("FUNCTION", "PERMISSION", "ALIAS", "ROLE", "ROLE_POLICY", "REST_API", "STAGE", "METHOD_SETTINGS",
                 "LOG_GROUP", "BUCKET"):
        assert getattr(common, name) in TYPES
