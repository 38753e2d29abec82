"""IAM policy documents as the rules read them: where they are, whom they let in, what they grant.

A document may sit in several places for one setting (a bucket's ``policy`` argument or
an ``aws:s3/bucketPolicy``; an API's ``policy``, its OpenAPI body's
``x-amazon-apigateway-policy`` or an ``aws:apigateway/restApiPolicy``), and a statement
may say the same thing several ways (``"*"``, ``{"AWS": "*"}``, ``{"AWS": ["*"]}``; an
action list or one string; a wildcard anywhere in an action or an ARN). The readers here
know every form, so a rule does not.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from policy.core import Resource, get, items, statements
from policy.rules.common import parse_json

# Identity policies: what a principal may do. The role carries its inline policies in a list.
IDENTITY_POLICIES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy",
                     "aws:iam/groupPolicy:GroupPolicy", "aws:iam/role:Role")
# Resource policies: who may use the resource (type -> the properties holding a document).
RESOURCE_POLICIES: dict[str, tuple[str, ...]] = {
    "aws:s3/bucketPolicy:BucketPolicy": ("policy",), "aws:s3/bucket:Bucket": ("policy",),
    "aws:s3/bucketV2:BucketV2": ("policy",), "aws:sns/topicPolicy:TopicPolicy": ("policy",),
    "aws:sns/topic:Topic": ("policy",), "aws:sqs/queuePolicy:QueuePolicy": ("policy",),
    "aws:sqs/queue:Queue": ("policy",), "aws:kms/key:Key": ("policy",), "aws:kms/keyPolicy:KeyPolicy": ("policy",),
    "aws:efs/fileSystemPolicy:FileSystemPolicy": ("policy",),
    "aws:secretsmanager/secretPolicy:SecretPolicy": ("policy",),
    "aws:apigateway/restApiPolicy:RestApiPolicy": ("policy",), "aws:apigateway/restApi:RestApi": ("policy", "body"),
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": ("policy",),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": ("policy",),
}
WILDCARD = re.compile(r"[*?]")
ACCOUNT_ROOT = re.compile(r"^(arn:aws[\w-]*:iam::\d{12}:root|\d{12})$")
# Condition keys that tie a statement to named callers: a source, an account, an organization,
# a VPC endpoint or VPC, a principal. aws:SecureTransport, aws:CurrentTime, … narrow nothing.
NARROWING_KEYS = frozenset({
    "aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn", "aws:principalaccount", "aws:userid",
    "aws:sourcevpce", "aws:sourcevpc", "aws:sourceip", "kms:calleraccount", "lambda:functionarn"})
SOURCE_KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid",
                         "aws:sourceorgpaths"})
# Operators that require the key to match: not negations, not "…IfExists" (an absent key passes),
# not ForAllValues (an empty set passes).
POSITIVE = re.compile(r"^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$")


def documents(resource: Resource) -> Iterator[Any]:
    """The policy documents ``resource`` carries (identity or resource policies; an API's body's too)."""
    if resource.type == "aws:iam/role:Role":
        yield from (get(p, "policy") for p in items(resource.get("inlinePolicies")))
        return
    for key in RESOURCE_POLICIES.get(resource.type, ("policy",)):
        value = resource.get(key)
        if key == "body":
            value = parse_json(value).get("x-amazon-apigateway-policy")
        if value:
            yield value


def allows(resource: Resource) -> Iterator[Mapping[str, Any]]:
    for document in documents(resource):
        yield from (s for s in statements(document) if s.get("Effect") == "Allow")


def actions(statement: Mapping[str, Any]) -> list[str]:
    return [a for a in items(statement.get("Action")) if isinstance(a, str)]


def resources(statement: Mapping[str, Any]) -> list[str]:
    return [r for r in items(statement.get("Resource")) if isinstance(r, str)]


def principals(statement: Mapping[str, Any], kind: str | None = None) -> list[str]:
    """The principal values (``"*"`` for ``Principal: "*"``), of one ``kind`` (AWS, Service, …) if given."""
    principal = statement.get("Principal")
    if isinstance(principal, str):
        return [principal] if kind in (None, "AWS") else []
    if not isinstance(principal, Mapping):
        return []
    return [v for key, value in principal.items() if kind in (None, key) for v in items(value) if isinstance(v, str)]


def wildcard_actions(statement: Mapping[str, Any]) -> list[str]:
    return [a for a in actions(statement) if WILDCARD.search(a)]


def narrows(condition: Any) -> bool:
    """Whether ``condition`` ties a statement to named callers (a positive match on a narrowing key
    with no value that is only a wildcard)."""
    if not isinstance(condition, Mapping):
        return False
    for operator, tests in condition.items():
        if not POSITIVE.match(str(operator)) or not isinstance(tests, Mapping):
            continue
        for key, values in tests.items():
            values = [str(v) for v in items(values)]
            if str(key).lower() in NARROWING_KEYS and values and not any(_names_nobody(v) for v in values):
                return True
    return False


def _names_nobody(value: str) -> bool:
    """A condition value that matches anyone: only wildcards, any address, an ARN of any account, or a
    wildcard in an id (``o-*``: every organization)."""
    if value.strip("*?") == "" or value in ("0.0.0.0/0", "::/0"):
        return True
    if not value.startswith("arn:"):
        return bool(WILDCARD.search(value))
    parts = value.split(":")
    return len(parts) > 4 and bool(WILDCARD.search(parts[4]))


def is_public(statement: Mapping[str, Any]) -> bool:
    """An Allow for everyone: ``*`` in any form, a principal ARN with a wildcard (``arn:aws:iam::*:root``),
    or NotPrincipal (everyone but the named) — unless a condition narrows it to named callers."""
    if statement.get("Effect") != "Allow" or narrows(statement.get("Condition")):
        return False
    callers = [p for kind in ("AWS", "CanonicalUser", "Federated") for p in principals(statement, kind)]
    return "NotPrincipal" in statement or any(p == "*" or (p.startswith("arn:") and WILDCARD.search(p))
                                              for p in callers)


def unconditioned_services(statement: Mapping[str, Any]) -> list[str]:
    """Service principals an Allow lets in for any source (the confused deputy): no positive condition on
    the source ARN, account or organization."""
    if statement.get("Effect") != "Allow":
        return []
    condition = statement.get("Condition") or {}
    tied = any(POSITIVE.match(str(op)) and isinstance(tests, Mapping) and any(
        str(k).lower() in SOURCE_KEYS and not any(str(v).strip("*?") == "" for v in items(vals))
        for k, vals in tests.items()) for op, tests in (condition.items() if isinstance(condition, Mapping) else ()))
    return [] if tied else principals(statement, "Service")


def account_roots_only(statement: Mapping[str, Any]) -> bool:
    """The statement lets in only account roots: the account delegates to its own IAM policies."""
    found = principals(statement)
    return bool(found) and set(principals(statement, "AWS")) == set(found) and all(ACCOUNT_ROOT.match(p) for p in found)


def denies_insecure_transport(document: Any) -> bool:
    """A Deny for everyone when aws:SecureTransport is false (Bool or BoolIfExists, "false" or false)."""
    for statement in statements(document):
        if statement.get("Effect") != "Deny" or "*" not in principals(statement):
            continue
        for operator, tests in (statement.get("Condition") or {}).items():
            if operator in ("Bool", "BoolIfExists") and isinstance(tests, Mapping) and any(
                    str(k).lower() == "aws:securetransport" and str(v).lower() == "false" for k, v in tests.items()):
                return True
    return False


def loose_arn(arn: str) -> bool:
    """An ARN with a wildcard in its partition, service, region or account, or in the name of the resource
    (``table/*``, ``web-app-*``, ``log-group:*``); a wildcard after a named resource (its objects, indexes,
    log streams, an API's routes) or Secrets Manager's random suffix (``name-??????``) is not loose."""
    if arn == "*":
        return True
    parts = arn.split(":", 5)
    if len(parts) < 6 or any(WILDCARD.search(p) for p in parts[:5]):
        return True
    service, resource = parts[2], parts[5]
    if service == "secretsmanager":
        resource = re.sub(r"-\?{6}$", "", resource)
    if service == "s3":
        name = resource.split("/", 1)[0]  # the bucket; what follows is an object key
    else:
        separator = re.search(r"[/:]", resource)
        if separator is None:
            name = resource
        else:
            kind, rest = resource[:separator.start()], resource[separator.end():]
            name = kind + ":" + rest.split(separator.group(), 1)[0]
    return not name.strip() or bool(WILDCARD.search(name))
