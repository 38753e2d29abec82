"""Links: what a data or identity component hands a function it grants access to.

A component never edits a function's role or environment from the outside; it
returns a ``Link`` (exact IAM statements, environment variables, network access)
and the function applies every link it is given when it is created. This keeps
each function's role, environment and security group in one place and lets the
policy be complete before the function exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pulumi

from multitier._iam import Statement


@dataclass(frozen=True)
class NetworkAccess:
    """The function must run in these subnets and reach a security group on a port.

    The function creates the matching egress rule on its own group and the
    ingress rule on the target's group, so the target admits exactly the
    functions it was granted to and nothing else.
    """

    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    port: int
    description: str


@dataclass(frozen=True)
class FileSystemMount:
    """An EFS access point the function mounts at ``local_mount_path`` (``/mnt/...``).

    The function is created after ``mount_targets``: Lambda refuses a file system
    configuration while no mount target is available.
    """

    access_point_arn: pulumi.Input[str]
    local_mount_path: str
    mount_targets: Sequence[pulumi.Resource] = ()


@dataclass(frozen=True)
class Link:
    """Permissions, environment, network access and a file system mount granted to one function."""

    statements: Sequence[Statement] = ()
    env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    network: NetworkAccess | None = None
    file_system: FileSystemMount | None = None
