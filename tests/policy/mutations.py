"""The catalog of the mutation harness: each entry one change to one resource of a recorded stack.

``CATCHES`` are insecure or deploy-breaking variants, each with the mandatory rule that must
catch it; ``SECURE`` are sensible, safe variants that must stay clean. Classes (``kind``)
follow the issue: wildcards, public principals, one setting said several ways, secrets by
value, areas new to the pack, limits botocore does not carry, and severity that fits.
Names are those of the prod stack unless a mutation says ``stack="dev"``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache

import pulumi

from tests.policy.mutation import (ACCOUNT, REGION, Change, Mutation, add, document, edit, option, remove, setting,
                                   with_statement)

TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/web-app-shows-4412b47"
BUCKET = "arn:aws:s3:::web-app-info-3ef0017"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/web-app-browse-role-df29728"
BROWSE_POLICY = "web-app-browse-policy"  # the inline policy of an API function's role
FN = "web-app-browse"  # a function API Gateway invokes
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:web-app-browse-5891190"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:alarms-topic-c94ced0"
FS_ARN = f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-ab191a4e5a0408705"
PUBLIC_BLOCK = "web-app-info-public-access"
AWS_ANYONE = {"AWS": "*"}


def allow(actions, resources, **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def grant(statement: dict) -> Change:
    return with_statement(BROWSE_POLICY, statement)


def bucket_statement(statement: dict) -> Change:
    return with_statement("web-app-info-policy@s3/", statement)


def env(**variables: str) -> Change:
    return edit(FN, lambda props: props["environment"]["variables"].update(variables))


def waf_rule(acl: str, index: int, **values) -> Change:
    return setting(acl, **{f"rules__{index}__{key}": value for key, value in values.items()})


# --- resource policies the stacks could register, as additions -------------------------------

def topic_policy(statement: dict) -> Change:
    return add("aws:sns/topicPolicy:TopicPolicy", "extra-topic-policy", {"arn": TOPIC_ARN, "policy": _doc(statement)},
               depends_on=["alarms-topic"])


def secret_policy(statement: dict) -> Change:
    return add("aws:secretsmanager/secretPolicy:SecretPolicy", "db-secret-policy",
               {"secretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-AbCdEf", "policy": _doc(statement)})


def queue_policy(statement: dict) -> Change:
    return add("aws:sqs/queuePolicy:QueuePolicy", "jobs-queue-policy",
               {"queueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/jobs", "policy": _doc(statement)})


def api_policy(statement: dict) -> Change:
    return add("aws:apigateway/restApiPolicy:RestApiPolicy", "web-app-api-policy",
               {"restApiId": "4877a3b014", "policy": _doc(statement)}, depends_on=["web-app-api"])


def _doc(*statements: dict) -> str:
    import json

    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def public(action: str, resource: str, principal=AWS_ANYONE, **condition) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource,
            **({"Condition": condition} if condition else {})}


# --- archives ----------------------------------------------------------------------------------

@cache
def _scratch() -> str:
    folder = tempfile.mkdtemp(prefix="mutations-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def sparse(name: str, megabytes: int) -> pulumi.FileAsset:
    """A file of ``megabytes`` that takes no disk space (a hole), as an asset."""
    path = os.path.join(_scratch(), name)
    with open(path, "wb") as handle:
        handle.truncate(megabytes * 1024 * 1024)
    return pulumi.FileAsset(path)


def big_code(megabytes: int) -> Change:
    return edit(FN, lambda props: props.update(code=pulumi.AssetArchive({
        "app.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n"),
        "model.bin": sparse(f"model-{megabytes}.bin", megabytes)})))


def layer_arns(count: int) -> list[str]:
    return [f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:extra-{i}:1" for i in range(count)]


M = Mutation
IAM1, IAM2, IAM3, IAM4, IAM5, IAM6, PUBLIC, DEPUTY = ("MT-IAM-1", "MT-IAM-2", "MT-IAM-3", "MT-IAM-4", "MT-IAM-5",
                                                      "MT-IAM-6", "MT-IAM-7", "MT-IAM-8")

WILDCARDS = [
    M("service wildcard action", "wildcards", grant(allow("dynamodb:*", TABLE)), IAM1),
    M("wildcard suffix in an action", "wildcards", grant(allow(["dynamodb:GetItem", "dynamodb:*Item"], TABLE)), IAM1),
    M("wildcard inside an action", "wildcards", grant(allow("iam:*Role*", ROLE_ARN)), IAM1),
    M("prefix wildcard in an action", "wildcards", grant(allow("s3:Get*", f"{BUCKET}/*")), IAM1),
    M("single-character wildcard in an action", "wildcards", grant(allow("dynamodb:GetIte?", TABLE)), IAM1),
    M("action '*' on one table", "wildcards", grant(allow("*", TABLE)), IAM1),
    M("wildcard action as a string in mixed case", "wildcards", grant(allow("DynamoDB:*", [TABLE])), IAM1),
    M("region and account wildcards", "wildcards", grant(allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/*")),
      IAM2),
    M("table wildcard", "wildcards", grant(allow("dynamodb:GetItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*")),
      IAM2),
    M("region wildcard", "wildcards", grant(allow("dynamodb:GetItem", TABLE.replace(REGION, "*"))), IAM2),
    M("account wildcard", "wildcards", grant(allow("dynamodb:GetItem", TABLE.replace(ACCOUNT, "*"))), IAM2),
    M("partition wildcard", "wildcards", grant(allow("dynamodb:GetItem", TABLE.replace("arn:aws:", "arn:*:"))), IAM2),
    M("table name prefix wildcard", "wildcards", grant(allow("dynamodb:GetItem", TABLE[:-8] + "*")), IAM2),
    M("every bucket", "wildcards", grant(allow("s3:GetObject", "arn:aws:s3:::*")), IAM2),
    M("bucket name wildcard", "wildcards", grant(allow("s3:GetObject", "arn:aws:s3:::web-app-*/*")), IAM2),
    M("every log group", "wildcards", grant(allow("logs:PutLogEvents",
                                                  f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*")), IAM2),
    M("every secret", "wildcards", grant(allow("secretsmanager:GetSecretValue",
                                               f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:*")), IAM2),
    M("resource '*' as a string", "wildcards", grant(allow("dynamodb:GetItem", "*")), IAM2),
    M("resource '*' among exact ARNs", "wildcards", grant(allow(["sqs:SendMessage"], [TABLE, "*"])), IAM2),
    M("NotAction in an Allow", "wildcards", grant({"Effect": "Allow", "NotAction": "iam:*", "Resource": TABLE}), IAM6),
    M("NotResource in an Allow", "wildcards",
      grant({"Effect": "Allow", "Action": "dynamodb:GetItem", "NotResource": TABLE}), IAM6),
    M("administrator access", "wildcards", grant(allow("*", "*")), "MT-IAM-4"),
    M("administrator access as '*:*'", "wildcards", grant(allow("*:*", "*")), "MT-IAM-4"),
    M("managed policy with a service wildcard", "wildcards",
      add("aws:iam/policy:Policy", "extra-managed", {"policy": _doc(allow("s3:*", f"{BUCKET}/*"))}), IAM1),
    M("managed policy on '*'", "wildcards",
      add("aws:iam/policy:Policy", "extra-managed", {"policy": _doc(allow("s3:GetObject", "*"))}), IAM2),
    M("managed policy with NotAction", "wildcards",
      add("aws:iam/policy:Policy", "extra-managed", {"policy": _doc({"Effect": "Allow", "NotAction": "s3:Delete*",
                                                                      "Resource": BUCKET})}), IAM6),
    M("role inline policy with a wildcard", "wildcards", setting(
        "web-app-browse-role", inlinePolicies=[{"name": "extra", "policy": _doc(allow("sqs:*", "*"))}]), IAM1),
    M("user policy with a wildcard", "wildcards", add("aws:iam/userPolicy:UserPolicy", "deployer-policy",
                                                      {"user": "deployer", "policy": _doc(allow("lambda:*", FN_ARN))}),
      IAM1),
    M("group policy on '*'", "wildcards", add("aws:iam/groupPolicy:GroupPolicy", "ops-policy",
                                              {"group": "ops", "policy": _doc(allow("dynamodb:Scan", "*"))}), IAM2),
    M("bucket policy granting s3:* to CloudFront", "wildcards", with_statement(
        "single-page-app-site-content-policy", allow(
            "s3:*", "arn:aws:s3:::single-page-app-site-content-9b118e5/*",
            Principal={"Service": "cloudfront.amazonaws.com"},
            Condition={"StringEquals": {"AWS:SourceArn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/EDCE523FA1A5BE"}})),
      IAM1),
    M("bucket policy Allow with NotAction", "wildcards", bucket_statement(
        {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "NotAction": "s3:DeleteObject", "Resource": f"{BUCKET}/*"}),
      IAM6),
    M("key policy granting kms:* to a service", "wildcards", with_statement("alarms-key", allow(
        "kms:*", "*", Principal={"Service": "cloudwatch.amazonaws.com"},
        Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}})), IAM1),
    M("topic policy granting sns:*", "wildcards", topic_policy(allow(
        "sns:*", TOPIC_ARN, Principal={"Service": "events.amazonaws.com"},
        Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}})), IAM1),
    M("file-system policy granting elasticfilesystem:*", "wildcards", with_statement(
        "mobile-backend-documents-policy", allow("elasticfilesystem:*", FS_ARN, Principal={"AWS": ROLE_ARN})), IAM1),
    M("secret policy granting secretsmanager:*", "wildcards",
      secret_policy(allow("secretsmanager:*", "*", Principal={"AWS": ROLE_ARN})), IAM1),
    M("queue policy granting sqs:*", "wildcards", queue_policy(allow("sqs:*", "*", Principal={"AWS": ROLE_ARN})), IAM1),
    M("API policy with NotResource", "wildcards", api_policy(
        {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "execute-api:Invoke", "NotResource": "x"}), IAM6),
    M("managed policy attached", "wildcards", add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin",
                                                  {"role": "web-app-browse-role-df29728",
                                                   "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}), IAM3),
    M("managed policy ARNs on a role", "wildcards", setting(
        "web-app-browse-role", managedPolicyArns=["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]),
      IAM3),
    M("wildcard action in dev too", "wildcards", grant(allow("dynamodb:*", TABLE.replace("4412b47", "x"))), IAM1,
      stack="dev"),
]

PUBLIC_PRINCIPALS = [
    M("bucket readable by '*'", "public", bucket_statement(public("s3:GetObject", f"{BUCKET}/*", "*")), PUBLIC),
    M("bucket readable by AWS '*'", "public", bucket_statement(public("s3:GetObject", f"{BUCKET}/*")), PUBLIC),
    M("bucket readable by AWS ['*']", "public", bucket_statement(public("s3:GetObject", f"{BUCKET}/*",
                                                                        {"AWS": ["*"]})), PUBLIC),
    M("bucket public but for TLS", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", "*", Bool={"aws:SecureTransport": "true"})), PUBLIC),
    M("bucket public but for an IfExists VPC endpoint", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", "*", StringEqualsIfExists={"aws:SourceVpce": "vpce-1a2b3c4d"})), PUBLIC),
    M("bucket public with a wildcard source", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", "*", ArnLike={"aws:SourceArn": "*"})), PUBLIC),
    M("bucket public to all but one account", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", "*", StringNotEquals={"aws:PrincipalAccount": "111122223333"})), PUBLIC),
    M("bucket open to every account's root", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", {"AWS": "arn:aws:iam::*:root"})), PUBLIC),
    M("bucket public to every organization", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", "*", StringLike={"aws:PrincipalOrgID": "o-*"})), PUBLIC),
    M("bucket public to a role name in any account", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", "*", ArnLike={"aws:PrincipalArn": "arn:aws:iam::*:role/reader"})), PUBLIC),
    M("key usable by anyone", "public", with_statement("alarms-key", public("kms:Decrypt", "*")), PUBLIC),
    M("key usable by anyone through a service", "public", with_statement("alarms-key", public(
        "kms:Decrypt", "*", "*", StringEquals={"kms:ViaService": f"sns.{REGION}.amazonaws.com"})), PUBLIC),
    M("topic policy publishable by anyone", "public", topic_policy(public("sns:Publish", TOPIC_ARN)), PUBLIC),
    M("topic's own policy subscribable by anyone", "public",
      setting("alarms-topic", policy=_doc(public("sns:Subscribe", TOPIC_ARN, "*"))), PUBLIC),
    M("file system mountable by anyone", "public", with_statement(
        "mobile-backend-documents-policy", public("elasticfilesystem:ClientMount", FS_ARN)), PUBLIC),
    M("file system mountable by anyone over TLS", "public", with_statement(
        "mobile-backend-documents-policy", public("elasticfilesystem:ClientMount", FS_ARN, "*",
                                                  Bool={"aws:SecureTransport": "true"})), PUBLIC),
    M("API policy open to anyone", "public", api_policy(public("execute-api:Invoke", "execute-api:/*", "*")), PUBLIC),
    M("API's own policy open to anyone", "public",
      setting("web-app-api", policy=_doc(public("execute-api:Invoke", "execute-api:/*"))), PUBLIC),
    M("API document policy open to anyone", "public", document(
        "web-app-api", lambda doc: doc.update({"x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [
            public("execute-api:Invoke", "execute-api:/*", "*")]}}), key="body"), PUBLIC),
    M("secret readable by anyone", "public", secret_policy(public("secretsmanager:GetSecretValue", "*")), PUBLIC),
    M("queue writable by anyone", "public", queue_policy(public("sqs:SendMessage", "*", "*")), PUBLIC),
    M("queue's own policy readable by anyone", "public", add(
        "aws:sqs/queue:Queue", "jobs", {"sqsManagedSseEnabled": True,
                                        "policy": _doc(public("sqs:ReceiveMessage", "*"))}),
      PUBLIC),
    M("trust policy for anyone", "public", document("web-app-browse-role", lambda doc: doc["Statement"].append(
        {"Effect": "Allow", "Principal": AWS_ANYONE, "Action": "sts:AssumeRole"}), key="assumeRolePolicy"), IAM5),
    M("trust policy for every account", "public", document("web-app-browse-role", lambda doc: doc["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"}, "Action": "sts:AssumeRole"}),
        key="assumeRolePolicy"), IAM5),
    M("trust policy for anyone over TLS", "public", document("web-app-browse-role", lambda doc: doc["Statement"].append(
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}}), key="assumeRolePolicy"), IAM5),
    M("function invocable by anyone", "public", add("aws:lambda/permission:Permission", "open-invoke", {
        "action": "lambda:InvokeFunction", "function": "web-app-browse-5891190", "principal": "*"},
        depends_on=[FN]), "MT-LAMBDA-10"),
    M("function URL open to anyone", "public", add("aws:lambda/functionUrl:FunctionUrl", "browse-url", {
        "functionName": "web-app-browse-5891190", "authorizationType": "NONE"}, depends_on=[FN]), "MT-LAMBDA-11"),
    M("service may invoke from any account", "public", add("aws:lambda/permission:Permission", "s3-invoke", {
        "action": "lambda:InvokeFunction", "function": "web-app-browse-5891190", "principal": "s3.amazonaws.com"},
        depends_on=[FN]), "MT-LAMBDA-10"),
    M("topic policy lets a service publish for anyone", "public", topic_policy(allow(
        "sns:Publish", TOPIC_ARN, Principal={"Service": "events.amazonaws.com"})), DEPUTY),
    M("bucket policy lets a service write for anyone", "public", bucket_statement(allow(
        "s3:PutObject", f"{BUCKET}/logs/*", Principal={"Service": "logging.s3.amazonaws.com"})), DEPUTY),
    M("key policy lets a service decrypt for anyone", "public", document("alarms-key", lambda doc: doc[
        "Statement"][1].pop("Condition")), DEPUTY),
    M("CloudFront may read for any distribution", "public", document(
        "single-page-app-site-content-policy", lambda doc: doc["Statement"][1].pop("Condition")), "MT-CF-7"),
    M("bucket ACL public-read", "public", add("aws:s3/bucketAcl:BucketAcl", "web-app-info-acl", {
        "bucket": "web-app-info-3ef0017", "acl": "public-read"}, depends_on=["web-app-info@s3/"]), "MT-S3-7"),
]

SAME_SETTING = [
    M("bucket ACL v2 public-read-write", "same-setting", add("aws:s3/bucketAclV2:BucketAclV2", "web-app-info-acl", {
        "bucket": "web-app-info-3ef0017", "acl": "public-read-write"}, depends_on=["web-app-info@s3/"]), "MT-S3-7"),
    M("bucket ACL authenticated-read", "same-setting", add("aws:s3/bucketAcl:BucketAcl", "web-app-info-acl", {
        "bucket": "web-app-info-3ef0017", "acl": "authenticated-read"}, depends_on=["web-app-info@s3/"]), "MT-S3-7"),
    M("bucket ACL grant to AllUsers", "same-setting", add("aws:s3/bucketAcl:BucketAcl", "web-app-info-acl", {
        "bucket": "web-app-info-3ef0017", "accessControlPolicy": {"owner": {"id": "abc"}, "grants": [{
            "permission": "READ", "grantee": {"type": "Group",
                                              "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]}},
        depends_on=["web-app-info@s3/"]), "MT-S3-7"),
    M("bucket ACL grant to AuthenticatedUsers", "same-setting", add("aws:s3/bucketAcl:BucketAcl", "web-app-info-acl", {
        "bucket": "web-app-info-3ef0017", "accessControlPolicy": {"owner": {"id": "abc"}, "grants": [{
            "permission": "WRITE", "grantee": {"type": "Group",
                                               "uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}}]}},
        depends_on=["web-app-info@s3/"]), "MT-S3-7"),
    M("bucket acl argument public-read", "same-setting", setting("web-app-info@s3/", acl="public-read"), "MT-S3-7"),
    M("bucket grants argument to AllUsers", "same-setting", setting("web-app-info@s3/", grants=[{
        "type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permissions": ["READ"]}]),
      "MT-S3-7"),
    M("object ACL public-read", "same-setting", setting("web-app-info-info-venue.json", acl="public-read"), "MT-S3-7"),
    M("public ACLs not blocked", "same-setting", setting(PUBLIC_BLOCK, blockPublicAcls=False), "MT-S3-1"),
    M("public policies not blocked", "same-setting", setting(PUBLIC_BLOCK, blockPublicPolicy=False), "MT-S3-1"),
    M("public ACLs not ignored", "same-setting", setting(PUBLIC_BLOCK, ignorePublicAcls=False), "MT-S3-1"),
    M("public buckets not restricted", "same-setting", setting(PUBLIC_BLOCK, restrictPublicBuckets=None), "MT-S3-1"),
    M("no public access block", "same-setting", remove(PUBLIC_BLOCK), "MT-S3-1"),
    M("object writer ownership", "same-setting", setting("web-app-info-ownership",
                                                         rule={"objectOwnership": "ObjectWriter"}), "MT-S3-2"),
    M("no TLS-only statement", "same-setting", document("web-app-info-policy@s3/", lambda doc: doc["Statement"].pop(0)),
      "MT-S3-4"),
    M("TLS deny that denies nothing", "same-setting", document(
        "web-app-info-policy@s3/", lambda doc: doc["Statement"][0]["Condition"]["Bool"].update(
            {"aws:SecureTransport": "true"})), "MT-S3-4"),
    M("versioning suspended", "same-setting", setting("web-app-info-versioning",
                                                      versioningConfiguration={"status": "Suspended"}), "MT-S3-5"),
    M("no default encryption", "same-setting", remove("web-app-info-encryption"), "MT-S3-3"),
    M("inline ingress from anywhere", "same-setting", setting("mobile-backend-db-sg", ingress=[{
        "protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"], "description": "web"}]),
      "MT-VPC-2"),
    M("inline IPv6 ingress from anywhere", "same-setting", setting("network-endpoints", ingress=[{
        "protocol": "tcp", "fromPort": 443, "toPort": 443, "ipv6CidrBlocks": ["::/0"], "description": "web"}]),
      "MT-VPC-2"),
    M("security group rule ingress from anywhere", "same-setting", add(
        "aws:ec2/securityGroupRule:SecurityGroupRule", "endpoints-open", {
            "type": "ingress", "securityGroupId": "sg-89b565da55236beb9", "protocol": "tcp", "fromPort": 443,
            "toPort": 443, "cidrBlocks": ["0.0.0.0/0"], "description": "web"}, depends_on=["network-endpoints"]),
      "MT-VPC-2"),
    M("ingress rule from anywhere", "same-setting", setting("network-endpoints-https", cidrIpv4="0.0.0.0/0"),
      "MT-VPC-2"),
    M("ingress rule from anywhere over IPv6", "same-setting", setting("network-endpoints-https", cidrIpv4=None,
                                                                      cidrIpv6="::/0"), "MT-VPC-2"),
    M("database port from a CIDR", "same-setting", setting(
        "mobile-backend-info-ingress", referencedSecurityGroupId=None, cidrIpv4="10.20.0.0/16"), "MT-VPC-3"),
    M("database port inline from a CIDR", "same-setting", setting("mobile-backend-db-sg", ingress=[{
        "protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.20.0.0/16"], "description": "db"}]),
      "MT-VPC-3"),
    M("every port to the database from a CIDR", "same-setting", setting(
        "mobile-backend-info-ingress", referencedSecurityGroupId=None, cidrIpv4="10.20.1.0/24", ipProtocol="-1",
        fromPort=None, toPort=None), "MT-VPC-3"),
    M("port range over the cache port from a CIDR", "same-setting", add(
        "aws:ec2/securityGroupRule:SecurityGroupRule", "cache-range", {
            "type": "ingress", "securityGroupId": "sg-f519285a20f3b493b", "protocol": "tcp", "fromPort": 0,
            "toPort": 65535, "cidrBlocks": ["10.0.0.0/8"], "description": "everything"},
        depends_on=["single-page-app-cache-sg"]), "MT-VPC-3"),
    M("API domain TLS 1.0", "same-setting", setting("microservices-domain", securityPolicy="TLS_1_0"), "MT-APIGW-13"),
    M("viewer TLS 1.0", "same-setting", setting(
        "single-page-app-site", viewerCertificate__minimumProtocolVersion="TLSv1"), "MT-CF-5"),
    M("viewer TLS 1.0 of 2016", "same-setting", setting(
        "single-page-app-site", viewerCertificate__minimumProtocolVersion="TLSv1_2016"), "MT-CF-5"),
    M("viewer TLS 1.1", "same-setting", setting(
        "single-page-app-site", viewerCertificate__minimumProtocolVersion="TLSv1.1_2016"), "MT-CF-5"),
    M("viewer SSLv3", "same-setting", setting(
        "single-page-app-site", viewerCertificate__minimumProtocolVersion="SSLv3"), "MT-CF-5"),
    M("viewers allowed plain HTTP", "same-setting", setting(
        "single-page-app-site", defaultCacheBehavior__viewerProtocolPolicy="allow-all"), "MT-CF-1"),
    M("a path allowed plain HTTP", "same-setting", setting("single-page-app-site", orderedCacheBehaviors=[{
        "pathPattern": "/api/*", "targetOriginId": "site-bucket", "viewerProtocolPolicy": "allow-all",
        "allowedMethods": ["GET", "HEAD"], "cachedMethods": ["GET", "HEAD"],
        "responseHeadersPolicyId": "48df627e-0000-4000-8000-48df627edf06"}]), "MT-CF-1"),
    M("runtime python3.9", "same-setting", setting(FN, runtime="python3.9"), "MT-LAMBDA-5"),
    M("runtime python3.8", "same-setting", setting(FN, runtime="python3.8"), "MT-LAMBDA-5"),
    M("runtime python2.7", "same-setting", setting(FN, runtime="python2.7"), "MT-LAMBDA-5"),
    M("runtime nodejs18.x", "same-setting", setting(FN, runtime="nodejs18.x", handler="index.handler"), "MT-LAMBDA-5"),
    M("runtime nodejs16.x", "same-setting", setting(FN, runtime="nodejs16.x", handler="index.handler"), "MT-LAMBDA-5"),
    M("provisioned table without auto scaling", "same-setting", setting(
        "web-app-shows", billingMode="PROVISIONED", readCapacity=5, writeCapacity=5), "MT-DDB-1"),
    M("runtime go1.x", "same-setting", setting(FN, runtime="go1.x", handler="bootstrap"), "MT-LAMBDA-5"),
    M("runtime dotnetcore3.1", "same-setting", setting(FN, runtime="dotnetcore3.1", handler="App::Fn"), "MT-LAMBDA-5"),
    M("runtime provided (Amazon Linux 1)", "same-setting", setting(FN, runtime="provided", handler="bootstrap"),
      "MT-LAMBDA-5"),
    M("runtime java8.al2", "same-setting", setting(FN, runtime="java8.al2", handler="App::handle"), "MT-LAMBDA-5"),
    M("HTTP API domain TLS 1.0", "same-setting", add("aws:apigatewayv2/domainName:DomainName", "http-domain", {
        "domainName": "http.tickets.example.com", "domainNameConfiguration": {
            "certificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/1", "endpointType": "REGIONAL",
            "securityPolicy": "TLS_1_0"}}), "MT-APIGW-13"),
    M("replication group with TLS only preferred", "same-setting", add(
        "aws:elasticache/replicationGroup:ReplicationGroup", "sessions", {
            "description": "sessions", "engine": "valkey", "transitEncryptionEnabled": True,
            "transitEncryptionMode": "preferred", "atRestEncryptionEnabled": True, "userGroupIds": ["users"],
            "securityGroupIds": ["sg-1"], "automaticFailoverEnabled": True, "multiAzEnabled": True}), "MT-EC-1"),
    M("database instance with a password in the program", "same-setting", add("aws:rds/instance:Instance", "reports", {
        "engine": "postgres", "instanceClass": "db.t4g.micro", "storageEncrypted": True, "deletionProtection": True,
        "iamDatabaseAuthenticationEnabled": True, "username": "reports", "password": "Sup3rS3cret!",
        "publiclyAccessible": False}), "MT-RDS-3"),
    M("tracing pass-through", "same-setting", setting(FN, tracingConfig={"mode": "PassThrough"}), "MT-LAMBDA-2"),
    M("no tracing config", "same-setting", setting(FN, tracingConfig=None), "MT-LAMBDA-2"),
    M("storage not encrypted", "same-setting", setting("mobile-backend-db", storageEncrypted=False), "MT-RDS-1"),
    M("writer publicly accessible", "same-setting", setting("mobile-backend-db-writer", publiclyAccessible=True),
      "MT-RDS-2"),
    M("master password in the program", "same-setting", setting(
        "mobile-backend-db", manageMasterUserPassword=None, masterPassword="Sup3rS3cret!"), "MT-RDS-3"),
    M("proxy without TLS", "same-setting", setting("mobile-backend-db-proxy", requireTls=False), "MT-RDS-7"),
    M("short passwords", "same-setting", setting("web-app-users", passwordPolicy__minimumLength=6), "MT-COG-1"),
    M("passwords without symbols", "same-setting", setting("web-app-users", passwordPolicy__requireSymbols=False),
      "MT-COG-1"),
    M("implicit OAuth flow", "same-setting", setting("web-app-users-client", allowedOauthFlows=["implicit"],
                                                     allowedOauthFlowsUserPoolClient=True), "MT-COG-6"),
    M("password auth flow", "same-setting", setting("web-app-users-client", explicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]), "MT-COG-6"),
    M("guest identities", "same-setting", add("aws:cognito/identityPool:IdentityPool", "guests", {
        "identityPoolName": "guests", "allowUnauthenticatedIdentities": True}), "MT-COG-3"),
    M("stage without tracing", "same-setting", setting("web-app-api-stage", xrayTracingEnabled=False), "MT-APIGW-8"),
    M("stage without access logs", "same-setting", setting("web-app-api-stage", accessLogSettings=None), "MT-APIGW-1"),
    M("data trace on", "same-setting", setting("web-app-api-all-methods", settings__dataTraceEnabled=True),
      "MT-APIGW-5"),
    M("cache unencrypted", "same-setting", setting("web-app-api-all-methods", settings__cachingEnabled=True,
                                                   settings__cacheDataEncrypted=False), "MT-APIGW-11"),
    M("execution logging off", "same-setting", setting("web-app-api-all-methods", settings__loggingLevel="OFF"),
      "MT-APIGW-4"),
    M("unthrottled stage", "same-setting", setting("web-app-api-all-methods", settings__throttlingRateLimit=-1),
      "MT-APIGW-7"),
    M("table without deletion protection", "same-setting", setting("web-app-shows", deletionProtectionEnabled=False),
      "MT-DDB-4"),
    M("table without PITR", "same-setting", setting("web-app-shows", pointInTimeRecovery={"enabled": False}),
      "MT-DDB-3"),
    M("table on an AWS owned key", "same-setting", setting("web-app-shows", serverSideEncryption=None), "MT-DDB-2"),
    M("logs kept forever", "same-setting", setting("web-app-browse-logs", retentionInDays=None), "MT-LOGS-1"),
    M("key without rotation", "same-setting", setting("alarms-key", enableKeyRotation=False), "MT-KMS-1"),
    M("file system unencrypted", "same-setting", setting("mobile-backend-documents", encrypted=False), "MT-EFS-1"),
    M("topic unencrypted", "same-setting", setting("alarms-topic", kmsMasterKeyId=None), "MT-SNS-1"),
    M("MFA off", "same-setting", setting("web-app-users", mfaConfiguration="OFF"), "MT-COG-2"),
    M("cache without authentication", "same-setting", setting("single-page-app-cache", userGroupId=None), "MT-EC-3"),
    M("default cache user on", "same-setting", setting("single-page-app-cache-default-user",
                                                       accessString="on ~* +@all"), "MT-EC-4"),
]

SECRETS = [
    M("access key id", "secrets", env(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE"), "MT-LAMBDA-9"),
    M("access key id under a plain name", "secrets", env(UPSTREAM="ASIAY34FZKBOKMUTVV7A"), "MT-LAMBDA-9"),
    M("secret access key under a plain name", "secrets",
      env(SIGNING="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "MT-LAMBDA-9"),
    M("GitHub token", "secrets", env(GH="ghp_16C7e42F292c6912E7710c838347Ae178B4a"), "MT-LAMBDA-9"),
    M("Slack bot token", "secrets", env(NOTIFY="xoxb-2345678901-2345678901234-AbCdEfGhIjKlMnOpQrStUvWx"),
      "MT-LAMBDA-9"),
    M("Stripe live key", "secrets", env(PAYMENTS="sk_live_4eC39HqLyjWDarjtT1zdp7dc"), "MT-LAMBDA-9"),
    M("JSON web token", "secrets", env(SERVICE_IDENTITY=(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")), "MT-LAMBDA-9"),
    M("private key", "secrets", env(CERT="-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE "
                                         "KEY-----"), "MT-LAMBDA-9"),
    M("password in a database URL", "secrets", env(DATABASE_URL="postgresql://app:Tr0ub4dor3@db.internal:5432/app"),
      "MT-LAMBDA-9"),
    M("password in a cache URL", "secrets", env(CACHE_URL="rediss://:s3cr3tpass@cache.internal:6379/0"),
      "MT-LAMBDA-9"),
    M("password in a connection string", "secrets",
      env(CONNECTION="Server=db.internal;Database=app;User Id=app;Password=Tr0ub4dor3;"), "MT-LAMBDA-9"),
    M("high-entropy value under a plain name", "secrets", env(SEED="Zx8Qv2LmN4pR7tK1wY9bC3dF6hJ0sA5e"),
      "MT-LAMBDA-9"),
    M("password named as one", "secrets", env(DB_PASSWORD="hunter2!x"), "MT-LAMBDA-9"),
    M("API key named as one", "secrets", env(PARTNER_API_KEY="k3y-Val_ue9z"), "MT-LAMBDA-9"),
    M("Google API key", "secrets", env(MAPS="AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"), "MT-LAMBDA-9"),
    M("OpenAI key", "secrets", env(LLM="sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"), "MT-LAMBDA-9"),
    M("npm token", "secrets", env(REGISTRY="npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"), "MT-LAMBDA-9"),
    M("GitLab token", "secrets", env(CI="glpat-xY3zAb6cDe9fGh2jKl5m"), "MT-LAMBDA-9"),
    M("SendGrid key", "secrets", env(MAIL="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"),
      "MT-LAMBDA-9"),
    M("password in a JSON value", "secrets", env(UPSTREAM_CONFIG='{"user": "app", "password": "Tr0ub4dor3"}'),
      "MT-LAMBDA-9"),
    M("storage account key in a connection string", "secrets", env(
        BLOBS="DefaultEndpointsProtocol=https;AccountName=tix;AccountKey=bm90LWEtcmVhbC1rZXk=;"), "MT-LAMBDA-9"),
    M("signing key named as one", "secrets", env(WEBHOOK_SIGNING_KEY="whsec-local-dev-key"), "MT-LAMBDA-9"),
    M("secret in dev too", "secrets", edit("web-app-browse", lambda props: props["environment"]["variables"].update(
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")), "MT-LAMBDA-9", stack="dev"),
]


def _flow_log(traffic: str) -> Change:
    return setting("network-flow-log", trafficType=traffic)


def _async_invoke(principal: str) -> Change:
    return add("aws:lambda/permission:Permission", "async-invoke", {
        "action": "lambda:InvokeFunction", "function": "web-app-browse-5891190", "principal": principal,
        "sourceAccount": ACCOUNT}, depends_on=[FN])


CUSTOM_ORIGIN = {"originId": "api", "domainName": "4877a3b014.execute-api.us-east-1.amazonaws.com",
                 "customOriginConfig": {"httpPort": 80, "httpsPort": 443, "originProtocolPolicy": "https-only",
                                        "originSslProtocols": ["TLSv1.2"]}}


def origin(**config) -> Change:
    return edit("single-page-app-site", lambda props: props["origins"].append(
        {**CUSTOM_ORIGIN, "customOriginConfig": {**CUSTOM_ORIGIN["customOriginConfig"], **config}}))


NEW_AREAS = [
    M("file-system policy without the TLS deny", "new-areas", document(
        "mobile-backend-documents-policy", lambda doc: doc["Statement"].pop(0)), "MT-EFS-3"),
    M("no file-system policy", "new-areas", remove("mobile-backend-documents-policy"), "MT-EFS-3"),
    M("access point without a POSIX user", "new-areas", setting("mobile-backend-documents-access-point",
                                                                 posixUser=None), "MT-EFS-4"),
    M("access point at the root", "new-areas", setting("mobile-backend-documents-access-point",
                                                        rootDirectory={"path": "/"}), "MT-EFS-4"),
    M("origin over plain HTTP", "new-areas", origin(originProtocolPolicy="http-only"), "MT-CF-8"),
    M("origin matching the viewer's protocol", "new-areas", origin(originProtocolPolicy="match-viewer"), "MT-CF-8"),
    M("origin TLS 1.0", "new-areas", origin(originSslProtocols=["TLSv1"]), "MT-CF-8"),
    M("origin TLS 1.1 allowed", "new-areas", origin(originSslProtocols=["TLSv1.1", "TLSv1.2"]), "MT-CF-8"),
    M("origin SSLv3 allowed", "new-areas", origin(originSslProtocols=["SSLv3", "TLSv1.2"]), "MT-CF-8"),
    M("distribution without access logs", "new-areas", setting("single-page-app-site", loggingConfig=None), "MT-CF-9"),
    M("managed group in count mode", "new-areas", waf_rule("mobile-backend-api-waf", 0, overrideAction={"count": {}}),
      "MT-WAF-3"),
    M("bad-inputs group in count mode", "new-areas", waf_rule("single-page-app-site-waf", 1,
                                                              overrideAction={"count": {}}), "MT-WAF-3"),
    M("rate rule in count mode", "new-areas", waf_rule("mobile-backend-api-waf", 3, action={"count": {}}), "MT-WAF-3"),
    M("custom rule in count mode", "new-areas", edit("web-app-api-waf", lambda props: props["rules"].append({
        "name": "block-admin", "priority": 9, "action": {"count": {}}, "statement": {"byteMatchStatement": {
            "searchString": "/admin", "positionalConstraint": "STARTS_WITH", "fieldToMatch": {"uriPath": {}},
            "textTransformations": [{"priority": 0, "type": "NONE"}]}},
        "visibilityConfig": {"cloudwatchMetricsEnabled": True, "sampledRequestsEnabled": True,
                             "metricName": "block-admin"}})), "MT-WAF-3"),
    M("no common rule set", "new-areas", edit("web-app-api-waf", lambda props: props["rules"].pop(0)), "MT-WAF-1"),
    M("no known-bad-inputs rule set (Log4j)", "new-areas", edit("web-app-api-waf", lambda props: props["rules"].pop(1)),
      "MT-WAF-1"),
    M("no rate rule", "new-areas", edit("web-app-api-waf", lambda props: props["rules"].pop(3)), "MT-WAF-1"),
    M("web ACL without logs", "new-areas", remove("web-app-api-waf-logging"), "MT-WAF-4"),
    M("SNS delivers to a function without a dead-letter queue", "new-areas", add(
        "aws:sns/topicSubscription:TopicSubscription", "alarms-to-fn", {
            "topic": TOPIC_ARN, "protocol": "lambda", "endpoint": FN_ARN}, depends_on=["alarms-topic"]), "MT-SNS-3"),
    M("wildcard certificate", "new-areas", setting("single-page-app-site-certificate",
                                                   domainName="*.tickets.example.com"), "MT-ACM-1"),
    M("database instance without minor upgrades", "same-setting", setting(
        "mobile-backend-db-writer", autoMinorVersionUpgrade=False), "MT-RDS-10"),
    M("flow log of rejected traffic only", "new-areas", _flow_log("REJECT"), "MT-VPC-1"),
    M("flow log of accepted traffic only", "new-areas", _flow_log("ACCEPT"), "MT-VPC-1"),
    M("no flow log", "new-areas", remove("network-flow-log"), "MT-VPC-1"),
    M("flow log of one subnet instead of the VPC", "new-areas", setting(
        "network-flow-log", vpcId=None, subnetId="subnet-ce372474f54d719d9"), "MT-VPC-1"),
    M("function URL with open CORS and credentials", "new-areas", add(
        "aws:lambda/functionUrl:FunctionUrl", "browse-url", {
            "functionName": "web-app-browse-5891190", "authorizationType": "AWS_IAM",
            "cors": {"allowOrigins": ["*"], "allowCredentials": True}}, depends_on=[FN]), "MT-LAMBDA-11"),
    M("public function URL permission", "new-areas", add("aws:lambda/permission:Permission", "url-invoke", {
        "action": "lambda:InvokeFunctionUrl", "function": "web-app-browse-5891190", "principal": "*",
        "functionUrlAuthType": "NONE"}, depends_on=[FN]), "MT-LAMBDA-10"),
    M("database without IAM authentication", "new-areas", setting(
        "mobile-backend-db", iamDatabaseAuthenticationEnabled=False), "MT-RDS-9"),
    M("bucket without access logs", "new-areas", remove("web-app-info-access-logging"), "MT-S3-8"),
    M("S3 invokes a function without a DLQ", "new-areas", _async_invoke("s3.amazonaws.com"), "MT-LAMBDA-7"),
    M("EventBridge invokes a function without a DLQ", "new-areas", _async_invoke("events.amazonaws.com"),
      "MT-LAMBDA-7"),
    M("SNS invokes a function without a DLQ", "new-areas", add("aws:sns/topicSubscription:TopicSubscription",
                                                                "alarms-to-browse", {
        "topic": TOPIC_ARN, "protocol": "lambda", "endpoint": FN_ARN}, depends_on=["alarms-topic", FN]),
      "MT-LAMBDA-7"),
    M("bucket notifications invoke a function without a DLQ", "new-areas", add(
        "aws:s3/bucketNotification:BucketNotification", "info-events", {
            "bucket": "web-app-info-3ef0017", "lambdaFunctions": [{"lambdaFunctionArn": FN_ARN,
                                                                   "events": ["s3:ObjectCreated:*"]}]},
        depends_on=["web-app-info@s3/", FN]), "MT-LAMBDA-7"),
    M("scheduled invocations without a DLQ", "new-areas", add("aws:scheduler/schedule:Schedule", "nightly", {
        "scheduleExpression": "rate(1 day)", "flexibleTimeWindow": {"mode": "OFF"},
        "target": {"arn": FN_ARN, "roleArn": ROLE_ARN}}, depends_on=[FN]), "MT-LAMBDA-7"),
    M("stream mapping without an on-failure destination", "new-areas", add(
        "aws:lambda/eventSourceMapping:EventSourceMapping", "shows-stream", {
            "functionName": FN_ARN, "startingPosition": "LATEST",
            "eventSourceArn": f"{TABLE}/stream/2026-01-01T00:00:00.000"}, depends_on=[FN]), "MT-LAMBDA-15"),
    M("rule without a description", "new-areas", setting("mobile-backend-info-ingress", description=None),
      "MT-VPC-8"),
    M("security group with Pulumi's default description", "new-areas", setting(
        "mobile-backend-db-sg", description="Managed by Pulumi"), "MT-VPC-8"),
    M("inline egress without a description", "new-areas", setting("mobile-backend-info-sg", egress=[{
        "protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.20.0.0/16"]}]), "MT-VPC-8"),
    M("egress to anywhere on every port", "new-areas", setting(
        "mobile-backend-info-egress-https", ipProtocol="-1", fromPort=None, toPort=None), "MT-VPC-9"),
]

LIMITS = [
    M("six layers", "limits", edit(FN, lambda props: props.update(layers=props["layers"] + layer_arns(4))),
      "MT-LAMBDA-12"),
    M("one large environment variable", "limits", env(ALLOWED_ORIGINS=",".join(
        f"https://shop{i}.tickets.example.com" for i in range(160))), "MT-LAMBDA-13"),
    M("many environment variables", "limits", env(**{f"FEATURE_FLAG_{i:03d}": "enabled-for-everyone-in-prod"
                                                     for i in range(120)}), "MT-LAMBDA-13"),
    M("code over 250 MB unzipped", "limits", big_code(260), "MT-LAMBDA-14"),
    M("code and layers over 250 MB unzipped", "limits", big_code(245), "MT-LAMBDA-14"),
    M("timeout at API Gateway's limit", "limits", setting(FN, timeout=29), "MT-LAMBDA-4"),
    M("timeout of a minute behind API Gateway", "limits", setting(FN, timeout=60), "MT-LAMBDA-4"),
    M("timeout longer than the integration's", "limits", document("web-app-api", lambda doc: [
        operation["x-amazon-apigateway-integration"].update(timeoutInMillis=5000)
        for item in doc["paths"].values() for method, operation in item.items()
        if method != "options" and "fn_web_app_browse" in str(operation.get("x-amazon-apigateway-integration"))],
        key="body"), "MT-LAMBDA-4"),
    M("no reserved capacity", "limits", setting(FN, reservedConcurrentExecutions=0), "MT-LAMBDA-8"),
    M("memory above Lambda's maximum", "limits", setting(FN, memorySize=40960), "MT-LIMITS-1"),
    M("memory below Lambda's minimum", "limits", setting(FN, memorySize=64), "MT-LIMITS-1"),
    M("timeout above Lambda's maximum", "limits", setting("mobile-backend-migrate", timeout=6000), "MT-LIMITS-1"),
    M("no timeout", "limits", setting("mobile-backend-migrate", timeout=None), "MT-LAMBDA-3"),
    M("no memory size", "limits", setting("mobile-backend-migrate", memorySize=None), "MT-LAMBDA-3"),
    M("bucket prefix over 37 characters", "limits", setting(
        "web-app-info@s3/", bucketPrefix="web-app-info-bucket-with-a-very-long-prefix-"), "MT-DEPLOY-16"),
    M("fixed proxy name", "limits", setting("mobile-backend-db-proxy", name="db-proxy"), "MT-REPLACE-1"),
    M("fixed cache name", "limits", setting("single-page-app-cache", name="spa-cache"), "MT-REPLACE-1"),
    M("fixed secret name", "limits", add("aws:secretsmanager/secret:Secret", "api-key", {
        "name": "prod/api-key", "recoveryWindowInDays": 30}), "MT-DEPLOY-23"),
    M("deployment deleted before its replacement", "limits", option("web-app-api-deployment",
                                                                     delete_before_replace=True), "MT-DEPLOY-25"),
    M("fixed layer name shared by stacks", "limits", setting("deps-base", layerName="deps-base"), "MT-DEPLOY-6"),
]

CATCHES: list[Mutation] = WILDCARDS + PUBLIC_PRINCIPALS + SAME_SETTING + SECRETS + NEW_AREAS + LIMITS


# --- secure variants: each must draw no mandatory violation -------------------------------------

SECURE: list[Mutation] = [
    M("exact actions with a leading-keys condition", "wildcards", grant(allow(
        "dynamodb:Query", TABLE, Condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["u1"]}}))),
    M("index wildcard under one table", "wildcards", grant(allow("dynamodb:Query", f"{TABLE}/index/*"))),
    M("objects under one prefix", "wildcards", grant(allow("s3:GetObject", f"{BUCKET}/info/*"))),
    M("log streams of one group", "wildcards", grant(allow(
        "logs:PutLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/web-app-browse-5891190:*"))),
    M("a secret's random suffix", "wildcards", grant(allow(
        "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/partner-??????"))),
    M("X-Ray on '*'", "wildcards", grant(allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"))),
    M("metrics on '*' for one namespace", "wildcards", grant(allow(
        "cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "multitier"}}))),
    M("a Deny with wildcards", "wildcards", grant({"Effect": "Deny", "Action": "dynamodb:Delete*", "Resource": "*"})),
    M("one stage's routes in an invoke ARN", "wildcards", grant(allow(
        "execute-api:Invoke", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:4877a3b014/prod/GET/*"))),
    M("the account root may administer the key", "wildcards", document("alarms-key", lambda doc: doc["Statement"][0]
                                                                        .update(Sid="KeyAdministrators"))),
    M("bucket shared with the organization", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", "*", StringEquals={"aws:PrincipalOrgID": "o-a1b2c3d4e5"}))),
    M("bucket read through one VPC endpoint", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", "*", StringEquals={"aws:SourceVpce": "vpce-1a2b3c4d"}))),
    M("bucket read by named principals", "public", bucket_statement(public(
        "s3:GetObject", f"{BUCKET}/*", "*", ArnEquals={"aws:PrincipalArn": ROLE_ARN}))),
    M("key used through SNS by this account", "public", with_statement("alarms-key", public(
        "kms:Decrypt", "*", "*", StringEquals={"kms:CallerAccount": ACCOUNT,
                                               "kms:ViaService": f"sns.{REGION}.amazonaws.com"}))),
    M("topic published by the account's events", "public", topic_policy(allow(
        "sns:Publish", TOPIC_ARN, Principal={"Service": "events.amazonaws.com"},
        Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/*"}}))),
    M("a public Deny", "public", bucket_statement({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
                                                   "Resource": BUCKET})),
    M("access logs delivered for one bucket", "public", bucket_statement(allow(
        "s3:PutObject", f"{BUCKET}/logs/*", Principal={"Service": "logging.s3.amazonaws.com"},
        Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::web-app-amplify-artifacts-b3085d1"},
                   "StringEquals": {"aws:SourceAccount": ACCOUNT}}))),
    M("private API for one VPC endpoint", "public", api_policy(public(
        "execute-api:Invoke", "execute-api:/*", "*", StringEquals={"aws:SourceVpce": "vpce-1a2b3c4d"}))),
    M("trust of another account with an external id", "public", document(
        "web-app-browse-role", lambda doc: doc["Statement"].append({
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/auditor"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "audit-7d1f"}}}), key="assumeRolePolicy")),
    M("function URL signed with IAM", "public", add("aws:lambda/functionUrl:FunctionUrl", "browse-url", {
        "functionName": "web-app-browse-5891190", "authorizationType": "AWS_IAM",
        "cors": {"allowOrigins": ["https://tickets.example.com"], "allowCredentials": True}}, depends_on=[FN])),
    M("TLS-only statement with a boolean", "same-setting", document("web-app-info-policy@s3/", lambda doc: doc[
        "Statement"][0]["Condition"]["Bool"].update({"aws:SecureTransport": False}))),
    M("TLS-only statement by minimum TLS version too", "same-setting", bucket_statement({
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}})),
    M("API domain TLS 1.3 only", "same-setting", setting("microservices-domain",
                                                        securityPolicy="SecurityPolicy_TLS13_1_3_2025_09")),
    M("API domain TLS 1.3 and 1.2", "same-setting", setting("microservices-domain",
                                                           securityPolicy="SecurityPolicy_TLS13_1_2_2021_06")),
    M("viewer TLS 1.2 of 2025", "same-setting", setting(
        "single-page-app-site", viewerCertificate__minimumProtocolVersion="TLSv1.2_2025")),
    M("viewer TLS 1.3", "same-setting", setting(
        "single-page-app-site", viewerCertificate__minimumProtocolVersion="TLSv1.3_2025")),
    M("a runtime newer than the pack knows", "same-setting", setting(FN, runtime="python3.15")),
    M("a supported runtime one version behind", "same-setting", setting(FN, runtime="python3.13")),
    M("the latest Node.js runtime", "same-setting", setting(FN, runtime="nodejs24.x", handler="index.handler")),
    M("a language the pack has no latest for", "same-setting", setting(FN, runtime="ruby3.4", handler="app.handler")),
    M("ingress from a prefix list", "same-setting", setting("network-endpoints-https", cidrIpv4=None,
                                                            prefixListId="pl-63a5400a")),
    M("inline ingress from the VPC with a description", "same-setting", setting("network-endpoints", ingress=[{
        "protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.20.0.0/16"],
        "description": "HTTPS from the VPC"}])),
    M("flow log to S3", "same-setting", setting("network-flow-log", logDestinationType="s3",
                                                logDestination="arn:aws:s3:::flow-logs-archive", iamRoleArn=None)),
    M("an https-only custom origin", "new-areas", origin()),
    M("a noisy rule counted, the group blocking", "new-areas", waf_rule(
        "mobile-backend-api-waf", 0, statement__managedRuleGroupStatement__ruleActionOverrides=[
            {"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}])),
    M("one more managed rule group", "new-areas", edit("web-app-api-waf", lambda props: props["rules"].append({
        "name": "AWSManagedRulesSQLiRuleSet", "priority": 9, "overrideAction": {"none": {}},
        "statement": {"managedRuleGroupStatement": {"vendorName": "AWS", "name": "AWSManagedRulesSQLiRuleSet"}},
        "visibilityConfig": {"cloudwatchMetricsEnabled": True, "sampledRequestsEnabled": True,
                             "metricName": "sqli"}}))),
    M("S3 invokes a function with an on-failure destination", "new-areas", lambda stack: add(
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "browse-async", {
            "functionName": FN_ARN, "destinationConfig": {"onFailure": {
                "destination": f"arn:aws:sqs:{REGION}:{ACCOUNT}:browse-failures"}}}, depends_on=[FN])(
        _async_invoke("s3.amazonaws.com")(stack))),
    M("function invocable by the organization", "public", add("aws:lambda/permission:Permission", "org-invoke", {
        "action": "lambda:InvokeFunction", "function": "web-app-browse-5891190", "principal": "*",
        "principalOrgId": "o-a1b2c3d4e5"}, depends_on=[FN])),
    M("settings about secrets", "secrets", env(
        SECRET_ROTATION_SCHEDULE="rate(30 days)", SORT_KEY="createdAt", TOKEN_AUDIENCE_CLAIM="client_id",
        PASSWORD_HASH_ALGORITHM="argon2id", IDEMPOTENCY_KEY_PATH="requestContext.requestId")),
    M("configuration named like secrets", "secrets", env(
        SESSION_TOKEN_TTL="3600", PASSWORD_MIN_LENGTH="12", AUTH_TOKEN_HEADER="X-Auth-Token",
        API_KEY_HEADER_NAME="x-api-key", TOKEN_URL="https://auth.example.com/oauth2/token",
        PARTNER_SECRET_ARN=f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:partner-AbCdEf",
        DB_SECRET_NAME="prod/db", PASSWORD_RESET_URL="https://tickets.example.com/reset", TOKEN_USE="id",
        API_KEY_REQUIRED="true", REFRESH_TOKEN_DAYS="30", CSRF_TOKEN_COOKIE="__Host-csrf",
        SECRETS_EXTENSION_PORT="2773", TOKEN_ALGORITHMS="RS256,ES256")),
    M("a public key and a digest", "secrets", env(
        TOKEN_SIGNING_PUBLIC_KEY="MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOE"
                                 "ePzNm0tRgeLezV6ffAt",
        ASSETS_SHA256="n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=")),
    M("values that look random but are not secrets", "secrets", env(
        DATABASE_URL="postgresql://app@db.internal:5432/app",
        BUILD_SHA256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        REQUEST_ID_NAMESPACE="6ba7b810-9dad-11d1-80b4-00c04fd430c8", CLIENT_ID="c003f9f9f9dbe801c1eed7e1fd",
        KMS_KEY_ARN=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        CONTENT_SECURITY_POLICY="default-src 'self'; connect-src https://api.example.com",
        ALLOWED_ORIGINS="https://tickets.example.com,https://www.tickets.example.com")),
    M("five layers", "limits", edit(FN, lambda props: props.update(layers=props["layers"] + layer_arns(3)))),
    M("a 28 s timeout behind API Gateway", "limits", setting(FN, timeout=28)),
    M("more memory", "limits", setting(FN, memorySize=1769)),
    M("some reserved concurrency", "limits", setting(FN, reservedConcurrentExecutions=5)),
    M("an x86_64 function", "severity", setting(FN, architectures=["x86_64"])),
    M("a provisioned table with auto scaling", "severity", lambda stack: add(
        "aws:appautoscaling/target:Target", "shows-read-scaling", {
            "serviceNamespace": "dynamodb", "resourceId": "table/web-app-shows-4412b47",
            "scalableDimension": "dynamodb:table:ReadCapacityUnits", "minCapacity": 5, "maxCapacity": 100},
        depends_on=["web-app-shows"])(setting("web-app-shows", billingMode="PROVISIONED", readCapacity=5,
                                               writeCapacity=5)(stack))),
    M("a NAT gateway", "severity", setting("network", natGateways={"strategy": "Single"})),
    M("IAM authentication required at the proxy", "new-areas", setting(
        "mobile-backend-db-proxy", auths__0__iamAuth="REQUIRED")),
    M("key rotated every 180 days", "same-setting", setting("alarms-key", rotationPeriodInDays=180)),
    M("longer passwords", "same-setting", setting("web-app-users", passwordPolicy__minimumLength=14)),
    M("logs kept longer", "same-setting", setting("web-app-browse-logs", retentionInDays=400)),
    M("cache encrypted", "same-setting", setting("web-app-api-all-methods", settings__cachingEnabled=True,
                                                 settings__cacheDataEncrypted=True)),
    M("x86_64 in dev", "severity", setting("web-app-browse", architectures=["x86_64"]), stack="dev"),
    M("config names in dev", "secrets", edit("web-app-browse", lambda props: props["environment"]["variables"].update(
        SESSION_TOKEN_TTL="900", API_KEY_HEADER="x-api-key")), stack="dev"),
]
