"""Secrets Manager: rotated, and recoverable after deletion."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, resource_rule, stack_rule

PREFIX = "MT-SEC"

SECRET = "aws:secretsmanager/secret:Secret"


@stack_rule("MT-SEC-1", description="Secrets rotate on a schedule",
            remediation="Add aws.secretsmanager.SecretRotation for the secret (RDS-managed master secrets rotate "
                        "on their own).")
def rotated(stack: Stack):
    rotated = {urn for r in stack.of_type("aws:secretsmanager/secretRotation:SecretRotation") for urn in r.dependencies}
    for secret in stack.of_type(SECRET):
        if secret.urn not in rotated:
            yield Finding(secret, "no rotation")


@resource_rule("MT-SEC-2", SECRET, severity="medium", description="Deleted secrets stay recoverable for a week or more",
               remediation="Set recovery_window_in_days >= 7 (0 deletes at once; allowed in dev).")
def recovery_window(secret: Resource):
    days = secret.get("recoveryWindowInDays", default=30)
    if days < 7:
        yield f"recovery window {days:g} days"
