"""DependencyLayer: the functions' pinned third-party packages as one Lambda layer."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.logic.bundle import FUNCTIONS_DIR, build_layer
from components.logic.function import RUNTIME

_LAYER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,140}$")


@dataclass
class DependencyLayerArgs:
    """``layer_name`` is account-wide: every stack publishing versions under one name shares
    them, so give each stack its own (``<project>-<stack>-deps``)."""

    architecture: str
    layer_name: str
    requirements: Path = FUNCTIONS_DIR / "requirements.txt"


class DependencyLayer(pulumi.ComponentResource):
    """Built with pip for Lambda's platform at program time, cached by content."""

    def __init__(self, name: str, args: DependencyLayerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:DependencyLayer", name, None, opts)
        if not _LAYER_NAME.match(args.layer_name):
            raise ValueError(f"dependency layer {name}: layer_name {args.layer_name!r} must be 1-140 letters, digits, "
                             f"hyphens and underscores")
        python_version = RUNTIME.removeprefix("python")
        self.build = build_layer(args.requirements, args.architecture, python_version)
        self.requirements = args.requirements
        self.layer = aws.lambda_.LayerVersion(
            name, layer_name=args.layer_name, code=pulumi.FileArchive(str(self.build.zip_path)),
            compatible_runtimes=[RUNTIME], compatible_architectures=[args.architecture],
            source_code_hash=base64.b64encode(bytes.fromhex(self.build.sha256)).decode(),
            description=f"Pinned dependencies of the functions ({args.requirements.name})",
            opts=pulumi.ResourceOptions(parent=self))
        self.arn = self.layer.arn
        self.register_outputs({"arn": self.arn, "sha256": self.build.sha256})
