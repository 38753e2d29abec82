"""Cache: ElastiCache (Valkey or Redis OSS) in private subnets with TLS and IAM auth.

Serverless (default) or a replication group, chosen by ``CacheArgs.mode``.
Either way: encryption in transit (always on for serverless; explicit for a
replication group) and at rest, a user group whose enabled users authenticate with
IAM (the ``default`` user every group needs is switched off), and a security group
with no inline ingress: each function granted access adds one rule admitting exactly
its own group.

Two users, one per kind of access a grant gives: ``readwrite`` (cache-aside: reads,
writes, expiry) and ``invalidate`` (delete an entry, bump a counter: for a function
that changes the data behind the cache and must drop what is cached of it, but has no
reason to read or write entries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from multitier._declarations import contract
from multitier._iam import Statement, sid
from multitier._logic.link import Link, NetworkAccess
from multitier._network.network import Network
from multitier._ops import watch_data
from multitier._ops.watch import Watch

PORT = 6379
CONNECT_ACTIONS = ("elasticache:Connect",)
# Cache-aside needs reads, writes and expiry; nothing that flushes, configures or scripts.
APP_ACCESS_STRING = "on ~* -@all +@read +@write +@connection -@dangerous"
# Invalidation deletes entries and bumps a generation counter; it reads and writes nothing else.
INVALIDATE_ACCESS_STRING = "on ~* -@all +@connection +del +unlink +incr -@dangerous"
CacheAccess = Literal["readwrite", "invalidate"]
USERS = {"readwrite": "user", "invalidate": "invalidate_user"}  # access → the Cache attribute holding its user
DEFAULT_USER_ACCESS_STRING = "off ~* -@all"
MAJOR_VERSION = {"valkey": "8", "redis": "7"}
_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


@dataclass
class CacheArgs:
    """Inputs of a Cache.

    ``mode``: ElastiCache Serverless (sized by ``max_storage_gb``) or a replication
    group of ``node_type`` nodes, with ``replicas`` read replicas (at least one
    gives automatic failover across AZs). ``ttl_seconds`` is handed to the
    functions granted access. ``unique_suffix`` makes the account-wide ElastiCache
    user and group ids unique per stack (the pattern passes e.g. the stack name).
    """

    network: Network
    mode: Literal["serverless", "cluster"] = "serverless"
    engine: Literal["valkey", "redis"] = "valkey"
    node_type: str = "cache.t4g.micro"
    replicas: int = 1
    max_storage_gb: int = 1
    ttl_seconds: int = 30
    unique_suffix: str = ""


def _cache_id(*parts: str) -> str:
    value = "-".join(p for p in parts if p).lower()
    if not _ID.match(value) or "--" in value or value.endswith("-"):
        raise ValueError(f"ElastiCache id {value!r} must be 1-40 lower-case letters, digits and single hyphens, "
                         f"starting with a letter; shorten the component name or unique_suffix")
    return value


class Cache(pulumi.ComponentResource):
    """A private, encrypted ElastiCache cache whose clients authenticate with IAM."""

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:data:Cache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._network = args.network
        self.mode = args.mode
        self.ttl_seconds = args.ttl_seconds

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.network.vpc_id,
            description=f"Cache {name}: only from functions granted access", opts=child)

        # User and group ids are account-wide and cannot be autonamed (IAM authentication
        # requires the user name to equal the id). Pulumi creates a replacement before it
        # deletes the old one, so each id names the stack and everything else that replaces
        # it (the engine): a replacement always comes with a new id.
        def cache_id(role: str) -> str:
            return _cache_id(name, role, args.engine, args.unique_suffix)

        self.user = aws.elasticache.User(
            f"{name}-user", user_id=cache_id("app"), user_name=cache_id("app"), engine=args.engine,
            access_string=APP_ACCESS_STRING, authentication_mode={"type": "iam"}, opts=child)
        self.invalidate_user = aws.elasticache.User(
            f"{name}-invalidate-user", user_id=cache_id("inval"), user_name=cache_id("inval"), engine=args.engine,
            access_string=INVALIDATE_ACCESS_STRING, authentication_mode={"type": "iam"}, opts=child)
        self.default_user = aws.elasticache.User(
            f"{name}-default-user", user_id=cache_id("off"), user_name="default",
            engine=args.engine, access_string=DEFAULT_USER_ACCESS_STRING,
            authentication_mode={"type": "no-password-required"}, opts=child)
        self.user_group = aws.elasticache.UserGroup(
            f"{name}-users", user_group_id=cache_id("users"), engine=args.engine,
            user_ids=[self.default_user.user_id, self.user.user_id, self.invalidate_user.user_id], opts=child)

        self.subnet_group: aws.elasticache.SubnetGroup | None = None
        if args.mode == "serverless":
            self.cache = aws.elasticache.ServerlessCache(
                name, engine=args.engine, major_engine_version=MAJOR_VERSION[args.engine],
                description=f"{name} cache",
                cache_usage_limits={"data_storage": {"maximum": args.max_storage_gb, "unit": "GB"}},
                security_group_ids=[self.security_group.id], subnet_ids=args.network.private_subnet_ids,
                user_group_id=self.user_group.user_group_id, opts=child)
            self.cache_name = self.cache.name
            self.endpoint = self.cache.endpoints.apply(lambda e: e[0].address)
            self.port = self.cache.endpoints.apply(lambda e: e[0].port)
        else:
            self.subnet_group = aws.elasticache.SubnetGroup(
                f"{name}-subnets", subnet_ids=args.network.private_subnet_ids,
                description=f"Private subnets of {name}", opts=child)
            replicas = args.replicas
            self.cache = aws.elasticache.ReplicationGroup(
                name, description=f"{name} cache", engine=args.engine, node_type=args.node_type,
                num_cache_clusters=1 + replicas, automatic_failover_enabled=replicas > 0,
                multi_az_enabled=replicas > 0, port=PORT, transit_encryption_enabled=True,
                at_rest_encryption_enabled=True, subnet_group_name=self.subnet_group.name,
                security_group_ids=[self.security_group.id], user_group_ids=[self.user_group.user_group_id],
                opts=child)
            self.cache_name = self.cache.replication_group_id
            self.endpoint = self.cache.primary_endpoint_address
            self.port = pulumi.Output.from_input(PORT)
        self.arn = self.cache.arn
        self._nodes = 0 if args.mode == "serverless" else 1 + args.replicas
        self.register_outputs({"arn": self.arn, "endpoint": self.endpoint, "port": self.port,
                               "user_id": self.user.user_id, "security_group_id": self.security_group.id})

    def watch(self) -> Watch:
        """Hits, misses, ECPUs (or engine CPU per node) and bytes."""
        if not self._nodes:
            return watch_data.cache(self.pulumi_resource_name, self.cache_name)
        # A replication group's members are <group id>-001, -002, ...
        return watch_data.cache(self.pulumi_resource_name, None, [
            pulumi.Output.concat(self.cache_name, f"-{index:03d}") for index in range(1, self._nodes + 1)])

    def grant(self, access: CacheAccess = "readwrite") -> Link:
        """Connect with IAM as the cache's user for ``access``, over TLS, from the private subnets.

        The environment names the endpoint, the user, the cache and its mode (the
        IAM auth token of a serverless cache differs from a replication group's).
        """
        if access not in USERS:
            raise ValueError(f"cache {self.pulumi_resource_name}: access {access!r} is not one of {', '.join(USERS)}")
        user = getattr(self, USERS[access])
        return Link(
            statements=[Statement(CONNECT_ACTIONS, [self.arn, user.arn],
                                  sid("cache", "connect") if access == "readwrite" else sid("cache", access))],
            env={contract.CACHE_ENDPOINT.name: self.endpoint, contract.CACHE_PORT.name: self.port.apply(str),
                 contract.CACHE_TLS.name: "true", contract.CACHE_AUTH.name: "iam",
                 contract.CACHE_USER.name: user.user_id, contract.CACHE_NAME.name: self.cache_name,
                 contract.CACHE_MODE.name: self.mode, contract.CACHE_TTL_SECONDS.name: str(self.ttl_seconds)},
            network=NetworkAccess(vpc_id=self._network.vpc_id, subnet_ids=self._network.private_subnet_ids,
                                  security_group_id=self.security_group.id,
                                  port=PORT, description=f"Cache {self.pulumi_resource_name}"))
