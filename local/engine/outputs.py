"""Realistic outputs for every type token (``RESOURCES``) the program uses (its calls: ``calls.py``).

Each factory sees one registration (``Ctx``: type, name, inputs, region, account) and
returns the outputs AWS would: physical names (as given, or autonamed with a stable
suffix), ids, ARNs, endpoints and URLs. A token missing here fails the run by name.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from local.model import ACCOUNT

def suffix(name: str, length: int = 7) -> str:
    """A random-looking but stable suffix, as Pulumi's autonaming adds."""
    return hashlib.sha256(name.encode()).hexdigest()[:length]


@dataclass
class Ctx:
    """What an output factory sees of one resource registration."""

    type: str
    name: str
    inputs: dict
    region: str
    account: str = ACCOUNT

    @property
    def token(self) -> str:
        return suffix(self.name)

    def physical(self, key: str = "name", prefix_key: str = "namePrefix", max_len: int = 63) -> str:
        """The resource's physical name: as given, or prefix/name plus a suffix."""
        if self.inputs.get(key):
            return self.inputs[key]
        prefix = self.inputs.get(prefix_key) or f"{self.name}-"
        return f"{prefix}{self.token}"[:max_len]

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return (f"arn:aws:{service}:{self.region if region else ''}:"
                f"{self.account if account else ''}:{resource}")


Factory = Callable[[Ctx], dict]


def _lambda_function(c: Ctx) -> dict:
    name = c.physical(max_len=64)
    arn = c.arn("lambda", f"function:{name}")
    return {"name": name, "arn": arn, "version": "1", "qualifiedArn": f"{arn}:1",
            "invokeArn": _invoke_arn(c, arn), "qualifiedInvokeArn": _invoke_arn(c, f"{arn}:1")}


def _invoke_arn(c: Ctx, function_arn: str) -> str:
    return f"arn:aws:apigateway:{c.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def _alias(c: Ctx) -> dict:
    function_name = c.inputs["functionName"]
    arn = c.arn("lambda", f"function:{function_name}:{c.inputs['name']}")
    return {"arn": arn, "invokeArn": _invoke_arn(c, arn)}


def _rest_api(c: Ctx) -> dict:
    api_id = suffix(c.name, 10)
    return {"id": api_id, "name": c.physical(), "rootResourceId": suffix(c.name + "/", 10),
            "executionArn": c.arn("execute-api", api_id),
            "arn": c.arn("apigateway", f"/restapis/{api_id}", account=False)}


def _stage(c: Ctx) -> dict:
    api, stage = c.inputs["restApi"], c.inputs["stageName"]
    return {"invokeUrl": f"https://{api}.execute-api.{c.region}.amazonaws.com/{stage}",
            "executionArn": c.arn("execute-api", f"{api}/{stage}"),
            "arn": c.arn("apigateway", f"/restapis/{api}/stages/{stage}", account=False)}


def _log_group(c: Ctx) -> dict:
    name = c.physical(max_len=512)
    return {"name": name, "arn": c.arn("logs", f"log-group:{name}")}


def _role(c: Ctx) -> dict:
    name = c.physical(max_len=64)
    return {"name": name, "arn": c.arn("iam", f"role/{name}", region=False),
            "uniqueId": "AROA" + suffix(c.name, 16).upper()}


def _id_only(prefix: str) -> Factory:
    return lambda c: {"id": f"{prefix}{suffix(c.name, 17)}"}


def _with_arn(service: str, path: str) -> Factory:
    """Outputs with an ARN whose last part is the physical name."""
    def factory(c: Ctx) -> dict:
        name = c.physical()
        return {"name": name, "arn": c.arn(service, path.format(name=name, id=suffix(c.name, 17)))}
    return factory


def _security_group(c: Ctx) -> dict:
    group_id = f"sg-{suffix(c.name, 17)}"
    return {"id": group_id, "arn": c.arn("ec2", f"security-group/{group_id}"), "name": c.physical()}


def _sg_rule(c: Ctx) -> dict:
    rule_id = f"sgr-{suffix(c.name, 17)}"
    return {"id": rule_id, "securityGroupRuleId": rule_id, "arn": c.arn("ec2", f"security-group-rule/{rule_id}")}


def _api_key(c: Ctx) -> dict:
    key_id = suffix(c.name, 10)
    return {"id": key_id, "value": "k" + suffix(c.name + "value", 39),
            "arn": c.arn("apigateway", f"/apikeys/{key_id}", account=False)}


