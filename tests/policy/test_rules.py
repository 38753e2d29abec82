"""Every rule fails on a deliberately broken input, passes on a good one, and never guesses an unknown."""

from __future__ import annotations

import copy
import re
from dataclasses import replace as dataclass_replace
from typing import Any, Iterator

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policy.core import KINDS, SEVERITIES
from policy.rules import RULES
from tests.policy.builders import Spec, build, res
from tests.policy.cases import CASES, STACK_CONFIG

IDS = sorted(RULES)


def evaluate(rule_id: str, specs: list[Spec]):
    stack = build(specs, config=STACK_CONFIG.get(rule_id))
    return RULES[rule_id].evaluate(stack, CASES[rule_id].params)


def test_every_rule_has_a_good_and_a_broken_case():
    assert set(CASES) == set(RULES), f"rules without a case: {sorted(set(RULES) - set(CASES))}"


def test_there_are_at_least_45_security_rules():
    assert sum(rule.kind == "security" for rule in RULES.values()) >= 45


@pytest.mark.parametrize("rule_id", IDS)
def test_rule_has_id_description_severity_and_remediation(rule_id):
    rule = RULES[rule_id]
    assert re.fullmatch(r"MT-[A-Z0-9]+-\d+", rule.id)
    assert rule.severity in SEVERITIES and rule.kind in KINDS
    assert len(rule.description) > 15 and len(rule.remediation) > 15


@pytest.mark.parametrize("rule_id", IDS)
def test_rule_fails_on_broken_input(rule_id):
    findings, unknown = evaluate(rule_id, CASES[rule_id].bad)
    assert findings and not unknown, f"{rule_id} accepted its broken case"
    assert all(f.message for f in findings)


@pytest.mark.parametrize("rule_id", IDS)
def test_rule_passes_on_good_input(rule_id):
    findings, unknown = evaluate(rule_id, CASES[rule_id].good)
    assert not findings and not unknown, [f.message for f in findings]


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, path + (index,))
    else:
        yield path


def _unknown_at(props: dict, path: tuple) -> dict:
    out = copy.deepcopy(props)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = UNKNOWN_STRING_VALUE
    return out


@pytest.mark.parametrize("rule_id", IDS)
def test_unknown_values_never_make_a_violation(rule_id):
    """GIVEN a stack the rule accepts WHEN any one value is unknown (preview) THEN still no violation, no crash."""
    good = CASES[rule_id].good
    for index, spec in enumerate(good):
        for path in _leaves(spec.props):
            specs = copy.deepcopy(good)
            specs[index].props = _unknown_at(spec.props, path)
            findings, _ = evaluate(rule_id, specs)
            assert not findings, f"{rule_id}: unknown {spec.name}.{path} made {[f.message for f in findings]}"


@pytest.mark.parametrize("rule_id", IDS)
def test_missing_keys_do_not_crash(rule_id):
    specs = copy.deepcopy(CASES[rule_id].good + CASES[rule_id].bad)
    for spec in specs:
        spec.props = {}
    findings, unknown = evaluate(rule_id, specs)
    assert isinstance(findings, list) and not unknown


# --- deploy checks whose good/bad pair above cannot show every way they fail or pass -------------------

def test_account_role_check_accepts_a_role_declared_external_and_nothing_else():
    from tests.policy.cases import SETTINGS, STAGE_OK

    logging_without_owner = [STAGE_OK, SETTINGS]
    rule = RULES["MT-DEPLOY-1"]
    assert rule.evaluate(build(logging_without_owner, config={"multitier:apiAccountRole": "external"}))[0] == []
    (finding,) = rule.evaluate(build(logging_without_owner, config={"multitier:apiAccountRole": "manage"}))[0]
    assert finding.resource.name == "api-stage" and "apiAccountRole is not external" in finding.message


def test_engine_upgrade_check_reads_the_instances_too():
    stack = build(CASES["MT-DEPLOY-8"].bad)  # the cluster ignores engineVersion, its instance does not
    findings, _ = RULES["MT-DEPLOY-8"].evaluate(stack)
    assert [f.resource.name for f in findings] == ["db-writer"]


def test_a_fixed_name_must_carry_every_input_that_replaces_it():
    # terraform-provider-aws replaces an ElastiCache user for a new user name, not for a new engine
    user = {"userId": "cache-app-valkey-prod", "userName": "reader", "engine": "valkey"}
    findings, _ = RULES["MT-REPLACE-1"].evaluate(build([res("aws:elasticache/user:User", "cache-user", user),
                                                        res("aws:rds/proxy:Proxy", "db-proxy", {
                                                            "name": "db-proxy", "vpcSubnetIds": ["subnet-1"]})]))
    assert {f.resource.name: "change of userName" in f.message or "change of vpcSubnetIds" in f.message
            for f in findings} == {"cache-user": True, "db-proxy": True}
    carried = {**user, "userName": "cache-app-valkey-prod"}
    assert RULES["MT-REPLACE-1"].evaluate(build([res("aws:elasticache/user:User", "cache-user", carried)]))[0] == []


def test_account_durability_is_not_guessed_when_the_engine_does_not_say():
    # CrossGuard hands no retain_on_delete over: the check leaves it alone (None) rather than guess.
    specs = [dataclass_replace(s, retain=None) for s in CASES["MT-DEPLOY-29"].good]
    assert RULES["MT-DEPLOY-29"].evaluate(build(specs))[0] == []
