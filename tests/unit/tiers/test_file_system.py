"""FileSystem: encrypted EFS with one access point, mount targets per private subnet and an exact grant."""

import json

import pulumi
import pytest

from multitier._data.file_system import FileSystem, FileSystemArgs
from multitier._data.table import Key, Table, TableArgs
from multitier._logic.function import Function, FunctionArgs
from multitier._network.network import Network, NetworkArgs
from tests.unit.tiers.helpers import link_view


def _file_system(grant=None, functions_dir=None, **kw):
    def program():
        net = Network("net", NetworkArgs(az_count=3))
        fs = FileSystem("files", FileSystemArgs(network=net, subnet_count=3, **kw))
        pulumi.export("private", net.private_subnet_ids)
        if grant is not None:
            link = fs.grant("DOCS", "/mnt/docs", write=grant)
            pulumi.export("link", link_view(link))
            if functions_dir is not None:
                Function("reader", FunctionArgs(service="hello", functions_dir=functions_dir, links=[link]))
    return program


def test_encrypted_elastic_with_lifecycle_backups_and_a_policy_forcing_iam_and_tls(run):
    rec = run(_file_system(transition_to_ia_days=7, backups=True))
    fs = rec.one("aws:efs/fileSystem:FileSystem").inputs
    assert fs["encrypted"] is True and fs["throughputMode"] == "elastic"
    assert fs["lifecyclePolicies"] == [{"transitionToIa": "AFTER_7_DAYS"},
                                       {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"}]
    assert rec.one("aws:efs/backupPolicy:BackupPolicy").inputs["backupPolicy"] == {"status": "ENABLED"}
    statements = json.loads(rec.one("aws:efs/fileSystemPolicy:FileSystemPolicy").inputs["policy"])["Statement"]
    assert {s["Effect"] for s in statements} == {"Deny"}  # no Allow: only identity grants let a client in
    tls = next(s for s in statements if s["Sid"] == "DenyInsecureTransport")
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert any(s["Action"] == "elasticfilesystem:ClientRootAccess" and "Condition" not in s for s in statements)


def test_access_point_pins_a_posix_user_and_root_directory(run):
    point = run(_file_system(root_directory="/tickets", posix_uid=1001, posix_gid=1002)).one(
        "aws:efs/accessPoint:AccessPoint").inputs
    assert point["posixUser"] == {"uid": 1001, "gid": 1002}
    assert point["rootDirectory"] == {"path": "/tickets", "creationInfo": {
        "ownerUid": 1001, "ownerGid": 1002, "permissions": "750"}}


def test_a_mount_target_in_each_private_subnet_behind_a_group_without_ingress(run):
    rec = run(_file_system())
    group = rec.one("aws:ec2/securityGroup:SecurityGroup", "files")
    targets = rec.of_type("aws:efs/mountTarget:MountTarget")
    assert sorted(t.inputs["subnetId"] for t in targets) == sorted(rec.outputs["private"])
    assert all(t.inputs["securityGroups"] == [group.id] for t in targets)
    assert not group.inputs.get("ingress")
    assert not [r for r in rec.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                if r.inputs["securityGroupId"] == group.id]  # until a function is granted access


@pytest.mark.parametrize("write, actions", [(True, ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]),
                                            (False, ["elasticfilesystem:ClientMount"])])
def test_grant_is_exact_actions_on_this_file_system_through_its_access_point(run, write, actions):
    rec = run(_file_system(grant=write))
    link = rec.outputs["link"]
    fs = rec.one("aws:efs/fileSystem:FileSystem").outputs["arn"]
    point = rec.one("aws:efs/accessPoint:AccessPoint").outputs["arn"]
    assert [(s["actions"], s["resources"]) for s in link["statements"]] == [(actions, [fs])]
    assert link["env"] == {"DOCS": "/mnt/docs"}
    assert link["network"]["port"] == 2049
    assert link["network"]["security_group_id"] == rec.one("aws:ec2/securityGroup:SecurityGroup", "files").id
    assert point.startswith("arn:aws:elasticfilesystem:")


def test_a_function_granted_the_file_system_mounts_it_in_the_vpc_after_the_mount_targets(run, functions_dir):
    rec = run(_file_system(grant=True, functions_dir=functions_dir))
    function = rec.one("aws:lambda/function:Function", "reader")
    point = rec.one("aws:efs/accessPoint:AccessPoint").outputs["arn"]
    assert function.inputs["fileSystemConfig"] == {"arn": point, "localMountPath": "/mnt/docs"}
    assert function.inputs["vpcConfig"]["subnetIds"] == rec.outputs["private"]
    assert {t.urn for t in rec.of_type("aws:efs/mountTarget:MountTarget")} <= set(function.dependencies)
    statement = next(s for s in json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "reader").inputs["policy"])[
        "Statement"] if s["Sid"] == "EfsDocsReadwrite")
    assert statement["Condition"] == {"StringEquals": {"elasticfilesystem:AccessPointArn": point}}
    fs_group = rec.one("aws:ec2/securityGroup:SecurityGroup", "files").id
    fn_group = rec.one("aws:ec2/securityGroup:SecurityGroup", "reader").id
    ingress = [(r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"])
               for r in rec.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
               if r.inputs["securityGroupId"] == fs_group]
    assert ingress == [(2049, fn_group)]  # NFS from exactly the function granted access


@pytest.mark.parametrize("kw, message", [
    ({"transition_to_ia_days": 5}, "transition_to_ia_days 5 must be one of"),
    ({"root_directory": "/"}, "root_directory '/' must be an absolute path"),
    ({"root_directory": "tickets"}, "must be an absolute path"),
    ({"posix_uid": 0}, "must not act as root"),
    ({"permissions": "rwx"}, "must be octal"),
])
def test_bad_arguments_are_refused(run, kw, message):
    with pytest.raises(Exception, match=message):
        run(_file_system(**kw))


def test_function_refuses_two_file_systems_a_bad_mount_path_or_no_network(run, functions_dir):
    def program(mounts):
        net = Network("net", NetworkArgs())
        first = FileSystem("a", FileSystemArgs(network=net))
        second = FileSystem("b", FileSystemArgs(network=net))
        links = {"two": [first.grant("A", "/mnt/a"), second.grant("B", "/mnt/b")],
                 "path": [first.grant("A", "/data/a")],
                 "no-network": [type(first.grant("A", "/mnt/a"))(file_system=first.grant("A", "/mnt/a").file_system)]}
        Table("t", TableArgs(hash_key=Key("id")))
        Function("fn", FunctionArgs(service="hello", functions_dir=functions_dir, links=links[mounts]))
    for mounts, message in (("two", "2 file systems granted; Lambda mounts one"),
                            ("path", "mount path '/data/a' must be /mnt/<name>"),
                            ("no-network", "its grant must carry network access")):
        with pytest.raises(Exception, match=message):
            run(lambda m=mounts: program(m))
