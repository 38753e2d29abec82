"""Per-stack enforcement: levels, parameters and cdk-nag style suppressions that must say why."""

from __future__ import annotations

import json

import pytest

from policy import enforce
from policy.rules import RULES
from tests.policy.builders import build
from tests.policy.cases import CASES


def test_unknown_rule_ids_and_levels_are_named():
    with pytest.raises(enforce.ConfigError, match="MT-NOPE-1"):
        enforce.parse({"MT-NOPE-1": "advisory"})
    with pytest.raises(enforce.ConfigError, match="MT-S3-1 has enforcement level 'strict'"):
        enforce.parse({"MT-S3-1": "strict"})
    with pytest.raises(enforce.ConfigError, match="has no parameters \\['budget'\\]"):
        enforce.parse({"MT-COST-1": {"budget": 1}})


def test_levels_default_to_all_and_rule_entries_override():
    configs = enforce.parse({"all": "advisory", "MT-S3-1": "mandatory", "MT-COST-1": {"monthlyBudgetUsd": 9}})
    assert configs["MT-S3-1"].level == "mandatory" and configs["MT-DDB-1"].level == "advisory"
    assert configs["MT-COST-1"].params == {"monthlyBudgetUsd": 9}


def _run(rule_id: str, entry) -> enforce.Report:
    configs = enforce.parse({rule_id: entry})
    return enforce.run(build(CASES[rule_id].bad), configs, {rule_id: RULES[rule_id]})


def test_a_reasoned_suppression_marks_the_violation():
    report = _run("MT-DDB-3", {"suppressions": [{"resource": "tab*", "reason": "scratch table, rebuilt nightly"}]})
    assert [v.suppressed for v in report.violations] == ["scratch table, rebuilt nightly"]
    assert not report.mandatory


def test_a_suppression_without_a_reason_is_itself_a_violation_and_suppresses_nothing():
    report = _run("MT-DDB-3", {"suppressions": [{"resource": "table", "reason": "  "}]})
    messages = [v.message for v in report.mandatory]
    assert len(messages) == 2 and "has no reason" in messages[0] and "point-in-time" in messages[1]


def test_disabled_rules_do_not_run_and_advisory_ones_do_not_block():
    assert not _run("MT-DDB-3", "disabled").violations
    report = _run("MT-DDB-3", "advisory")
    assert report.open and not report.mandatory


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stack_configs_load_and_every_exception_says_why(stack):
    enforce.load(stack)
    raw = json.loads(enforce.config_path(stack).read_text())
    lowered = [k for k, v in raw.items() if isinstance(v, dict) and v.get("enforcementLevel") in ("advisory", "disabled")]
    assert all(raw[k].get("why") for k in lowered)


def test_prod_enforces_what_dev_may_relax():
    dev, prod = enforce.load("dev"), enforce.load("prod")
    relaxed = [k for k, c in dev.items() if c.level != "mandatory"]
    assert relaxed and all(prod[k].level == "mandatory" for k in relaxed if RULES[k].level == "mandatory")


def test_a_missing_config_names_the_file():
    with pytest.raises(FileNotFoundError, match="config.staging.json"):
        enforce.load("staging")
