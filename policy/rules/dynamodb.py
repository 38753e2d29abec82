"""DynamoDB tables: on-demand, encrypted, recoverable, protected."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, resource_rule, stack_rule

PREFIX = "MT-DDB"

TABLE = "aws:dynamodb/table:Table"
SCALING_TARGET = "aws:appautoscaling/target:Target"


def _scaled(stack: Stack) -> set[str]:
    return {urn for t in stack.of_type(SCALING_TARGET) if t.get("serviceNamespace") == "dynamodb"
            for urn in t.dependencies}


@stack_rule("MT-DDB-1", severity="medium",
            description="Tables bill on demand, or scale provisioned capacity automatically",
            remediation="Set billing_mode='PAY_PER_REQUEST', or give a provisioned table aws.appautoscaling targets "
                        "and policies (fixed capacity throttles the first busy evening).")
def capacity_follows_load(stack: Stack):
    scaled = _scaled(stack)
    for table in stack.of_type(TABLE):
        if table.get("billingMode") != "PAY_PER_REQUEST" and table.urn not in scaled:
            yield Finding(table, f"billing mode {table.get('billingMode') or 'PROVISIONED (default)'} without "
                                 f"auto scaling")


@resource_rule("MT-DDB-5", TABLE, severity="low", level="advisory",
               description="Tables bill on demand (provisioned capacity, even auto-scaled, is a cost trade-off)",
               remediation="Set billing_mode='PAY_PER_REQUEST' unless a steady load makes provisioned capacity "
                           "cheaper.")
def on_demand(table: Resource):
    if table.get("billingMode") != "PAY_PER_REQUEST":
        yield f"billing mode {table.get('billingMode') or 'PROVISIONED (default)'}"


@resource_rule("MT-DDB-2", TABLE, severity="medium", description="Tables are encrypted with a KMS key",
               remediation="Set server_side_encryption={'enabled': True} (AWS managed or own key).")
def encrypted(table: Resource):
    if not table.get("serverSideEncryption", "enabled"):
        yield "server-side encryption with KMS is off (AWS owned key only)"


@resource_rule("MT-DDB-3", TABLE, description="Tables have point-in-time recovery",
               remediation="Set point_in_time_recovery={'enabled': True} (dataPointInTimeRecovery).")
def pitr(table: Resource):
    if not table.get("pointInTimeRecovery", "enabled"):
        yield "point-in-time recovery is off"


@resource_rule("MT-DDB-4", TABLE, description="Tables have deletion protection",
               remediation="Set deletion_protection_enabled=True (dataDeletionProtection).")
def deletion_protection(table: Resource):
    if not table.get("deletionProtectionEnabled"):
        yield "deletion protection is off"
