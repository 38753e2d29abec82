"""WAFv2 web ACLs: managed rule groups, a rate rule, rules that act, visibility and logs."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, get, items, resource_rule, stack_rule

PREFIX = "MT-WAF"

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
REQUIRED_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")


@resource_rule("MT-WAF-1", WEB_ACL,
               description="Web ACLs use AWS's core and known-bad-inputs (Log4j) rule groups and a rate-based rule",
               remediation="Include AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet and a "
                           "rate_based_statement rule.")
def managed_and_rate(acl: Resource):
    rules = items(acl.get("rules"))
    managed = {get(r, "statement", "managedRuleGroupStatement", "name") for r in rules}
    for group in REQUIRED_GROUPS:
        if group not in managed:
            yield f"no {group}"
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


@resource_rule("MT-WAF-3", WEB_ACL, description="Every rule acts: no rule or managed rule group in COUNT mode",
               remediation="Give rules action block (or challenge/captcha) and managed groups override_action none; "
                           "count single noisy rules of a group with rule_action_overrides instead.")
def rules_act(acl: Resource):
    for rule in items(acl.get("rules")):
        name = get(rule, "name")
        managed = any(get(rule, "statement", kind) for kind in ("managedRuleGroupStatement",
                                                                "ruleGroupReferenceStatement"))
        action = get(rule, "overrideAction") if managed else get(rule, "action")
        if not action:
            yield f"rule {name} has no {'override action' if managed else 'action'}"
        elif get(action, "count") is not None:
            yield f"{'rule group' if managed else 'rule'} {name} only counts what it matches"


@stack_rule("MT-WAF-4", severity="medium", description="Web ACLs log the requests they see",
            remediation="Add an aws.wafv2.WebAclLoggingConfiguration to a log group named aws-waf-logs-* (or "
                        "Firehose, S3) in the ACL's region (multitier.WebAcl does).")
def logged(stack: Stack):
    logged = {urn for c in stack.of_type(LOGGING) if items(c.get("logDestinationConfigs")) for urn in c.dependencies}
    for acl in stack.of_type(WEB_ACL):
        if acl.urn not in logged:
            yield Finding(acl, "no logging configuration")
