"""Function: one Lambda function with its own role, log group, alias and links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from multitier._declarations import contract
from multitier._iam import Statement, assume_role_policy, policy_document
from multitier._logic.bundle import FUNCTIONS_DIR, code_archive
from multitier._logic.link import FileSystemMount, Link
from multitier._ops import watch_logic
from multitier._ops.watch import Watch

# The newest Python runtime pulumi-aws v7 offers.
RUNTIME = "python3.14"
ALIAS = "live"
API_GATEWAY_TIMEOUT_SECONDS = 29
# Lambda needs these to manage its network interfaces; AWS offers no resource scoping.
ENI_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
               "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
_MOUNT_PATH = re.compile(r"^/mnt/[A-Za-z0-9._-]+$")
_SECRET_LIKE = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL)", re.I)


@dataclass(frozen=True)
class FunctionRuntime:
    """What the functions of a pattern share: CPU, memory, timeout, log retention, tracing.

    ``timeout_seconds`` must stay below API Gateway's 29 s for a function behind an API.
    """

    architecture: Literal["arm64", "x86_64"] = "arm64"
    memory_mb: int = 256
    timeout_seconds: int = 10
    log_retention_days: int = 14
    tracing: bool = True


@dataclass
class FunctionArgs:
    """Inputs of a Function.

    ``service`` is the folder under ``functions/``; ``links`` are the grants of
    data and identity components; ``environment`` holds plain configuration and
    never a secret (pass a secret's ARN and read it at run time). The code's Powertools
    metrics go to ``metrics_namespace``; ``cold_start_metric``: its handler captures
    Powertools' ColdStart metric (charted by ``watch()``).
    """

    service: str
    runtime: FunctionRuntime = FunctionRuntime()
    layers: Sequence[pulumi.Input[str]] = ()
    handler: str = "app.handler"
    links: Sequence[Link] = ()
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    behind_api: bool = True
    metrics_namespace: str = "multitier"
    cold_start_metric: bool = False
    description: str = ""
    functions_dir: Path = FUNCTIONS_DIR


class Function(pulumi.ComponentResource):
    """A Lambda function with least-privilege role, log group, version and ``live`` alias."""

    def __init__(self, name: str, args: FunctionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:Function", name, None, opts)
        runtime = args.runtime
        timeout = runtime.timeout_seconds
        if args.behind_api and timeout >= API_GATEWAY_TIMEOUT_SECONDS:
            raise ValueError(f"function {name}: timeout {timeout}s must stay below API Gateway's "
                             f"{API_GATEWAY_TIMEOUT_SECONDS}s integration timeout")
        environment = {**{k: v for link in args.links for k, v in link.env.items()}, **args.environment}
        for key in environment:
            if _SECRET_LIKE.search(key) and not key.endswith("_ARN"):
                raise ValueError(f"function {name}: environment variable {key} looks like a secret; "
                                 f"store it in Secrets Manager and pass {key}_ARN instead")
        child = pulumi.ResourceOptions(parent=self)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name_prefix=f"/aws/lambda/{name}-",
            retention_in_days=runtime.log_retention_days, opts=child)

        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
                                 description=f"Execution role of {name}", opts=child)

        networks = [link.network for link in args.links if link.network]
        mount = _file_system(name, args.links, networks)
        self.security_group: aws.ec2.SecurityGroup | None = None
        vpc_config = None
        if networks:
            self.security_group = self._attach_network(name, networks, child)
            vpc_config = {"subnet_ids": networks[0].subnet_ids,
                          "security_group_ids": [self.security_group.id]}

        statements = [Statement(["logs:CreateLogStream", "logs:PutLogEvents"],
                                [self.log_group.arn.apply(lambda arn: f"{arn}:*")], "Logs")]
        if runtime.tracing:
            statements.append(Statement(XRAY_ACTIONS, ["*"], "Tracing"))
        if networks:
            statements.append(Statement(ENI_ACTIONS, ["*"], "VpcNetworkInterfaces"))
        statements += [s for link in args.links for s in link.statements]
        self.statements = statements
        self.policy = aws.iam.RolePolicy(f"{name}-policy", role=self.role.id,
                                         policy=policy_document(statements), opts=child)

        self.function = aws.lambda_.Function(
            name,
            description=args.description or f"{args.service} service",
            runtime=RUNTIME,
            architectures=[runtime.architecture],
            handler=args.handler,
            code=code_archive(args.service, args.handler, args.functions_dir),
            layers=list(args.layers),
            role=self.role.arn,
            timeout=timeout,
            memory_size=runtime.memory_mb,
            publish=True,
            environment={"variables": {
                contract.POWERTOOLS_SERVICE_NAME.name: args.service,
                contract.POWERTOOLS_METRICS_NAMESPACE.name: args.metrics_namespace,
                contract.LOG_LEVEL.name: "INFO",
                **environment,
            }},
            tracing_config={"mode": "Active" if runtime.tracing else "PassThrough"},
            logging_config={"log_format": "JSON", "log_group": self.log_group.name,
                            "application_log_level": "INFO", "system_log_level": "WARN"},
            vpc_config=vpc_config,
            file_system_config={"arn": mount.access_point_arn, "local_mount_path": mount.local_mount_path}
            if mount else None,
            # The policy must exist before the function: Lambda checks the ENI
            # permissions at creation and the first invocation needs the grants.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policy, *(mount.mount_targets if mount else ())]),
        )
        self.alias = aws.lambda_.Alias(f"{name}-alias", name=ALIAS, function_name=self.function.name,
                                       function_version=self.function.version, opts=child)

        self.name = self.function.name
        self.arn = self.function.arn
        self.alias_arn = self.alias.arn
        self.invoke_arn = self.alias.invoke_arn
        self.service = args.service
        self.handler = args.handler
        self._args = args
        self.register_outputs({"name": self.name, "arn": self.arn, "alias_arn": self.alias_arn,
                               "role_arn": self.role.arn, "log_group": self.log_group.name})

    def watch(self) -> Watch:
        """Invocations, errors, throttles, duration, concurrency, cold starts; alarms on errors, throttles
        and p99 duration (``watch_logic.lambda_metric`` builds the same per alias or version)."""
        args = self._args
        return watch_logic.function(self.pulumi_resource_name, self.name,
                                    timeout_seconds=args.runtime.timeout_seconds,
                                    metrics_namespace=args.metrics_namespace, service=args.service,
                                    cold_starts=args.cold_start_metric)

    def _attach_network(self, name: str, networks, child: pulumi.ResourceOptions) -> aws.ec2.SecurityGroup:
        group = aws.ec2.SecurityGroup(f"{name}-sg", vpc_id=networks[0].vpc_id,
                                      description=f"Lambda function {name}: egress only to what it is granted",
                                      opts=child)
        # HTTPS to AWS APIs (through the VPC's endpoints or NAT).
        aws.vpc.SecurityGroupEgressRule(f"{name}-egress-https", security_group_id=group.id, ip_protocol="tcp",
                                        from_port=443, to_port=443, cidr_ipv4="0.0.0.0/0",
                                        description="AWS APIs over HTTPS", opts=child)
        for index, network in enumerate(networks):
            suffix = f"{index}" if len(networks) > 1 else ""
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-egress{suffix}", security_group_id=group.id, ip_protocol="tcp",
                from_port=network.port, to_port=network.port,
                referenced_security_group_id=network.security_group_id,
                description=network.description, opts=child)
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-ingress{suffix}", security_group_id=network.security_group_id, ip_protocol="tcp",
                from_port=network.port, to_port=network.port,
                referenced_security_group_id=group.id,
                description=f"{network.description} from {name}", opts=child)
        return group


def _file_system(name: str, links: Sequence[Link], networks: Sequence) -> FileSystemMount | None:
    """The one file system a function may mount (Lambda takes one), in the VPC its mount targets are in."""
    mounts = [link.file_system for link in links if link.file_system]
    if not mounts:
        return None
    if len(mounts) > 1:
        raise ValueError(f"function {name}: {len(mounts)} file systems granted; Lambda mounts one")
    if not _MOUNT_PATH.match(mounts[0].local_mount_path):
        raise ValueError(f"function {name}: mount path {mounts[0].local_mount_path!r} must be /mnt/<name> "
                         f"(letters, digits, '.', '_', '-')")
    if not networks:
        raise ValueError(f"function {name}: a file system is reached through the VPC; its grant must carry "
                         f"network access")
    return mounts[0]
