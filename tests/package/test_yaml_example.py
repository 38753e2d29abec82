"""The Pulumi YAML example, checked for shape against the schema (no Pulumi CLI runs here).

GIVEN examples/yaml-web-app/Pulumi.yaml THEN each resource of the package is one of the schema's, its
properties are inputs the schema declares, with the schema's types (enums by value), none required is
missing, and each output it reads is one the resource has; a broken copy is refused, naming the fault.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from multitier._settings.generate import SCHEMA_FILE

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "yaml-web-app" / "Pulumi.yaml"
INTERPOLATION = re.compile(r"\$\{([^}]+)\}")
JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool}


def shape_errors(program: dict, schema: dict) -> list[str]:
    errors: list[str] = []
    package = schema["name"]
    specs = {}  # resource name → its schema, for the package's resources
    for name, resource in (program.get("resources") or {}).items():
        parts = resource["type"].split(":")
        if parts[0] != package:
            continue
        spec = schema["resources"].get(f"{package}:index:{parts[-1]}" if len(parts) == 2 else resource["type"])
        if spec is None:
            errors.append(f"{name}: no resource {resource['type']} in the schema")
            continue
        specs[name] = spec
        errors += _object_errors(name, resource.get("properties") or {}, spec["inputProperties"],
                                 spec.get("requiredInputs", ()), schema)
    for text in _strings(program.get("outputs") or {}):
        for reference in INTERPOLATION.findall(text):
            head, _, prop = reference.partition(".")
            if head in specs and prop.split(".")[0] not in specs[head]["properties"]:
                errors.append(f"outputs: {head} has no output {prop!r}")
    return errors


def _object_errors(path: str, values: dict, properties: dict, required, schema: dict) -> list[str]:
    errors = [f"{path}.{key}: not an input" for key in values if key not in properties]
    errors += [f"{path}.{key}: required" for key in required if key not in values]
    for key, value in values.items():
        if key in properties:
            errors += _value_errors(f"{path}.{key}", value, properties[key], schema)
    return errors


def _value_errors(path: str, value: Any, prop: dict, schema: dict) -> list[str]:
    if isinstance(value, str) and INTERPOLATION.fullmatch(value):
        return []  # known when the program runs
    ref = prop.get("$ref", "")
    if ref.startswith("#/types/"):
        spec = schema["types"][ref.removeprefix("#/types/")]
        if "enum" in spec:
            allowed = [item["value"] for item in spec["enum"]]
            return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
        if not isinstance(value, dict):
            return [f"{path}: an object is expected"]
        return _object_errors(path, value, spec.get("properties", {}), spec.get("required", ()), schema)
    kind = prop.get("type")
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: a list is expected"]
        return [e for i, item in enumerate(value) for e in _value_errors(f"{path}[{i}]", item, prop["items"], schema)]
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: an object is expected"]
        return [e for k, v in value.items() for e in _value_errors(f"{path}.{k}", v, prop["additionalProperties"],
                                                                   schema)]
    expected = JSON_TYPES[kind]
    if isinstance(value, bool) and kind != "boolean" or not isinstance(value, expected):
        return [f"{path}: {value!r} is not a {kind}"]
    return []


def _strings(node: Any):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for item in node.values():
            yield from _strings(item)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


@pytest.fixture(scope="module")
def program() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


def test_the_yaml_example_has_the_schemas_shape(program, schema):
    assert program["runtime"] == "yaml" and program["packages"] == {"multitier": "../.."}
    assert [r["type"] for r in program["resources"].values()] == ["multitier:index:WebApp"]
    assert shape_errors(program, schema) == []


@pytest.mark.parametrize("break_it, error", [
    (lambda p: p["resources"]["shop"]["properties"]["settings"].update(siteHosting="s3"),
     "shop.settings.siteHosting: 's3' is not one of ['amplify', 'cloudfront']"),
    (lambda p: p["resources"]["shop"]["properties"]["settings"].update(apiThrottleRate="fast"),
     "shop.settings.apiThrottleRate: 'fast' is not a number"),
    (lambda p: p["resources"]["shop"]["properties"]["settings"].update(apiStageNmae="dev"),
     "shop.settings.apiStageNmae: not an input"),
    (lambda p: p["resources"]["shop"]["properties"].pop("stack"), "shop.stack: required"),
    (lambda p: p["resources"]["shop"].update(type="multitier:index:Website"),
     "shop: no resource multitier:index:Website in the schema"),
    (lambda p: p["outputs"].update(url="${shop.url}"), "outputs: shop has no output 'url'"),
])
def test_a_broken_copy_is_refused_naming_the_fault(program, schema, break_it, error):
    broken = copy.deepcopy(program)
    break_it(broken)
    assert error in shape_errors(broken, schema)
