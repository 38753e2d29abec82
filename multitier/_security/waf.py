"""WebAcl: a WAFv2 web ACL with AWS managed rule groups and a per-IP rate rule, logging what it sees.

Its type token stays ``multitier:logic:WebAcl`` (where it was first defined): the
token is part of every URN below it, and a new one would replace deployed ACLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from multitier._ops import watch_edge
from multitier._ops.watch import Tier, Watch

MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                       "AWSManagedRulesAmazonIpReputationList")


@dataclass
class WebAclArgs:
    """``scope`` CLOUDFRONT must be created through a us-east-1 provider (pass it in opts). The ACL logs
    every request it sees to a log group of its own, kept ``log_retention_days``."""

    scope: Literal["REGIONAL", "CLOUDFRONT"]
    rate_limit: int = 2000
    log_retention_days: int = 90


def _visibility(metric: str) -> dict:
    return {"cloudwatch_metrics_enabled": True, "sampled_requests_enabled": True, "metric_name": metric}


class WebAcl(pulumi.ComponentResource):
    """Managed rules (common, known bad inputs, IP reputation) then a rate-based block."""

    def __init__(self, name: str, args: WebAclArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:WebAcl", name, None, opts)
        rules = [{
            "name": group, "priority": index,
            "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": group}},
            "visibility_config": _visibility(f"{name}-{group}"),
        } for index, group in enumerate(MANAGED_RULE_GROUPS)]
        rules.append({
            "name": "rate-limit-per-ip", "priority": len(MANAGED_RULE_GROUPS),
            "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": args.rate_limit, "aggregate_key_type": "IP"}},
            "visibility_config": _visibility(f"{name}-rate"),
        })
        self.acl = aws.wafv2.WebAcl(
            name, scope=args.scope, default_action={"allow": {}}, rules=rules,
            description=f"Managed rule groups and a rate limit of {args.rate_limit} requests/5 min per IP",
            visibility_config=_visibility(name), opts=pulumi.ResourceOptions(parent=self))
        # WAF delivers to CloudWatch Logs only into groups named aws-waf-logs-*, in the ACL's region
        # (the children share the component's provider: us-east-1 for CLOUDFRONT).
        self.logs = aws.cloudwatch.LogGroup(f"{name}-logs", name_prefix=f"aws-waf-logs-{name}-",
                                            retention_in_days=args.log_retention_days,
                                            opts=pulumi.ResourceOptions(parent=self))
        # An ACL has one logging configuration: a new log group replaces it delete-first.
        self.logging = aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging", resource_arn=self.acl.arn, log_destination_configs=[self.logs.arn],
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True))
        self.arn = self.acl.arn
        self._cloudfront = args.scope == "CLOUDFRONT"
        self.register_outputs({"arn": self.arn})

    def watch(self, region: str, tier: Tier) -> Watch:
        """Requests allowed and blocked, drawn in ``tier`` (where what it protects is)."""
        return watch_edge.web_acl(self.pulumi_resource_name, self.pulumi_resource_name, region,
                                  cloudfront=self._cloudfront, tier=tier)
