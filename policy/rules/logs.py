"""CloudWatch log groups: retention set, and long enough."""

from __future__ import annotations

from policy.core import Resource, resource_rule
from policy.rules.common import LOG_GROUP

PREFIX = "MT-LOGS"


@resource_rule("MT-LOGS-1", LOG_GROUP, severity="medium", description="Log groups expire their events",
               remediation="Set retention_in_days (never-expiring logs grow cost forever).")
def retention_set(group: Resource):
    if not group.get("retentionInDays"):
        yield "events never expire"


@resource_rule("MT-LOGS-2", LOG_GROUP, severity="low", description="Log groups keep events long enough to investigate",
               remediation="Set retention_in_days to at least params.minDays (lambdaLogRetentionDays, "
                           "apiAccessLogRetentionDays, networkFlowLogRetentionDays).", params={"minDays": 90})
def retention_long_enough(group: Resource, params):
    days = group.get("retentionInDays")
    if days and days < params["minDays"]:
        yield f"kept {days:g} days, fewer than {params['minDays']}"
