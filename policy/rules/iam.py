"""IAM: exact actions on exact resources, no managed policies, no admin, narrow trust, no public resource policies.

The identity-policy rules read every document a principal can carry (inline role policies,
managed policies, user and group policies); the wildcard, NotAction and public-principal
rules read the resource policies too (bucket, topic, queue, key, file system, API, secret,
event bus, repository), in every place each can be given (``policy/rules/documents.py``).
"""

from __future__ import annotations

from policy.core import Resource, items, resource_rule, statements
from policy.rules.documents import (IDENTITY_POLICIES, RESOURCE_POLICIES, account_roots_only, actions, allows,
                                    is_public, loose_arn, resources, unconditioned_services, wildcard_actions)

PREFIX = "MT-IAM"

ROLE = "aws:iam/role:Role"
ATTACHMENTS = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment",
               "aws:iam/userPolicyAttachment:UserPolicyAttachment",
               "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
               "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive")
EVERY_POLICY = (*IDENTITY_POLICIES, *RESOURCE_POLICIES)
# Actions that support no resource-level permissions: "*" is the only resource they accept
# (the Service Authorization Reference lists no resource type for them).
NEEDS_STAR = {"xray:puttracesegments", "xray:puttelemetryrecords", "xray:getsamplingrules",
              "xray:getsamplingtargets", "ec2:createnetworkinterface", "ec2:describenetworkinterfaces",
              "ec2:deletenetworkinterface", "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses",
              "ec2:describesubnets", "ec2:describesecuritygroups", "ec2:describevpcs",
              "cloudwatch:putmetricdata", "logs:describeloggroups", "ssm:describeparameters",
              "secretsmanager:getrandompassword", "kms:createkey", "sts:getcalleridentity"}


def _sid(statement) -> str:
    return repr(statement.get("Sid", ""))


@resource_rule("MT-IAM-1", EVERY_POLICY, description="Policies grant exact actions: no wildcard anywhere in an action",
               remediation="List the exact actions the code calls (components grant them through link.Statement); "
                           "in a resource policy, grant the account root or name the actions.")
def no_wildcard_actions(resource: Resource):
    for statement in allows(resource):
        wild = wildcard_actions(statement)
        # A resource policy granting its own account's root delegates to that account's IAM policies.
        if wild and not (resource.type in RESOURCE_POLICIES and account_roots_only(statement)):
            yield f"statement {_sid(statement)} allows {wild}"


@resource_rule("MT-IAM-2", IDENTITY_POLICIES,
               description="Identity policies grant on exact ARNs: no wildcard in a partition, service, region, "
                           "account or resource name; '*' only for actions that need it",
               remediation="Name the ARNs (a wildcard may follow a named resource: its objects, indexes, log "
                           "streams); keep '*' for actions without resource-level permissions (X-Ray segments, "
                           "VPC network interfaces, PutMetricData).")
def no_wildcard_resources(resource: Resource):
    for statement in allows(resource):
        loose = [arn for arn in resources(statement) if loose_arn(arn)]
        restrictable = sorted(a for a in actions(statement) if a.lower() not in NEEDS_STAR)
        if loose and restrictable:
            yield f"statement {_sid(statement)} allows {restrictable} on {loose}"


@resource_rule("MT-IAM-3", (ROLE, *ATTACHMENTS), description="No managed policies: each role gets exact inline grants",
               remediation="Replace managed policies (AWSLambdaBasicExecutionRole, …) with exact inline statements.")
def no_managed_policies(resource: Resource):
    if resource.type == ROLE:
        if items(resource.get("managedPolicyArns")):
            yield f"role attaches managed policies {items(resource.get('managedPolicyArns'))}"
    else:
        yield f"attaches {resource.get('policyArn') or items(resource.get('policyArns'))}"


@resource_rule("MT-IAM-4", IDENTITY_POLICIES, severity="critical",
               description="No policy grants full administrator access",
               remediation="Remove Allow '*' on '*'; grant exact actions on exact ARNs.")
def no_admin(resource: Resource):
    for statement in allows(resource):
        if {"*", "*:*"} & set(actions(statement)) and "*" in resources(statement):
            yield f"statement {_sid(statement)} allows '*' on '*'"


@resource_rule("MT-IAM-5", ROLE, severity="critical", description="Roles trust named principals only",
               remediation="Trust one service (lambda.amazonaws.com, …), or a named account or role, or condition "
                           "'*' on aws:PrincipalOrgID / aws:PrincipalArn.")
def narrow_trust(role: Resource):
    for statement in statements(role.get("assumeRolePolicy")):
        if is_public(statement):
            yield f"the trust policy lets any principal assume the role (statement {_sid(statement)})"


@resource_rule("MT-IAM-6", EVERY_POLICY, description="No Allow with NotAction, NotResource or NotPrincipal",
               remediation="Rewrite the statement as an allow-list of actions, resources and principals.")
def no_not_allow(resource: Resource):
    for statement in allows(resource):
        for key in ("NotAction", "NotResource", "NotPrincipal"):
            if key in statement:
                yield f"statement {_sid(statement)} allows with {key}"


@resource_rule("MT-IAM-7", tuple(RESOURCE_POLICIES), severity="critical",
               description="Resource policies let no one and all in: '*' only with a condition naming the callers "
                           "(source ARN or account, organization, VPC endpoint, principal ARN)",
               remediation="Name the principals, or condition the statement on aws:SourceArn, aws:SourceAccount, "
                           "aws:PrincipalOrgID, aws:SourceVpce or aws:PrincipalArn (aws:SecureTransport narrows "
                           "nothing).")
def not_public(resource: Resource):
    for statement in allows(resource):
        if is_public(statement):
            yield f"statement {_sid(statement)} lets anyone {actions(statement)}"


@resource_rule("MT-IAM-8", tuple(RESOURCE_POLICIES),
               description="Resource policies let a service in only on behalf of a named source (confused deputy)",
               remediation="Condition the service principal's statement on aws:SourceArn or aws:SourceAccount "
                           "(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).")
def service_source(resource: Resource):
    for statement in allows(resource):
        services = unconditioned_services(statement)
        if services:
            yield f"statement {_sid(statement)} lets {services} act for any account"
