"""ElastiCache: TLS, encryption at rest, authentication, private network, resilience."""

from __future__ import annotations

from policy.core import Resource, items, resource_rule

PREFIX = "MT-EC"

SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
USER = "aws:elasticache/user:User"


@resource_rule("MT-EC-1", GROUP, description="Replication groups encrypt traffic (TLS)",
               remediation="Set transit_encryption_enabled=True with transit_encryption_mode 'required' (serverless "
                           "caches always use TLS).")
def in_transit(group: Resource):
    if not group.get("transitEncryptionEnabled"):
        yield "transit encryption is off"
    elif group.get("transitEncryptionMode") == "preferred":
        yield "transit encryption is only preferred: clients may still connect in plain text"


@resource_rule("MT-EC-2", GROUP, description="Replication groups encrypt data at rest",
               remediation="Set at_rest_encryption_enabled=True (serverless caches always encrypt).")
def at_rest(group: Resource):
    if not group.get("atRestEncryptionEnabled"):
        yield "encryption at rest is off"


@resource_rule("MT-EC-3", (SERVERLESS, GROUP), description="Caches require authentication (RBAC user group)",
               remediation="Set user_group_id (serverless) or user_group_ids (replication group) to an RBAC group.")
def authenticated(cache: Resource):
    if not (cache.get("userGroupId") or items(cache.get("userGroupIds")) or cache.get("authToken")):
        yield "anyone who reaches the port can use the cache"


@resource_rule("MT-EC-4", USER, description="The cache's default user is disabled",
               remediation="Give the 'default' user access string 'off ~* -@all'.")
def default_user_off(user: Resource):
    if user.get("userName") == "default" and not str(user.get("accessString") or "").startswith("off"):
        yield f"the default user's access string is {user.get('accessString')!r}"


@resource_rule("MT-EC-5", (SERVERLESS, GROUP), description="Caches sit in named subnets behind their own security group",
               remediation="Set subnet_ids (private subnets) and security_group_ids on the cache.")
def private_network(cache: Resource):
    if not items(cache.get("securityGroupIds")):
        yield "no security group"
    if cache.type == SERVERLESS and not items(cache.get("subnetIds")):
        yield "no subnets (the default VPC's subnets would be used)"


@resource_rule("MT-EC-6", GROUP, severity="medium", description="Replication groups fail over across AZs",
               remediation="Set automatic_failover_enabled=True and multi_az_enabled=True with a replica.")
def multi_az(group: Resource):
    if not (group.get("automaticFailoverEnabled") and group.get("multiAzEnabled")):
        yield "single-node or single-AZ"
