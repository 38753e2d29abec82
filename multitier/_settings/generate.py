"""Regenerate the files derived from declarations: ``python -m multitier._settings.generate``.

- ``Pulumi.yaml``: the project and every setting of the model with its type,
  description and default (the Pulumi CLI checks stack files against it);
- README.md's settings table: every setting, its default and each stack's value;
- functions/README.md's environment table: every variable of the services'
  contract (``functions/shared/contract.py``);
- ``multitier/_settings/pattern_settings.py``: the settings a pattern reads as typed,
  documented fields (what Pulumi's analyzer reads for the component provider's schema);
- ``schema/schema.json``: that schema, inferred from the exported components.

A tool, not part of the program: ``__main__.py`` never imports it. Tests fail
when a generated file is stale (tests/unit/test_config.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any, Mapping

from multitier._settings.loader import settings_from_config
from multitier._settings.model import NAMESPACE, Settings, config_keys, value_of

ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILE_HEADER = """\
# Generated from multitier/_settings/model.py by `python -m multitier._settings.generate`;
# tests/unit/test_config.py fails when the two disagree.
"""
PATTERN_SETTINGS_FILE = ROOT / "multitier" / "_settings" / "pattern_settings.py"
SCHEMA_FILE = ROOT / "schema" / "schema.json"
# What the stack reads itself (__main__.py), not a pattern: left out of PatternSettings.
STACK_ONLY = ("patterns", "apiAccountRole", "alarmsEnabled", "alarmsEmail", "dashboardsEnabled")


def project_config_schema() -> dict[str, dict[str, Any]]:
    """The ``config:`` block of Pulumi.yaml, derived from the model.

    Pulumi's schema knows string, integer, boolean and array; fractional numbers are
    declared as strings and converted by the model.
    """
    schema: dict[str, dict[str, Any]] = {}
    defaults = Settings()
    for key, (section, name, info) in config_keys().items():
        default = value_of(defaults, section, name)
        if isinstance(default, bool):
            kind = "boolean"
        elif isinstance(default, int):
            kind = "integer"
        elif isinstance(default, list):
            kind = "array"
        else:
            kind, default = "string", str(default) if not isinstance(default, str) else default
        entry: dict[str, Any] = {"type": kind, "description": info.description or key, "default": default}
        if kind == "array":
            entry["items"] = {"type": "string"}
        schema[f"{NAMESPACE}:{key}"] = entry
    return schema


def render_project_file() -> str:
    """Pulumi.yaml: the project and every setting with its type, description and default."""
    import yaml

    project = {
        "name": NAMESPACE,
        "description": "Serverless multi-tier architectures (API Gateway + Lambda) of AWS's whitepaper, "
                       "as reusable Pulumi components",
        "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}},
        # Keys of the project's own namespace are declared without their prefix.
        "config": {key.removeprefix(f"{NAMESPACE}:"): entry for key, entry in project_config_schema().items()},
    }
    return PROJECT_FILE_HEADER + yaml.safe_dump(project, sort_keys=False, width=120)


def render_settings_table(stacks: Mapping[str, Mapping[str, Any]]) -> str:
    """The README's settings table: every key, its default and each stack's value."""
    names = list(stacks)
    resolved = {name: settings_from_config(config) for name, config in stacks.items()}
    rows = ["| setting | " + " | ".join(names) + " | default | description |",
            "|---|" + "---|" * len(names) + "---|---|"]
    defaults = Settings()

    def shown(settings: Settings, section: str | None, field: str) -> str:
        value = value_of(settings, section, field)
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)

    for key, (section, field, info) in config_keys().items():
        default = shown(defaults, section, field)
        cells = [shown(resolved[n], section, field) for n in names]
        cells = [f"**{c}**" if c != default else c for c in cells]
        rows.append(f"| `{key}` | " + " | ".join(cells) + f" | {default or '(empty)'} | {info.description} |")
    return "\n".join(rows)


def render_environment_table(contract: Any) -> str:
    """functions/README.md's environment table: each variable, who reads it, what fills it."""
    rows = ["| variable | services | filled by | default | local mode | meaning |", "|---|---|---|---|---|---|"]
    for name, var in contract.VARIABLES.items():
        services = ", ".join(c.service for c in contract.CONTRACTS.values() if name in c.names)
        services = "all" if services == ", ".join(contract.CONTRACTS) else services
        default = "(required)" if var.required else f"`{var.default}`" if var.default else "(empty)"
        local = f"`{var.local}`" if var.local is not None else ""
        meaning = var.meaning.replace("<", "&lt;")  # <INFO_PREFIX> is not an HTML tag
        rows.append(f"| `{name}` | {services} | {var.filled_by} | {default} | {local} | {meaning} |")
    return "\n".join(rows)


