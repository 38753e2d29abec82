"""For every rule: a stack it accepts and a deliberately broken one it rejects.

``CASES[id] = Case(good, bad, params)``; ``params`` (optional) are handed to the rule for
both stacks. The good stacks are also the base of the unknown-value tests.
"""

from __future__ import annotations

import copy
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from tests.policy.builders import ACCOUNT, ARN_FN, Spec, allow, policy, res

FN = "aws:lambda/function:Function"
PERM = "aws:lambda/permission:Permission"
STAGE = "aws:apigateway/stage:Stage"
MS = "aws:apigateway/methodSettings:MethodSettings"
API = "aws:apigateway/restApi:RestApi"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET = "aws:s3/bucket:Bucket"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
DIST = "aws:cloudfront/distribution:Distribution"
ACL = "aws:wafv2/webAcl:WebAcl"
ASSOC = "aws:wafv2/webAclAssociation:WebAclAssociation"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC = "awsx:ec2:Vpc"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TABLE = "aws:dynamodb/table:Table"
SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
EC_USER = "aws:elasticache/user:User"
KEY = "aws:kms/key:Key"
TOPIC = "aws:sns/topic:Topic"
SECRET = "aws:secretsmanager/secret:Secret"
PROVIDER = "pulumi:providers:aws"


@dataclass
class Case:
    good: list[Spec]
    bad: list[Spec]
    params: dict = field(default_factory=dict)


def changed(spec: Spec, **props) -> Spec:
    """A copy of ``spec`` with top-level props replaced (None deletes)."""
    out = copy.deepcopy(spec)
    for key, value in props.items():
        if value is None:
            out.props.pop(key, None)
        else:
            out.props[key] = value
    return out


def one(spec: Spec, **bad) -> Case:
    return Case([spec], [changed(spec, **bad)])


# --- shared good resources -------------------------------------------------
FUNCTION = res(FN, "fn", {
    "name": "fn-0a1b2c3", "architectures": ["arm64"], "memorySize": 256, "timeout": 10, "runtime": "python3.14",
    "handler": "app.handler", "tracingConfig": {"mode": "Active"}, "role": f"arn:aws:iam::{ACCOUNT}:role/fn-role",
    "environment": {"variables": {"DB_SECRET_ARN": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db",
                                  "LOG_LEVEL": "INFO"}},
    "loggingConfig": {"logGroup": "/aws/lambda/fn-0a1b2c3", "logFormat": "JSON"}}, deps=["fn-logs", "fn-role"])
VPC_FUNCTION = changed(FUNCTION, vpcConfig={"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]})
ACCESS_FORMAT = json.dumps({"requestId": "$context.requestId", "status": "$context.status"})
STAGE_OK = res(STAGE, "api-stage", {
    "stageName": "prod", "restApi": "api1", "xrayTracingEnabled": True, "cacheClusterSize": "0.5",
    "accessLogSettings": {"destinationArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:access", "format": ACCESS_FORMAT},
    "variables": {"fn": "fn-0a1b2c3:live"}}, deps=["api", "account"])
SETTINGS = res(MS, "api-all", {"restApi": "api1", "stageName": "prod", "methodPath": "*/*", "settings": {
    "loggingLevel": "INFO", "metricsEnabled": True, "dataTraceEnabled": False, "throttlingRateLimit": 100,
    "throttlingBurstLimit": 200, "cachingEnabled": False, "unauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403"}},
    deps=["api-stage", "account"])
ACCOUNT_SETTING = res("aws:apigateway/account:Account", "account", {"cloudwatchRoleArn": "arn:aws:iam::1:role/apigw"},
                      deps=["apigw-role", "apigw-policy"], retain=True, ignore=("cloudwatchRoleArn",))
ACCOUNT_ROLE = [res(ROLE, "apigw-role", {"name": "apigw-role-0a1b2c3"}, retain=True),
                res(ROLE_POLICY, "apigw-policy", {"role": "apigw-role-0a1b2c3"}, deps=["apigw-role"], retain=True)]
INTEGRATION = {"type": "aws_proxy", "httpMethod": "POST", "timeoutInMillis": 29000,
               "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                      f"{ARN_FN}:${{stageVariables.fn}}/invocations"}
PATH_PARAM = [{"name": "id", "in": "path", "required": True}]
# An authorized GET's cache is keyed on its path parameter and its caller's token (MT-OPENAPI-7).
KEYED_GET = {"parameters": PATH_PARAM + [{"name": "Authorization", "in": "header", "required": False}],
             "x-amazon-apigateway-integration": dict(INTEGRATION, cacheKeyParameters=[
                 "method.request.path.id", "method.request.header.Authorization"])}


MOCK_REQUEST = {"passthroughBehavior": "when_no_templates", "requestTemplates": {"application/json": '{"statusCode": 204}'}}


def document(**changes) -> dict:
    doc = {
        "openapi": "3.0.1",
        "paths": {"/shows/{id}": {
            "get": {**KEYED_GET, "responses": {"200": {"description": "ok"}},
                    "security": [{"cognito": []}], "x-amazon-apigateway-request-validator": "params"},
            "options": {"parameters": PATH_PARAM, "security": [], "responses": {"204": {"description": "CORS"}},
                        "x-amazon-apigateway-integration": {"type": "mock", **MOCK_REQUEST, "responses": {"default": {
                            "statusCode": "204", "responseTemplates": {"application/json": (
                                '#if($origin == "https://a.example" || $origin == "https://b.example")'
                                '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end')}}}}}}},
        "components": {"securitySchemes": {"cognito": {"type": "apiKey", "name": "Authorization", "in": "header",
                                                       "x-amazon-apigateway-authtype": "cognito_user_pools"}},
                       "schemas": {"ShowRequest": {"type": "object", "properties": {"title": {"type": "string"}}}}},
        "x-amazon-apigateway-request-validators": {"params": {"validateRequestParameters": True,
                                                              "validateRequestBody": False}},
        "x-amazon-apigateway-gateway-responses": {"DEFAULT_4XX": {"responseParameters": {
            "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin"}}},
    }
    for path, value in changes.items():
        target = doc
        keys = path.split("/")
        for key in keys[:-1]:
            target = target[key.replace("~1", "/")]
        target[keys[-1].replace("~1", "/")] = value
    return doc


def api(doc: dict | None = None, **props) -> Spec:
    return res(API, "api", {"body": json.dumps(doc or document()), "putRestApiMode": "overwrite",
                            "endpointConfiguration": {"types": "REGIONAL"}, **props})


def bad_operation(**changes) -> dict:
    get = dict(document()["paths"]["/shows/{id}"]["get"], **changes)
    return document(**{"paths/~1shows~1{id}/get": get})


def with_role(statements: list[dict], **role_props) -> list[Spec]:
    return [res(ROLE, "fn-role", {"name": "fn-role", "assumeRolePolicy": policy(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}),
        **role_props}),
        res(ROLE_POLICY, "fn-policy", {"role": "fn-role", "policy": policy(*statements)}, deps=["fn-role"])]


def bucket_with(*companions: tuple[str, dict]) -> list[Spec]:
    return [res(BUCKET, "site", {"bucketPrefix": "site-"})] + [
        res(t, f"site-{i}", dict(p, bucket="site-0a1b2c3"), deps=["site"]) for i, (t, p) in enumerate(companions)]


PAB = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
       {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True})
OWNERSHIP = ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", {"rule": {"objectOwnership": "BucketOwnerEnforced"}})
SSE = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
       {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]})
