"""The component provider's schema, as Pulumi's analyzer infers it in this process.

GIVEN the patterns the plugin hosts WHEN the analyzer reads them THEN every pattern is a resource of the
schema, every input and output (and every property of the types they use) has a type and a description,
the schema is valid against Pulumi's package metaschema (vendored in schema/, with its source), and the
committed schema/schema.json is exactly what the analyzer infers now.
"""

import json
from pathlib import Path
from typing import Any, Iterator

import pulumi
import pytest
from jsonschema import Draft202012Validator
from pulumi.provider.experimental.component import ComponentProvider

from multitier import PATTERNS, __version__
from multitier._plugin import COMPONENTS, PACKAGE, schema
from multitier._settings.generate import PATTERN_SETTINGS_FILE, SCHEMA_FILE, render_pattern_settings

METASCHEMA = Path(__file__).resolve().parents[2] / "schema" / "pulumi-package-metaschema.json"


@pytest.fixture(scope="module")
def inferred(tmp_path_factory) -> dict:
    # Written as the plugin would serve it, then read back: what a consumer's `pulumi package add` gets.
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    path.write_text(json.dumps(schema(), indent=2, sort_keys=True))
    return json.loads(path.read_text())


def gaps(document: dict) -> list[str]:
    """Every input, output and type property without a type or a description, and every untyped value."""
    found = []
    for token, resource in document.get("resources", {}).items():
        if not resource.get("description"):
            found.append(f"{token}: no description")
        for kind in ("inputProperties", "properties"):
            for name, prop in resource.get(kind, {}).items():
                found += _property_gaps(f"{token}.{kind}.{name}", prop)
    for token, spec in document.get("types", {}).items():
        if not spec.get("description"):
            found.append(f"{token}: no description")
        for name, prop in spec.get("properties", {}).items():
            found += _property_gaps(f"{token}.{name}", prop)
        found += [f"{token}.{value.get('name')}: no description" for value in spec.get("enum", ())
                  if not value.get("description")]
    return found


def _property_gaps(path: str, prop: dict) -> Iterator[str]:
    if not prop.get("description"):
        yield f"{path}: no description"
    yield from _type_gaps(path, prop)


def _type_gaps(path: str, prop: dict) -> Iterator[str]:
    if prop.get("$ref", "").endswith("pulumi.json#/Any") or not ({"type", "$ref"} & set(prop)):
        yield f"{path}: no type"
    if prop.get("type") == "array":
        yield from _type_gaps(f"{path}[]", prop.get("items") or {})
    if prop.get("type") == "object" and "$ref" not in prop:
        yield from _type_gaps(f"{path}{{}}", prop.get("additionalProperties") or {})


def test_every_exported_pattern_is_a_resource_of_the_schema(inferred):
    assert COMPONENTS == list(PATTERNS.values())
    assert set(inferred["resources"]) == {f"{PACKAGE}:index:{c.__name__}" for c in COMPONENTS}
    assert all(resource["isComponent"] for resource in inferred["resources"].values())
    assert (inferred["name"], inferred["version"]) == (PACKAGE, __version__)


def test_every_input_and_output_is_typed_and_described(inferred):
    assert gaps(inferred) == []
    # AND the outputs are those each pattern declares, and the inputs PatternArgs' fields
    for component in COMPONENTS:
        resource = inferred["resources"][f"{PACKAGE}:index:{component.__name__}"]
        assert len(resource["properties"]) == len(component.output_names()) >= 3
        assert set(resource["inputProperties"]) == {"stack", "region", "settings"}
        assert resource["requiredInputs"] == ["stack"]


class SloppyArgs:
    size: Any
    label: str
    """A label."""


class Sloppy(pulumi.ComponentResource):
    def __init__(self, name: str, args: SloppyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("x:index:Sloppy", name, None, opts)


def test_the_check_finds_what_is_missing():
    # GIVEN a component with no description whose args hide a type (Any) and a description
    found = gaps(json.loads(ComponentProvider([Sloppy], "x", None, "0.0.1").schema))
    assert "x:index:Sloppy: no description" in found
    assert "x:index:Sloppy.inputProperties.size: no description" in found
    assert "x:index:Sloppy.inputProperties.size: no type" in found
    assert not [gap for gap in found if ".label" in gap]


def test_the_schema_is_valid_against_pulumis_package_metaschema(inferred):
    metaschema = json.loads(METASCHEMA.read_text())
    assert "github.com/pulumi/pulumi/blob/" in metaschema["$comment"]  # where the vendored copy comes from
    validator = Draft202012Validator(metaschema)
    assert [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(inferred)] == []
    # AND the validator refuses what the metaschema does (here a resource token without its module)
    broken = json.loads(json.dumps(inferred))
    broken["resources"]["multitier:MobileBackend"] = broken["resources"].pop("multitier:index:MobileBackend")
    assert list(validator.iter_errors(broken))


def test_the_committed_schema_is_what_the_analyzer_infers(inferred):
    # Regenerate with `python -m multitier._settings.generate` after changing a pattern, its args or outputs.
    assert json.loads(SCHEMA_FILE.read_text()) == inferred


def test_pattern_settings_are_generated_from_the_model():
    # Regenerate with `python -m multitier._settings.generate` after changing a setting.
    assert PATTERN_SETTINGS_FILE.read_text() == render_pattern_settings()