def _usage_plan(c: Ctx) -> dict:
    plan_id = suffix(c.name, 6)
    return {"id": plan_id, "arn": c.arn("apigateway", f"/usageplans/{plan_id}", account=False)}


def _authorizer(c: Ctx) -> dict:
    auth_id = suffix(c.name, 6)
    return {"id": auth_id, "arn": c.arn("apigateway", f"/restapis/{c.inputs.get('restApi')}/authorizers/{auth_id}",
                                        account=False)}


def _domain_name(c: Ctx) -> dict:
    domain = c.inputs["domainName"]
    return {"id": domain, "arn": c.arn("apigateway", f"/domainnames/{domain}", account=False),
            "regionalDomainName": f"d-{suffix(c.name, 10)}.execute-api.{c.region}.amazonaws.com",
            "regionalZoneId": "Z1UJRXOUMOOFQ8",
            "cloudfrontDomainName": f"d{suffix(c.name, 13)}.cloudfront.net",
            "cloudfrontZoneId": "Z2FDTNDATAQYW2"}


def _web_acl(c: Ctx) -> dict:
    name = c.physical(max_len=128)
    scope = "global" if c.inputs.get("scope") == "CLOUDFRONT" else "regional"
    acl_id = f"{suffix(c.name, 8)}-{suffix(c.name + '1', 4)}-{suffix(c.name + '2', 4)}"
    return {"name": name, "id": acl_id, "arn": c.arn("wafv2", f"{scope}/webacl/{name}/{acl_id}"),
            "capacity": 700}


# --- data, identity, network and presentation tiers -------------------------

def _table(c: Ctx) -> dict:
    name = c.physical(max_len=255)
    arn = c.arn("dynamodb", f"table/{name}")
    out = {"name": name, "arn": arn, "id": name}
    if c.inputs.get("streamEnabled"):
        label = "2024-01-01T00:00:00.000"
        out.update(streamArn=f"{arn}/stream/{label}", streamLabel=label)
    return out


def _bucket(c: Ctx) -> dict:
    name = c.physical("bucket", "bucketPrefix")
    return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}",
            "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.{c.region}.amazonaws.com",
            "hostedZoneId": "Z3AQBSTGFYJSTF", "region": c.region}


def _rds_cluster(c: Ctx) -> dict:
    ident = c.physical("clusterIdentifier", "clusterIdentifierPrefix")
    secret = c.arn("secretsmanager", f"secret:rds!cluster-{suffix(c.name, 8)}-0000-4000-8000-"
                                     f"{suffix(c.name, 12)}-{suffix(c.name + 's', 6)}")
    host = f"{ident}.cluster-{suffix('cluster', 12)}.{c.region}.rds.amazonaws.com"
    return {"id": ident, "clusterIdentifier": ident, "arn": c.arn("rds", f"cluster:{ident}"),
            "endpoint": host, "readerEndpoint": host.replace(".cluster-", ".cluster-ro-"),
            "port": c.inputs.get("port") or 5432, "clusterResourceId": "cluster-" + suffix(c.name, 26).upper(),
            "masterUsername": c.inputs.get("masterUsername") or "postgres",
            "masterUserSecrets": [{"secretArn": secret, "secretStatus": "active", "kmsKeyId": ""}]}


def _rds_instance(c: Ctx) -> dict:
    ident = c.physical("identifier", "identifierPrefix")
    return {"id": ident, "identifier": ident, "arn": c.arn("rds", f"db:{ident}"),
            "endpoint": f"{ident}.{suffix('cluster', 12)}.{c.region}.rds.amazonaws.com", "port": 5432}


def _rds_proxy(c: Ctx) -> dict:
    name = c.physical()
    return {"id": name, "name": name, "arn": c.arn("rds", f"db-proxy:prx-{suffix(c.name, 17)}"),
            "endpoint": f"{name}.proxy-{suffix('proxy', 12)}.{c.region}.rds.amazonaws.com"}


def _serverless_cache(c: Ctx) -> dict:
    name = c.physical(max_len=40)
    host = f"{name}-{suffix(c.name, 6)}.serverless.use1.cache.amazonaws.com"
    return {"id": name, "name": name, "arn": c.arn("elasticache", f"serverlesscache:{name}"),
            "endpoints": [{"address": host, "port": 6379}],
            "readerEndpoints": [{"address": host, "port": 6380}], "status": "available"}


