"""FileSystem: Amazon EFS, mounted by Lambda functions through one access point.

Encrypted at rest (the AWS managed key, or ``kms_key_arn``), elastic throughput, a
lifecycle policy moving files not read for ``transition_to_ia_days`` to Infrequent Access
(and back on their first read), AWS Backup's daily plan when ``backups`` is on. One mount
target per private subnet, behind a security group with no inline ingress: each function
granted access adds one NFS rule admitting exactly its own group (as Database and Cache).

Every client goes through the access point, which pins the POSIX user (``posix_uid`` /
``posix_gid``) and the root directory (created with ``permissions`` on first use), so a
function never sees the rest of the file system nor acts as root. The file system policy
makes IAM authorization apply (without one, EFS lets any client that reaches a mount target
in), refuses unencrypted transport and root access; the grant allows ``ClientMount`` (and
``ClientWrite``) on this file system only through this access point.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from multitier._iam import Statement, sid
from multitier._logic.link import FileSystemMount, Link, NetworkAccess
from multitier._network.network import Network
from multitier._ops import watch_data
from multitier._ops.watch import Watch

NFS_PORT = 2049
MOUNT_ACTIONS = ("elasticfilesystem:ClientMount",)
WRITE_ACTIONS = ("elasticfilesystem:ClientWrite",)
TRANSITION_DAYS = (1, 7, 14, 30, 60, 90, 180, 270, 365)
_ROOT = re.compile(r"^(/[A-Za-z0-9._-]+)+$")


@dataclass
class FileSystemArgs:
    """Inputs of a FileSystem.

    ``network``: the VPC; the first ``subnet_count`` of its private subnets get a mount
    target (a function reaches the file system only from an availability zone with one, so
    pass the number of zones the functions run in). ``root_directory`` is what clients of the
    access point see as ``/``. ``protect`` makes Pulumi refuse to delete or replace the file
    system (the preview stops before its files are lost).
    """

    network: Network
    subnet_count: int = 2
    root_directory: str = "/data"
    posix_uid: int = 1000
    posix_gid: int = 1000
    permissions: str = "750"
    backups: bool = True
    transition_to_ia_days: int = 30
    kms_key_arn: pulumi.Input[str] | None = None
    protect: bool = True


class FileSystem(pulumi.ComponentResource):
    """An encrypted EFS file system with mount targets in the private subnets and one access point."""

    def __init__(self, name: str, args: FileSystemArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:data:FileSystem", name, None, opts)
        _check(name, args)
        child = pulumi.ResourceOptions(parent=self)
        self._network = args.network

        days = args.transition_to_ia_days
        self.file_system = aws.efs.FileSystem(
            name, encrypted=True, kms_key_id=args.kms_key_arn, performance_mode="generalPurpose",
            throughput_mode="elastic",
            lifecycle_policies=[{"transition_to_ia": f"AFTER_{days}_DAY{'S' if days > 1 else ''}"},
                                {"transition_to_primary_storage_class": "AFTER_1_ACCESS"}],
            tags={"Name": name}, opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        self.backup_policy = aws.efs.BackupPolicy(
            f"{name}-backups", file_system_id=self.file_system.id,
            backup_policy={"status": "ENABLED" if args.backups else "DISABLED"}, opts=child)
        self.policy = aws.efs.FileSystemPolicy(
            f"{name}-policy", file_system_id=self.file_system.id,
            policy=self.file_system.arn.apply(_file_system_policy), opts=child)

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.network.vpc_id,
            description=f"EFS {name}: NFS only from functions granted access", opts=child)
        # One mount target per file system and zone: a new one in the same zone must replace the
        # old one delete-first, or EFS refuses it (MountTargetConflict).
        self.mount_targets = [aws.efs.MountTarget(
            f"{name}-mount-{index}", file_system_id=self.file_system.id,
            subnet_id=args.network.private_subnet_ids.apply(lambda ids, i=index: _subnet(name, ids, i)),
            security_groups=[self.security_group.id],
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True)) for index in range(args.subnet_count)]
        self.access_point = aws.efs.AccessPoint(
            f"{name}-access-point", file_system_id=self.file_system.id,
            posix_user={"uid": args.posix_uid, "gid": args.posix_gid},
            root_directory={"path": args.root_directory, "creation_info": {
                "owner_uid": args.posix_uid, "owner_gid": args.posix_gid, "permissions": args.permissions}},
            tags={"Name": f"{name}{args.root_directory}"}, opts=child)

        self.arn = self.file_system.arn
        self.access_point_arn = self.access_point.arn
        self.register_outputs({"arn": self.arn, "id": self.file_system.id, "access_point_arn": self.access_point_arn,
                               "security_group_id": self.security_group.id})

    def watch(self) -> Watch:
        """Client connections, I/O and permitted throughput."""
        return watch_data.file_system(self.pulumi_resource_name, self.file_system.id)

    def grant(self, env: str, mount_path: str, write: bool = True) -> Link:
        """Mount the access point at ``mount_path`` (its path in ``env``); read-only unless ``write``.

        ``ClientMount`` (+ ``ClientWrite``) on this file system, only through this access
        point; NFS from the function's security group; the function joins the private
        subnets and is created once the mount targets exist.
        """
        actions = [*MOUNT_ACTIONS, *(WRITE_ACTIONS if write else ())]
        return Link(
            statements=[Statement(actions, [self.arn], sid("Efs", env, "readwrite" if write else "read"),
                                  conditions={"StringEquals": {
                                      "elasticfilesystem:AccessPointArn": self.access_point_arn}})],
            env={env: mount_path},
            network=NetworkAccess(vpc_id=self._network.vpc_id, subnet_ids=self._network.private_subnet_ids,
                                  security_group_id=self.security_group.id, port=NFS_PORT,
                                  description=f"NFS {self.pulumi_resource_name}"),
            file_system=FileSystemMount(self.access_point_arn, mount_path, self.mount_targets))


def _check(name: str, args: FileSystemArgs) -> None:
    if args.transition_to_ia_days not in TRANSITION_DAYS:
        raise ValueError(f"file system {name}: transition_to_ia_days {args.transition_to_ia_days} must be one of "
                         f"{TRANSITION_DAYS}")
    if not _ROOT.match(args.root_directory):
        raise ValueError(f"file system {name}: root_directory {args.root_directory!r} must be an absolute path "
                         f"of letters, digits, '.', '_' and '-' (not '/')")
    if not re.fullmatch(r"[0-7]{3,4}", args.permissions):
        raise ValueError(f"file system {name}: permissions {args.permissions!r} must be octal, e.g. 750")
    if args.posix_uid == 0 or args.posix_gid == 0:
        raise ValueError(f"file system {name}: clients must not act as root (posix_uid/posix_gid 0)")
    if args.subnet_count < 1:
        raise ValueError(f"file system {name}: subnet_count must be at least 1")


def _subnet(name: str, ids: list[str], index: int) -> str:
    if index >= len(ids):
        raise ValueError(f"file system {name}: a mount target for private subnet {index + 1}, but the network has "
                         f"{len(ids)}")
    return ids[index]


def _file_system_policy(arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite",
                    "elasticfilesystem:ClientRootAccess"],
         "Resource": arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DenyRootAccess", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": "elasticfilesystem:ClientRootAccess", "Resource": arn}]}, sort_keys=True)
