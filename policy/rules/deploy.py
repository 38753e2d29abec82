"""Deploy traps: what mocks accept and a real ``pulumi up`` rejects (``MT-DEPLOY-*``).

Each check names the resource and the fix. Several read relations between resources
(what depends on what) and resource options, which the offline engine and CrossGuard
both record (CrossGuard not ``retain_on_delete``: a check leaves an unknown alone).
The traps in the OpenAPI documents are in ``openapi.py`` (``MT-OPENAPI-*``).
"""

from __future__ import annotations

import re

from policy.core import Finding, Resource, Stack, get, resource_rule, stack_rule
from policy.rules.common import (ALIAS, BUCKET, FUNCTION, LOG_GROUP, METHOD_SETTINGS, PERMISSION, REST_API, ROLE,
                                 ROLE_POLICY, STAGE, VPCS, actions, function_of, parse_json, role_policies)

PREFIX = "MT-DEPLOY"

ACCOUNT = "aws:apigateway/account:Account"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CERTIFICATE = "aws:acm/certificate:Certificate"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
PROVIDER = "pulumi:providers:aws"
UNIQUE = re.compile(r"[0-9a-f]{7,}|\d{8,}")  # a random or timestamp part: unique per replacement
ENI_ACTIONS = {"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"}
# The stack setting by which a stack declares that someone else set the account-level role.
EXTERNAL_ACCOUNT_ROLE = ("multitier:apiAccountRole", "external")


def _logs(stage: Resource, settings: list[Resource]) -> bool:
    return bool(stage.get("accessLogSettings", "destinationArn")) or any(
        s.get("settings", "loggingLevel") not in (None, "OFF") for s in settings)


@stack_rule("MT-DEPLOY-1", kind="deploy", severity="critical",
            description="Logging stages wait for the account-level API Gateway CloudWatch role, set by the stack "
                        "or declared external",
            remediation="Let the stack set the role (apiAccountRole: manage, the default: an aws:apigateway/account:"
                        "Account its stages and method settings depend on), or declare apiAccountRole: external when "
                        "another stack or an account baseline set it.")
def account_role_owner(stack: Stack):
    key, external = EXTERNAL_ACCOUNT_ROLE
    if stack.config.get(key) == external:
        return
    accounts = stack.of_type(ACCOUNT)
    settings = stack.of_type(METHOD_SETTINGS)
    for stage in stack.of_type(STAGE):
        own = [s for s in settings if s.get("restApi") == stage.get("restApi")
               and s.get("stageName") == stage.get("stageName")]
        if not _logs(stage, own):
            continue
        if not accounts:
            yield Finding(stage, "logs to CloudWatch, but no aws:apigateway/account:Account in the stack and "
                                 "apiAccountRole is not external: a fresh account rejects the stage")
            continue
        account_urns = {a.urn for a in accounts}
        for resource in [stage, *own]:
            if not account_urns & set(resource.dependencies):
                yield Finding(resource, "does not depend on the API Gateway account setting it needs")


@stack_rule("MT-DEPLOY-2", kind="deploy", severity="high",
            description="Schema migrations connect to the cluster's writer, not through an RDS proxy",
            remediation="Give the migrate function the writer endpoint (cluster.endpoint): a proxy target is "
                        "registered minutes before it is AVAILABLE; retry connects with backoff.")
def migration_not_through_proxy(stack: Stack):
    for invocation in stack.of_type("aws:lambda/invocation:Invocation"):
        function = function_of(stack, invocation)
        if function is None:
            continue
        hosts = [v for v in (function.get("environment", "variables") or {}).values() if ".proxy-" in str(v)]
        if hosts:
            yield Finding(invocation, f"runs {function.name} against the proxy {hosts[0]}")


@resource_rule("MT-DEPLOY-3", METHOD_SETTINGS, kind="deploy", severity="high",
               description="Method-settings paths escape '/' in the resource path as '~1'",
               remediation="Use '~1shows~1{id}/GET' for GET /shows/{id} (or '*/*').")
