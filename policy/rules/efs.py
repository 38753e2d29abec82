"""EFS: encrypted, backed up, reached over TLS only, through access points with their own user and folder."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, resource_rule, stack_rule
from policy.rules.documents import denies_insecure_transport

PREFIX = "MT-EFS"

FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
FILE_SYSTEM_POLICY = "aws:efs/fileSystemPolicy:FileSystemPolicy"
ACCESS_POINT = "aws:efs/accessPoint:AccessPoint"


@resource_rule("MT-EFS-1", FILE_SYSTEM, description="File systems are encrypted at rest",
               remediation="Set encrypted=True (optionally with kms_key_id).")
def encrypted(fs: Resource):
    if not fs.get("encrypted"):
        yield "not encrypted"


@stack_rule("MT-EFS-2", severity="medium", description="File systems are backed up",
            remediation="Add aws.efs.BackupPolicy(backup_policy={'status': 'ENABLED'}) for each file system.")
def backed_up(stack: Stack):
    enabled = {urn for p in stack.of_type("aws:efs/backupPolicy:BackupPolicy")
               if p.get("backupPolicy", "status") == "ENABLED" for urn in p.dependencies}
    for fs in stack.of_type(FILE_SYSTEM):
        if fs.urn not in enabled:
            yield Finding(fs, "no enabled backup policy")


@stack_rule("MT-EFS-3", description="File-system policies deny clients that do not use TLS",
            remediation="Add an aws.efs.FileSystemPolicy denying elasticfilesystem:Client* to '*' when "
                        "aws:SecureTransport is false (multitier.FileSystem does).")
def tls_only(stack: Stack):
    enforced = {urn for p in stack.of_type(FILE_SYSTEM_POLICY) if denies_insecure_transport(p.get("policy"))
                for urn in p.dependencies}
    for fs in stack.of_type(FILE_SYSTEM):
        if fs.urn not in enforced:
            yield Finding(fs, "no file-system policy denying clients without TLS")


@resource_rule("MT-EFS-4", ACCESS_POINT, severity="medium",
               description="Access points enforce a POSIX user and a root directory of their own",
               remediation="Set posix_user (uid, gid) and root_directory with a path below '/' and creation_info.")
def access_point_scoped(point: Resource):
    if point.get("posixUser", "uid") is None:
        yield "no POSIX user: clients act as whoever they claim to be"
    if str(point.get("rootDirectory", "path") or "/").rstrip("/") == "":
        yield "the root directory is the file system's root"