TLS_ONLY = ("aws:s3/bucketPolicy:BucketPolicy", {"policy": policy(
    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}})})
VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", {"versioningConfiguration": {"status": "Enabled"}})
CLUSTER_OK = res(CLUSTER, "db", {
    "engine": "aurora-postgresql", "engineVersion": "16", "storageEncrypted": True, "manageMasterUserPassword": True,
    "backupRetentionPeriod": 14, "deletionProtection": True, "enabledCloudwatchLogsExports": ["postgresql"],
    "skipFinalSnapshot": False, "finalSnapshotIdentifier": "db-final-0a1b2c3d",
    "serverlessv2ScalingConfiguration": {"minCapacity": 0.5, "maxCapacity": 8}, "databaseInsightsMode": "standard",
    "iamDatabaseAuthenticationEnabled": True})
INSTANCE_OK = res(INSTANCE, "db-writer", {"publiclyAccessible": False, "instanceClass": "db.serverless",
                                          "engine": "aurora-postgresql", "databaseInsightsMode": "standard"}, deps=["db"])
POOL_OK = res(POOL, "users", {
    "passwordPolicy": {"minimumLength": 8, "requireUppercase": True, "requireLowercase": True, "requireNumbers": True,
                       "requireSymbols": True, "temporaryPasswordValidityDays": 3},
    "mfaConfiguration": "OPTIONAL", "userPoolAddOns": {"advancedSecurityMode": "ENFORCED"},
    "deletionProtection": "ACTIVE", "userPoolTier": "PLUS"})
CLIENT_OK = res(CLIENT, "client", {"preventUserExistenceErrors": "ENABLED", "enableTokenRevocation": True,
                                   "explicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                                   "userPoolId": "us-east-1_ABC123", "accessTokenValidity": 60})
CERT = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/1"
WAF_CF = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/site/1"
DIST_OK = res(DIST, "site", {
    "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https", "responseHeadersPolicyId": "h1",
                             "allowedMethods": ["GET", "HEAD"]},
    "origins": [{"domainName": "site.s3.us-east-1.amazonaws.com", "originId": "s3", "originAccessControlId": "oac"}],
    "viewerCertificate": {"acmCertificateArn": CERT, "minimumProtocolVersion": "TLSv1.2_2021",
                          "sslSupportMethod": "sni-only"},
    "webAclId": WAF_CF, "priceClass": "PriceClass_100", "httpVersion": "http2and3"})
HEADERS_OK = res("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "headers", {"securityHeadersConfig": {
    "strictTransportSecurity": {"accessControlMaxAgeSec": 63072000}, "contentSecurityPolicy": {"contentSecurityPolicy": "x"},
    "contentTypeOptions": {"override": True}, "frameOptions": {"frameOption": "DENY"}}})
VISIBLE = {"cloudwatchMetricsEnabled": True, "sampledRequestsEnabled": True, "metricName": "waf"}
ACL_OK = res(ACL, "waf", {"scope": "REGIONAL", "visibilityConfig": VISIBLE, "defaultAction": {"allow": {}}, "rules": [
    {"name": "common", "priority": 0, "visibilityConfig": VISIBLE, "overrideAction": {"none": {}},
     "statement": {"managedRuleGroupStatement": {"name": "AWSManagedRulesCommonRuleSet", "vendorName": "AWS"}}},
    {"name": "bad-inputs", "priority": 1, "visibilityConfig": VISIBLE, "overrideAction": {"none": {}},
     "statement": {"managedRuleGroupStatement": {"name": "AWSManagedRulesKnownBadInputsRuleSet", "vendorName": "AWS"}}},
    {"name": "rate", "priority": 2, "visibilityConfig": VISIBLE, "action": {"block": {}},
     "statement": {"rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP"}}}]})
VPC_OK = res(VPC, "net", {"natGateways": {"strategy": "None"}, "numberOfAvailabilityZones": 2, "vpcEndpointSpecs": [
    {"serviceName": "com.amazonaws.us-east-1.s3", "vpcEndpointType": "Gateway"},
    {"serviceName": "com.amazonaws.us-east-1.dynamodb", "vpcEndpointType": "Gateway"}]})
INGRESS_OK = res(SG_IN, "db-ingress", {"fromPort": 5432, "toPort": 5432, "ipProtocol": "tcp",
                                       "referencedSecurityGroupId": "sg-1", "securityGroupId": "sg-2"})
