"""Table: on-demand, encrypted, PITR and protection unless turned off; exact grants."""

import pulumi
import pytest

from multitier._data.table import GlobalIndex, Key, Table, TableArgs
from tests.unit.tiers.helpers import link_view

TABLE = "aws:dynamodb/table:Table"


def _table(**kw):
    return lambda: Table("shows", TableArgs(hash_key=Key("pk"), range_key=Key("sk"), **kw))


def test_prod_table_is_on_demand_encrypted_with_pitr_and_protection(run):
    rec = run(_table())
    inputs = rec.one(TABLE).inputs
    assert inputs["billingMode"] == "PAY_PER_REQUEST"
    assert inputs["serverSideEncryption"] == {"enabled": True}
    assert inputs["pointInTimeRecovery"] == {"enabled": True}
    assert inputs["deletionProtectionEnabled"] is True
    assert rec.one(TABLE).parent == rec.one("multitier:data:Table").urn


def test_dev_table_turns_pitr_and_protection_off_but_keeps_encryption(run):
    inputs = run(_table(point_in_time_recovery=False, deletion_protection=False)).one(TABLE).inputs
    assert inputs["pointInTimeRecovery"] == {"enabled": False}
    assert inputs["deletionProtectionEnabled"] is False
    assert inputs["serverSideEncryption"] == {"enabled": True}
    assert inputs["billingMode"] == "PAY_PER_REQUEST"


def test_gsi_ttl_and_stream_are_declared_with_typed_keys(run):
    rec = run(_table(indexes=[GlobalIndex("byVenue", Key("venue"), Key("start", "N"))],
                     ttl_attribute="expiresAt", stream="NEW_AND_OLD_IMAGES"))
    inputs = rec.one(TABLE).inputs
    assert inputs["globalSecondaryIndexes"] == [
        {"name": "byVenue", "hashKey": "venue", "rangeKey": "start", "projectionType": "ALL"}]
    assert sorted((a["name"], a["type"]) for a in inputs["attributes"]) == sorted(
        [("pk", "S"), ("sk", "S"), ("venue", "S"), ("start", "N")])
    assert inputs["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    assert inputs["streamEnabled"] is True and inputs["streamViewType"] == "NEW_AND_OLD_IMAGES"


def test_no_stream_and_no_ttl_by_default(run):
    inputs = run(_table()).one(TABLE).inputs
    assert inputs["streamEnabled"] is False
    assert "ttl" not in inputs


def test_conflicting_attribute_types_fail_before_registration(run):
    with pytest.raises(ValueError, match="declared as both"):
        run(_table(indexes=[GlobalIndex("bad", Key("pk", "N"))]))


@pytest.mark.parametrize("access, expected", [
    ("read", ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem",
              "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"]),
    ("write", ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
               "dynamodb:ConditionCheckItem"]),
])
def test_grant_lists_exact_actions_on_table_and_indexes(run, access, expected):
    def program():
        table = Table("shows", TableArgs(hash_key=Key("pk")))
        pulumi.export("link", link_view(table.grant(access, env="SHOWS_TABLE")))
        pulumi.export("arn", table.arn)
        pulumi.export("name", table.name)
    rec = run(program)
    link, arn = rec.outputs["link"], rec.outputs["arn"]
    [statement] = link["statements"]
    assert statement["actions"] == expected
    assert statement["resources"] == [arn, f"{arn}/index/*"]
    assert link["env"] == {"SHOWS_TABLE": rec.outputs["name"]}
    assert link["network"] is None
    assert not any("Transact" in a or a.endswith("*") for a in statement["actions"])


def test_readwrite_grant_is_the_union_without_duplicates(run):
    def program():
        table = Table("tickets", TableArgs(hash_key=Key("pk")))
        pulumi.export("link", link_view(table.grant("readwrite", env="TICKETS_TABLE", transactions=True)))
    [statement] = run(program).outputs["link"]["statements"]
    assert len(statement["actions"]) == len(set(statement["actions"])) == 10


def test_grant_rejects_unknown_access(run):
    def program():
        Table("t", TableArgs(hash_key=Key("pk"))).grant("admin", env="T")
    with pytest.raises(Exception, match="must be 'read', 'write' or 'readwrite'"):
        run(program)
