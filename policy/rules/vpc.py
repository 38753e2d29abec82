"""VPC: flow logs, security-group rules (inline and as resources alike), endpoints instead of NAT."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_network

from policy.core import Finding, Resource, Stack, items, resource_rule, stack_rule
from policy.rules.common import FUNCTION, VPCS

PREFIX = "MT-VPC"

GROUP = "aws:ec2/securityGroup:SecurityGroup"
RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
RULE_TYPES = (GROUP, RULE, INGRESS, EGRESS)
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
DATA_PORTS = {5432, 3306, 6379, 6380, 11211, 2049, 27017}
ALL_PROTOCOLS = ("-1", "all")
DEFAULT_DESCRIPTION = "Managed by Pulumi"  # what pulumi-aws writes when a group has no description


@dataclass(frozen=True)
class SgRule:
    """One security-group rule, however it is declared (inline in the group, or a resource of its own)."""

    direction: str  # "ingress" or "egress"
    protocol: str
    ports: tuple[float, float] | None  # None: every port
    cidrs: tuple[str, ...]
    description: str
    where: str  # "" for a rule resource, "ingress[0]" for an inline rule

    @property
    def open_to_all(self) -> bool:
        """From or to any address: a CIDR of prefix length 0."""
        return any(ip_network(c, strict=False).prefixlen == 0 for c in self.cidrs if _network(c))

    def covers(self, port: int) -> bool:
        return self.ports is None or self.ports[0] <= port <= self.ports[1]


def _network(cidr: str) -> bool:
    try:
        ip_network(cidr, strict=False)
    except ValueError:
        return False
    return True


def _sg_rule(entry, direction: str, where: str) -> SgRule:
    protocol = str(entry.get("ipProtocol", entry.get("protocol", "")) or "").lower()
    low, high = entry.get("fromPort"), entry.get("toPort")
    every = protocol in ALL_PROTOCOLS or (low in (0, None) and high in (65535, None) and protocol != "icmp")
    ports = None if every or not isinstance(low, (int, float)) or not isinstance(high, (int, float)) else (low, high)
    cidrs = tuple(str(c) for key in ("cidrIpv4", "cidrIpv6", "cidrBlocks", "ipv6CidrBlocks")
                  for c in items(entry.get(key)))
    return SgRule(direction, protocol, ports, cidrs, str(entry.get("description") or ""), where)


def sg_rules(resource: Resource) -> list[SgRule]:
    """The rules a group declares inline, or the one rule a rule resource is."""
    if resource.type == GROUP:
        return [_sg_rule(entry, direction, f"{direction}[{i}]") for direction in ("ingress", "egress")
                for i, entry in enumerate(items(resource.get(direction)))]
    direction = {INGRESS: "ingress", EGRESS: "egress"}.get(resource.type) or str(resource.get("type"))
    return [_sg_rule(resource.props, direction, "")]


def _named(rule: SgRule) -> str:
    ports = "every port" if rule.ports is None else f"ports {rule.ports[0]:g}-{rule.ports[1]:g}"
    return f"{rule.where + ': ' if rule.where else ''}{rule.direction} on {ports}"


@stack_rule("MT-VPC-1", severity="medium", description="Every VPC has flow logs of all traffic",
            remediation="Add an aws.ec2.FlowLog with traffic_type='ALL' for the VPC (ACCEPT or REJECT alone miss "
                        "half of what an investigation needs).")
def flow_logs(stack: Stack):
    logged = {urn for f in stack.of_type("aws:ec2/flowLog:FlowLog") if f.get("trafficType") == "ALL"
              and f.get("vpcId") for urn in f.dependencies}  # a subnet's or an interface's log is not the VPC's
    for vpc in stack.of_type(*VPCS):
        if vpc.urn not in logged:
            yield Finding(vpc, "no flow log of ALL traffic")


@resource_rule("MT-VPC-2", RULE_TYPES, severity="critical", description="No ingress from the whole internet",
               remediation="Allow ingress from a security group, a prefix list or the VPC's CIDR, never 0.0.0.0/0 "
                           "or ::/0.")
def no_open_ingress(resource: Resource):
    for rule in sg_rules(resource):
        if rule.direction == "ingress" and rule.open_to_all:
            yield f"{_named(rule)} from {list(rule.cidrs)}"


@resource_rule("MT-VPC-3", RULE_TYPES, description="Database and cache ports accept only security groups",
               remediation="Use referenced_security_group_id (the function's group), not a CIDR.")
def data_ports_from_groups(resource: Resource):
    for rule in sg_rules(resource):
        if rule.direction == "ingress" and rule.cidrs and any(rule.covers(port) for port in DATA_PORTS):
            yield f"{_named(rule)} reaches data ports from {list(rule.cidrs)}"


@resource_rule("MT-VPC-4", "awsx:ec2:Vpc", severity="medium",
               description="VPCs reach S3 and DynamoDB through gateway endpoints",
               remediation="Add Gateway vpc_endpoint_specs for com.amazonaws.<region>.s3 and .dynamodb.")
def gateway_endpoints(vpc: Resource):
    services = {str(s.get("serviceName")).rsplit(".", 1)[-1] for s in items(vpc.get("vpcEndpointSpecs"))
                if s.get("vpcEndpointType", "Gateway") == "Gateway"}
    for service in sorted({"s3", "dynamodb"} - services):
        yield f"no {service} gateway endpoint"


@resource_rule("MT-VPC-5", ENDPOINT, severity="medium",
               description="Interface endpoints resolve privately and sit behind a security group",
               remediation="Set private_dns_enabled=True and security_group_ids on Interface endpoints.")
def interface_endpoints(endpoint: Resource):
    if endpoint.get("vpcEndpointType") != "Interface":
        return
    if not endpoint.get("privateDnsEnabled"):
        yield "private DNS is off"
    if not items(endpoint.get("securityGroupIds")):
        yield "no security group"


@resource_rule("MT-VPC-6", "awsx:ec2:Vpc", severity="low", level="advisory",
               description="VPCs need no NAT gateway: endpoints cost less (a trade-off where a function calls the "
                           "internet)",
               remediation="Set nat_gateways={'strategy': 'None'} and use VPC endpoints (networkNat: none).")
def no_nat(vpc: Resource):
    if (vpc.get("natGateways") or {}).get("strategy") != "None":
        yield f"NAT strategy {(vpc.get('natGateways') or {}).get('strategy') or 'OnePerAz (default)'}"


@stack_rule("MT-VPC-7", severity="medium",
            description="Traced functions in a VPC without NAT reach X-Ray through an interface endpoint",
            remediation="Add an Interface endpoint for com.amazonaws.<region>.xray (Network interface_services) "
                        "or route the function's subnets through NAT.")
def xray_endpoint(stack: Stack):
    if not any((vpc.get("natGateways") or {}).get("strategy") == "None" for vpc in stack.of_type(*VPCS)):
        return
    if any(e.get("vpcEndpointType") == "Interface" and str(e.get("serviceName")).endswith(".xray")
           for e in stack.of_type(ENDPOINT)):
        return
    for function in stack.of_type(FUNCTION):
        if function.get("vpcConfig", "subnetIds") and function.get("tracingConfig", "mode") == "Active":
            yield Finding(function, "active tracing in a VPC without NAT or an xray endpoint: the function's "
                                    "trace segments never reach X-Ray")


@resource_rule("MT-VPC-8", RULE_TYPES, severity="low",
               description="Security groups and their rules say what they are for",
               remediation="Give every group and rule a description (EC2 allows a-zA-Z0-9, spaces and "
                           "._-:/()#,@[]+=;{}!$*).")
def described(resource: Resource):
    if resource.type == GROUP and str(resource.get("description") or DEFAULT_DESCRIPTION) == DEFAULT_DESCRIPTION:
        yield "the group has no description of its own"
    for rule in sg_rules(resource):
        if not rule.description.strip():
            yield f"{_named(rule)} has no description"


@resource_rule("MT-VPC-9", RULE_TYPES, description="No egress on every port to the whole internet",
               remediation="Allow egress to the ports and destinations the workload uses (HTTPS to AWS APIs, the "
                           "database's group).")
def no_open_egress(resource: Resource):
    for rule in sg_rules(resource):
        if rule.direction == "egress" and rule.ports is None and rule.open_to_all:
            yield f"{_named(rule)} to {list(rule.cidrs)}"