TABLE_OK = res(TABLE, "table", {"billingMode": "PAY_PER_REQUEST", "serverSideEncryption": {"enabled": True},
                                "pointInTimeRecovery": {"enabled": True}, "deletionProtectionEnabled": True})
GROUP_OK = res(GROUP, "cache", {"transitEncryptionEnabled": True, "atRestEncryptionEnabled": True,
                                "userGroupIds": ["users"], "securityGroupIds": ["sg-1"],
                                "automaticFailoverEnabled": True, "multiAzEnabled": True})
SERVERLESS_OK = res(SERVERLESS, "cache", {"engine": "valkey", "userGroupId": "users-0a1b2c3", "securityGroupIds": ["sg-1"],
                                          "subnetIds": ["subnet-1"], "cacheUsageLimits": {"dataStorage": {
                                              "maximum": 5, "unit": "GB"}}})
PERMISSION_API = res(PERM, "perm", {
    "action": "lambda:InvokeFunction", "function": "fn-0a1b2c3", "principal": "apigateway.amazonaws.com",
    "qualifier": "live", "sourceArn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc123/*/GET/shows"},
    deps=["fn", "fn-alias"])
ALIAS = res("aws:lambda/alias:Alias", "fn-alias", {"name": "live", "functionName": "fn-0a1b2c3", "functionVersion": "1"},
            deps=["fn"])
ENI = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"]


KEY_POLICY = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
                     "Resource": "*"})