def method_path_escaped(settings: Resource):
    path = str(settings.get("methodPath") or "")
    resource, _, method = path.rpartition("/")
    if path != "*/*" and (not method or "/" in resource or not resource.startswith("~1")):
        yield f"method path {path!r} is not escaped (API Gateway expects e.g. '~1shows~1{{id}}/GET')"


@resource_rule("MT-DEPLOY-5", CLUSTER, kind="deploy", severity="medium",
               description="Final snapshot identifiers are unique per destroy",
               remediation="Derive final_snapshot_identifier from a random or timestamp suffix "
                           "(a second destroy collides with the first snapshot).")
def unique_final_snapshot(cluster: Resource):
    identifier = cluster.get("finalSnapshotIdentifier")
    if identifier and not cluster.get("skipFinalSnapshot") and not UNIQUE.search(str(identifier)):
        yield f"final snapshot {identifier!r} is the same for every destroy"


@stack_rule("MT-DEPLOY-6", kind="deploy", severity="high", description="Layer names are unique per stack",
            remediation="Name the layer after the project and stack (layer versions of one name are shared by "
                        "every stack in the account).")
def layer_per_stack(stack: Stack):
    for layer in stack.of_type("aws:lambda/layerVersion:LayerVersion"):
        name = str(layer.get("layerName") or "")
        if stack.name and stack.name not in name:
            yield Finding(layer, f"layer name {name!r} does not name stack {stack.name!r}: other stacks publish "
                                 f"versions of the same layer")


@stack_rule("MT-DEPLOY-7", kind="deploy", severity="high",
            description="A permission naming an alias (qualifier) depends on that alias",
            remediation="Pass depends_on=[alias] (or qualifier=alias.name) so the alias exists first.")
def permission_after_alias(stack: Stack):
    aliases = stack.of_type(ALIAS)
    for permission in stack.of_type(PERMISSION):
        qualifier = permission.get("qualifier")
        if not qualifier or str(qualifier).isdigit():
            continue
        named = {a.urn for a in aliases if a.get("name") == qualifier}
        if not named & set(permission.dependencies):
            yield Finding(permission, f"qualifier {qualifier!r} names an alias it does not depend on")


@stack_rule("MT-DEPLOY-8", kind="deploy", severity="medium",
            description="Clusters with a pinned minor engine version ignore the upgrades AWS applies",
            remediation="Pin the major version only, or add ignore_changes=['engineVersion'] to the cluster "
                        "and to its instances that carry the version, while auto minor upgrades are on.")
def ignore_engine_upgrades(stack: Stack):
    instances = stack.of_type(INSTANCE)
    for cluster in stack.of_type(CLUSTER):
        version = str(cluster.get("engineVersion") or "")
        own = [i for i in instances if cluster.urn in i.dependencies]
        if "." not in version or not any(i.get("autoMinorVersionUpgrade") is not False for i in own):
            continue
        for resource in [cluster, *(i for i in own if i.get("engineVersion"))]:
            if "engineVersion" not in resource.ignore_changes:
                yield Finding(resource, f"engine version {version} is pinned while minor upgrades are automatic: "
                                        f"the next up after an upgrade tries to downgrade")


@stack_rule("MT-DEPLOY-9", kind="deploy", severity="medium", description="A stack creates at most one VPC",
            remediation="Create one Network per stack and share it between the patterns (5 VPCs per region by "
                        "default; interface endpoints are paid per VPC).")
def one_vpc(stack: Stack):
    vpcs = stack.of_type(*VPCS)
    for vpc in vpcs[1:]:
        yield Finding(vpc, f"one of {len(vpcs)} VPCs in this stack")


@stack_rule("MT-DEPLOY-14", kind="deploy", severity="critical",
            description="CloudFront certificates are issued in us-east-1",
            remediation="Request the certificate through a us-east-1 provider (CloudFront reads ACM only there).")
