"""Realistic outputs: the factories the type table (``types.py``) names (calls: ``calls.py``).

Each factory sees one registration (``Ctx``: type, name, inputs, region, account) and
returns the outputs AWS would: physical names (as given, or autonamed with a stable
suffix), ids, ARNs, endpoints and URLs. A token missing from the table fails the run by name.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from local.model import ACCOUNT

def suffix(name: str, length: int = 7) -> str:
    """A random-looking but stable suffix, as Pulumi's autonaming adds."""
    return hashlib.sha256(name.encode()).hexdigest()[:length]


@dataclass
class Ctx:
    """What an output factory sees of one resource registration."""

    type: str
    name: str
    inputs: dict
    region: str
    account: str = ACCOUNT

    @property
    def token(self) -> str:
        return suffix(self.name)

    def physical(self, key: str = "name", prefix_key: str = "namePrefix", max_len: int = 63) -> str:
        """The resource's physical name: as given, or prefix/name plus a suffix."""
        if self.inputs.get(key):
            return self.inputs[key]
        prefix = self.inputs.get(prefix_key) or f"{self.name}-"
        return f"{prefix}{self.token}"[:max_len]

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return (f"arn:aws:{service}:{self.region if region else ''}:"
                f"{self.account if account else ''}:{resource}")


Factory = Callable[[Ctx], dict]


def lambda_function(c: Ctx) -> dict:
    name = c.physical(max_len=64)
    arn = c.arn("lambda", f"function:{name}")
    return {"name": name, "arn": arn, "version": "1", "qualifiedArn": f"{arn}:1",
            "invokeArn": invoke_arn(c, arn), "qualifiedInvokeArn": invoke_arn(c, f"{arn}:1")}


def invoke_arn(c: Ctx, function_arn: str) -> str:
    return f"arn:aws:apigateway:{c.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def alias(c: Ctx) -> dict:
    function_name = c.inputs["functionName"]
    arn = c.arn("lambda", f"function:{function_name}:{c.inputs['name']}")
    return {"arn": arn, "invokeArn": invoke_arn(c, arn)}


def rest_api(c: Ctx) -> dict:
    api_id = suffix(c.name, 10)
    return {"id": api_id, "name": c.physical(), "rootResourceId": suffix(c.name + "/", 10),
            "executionArn": c.arn("execute-api", api_id),
            "arn": c.arn("apigateway", f"/restapis/{api_id}", account=False)}


def stage(c: Ctx) -> dict:
    api, stage = c.inputs["restApi"], c.inputs["stageName"]
    return {"invokeUrl": f"https://{api}.execute-api.{c.region}.amazonaws.com/{stage}",
            "executionArn": c.arn("execute-api", f"{api}/{stage}"),
            "arn": c.arn("apigateway", f"/restapis/{api}/stages/{stage}", account=False)}


def log_group(c: Ctx) -> dict:
    name = c.physical(max_len=512)
    return {"name": name, "arn": c.arn("logs", f"log-group:{name}")}


def role(c: Ctx) -> dict:
    name = c.physical(max_len=64)
    return {"name": name, "arn": c.arn("iam", f"role/{name}", region=False),
            "uniqueId": "AROA" + suffix(c.name, 16).upper()}


def id_only(prefix: str) -> Factory:
    return lambda c: {"id": f"{prefix}{suffix(c.name, 17)}"}


def with_arn(service: str, path: str) -> Factory:
    """Outputs with an ARN whose last part is the physical name."""
    def factory(c: Ctx) -> dict:
        name = c.physical()
        return {"name": name, "arn": c.arn(service, path.format(name=name, id=suffix(c.name, 17)))}
    return factory


def security_group(c: Ctx) -> dict:
    group_id = f"sg-{suffix(c.name, 17)}"
    return {"id": group_id, "arn": c.arn("ec2", f"security-group/{group_id}"), "name": c.physical()}


def sg_rule(c: Ctx) -> dict:
    rule_id = f"sgr-{suffix(c.name, 17)}"
    return {"id": rule_id, "securityGroupRuleId": rule_id, "arn": c.arn("ec2", f"security-group-rule/{rule_id}")}


def api_key(c: Ctx) -> dict:
    key_id = suffix(c.name, 10)
    return {"id": key_id, "value": "k" + suffix(c.name + "value", 39),
            "arn": c.arn("apigateway", f"/apikeys/{key_id}", account=False)}


def usage_plan(c: Ctx) -> dict:
    plan_id = suffix(c.name, 6)
    return {"id": plan_id, "arn": c.arn("apigateway", f"/usageplans/{plan_id}", account=False)}