def _replication_group(c: Ctx) -> dict:
    ident = c.inputs.get("replicationGroupId") or f"{c.name}-{c.token}"[:40]
    return {"id": ident, "replicationGroupId": ident, "arn": c.arn("elasticache", f"replicationgroup:{ident}"),
            "primaryEndpointAddress": f"master.{ident}.{suffix(c.name, 6)}.use1.cache.amazonaws.com",
            "readerEndpointAddress": f"replica.{ident}.{suffix(c.name, 6)}.use1.cache.amazonaws.com",
            "port": c.inputs.get("port") or 6379}


def _cognito_pool(c: Ctx) -> dict:
    pool_id = f"{c.region}_{suffix(c.name, 9).upper()}"
    return {"id": pool_id, "arn": c.arn("cognito-idp", f"userpool/{pool_id}"),
            "endpoint": f"cognito-idp.{c.region}.amazonaws.com/{pool_id}", "name": c.inputs.get("name") or c.name,
            "creationDate": "2024-01-01T00:00:00Z"}


def _distribution(c: Ctx) -> dict:
    dist_id = "E" + suffix(c.name, 13).upper()
    return {"id": dist_id, "arn": f"arn:aws:cloudfront::{c.account}:distribution/{dist_id}",
            "domainName": f"d{suffix(c.name, 13)}.cloudfront.net", "hostedZoneId": "Z2FDTNDATAQYW2",
            "status": "Deployed", "etag": "E" + suffix(c.name + "etag", 12).upper()}


def _amplify_app(c: Ctx) -> dict:
    app_id = "d" + suffix(c.name, 13)
    return {"id": app_id, "arn": c.arn("amplify", f"apps/{app_id}"), "defaultDomain": f"{app_id}.amplifyapp.com",
            "name": c.inputs.get("name") or c.name}


def _amplify_branch(c: Ctx) -> dict:
    branch = c.inputs["branchName"]
    return {"id": f"{c.inputs.get('appId')}/{branch}",
            "arn": c.arn("amplify", f"apps/{c.inputs.get('appId')}/branches/{branch}")}


def _vpc(c: Ctx) -> dict:
    azs = int(c.inputs.get("numberOfAvailabilityZones") or 2)
    specs = [s.get("type") for s in (c.inputs.get("subnetSpecs") or [{"type": "Public"}, {"type": "Private"}])]
    def ids(kind: str) -> list[str]:
        return [f"subnet-{suffix(f'{c.name}-{kind}-{i}', 17)}" for i in range(azs)] if kind in specs else []
    return {"vpcId": f"vpc-{suffix(c.name, 17)}", "publicSubnetIds": ids("Public"),
            "privateSubnetIds": ids("Private"), "isolatedSubnetIds": ids("Isolated"),
            # Resource references (subnets, route tables, NAT gateways) are not fabricated;
            # natGateways is also an input name, so it must be overridden here.
            "natGateways": []}


def _vpc_endpoint(c: Ctx) -> dict:
    endpoint_id = f"vpce-{suffix(c.name, 17)}"
    service = c.inputs.get("serviceName", "")
    return {"id": endpoint_id, "arn": c.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
            "dnsEntries": [{"dnsName": f"{endpoint_id}.{service.rsplit('.', 1)[-1]}.{c.region}.vpce.amazonaws.com",
                            "hostedZoneId": "Z7HUB22UULQXV"}], "state": "available"}


def _elasticache_user(c: Ctx) -> dict:
    user_id = c.inputs.get("userId") or c.name
    return {"id": user_id, "arn": c.arn("elasticache", f"user:{user_id}")}


def _elasticache_user_group(c: Ctx) -> dict:
    group_id = c.inputs.get("userGroupId") or c.name
    return {"id": group_id, "arn": c.arn("elasticache", f"usergroup:{group_id}")}


def _efs(kind: str, prefix: str) -> Factory:
    """An EFS file system, access point or mount target: its id, ARN and file system's name."""
    def factory(c: Ctx) -> dict:
        ident = f"{prefix}-{suffix(c.name, 17)}"
        fs_id = c.inputs.get("fileSystemId") or ident
        return {"id": ident, "arn": c.arn("elasticfilesystem", f"{kind}/{ident}"), "ownerId": c.account,
                "fileSystemArn": c.arn("elasticfilesystem", f"file-system/{fs_id}"),
                "dnsName": f"{fs_id}.efs.{c.region}.amazonaws.com"}
    return factory


