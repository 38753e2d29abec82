"""The mutation harness: every catch is caught by its named mandatory rule, no secure variant draws one.

Each stack is recorded once per session (``dev``/``prod`` fixtures); a mutation changes a
copy of the recording, so the program never runs again here.
"""

from __future__ import annotations

from collections import Counter

import pytest

from policy import enforce
from policy.rules import RULES
from tests.policy.mutation import mandatory, run
from tests.policy.mutations import CATCHES, SECURE

KINDS = ("wildcards", "public", "same-setting", "secrets", "new-areas", "limits")


@pytest.fixture(scope="module")
def baselines(dev, prod):
    """Per stack: the recording, its config and its mandatory violations before any mutation (none)."""
    out = {}
    for name, stack in (("dev", dev), ("prod", prod)):
        configs = enforce.load(name)
        out[name] = stack, configs, mandatory(stack, configs, RULES)
    return out


def test_the_harness_is_large_and_covers_every_class():
    assert len(CATCHES) >= 150 and len(SECURE) >= 40
    assert len({m.id for m in CATCHES + SECURE}) == len(CATCHES + SECURE), "mutation ids must be unique"
    kinds = Counter(m.kind for m in CATCHES)
    assert all(kinds[kind] >= 10 for kind in KINDS), kinds
    assert {m.kind for m in SECURE} >= {*KINDS, "severity"}


def test_every_named_rule_exists_and_is_mandatory_in_its_stack(baselines):
    for mutation in CATCHES:
        assert mutation.rule in RULES, f"{mutation.id}: no rule {mutation.rule}"
        _, configs, _ = baselines[mutation.stack]
        assert configs[mutation.rule].level == "mandatory", f"{mutation.id}: {mutation.rule} is not mandatory"


def test_both_stacks_start_clean(baselines):
    assert {name: sorted(found) for name, (_, _, found) in baselines.items() if found} == {}


@pytest.mark.parametrize("mutation", CATCHES, ids=[m.id for m in CATCHES])
def test_catch(mutation, baselines):
    stack, configs, baseline = baselines[mutation.stack]
    outcome = run(mutation, stack, configs, {mutation.rule: RULES[mutation.rule]}, baseline)
    assert not outcome.error, outcome.error
    assert outcome.caught, f"{mutation.rule} did not catch it"


@pytest.mark.parametrize("mutation", SECURE, ids=[m.id for m in SECURE])
def test_secure_variant(mutation, baselines):
    stack, configs, baseline = baselines[mutation.stack]
    outcome = run(mutation, stack, configs, RULES, baseline)
    assert outcome.clean, outcome.error or "; ".join(outcome.messages)