def render_pattern_settings() -> str:
    """pattern_settings.py: one typed field per setting a pattern reads, its description the model's and its
    default named; one enum per setting that is a choice."""
    enums: list[str] = []
    names: list[str] = []
    fields: list[str] = []
    defaults = Settings()
    for key, (section, name, info) in config_keys().items():
        if key in STACK_ONLY:
            continue
        default = value_of(defaults, section, name)
        kind = info.annotation
        if typing.get_origin(kind) is typing.Literal:
            kind_name = key[:1].upper() + key[1:]
            names.append(kind_name)
            enums.append(_enum(kind_name, info.description, typing.get_args(kind), key))
        else:
            kind_name = {bool: "bool", int: "int", float: "float", str: "str"}.get(kind) or "list[str]"
        shown = ", ".join(map(str, default)) if isinstance(default, list) else str(default)
        fields.append(f"    {camel_to_snake(key)}: {kind_name} | None = None\n"
                      f'    """{info.description} Default: {shown or "(empty)"}."""\n')
    return (PROJECT_FILE_HEADER + '"""The settings a pattern reads, as typed and documented fields: ``PatternSettings``, '
            'with an enum for each\nchoice. Generated from the model, so that Pulumi\'s analyzer reads a type and '
            'a description for each\n(the component provider\'s schema); the model checks them '
            '(``PatternSettings.validated``).\n"""\n\n'
            "from dataclasses import dataclass\nfrom enum import Enum\n\n"
            "from multitier._settings.loader import SettingsInputs\n\n"
            "__all__ = [\n" + "".join(f'    "{n}",\n' for n in sorted(["PatternSettings", *names])) + "]\n\n\n"
            + "\n\n".join(enums)
            + '\n\n@dataclass(frozen=True)\nclass PatternSettings(SettingsInputs):\n'
            '    """The stack settings a pattern reads, each named after its key (``lambda_memory_mb`` is\n'
            '    ``multitier:lambdaMemoryMb``); unset (None), the default: the secure choice. Checked together when '
            'the\n    pattern is created: a wrong value stops it, naming the key, the value and what is allowed."""\n\n'
            + "\n".join(fields))


def camel_to_snake(key: str) -> str:
    """lambdaMemoryMb → lambda_memory_mb (a PatternSettings field: the key's words)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _enum(name: str, description: str | None, values: tuple[str, ...], key: str) -> str:
    prefix = re.findall(r"[A-Z][a-z0-9]*", key[:1].upper() + key[1:])[-1].upper()  # apiCacheSizeGb → GB
    members = []
    for value in values:
        member = re.sub(r"\W+", "_", value).upper()
        members.append(f'    {member if member[0].isalpha() else f"{prefix}_{member}"} = "{value}"\n'
                       f'    """``{value}``"""')
    return f'class {name}(str, Enum):\n    """{description}"""\n\n' + "\n".join(members) + "\n"


def write_schema() -> None:
    """The component provider's schema, as Pulumi's analyzer infers it (``multitier._plugin``)."""
    import json

    from multitier._plugin import schema

    SCHEMA_FILE.parent.mkdir(exist_ok=True)
    SCHEMA_FILE.write_text(json.dumps(schema(), indent=2, sort_keys=True) + "\n")


def between_markers(text: str, marker: str, body: str) -> str:
    """``text`` with what lies between ``<!-- marker:start -->`` and ``<!-- marker:end -->`` replaced."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    if start not in text or end not in text:
        raise ValueError(f"markers {start} ... {end} not found")
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


def stack_configs(root: Path = ROOT) -> dict[str, dict[str, Any]]:
    """Each ``Pulumi.<stack>.yaml``'s config block, by stack name."""
    import yaml

    return {p.name.split(".")[1]: (yaml.safe_load(p.read_text()) or {}).get("config") or {}
            for p in sorted(root.glob("Pulumi.*.yaml"))}


def main(root: Path = ROOT) -> None:
    from multitier._declarations import contract

    (root / "Pulumi.yaml").write_text(render_project_file())
    readme = root / "README.md"
    readme.write_text(between_markers(readme.read_text(), "settings", render_settings_table(stack_configs(root))))
    functions_readme = root / "functions" / "README.md"
    functions_readme.write_text(between_markers(functions_readme.read_text(), "environment",
                                                render_environment_table(contract)))
    PATTERN_SETTINGS_FILE.write_text(render_pattern_settings())
    # The analyzer reads the classes as this run's new pattern_settings.py defines them: in a fresh process.
    subprocess.run([sys.executable, "-c", "from multitier._settings.generate import write_schema; write_schema()"],
                   cwd=root, check=True)


if __name__ == "__main__":
    main()
