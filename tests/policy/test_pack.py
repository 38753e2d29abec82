"""The CrossGuard wrapper's translation (never PolicyPack itself: constructing it starts a server and blocks)."""

from __future__ import annotations

import json

from pulumi_policy import (EnforcementLevel, PolicyCustomTimeouts, PolicyProviderResource, PolicyResource,
                           PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs,
                           StackValidationPolicy)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policy import pack
from policy.rules import RULES
from tests.policy.cases import CASES


def options(**values) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect=False, ignore_changes=values.get("ignore_changes", []),
                                 delete_before_replace=values.get("delete_before_replace"), aliases=[],
                                 custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[],
                                 parent=values.get("parent"))


def resource_args(rule_id: str, which: str = "bad", config=None) -> ResourceValidationArgs:
    spec = getattr(CASES[rule_id], which)[0]
    provider = PolicyProviderResource("pulumi:providers:aws", unknown_checking_proxy({"region": "us-east-1"}),
                                      "urn:provider", "aws")
    return ResourceValidationArgs(spec.type, unknown_checking_proxy(spec.props), f"urn:{spec.name}", spec.name,
                                  options(), provider, config)


def collect():
    reported = []
    return reported, lambda message, urn=None: reported.append((message, urn))


def test_every_rule_becomes_a_policy_of_its_kind():
    policies = {p.name: p for p in pack.policies()}
    assert set(policies) == set(RULES)
    for rule_id, rule in RULES.items():
        expected = StackValidationPolicy if rule.is_stack_rule else ResourceValidationPolicy
        assert isinstance(policies[rule_id], expected) and policies[rule_id].remediation_steps == rule.remediation


def test_a_resource_policy_reports_the_broken_resource_and_passes_the_good_one():
    policy = next(p for p in pack.policies() if p.name == "MT-LAMBDA-2")
    reported, report = collect()
    policy.validate(resource_args("MT-LAMBDA-2"), report)
    assert reported and "PassThrough" in reported[0][0]
    reported, report = collect()
    policy.validate(resource_args("MT-LAMBDA-2", "good"), report)
    assert not reported


def test_unknown_values_in_preview_are_not_violations():
    args = resource_args("MT-LAMBDA-2")
    args.props = unknown_checking_proxy({"tracingConfig": {"mode": UNKNOWN_STRING_VALUE}})
    reported, report = collect()
    next(p for p in pack.policies() if p.name == "MT-LAMBDA-2").validate(args, report)
    assert not reported


def test_a_reasoned_suppression_from_the_pack_config_silences_the_policy():
    config = {"suppressions": [{"resource": "fn", "reason": "a trace-free batch function"}]}
    reported, report = collect()
    next(p for p in pack.policies() if p.name == "MT-LAMBDA-2").validate(resource_args("MT-LAMBDA-2", config=config),
                                                                          report)
    assert not reported
    reported, report = collect()
    config = {"suppressions": [{"resource": "fn"}]}
    next(p for p in pack.policies() if p.name == "MT-LAMBDA-2").validate(resource_args("MT-LAMBDA-2", config=config),
                                                                          report)
    assert any("has no reason" in message for message, _ in reported)


def test_a_stack_policy_sees_parents_dependencies_and_the_urn_of_the_culprit():
    specs = CASES["MT-DEPLOY-7"].bad
    resources = {s.name: PolicyResource(s.type, unknown_checking_proxy(s.props), f"urn:{s.name}", s.name, options(),
                                        None, None, [], {}) for s in specs}
    for s in specs:
        resources[s.name].dependencies = [resources[d] for d in s.deps if d in resources]
    args = StackValidationArgs(list(resources.values()), {})
    stack = pack.stack_from_args(args, environ={"PULUMI_STACK": "prod", "PULUMI_CONFIG": json.dumps(
        {"aws:region": "us-east-1", "aws:allowedAccountIds": "[\"1\"]", "multitier:x": "y"})})
    assert stack.name == "prod" and stack.aws_settings == {"region": "us-east-1", "allowedAccountIds": "[\"1\"]"}
    assert stack.by_urn("urn:perm").dependencies == ("urn:fn",)
    reported, report = collect()
    next(p for p in pack.policies() if p.name == "MT-DEPLOY-7").validate(args, report)
    assert reported == [("perm: qualifier 'live' names an alias it does not depend on", "urn:perm")]


def test_the_initial_config_carries_each_stack_levels_and_parameters():
    dev, prod = pack.initial_config("dev"), pack.initial_config("prod")
    assert dev["MT-DDB-3"]["enforcementLevel"] is EnforcementLevel.ADVISORY
    assert prod["MT-DDB-3"]["enforcementLevel"] is EnforcementLevel.MANDATORY
    assert dev["MT-COST-1"]["monthlyBudgetUsd"] < prod["MT-COST-1"]["monthlyBudgetUsd"]
    assert pack.initial_config("staging") == prod  # an unknown stack gets the strictest config


def test_config_schemas_declare_suppressions_and_parameters():
    schema = pack.config_schema(RULES["MT-COST-1"]).properties
    assert schema["monthlyBudgetUsd"] == {"type": "number"} and "suppressions" in schema and "why" in schema
