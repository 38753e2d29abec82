"""Database: private, encrypted Aurora Serverless v2 with a managed secret and exact grant."""

import json

import pulumi

from multitier._data.database import Database, DatabaseArgs
from multitier._network.network import Network, NetworkArgs
from tests.unit.tiers.helpers import link_view

CLUSTER = "aws:rds/cluster:Cluster"


def _database(export_link=False, **kw):
    def program():
        net = Network("net", NetworkArgs())
        db = Database("db", DatabaseArgs(network=net, **kw))
        pulumi.export("private", net.private_subnet_ids)
        pulumi.export("vpc", net.vpc_id)
        if export_link:
            pulumi.export("link", link_view(db.grant()))
            pulumi.export("secret", db.secret_arn)
            pulumi.export("sg", db.security_group.id)
    return program


def _all_input_keys(value, path=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}.{key}"
            yield from _all_input_keys(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for inner in value:
            yield from _all_input_keys(inner, path)


def test_cluster_is_private_encrypted_with_managed_password(run):
    rec = run(_database())
    cluster = rec.one(CLUSTER).inputs
    assert cluster["engine"] == "aurora-postgresql" and cluster["engineMode"] == "provisioned"
    assert cluster["storageEncrypted"] is True
    assert cluster["manageMasterUserPassword"] is True
    assert "masterPassword" not in cluster and "masterPasswordWo" not in cluster
    instance = rec.one("aws:rds/clusterInstance:ClusterInstance").inputs
    assert instance["instanceClass"] == "db.serverless" and instance["publiclyAccessible"] is False
    assert rec.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"] == rec.outputs["private"]


def test_no_password_anywhere_in_the_recording(run):
    rec = run(_database(proxy=True))
    for reg in rec.registrations:
        keys = " ".join(_all_input_keys(reg.inputs)).lower()
        assert "password" not in keys.replace("managemasteruserpassword", ""), reg.name


def test_security_group_has_no_inline_ingress_and_no_rules_without_grants(run):
    rec = run(_database())
    group = rec.one("aws:ec2/securityGroup:SecurityGroup", "db-sg")
    assert "ingress" not in group.inputs
    assert [r for r in rec.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            if r.inputs["securityGroupId"] == group.id] == []
    assert rec.one(CLUSTER).inputs["vpcSecurityGroupIds"] == [group.id]


def test_prod_backups_protection_and_final_snapshot(run):
    rec = run(_database())
    cluster = rec.one(CLUSTER).inputs
    assert cluster["backupRetentionPeriod"] == 7
    assert cluster["deletionProtection"] is True
    suffix = rec.one("random:index/randomId:RandomId").outputs["hex"]
    assert cluster["skipFinalSnapshot"] is False and cluster["finalSnapshotIdentifier"] == f"db-final-{suffix}"
    assert cluster["copyTagsToSnapshot"] is True
    assert cluster["serverlessv2ScalingConfiguration"] == {"minCapacity": 0.5, "maxCapacity": 4}


def test_dev_one_day_backups_no_protection_no_final_snapshot_and_auto_pause(run):
    cluster = run(_database(min_capacity=0, max_capacity=2, backup_retention_days=1, skip_final_snapshot=True,
                               deletion_protection=False)).one(CLUSTER).inputs
    assert cluster["backupRetentionPeriod"] == 1
    assert cluster["deletionProtection"] is False
    assert cluster["skipFinalSnapshot"] is True and "finalSnapshotIdentifier" not in cluster
    assert cluster["serverlessv2ScalingConfiguration"] == {"minCapacity": 0, "maxCapacity": 2,
                                                           "secondsUntilAutoPause": 3600}


def test_grant_reads_exactly_the_managed_secret_and_reaches_5432(run):
    out = run(_database(export_link=True)).outputs
    link = out["link"]
    assert link["statements"] == [{"sid": "DbSecret", "actions": ["secretsmanager:GetSecretValue"],
                                   "resources": [out["secret"]]}]
    assert out["secret"].startswith("arn:aws:secretsmanager:") and "rds!cluster" in out["secret"]
    assert set(link["env"]) == {"DB_SECRET_ARN", "DB_HOST", "DB_PORT", "DB_NAME"}
    assert link["env"]["DB_SECRET_ARN"] == out["secret"] and link["env"]["DB_PORT"] == "5432"
    assert link["network"] == {"vpc_id": out["vpc"], "subnet_ids": out["private"], "security_group_id": out["sg"],
                               "port": 5432}


def test_proxy_has_its_own_role_reading_only_the_secret_and_requires_tls(run):
    rec = run(_database(proxy=True, export_link=True))
    proxy = rec.one("aws:rds/proxy:Proxy").inputs
    assert proxy["requireTls"] is True and proxy["engineFamily"] == "POSTGRESQL"
    role = rec.one("aws:iam/role:Role", "db-proxy")
    assert proxy["roleArn"] == role.outputs["arn"]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "rds.amazonaws.com"}
    [statement] = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "db-proxy").inputs["policy"])["Statement"]
    assert statement == {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                         "Resource": [rec.outputs["secret"]]}
    assert rec.outputs["link"]["env"]["DB_HOST"] == rec.one("aws:rds/proxy:Proxy").outputs["endpoint"]


def test_the_final_snapshot_is_named_anew_whenever_the_cluster_is_replaced(run):
    """A second replacement must not reuse the first one's snapshot id (DBClusterSnapshotAlreadyExistsFault)."""
    def final_snapshot(**kw) -> str:
        return run(_database(**kw)).one(CLUSTER).inputs["finalSnapshotIdentifier"]

    first = final_snapshot()
    # GIVEN inputs that replace the cluster (the provider's ForceNew), THEN each cluster has its own id
    assert final_snapshot(database_name="tickets") != first
    assert final_snapshot(master_username="owner") not in (first, final_snapshot(database_name="tickets"))
    # GIVEN a change made in place, THEN the cluster keeps its id (no spurious update)
    assert final_snapshot(max_capacity=8, backup_retention_days=14) == first


def test_the_random_part_is_kept_by_exactly_the_inputs_that_replace_the_cluster(run):
    from multitier._replacement import replacement

    rec = run(_database())
    keepers = set(rec.one("random:index/randomId:RandomId").inputs["keepers"])
    cluster = rec.one(CLUSTER).inputs
    assert keepers == {key for key in cluster if key in replacement(CLUSTER).replace_on}
    assert {"databaseName", "dbSubnetGroupName", "engine", "masterUsername", "storageEncrypted"} <= keepers