def cloudfront_certificate_region(stack: Stack):
    for distribution in stack.of_type(DISTRIBUTION):
        arn = str(distribution.get("viewerCertificate", "acmCertificateArn") or "")
        if arn and arn.split(":")[3:4] != ["us-east-1"]:
            yield Finding(distribution, f"certificate {arn} is not in us-east-1")
        for certificate in stack.dependencies_of(distribution, CERTIFICATE, "aws:acm/certificateValidation:"
                                                 "CertificateValidation"):
            if certificate.provider_region not in (None, "us-east-1"):
                yield Finding(certificate, f"created in {certificate.provider_region}, used by CloudFront")


@stack_rule("MT-DEPLOY-15", kind="deploy", severity="critical",
            description="CloudFront web ACLs are CLOUDFRONT-scoped in us-east-1 and attached through web_acl_id",
            remediation="Create the ACL with scope='CLOUDFRONT' through a us-east-1 provider and set the "
                        "distribution's web_acl_id to its ARN (no WebAclAssociation for CloudFront).")
def cloudfront_waf(stack: Stack):
    for acl in stack.of_type(WEB_ACL):
        if acl.get("scope") == "CLOUDFRONT" and acl.provider_region not in (None, "us-east-1"):
            yield Finding(acl, f"CLOUDFRONT scope in {acl.provider_region}")
    for distribution in stack.of_type(DISTRIBUTION):
        acl = str(distribution.get("webAclId") or "")
        if acl and not acl.startswith("arn:aws:wafv2:us-east-1:"):
            yield Finding(distribution, f"web_acl_id {acl!r} is not a WAFv2 CLOUDFRONT ARN")
    for association in stack.of_type("aws:wafv2/webAclAssociation:WebAclAssociation"):
        if ":cloudfront::" in str(association.get("resourceArn")):
            yield Finding(association, "CloudFront takes its ACL through web_acl_id, not an association")


@resource_rule("MT-DEPLOY-16", BUCKET, kind="deploy", severity="high",
               description="Bucket names are 3-63 lowercase characters; a bucket prefix is at most 37",
               remediation="Shorten the name or prefix; use lowercase letters, digits, dots and hyphens.")
def bucket_name(bucket: Resource):
    prefix = bucket.get("bucketPrefix")
    if prefix is not None and (len(prefix) > 37 or not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", prefix)):
        yield f"bucket prefix {prefix!r} ({len(prefix)} characters) breaks the 37-character lowercase limit"
        return
    name, _ = bucket.physical_name("bucket", "bucketPrefix")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name) or ".." in name:
        yield f"bucket name {name!r} is not 3-63 lowercase letters, digits, dots and hyphens"


@resource_rule("MT-DEPLOY-17", "aws:cognito/userPoolDomain:UserPoolDomain", kind="deploy", severity="high",
               description="Cognito domain prefixes are valid and unique (they are global)",
               remediation="Use lowercase letters, digits and hyphens without 'aws', 'amazon' or 'cognito', plus a "
                           "random or account-specific part.")
def cognito_domain(domain: Resource):
    prefix = str(domain.get("domain") or "")
    if domain.get("certificateArn"):
        return  # a custom domain, not a prefix
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", prefix):
        yield f"prefix {prefix!r} is not 1-63 lowercase letters, digits and hyphens"
    reserved = [w for w in ("aws", "amazon", "cognito") if w in prefix]
    if reserved:
        yield f"prefix {prefix!r} contains reserved words {reserved}"
    if not UNIQUE.search(prefix):
        yield f"prefix {prefix!r} has no random part: another account may hold it"


@stack_rule("MT-DEPLOY-19", kind="deploy", severity="medium",
            description="Each function's log group exists (with retention) before the function",
            remediation="Create the log group first and name it in logging_config.log_group (multitier.Function "
                        "does); Lambda otherwise creates one that never expires.")
