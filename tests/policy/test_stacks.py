"""The rules over what the offline engine records for dev and prod, and the check command."""

from __future__ import annotations

import json
import re

import pytest

from policy import cli, enforce, recorded


def test_recorded_props_are_the_inputs_with_pulumi_autonames(dev):
    function = next(r for r in dev.of_type("aws:lambda/function:Function") if r.name == "web-app-browse")
    name, generated = function.physical_name()
    assert generated and name.startswith("web-app-browse-") and function.get("runtime") == "python3.14"
    proxy_like = next(r for r in dev.of_type("aws:elasticache/user:User"))
    assert proxy_like.physical_name("userId")[1] is False  # a fixed id stays fixed


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_rule_reads_the_stack_without_unknowns(request, stack):
    report = enforce.run(request.getfixturevalue(stack), enforce.load(stack))
    assert not report.unevaluated


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_has_no_mandatory_violations(request, stack):
    """The message lists every open violation."""
    report = enforce.run(request.getfixturevalue(stack), enforce.load(stack))
    assert not report.mandatory, "\n".join(f"{v.rule.id} {v.resource}: {v.message}" for v in report.mandatory)


def test_dev_relaxes_only_what_its_config_declares(dev):
    report = enforce.run(dev, enforce.load("dev"))
    security = {v.rule.id for v in report.mandatory if v.rule.kind == "security"}
    assert not security, sorted(security)


def test_check_prints_a_table_and_exits_non_zero_on_mandatory_violations(monkeypatch, capsys, dev):
    monkeypatch.setattr(recorded, "record", lambda stack: dev)
    assert cli.run_check(cli_args(stack="dev")) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["ID", "LEVEL", "RESOURCE", "MESSAGE", "REMEDIATION"]
    assert re.search(r"^MT-DDB-3\s+advisory\s+mobile-backend-shows\s", out, re.M)
    assert re.search(r"^dev: 0 mandatory, [1-9][0-9]* advisory", out, re.M)
    # GIVEN dev held to prod's enforcement, where what dev relaxes is mandatory
    load = enforce.load
    monkeypatch.setattr(enforce, "load", lambda stack: load("prod"))
    assert cli.run_check(cli_args(stack="dev")) == 1
    out = capsys.readouterr().out
    assert re.search(r"^MT-DDB-3\s+mandatory\s+mobile-backend-shows\s", out, re.M)
    assert re.search(r"^dev: [1-9][0-9]* mandatory", out, re.M)


def test_check_json_lists_each_violation_with_its_remediation(monkeypatch, capsys, prod):
    monkeypatch.setattr(recorded, "record", lambda stack: prod)
    cli.run_check(cli_args(stack="prod", json=True))
    result = json.loads(capsys.readouterr().out)
    assert result["stack"] == "prod" and result["mandatory"] == sum(
        v["level"] == "mandatory" and "suppressed" not in v for v in result["violations"])
    assert all({"id", "resource", "message", "remediation", "level"} <= set(v) for v in result["violations"])


def test_check_list_prints_every_rule_once(capsys):
    from policy.rules import RULES

    assert cli.run_check(cli_args(list=True)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(RULES) and all(len(line.split("\t")) == 3 for line in lines)


def cli_args(**values):
    import argparse

    return argparse.Namespace(**{"stack": None, "json": False, "list": False, **values})
