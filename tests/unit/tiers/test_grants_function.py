"""Links applied to a real Function: its role policy holds exactly the granted statements."""

import json

import pulumi

from multitier._data.bucket import Bucket, BucketArgs
from multitier._data.cache import Cache, CacheArgs
from multitier._data.database import Database, DatabaseArgs
from multitier._data.table import Key, Table, TableArgs
from multitier._logic.function import Function, FunctionArgs
from multitier._network.network import Network, NetworkArgs


def test_function_policy_env_and_network_from_tier_grants(run):
    def program():
        net = Network("net", NetworkArgs())
        table = Table("shows", TableArgs(hash_key=Key("pk")))
        bucket = Bucket("info", BucketArgs())
        db = Database("db", DatabaseArgs(network=net))
        cache = Cache("cache", CacheArgs(network=net, unique_suffix="t"))
        Function("shows-fn", FunctionArgs(service="shows", links=[
            table.grant("read", env="SHOWS_TABLE"), bucket.grant("read", env="INFO_BUCKET", prefix="venues/"),
            db.grant(), cache.grant()]))
        pulumi.export("ids", {"table": table.arn, "bucket": bucket.arn, "secret": db.secret_arn,
                              "cache": cache.arn, "user": cache.user.arn, "db_sg": db.security_group.id,
                              "cache_sg": cache.security_group.id})
    rec = run(program)
    ids = rec.outputs["ids"]
    granted = {s["Sid"]: s for s in json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "shows-fn").inputs[
        "policy"])["Statement"] if s.get("Sid") not in ("Logs", "Tracing", "VpcNetworkInterfaces")}
    assert granted == {
        "TableShowsTableRead": {"Sid": "TableShowsTableRead", "Effect": "Allow", "Action": sorted([
            "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"]),
            "Resource": [ids["table"], ids["table"] + "/index/*"]},
        "BucketInfoBucketRead": {"Sid": "BucketInfoBucketRead", "Effect": "Allow", "Action": ["s3:GetObject"],
                                 "Resource": [ids["bucket"] + "/venues/*"]},
        "BucketInfoBucketList": {"Sid": "BucketInfoBucketList", "Effect": "Allow", "Action": ["s3:ListBucket"],
                                 "Resource": [ids["bucket"]]},
        "DbSecret": {"Sid": "DbSecret", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                     "Resource": [ids["secret"]]},
        "CacheConnect": {"Sid": "CacheConnect", "Effect": "Allow", "Action": ["elasticache:Connect"],
                         "Resource": [ids["cache"], ids["user"]]},
    }
    function = rec.one("aws:lambda/function:Function", "shows-fn").inputs
    env = function["environment"]["variables"]
    assert {"SHOWS_TABLE", "INFO_BUCKET", "DB_SECRET_ARN", "DB_HOST", "CACHE_ENDPOINT", "CACHE_AUTH"} <= set(env)
    # the data tier admits exactly this function's group, on exactly its port
    fn_sg = rec.one("aws:ec2/securityGroup:SecurityGroup", "shows-fn").id
    ingress = {(r.inputs["securityGroupId"], r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"])
               for r in rec.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
               if r.inputs["securityGroupId"] in (ids["db_sg"], ids["cache_sg"])}
    assert ingress == {(ids["db_sg"], 5432, fn_sg), (ids["cache_sg"], 6379, fn_sg)}