# Every type token the program may register, with its realistic outputs. Tier
# components add theirs here; anything missing fails the run by name.
RESOURCES: dict[str, Factory] = {
    "aws:lambda/function:Function": _lambda_function,
    "aws:lambda/alias:Alias": _alias,
    "aws:lambda/permission:Permission": _id_only("perm-"),
    "aws:lambda/layerVersion:LayerVersion": lambda c: {
        "arn": c.arn("lambda", f"layer:{c.inputs['layerName']}:1"),
        "layerArn": c.arn("lambda", f"layer:{c.inputs['layerName']}"), "version": "1"},
    "aws:lambda/invocation:Invocation": lambda c: {"result": json.dumps({"applied": [], "current": "offline"})},
    "aws:iam/role:Role": _role,
    "aws:iam/rolePolicy:RolePolicy": lambda c: {"name": c.physical()},
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule,
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigateway/deployment:Deployment": _id_only(""),
    "aws:apigateway/stage:Stage": _stage,
    "aws:apigateway/methodSettings:MethodSettings": _id_only(""),
    "aws:apigateway/account:Account": _id_only("api-gateway-account-"),
    "aws:apigateway/apiKey:ApiKey": _api_key,
    "aws:apigateway/usagePlan:UsagePlan": _usage_plan,
    "aws:apigateway/usagePlanKey:UsagePlanKey": _id_only(""),
    "aws:apigateway/authorizer:Authorizer": _authorizer,
    "aws:apigateway/domainName:DomainName": _domain_name,
    "aws:apigateway/basePathMapping:BasePathMapping": _id_only(""),
    "aws:apigateway/restApiPolicy:RestApiPolicy": _id_only(""),
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:wafv2/webAclAssociation:WebAclAssociation": _id_only(""),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": lambda c: {
        "id": str(c.inputs.get("resourceArn"))},
    "aws:acm/certificate:Certificate": lambda c: {
        "arn": c.arn("acm", f"certificate/{suffix(c.name, 8)}-0000-4000-8000-{suffix(c.name, 12)}"),
        "domainValidationOptions": [{"domainName": c.inputs.get("domainName", ""),
                                     "resourceRecordName": f"_{suffix(c.name, 32)}.{c.inputs.get('domainName', '')}.",
                                     "resourceRecordType": "CNAME",
                                     "resourceRecordValue": f"_{suffix(c.name + 'v', 32)}.acm-validations.aws."}]},
    "aws:acm/certificateValidation:CertificateValidation": _id_only(""),
    "aws:route53/record:Record": lambda c: {"fqdn": c.inputs.get("name", "")},
    "aws:kms/key:Key": lambda c: {"keyId": f"{suffix(c.name, 8)}-0000-4000-8000-{suffix(c.name, 12)}",
                                  "arn": c.arn("kms", f"key/{suffix(c.name, 8)}-0000-4000-8000-{suffix(c.name, 12)}")},
    "aws:sns/topic:Topic": lambda c: {"name": c.physical(max_len=256), "arn": c.arn("sns", c.physical(max_len=256))},
    "aws:sns/topicPolicy:TopicPolicy": lambda c: {"id": str(c.inputs.get("arn"))},
    "aws:sns/topicSubscription:TopicSubscription": lambda c: {
        "arn": f"{c.inputs['topic']}:{suffix(c.name, 8)}-0000-4000-8000-{suffix(c.name, 12)}"},
    "aws:cloudwatch/metricAlarm:MetricAlarm": lambda c: {
        "name": c.physical(key="name", max_len=255), "arn": c.arn("cloudwatch", f"alarm:{c.physical(max_len=255)}")},
    "aws:cloudwatch/dashboard:Dashboard": lambda c: {
        "dashboardArn": c.arn("cloudwatch", "dashboard/" + c.physical("dashboardName"), region=False)},
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": _id_only(""),
    "pulumi:providers:aws": lambda c: {},
    # data tier
    "aws:dynamodb/table:Table": _table,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": lambda c: {"id": str(c.inputs.get("bucket"))},
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": lambda c: {"id": str(c.inputs.get("bucket"))},
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        lambda c: {"id": str(c.inputs.get("bucket"))},
    "aws:s3/bucketVersioning:BucketVersioning": lambda c: {"id": str(c.inputs.get("bucket"))},
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": lambda c: {"id": str(c.inputs.get("bucket"))},
    "aws:s3/bucketPolicy:BucketPolicy": lambda c: {"id": str(c.inputs.get("bucket"))},
    "aws:s3/bucketLogging:BucketLogging": lambda c: {"id": str(c.inputs.get("bucket"))},
    "aws:s3/bucketAcl:BucketAcl": lambda c: {"id": f"{c.inputs.get('bucket')},{c.inputs.get('acl', '')}"},
    "aws:s3/bucketObjectv2:BucketObjectv2": lambda c: {
        "id": c.inputs.get("key"), "etag": suffix(c.name, 32), "versionId": suffix(c.name + "v", 32),
        "arn": f"arn:aws:s3:::{c.inputs.get('bucket')}/{c.inputs.get('key')}"},
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _rds_instance,
    "aws:rds/subnetGroup:SubnetGroup": _with_arn("rds", "subgrp:{name}"),
    "aws:rds/proxy:Proxy": _rds_proxy,
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": lambda c: {
        "id": c.inputs.get("dbProxyName"), "name": "default",
        "arn": c.arn("rds", f"target-group:prx-tg-{suffix(c.name, 17)}")},
    "aws:rds/proxyTarget:ProxyTarget": lambda c: {"id": f"{c.inputs.get('dbProxyName')}/default/TRACKED_CLUSTER",
                                                  "endpoint": "", "port": 5432},
    "aws:elasticache/serverlessCache:ServerlessCache": _serverless_cache,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/subnetGroup:SubnetGroup": _with_arn("elasticache", "subnetgroup:{name}"),
    "aws:elasticache/user:User": _elasticache_user,
    "aws:elasticache/userGroup:UserGroup": _elasticache_user_group,
    "aws:efs/fileSystem:FileSystem": _efs("file-system", "fs"),
    "aws:efs/accessPoint:AccessPoint": _efs("access-point", "fsap"),
    "aws:efs/mountTarget:MountTarget": _efs("mount-target", "fsmt"),
    "aws:efs/backupPolicy:BackupPolicy": lambda c: {"id": str(c.inputs.get("fileSystemId"))},
    "aws:efs/fileSystemPolicy:FileSystemPolicy": lambda c: {"id": str(c.inputs.get("fileSystemId"))},
    # network
    "awsx:ec2:Vpc": _vpc,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/flowLog:FlowLog": lambda c: {"id": f"fl-{suffix(c.name, 17)}",
                                          "arn": c.arn("ec2", f"vpc-flow-log/fl-{suffix(c.name, 17)}")},
    # identity
    "aws:cognito/userPool:UserPool": _cognito_pool,
    "aws:cognito/userPoolClient:UserPoolClient": lambda c: {"id": suffix(c.name, 26)},
    "aws:cognito/userPoolDomain:UserPoolDomain": lambda c: {
        "id": c.inputs.get("domain"), "cloudfrontDistribution": f"d{suffix(c.name, 13)}.cloudfront.net",
        "cloudfrontDistributionZoneId": "Z2FDTNDATAQYW2", "version": "1"},
    "aws:cognito/userGroup:UserGroup": lambda c: {"id": f"{c.inputs.get('userPoolId')}/{c.inputs.get('name')}"},
    "aws:cognito/identityProvider:IdentityProvider": lambda c: {"id": f"{c.inputs['userPoolId']}:{c.name}"},
    # presentation
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:cloudfront/originAccessControl:OriginAccessControl": lambda c: {"id": "E" + suffix(c.name, 13).upper(),
                                                                         "etag": "E" + suffix(c.name, 12).upper()},
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": lambda c: {
        "id": f"{suffix(c.name, 8)}-0000-4000-8000-{suffix(c.name, 12)}", "etag": "E" + suffix(c.name, 12).upper()},
    "aws:amplify/app:App": _amplify_app,
    "aws:amplify/branch:Branch": _amplify_branch,
    "aws:amplify/domainAssociation:DomainAssociation": lambda c: {
        "id": f"{c.inputs.get('appId')}/{c.inputs.get('domainName')}",
        "arn": c.arn("amplify", f"apps/{c.inputs.get('appId')}/domains/{c.inputs.get('domainName')}"),
        "certificateVerificationDnsRecord": f"_{suffix(c.name, 32)}.{c.inputs.get('domainName')}. CNAME "
                                            f"_{suffix(c.name + 'v', 32)}.acm-validations.aws."},
    "pulumi-python:dynamic/amplify:Deployment": lambda c: {
        "id": f"{c.inputs.get('app_id')}/{c.inputs.get('branch_name')}/1", "job_id": "1", "status": "SUCCEED"},
}
