"""Every setting of both stacks changed once (python -m local plan --sweep): nothing fails halfway, prod loses nothing.

One sweep for the whole run (about two and a half minutes on two cores: the runs are forked from
one that has already run the program); under pytest-xdist the first worker to need it makes it and
another waits for its file.
"""

from __future__ import annotations

import fcntl
import json

import pytest

from local.plan_sweep import END, README, START, sweep, table
from multitier._replacement import replacement
from multitier._settings.model import config_keys


@pytest.fixture(scope="module")
def swept(dev_stack, prod_stack, tmp_path_factory, worker_id) -> dict:
    if worker_id == "master":
        return sweep(baselines={"dev": dev_stack, "prod": prod_stack})
    shared = tmp_path_factory.getbasetemp().parent / "plan-sweep.json"  # the run's, shared by its workers
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shared.is_file():
            shared.write_text(json.dumps(sweep(baselines={"dev": dev_stack, "prod": prod_stack}), default=str))
        return json.loads(shared.read_text())


def results(swept: dict):
    for stack, rows in swept.items():
        for row in rows:
            yield stack, row


def test_every_change_is_valid_and_planned(swept):
    assert {stack: len(rows) for stack, rows in swept.items()} == {"dev": len(config_keys()), "prod": len(config_keys())}
    assert [(stack, row["key"], row["error"]) for stack, row in results(swept) if "error" in row] == []


def test_no_change_fails_halfway(swept):
    failing = [(stack, row["key"], step["name"], step["fails"]) for stack, row in results(swept)
               for step in row["plan"]["steps"] if step.get("fails")]
    assert failing == []


def test_prod_loses_no_data_without_refusing_first(swept):
    # prod keeps its data (dataDeletionProtection): what would lose data stops at the preview
    lost = [(row["key"], step["name"]) for row in swept["prod"] for step in row["plan"]["steps"]
            if step.get("data_loss") and step["action"] != "refused"]
    assert lost == []
    assert all(row["plan"]["exit_code"] == 1 for row in swept["prod"]
               if any(step.get("data_loss") for step in row["plan"]["steps"]))


def test_every_type_a_change_touches_has_replacement_data(swept):
    for _, row in results(swept):
        for step in row["plan"]["steps"]:
            assert replacement(step["type"]).source


@pytest.mark.parametrize("key", ["networkCidr", "networkAzCount", "networkNat"])
def test_a_new_network_layout_is_refused_before_anything_changes(swept, key):
    for stack in ("dev", "prod"):
        plan = next(row["plan"] for row in swept[stack] if row["key"] == key)
        refused = [step for step in plan["steps"] if step["action"] == "refused"]
        assert [step["type"] for step in refused] == ["pulumi-python:dynamic/network:Layout"]
        assert "deploy a new stack with the new layout and move the data" in refused[0]["reason"]


def test_a_new_hosted_ui_prefix_replaces_the_domain_delete_first(swept):
    for stack in ("dev", "prod"):
        plan = next(row["plan"] for row in swept[stack] if row["key"] == "identityDomainPrefix")
        domains = [step for step in plan["steps"] if step["type"] == "aws:cognito/userPoolDomain:UserPoolDomain"]
        assert domains and all(step["action"] == "replace" and step["delete_first"] for step in domains)


def test_the_readmes_table_is_current(swept):
    text = README.read_text()
    assert START in text and END in text
    current = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert current == table(swept), "stale: run python -m local plan --sweep --readme"
