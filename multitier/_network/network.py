"""Network: the VPC the private data tier lives in, with endpoints instead of NAT.

Subnets: with ``nat = none`` the VPC has only isolated subnets (no internet
gateway, no public subnets, nothing to pay for by the hour except interface
endpoints); with NAT it has public subnets for the gateways and private subnets
routed through them. ``private_subnet_ids`` is whichever of the two the data
tier and VPC functions should use.

AWS APIs are reached through VPC endpoints: gateway endpoints (DynamoDB, S3,
free) declared in awsx's ``vpc_endpoint_specs`` so awsx attaches them to the
VPC's route tables itself (``vpc_endpoint_strategy = Auto``), and interface
endpoints (Secrets Manager, ...) created here with their own security group
that admits HTTPS from the VPC's CIDR only.

Zones are chosen by zone id, not name (names map to different zones in every
account), leaving out the ids where a service of the data tier is not offered:
RDS Proxy is not available in use1-az3 (Amazon RDS User Guide, RDS Proxy
limitations). The layout (CIDR, zones, NAT) cannot change in place once
deployed: ``NetworkLayout`` refuses it in the preview (``layout.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from multitier._iam import Statement, assume_role_policy, policy_document
from multitier._network.layout import NetworkLayout

GATEWAY_SERVICES = ("dynamodb", "s3")
# X-Ray: without NAT, a traced function's own segments reach X-Ray only through its endpoint.
DEFAULT_INTERFACE_SERVICES = ("secretsmanager", "xray")
FLOW_LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams")
_NAT = {"none": "None", "single": "Single", "one_per_az": "OnePerAz"}
# Zone ids where a service the data tier uses is not offered (RDS Proxy: use1-az3).
UNSUPPORTED_ZONE_IDS = ("use1-az3",)


@dataclass
class NetworkArgs:
    """Inputs of a Network.

    ``cidr`` is split over ``az_count`` availability zones; ``nat`` none keeps the
    subnets isolated (AWS APIs through endpoints only); flow logs are kept
    ``flow_log_retention_days``. ``interface_services`` are the short names of AWS
    services reached through interface endpoints (``com.amazonaws.<region>.<service>``);
    ``region`` is read from the provider when not given (awsx needs plain service names).
    ``exclude_zone_ids``: zones (by id) the VPC must not use.
    """

    cidr: str = "10.20.0.0/16"
    az_count: int = 2
    nat: Literal["none", "single", "one_per_az"] = "none"
    flow_log_retention_days: int = 14
    interface_services: Sequence[str] = DEFAULT_INTERFACE_SERVICES
    region: str | None = None
    exclude_zone_ids: Sequence[str] = UNSUPPORTED_ZONE_IDS


class Network(pulumi.ComponentResource):
    """A VPC with private subnets, gateway and interface endpoints, and flow logs."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        region = args.region or aws.get_region(opts=pulumi.InvokeOptions(parent=self)).region
        self.region = region
        with_nat = args.nat != "none"
        subnet_specs = ([awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PUBLIC),
                         awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PRIVATE)]
                        if with_nat else [awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.ISOLATED)])

        self.zones = aws.get_availability_zones_output(
            state="available", exclude_zone_ids=list(args.exclude_zone_ids),
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOutputOptions(parent=self)).names.apply(lambda names: _first(name, names, args.az_count))
        self.layout = NetworkLayout(f"{name}-layout", cidr=args.cidr, zones=self.zones, nat=args.nat, opts=child)
        self.vpc = awsx.ec2.Vpc(
            name,
            cidr_block=args.cidr,
            availability_zone_names=self.zones,
            subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
            subnet_specs=subnet_specs,
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy(_NAT[args.nat])),
            # Interface endpoints with private DNS need both.
            enable_dns_hostnames=True,
            enable_dns_support=True,
            vpc_endpoint_strategy=awsx.ec2.VpcEndpointStrategy.AUTO,
            vpc_endpoint_specs=[awsx.ec2.VpcEndpointSpecArgs(service_name=f"com.amazonaws.{region}.{service}",
                                                             vpc_endpoint_type="Gateway")
                                for service in GATEWAY_SERVICES],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.layout]))
        self.vpc_id = self.vpc.vpc_id
        self.cidr = args.cidr
        self.private_subnet_ids = self.vpc.private_subnet_ids if with_nat else self.vpc.isolated_subnet_ids
        self.public_subnet_ids = self.vpc.public_subnet_ids

        self.endpoint_security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoints", vpc_id=self.vpc_id,
            description=f"Interface endpoints of {name}: HTTPS from inside the VPC only", opts=child)
        self.endpoint_ingress = aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-https", security_group_id=self.endpoint_security_group.id, ip_protocol="tcp",
            from_port=443, to_port=443, cidr_ipv4=args.cidr, description="HTTPS from the VPC", opts=child)
        self.interface_endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        for service in args.interface_services:
            self.add_interface_endpoint(service)

        self.flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs", name_prefix=f"/aws/vpc/flow-logs/{name}-",
            retention_in_days=args.flow_log_retention_days, opts=child)
        self.flow_log_role = aws.iam.Role(
            f"{name}-flow-logs-role", description=f"VPC flow logs of {name}",
            assume_role_policy=assume_role_policy("vpc-flow-logs.amazonaws.com"), opts=child)
        group_arn = self.flow_log_group.arn
        self.flow_log_policy = aws.iam.RolePolicy(
            f"{name}-flow-logs-policy", role=self.flow_log_role.id,
            policy=policy_document([Statement(FLOW_LOG_ACTIONS, [group_arn, group_arn.apply(lambda a: f"{a}:*")])]),
            opts=child)
        self.flow_log = aws.ec2.FlowLog(
            f"{name}-flow-log", vpc_id=self.vpc_id, traffic_type="ALL", log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn, iam_role_arn=self.flow_log_role.arn,
            max_aggregation_interval=60,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.flow_log_policy]))

        self.register_outputs({"vpc_id": self.vpc_id, "private_subnet_ids": self.private_subnet_ids,
                               "cidr": self.cidr, "flow_log_group": self.flow_log_group.name})

    def add_interface_endpoint(self, service: str) -> aws.ec2.VpcEndpoint:
        """An interface endpoint for ``service`` in the private subnets, private DNS on."""
        if service in self.interface_endpoints:
            return self.interface_endpoints[service]
        endpoint = aws.ec2.VpcEndpoint(
            f"{self.pulumi_resource_name}-{service}", vpc_id=self.vpc_id,
            service_name=f"com.amazonaws.{self.region}.{service}",
            vpc_endpoint_type="Interface", private_dns_enabled=True, subnet_ids=self.private_subnet_ids,
            security_group_ids=[self.endpoint_security_group.id], opts=pulumi.ResourceOptions(parent=self))
        self.interface_endpoints[service] = endpoint
        return endpoint


def _first(network: str, zones: list[str], count: int) -> list[str]:
    if len(zones) < count:
        raise ValueError(f"network {network}: {count} availability zones wanted, but the region offers "
                         f"{len(zones)} usable ones ({', '.join(zones)}; {', '.join(UNSUPPORTED_ZONE_IDS)} left out)")
    return sorted(zones)[:count]
