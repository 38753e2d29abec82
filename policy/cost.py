"""Offline cost: what a stack costs idle each month, and per million API requests.

Prices come from ``policy/prices.json`` (dated, us-east-1, a source page per price).
Idle cost is what runs with no traffic: interface endpoints, NAT, Aurora's minimum
capacity and storage, an RDS proxy, a serverless cache's metered minimum, WAF ACLs
and rules, KMS keys, alarms, dashboards (beyond the account's free three), metric filters' metrics,
secrets, hosted zones, API caches. The request path of
each route is API Gateway + Lambda (GB-seconds at the function's memory and
architecture, plus requests) + the authorizer + what the function's grants say it
touches (DynamoDB request units, cache ECPUs, S3 GETs) + logs, traces, WAF and data
transfer, with the per-request quantities of ``assumptions`` in the price file. A
pattern's per-million figure is the mean over its routes; the stack's is the mean
over its patterns (equal traffic each).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any, Mapping

from policy.core import Resource, Stack, get, items
from policy.rules.common import FUNCTION, REST_API, STAGE, VPCS, actions, operations, parse_json, role_policies

PRICES = Path(__file__).resolve().parent / "prices.json"
DYNAMO_READS = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"}
DYNAMO_WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:TransactWriteItems",
                 "dynamodb:BatchWriteItem"}


class PriceTable:
    """The dated price file: ``usd(name)`` and ``assume(name)``, failing clearly on a missing entry."""

    def __init__(self, raw: Mapping[str, Any]):
        self.raw = raw
        self.hours = raw["hours_per_month"]

    @classmethod
    def load(cls, path: Path = PRICES) -> "PriceTable":
        return cls(json.loads(path.read_text()))

    def usd(self, name: str) -> float:
        try:
            return float(self.raw["prices"][name]["usd"])
        except KeyError:
            raise KeyError(f"{PRICES.name} has no price {name!r}") from None

    def assume(self, name: str) -> float:
        try:
            return float(self.raw["assumptions"][name]["value"])
        except KeyError:
            raise KeyError(f"{PRICES.name} has no assumption {name!r}") from None


@dataclass(frozen=True)
class Line:
    pattern: str
    resource: str
    item: str
    usd: float


@dataclass(frozen=True)
class Route:
    pattern: str
    api: str
    method: str
    path: str
    parts: Mapping[str, float]

    @property
    def usd(self) -> float:
        return sum(self.parts.values())


@dataclass
class Estimate:
    stack: str
    idle: list[Line] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    not_priced: list[str] = field(default_factory=list)

    @property
    def patterns(self) -> list[str]:
        return sorted({line.pattern for line in self.idle} | {route.pattern for route in self.routes})

    def idle_monthly(self, pattern: str | None = None) -> float:
        return round(sum(line.usd for line in self.idle if pattern in (None, line.pattern)), 2)

    def per_million(self, pattern: str | None = None) -> float:
        if pattern is not None:
            routes = [r.usd for r in self.routes if r.pattern == pattern]
            return round(mean(routes), 2) if routes else 0.0
        served = [p for p in self.patterns if any(r.pattern == p for r in self.routes)]
        return round(mean(self.per_million(p) for p in served), 2) if served else 0.0

    def as_dict(self, prices: PriceTable) -> dict[str, Any]:
        return {
            "stack": self.stack, "region": prices.raw["region"], "prices_date": prices.raw["date"],
            "idle_monthly_usd": self.idle_monthly(), "per_million_requests_usd": self.per_million(),
            "patterns": {p: {"idle_monthly_usd": self.idle_monthly(p), "per_million_requests_usd": self.per_million(p),
                             "idle": [{"resource": line.resource, "item": line.item, "usd": round(line.usd, 2)}
                                      for line in self.idle if line.pattern == p],
                             "routes": [{"api": r.api, "method": r.method, "path": r.path, "usd": round(r.usd, 2),
                                         "parts": {k: round(v, 4) for k, v in r.parts.items()}}
                                        for r in self.routes if r.pattern == p]}
                         for p in self.patterns},
            "not_priced": self.not_priced,
            "assumptions": {k: v["value"] for k, v in prices.raw["assumptions"].items()},
        }


def pattern_of(stack: Stack, resource: Resource) -> str:
    """The ``pattern`` tag of the resource, or of the pattern component above it; else shared."""
    tagged = get(resource.props, "tags", "pattern")
    if tagged:
        return str(tagged)
    for ancestor in stack.ancestors(resource):
        if ancestor.type.startswith("multitier:patterns:"):
            return ancestor.name.replace("-", "_")
        if get(ancestor.props, "tags", "pattern"):
            return str(get(ancestor.props, "tags", "pattern"))
    return "shared"


def estimate(stack: Stack, prices: PriceTable | None = None) -> Estimate:
    prices = prices or PriceTable.load()
    result = Estimate(stack.name)
    _idle(stack, prices, result)
    _routes(stack, prices, result)
    # In a defined order, whatever order the program registered in: two estimates can be diffed.
    result.idle.sort(key=lambda line: (line.pattern, line.resource, line.item))
    result.routes.sort(key=lambda route: (route.pattern, route.api, route.path, route.method))
    result.not_priced.sort()
    return result


def _idle(stack: Stack, prices: PriceTable, out: Estimate) -> None:
    hours = prices.hours

    def add(resource: Resource, item: str, usd: float) -> None:
        out.idle.append(Line(pattern_of(stack, resource), resource.name, item, usd))

    serverless_db = False
    for r in stack.resources:
        if r.type == "aws:ec2/vpcEndpoint:VpcEndpoint" and r.get("vpcEndpointType") == "Interface":
            azs = len(items(r.get("subnetIds"))) or 1
            add(r, f"interface endpoint x {azs} AZ", azs * hours * prices.usd("vpc_interface_endpoint_az_hour"))
        elif r.type in VPCS or r.type == "aws:ec2/natGateway:NatGateway":
            gateways = _nat_gateways(r)
            if gateways:
                add(r, f"{gateways} NAT gateway(s)",
                    gateways * hours * (prices.usd("nat_gateway_hour") + prices.usd("public_ipv4_hour")))
        elif r.type == "aws:rds/cluster:Cluster":
            scaling = r.get("serverlessv2ScalingConfiguration")
            if scaling is None:
                out.not_priced.append(f"{r.name}: provisioned Aurora instances")
                continue
            serverless_db = True
            minimum = float(get(scaling, "minCapacity") or 0)
            add(r, f"Aurora Serverless v2 minimum {minimum:g} ACU",
                minimum * hours * prices.usd("aurora_serverless_v2_acu_hour"))
            add(r, "Aurora storage", prices.assume("aurora_storage_gb") * prices.usd("aurora_storage_gb_month"))
            if r.get("manageMasterUserPassword"):
                add(r, "RDS-managed master secret", prices.usd("secrets_manager_secret_month"))
        elif r.type == "aws:elasticache/serverlessCache:ServerlessCache":
            engine = "valkey" if r.get("engine") == "valkey" else "redis"
            gb = prices.usd(f"elasticache_serverless_{engine}_min_gb")
            add(r, f"serverless {engine} minimum {gb:g} GB",
                gb * hours * prices.usd(f"elasticache_serverless_{engine}_gb_hour"))
        elif r.type == "aws:elasticache/replicationGroup:ReplicationGroup":
            out.not_priced.append(f"{r.name}: ElastiCache nodes ({r.get('nodeType')})")
        elif r.type == "aws:wafv2/webAcl:WebAcl":
            rules = len(items(r.get("rules")))
            add(r, f"web ACL + {rules} rules", prices.usd("waf_web_acl_month") + rules * prices.usd("waf_rule_month"))
        elif r.type == "aws:kms/key:Key":
            add(r, "KMS key", prices.usd("kms_key_month"))
        elif r.type == "aws:cloudwatch/metricAlarm:MetricAlarm":
            add(r, "alarm", prices.usd("cloudwatch_alarm_month"))
        elif r.type == "aws:cloudwatch/logMetricFilter:LogMetricFilter":
            add(r, "metric filter's custom metric", prices.usd("cloudwatch_custom_metric_month"))
        elif r.type == "aws:secretsmanager/secret:Secret":
            add(r, "secret", prices.usd("secrets_manager_secret_month"))
        elif r.type == "aws:route53/zone:Zone":
            add(r, "hosted zone", prices.usd("route53_hosted_zone_month"))
        elif r.type == STAGE and r.get("cacheClusterEnabled"):
            if str(r.get("cacheClusterSize") or "0.5") != "0.5":
                out.not_priced.append(f"{r.name}: API cache of {r.get('cacheClusterSize')} GB")
            else:
                add(r, "API cache 0.5 GB", hours * prices.usd("apigateway_cache_0.5gb_hour"))
    # The account's free dashboards go to the first ones by name; the others cost a month each.
    dashboards = sorted(stack.of_type("aws:cloudwatch/dashboard:Dashboard"), key=lambda d: str(d.get("dashboardName")))
    free = int(prices.usd("cloudwatch_dashboards_free"))
    for index, dashboard in enumerate(dashboards):
        add(dashboard, "dashboard (free tier)" if index < free else "dashboard",
            0.0 if index < free else prices.usd("cloudwatch_dashboard_month"))
    for proxy in stack.of_type("aws:rds/proxy:Proxy"):
        if serverless_db:
            acus = prices.usd("rds_proxy_min_acus")
            add(proxy, f"RDS proxy (billed for {acus:g} ACUs)", acus * hours * prices.usd("rds_proxy_serverless_acu_hour"))
        else:
            out.not_priced.append(f"{proxy.name}: RDS proxy on provisioned instances")


def _nat_gateways(resource: Resource) -> int:
    if resource.type == "aws:ec2/natGateway:NatGateway":
        return 1
    strategy = get(resource.props, "natGateways", "strategy") or "OnePerAz"
    if strategy == "None":
        return 0
    return 1 if strategy == "Single" else int(resource.get("numberOfAvailabilityZones") or 3)


def _lambda_per_million(function: Resource, prices: PriceTable) -> float:
    architecture = (items(function.get("architectures")) or ["x86_64"])[0]
    gb_seconds = float(function.get("memorySize") or 128) / 1024 * prices.assume("lambda_billed_ms") / 1000
    return prices.usd("lambda_request_per_million") + gb_seconds * 1e6 * prices.usd(f"lambda_gb_second_{architecture}")


def _routes(stack: Stack, prices: PriceTable, out: Estimate) -> None:
    functions = {f.physical_name()[0]: f for f in stack.of_type(FUNCTION)}
    protected = {urn for a in stack.of_type("aws:wafv2/webAclAssociation:WebAclAssociation") for urn in a.dependencies}
    cache_engine = next(("valkey" if c.get("engine") == "valkey" else "redis"
                         for c in stack.of_type("aws:elasticache/serverlessCache:ServerlessCache")), "valkey")
    per_request_fixed = {
        "logs": prices.assume("log_kb_per_request") * prices.usd("cloudwatch_logs_ingest_gb"),
        "xray": prices.assume("xray_sampled_fraction") * prices.usd("xray_trace_per_million"),
        "data transfer": prices.assume("response_kb") * prices.usd("data_transfer_out_gb"),
    }
    for api in stack.of_type(REST_API):
        stages = [s for s in stack.of_type(STAGE) if api.urn in s.dependencies]
        if not stages:
            continue
        stage = stages[0]
        variables = stage.get("variables") or {}
        document = parse_json(api.get("body"))
        schemes = (document.get("components") or {}).get("securitySchemes") or {}
        for path, method, operation, _ in operations(document):
            if method == "options":
                continue
            target = re.search(r"\$\{stageVariables\.(\w+)\}", str(get(operation, "x-amazon-apigateway-integration",
                                                                         "uri") or ""))
            function = functions.get(str(variables.get(target.group(1), "")).split(":")[0]) if target else None
            parts = {"API Gateway": prices.usd("apigateway_rest_per_million"), **per_request_fixed}
            if stage.urn in protected:
                parts["WAF"] = prices.usd("waf_request_per_million")
            if function is not None:
                parts["Lambda"] = _lambda_per_million(function, prices)
                parts.update(_data_access(stack, function, method, prices, cache_engine))
            authorizer = _authorizer(operation, schemes, functions)
            if authorizer is not None:
                parts["authorizer"] = prices.assume("authorizer_invocations_per_request") * _lambda_per_million(
                    authorizer, prices)
            out.routes.append(Route(pattern_of(stack, api), api.name, method.upper(), path, parts))


def _authorizer(operation: Mapping[str, Any], schemes: Mapping[str, Any], functions: Mapping[str, Resource]):
    for requirement in items(operation.get("security")):
        for name in requirement:
            uri = str(get(schemes, name, "x-amazon-apigateway-authorizer", "authorizerUri") or "")
            found = re.search(r":function:([^:/]+)", uri)
            if found and found.group(1) in functions:
                return functions[found.group(1)]
    return None


def _data_access(stack: Stack, function: Resource, method: str, prices: PriceTable, cache_engine: str) -> dict:
    granted = {a for s in role_policies(stack, function) for a in actions(s)}
    parts = {}
    if method == "get" and granted & DYNAMO_READS:
        parts["DynamoDB"] = prices.assume("dynamodb_rru_per_read") * prices.usd("dynamodb_read_request_unit_per_million")
    elif method != "get" and granted & DYNAMO_WRITES:
        parts["DynamoDB"] = prices.assume("dynamodb_wru_per_write") * prices.usd(
            "dynamodb_write_request_unit_per_million")
    if "elasticache:Connect" in granted:
        parts["cache"] = prices.assume("cache_ecpus_per_request") * prices.usd(
            f"elasticache_serverless_{cache_engine}_ecpu_per_million")
    if method == "get" and "s3:GetObject" in granted:
        parts["S3"] = prices.usd("s3_get_per_million")
    return parts
