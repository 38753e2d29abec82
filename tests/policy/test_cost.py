"""The offline cost estimate: dated prices with sources, idle cost and the request path per pattern."""

from __future__ import annotations

import json

import pytest

from policy import cli, cost, recorded
from tests.policy.builders import build, res
from tests.policy.cases import FUNCTION, PERMISSION_API, STAGE_OK, api, with_role


def test_every_price_is_dated_and_names_its_source():
    prices = cost.PriceTable.load()
    assert prices.raw["region"] == "us-east-1" and prices.raw["date"]
    assert all(p["source"].startswith("https://") for p in prices.raw["prices"].values())
    assert all(a["why"] for a in prices.raw["assumptions"].values())


def test_a_missing_price_is_named():
    with pytest.raises(KeyError, match="no price 'nope'"):
        cost.PriceTable.load().usd("nope")


def test_idle_cost_counts_endpoint_hours_per_az_and_minimum_capacity():
    stack = build([res("aws:ec2/vpcEndpoint:VpcEndpoint", "secrets", {"vpcEndpointType": "Interface",
                                                                       "subnetIds": ["a", "b", "c"]}),
                   res("aws:rds/cluster:Cluster", "db", {"serverlessv2ScalingConfiguration": {"minCapacity": 0.5}}),
                   res("awsx:ec2:Vpc", "net", {"natGateways": {"strategy": "Single"}})])
    estimate = cost.estimate(stack)
    items = {line.item: line.usd for line in estimate.idle}
    assert items["interface endpoint x 3 AZ"] == pytest.approx(3 * 730 * 0.01)
    assert items["Aurora Serverless v2 minimum 0.5 ACU"] == pytest.approx(0.5 * 730 * 0.12)
    assert items["1 NAT gateway(s)"] == pytest.approx(730 * (0.045 + 0.005))


def test_a_route_costs_api_gateway_lambda_and_what_the_function_touches():
    specs = [api(), STAGE_OK, FUNCTION, PERMISSION_API,
             *with_role([{"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "arn:aws:dynamodb:t"}])]
    estimate = cost.estimate(build(specs))
    [route] = estimate.routes
    lambda_cost = 0.20 + 0.25 * 0.1 * 1e6 * 0.0000133334
    assert route.parts["API Gateway"] == 3.50 and route.parts["Lambda"] == pytest.approx(lambda_cost)
    assert route.parts["DynamoDB"] == pytest.approx(0.125)
    assert estimate.per_million() == pytest.approx(route.usd, abs=0.01)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cost_json_has_stack_and_pattern_totals(monkeypatch, capsys, request, stack):
    monkeypatch.setattr(recorded, "record", lambda name: request.getfixturevalue(stack))
    cli.run_cost(argparse_args(stack=stack, json=True))
    result = json.loads(capsys.readouterr().out)
    assert {"idle_monthly_usd", "per_million_requests_usd", "patterns"} <= set(result)
    served = {"mobile_backend", "single_page_app", "web_app", "microservices"}
    assert served <= set(result["patterns"])
    for name in served:
        assert result["patterns"][name]["per_million_requests_usd"] > 3.5  # at least API Gateway's own price
    assert result["idle_monthly_usd"] == pytest.approx(sum(p["idle_monthly_usd"] for p in result["patterns"].values()),
                                                       abs=0.05)


def test_prod_idles_dearer_than_dev(dev, prod):
    assert cost.estimate(prod).idle_monthly() > cost.estimate(dev).idle_monthly() > 0


def argparse_args(**values):
    import argparse

    return argparse.Namespace(**{"json": False, **values})
