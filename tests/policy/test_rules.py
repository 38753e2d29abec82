"""Every rule fails on a deliberately broken input, passes on a good one, and never guesses an unknown."""

from __future__ import annotations

import copy
import re
from typing import Any, Iterator

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

import policy.rules  # noqa: F401  (registers every rule)
from policy.core import KINDS, RULES, SEVERITIES
from tests.policy.builders import Spec, build
from tests.policy.cases import CASES, STACK_AWS

IDS = sorted(RULES)


def evaluate(rule_id: str, specs: list[Spec]):
    stack = build(specs, aws=STACK_AWS.get(rule_id))
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