def authorizer(c: Ctx) -> dict:
    auth_id = suffix(c.name, 6)
    return {"id": auth_id, "arn": c.arn("apigateway", f"/restapis/{c.inputs.get('restApi')}/authorizers/{auth_id}",
                                        account=False)}


def domain_name(c: Ctx) -> dict:
    domain = c.inputs["domainName"]
    return {"id": domain, "arn": c.arn("apigateway", f"/domainnames/{domain}", account=False),
            "regionalDomainName": f"d-{suffix(c.name, 10)}.execute-api.{c.region}.amazonaws.com",
            "regionalZoneId": "Z1UJRXOUMOOFQ8",
            "cloudfrontDomainName": f"d{suffix(c.name, 13)}.cloudfront.net",
            "cloudfrontZoneId": "Z2FDTNDATAQYW2"}


def web_acl(c: Ctx) -> dict:
    name = c.physical(max_len=128)
    scope = "global" if c.inputs.get("scope") == "CLOUDFRONT" else "regional"
    acl_id = f"{suffix(c.name, 8)}-{suffix(c.name + '1', 4)}-{suffix(c.name + '2', 4)}"
    return {"name": name, "id": acl_id, "arn": c.arn("wafv2", f"{scope}/webacl/{name}/{acl_id}"),
            "capacity": 700}


# --- data, identity, network and presentation tiers -------------------------

def table(c: Ctx) -> dict:
    name = c.physical(max_len=255)
    arn = c.arn("dynamodb", f"table/{name}")
    out = {"name": name, "arn": arn, "id": name}
    if c.inputs.get("streamEnabled"):
        label = "2024-01-01T00:00:00.000"
        out.update(streamArn=f"{arn}/stream/{label}", streamLabel=label)
    return out


def bucket(c: Ctx) -> dict:
    name = c.physical("bucket", "bucketPrefix")
    return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}",
            "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.{c.region}.amazonaws.com",
            "hostedZoneId": "Z3AQBSTGFYJSTF", "region": c.region}


def rds_cluster(c: Ctx) -> dict:
    ident = c.physical("clusterIdentifier", "clusterIdentifierPrefix")
    secret = c.arn("secretsmanager", f"secret:rds!cluster-{suffix(c.name, 8)}-0000-4000-8000-"
                                     f"{suffix(c.name, 12)}-{suffix(c.name + 's', 6)}")
    host = f"{ident}.cluster-{suffix('cluster', 12)}.{c.region}.rds.amazonaws.com"
    return {"id": ident, "clusterIdentifier": ident, "arn": c.arn("rds", f"cluster:{ident}"),
            "endpoint": host, "readerEndpoint": host.replace(".cluster-", ".cluster-ro-"),
            "port": c.inputs.get("port") or 5432, "clusterResourceId": "cluster-" + suffix(c.name, 26).upper(),
            "masterUsername": c.inputs.get("masterUsername") or "postgres",
            "masterUserSecrets": [{"secretArn": secret, "secretStatus": "active", "kmsKeyId": ""}]}


def rds_instance(c: Ctx) -> dict:
    ident = c.physical("identifier", "identifierPrefix")
    return {"id": ident, "identifier": ident, "arn": c.arn("rds", f"db:{ident}"),
            "endpoint": f"{ident}.{suffix('cluster', 12)}.{c.region}.rds.amazonaws.com", "port": 5432}


def rds_proxy(c: Ctx) -> dict:
    name = c.physical()
    return {"id": name, "name": name, "arn": c.arn("rds", f"db-proxy:prx-{suffix(c.name, 17)}"),
            "endpoint": f"{name}.proxy-{suffix('proxy', 12)}.{c.region}.rds.amazonaws.com"}


def serverless_cache(c: Ctx) -> dict:
    name = c.physical(max_len=40)
    host = f"{name}-{suffix(c.name, 6)}.serverless.use1.cache.amazonaws.com"
    return {"id": name, "name": name, "arn": c.arn("elasticache", f"serverlesscache:{name}"),
            "endpoints": [{"address": host, "port": 6379}],
            "readerEndpoints": [{"address": host, "port": 6380}], "status": "available"}


def replication_group(c: Ctx) -> dict:
    ident = c.inputs.get("replicationGroupId") or f"{c.name}-{c.token}"[:40]
    return {"id": ident, "replicationGroupId": ident, "arn": c.arn("elasticache", f"replicationgroup:{ident}"),
            "primaryEndpointAddress": f"master.{ident}.{suffix(c.name, 6)}.use1.cache.amazonaws.com",
            "readerEndpointAddress": f"replica.{ident}.{suffix(c.name, 6)}.use1.cache.amazonaws.com",
            "port": c.inputs.get("port") or 6379}


