"""Which inputs replace a resource when they change, per type: the provider's own answer, as data.

``force_new.json`` is extracted from terraform-provider-aws's schemas at the version pulumi-aws
wraps (``python -m multitier._replacement.extract``; its header names the versions and the
method), plus awsx's VPC, the dynamic resources and the provider, each with its source.
``replacement(token)`` reads it; components (``multitier:*``) have no inputs of their own that
replace anything: Pulumi plans their children.
"""

from __future__ import annotations

import functools
import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

DATA = Path(__file__).with_name("force_new.json")
# Dynamic resources and the provider classes whose diff decides what replaces them.
DYNAMIC = {"pulumi-python:dynamic/amplify:Deployment": "multitier._presentation.amplify_hosting:_DeploymentProvider",
           "pulumi-python:dynamic/network:Layout": "multitier._network.layout:_LayoutProvider",
           "pulumi-python:dynamic/release:LambdaDeployment": "multitier._release.deploy:_LambdaDeploymentProvider",
           "pulumi-python:dynamic/release:StageCanary": "multitier._release.deploy:_StageCanaryProvider"}


@dataclass(frozen=True)
class Replacement:
    """What replaces one type: inputs (``a.b`` for nested ones) always, or under a condition the provider checks."""

    kind: str
    replace_on: tuple[str, ...]
    source: str
    replace_if: tuple[str, ...] = ()
    renews: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # awsx: input → outputs it makes new

    def forcing(self, path: str) -> bool:
        """Whether a change at ``path`` (``vpcConfig.subnetIds``) replaces: it or a part of it forces."""
        return any(path == p or path.startswith(p + ".") or p.startswith(path + ".") for p in self.replace_on)

    def conditional(self, path: str) -> bool:
        return any(path == p or path.startswith(p + ".") for p in self.replace_if)

    def replacing(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The ``inputs`` (keyed in snake_case, as Python programs pass them, or camelCase) that replace it."""
        return {key: value for key, value in inputs.items() if camel(key) in self.replace_on}


def camel(snake: str) -> str:
    """A Python argument name as Pulumi names the input (``db_subnet_group_name`` → ``dbSubnetGroupName``)."""
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


COMPONENT = Replacement("component", (), "a component resource has no provider: Pulumi plans its children")


@functools.cache
def _document() -> dict[str, Any]:
    return json.loads(DATA.read_text())


def provenance() -> dict[str, str]:
    """The versions and the method the data was made with."""
    return dict(_document()["provider"])


def known() -> set[str]:
    return set(_document()["types"])


def replacement(token: str) -> Replacement:
    """The replace-on-change data of ``token``; a type without any fails, naming the script."""
    if token.startswith("multitier:"):
        return COMPONENT
    entry = _document()["types"].get(token)
    if entry is None:
        raise KeyError(f"no replace-on-change data for {token}: add its record to local/engine/types.py and run "
                       f"python -m multitier._replacement.extract")
    return Replacement(entry["kind"], tuple(entry["replace_on"]), entry["source"], tuple(entry.get("replace_if", ())),
                       {key: tuple(value) for key, value in entry.get("renews", {}).items()})


def dynamic_providers() -> dict[str, Any]:
    """Each dynamic resource token → its provider class."""
    def load(spec: str) -> Any:
        module, _, name = spec.partition(":")
        return getattr(importlib.import_module(module), name)
    return {token: load(spec) for token, spec in DYNAMIC.items()}
