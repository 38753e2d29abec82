"""python -m local plan: each resource's step between two runs of a program, offline."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from local import engine
from local.__main__ import main
from local.plan import Plan, steps

TABLE = "aws:dynamodb/table:Table"


def recording(program) -> engine.Recording:
    return engine.run(program)


def table(hash_key: str = "id", protect: bool = False, retain: bool = False):
    def program():
        aws.dynamodb.Table("shows", hash_key=hash_key, attributes=[{"name": hash_key, "type": "S"}],
                           billing_mode="PAY_PER_REQUEST",
                           opts=pulumi.ResourceOptions(protect=protect, retain_on_delete=retain))
    return program


def by_name(found) -> dict:
    return {step.name: step for step in found}


def test_an_input_the_provider_replaces_for_is_named_and_the_data_loss_marked():
    step = by_name(steps(recording(table("id")), recording(table("pk"))))["shows"]
    assert step.action == "replace" and "hashKey" in step.forced_by
    assert step.data_loss.startswith("DynamoDB: the table's items")


def test_a_protected_resource_is_refused_and_the_plan_exits_non_zero():
    found = steps(recording(table("id", protect=True)), recording(table("pk", protect=True)))
    assert by_name(found)["shows"].action == "refused" and "protected" in by_name(found)["shows"].reason
    assert Plan("prod", {}, found, protected=True).exit_code == 1


def test_data_loss_stops_only_a_stack_that_keeps_its_data():
    found = steps(recording(table("id")), recording(table("pk")))
    assert Plan("dev", {}, found, protected=False).exit_code == 0
    assert Plan("prod", {}, found, protected=True).exit_code == 1


def test_a_retained_resource_is_left_in_the_account_on_delete():
    step = by_name(steps(recording(table(retain=True)), recording(lambda: None)))["shows"]
    assert step.action == "delete" and step.retained and not step.data_loss


def network_program(vpc: str, delete_first: bool = False):
    def program():
        group = aws.ec2.SecurityGroup("db-sg", vpc_id=vpc, description="database")
        aws.vpc.SecurityGroupIngressRule("db-in", security_group_id=group.id, ip_protocol="tcp", from_port=5432,
                                         to_port=5432, cidr_ipv4="10.0.0.0/16")
        aws.efs.MountTarget("mount", file_system_id="fs-0123456789", subnet_id=f"subnet-of-{vpc}",
                            opts=pulumi.ResourceOptions(delete_before_replace=delete_first))
    return program


def test_what_takes_a_replaced_resources_new_id_is_replaced_when_that_input_forces_it():
    found = by_name(steps(recording(network_program("vpc-aaaaaaaa1")), recording(network_program("vpc-bbbbbbbb2"))))
    assert found["db-sg"].action == "replace" and found["db-sg"].forced_by == ["vpcId"]
    rule = found["db-in"]  # its inputs are the same in both runs: it follows the group's replacement
    assert rule.action == "replace" and rule.forced_by == ["securityGroupId"] and rule.because == ["db-sg"]


def test_a_second_of_what_a_parent_holds_one_of_fails_unless_deleted_first():
    found = by_name(steps(recording(network_program("vpc-aaaaaaaa1")), recording(network_program("vpc-bbbbbbbb2"))))
    assert "MountTargetConflict" in found["mount"].fails
    assert Plan("dev", {}, list(found.values()), protected=False).exit_code == 1
    first = by_name(steps(recording(network_program("vpc-aaaaaaaa1", True)),
                          recording(network_program("vpc-bbbbbbbb2", True))))["mount"]
    assert first.action == "replace" and first.delete_first and not first.fails


def test_the_network_layout_refuses_a_new_cidr():
    from multitier._network.network import Network, NetworkArgs

    def network(cidr: str):
        return lambda: Network("net", NetworkArgs(cidr=cidr))

    found = by_name(steps(recording(network("10.20.0.0/16")), recording(network("10.30.0.0/16"))))
    assert found["net-layout"].action == "refused" and "cannot change from 10.20.0.0/16" in found["net-layout"].reason
    assert found["net"].action == "replace" and found["net"].forced_by == ["cidrBlock"]


def test_the_command_plans_a_setting_of_a_stack_as_json(capsys):
    assert main(["plan", "--stack", "dev", "--set", "lambdaMemoryMb=512", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["changes"] == {"multitier:lambdaMemoryMb": [256, 512]} and result["exit_code"] == 0
    assert {s["type"] for s in result["steps"]} == {"aws:lambda/function:Function"}
    assert all(s["action"] == "update" and s["inputs"] == ["memorySize"] for s in result["steps"])


def test_the_command_refuses_a_bad_setting_by_name(capsys):
    assert main(["plan", "--stack", "dev", "--set", "networkAzCount=9"]) == 2
    assert "multitier:networkAzCount = '9': Input should be less than or equal to 3" in capsys.readouterr().err


def test_the_command_needs_a_change(capsys):
    assert main(["plan", "--stack", "dev"]) == 2
    assert "at least one --set KEY=VALUE" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["plan", "--stack", "dev", "--set", "nokey"])
    assert "must be KEY=VALUE" in capsys.readouterr().err