def cognito_pool(c: Ctx) -> dict:
    pool_id = f"{c.region}_{suffix(c.name, 9).upper()}"
    return {"id": pool_id, "arn": c.arn("cognito-idp", f"userpool/{pool_id}"),
            "endpoint": f"cognito-idp.{c.region}.amazonaws.com/{pool_id}", "name": c.inputs.get("name") or c.name,
            "creationDate": "2024-01-01T00:00:00Z"}


def distribution(c: Ctx) -> dict:
    dist_id = "E" + suffix(c.name, 13).upper()
    return {"id": dist_id, "arn": f"arn:aws:cloudfront::{c.account}:distribution/{dist_id}",
            "domainName": f"d{suffix(c.name, 13)}.cloudfront.net", "hostedZoneId": "Z2FDTNDATAQYW2",
            "status": "Deployed", "etag": "E" + suffix(c.name + "etag", 12).upper()}


def amplify_app(c: Ctx) -> dict:
    app_id = "d" + suffix(c.name, 13)
    return {"id": app_id, "arn": c.arn("amplify", f"apps/{app_id}"), "defaultDomain": f"{app_id}.amplifyapp.com",
            "name": c.inputs.get("name") or c.name}


def amplify_branch(c: Ctx) -> dict:
    branch = c.inputs["branchName"]
    return {"id": f"{c.inputs.get('appId')}/{branch}",
            "arn": c.arn("amplify", f"apps/{c.inputs.get('appId')}/branches/{branch}")}


def vpc(c: Ctx) -> dict:
    azs = len(c.inputs.get("availabilityZoneNames") or []) or int(c.inputs.get("numberOfAvailabilityZones") or 2)
    specs = [s.get("type") for s in (c.inputs.get("subnetSpecs") or [{"type": "Public"}, {"type": "Private"}])]
    def ids(kind: str) -> list[str]:
        return [f"subnet-{suffix(f'{c.name}-{kind}-{i}', 17)}" for i in range(azs)] if kind in specs else []
    return {"vpcId": f"vpc-{suffix(c.name, 17)}", "publicSubnetIds": ids("Public"),
            "privateSubnetIds": ids("Private"), "isolatedSubnetIds": ids("Isolated"),
            # Resource references (subnets, route tables, NAT gateways) are not fabricated;
            # natGateways is also an input name, so it must be overridden here.
            "natGateways": []}


def vpc_endpoint(c: Ctx) -> dict:
    endpoint_id = f"vpce-{suffix(c.name, 17)}"
    service = c.inputs.get("serviceName", "")
    return {"id": endpoint_id, "arn": c.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
            "dnsEntries": [{"dnsName": f"{endpoint_id}.{service.rsplit('.', 1)[-1]}.{c.region}.vpce.amazonaws.com",
                            "hostedZoneId": "Z7HUB22UULQXV"}], "state": "available"}


def elasticache_user(c: Ctx) -> dict:
    user_id = c.inputs.get("userId") or c.name
    return {"id": user_id, "arn": c.arn("elasticache", f"user:{user_id}")}


def elasticache_user_group(c: Ctx) -> dict:
    group_id = c.inputs.get("userGroupId") or c.name
    return {"id": group_id, "arn": c.arn("elasticache", f"usergroup:{group_id}")}


def random_id(c: Ctx) -> dict:
    """Random bytes, new whenever a keeper changes (as the random provider replaces the resource then)."""
    value = bytes.fromhex(suffix(c.name + json.dumps(c.inputs.get("keepers"), sort_keys=True),
                                 2 * int(c.inputs.get("byteLength") or 8)))
    encoded = base64.urlsafe_b64encode(value).decode().rstrip("=")
    return {"id": encoded, "hex": value.hex(), "b64Url": encoded, "b64Std": base64.b64encode(value).decode(),
            "dec": str(int.from_bytes(value, "big"))}


def efs(kind: str, prefix: str) -> Factory:
    """An EFS file system, access point or mount target: its id, ARN and file system's name."""
    def factory(c: Ctx) -> dict:
        ident = f"{prefix}-{suffix(c.name, 17)}"
        fs_id = c.inputs.get("fileSystemId") or ident
        return {"id": ident, "arn": c.arn("elasticfilesystem", f"{kind}/{ident}"), "ownerId": c.account,
                "fileSystemArn": c.arn("elasticfilesystem", f"file-system/{fs_id}"),
                "dnsName": f"{fs_id}.efs.{c.region}.amazonaws.com"}
    return factory