PUBLIC_PUBLISH = {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*"}
LOG_DELIVERY = {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::logs/*"}
TLS_DENY = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "elasticfilesystem:ClientMount", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
LOGGING = ("aws:s3/bucketLogging:BucketLogging", {"targetBucket": "logs-0a1b2c3"})
API_ORIGIN = {"originId": "api", "domainName": "abc.execute-api.us-east-1.amazonaws.com", "customOriginConfig": {
    "httpPort": 80, "httpsPort": 443, "originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"]}}
LAYER_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:multitier-test-deps:1"


def small_code() -> pulumi.AssetArchive:
    return pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")})


def huge_code() -> pulumi.AssetArchive:
    """A 300 MB file that takes no disk space (a hole), as an archive."""
    path = Path(tempfile.gettempdir()) / "multitier-policy-cases-300mb.bin"
    if not path.exists() or path.stat().st_size != 300 * 1024 * 1024:
        with open(path, "wb") as handle:
            handle.truncate(300 * 1024 * 1024)
    return pulumi.AssetArchive({"model.bin": pulumi.FileAsset(str(path))})


def layer(code: pulumi.AssetArchive) -> Spec:
    return res("aws:lambda/layerVersion:LayerVersion", "deps", {"layerName": "multitier-test-deps", "code": code})


def alarms(target: str, *metrics: str) -> list[Spec]:
    return [res(ALARM, f"{target}-{m}", {"metricName": m}, deps=[target]) for m in metrics]


def provider(**props) -> Spec:
    return res(PROVIDER, "aws", {"region": "us-east-1", **props})


CASES: dict[str, Case] = {
    # --- API Gateway ---
    "MT-APIGW-1": one(STAGE_OK, accessLogSettings=None),
    "MT-APIGW-2": one(STAGE_OK, accessLogSettings={"destinationArn": "arn:x", "format": "$context.requestId"}),
    "MT-APIGW-3": Case([STAGE_OK, SETTINGS], [STAGE_OK, changed(SETTINGS, stageName="other")]),
    "MT-APIGW-4": one(SETTINGS, settings=dict(SETTINGS.props["settings"], loggingLevel="OFF")),
    "MT-APIGW-5": one(SETTINGS, settings=dict(SETTINGS.props["settings"], dataTraceEnabled=True)),
    "MT-APIGW-6": one(SETTINGS, settings=dict(SETTINGS.props["settings"], metricsEnabled=False)),
    "MT-APIGW-7": one(SETTINGS, settings=dict(SETTINGS.props["settings"], throttlingRateLimit=-1)),
    "MT-APIGW-8": one(STAGE_OK, xrayTracingEnabled=False),
    "MT-APIGW-9": Case([api()], [api(bad_operation(**{"x-amazon-apigateway-request-validator": "missing"}))]),
    "MT-APIGW-10": Case([api(), res(API, "health-api", api(bad_operation(
        security=[], **{"x-amazon-apigateway-integration": {"type": "mock"}})).props)],  # no backend to guard
        [api(bad_operation(security=[]))]),
    "MT-APIGW-11": one(SETTINGS, settings=dict(SETTINGS.props["settings"], cachingEnabled=True,
                                               cacheDataEncrypted=False)),
    "MT-APIGW-12": Case([STAGE_OK, res(ASSOC, "assoc", {"resourceArn": "arn:stage"}, deps=["api-stage"])], [STAGE_OK]),
    "MT-APIGW-13": one(res("aws:apigateway/domainName:DomainName", "domain",
                           {"domainName": "api.example.com", "securityPolicy": "TLS_1_2"}), securityPolicy="TLS_1_0"),
    "MT-APIGW-14": Case([api(document(**{"x-amazon-apigateway-policy": {"Statement": []}}),
                             endpointConfiguration={"types": "PRIVATE"})],
                        [api(endpointConfiguration={"types": "PRIVATE"})]),
    "MT-APIGW-15": one(res("aws:apigateway/usagePlan:UsagePlan", "plan", {
        "throttleSettings": {"rateLimit": 10, "burstLimit": 20}, "quotaSettings": {"limit": 1000, "period": "DAY"}}),
        throttleSettings=None),
    "MT-APIGW-16": one(PERMISSION_API, sourceArn=f"arn:aws:execute-api:us-east-1:{ACCOUNT}:*/*"),
    # --- Lambda ---
    "MT-LAMBDA-1": Case([FUNCTION, changed(FUNCTION, role=f"arn:aws:iam::{ACCOUNT}:role/other")],
                        [FUNCTION, changed(FUNCTION)]),
    "MT-LAMBDA-2": one(FUNCTION, tracingConfig={"mode": "PassThrough"}),
    "MT-LAMBDA-3": one(FUNCTION, timeout=None),
    "MT-LAMBDA-4": Case([FUNCTION, PERMISSION_API], [changed(FUNCTION, timeout=60), PERMISSION_API]),
    "MT-LAMBDA-5": one(FUNCTION, runtime="python3.9"),
    "MT-LAMBDA-16": one(FUNCTION, runtime="python3.12"),
    "MT-LAMBDA-6": one(FUNCTION, architectures=["x86_64"]),
    "MT-LAMBDA-7": Case(
        [changed(FUNCTION, deadLetterConfig={"targetArn": "arn:aws:sqs:us-east-1:1:dlq"}),
         res(PERM, "s3-perm", {"principal": "s3.amazonaws.com", "sourceArn": "arn:aws:s3:::b"}, deps=["fn"])],
        [FUNCTION, res(PERM, "s3-perm", {"principal": "s3.amazonaws.com", "sourceArn": "arn:aws:s3:::b"}, deps=["fn"])]),
    "MT-LAMBDA-8": Case([changed(FUNCTION, reservedConcurrentExecutions=5)],
                        [changed(FUNCTION, reservedConcurrentExecutions=0)]),
    "MT-LAMBDA-9": one(FUNCTION, environment={"variables": {"DB_PASSWORD": "hunter2hunter2"}}),
    "MT-LAMBDA-10": one(PERMISSION_API, principal="*"),
    "MT-LAMBDA-11": one(res("aws:lambda/functionUrl:FunctionUrl", "url", {
        "functionName": "fn-0a1b2c3", "authorizationType": "AWS_IAM",
        "cors": {"allowOrigins": ["https://tickets.example.com"], "allowCredentials": True}}, deps=["fn"]),
        authorizationType="NONE"),
    "MT-LAMBDA-12": one(FUNCTION, layers=[f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:l{i}:1" for i in range(6)]),
    "MT-LAMBDA-13": one(FUNCTION, environment={"variables": {"ALLOWED_ORIGINS": "https://a.example.com," * 200}}),
    "MT-LAMBDA-14": Case([changed(FUNCTION, code=small_code(), layers=[LAYER_ARN]), layer(small_code())],
                         [changed(FUNCTION, code=small_code(), layers=[LAYER_ARN]), layer(huge_code())]),
    "MT-LAMBDA-15": Case([res("aws:lambda/eventSourceMapping:EventSourceMapping", "stream", {
        "functionName": "fn-0a1b2c3", "eventSourceArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t/stream/1",
        "destinationConfig": {"onFailure": {"destinationArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:failed"}}},
        deps=["fn"])], [res("aws:lambda/eventSourceMapping:EventSourceMapping", "stream", {
            "functionName": "fn-0a1b2c3", "eventSourceArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t/stream/1"},
            deps=["fn"])]),
    # --- IAM ---
    "MT-IAM-1": Case(with_role([allow(["s3:GetObject"], ["arn:aws:s3:::b/*"])]), with_role([allow("s3:*", "arn:aws:s3:::b")])),
    "MT-IAM-2": Case(with_role([allow(["xray:PutTraceSegments"], "*"), allow(["s3:GetObject"], ["arn:aws:s3:::b/*"])]),
                     with_role([allow(["s3:GetObject"], "*")])),
    "MT-IAM-3": Case(with_role([allow(["s3:GetObject"], ["arn:aws:s3:::b/*"])]),
                     with_role([], managedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"])),
    "MT-IAM-4": Case(with_role([allow(["s3:GetObject"], ["arn:aws:s3:::b/*"])]), with_role([allow("*", "*")])),
    "MT-IAM-5": Case(with_role([]), [res(ROLE, "fn-role", {"assumeRolePolicy": policy(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})})]),
    "MT-IAM-6": Case(with_role([allow(["s3:GetObject"], ["arn:aws:s3:::b/*"])]),
                     with_role([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"}])),
    "MT-IAM-7": Case([res(TOPIC, "topic", {"policy": policy(dict(PUBLIC_PUBLISH, Condition={
        "StringEquals": {"aws:SourceAccount": ACCOUNT}}))})], [res(TOPIC, "topic", {"policy": policy(dict(
            PUBLIC_PUBLISH, Condition={"Bool": {"aws:SecureTransport": "true"}}))})]),
    "MT-IAM-8": Case([res("aws:s3/bucketPolicy:BucketPolicy", "logs-policy", {"policy": policy(dict(
        LOG_DELIVERY, Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}}))})],
        [res("aws:s3/bucketPolicy:BucketPolicy", "logs-policy", {"policy": policy(LOG_DELIVERY)})]),
    # --- DynamoDB ---
    "MT-DDB-1": one(TABLE_OK, billingMode="PROVISIONED"),
    "MT-DDB-5": one(TABLE_OK, billingMode="PROVISIONED"),
    "MT-DDB-2": one(TABLE_OK, serverSideEncryption={"enabled": False}),
    "MT-DDB-3": one(TABLE_OK, pointInTimeRecovery={"enabled": False}),
    "MT-DDB-4": one(TABLE_OK, deletionProtectionEnabled=False),
    # --- S3 ---
    "MT-S3-1": Case(bucket_with(PAB), bucket_with((PAB[0], dict(PAB[1], restrictPublicBuckets=False)))),
    "MT-S3-2": Case(bucket_with(OWNERSHIP), bucket_with((OWNERSHIP[0], {"rule": {"objectOwnership": "ObjectWriter"}}))),
    "MT-S3-3": Case(bucket_with(SSE), bucket_with()),
    "MT-S3-4": Case(bucket_with(TLS_ONLY), bucket_with((TLS_ONLY[0], {"policy": policy()}))),
    "MT-S3-5": Case(bucket_with(VERSIONING), bucket_with((VERSIONING[0], {"versioningConfiguration": {"status": "Suspended"}}))),
    "MT-S3-6": one(res(BUCKET, "site", {"bucketPrefix": "site-", "forceDestroy": False}), forceDestroy=True),
    "MT-S3-7": Case([res("aws:s3/bucketAcl:BucketAcl", "acl", {"acl": "private"})],
                    [res("aws:s3/bucketAcl:BucketAcl", "acl", {"accessControlPolicy": {"grants": [{
                        "permission": "READ", "grantee": {"type": "Group",
                                                          "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]}})]),
    "MT-S3-8": Case(bucket_with(LOGGING) + [res(BUCKET, "logs", {"bucket": "logs-0a1b2c3"})], bucket_with()),
    # --- RDS ---
    "MT-RDS-1": one(CLUSTER_OK, storageEncrypted=False),
    "MT-RDS-2": one(INSTANCE_OK, publiclyAccessible=True),
    "MT-RDS-3": one(CLUSTER_OK, manageMasterUserPassword=None, masterPassword="hunter2"),
    "MT-RDS-4": one(CLUSTER_OK, backupRetentionPeriod=1),
    "MT-RDS-5": one(CLUSTER_OK, deletionProtection=False),
    "MT-RDS-6": one(CLUSTER_OK, enabledCloudwatchLogsExports=None),
    "MT-RDS-7": one(res("aws:rds/proxy:Proxy", "proxy", {"requireTls": True}), requireTls=False),
    "MT-RDS-8": one(CLUSTER_OK, skipFinalSnapshot=True),
    "MT-RDS-9": one(CLUSTER_OK, iamDatabaseAuthenticationEnabled=False),
    "MT-RDS-10": one(INSTANCE_OK, autoMinorVersionUpgrade=False),
    "MT-ACM-1": one(res("aws:acm/certificate:Certificate", "cert", {"domainName": "spa.tickets.example.com",
                                                                     "validationMethod": "DNS"}),
                    domainName="*.tickets.example.com"),
    # --- ElastiCache ---
    "MT-EC-1": one(GROUP_OK, transitEncryptionEnabled=False),
    "MT-EC-2": one(GROUP_OK, atRestEncryptionEnabled=False),
    "MT-EC-3": one(SERVERLESS_OK, userGroupId=None),
    "MT-EC-4": one(res(EC_USER, "default-user", {"userName": "default", "accessString": "off ~* -@all"}),
                   accessString="on ~* +@all"),
    "MT-EC-5": one(SERVERLESS_OK, subnetIds=None),
    "MT-EC-6": one(GROUP_OK, multiAzEnabled=False),
    # --- Cognito ---
    "MT-COG-1": one(POOL_OK, passwordPolicy={"minimumLength": 6, "requireUppercase": True}),
    "MT-COG-2": one(POOL_OK, mfaConfiguration="OFF"),
    "MT-COG-3": one(res("aws:cognito/identityPool:IdentityPool", "ids", {"allowUnauthenticatedIdentities": False}),
                    allowUnauthenticatedIdentities=True),
    "MT-COG-4": one(POOL_OK, userPoolAddOns={"advancedSecurityMode": "AUDIT"}),
    "MT-COG-5": one(CLIENT_OK, preventUserExistenceErrors="LEGACY"),
    "MT-COG-6": one(CLIENT_OK, allowedOauthFlows=["implicit"]),
    "MT-COG-7": one(POOL_OK, deletionProtection="INACTIVE"),
    # --- CloudFront ---
    "MT-CF-1": one(DIST_OK, defaultCacheBehavior=dict(DIST_OK.props["defaultCacheBehavior"],
                                                     viewerProtocolPolicy="allow-all")),
    "MT-CF-2": one(DIST_OK, origins=[{"domainName": "site.s3.us-east-1.amazonaws.com", "originId": "s3"}]),
    "MT-CF-3": one(DIST_OK, defaultCacheBehavior={"viewerProtocolPolicy": "redirect-to-https"}),
    "MT-CF-4": one(HEADERS_OK, securityHeadersConfig={"frameOptions": {"frameOption": "SAMEORIGIN"}}),
    "MT-CF-5": one(DIST_OK, viewerCertificate={"cloudfrontDefaultCertificate": True}),
    "MT-CF-6": one(DIST_OK, webAclId=None),
    "MT-CF-8": one(changed(DIST_OK, origins=[*DIST_OK.props["origins"], API_ORIGIN]), origins=[
        dict(API_ORIGIN, customOriginConfig=dict(API_ORIGIN["customOriginConfig"], originSslProtocols=["TLSv1.1"]))]),
    "MT-CF-9": one(changed(DIST_OK, loggingConfig={"bucket": "logs-0a1b2c3.s3.amazonaws.com"}), loggingConfig=None),
    "MT-CF-7": Case([res("aws:s3/bucketPolicy:BucketPolicy", "site-policy", {"policy": policy({
        "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::site/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"}}})})],
        [res("aws:s3/bucketPolicy:BucketPolicy", "site-policy", {"policy": policy({
            "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::site/*"})})]),
    # --- EFS ---
    "MT-EFS-1": one(res("aws:efs/fileSystem:FileSystem", "fs", {"encrypted": True}), encrypted=False),
    "MT-EFS-2": Case([res("aws:efs/fileSystem:FileSystem", "fs", {"encrypted": True}),
                      res("aws:efs/backupPolicy:BackupPolicy", "fs-backup", {"backupPolicy": {"status": "ENABLED"}},
                          deps=["fs"])],
                     [res("aws:efs/fileSystem:FileSystem", "fs", {"encrypted": True})]),
    "MT-EFS-3": Case([res("aws:efs/fileSystem:FileSystem", "fs", {"encrypted": True}),
                      res("aws:efs/fileSystemPolicy:FileSystemPolicy", "fs-policy", {"policy": policy(TLS_DENY)},
                          deps=["fs"])],
                     [res("aws:efs/fileSystem:FileSystem", "fs", {"encrypted": True}),
                      res("aws:efs/fileSystemPolicy:FileSystemPolicy", "fs-policy", {"policy": policy()}, deps=["fs"])]),
    "MT-EFS-4": one(res("aws:efs/accessPoint:AccessPoint", "ap", {"posixUser": {"uid": 1000, "gid": 1000},
                                                                  "rootDirectory": {"path": "/tickets"}}),
                    posixUser=None),
    # --- VPC ---
    "MT-VPC-1": Case([VPC_OK, res("aws:ec2/flowLog:FlowLog", "net-flow", {"trafficType": "ALL", "vpcId": "vpc-1"},
                                  deps=["net"])], [VPC_OK]),
    "MT-VPC-2": one(res(SG_IN, "https", {"fromPort": 443, "toPort": 443, "ipProtocol": "tcp", "cidrIpv4": "10.0.0.0/16"}),
                    cidrIpv4="0.0.0.0/0"),
    "MT-VPC-3": one(INGRESS_OK, referencedSecurityGroupId=None, cidrIpv4="10.0.0.0/16"),
    "MT-VPC-4": one(VPC_OK, vpcEndpointSpecs=[{"serviceName": "com.amazonaws.us-east-1.s3"}]),
    "MT-VPC-5": one(res("aws:ec2/vpcEndpoint:VpcEndpoint", "secrets", {
        "vpcEndpointType": "Interface", "privateDnsEnabled": True, "securityGroupIds": ["sg-1"],
        "subnetIds": ["subnet-1", "subnet-2"]}), privateDnsEnabled=False),
    "MT-VPC-6": one(VPC_OK, natGateways={"strategy": "OnePerAz"}),
    "MT-VPC-8": one(changed(INGRESS_OK, description="PostgreSQL from the function"), description=None),
    "MT-VPC-9": one(res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "egress", {
        "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0", "description": "HTTPS"}),
        ipProtocol="-1", fromPort=None, toPort=None),
    "MT-VPC-7": Case([VPC_OK, VPC_FUNCTION, res("aws:ec2/vpcEndpoint:VpcEndpoint", "xray", {
        "vpcEndpointType": "Interface", "serviceName": "com.amazonaws.us-east-1.xray"})], [VPC_OK, VPC_FUNCTION]),
    # --- KMS, SNS, logs, WAF, ops, secrets ---
    "MT-KMS-1": one(res(KEY, "key", {"enableKeyRotation": True}), enableKeyRotation=False),
    "MT-KMS-3": one(res(KEY, "key", {"enableKeyRotation": True, "policy": KEY_POLICY}), policy=None),
    "MT-SNS-1": one(res(TOPIC, "topic", {"kmsMasterKeyId": "arn:aws:kms:us-east-1:1:key/1"}), kmsMasterKeyId=None),
    "MT-SNS-2": Case([res(TOPIC, "topic", {"policy": policy({"Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
                                                             "Resource": "*", "Condition": {"Bool": {
                                                                 "aws:SecureTransport": "false"}}})})],
                     [res(TOPIC, "topic", {})]),
    "MT-SNS-3": one(res("aws:sns/topicSubscription:TopicSubscription", "to-fn", {
        "protocol": "lambda", "endpoint": ARN_FN, "redrivePolicy": '{"deadLetterTargetArn": "arn:aws:sqs:x:1:dlq"}'}),
        redrivePolicy=None),
    "MT-LOGS-1": one(res(LOG_GROUP, "logs", {"retentionInDays": 90}), retentionInDays=None),
    "MT-LOGS-2": one(res(LOG_GROUP, "logs", {"retentionInDays": 90}), retentionInDays=7),
    "MT-WAF-1": one(ACL_OK, rules=ACL_OK.props["rules"][:1]),
    "MT-WAF-2": one(ACL_OK, visibilityConfig={"cloudwatchMetricsEnabled": False, "metricName": "waf"}),
    "MT-WAF-4": Case([ACL_OK, res("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "waf-logging", {
        "logDestinationConfigs": [f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-x"]}, deps=["waf"])],
        [ACL_OK]),
    "MT-WAF-3": one(ACL_OK, rules=[dict(rule, overrideAction={"count": {}}) if "overrideAction" in rule else rule
                                   for rule in ACL_OK.props["rules"]]),
    "MT-OPS-1": Case([FUNCTION, *alarms("fn", "Errors", "Throttles")], [FUNCTION, *alarms("fn", "Errors")]),
    "MT-OPS-2": Case([api(), *alarms("api", "5XXError", "Latency")], [api(), *alarms("api", "Latency")]),
    "MT-SEC-1": Case([res(SECRET, "secret", {"namePrefix": "db-"}),
                      res("aws:secretsmanager/secretRotation:SecretRotation", "rotation", {}, deps=["secret"])],
                     [res(SECRET, "secret", {"namePrefix": "db-"})]),
    "MT-SEC-2": one(res(SECRET, "secret", {"namePrefix": "db-", "recoveryWindowInDays": 7}), recoveryWindowInDays=0),
    # --- deploy checks ---
    "MT-DEPLOY-1": Case([ACCOUNT_SETTING, STAGE_OK, SETTINGS], [STAGE_OK, SETTINGS]),
    "MT-DEPLOY-2": Case(
        [changed(FUNCTION, environment={"variables": {"DB_HOST": "db.cluster-x.us-east-1.rds.amazonaws.com"}}),
         res("aws:lambda/invocation:Invocation", "migration", {"functionName": "fn-0a1b2c3"}, deps=["fn"])],
        [changed(FUNCTION, environment={"variables": {"DB_HOST": "db-proxy.proxy-x.us-east-1.rds.amazonaws.com"}}),
         res("aws:lambda/invocation:Invocation", "migration", {"functionName": "fn-0a1b2c3"}, deps=["fn"])]),
    "MT-DEPLOY-3": Case([changed(SETTINGS, methodPath="~1shows~1{id}/GET")],
                        [changed(SETTINGS, methodPath="shows/{id}/GET")]),
    "MT-DEPLOY-5": one(CLUSTER_OK, finalSnapshotIdentifier="db-final"),
    "MT-DEPLOY-6": Case([res("aws:lambda/layerVersion:LayerVersion", "deps", {"layerName": "multitier-test-deps"})],
                        [res("aws:lambda/layerVersion:LayerVersion", "deps", {"layerName": "deps"})]),
    "MT-DEPLOY-7": Case([FUNCTION, ALIAS, PERMISSION_API], [FUNCTION, ALIAS, changed(PERMISSION_API)]),
    "MT-DEPLOY-8": Case([changed(CLUSTER_OK, engineVersion="16.4"), changed(INSTANCE_OK, engineVersion="16.4")],
                        [changed(CLUSTER_OK, engineVersion="16.4"), changed(INSTANCE_OK, engineVersion="16.4")]),
    "MT-DEPLOY-9": Case([VPC_OK], [VPC_OK, res(VPC, "net2", dict(VPC_OK.props))]),
    "MT-OPENAPI-1": Case([api()], [api(document(**{"paths/~1shows~1{id}/options/parameters": []}))]),
    "MT-OPENAPI-2": Case([api()], [api(document(**{"components/schemas/ShowRequest/additionalProperties": False}))]),
    "MT-OPENAPI-3": one(api(), putRestApiMode="merge"),
    # A gateway-response template is not run through VTL: only a header mapping from the request echoes it.
    "MT-OPENAPI-4": Case([api()], [api(document(**{"x-amazon-apigateway-gateway-responses": {"DEFAULT_4XX": {
        "responseTemplates": {"application/json": (
            '#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params("Origin"))')}}}}))]),
    "MT-DEPLOY-14": Case([DIST_OK], [changed(DIST_OK, viewerCertificate={
        "acmCertificateArn": f"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/1"})]),
    "MT-DEPLOY-15": Case([changed(ACL_OK, scope="CLOUDFRONT"), DIST_OK],
                         [res(ACL, "waf", dict(ACL_OK.props, scope="CLOUDFRONT"), region="eu-west-1"), DIST_OK]),
    "MT-DEPLOY-16": one(res(BUCKET, "site", {"bucketPrefix": "site-"}),
                        bucketPrefix="a-very-long-bucket-prefix-that-is-way-over-37-"),
    "MT-DEPLOY-17": one(res("aws:cognito/userPoolDomain:UserPoolDomain", "domain", {"domain": "tickets-3f9a2c17"}),
                        domain="cognito-tickets"),
    "MT-OPENAPI-6": Case([api()], [api(document(**{
        "paths/~1shows~1{id}/options/x-amazon-apigateway-integration/passthroughBehavior": "when_no_match"}))]),
    "MT-OPENAPI-7": Case([api()], [api(bad_operation(**{"x-amazon-apigateway-integration": INTEGRATION}))]),
    "MT-OPENAPI-5": Case([api()], [api(bad_operation(**{"x-amazon-apigateway-integration": dict(
        INTEGRATION, timeoutInMillis=30000)}))]),
    "MT-DEPLOY-19": Case([FUNCTION, res(LOG_GROUP, "fn-logs", {"name": "/aws/lambda/fn-0a1b2c3", "retentionInDays": 14})],
                         [changed(FUNCTION), res(LOG_GROUP, "other-logs", {"name": "/aws/lambda/other"})]),
    "MT-DEPLOY-20": Case([VPC_FUNCTION,
                          *with_role([allow(ENI, "*")])],
                         [VPC_FUNCTION,
                          *with_role([allow(["s3:GetObject"], "arn:aws:s3:::b/*")])]),
    "MT-DEPLOY-21": Case(
        [api(document(**{"components/securitySchemes/lambda": {"type": "apiKey", "x-amazon-apigateway-authorizer": {
            "type": "token", "authorizerUri": f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                              f"{ARN_FN}:auth-0a1b2c3:live/invocations"}}})),
         res(PERM, "auth-perm", {"function": "auth-0a1b2c3", "principal": "apigateway.amazonaws.com",
                                 "sourceArn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc/authorizers/*"})],
        [api(document(**{"components/securitySchemes/lambda": {"type": "apiKey", "x-amazon-apigateway-authorizer": {
            "type": "token", "authorizerUri": f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                              f"{ARN_FN}:auth-0a1b2c3:live/invocations"}}}))]),
    "MT-DEPLOY-22": Case(
        [changed(DIST_OK, loggingConfig={"bucket": "logs-0a1b2c3.s3.amazonaws.com"}),
         res(OWNERSHIP[0], "logs-ownership", {"bucket": "logs-0a1b2c3", "rule": {"objectOwnership": "BucketOwnerPreferred"}})],
        [changed(DIST_OK, loggingConfig={"bucket": "logs-0a1b2c3.s3.amazonaws.com"}),
         res(OWNERSHIP[0], "logs-ownership", {"bucket": "logs-0a1b2c3", **OWNERSHIP[1]})]),
    "MT-DEPLOY-23": one(res(SECRET, "secret", {"namePrefix": "db-", "recoveryWindowInDays": 7}),
                        namePrefix=None, name="db-credentials"),
    "MT-DEPLOY-24": one(CLUSTER_OK, finalSnapshotIdentifier=None),
    "MT-DEPLOY-25": Case([res("aws:apigateway/deployment:Deployment", "deployment", {"triggers": {"openapi": "abc"}})],
                         [res("aws:apigateway/deployment:Deployment", "deployment", {"restApi": "api1"})]),
    "MT-DEPLOY-26": Case([provider(profile="ops")], [provider()]),
    "MT-DEPLOY-27": Case([provider(allowedAccountIds=[ACCOUNT])], [provider()]),
    "MT-DEPLOY-28": one(changed(FUNCTION, reservedConcurrentExecutions=10), reservedConcurrentExecutions=950),
    "MT-DEPLOY-29": Case([ACCOUNT_SETTING, *ACCOUNT_ROLE],
                         [changed(ACCOUNT_SETTING), *map(changed, ACCOUNT_ROLE)]),
    "MT-DEPLOY-30": Case([res(ALARM, "shows-lambda-throttles", {}), res(ALARM, "shows-dynamodb-throttles", {})],
                         [res(ALARM, "shows-throttles", {}), res(ALARM, "shows-throttles", {})]),
    # --- cost ---
    "MT-COST-1": Case([res(KEY, "key", {"enableKeyRotation": True})],
                      [res(KEY, "key", {"enableKeyRotation": True}), res(KEY, "key2", {"enableKeyRotation": True})],
                      params={"monthlyBudgetUsd": 1.5}),
}

# The deploy check on engine upgrades reads ignore_changes: on the cluster and the instance carrying the version.
CASES["MT-DEPLOY-8"].good[0].ignore = CASES["MT-DEPLOY-8"].good[1].ignore = ("engineVersion",)
CASES["MT-DEPLOY-8"].bad[0].ignore = ("engineVersion",)
# The account setting neither reset on destroy nor re-pointed by a later up.
CASES["MT-DEPLOY-29"].bad[0].retain, CASES["MT-DEPLOY-29"].bad[0].ignore = False, ()
CASES["MT-DEPLOY-29"].bad[1].retain = False
# A permission naming an alias must depend on it: the broken one does not.
CASES["MT-DEPLOY-7"].bad[2].deps = ["fn"]
# Two functions sharing one role.
CASES["MT-LAMBDA-1"].bad[1].name = "fn2"
CASES["MT-LAMBDA-1"].good[1].name = "fn2"
# The function's log group exists but the function does not depend on it.
CASES["MT-DEPLOY-19"].bad[0].deps = ["fn-role"]
# Providers must carry every aws:* stack setting (the stack here sets aws:profile).
STACK_CONFIG = {"MT-DEPLOY-26": {"aws:region": "us-east-1", "aws:profile": "ops"},
                "MT-DEPLOY-27": {"aws:region": "us-east-1", "aws:allowedAccountIds": [ACCOUNT]}}

LIMIT_CASES = {
    "MT-LIMITS-1": one(FUNCTION, memorySize=64),
    "MT-LIMITS-2": one(PERMISSION_API, action="InvokeFunction"),
    "MT-LIMITS-3": one(ALIAS, name="123"),
    "MT-LIMITS-4": one(res("aws:lambda/layerVersion:LayerVersion", "deps", {
        "layerName": "multitier-test-deps", "compatibleArchitectures": ["arm64"], "compatibleRuntimes": ["python3.14"]}),
        compatibleArchitectures=["arm"]),
    "MT-LIMITS-5": one(STAGE_OK, cacheClusterSize="2"),
    "MT-LIMITS-6": one(SETTINGS, settings=dict(SETTINGS.props["settings"],
                                               unauthorizedCacheControlHeaderStrategy="DENY")),
    "MT-LIMITS-7": one(res("aws:apigateway/usagePlan:UsagePlan", "plan", {"quotaSettings": {"limit": 10, "period": "DAY"}}),
                       quotaSettings={"limit": 10, "period": "YEAR"}),
    "MT-LIMITS-8": one(res("aws:apigateway/domainName:DomainName", "domain", {"securityPolicy": "TLS_1_2",
                                                                              "endpointConfiguration": {"types": "REGIONAL"}}),
                       endpointConfiguration={"types": "GLOBAL"}),
    "MT-LIMITS-9": one(POOL_OK, passwordPolicy=dict(POOL_OK.props["passwordPolicy"], minimumLength=4)),
    "MT-LIMITS-10": one(CLIENT_OK, explicitAuthFlows=["ALLOW_MAGIC"]),
    "MT-LIMITS-11": one(res("aws:cognito/userPoolDomain:UserPoolDomain", "domain", {"domain": "tickets-3f9a2c17"}),
                        domain="Tickets_App"),
    "MT-LIMITS-12": one(CLUSTER_OK, databaseInsightsMode="basic"),
    "MT-LIMITS-13": one(INSTANCE_OK, databaseInsightsMode="basic"),
    "MT-LIMITS-14": one(res("aws:rds/proxy:Proxy", "proxy", {"name": "db-proxy", "engineFamily": "POSTGRESQL",
                                                             "auths": [{"authScheme": "SECRETS", "iamAuth": "DISABLED"}]}),
                        auths=[{"authScheme": "SECRETS", "iamAuth": "MAYBE"}]),
    "MT-LIMITS-15": one(SERVERLESS_OK, cacheUsageLimits={"dataStorage": {"maximum": 5, "unit": "MB"}}),
    "MT-LIMITS-16": one(res(EC_USER, "user", {"userId": "app-user", "userName": "app", "engine": "valkey",
                                              "authenticationMode": {"type": "iam"}}), userId="1-user"),
    "MT-LIMITS-17": one(res("aws:elasticache/userGroup:UserGroup", "users", {"engine": "valkey", "userIds": ["app-user"]}),
                        userIds=["-user"]),
    "MT-LIMITS-18": one(DIST_OK, priceClass="PriceClass_50"),
    "MT-LIMITS-19": one(ACL_OK, rules=[{"name": "rate", "priority": 0, "visibilityConfig": VISIBLE,
                                        "statement": {"rateBasedStatement": {"limit": 5, "aggregateKeyType": "IP"}}}]),
    "MT-LIMITS-20": one(res(BUCKET, "site", {"bucketPrefix": "site-", "acl": "private"}), acl="public"),
    "MT-LIMITS-21": one(res(ROLE, "role", {"name": "fn-role", "description": "Execution role"}), name="fn role"),
    "MT-LIMITS-22": one(res(ROLE_POLICY, "policy", {"role": "fn-role", "policy": policy()}), name="pol/icy"),
}
CASES.update(LIMIT_CASES)

from tests.policy.cases_release import RELEASE_CASES  # noqa: E402  (they build on the resources above)

CASES.update(RELEASE_CASES)
# The replacement rules (policy/rules/replacement.py), kept beside their data's consumers.
from tests.policy.replacement_cases import REPLACEMENT_CASES  # noqa: E402

CASES.update({rule_id: Case(good, bad) for rule_id, (good, bad) in REPLACEMENT_CASES.items()})