def log_group_first(stack: Stack):
    groups = stack.of_type(LOG_GROUP)
    for function in stack.of_type(FUNCTION):
        wanted = function.get("loggingConfig", "logGroup") or f"/aws/lambda/{function.physical_name()[0]}"
        owners = [g for g in groups if g.physical_name()[0] == wanted
                  or (g.get("namePrefix") and str(wanted).startswith(g.get("namePrefix")))]
        if not any(g.urn in function.dependencies for g in owners):
            yield Finding(function, f"log group {wanted} is not created before the function")


@stack_rule("MT-DEPLOY-20", kind="deploy", severity="high",
            description="Functions in a VPC may manage their network interfaces",
            remediation="Grant ec2:CreateNetworkInterface, DescribeNetworkInterfaces, DeleteNetworkInterface (and "
                        "Assign/UnassignPrivateIpAddresses) on '*'; ENIs linger up to ~20 min on destroy.")
def vpc_eni_permissions(stack: Stack):
    for function in stack.of_type(FUNCTION):
        if not function.get("vpcConfig", "subnetIds"):
            continue
        granted = {a for s in role_policies(stack, function) for a in actions(s)}
        missing = sorted(ENI_ACTIONS - granted)
        if missing:
            yield Finding(function, f"its role lacks {missing}")


@stack_rule("MT-DEPLOY-21", kind="deploy", severity="high",
            description="Every Lambda authorizer has its own invoke permission for the API's authorizers",
            remediation="Add a Permission for the authorizer function with source_arn=<execution ARN>/authorizers/*.")
def authorizer_permissions(stack: Stack):
    allowed = set()
    for permission in stack.of_type(PERMISSION):
        if "/authorizers/" in str(permission.get("sourceArn")):
            allowed.add(str(permission.get("function")))
    for api in stack.of_type(REST_API):
        schemes = (parse_json(api.get("body")).get("components") or {}).get("securitySchemes") or {}
        for name, scheme in schemes.items():
            uri = str(get(scheme, "x-amazon-apigateway-authorizer", "authorizerUri") or "")
            function = re.search(r":function:([^:/]+)", uri)
            if function and function.group(1) not in allowed:
                yield Finding(api, f"authorizer {name!r} ({function.group(1)}) has no invoke permission")


@stack_rule("MT-DEPLOY-22", kind="deploy", severity="high", description="CloudFront log buckets accept ACLs",
            remediation="Give the log bucket object ownership 'BucketOwnerPreferred' (standard logs are written "
                        "with ACLs).")
def log_bucket_acls(stack: Stack):
    log_buckets = {str(d.get("loggingConfig", "bucket")) for d in stack.of_type(DISTRIBUTION)
                   if d.get("loggingConfig", "bucket")}
    for controls in stack.of_type("aws:s3/bucketOwnershipControls:BucketOwnershipControls"):
        bucket = str(controls.get("bucket"))
        if any(b.startswith(bucket + ".") or b == bucket for b in log_buckets) \
                and controls.get("rule", "objectOwnership") == "BucketOwnerEnforced":
            yield Finding(controls, f"bucket {bucket} receives CloudFront logs but disables ACLs")


@resource_rule("MT-DEPLOY-23", "aws:secretsmanager/secret:Secret", kind="deploy", severity="medium",
               description="Secrets with a recovery window are autonamed",
               remediation="Use name_prefix (a deleted secret's name stays blocked for its recovery window).")
def secret_names(secret: Resource):
    name, generated = secret.physical_name()
    if not generated and secret.get("recoveryWindowInDays", default=30) > 0:
        yield f"fixed name {name!r} stays blocked for the recovery window after a delete"


@resource_rule("MT-DEPLOY-24", CLUSTER, kind="deploy", severity="high",
               description="Clusters say what happens to their data on destroy",
               remediation="Set skip_final_snapshot=True (dev) or a final_snapshot_identifier.")
def final_snapshot_setting(cluster: Resource):
    if not cluster.get("skipFinalSnapshot") and not cluster.get("finalSnapshotIdentifier"):
        yield "neither skip_final_snapshot nor final_snapshot_identifier: destroy fails"


