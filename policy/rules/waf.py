"""WAFv2 web ACLs: managed rule groups, a rate rule, and visibility."""

from __future__ import annotations

from policy.core import Resource, get, items, resource_rule

PREFIX = "MT-WAF"

WEB_ACL = "aws:wafv2/webAcl:WebAcl"


@resource_rule("MT-WAF-1", WEB_ACL, description="Web ACLs use AWS managed rule groups and a rate-based rule",
               remediation="Include AWSManagedRulesCommonRuleSet and a rate_based_statement rule.")
def managed_and_rate(acl: Resource):
    rules = items(acl.get("rules"))
    managed = {get(r, "statement", "managedRuleGroupStatement", "name") for r in rules}
    if "AWSManagedRulesCommonRuleSet" not in managed:
        yield "no AWSManagedRulesCommonRuleSet"
    if not any(get(r, "statement", "rateBasedStatement") for r in rules):
        yield "no rate-based rule"


@resource_rule("MT-WAF-2", WEB_ACL, severity="low", description="Web ACLs publish metrics and sample requests",
               remediation="Set visibility_config cloudwatch_metrics_enabled and sampled_requests_enabled on the ACL "
                           "and on each rule.")
def visible(acl: Resource):
    for owner, config in [("the ACL", acl.get("visibilityConfig"))] + [
            (f"rule {get(r, 'name')}", get(r, "visibilityConfig")) for r in items(acl.get("rules"))]:
        if not (get(config, "cloudwatchMetricsEnabled") and get(config, "sampledRequestsEnabled")):
            yield f"{owner} hides its metrics or samples"
