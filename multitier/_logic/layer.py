"""Dependency layers: the functions' pinned third-party packages, one Lambda layer per group."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from multitier._logic.bundle import CONSTRAINTS, LayerBuild, build_layer, layer_distributions, layer_requirements
from multitier._logic.function import RUNTIME

_LAYER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,140}$")
BASE_GROUP = "base"


@dataclass
class DependencyLayerArgs:
    """``group`` names ``functions/layers/<group>.txt``; any other group leaves out what the base
    layer carries. ``layer_name`` is account-wide: every stack publishing versions under one
    name shares them, so give each stack its own (``<project>-<stack>-deps-<group>``)."""

    architecture: str
    layer_name: str
    group: str = BASE_GROUP


class DependencyLayer(pulumi.ComponentResource):
    """Built with pip for Lambda's platform at program time, cached by content."""

    def __init__(self, name: str, args: DependencyLayerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:DependencyLayer", name, None, opts)
        if not _LAYER_NAME.match(args.layer_name):
            raise ValueError(f"dependency layer {name}: layer_name {args.layer_name!r} must be 1-140 letters, digits, "
                             f"hyphens and underscores")
        self.build = build_group(args.group, args.architecture)
        self.layer = aws.lambda_.LayerVersion(
            name, layer_name=args.layer_name, code=pulumi.FileArchive(str(self.build.zip_path)),
            compatible_runtimes=[RUNTIME], compatible_architectures=[args.architecture],
            source_code_hash=base64.b64encode(bytes.fromhex(self.build.sha256)).decode(),
            description=f"Pinned dependencies of the functions ({args.group} group)",
            opts=pulumi.ResourceOptions(parent=self))
        self.arn = self.layer.arn
        self.register_outputs({"arn": self.arn, "sha256": self.build.sha256})


def build_group(group: str, architecture: str) -> LayerBuild:
    """The layer of one dependency group for the functions' runtime (cached; see ``build_layer``)."""
    python_version = RUNTIME.removeprefix("python")
    provided: frozenset[str] = frozenset()
    if group != BASE_GROUP:
        provided = frozenset(layer_distributions(build_group(BASE_GROUP, architecture).zip_path))
    return build_layer(layer_requirements(group), architecture, python_version, constraints=CONSTRAINTS,
                       provided=provided)


class ServiceLayers:
    """A stack's dependency layers: ``layers(service)`` gives the ARNs of the groups a service's contract
    declares (``Contract.layers``, base first).

    Each group's layer is registered the first time a service needs it (named
    ``<name>-<group>``, published as ``<layer_prefix>-<group>``), so a stack holds only
    the layers its functions attach.
    """

    def __init__(self, name: str, architecture: str, layer_prefix: str, opts: pulumi.ResourceOptions | None = None):
        self.name, self.architecture, self.layer_prefix, self.opts = name, architecture, layer_prefix, opts
        self.layers: dict[str, DependencyLayer] = {}

    def __call__(self, service: Any) -> list[pulumi.Output[str]]:
        """``service``: a ``Contract`` of ``functions/shared/contract.py``."""
        return [self._layer(group).arn for group in service.layers]

    def _layer(self, group: str) -> DependencyLayer:
        if group not in self.layers:
            self.layers[group] = DependencyLayer(f"{self.name}-{group}", DependencyLayerArgs(
                self.architecture, f"{self.layer_prefix}-{group}", group), opts=self.opts)
        return self.layers[group]
