"""VPC: flow logs, no open ingress, data ports only from security groups, endpoints instead of NAT."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, items, resource_rule, stack_rule
from policy.rules.common import FUNCTION, VPCS

PREFIX = "MT-VPC"

INGRESS = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:ec2/securityGroupRule:SecurityGroupRule")
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
DATA_PORTS = {5432, 3306, 6379, 6380, 11211, 2049, 27017}


def _is_ingress(rule: Resource) -> bool:
    return rule.type == INGRESS[0] or rule.get("type") == "ingress"


def _cidrs(rule: Resource) -> list[str]:
    return [c for key in ("cidrIpv4", "cidrIpv6", "cidrBlocks", "ipv6CidrBlocks") for c in items(rule.get(key))]


@stack_rule("MT-VPC-1", severity="medium", description="Every VPC has flow logs",
            remediation="Add an aws.ec2.FlowLog (traffic_type='ALL') for the VPC.")
def flow_logs(stack: Stack):
    logged = {urn for f in stack.of_type("aws:ec2/flowLog:FlowLog") for urn in f.dependencies}
    for vpc in stack.of_type(*VPCS):
        if vpc.urn not in logged:
            yield Finding(vpc, "no flow log")


@resource_rule("MT-VPC-2", INGRESS, severity="critical", description="No ingress from the whole internet",
               remediation="Allow ingress from a security group or the VPC's CIDR, never 0.0.0.0/0 or ::/0.")
def no_open_ingress(rule: Resource):
    if _is_ingress(rule) and {"0.0.0.0/0", "::/0"} & set(_cidrs(rule)):
        yield f"ingress from anywhere on ports {rule.get('fromPort')}-{rule.get('toPort')}"


@resource_rule("MT-VPC-3", INGRESS, description="Database and cache ports accept only security groups",
               remediation="Use referenced_security_group_id (the function's group), not a CIDR.")
def data_ports_from_groups(rule: Resource):
    if not _is_ingress(rule) or not _cidrs(rule):
        return
    low, high = rule.get("fromPort"), rule.get("toPort")
    if rule.get("ipProtocol") in ("-1", -1) or any(low <= port <= high for port in DATA_PORTS
                                                  if isinstance(low, (int, float)) and isinstance(high, (int, float))):
        yield f"data port range {low}-{high} open to {_cidrs(rule)}"


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


@resource_rule("MT-VPC-6", "awsx:ec2:Vpc", severity="low", description="VPCs need no NAT gateway",
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
