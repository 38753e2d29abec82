"""Every resource type the program can register, one record each: what local mode and the rules know of it.

A record says what the offline engine fabricates for the type (``outputs``, from
``outputs.py``), what local mode makes of it on this machine (``local``: the ``LocalMocks``
method creating it in an emulator; empty: the fabricated outputs serve), and what a
replacement of it means: its physical name (``name``), whether a parent holds only one of
it (``one_per``) and what its replacement loses (``stateful``), each with its source. The
inputs that force a replacement are extracted from the provider
(``multitier/_replacement/force_new.json``).

Adding a type is one record here; for a Terraform resource, also run
``python -m multitier._replacement.extract`` (``tests/unit/test_resource_types.py`` says
what is missing).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from local.engine import outputs as o
from local.engine.outputs import Factory, suffix

# Tokens the rules look up by name (policy/rules/common.py re-exports them).
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
ALIAS = "aws:lambda/alias:Alias"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
REST_API = "aws:apigateway/restApi:RestApi"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUCKET = "aws:s3/bucket:Bucket"
AWSX_VPC = "awsx:ec2:Vpc"
PROVIDER = "pulumi:providers:aws"


@dataclass(frozen=True)
class Name:
    """The input holding a physical name AWS keeps unique within ``scope`` (other inputs; empty: the
    account and region, or all of AWS), and the input Pulumi autonames it from when it is not set."""

    key: str
    source: str
    scope: tuple[str, ...] = ()
    prefix: str = ""


@dataclass(frozen=True)
class OnePer:
    """A parent (``keys``: the inputs naming it) holds at most one of these."""

    keys: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class ResourceType:
    token: str
    outputs: Factory
    local: str = ""                 # the LocalMocks method that creates it locally
    kind: str = "terraform"         # terraform (pulumi-aws) | random | awsx | dynamic | provider
    name: Name | None = None
    one_per: OnePer | None = None
    stateful: str = ""              # what its replacement loses (with the source); empty: nothing

    def collision(self, name: str | None, replacing: Mapping[str, Any]) -> str:
        """Why replacing it for ``replacing`` (input → value) fails when the replacement is created before
        the old one is deleted; empty when it does not. ``name``: its physical name if fixed (not autonamed)."""
        return self.parent_collision(replacing) or self.name_collision(name, replacing)

    def parent_collision(self, replacing: Mapping[str, Any]) -> str:
        """A second one under the same parent: the replacing inputs that do not name the parent."""
        movable = sorted(key for key in replacing if self.one_per and key not in self.one_per.keys)
        if not movable:
            return ""
        parent = ", ".join(self.one_per.keys) or "region"
        return f"one per {parent} ({self.one_per.source}), but a change of {', '.join(movable)} replaces it under " \
               f"the same {parent}"

    def name_collision(self, name: str | None, replacing: Mapping[str, Any]) -> str:
        """The same fixed name twice: replacing inputs (but the name and its scope) whose value it does not carry."""
        if not (self.name and name):
            return ""
        kept = (self.name.key, self.name.prefix, *self.name.scope)
        same = sorted(key for key, value in replacing.items() if key not in kept and str(value).lower() not in name.lower())
        if not same:
            return ""
        return f"fixed name {name!r} ({self.name.source}) stays the same when a change of {', '.join(same)} replaces it"


def _bucket_part(c) -> dict:
    return {"id": str(c.inputs.get("bucket"))}


def _uuid(c) -> str:
    return f"{suffix(c.name, 8)}-0000-4000-8000-{suffix(c.name, 12)}"


_S3_ONE = "S3: a bucket has one {0} (Put{1} replaces it; the old one's delete would then remove the new)"
_EFS_ONE = "EFS: a file system has one {0} (Put{1} replaces it)"
T = ResourceType
RECORDS = [
    # logic tier
    T(FUNCTION, o.lambda_function, name=Name("name", "Lambda: function names are unique per region")),
    T(ALIAS, o.alias, name=Name("name", "Lambda: alias names are unique per function", ("functionName",))),
    T(PERMISSION, o.id_only("perm-")),
    T("aws:lambda/layerVersion:LayerVersion", lambda c: {
        "arn": c.arn("lambda", f"layer:{c.inputs['layerName']}:1"),
        "layerArn": c.arn("lambda", f"layer:{c.inputs['layerName']}"), "version": "1"}),
    T("aws:lambda/invocation:Invocation", lambda c: {"result": json.dumps({"applied": [], "current": "offline"})}),
    T(ROLE, o.role, name=Name("name", "IAM: role names are unique per account", prefix="namePrefix")),
    T(ROLE_POLICY, lambda c: {"name": c.physical()},
      name=Name("name", "IAM: inline policy names are unique per role", ("role",), "namePrefix")),
    T(LOG_GROUP, o.log_group, name=Name("name", "CloudWatch Logs: group names are unique per region",
                                        prefix="namePrefix")),
    T("aws:ec2/securityGroup:SecurityGroup", o.security_group,
      name=Name("name", "EC2: group names are unique per VPC", ("vpcId",), "namePrefix")),
    T("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", o.sg_rule),
    T("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", o.sg_rule),
    T(REST_API, o.rest_api, local="_rest_api"),
    T("aws:apigateway/deployment:Deployment", o.id_only("")),
    T(STAGE, o.stage, local="_stage", name=Name("stageName", "API Gateway: stage names are unique per API",
                                                ("restApi",))),
    T(METHOD_SETTINGS, o.id_only(""), one_per=OnePer(("restApi", "stageName", "methodPath"),
                                                     "API Gateway: one setting per stage and method path")),
    T("aws:apigateway/account:Account", o.id_only("api-gateway-account-"),
      one_per=OnePer((), "API Gateway: one account setting per region (UpdateAccount)")),
    T("aws:apigateway/apiKey:ApiKey", o.api_key),
    T("aws:apigateway/usagePlan:UsagePlan", o.usage_plan),
    T("aws:apigateway/usagePlanKey:UsagePlanKey", o.id_only(""),
      one_per=OnePer(("keyId", "usagePlanId"), "API Gateway: a key is in a usage plan once (ConflictException)")),
    T("aws:apigateway/authorizer:Authorizer", o.authorizer),
    T("aws:apigateway/domainName:DomainName", o.domain_name,
      name=Name("domainName", "API Gateway: a custom domain name exists once per region (ConflictException)")),
    T("aws:apigateway/basePathMapping:BasePathMapping", o.id_only(""),
      one_per=OnePer(("domainName", "basePath"), "API Gateway: a base path is mapped once per domain name "
                                                 "(CreateBasePathMapping: ConflictException)")),
    T("aws:apigateway/restApiPolicy:RestApiPolicy", o.id_only(""),
      one_per=OnePer(("restApiId",), "API Gateway: an API has one resource policy")),
    T("aws:wafv2/webAcl:WebAcl", o.web_acl, name=Name("name", "WAFv2: web ACL names are unique per scope and region",
                                                      ("scope",), "namePrefix")),
    T("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
      lambda c: {"id": str(c.inputs.get("resourceArn"))},
      one_per=OnePer(("resourceArn",), "WAFv2: a web ACL has one logging configuration (PutLoggingConfiguration "
                                       "replaces it)")),
    T("aws:wafv2/webAclAssociation:WebAclAssociation", o.id_only(""),
      one_per=OnePer(("resourceArn",), "WAFv2: a resource has at most one web ACL (AssociateWebACL replaces it; "
                                       "the old association's delete then removes the new one)")),
    T("aws:acm/certificate:Certificate", lambda c: {
        "arn": c.arn("acm", f"certificate/{_uuid(c)}"),
        "domainValidationOptions": [{"domainName": c.inputs.get("domainName", ""),
                                     "resourceRecordName": f"_{suffix(c.name, 32)}.{c.inputs.get('domainName', '')}.",
                                     "resourceRecordType": "CNAME",
                                     "resourceRecordValue": f"_{suffix(c.name + 'v', 32)}.acm-validations.aws."}]}),
    T("aws:acm/certificateValidation:CertificateValidation", o.id_only("")),
    T("aws:route53/record:Record", lambda c: {"fqdn": c.inputs.get("name", "")},
      one_per=OnePer(("zoneId", "name", "type"), "Route 53: one record set per zone, name and type "
                                                 "(allowOverwrite takes it over; the old one's delete removes it)")),
    T("aws:kms/key:Key", lambda c: {"keyId": _uuid(c), "arn": c.arn("kms", f"key/{_uuid(c)}")},
      stateful="KMS: what the key encrypted cannot be decrypted once it is deleted (ScheduleKeyDeletion)"),
    T("aws:sns/topic:Topic", lambda c: {"name": c.physical(max_len=256), "arn": c.arn("sns", c.physical(max_len=256))},
      name=Name("name", "SNS: topic names are unique per region", prefix="namePrefix")),
    T("aws:sns/topicPolicy:TopicPolicy", lambda c: {"id": str(c.inputs.get("arn"))},
      one_per=OnePer(("arn",), "SNS: a topic has one access policy (SetTopicAttributes Policy replaces it)")),
    T("aws:sns/topicSubscription:TopicSubscription", lambda c: {
        "arn": f"{c.inputs['topic']}:{_uuid(c)}"}),
    T("aws:cloudwatch/metricAlarm:MetricAlarm", lambda c: {
        "name": c.physical(key="name", max_len=255), "arn": c.arn("cloudwatch", f"alarm:{c.physical(max_len=255)}")},
      name=Name("name", "CloudWatch: alarm names are unique per region (PutMetricAlarm overwrites)")),
    T("aws:cloudwatch/dashboard:Dashboard", lambda c: {
        "dashboardArn": c.arn("cloudwatch", "dashboard/" + c.physical("dashboardName"), region=False)},
      name=Name("dashboardName", "CloudWatch: dashboard names are unique per account (PutDashboard overwrites)")),
    T("aws:cloudwatch/logMetricFilter:LogMetricFilter", o.id_only(""),
      name=Name("name", "CloudWatch Logs: metric filter names are unique per log group", ("logGroupName",))),
    T(PROVIDER, lambda c: {}, kind="provider"),
    T("pulumi:providers:random", lambda c: {}, kind="provider"),
    T("random:index/randomId:RandomId", o.random_id, kind="random"),
    # data tier
    T("aws:dynamodb/table:Table", o.table, local="_table", name=Name("name", "DynamoDB: table names are unique per "
                                                                        "region"),
      stateful="DynamoDB: the table's items (a new table starts empty)"),
    T(BUCKET, o.bucket, local="_bucket",
      name=Name("bucket", "S3: bucket names are unique across all of AWS", prefix="bucketPrefix"),
      stateful="S3: the bucket's objects, and their versions (a new bucket starts empty)"),
    T("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", _bucket_part,
      one_per=OnePer(("bucket",), _S3_ONE.format("public access block", "PublicAccessBlock"))),
    T("aws:s3/bucketOwnershipControls:BucketOwnershipControls", _bucket_part,
      one_per=OnePer(("bucket",), _S3_ONE.format("ownership setting", "BucketOwnershipControls"))),
    T("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", _bucket_part,
      one_per=OnePer(("bucket",), _S3_ONE.format("encryption configuration", "BucketEncryption"))),
    T("aws:s3/bucketVersioning:BucketVersioning", _bucket_part,
      one_per=OnePer(("bucket",), _S3_ONE.format("versioning configuration", "BucketVersioning"))),
    T("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", _bucket_part,
      one_per=OnePer(("bucket",), _S3_ONE.format("lifecycle configuration", "BucketLifecycleConfiguration"))),
    T("aws:s3/bucketPolicy:BucketPolicy", _bucket_part,
      one_per=OnePer(("bucket",), _S3_ONE.format("policy", "BucketPolicy"))),
    T("aws:s3/bucketLogging:BucketLogging", _bucket_part,
      one_per=OnePer(("bucket",), _S3_ONE.format("logging configuration", "BucketLogging"))),
    T("aws:s3/bucketAcl:BucketAcl", lambda c: {"id": f"{c.inputs.get('bucket')},{c.inputs.get('acl', '')}"},
      one_per=OnePer(("bucket",), _S3_ONE.format("ACL", "BucketAcl"))),
    T("aws:s3/bucketObjectv2:BucketObjectv2", lambda c: {
        "id": c.inputs.get("key"), "etag": suffix(c.name, 32), "versionId": suffix(c.name + "v", 32),
        "arn": f"arn:aws:s3:::{c.inputs.get('bucket')}/{c.inputs.get('key')}"}, local="_object",
      one_per=OnePer(("bucket", "key"), "S3: a key holds one object (PutObject overwrites; the old one's delete "
                                        "then removes the new)")),
    T("aws:rds/cluster:Cluster", o.rds_cluster, local="_rds_cluster",
      name=Name("clusterIdentifier", "RDS: cluster identifiers are unique per region",
                prefix="clusterIdentifierPrefix"),
      stateful="Aurora: the database (a new cluster starts empty; a final snapshot keeps the old data)"),
    T("aws:rds/clusterInstance:ClusterInstance", o.rds_instance, local="_rds_endpoint",
      name=Name("identifier", "RDS: instance identifiers are unique per region", prefix="identifierPrefix")),
    T("aws:rds/subnetGroup:SubnetGroup", o.with_arn("rds", "subgrp:{name}"),
      name=Name("name", "RDS: subnet group names are unique per region", prefix="namePrefix")),
    T("aws:rds/proxy:Proxy", o.rds_proxy, local="_rds_endpoint",
      name=Name("name", "RDS: proxy names are unique per region")),
    T("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", lambda c: {
        "id": c.inputs.get("dbProxyName"), "name": "default",
        "arn": c.arn("rds", f"target-group:prx-tg-{suffix(c.name, 17)}")},
      one_per=OnePer(("dbProxyName",), "RDS Proxy: one default target group per proxy")),
    T("aws:rds/proxyTarget:ProxyTarget", lambda c: {
        "id": f"{c.inputs.get('dbProxyName')}/default/TRACKED_CLUSTER", "endpoint": "", "port": 5432},
      one_per=OnePer(("dbProxyName", "targetGroupName", "dbClusterIdentifier"),
                     "RDS Proxy: a cluster is registered once per target group")),
    T("aws:elasticache/serverlessCache:ServerlessCache", o.serverless_cache, local="_serverless_cache",
      name=Name("name", "ElastiCache: cache names are unique per region")),
    T("aws:elasticache/replicationGroup:ReplicationGroup", o.replication_group, local="_replication_group",
      name=Name("replicationGroupId", "ElastiCache: replication group ids are unique per region")),
    T("aws:elasticache/subnetGroup:SubnetGroup", o.with_arn("elasticache", "subnetgroup:{name}"),
      name=Name("name", "ElastiCache: subnet group names are unique per region")),
    T("aws:elasticache/user:User", o.elasticache_user,
      name=Name("userId", "ElastiCache: user ids are unique per region (IAM authentication needs the id as "
                          "the user name, so no autonaming)")),
    T("aws:elasticache/userGroup:UserGroup", o.elasticache_user_group,
      name=Name("userGroupId", "ElastiCache: user group ids are unique per region")),
    T("aws:efs/fileSystem:FileSystem", o.efs("file-system", "fs"),
      stateful="EFS: the file system's files (a new one starts empty)"),
    T("aws:efs/accessPoint:AccessPoint", o.efs("access-point", "fsap")),
    T("aws:efs/mountTarget:MountTarget", o.efs("mount-target", "fsmt"),
      one_per=OnePer(("fileSystemId",), "EFS: one mount target per file system and Availability Zone "
                                        "(CreateMountTarget: MountTargetConflict), all in one VPC")),
    T("aws:efs/backupPolicy:BackupPolicy", lambda c: {"id": str(c.inputs.get("fileSystemId"))},
      one_per=OnePer(("fileSystemId",), _EFS_ONE.format("backup policy", "BackupPolicy"))),
    T("aws:efs/fileSystemPolicy:FileSystemPolicy", lambda c: {"id": str(c.inputs.get("fileSystemId"))},
      one_per=OnePer(("fileSystemId",), _EFS_ONE.format("file system policy", "FileSystemPolicy"))),
    # network
    T(AWSX_VPC, o.vpc, kind="awsx"),
    T("aws:ec2/vpcEndpoint:VpcEndpoint", o.vpc_endpoint),
    T("pulumi-python:dynamic/network:Layout", lambda c: {"id": "network-layout"}, kind="dynamic"),
    T("aws:ec2/flowLog:FlowLog", lambda c: {"id": f"fl-{suffix(c.name, 17)}",
                                            "arn": c.arn("ec2", f"vpc-flow-log/fl-{suffix(c.name, 17)}")}),
    # identity
    T("aws:cognito/userPool:UserPool", o.cognito_pool, local="_user_pool",
      stateful="Cognito: the pool's users and their passwords (a new pool has none; users cannot be exported "
               "with their passwords)"),
    T("aws:cognito/userPoolClient:UserPoolClient", lambda c: {"id": suffix(c.name, 26)}, local="_user_pool_client"),
    T("aws:cognito/userPoolDomain:UserPoolDomain", lambda c: {
        "id": c.inputs.get("domain"), "cloudfrontDistribution": f"d{suffix(c.name, 13)}.cloudfront.net",
        "cloudfrontDistributionZoneId": "Z2FDTNDATAQYW2", "version": "1"},
      name=Name("domain", "Cognito: domain prefixes are unique across all of AWS"),
      one_per=OnePer(("userPoolId",), "Cognito: a user pool has one domain (CreateUserPoolDomain: "
                                      "'User pool already has a domain configured')")),
    T("aws:cognito/userGroup:UserGroup", lambda c: {"id": f"{c.inputs.get('userPoolId')}/{c.inputs.get('name')}"},
      local="_user_group", name=Name("name", "Cognito: group names are unique per pool", ("userPoolId",))),
    T("aws:cognito/identityProvider:IdentityProvider", lambda c: {"id": f"{c.inputs['userPoolId']}:{c.name}"},
      local="_identity_provider", name=Name("providerName", "Cognito: provider names are unique per pool "
                                                            "(DuplicateProviderException)", ("userPoolId",))),
    # presentation
    T("aws:cloudfront/distribution:Distribution", o.distribution, local="_distribution"),
    T("aws:cloudfront/originAccessControl:OriginAccessControl", lambda c: {
        "id": "E" + suffix(c.name, 13).upper(), "etag": "E" + suffix(c.name, 12).upper()},
      name=Name("name", "CloudFront: origin access control names are unique per account")),
    T("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", lambda c: {
        "id": _uuid(c), "etag": "E" + suffix(c.name, 12).upper()},
      name=Name("name", "CloudFront: response headers policy names are unique per account")),
    T("aws:amplify/app:App", o.amplify_app, local="_amplify_app"),
    T("aws:amplify/branch:Branch", o.amplify_branch,
      name=Name("branchName", "Amplify: branch names are unique per app", ("appId",))),
    T("aws:amplify/domainAssociation:DomainAssociation", lambda c: {
        "id": f"{c.inputs.get('appId')}/{c.inputs.get('domainName')}",
        "arn": c.arn("amplify", f"apps/{c.inputs.get('appId')}/domains/{c.inputs.get('domainName')}"),
        "certificateVerificationDnsRecord": f"_{suffix(c.name, 32)}.{c.inputs.get('domainName')}. CNAME "
                                            f"_{suffix(c.name + 'v', 32)}.acm-validations.aws."},
      one_per=OnePer(("appId", "domainName"), "Amplify: a domain is associated with one app")),
    # releases: a first deploy, where the alias and the stage start at the registered version and deployment
    T("aws:codedeploy/application:Application", o.with_arn("codedeploy", "application:{name}"),
      name=Name("name", "CodeDeploy: application names are unique per account and region")),
    T("aws:codedeploy/deploymentGroup:DeploymentGroup", lambda c: {"arn": c.arn(
        "codedeploy", f"deploymentgroup:{c.inputs['appName']}/{c.inputs['deploymentGroupName']}")},
      name=Name("deploymentGroupName", "CodeDeploy: deployment group names are unique per application",
                ("appName",))),
    T("pulumi-python:dynamic/release:LambdaDeployment", lambda c: {
        "id": str(c.inputs.get("target_version")), "live_version": str(c.inputs.get("target_version"))},
      kind="dynamic"),
    T("pulumi-python:dynamic/release:StageCanary", lambda c: {
        "id": str(c.inputs.get("deployment_id")), "live_deployment": str(c.inputs.get("deployment_id"))},
      kind="dynamic"),
    T("pulumi-python:dynamic/amplify:Deployment", lambda c: {
        "id": f"{c.inputs.get('app_id')}/{c.inputs.get('branch_name')}/1", "job_id": "1", "status": "SUCCEED"},
      local="_amplify_deployment", kind="dynamic"),
]
TYPES: dict[str, ResourceType] = {record.token: record for record in RECORDS}
RESOURCES: dict[str, Factory] = {token: record.outputs for token, record in TYPES.items()}