@resource_rule("MT-DEPLOY-25", "aws:apigateway/deployment:Deployment", kind="deploy", severity="high",
               description="Deployments are re-created when the API changes, before the old one goes",
               remediation="Set triggers={'openapi': <hash of the document>} and keep Pulumi's create-before-delete.")
def deployment_snapshot(deployment: Resource):
    if not deployment.get("triggers"):
        yield "no triggers: API changes never reach the stage"
    if deployment.delete_before_replace:
        yield "delete_before_replace deletes the deployment the stage still serves"


@stack_rule("MT-DEPLOY-26", kind="deploy", severity="critical",
            description="Explicit providers carry every aws:* stack setting",
            remediation="Build providers from all aws:* settings (profile, assumeRoles, allowedAccountIds, …), "
                        "not just the region.")
def providers_complete(stack: Stack):
    for provider in stack.of_type(PROVIDER):
        missing = sorted(key for key in stack.aws_settings if provider.get(key) is None)
        if missing:
            yield Finding(provider, f"ignores aws:{', aws:'.join(missing)}")


@stack_rule("MT-DEPLOY-27", kind="deploy", severity="high",
            description="The stack refuses to deploy into the wrong account (allowedAccountIds)",
            remediation="Set aws:allowedAccountIds in Pulumi.<stack>.yaml and pass it to every provider.")
def allowed_accounts(stack: Stack):
    if not stack.aws_settings.get("allowedAccountIds"):
        yield Finding(None, "aws:allowedAccountIds is not set: ambient credentials choose the account")
    for provider in stack.of_type(PROVIDER):
        if not provider.get("allowedAccountIds"):
            yield Finding(provider, "no allowedAccountIds")


@resource_rule("MT-DEPLOY-28", FUNCTION, kind="deploy", severity="low", level="advisory",
               description="Reserved concurrency fits a new account's limits",
               remediation="New accounts may have 10 concurrent executions and must keep 100 unreserved: request a "
                           "quota increase first or drop reserved_concurrent_executions.",
               params={"accountConcurrency": 1000})
def reserved_concurrency_fits(function: Resource, params):
    value = function.get("reservedConcurrentExecutions")
    if value is not None and value > 0 and value > params["accountConcurrency"] - 100:
        yield f"reserves {value:g} of an account limit of {params['accountConcurrency']}"


@stack_rule("MT-DEPLOY-29", kind="deploy", severity="critical",
            description="The account-level API Gateway setting survives a destroy and is never re-pointed",
            remediation="Create the aws:apigateway/account:Account, its role and the role's policy with "
                        "retain_on_delete=True, and the Account with ignore_changes=['cloudwatchRoleArn'].")
def account_setting_durable(stack: Stack):
    for account in stack.of_type(ACCOUNT):
        if account.retain_on_delete is False:
            yield Finding(account, "destroying this stack resets the region's CloudWatch role: every other stack's "
                                   "stages stop logging, and a fresh deploy of them fails")
        if "cloudwatchRoleArn" not in account.ignore_changes:
            yield Finding(account, "every up re-points the region's setting to this stack's role: two stacks "
                                   "managing it fight over it")
        for role in stack.dependencies_of(account, ROLE, ROLE_POLICY):
            if role.retain_on_delete is False:
                yield Finding(role, "destroying this stack deletes what the region's setting may still name: the "
                                    "other stacks' execution logging breaks")


@stack_rule("MT-DEPLOY-30", kind="deploy", severity="critical",
            description="Every resource has a URN of its own (type, name and parent types)",
            remediation="Give one of the two resources another name (e.g. name the kind of what it watches).")
def unique_urns(stack: Stack):
    seen: set[str] = set()
    for resource in stack.resources:
        if resource.urn in seen:
            yield Finding(resource, f"is the second {resource.type} named {resource.name!r} under one parent type: "
                                    f"pulumi up fails with a duplicate URN")
        seen.add(resource.urn)
