"""Values checked against AWS's own constraints: the shapes in botocore's service models.

Each resource type maps onto the botocore shape of the call that creates it; a
property maps onto the member of the same name (case-insensitively, lists of
CloudFront's ``Items`` included) or onto an alias below. Strings are checked for
``enum`` (a value shaped like a listed one with other numbers passes: AWS adds runtimes
and TLS policies before botocore lists them), ``pattern`` (whole-value match),
``min``/``max`` length, numbers for ``min``/``max``. Properties with no counterpart in
the shape are not checked.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator, Mapping, NamedTuple, Sequence

import botocore.session
import regex

from pulumi_policy.proxy import UnknownValueError

from policy.core import AUTONAME_SUFFIX, Resource, Rule, resource_rule

PREFIX = "MT-LIMITS"


class Spec(NamedTuple):
    what: str  # the resource, as the rule's description names it
    service: str
    shape: str
    aliases: Mapping[str, str] = {}  # property -> member path where the names differ
    autoname: str = ""  # the name property Pulumi fills in when it is absent
    root: str = ""  # the property holding the whole shape (method settings)


SHAPES: dict[str, Spec] = {
    "aws:lambda/function:Function": Spec("Lambda function", "lambda", "CreateFunctionRequest",
                                         {"name": "FunctionName"}, "name"),
    "aws:lambda/permission:Permission": Spec("Lambda permission", "lambda", "AddPermissionRequest",
                                             {"function": "FunctionName", "statementId": "StatementId"}),
    "aws:lambda/alias:Alias": Spec("Lambda alias", "lambda", "CreateAliasRequest"),
    "aws:lambda/layerVersion:LayerVersion": Spec("Lambda layer", "lambda", "PublishLayerVersionRequest"),
    "aws:apigateway/stage:Stage": Spec("API Gateway stage", "apigateway", "CreateStageRequest"),
    "aws:apigateway/methodSettings:MethodSettings": Spec("API Gateway method settings", "apigateway",
                                                         "MethodSetting", root="settings"),
    "aws:apigateway/usagePlan:UsagePlan": Spec("API Gateway usage plan", "apigateway", "CreateUsagePlanRequest",
                                               {"quotaSettings": "quota", "throttleSettings": "throttle"}),
    "aws:apigateway/domainName:DomainName": Spec("API Gateway domain", "apigateway", "CreateDomainNameRequest"),
    "aws:cognito/userPool:UserPool": Spec("Cognito user pool", "cognito-idp", "CreateUserPoolRequest",
                                          {"name": "PoolName", "passwordPolicy": "Policies.PasswordPolicy"}, "name"),
    "aws:cognito/userPoolClient:UserPoolClient": Spec("Cognito user pool client", "cognito-idp",
                                                      "CreateUserPoolClientRequest", {"name": "ClientName"}, "name"),
    "aws:cognito/userPoolDomain:UserPoolDomain": Spec("Cognito domain", "cognito-idp", "CreateUserPoolDomainRequest"),
    "aws:rds/cluster:Cluster": Spec("RDS cluster", "rds", "CreateDBClusterMessage",
                                    {"clusterIdentifier": "DBClusterIdentifier"}),
    "aws:rds/clusterInstance:ClusterInstance": Spec("RDS cluster instance", "rds", "CreateDBInstanceMessage",
                                                    {"identifier": "DBInstanceIdentifier",
                                                     "instanceClass": "DBInstanceClass"}),
    "aws:rds/proxy:Proxy": Spec("RDS proxy", "rds", "CreateDBProxyRequest", {"name": "DBProxyName", "auths": "Auth"}),
    "aws:elasticache/serverlessCache:ServerlessCache": Spec("ElastiCache serverless cache", "elasticache",
                                                            "CreateServerlessCacheRequest",
                                                            {"name": "ServerlessCacheName"}, "name"),
    "aws:elasticache/user:User": Spec("ElastiCache user", "elasticache", "CreateUserMessage"),
    "aws:elasticache/userGroup:UserGroup": Spec("ElastiCache user group", "elasticache", "CreateUserGroupMessage"),
    "aws:cloudfront/distribution:Distribution": Spec("CloudFront distribution", "cloudfront", "DistributionConfig"),
    "aws:wafv2/webAcl:WebAcl": Spec("WAFv2 web ACL", "wafv2", "CreateWebACLRequest", autoname="name"),
    "aws:s3/bucket:Bucket": Spec("S3 bucket", "s3", "CreateBucketRequest"),
    "aws:iam/role:Role": Spec("IAM role", "iam", "CreateRoleRequest",
                              {"name": "RoleName", "assumeRolePolicy": "AssumeRolePolicyDocument"}, "name"),
    "aws:iam/rolePolicy:RolePolicy": Spec("IAM role policy", "iam", "PutRolePolicyRequest",
                                          {"name": "PolicyName", "role": "RoleName", "policy": "PolicyDocument"},
                                          "name"),
}
SKIPPED = {"tags", "tagsAll"}  # a map in Pulumi, a list of Tag in most models


@lru_cache(maxsize=None)
def _shape(service: str, name: str):
    return botocore.session.get_session().get_service_model(service).shape_for(name)


@lru_cache(maxsize=None)
def _pattern(text: str):
    # AWS patterns are Java regexes (\p{L} …) matched against the whole value.
    return regex.compile(text)


def _later_version(value: str, enum: tuple[str, ...]) -> bool:
    """A value the model does not list yet, shaped like those it does with higher numbers than all of them
    (``python3.15`` beside ``python3.14``, a TLS policy of a later year): AWS adds versions before botocore
    lists them."""
    def numbers(text: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", text))

    shape = re.sub(r"\d+", "#", value)
    alike = [numbers(known) for known in enum if re.sub(r"\d+", "#", known) == shape]
    return "#" in shape and bool(alike) and numbers(value) > max(alike)


def _member(shape, name: str):
    for member, member_shape in shape.members.items():
        if member.lower() == name.lower():
            return member_shape
    return None


def _at(shape, path: str):
    for step in path.split("."):
        shape = _member(shape, step) if shape is not None and shape.type_name == "structure" else None
    return shape


def _known(container, keys) -> Iterator[tuple[Any, Any]]:
    """(key, value) pairs, leaving out values unknown during preview."""
    for key in keys:
        try:
            yield key, container[key]
        except UnknownValueError:
            continue


def violations(shape, value: Any, where: str) -> Iterator[str]:
    """Every way ``value`` breaks ``shape`` (botocore's enum/pattern/min/max)."""
    kind = shape.type_name
    if kind == "structure":
        if isinstance(value, Mapping):
            for key, item in _known(value, list(value)):
                member = _member(shape, key)
                if member is not None and key not in SKIPPED and item is not None:
                    yield from violations(member, item, f"{where}.{key}")
        elif isinstance(value, Sequence) and not isinstance(value, str) and _member(shape, "Items") is not None:
            yield from violations(_member(shape, "Items"), value, where)  # CloudFront's {Quantity, Items}
    elif kind == "list":
        listed = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        for index, item in _known(listed, range(len(listed))):
            yield from violations(shape.member, item, f"{where}[{index}]")
    elif kind == "string" and isinstance(value, str):
        enum, meta = getattr(shape, "enum", None), shape.metadata
        if enum and value not in enum and not _later_version(value, tuple(enum)):
            yield f"{where}={value!r} is not one of {list(enum)}"
        if "pattern" in meta and not _pattern(meta["pattern"]).fullmatch(value):
            yield f"{where}={value!r} does not match {meta['pattern']!r}"
        if len(value) < meta.get("min", 0) or len(value) > meta.get("max", len(value)):
            yield f"{where} is {len(value)} characters; allowed {meta.get('min', 0)}-{meta.get('max', '∞')}"
    elif kind in ("integer", "long", "double", "float") and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        meta = shape.metadata
        if value < meta.get("min", value) or value > meta.get("max", value):
            yield f"{where}={value:g} is outside {meta.get('min', '-∞')}-{meta.get('max', '∞')}"


def check(resource: Resource) -> Iterator[str]:
    spec = SHAPES[resource.type]
    shape = _shape(spec.service, spec.shape)
    if spec.root:
        yield from violations(shape, resource.get(spec.root) or {}, spec.root)
        return
    values = dict(_known(resource.props, list(resource.props)))
    if spec.autoname and resource.get(spec.autoname) is None and resource.get(f"{spec.autoname}Prefix") is None:
        values[spec.autoname] = f"{resource.name}-{AUTONAME_SUFFIX}"
    for key, value in values.items():
        target = _at(shape, spec.aliases[key]) if key in spec.aliases else _member(shape, key)
        if target is not None and key not in SKIPPED and value is not None:
            yield from violations(target, value, key)


def _limits_rule(number: int, type_: str, spec: Spec) -> Rule:
    rule = resource_rule(f"MT-LIMITS-{number}", type_, kind="limits", severity="high",
                         description=f"{spec.what} values fit botocore's {spec.service} {spec.shape} constraints",
                         remediation="Change the value to one the API accepts (the message names the constraint).")
    return rule(check)


# One rule per type, numbered in the order of SHAPES (new types go at the end: ids stay stable).
LIMIT_RULES = tuple(_limits_rule(number, type_, spec) for number, (type_, spec) in enumerate(SHAPES.items(), start=1))
