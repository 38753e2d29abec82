"""Cache: TLS, encryption at rest, IAM-only user, no inline ingress, exact grant."""

import pulumi

from multitier._data.cache import Cache, CacheArgs
from multitier._network.network import Network, NetworkArgs
from tests.unit.tiers.helpers import link_view

EC = "aws:elasticache/"


def _cache(**kw):
    def program():
        net = Network("net", NetworkArgs())
        cache = Cache("cache", CacheArgs(network=net, unique_suffix="dev", **kw))
        pulumi.export("link", link_view(cache.grant()))
        pulumi.export("invalidate_link", link_view(cache.grant("invalidate")))
        pulumi.export("arn", cache.arn)
        pulumi.export("user_arn", cache.user.arn)
        pulumi.export("invalidate_user_arn", cache.invalidate_user.arn)
        pulumi.export("sg", cache.security_group.id)
        pulumi.export("private", net.private_subnet_ids)
    return program


def test_serverless_cache_in_private_subnets_with_iam_user_group(run):
    rec = run(_cache())
    cache = rec.one(EC + "serverlessCache:ServerlessCache").inputs
    assert cache["engine"] == "valkey" and cache["majorEngineVersion"] == "8"
    assert cache["subnetIds"] == rec.outputs["private"]
    assert cache["securityGroupIds"] == [rec.outputs["sg"]]
    assert cache["cacheUsageLimits"] == {"dataStorage": {"maximum": 1, "unit": "GB"}}
    assert cache["userGroupId"] == rec.one(EC + "userGroup:UserGroup").inputs["userGroupId"]


def test_only_enabled_users_authenticate_with_iam_and_default_user_is_off(run):
    rec = run(_cache())
    app = rec.one(EC + "user:User", "cache-user").inputs
    invalidate = rec.one(EC + "user:User", "cache-invalidate-user").inputs
    default = rec.one(EC + "user:User", "default-user").inputs
    for user in (app, invalidate):
        assert user["authenticationMode"] == {"type": "iam"}
        assert user["userName"] == user["userId"]  # IAM auth requires it
        assert user["accessString"].startswith("on ") and "-@dangerous" in user["accessString"]
    # the invalidating user deletes and bumps; it can read or write no entry
    assert invalidate["accessString"] == "on ~* -@all +@connection +del +unlink +incr -@dangerous"
    assert default["userName"] == "default" and default["accessString"].startswith("off ")
    assert set(rec.one(EC + "userGroup:UserGroup").inputs["userIds"]) == {app["userId"], invalidate["userId"],
                                                                       default["userId"]}


def test_replication_group_encrypts_in_transit_and_at_rest_with_failover(run):
    rec = run(_cache(mode="cluster", replicas=1))
    group = rec.one(EC + "replicationGroup:ReplicationGroup").inputs
    assert group["transitEncryptionEnabled"] is True and group["atRestEncryptionEnabled"] is True
    assert group["automaticFailoverEnabled"] is True and group["numCacheClusters"] == 2
    assert group["userGroupIds"] == [rec.one(EC + "userGroup:UserGroup").inputs["userGroupId"]]
    assert group["subnetGroupName"] == rec.one(EC + "subnetGroup:SubnetGroup").outputs["name"]
    assert rec.one(EC + "subnetGroup:SubnetGroup").inputs["subnetIds"] == rec.outputs["private"]
    assert rec.of_type(EC + "serverlessCache:ServerlessCache") == []


def test_single_node_replication_group_has_no_failover(run):
    group = run(_cache(mode="cluster", replicas=0)).one(
        EC + "replicationGroup:ReplicationGroup").inputs
    assert group["automaticFailoverEnabled"] is False and group["numCacheClusters"] == 1
    assert group["transitEncryptionEnabled"] is True


def test_security_group_has_no_inline_ingress(run):
    rec = run(_cache())
    group = rec.one("aws:ec2/securityGroup:SecurityGroup", "cache-sg")
    assert "ingress" not in group.inputs
    assert [r for r in rec.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            if r.inputs["securityGroupId"] == group.id] == []


def test_grant_connects_on_cache_and_user_arns_with_tls_iam_env(run):
    out = run(_cache()).outputs
    link = out["link"]
    assert link["statements"] == [{"sid": "CacheConnect", "actions": ["elasticache:Connect"],
                                   "resources": [out["arn"], out["user_arn"]]}]
    env = link["env"]
    assert env["CACHE_TLS"] == "true" and env["CACHE_AUTH"] == "iam" and env["CACHE_PORT"] == "6379"
    assert env["CACHE_USER"] == "cache-app-valkey-dev" and env["CACHE_NAME"] and env["CACHE_ENDPOINT"]
    assert link["network"]["security_group_id"] == out["sg"] and link["network"]["port"] == 6379


def test_an_invalidating_grant_connects_as_the_invalidating_user_only(run):
    out = run(_cache()).outputs
    link = out["invalidate_link"]
    assert link["statements"] == [{"sid": "CacheInvalidate", "actions": ["elasticache:Connect"],
                                   "resources": [out["arn"], out["invalidate_user_arn"]]}]
    assert link["env"]["CACHE_USER"] == "cache-inval-valkey-dev"
    assert link["network"] == out["link"]["network"]  # the same way in: TLS to the cache's port, its own rule


def test_an_unknown_access_is_refused_by_name(run):
    import pytest

    def program():
        Cache("cache", CacheArgs(network=Network("net", NetworkArgs()), unique_suffix="dev")).grant("admin")

    with pytest.raises(ValueError, match="access 'admin' is not one of readwrite, invalidate"):
        run(program)


def test_grant_tells_the_function_which_kind_of_cache_signs_its_token(run):
    # The IAM auth token names a serverless cache or a replication group differently.
    assert run(_cache()).outputs["link"]["env"]["CACHE_MODE"] == "serverless"
    assert run(_cache(mode="cluster")).outputs["link"]["env"]["CACHE_MODE"] == "cluster"


def test_a_change_that_replaces_the_users_or_group_gives_them_new_ids(run):
    # GIVEN ids that cannot be autonamed (IAM auth wants the user name to be the id) and
    # Pulumi's create-before-delete replacement: a replacement must never reuse an id.
    def ids(rec):
        return {r.inputs.get("userId") or r.inputs["userGroupId"]
                for r in rec.of_type(EC + "user:User") + rec.of_type(EC + "userGroup:UserGroup")}

    valkey, redis = ids(run(_cache())), ids(run(_cache(engine="redis")))
    # THEN switching the engine (what replaces them besides their ids) yields all-new ids
    assert len(valkey) == len(redis) == 4 and not valkey & redis
    assert all(i.endswith("-valkey-dev") for i in valkey)
