"""Type tokens (from the type table, ``local/engine/types.py``) and readers several rule modules share."""

from __future__ import annotations

import json
from typing import Any, Iterator, Mapping

from local.engine.types import (ALIAS, AWSX_VPC, BUCKET, FUNCTION, LOG_GROUP, METHOD_SETTINGS,  # noqa: F401
                                PERMISSION, REST_API, ROLE, ROLE_POLICY, STAGE)
from policy.core import Resource, Stack, get, items, statements

VPCS = (AWSX_VPC, "aws:ec2/vpc:Vpc")
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace", "x-amazon-apigateway-any-method")


def parse_json(text: Any) -> Mapping[str, Any]:
    """A JSON document given as text (or already parsed); empty when it isn't one."""
    if isinstance(text, Mapping):
        return text
    try:
        value = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, Mapping) else {}


def operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any], Mapping[str, Any]]]:
    """(path, method, operation, path item) for every operation of an OpenAPI document."""
    for path, item in (get(document, "paths") or {}).items():
        if isinstance(item, Mapping):
            for method, operation in item.items():
                if method.lower() in HTTP_METHODS and isinstance(operation, Mapping):
                    yield path, method.lower(), operation, item


def allow_statements(document: Any) -> list[Mapping[str, Any]]:
    return [s for s in statements(document) if s.get("Effect") == "Allow"]


def function_of(stack: Stack, resource: Resource) -> Resource | None:
    """The Lambda function a permission, alias or invocation refers to (through its dependencies)."""
    found = stack.dependencies_of(resource, FUNCTION)
    return found[0] if len(found) == 1 else None


def role_policies(stack: Stack, function: Resource) -> list[Mapping[str, Any]]:
    """Allow statements of the inline policies of the function's role (it depends on role and policies)."""
    out = []
    for role in stack.dependencies_of(function, ROLE):
        for inline in items(role.get("inlinePolicies")):
            out.extend(allow_statements(get(inline, "policy")))
        for policy in stack.of_type(ROLE_POLICY):
            if role.urn in policy.dependencies:
                out.extend(allow_statements(policy.get("policy")))
    return out


def actions(statement: Mapping[str, Any]) -> list[str]:
    return [a for a in items(statement.get("Action")) if isinstance(a, str)]


def api_functions(stack: Stack) -> list[Resource]:
    """Functions API Gateway invokes (a permission for apigateway.amazonaws.com names them)."""
    found: dict[str, Resource] = {}
    for permission in stack.of_type(PERMISSION):
        if permission.get("principal") == "apigateway.amazonaws.com":
            function = function_of(stack, permission)
            if function is not None:
                found[function.urn] = function
    return list(found.values())
