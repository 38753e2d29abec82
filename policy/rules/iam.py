"""IAM: exact actions on exact resources, no managed policies, no admin, narrow trust."""

from __future__ import annotations

from policy.core import Resource, items, resource_rule, statements
from policy.rules.common import ROLE, ROLE_POLICY, actions, allow_statements

PREFIX = "MT-IAM"

POLICY = "aws:iam/policy:Policy"
ATTACHMENTS = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment",
               "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive")
DOCUMENTS = (ROLE_POLICY, POLICY, ROLE)
# Actions that support no resource-level permissions: "*" is the only resource they accept.
NEEDS_STAR = {"xray:puttracesegments", "xray:puttelemetryrecords", "xray:getsamplingrules",
              "xray:getsamplingtargets", "ec2:createnetworkinterface", "ec2:describenetworkinterfaces",
              "ec2:deletenetworkinterface", "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses",
              "ec2:describesubnets", "ec2:describesecuritygroups", "ec2:describevpcs",
              "cloudwatch:putmetricdata", "logs:describeloggroups", "ssm:describeparameters",
              "secretsmanager:getrandompassword", "kms:createkey", "sts:getcalleridentity"}


def _documents(resource: Resource):
    """The identity-policy documents a resource carries (a role: its inline policies)."""
    if resource.type == ROLE:
        return [p.get("policy") for p in items(resource.get("inlinePolicies")) if hasattr(p, "get")]
    return [resource.get("policy")]


def _allows(resource: Resource):
    for document in _documents(resource):
        yield from allow_statements(document)


@resource_rule("MT-IAM-1", DOCUMENTS, description="Policies grant exact actions, never service or global wildcards",
               remediation="List the exact actions the code calls (components grant them through link.Statement).")
def no_wildcard_actions(resource: Resource):
    for statement in _allows(resource):
        wild = [a for a in actions(statement) if a == "*" or a.endswith(":*")]
        if wild:
            yield f"statement {statement.get('Sid', '')!r} allows {wild}"


@resource_rule("MT-IAM-2", DOCUMENTS, description="Policies grant on exact ARNs; '*' only for actions that need it",
               remediation="Name the ARNs; keep '*' only for actions without resource-level permissions "
                           "(X-Ray segments, VPC network interfaces, PutMetricData).")
def no_wildcard_resources(resource: Resource):
    for statement in _allows(resource):
        if "*" in items(statement.get("Resource")):
            loose = sorted(a for a in actions(statement) if a.lower() not in NEEDS_STAR)
            if loose:
                yield f"statement {statement.get('Sid', '')!r} allows {loose} on '*'"


@resource_rule("MT-IAM-3", (ROLE, *ATTACHMENTS), description="No managed policies: each role gets exact inline grants",
               remediation="Replace managed policies (AWSLambdaBasicExecutionRole, …) with exact inline statements.")
def no_managed_policies(resource: Resource):
    if resource.type == ROLE:
        if items(resource.get("managedPolicyArns")):
            yield f"role attaches managed policies {items(resource.get('managedPolicyArns'))}"
    else:
        yield f"attaches {resource.get('policyArn')}"


@resource_rule("MT-IAM-4", DOCUMENTS, severity="critical", description="No policy grants full administrator access",
               remediation="Remove Allow '*' on '*'; grant exact actions on exact ARNs.")
def no_admin(resource: Resource):
    for statement in _allows(resource):
        if "*" in actions(statement) and "*" in items(statement.get("Resource")):
            yield f"statement {statement.get('Sid', '')!r} allows '*' on '*'"


@resource_rule("MT-IAM-5", ROLE, severity="critical", description="Roles trust named principals only",
               remediation="Trust one service (lambda.amazonaws.com, …) or a named account with a condition.")
def narrow_trust(role: Resource):
    for statement in statements(role.get("assumeRolePolicy")):
        principal = statement.get("Principal")
        values = [principal] if isinstance(principal, str) else [
            v for value in (principal or {}).values() for v in items(value)]
        if statement.get("Effect") == "Allow" and "*" in values and not statement.get("Condition"):
            yield "the trust policy lets any principal assume the role"


@resource_rule("MT-IAM-6", DOCUMENTS, description="No Allow with NotAction or NotResource",
               remediation="Rewrite the statement as an allow-list of actions and resources.")
def no_not_allow(resource: Resource):
    for statement in _allows(resource):
        for key in ("NotAction", "NotResource"):
            if key in statement:
                yield f"statement {statement.get('Sid', '')!r} allows with {key}"
