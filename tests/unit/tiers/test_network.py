"""Network: no NAT by default, gateway + interface endpoints, flow logs."""

import json

import pulumi

from multitier._network.network import Network, NetworkArgs

VPC = "awsx:ec2:Vpc"


def _network(**kw):
    def program():
        net = Network("net", NetworkArgs(**kw))
        pulumi.export("private", net.private_subnet_ids)
    return program


def test_default_has_no_nat_and_only_isolated_subnets(run):
    rec = run(_network())
    inputs = rec.one(VPC).inputs
    assert inputs["natGateways"] == {"strategy": "None"}
    assert inputs["subnetSpecs"] == [{"type": "Isolated"}]
    assert inputs["cidrBlock"] == "10.20.0.0/16" and inputs["availabilityZoneNames"] == ["us-east-1a", "us-east-1b"]
    assert inputs["enableDnsHostnames"] is True and inputs["enableDnsSupport"] is True
    assert rec.outputs["private"] == rec.one(VPC).outputs["isolatedSubnetIds"] and rec.outputs["private"]


def test_nat_maps_to_awsx_strategies_with_private_subnets(run):
    for nat, strategy in (("single", "Single"), ("one_per_az", "OnePerAz")):
        rec = run(_network(nat=nat))
        inputs = rec.one(VPC).inputs
        assert inputs["natGateways"] == {"strategy": strategy}
        assert [s["type"] for s in inputs["subnetSpecs"]] == ["Public", "Private"]
        assert rec.outputs["private"] == rec.one(VPC).outputs["privateSubnetIds"]


def test_dev_single_az(run):
    assert run(_network(az_count=1)).one(VPC).inputs["availabilityZoneNames"] == ["us-east-1a"]


def test_zones_are_chosen_by_id_without_those_rds_proxy_lacks(run):
    # GIVEN an account where us-east-1e is use1-az3 (the offline engine's zones), THEN three zones skip it
    rec = run(_network(az_count=3))
    assert rec.one(VPC).inputs["availabilityZoneNames"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    rec = run(_network(az_count=5))
    assert rec.one(VPC).inputs["availabilityZoneNames"] == ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d",
                                                            "us-east-1f"]


def test_more_zones_than_the_region_offers_fail_by_name(run):
    import pytest

    with pytest.raises(Exception, match="6 availability zones wanted, but the region offers 5 usable ones"):
        run(_network(az_count=6))


def test_the_layout_is_recorded_and_the_vpc_waits_for_it(run):
    rec = run(_network(az_count=2, cidr="10.30.0.0/16"))
    layout = rec.one("pulumi-python:dynamic/network:Layout")
    assert {k: layout.inputs[k] for k in ("cidr", "zones", "nat")} == {
        "cidr": "10.30.0.0/16", "zones": ["us-east-1a", "us-east-1b"], "nat": "none"}
    assert layout.urn in rec.one(VPC).dependencies


def test_a_new_layout_is_refused_in_the_preview_with_what_it_would_take():
    from multitier._network.layout import _LayoutProvider

    olds = {"cidr": "10.20.0.0/16", "zones": ["us-east-1a", "us-east-1b"], "nat": "none"}
    assert _LayoutProvider().check({}, olds).failures == []  # created: nothing to compare with
    assert _LayoutProvider().check(olds, dict(olds)).failures == []
    failures = _LayoutProvider().check(olds, {**olds, "zones": ["us-east-1a", "us-east-1b", "us-east-1c"],
                                              "cidr": "10.30.0.0/16"}).failures
    assert [f.property for f in failures] == ["cidr", "zones"]
    assert "cannot change from 10.20.0.0/16 to 10.30.0.0/16 in place" in failures[0].reason
    assert "us-east-1a, us-east-1b to us-east-1a, us-east-1b, us-east-1c" in failures[1].reason
    assert "deploy a new stack with the new layout and move the data" in failures[1].reason


def test_gateway_endpoints_for_dynamodb_and_s3_on_the_route_tables(run):
    inputs = run(_network()).one(VPC).inputs
    assert inputs["vpcEndpointStrategy"] == "Auto"  # awsx attaches gateway endpoints to the route tables
    assert inputs["vpcEndpointSpecs"] == [
        {"serviceName": "com.amazonaws.us-east-1.dynamodb", "vpcEndpointType": "Gateway"},
        {"serviceName": "com.amazonaws.us-east-1.s3", "vpcEndpointType": "Gateway"}]


def test_secrets_manager_interface_endpoint_private_dns_in_private_subnets(run):
    rec = run(_network())
    endpoint = rec.one("aws:ec2/vpcEndpoint:VpcEndpoint", "secretsmanager").inputs
    group = rec.one("aws:ec2/securityGroup:SecurityGroup", "endpoints")
    assert endpoint["serviceName"] == "com.amazonaws.us-east-1.secretsmanager"
    assert endpoint["vpcEndpointType"] == "Interface" and endpoint["privateDnsEnabled"] is True
    assert endpoint["subnetIds"] == rec.outputs["private"]
    assert endpoint["securityGroupIds"] == [group.id]


def test_endpoint_group_admits_only_https_from_the_vpc_cidr(run):
    rec = run(_network())
    group = rec.one("aws:ec2/securityGroup:SecurityGroup", "endpoints")
    assert "ingress" not in group.inputs and "egress" not in group.inputs
    rules = [r for r in rec.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
             if r.inputs["securityGroupId"] == group.id]
    assert [(r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"])
            for r in rules] == [("tcp", 443, 443, "10.20.0.0/16")]


def test_flow_logs_to_a_retained_group_with_an_exact_role(run):
    rec = run(_network(flow_log_retention_days=30))
    group = rec.one("aws:cloudwatch/logGroup:LogGroup", "flow-logs")
    flow = rec.one("aws:ec2/flowLog:FlowLog").inputs
    assert group.inputs["retentionInDays"] == 30
    assert flow["trafficType"] == "ALL" and flow["logDestinationType"] == "cloud-watch-logs"
    assert flow["logDestination"] == group.outputs["arn"]
    assert flow["vpcId"] == rec.one(VPC).outputs["vpcId"]
    role = rec.one("aws:iam/role:Role", "flow-logs")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                      "Action": "sts:AssumeRole"}]
    assert flow["iamRoleArn"] == role.outputs["arn"]
    [statement] = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "flow-logs").inputs["policy"])["Statement"]
    arn = group.outputs["arn"]
    assert statement["Action"] == sorted(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"])
    assert statement["Resource"] == [arn, f"{arn}:*"]


def test_every_child_is_parented_to_the_component(run):
    rec = run(_network())
    component = rec.one("multitier:network:Network")
    assert {r.name for r in rec.children_of(component)} >= {"net", "net-endpoints", "net-flow-log",
                                                            "net-secretsmanager"}
