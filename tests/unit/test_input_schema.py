"""Every recorded input, nested keys included, is one the pulumi-aws v7 schema knows.

The mock engine accepts any input, and Python only checks top-level keyword
arguments; a misspelled key inside a nested dict (``vpc_config={"subnet_idz":…}``)
would pass every other test and fail at ``pulumi up``. This walks each resource's
inputs against the SDK's own input types.
"""

from __future__ import annotations

import importlib
import typing
from collections.abc import Mapping, Sequence

import pytest
from pulumi._types import input_type_py_to_pulumi_names, input_type_types

# Inputs whose values are free-form maps (names chosen by the user, not the schema).
FREE_FORM = {"tags", "tagsAll", "variables", "stageVariableOverrides", "triggers", "dimensions",
             "defaultTags", "responseParameters", "responseTemplates", "requestTemplates"}


def args_class(token: str):
    """``aws:lambda/function:Function`` → ``pulumi_aws.lambda_.FunctionArgs`` (None: not a schema resource)."""
    package, module, name = token.split(":")
    if package not in ("aws", "awsx"):
        return None
    python_package = {"aws": "pulumi_aws", "awsx": "pulumi_awsx"}[package]
    module = module.split("/")[0]
    for candidate in (module, module + "_"):
        try:
            found = importlib.import_module(f"{python_package}.{candidate}")
        except ModuleNotFoundError:
            continue
        resource = getattr(found, name, None)
        if resource is None:
            return None
        # The resource's own module; where a nested input type took the name
        # <Name>Args, the SDK calls the resource's arguments <Name>InitArgs.
        home = importlib.import_module(resource.__module__)
        return getattr(home, f"{name}InitArgs", None) or getattr(home, f"{name}Args", None)
    return None


def input_classes(annotation) -> list[type]:
    """The pulumi input types inside an annotation (through Optional, Input, Sequence…)."""
    if isinstance(annotation, type) and hasattr(annotation, "_pulumi_input_type"):
        return [annotation]
    found: list[type] = []
    for arg in typing.get_args(annotation):
        found += input_classes(arg)
    return found


def is_free_map(annotation) -> bool:
    origin = typing.get_origin(annotation)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return True
    return any(is_free_map(arg) for arg in typing.get_args(annotation))


def problems(cls: type, value: Mapping, path: str) -> list[str]:
    names = set(input_type_py_to_pulumi_names(cls).values())
    types = input_type_types(cls)  # keyed by Pulumi name, Input/Optional already unwrapped
    found = []
    for key, item in value.items():
        if key not in names:
            found.append(f"{path}.{key}: not an input of {cls.__name__} (known: {sorted(names)[:12]}…)")
            continue
        annotation = types.get(key)
        if key in FREE_FORM or item is None or annotation is None:
            continue
        nested = input_classes(annotation)
        if not nested:
            continue
        if is_free_map(annotation) and not isinstance(item, Mapping):
            continue
        elements = item if isinstance(item, Sequence) and not isinstance(item, (str, bytes)) else [item]
        for index, element in enumerate(elements):
            if isinstance(element, Mapping):
                found += problems(nested[0], element, f"{path}.{key}[{index}]")
    return found


@pytest.mark.parametrize("stack", ["dev_stack", "prod_stack"])
def test_every_input_key_is_in_the_schema(stack, request):
    recording = request.getfixturevalue(stack)
    found, checked = [], 0
    for registration in recording.registrations:
        cls = args_class(registration.type)
        if cls is None:
            continue
        checked += 1
        found += problems(cls, registration.inputs, f"{registration.type} {registration.name}")
    assert checked > 200
    assert found == []


def test_the_check_catches_a_misspelled_nested_key():
    from pulumi_aws.lambda_ import FunctionArgs

    assert problems(FunctionArgs, {"vpcConfig": {"subnetIdz": ["a"]}}, "fn") == [
        "fn.vpcConfig[0].subnetIdz: not an input of FunctionVpcConfigArgs (known: "
        "['ipv6AllowedForDualStack', 'securityGroupIds', 'subnetIds', 'vpcId'])…)".replace("])…)", "]…)")]
