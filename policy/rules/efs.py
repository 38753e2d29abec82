"""EFS (named by the whitepaper, used by no pattern yet): encrypted and backed up."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, resource_rule, stack_rule

PREFIX = "MT-EFS"

FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"


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
