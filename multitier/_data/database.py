"""Database: Aurora PostgreSQL Serverless v2 in private subnets, credentials in Secrets Manager.

RDS creates and rotates the master password itself (``manage_master_user_password``):
no password appears in the program, its state or any environment variable. A
function granted access reads the managed secret by ARN at run time. The
cluster's security group has no inline ingress: every function granted access
adds one rule admitting exactly its own security group on 5432.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from multitier._declarations import contract
from multitier._iam import Statement, assume_role_policy, policy_document, sid
from multitier._logic.link import Link, NetworkAccess
from multitier._network.network import Network
from multitier._replacement import camel, replacement
from multitier._ops import watch_data
from multitier._ops.watch import Watch

PORT = 5432
CLUSTER = "aws:rds/cluster:Cluster"
SECRET_READ_ACTIONS = ("secretsmanager:GetSecretValue",)
_DB_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass
class DatabaseArgs:
    """Inputs of a Database.

    ``network``: the VPC and private subnets. Capacity is in Aurora Capacity Units
    (``min_capacity`` 0 lets an idle cluster pause after ``seconds_until_auto_pause``).
    Destroying keeps a final snapshot (named per cluster) and deletion protection is on
    unless turned off (throwaway stacks); with it, Pulumi refuses to delete or replace the
    cluster too (``protect``: the preview stops). ``proxy`` puts an RDS Proxy in front of the writer.
    """

    network: Network
    min_capacity: float = 0.5
    max_capacity: float = 4
    seconds_until_auto_pause: int = 3600
    backup_retention_days: int = 7
    deletion_protection: bool = True
    skip_final_snapshot: bool = False
    proxy: bool = False
    engine_version: str = "16.4"
    database_name: str = "app"
    master_username: str = "app_admin"
    iam_auth: bool = False


class Database(pulumi.ComponentResource):
    """An encrypted, private Aurora PostgreSQL Serverless v2 cluster with one writer."""

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:data:Database", name, None, opts)
        if not _DB_NAME.match(args.database_name):
            raise ValueError(f"database {name}: database_name {args.database_name!r} must start with a letter and "
                             f"hold only lower-case letters, digits and underscores (≤ 63)")
        child = pulumi.ResourceOptions(parent=self)
        self._network = args.network

        self.subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets", subnet_ids=args.network.private_subnet_ids,
            description=f"Private subnets of {name}", opts=child)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.network.vpc_id,
            description=f"Aurora cluster {name}: PostgreSQL only from functions granted access", opts=child)

        # AWS applies minor engine upgrades itself (auto_minor_version_upgrade): the next up must
        # not try to downgrade to the pinned version. A major upgrade is a deliberate step (README).
        upgraded_by_aws = ["engine_version"]
        scaling = {"min_capacity": args.min_capacity, "max_capacity": args.max_capacity}
        if args.min_capacity == 0:
            scaling["seconds_until_auto_pause"] = args.seconds_until_auto_pause
        cluster = dict(
            cluster_identifier_prefix=f"{name}-",
            engine="aurora-postgresql",
            engine_mode="provisioned",
            engine_version=args.engine_version,
            database_name=args.database_name,
            master_username=args.master_username,
            manage_master_user_password=True,
            serverlessv2_scaling_configuration=scaling,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            port=PORT,
            storage_encrypted=True,
            # Operators sign in with short-lived IAM tokens instead of the master password; the
            # functions keep the rotated managed secret (``iam_auth`` moves them to tokens at the proxy).
            iam_database_authentication_enabled=True,
            backup_retention_period=args.backup_retention_days,
            copy_tags_to_snapshot=True,
            deletion_protection=args.deletion_protection,
            skip_final_snapshot=args.skip_final_snapshot,
            enabled_cloudwatch_logs_exports=["postgresql"])
        if not args.skip_final_snapshot:
            # Destroying or replacing the cluster takes its final snapshot under this id. It must be new
            # for every cluster: a random part renewed whenever an input that replaces the cluster
            # changes (those inputs are its keepers), so a second replacement never collides with the
            # first one's snapshot.
            self.final_snapshot_suffix = random.RandomId(
                f"{name}-final-snapshot", byte_length=4, keepers=_as_text(replacement(CLUSTER).replacing(cluster)),
                opts=child)
            cluster["final_snapshot_identifier"] = self.final_snapshot_suffix.hex.apply(
                lambda suffix: f"{name}-final-{suffix}")
        self.cluster = aws.rds.Cluster(name, **cluster, opts=pulumi.ResourceOptions(
            parent=self, ignore_changes=upgraded_by_aws, protect=args.deletion_protection))
        self.instance = aws.rds.ClusterInstance(
            f"{name}-writer", identifier_prefix=f"{name}-writer-", cluster_identifier=self.cluster.id,
            instance_class="db.serverless", engine=self.cluster.engine, engine_version=self.cluster.engine_version,
            db_subnet_group_name=self.subnet_group.name, publicly_accessible=False, copy_tags_to_snapshot=True,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=upgraded_by_aws))

        self.secret_arn = self.cluster.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn)
        self.host = self.cluster.endpoint
        self.port = PORT
        self.database_name = args.database_name

        self.proxy: aws.rds.Proxy | None = None
        if args.proxy:
            self._create_proxy(name, args)
            self.host = self.proxy.endpoint

        self.register_outputs({"cluster_arn": self.cluster.arn, "host": self.host, "port": self.port,
                               "database_name": self.database_name, "secret_arn": self.secret_arn,
                               "security_group_id": self.security_group.id})

    def _create_proxy(self, name: str, args: DatabaseArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        self.proxy_role = aws.iam.Role(
            f"{name}-proxy-role", description=f"RDS Proxy of {name}: reads the cluster's managed secret",
            assume_role_policy=assume_role_policy("rds.amazonaws.com"), opts=child)
        self.proxy_policy = aws.iam.RolePolicy(
            f"{name}-proxy-policy", role=self.proxy_role.id,
            policy=policy_document([Statement(SECRET_READ_ACTIONS, [self.secret_arn])]), opts=child)
        # The proxy sits in the cluster's group: functions reach it on 5432 through the
        # same per-function ingress rules, and the group admits itself for proxy → cluster.
        self.proxy_self_ingress = aws.vpc.SecurityGroupIngressRule(
            f"{name}-proxy-to-cluster", security_group_id=self.security_group.id, ip_protocol="tcp",
            from_port=PORT, to_port=PORT, referenced_security_group_id=self.security_group.id,
            description="RDS Proxy to the cluster", opts=child)
        # Security groups made by Pulumi have no egress; the proxy needs the cluster and
        # Secrets Manager (through the VPC's interface endpoint).
        self.proxy_egress_cluster = aws.vpc.SecurityGroupEgressRule(
            f"{name}-proxy-egress-cluster", security_group_id=self.security_group.id, ip_protocol="tcp",
            from_port=PORT, to_port=PORT, referenced_security_group_id=self.security_group.id,
            description="RDS Proxy to the cluster", opts=child)
        self.proxy_egress_secrets = aws.vpc.SecurityGroupEgressRule(
            f"{name}-proxy-egress-https", security_group_id=self.security_group.id, ip_protocol="tcp",
            from_port=443, to_port=443, cidr_ipv4=args.network.cidr,
            # EC2 rejects rule descriptions outside a-zA-Z0-9, spaces and ._-:/()#,@[]+=;{}!$* (no quotes).
            description="RDS Proxy to the Secrets Manager VPC endpoint", opts=child)
        self.proxy = aws.rds.Proxy(
            f"{name}-proxy", engine_family="POSTGRESQL", require_tls=True,  # autonamed: replaceable
            role_arn=self.proxy_role.arn, vpc_subnet_ids=args.network.private_subnet_ids,
            vpc_security_group_ids=[self.security_group.id], idle_client_timeout=1800,
            auths=[{"auth_scheme": "SECRETS", "secret_arn": self.secret_arn,
                    "iam_auth": "REQUIRED" if args.iam_auth else "DISABLED"}],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.proxy_policy]))
        self.proxy_target_group = aws.rds.ProxyDefaultTargetGroup(
            f"{name}-proxy-targets", db_proxy_name=self.proxy.name,
            connection_pool_config={"max_connections_percent": 90}, opts=child)
        self.proxy_target = aws.rds.ProxyTarget(
            f"{name}-proxy-target", db_proxy_name=self.proxy.name,
            target_group_name=self.proxy_target_group.name, db_cluster_identifier=self.cluster.cluster_identifier,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.instance]))

    def watch(self) -> Watch:
        """ACUs, connections (and the proxy's), CPU."""
        return watch_data.database(self.pulumi_resource_name, self.cluster.cluster_identifier,
                                   self.proxy.name if self.proxy is not None else None)

    def grant(self, writer: bool = False) -> Link:
        """Read the managed master secret (one ARN) and reach the database on 5432.

        The environment names the secret, the host (the proxy when there is one; the
        cluster's writer with ``writer``), the port and the database. The function joins
        the private subnets. Schema migrations take ``writer``: DDL belongs on the writer,
        and a proxy target is registered minutes before it is available.
        """
        host = self.cluster.endpoint if writer else self.host
        return Link(
            statements=[Statement(SECRET_READ_ACTIONS, [self.secret_arn], sid("db", "secret"))],
            env={contract.DB_SECRET_ARN.name: self.secret_arn, contract.DB_HOST.name: host,
                 contract.DB_PORT.name: str(self.port), contract.DB_NAME.name: self.database_name},
            network=NetworkAccess(vpc_id=self._network.vpc_id, subnet_ids=self._network.private_subnet_ids,
                                  security_group_id=self.security_group.id, port=self.port,
                                  description=f"PostgreSQL {self.pulumi_resource_name}"))



def _as_text(inputs: dict[str, Any]) -> dict[str, pulumi.Output[str]]:
    """Inputs as the random provider's keepers: text, under the names Pulumi gives them."""
    return {camel(key): pulumi.Output.from_input(value).apply(lambda v: json.dumps(v, sort_keys=True))
            for key, value in inputs.items()}
