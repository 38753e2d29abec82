"""What each watched resource emits: namespace → metric → the dimension sets it is published with.

A metric named with dimensions its service does not publish has no data: a chart stays
empty and an alarm never fires (DynamoDB publishes ``ThrottledRequests`` only per
``TableName`` *and* ``Operation``, for example). Every ``Metric`` is checked here when it is
made; each namespace names the page its table was read from. Namespaces outside ``AWS/``
are the services' own: Powertools' embedded metric format (ColdStart per function, business
metrics per service) and the access-log metric filter of ``ACCESS_LOG_NAMESPACE``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

# Dashboard body limits (CloudWatch's "Dashboard Body Structure and Syntax").
MAX_WIDGETS = 500
MAX_METRICS_PER_WIDGET = 100
MAX_ALARMS_PER_ALARM_WIDGET = 100
ACCESS_LOG_NAMESPACE = "multitier/ApiGateway"

Dims = frozenset[str]


def _dims(*sets: tuple[str, ...]) -> tuple[Dims, ...]:
    return tuple(frozenset(s) for s in sets)


@dataclass(frozen=True)
class Namespace:
    """``metrics``: name → the dimension sets it is published with; ``stats``: the only statistic
    a metric takes, where its service allows one."""

    source: str
    metrics: Mapping[str, tuple[Dims, ...]]
    stats: Mapping[str, str] = field(default_factory=dict)


def _same(dimension_sets: tuple[Dims, ...], *names: str) -> dict[str, tuple[Dims, ...]]:
    return {name: dimension_sets for name in names}


_API = _dims(("ApiName",), ("ApiName", "Stage"), ("ApiName", "Method", "Resource", "Stage"))
_LAMBDA = _dims((), ("FunctionName",), ("FunctionName", "Resource"), ("FunctionName", "Resource", "ExecutedVersion"))
_TABLE = _dims(("TableName",))
_TABLE_INDEX = _dims(("TableName",), ("TableName", "GlobalSecondaryIndexName"))
_TABLE_OPERATION = _dims(("TableName", "Operation"))
_RDS = _dims(("DBClusterIdentifier",), ("DBInstanceIdentifier",), ("DBClusterIdentifier", "Role"))
_PROXY = _dims(("ProxyName",), ("ProxyName", "EndpointName"), ("ProxyName", "TargetGroup", "Target"),
               ("ProxyName", "TargetGroup", "TargetRole"))
_CACHE = _dims(("clusterId",), ("CacheClusterId",), ("CacheClusterId", "CacheNodeId"))
_WAF = _dims(("Region", "Rule", "WebACL"), ("Rule", "WebACL"), ("Region", "Rule", "RuleGroup", "WebACL"),
             ("Rule", "RuleGroup", "WebACL"))

NAMESPACES: dict[str, Namespace] = {
    "AWS/ApiGateway": Namespace(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html",
        _same(_API, "4XXError", "5XXError", "CacheHitCount", "CacheMissCount", "Count", "IntegrationLatency",
              "Latency")),
    "AWS/Lambda": Namespace(
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
        _same(_LAMBDA, "Invocations", "Errors", "DeadLetterErrors", "DestinationDeliveryFailures", "Throttles",
              "OversizedRecordCount", "ProvisionedConcurrencyInvocations", "ProvisionedConcurrencySpilloverInvocations",
              "RecursiveInvocationsDropped", "Duration", "PostRuntimeExtensionsDuration", "IteratorAge", "OffsetLag",
              "ConcurrentExecutions", "ProvisionedConcurrentExecutions", "ProvisionedConcurrencyUtilization",
              "AsyncEventsReceived", "AsyncEventAge", "AsyncEventsDropped")
        | _same(_dims(()), "UnreservedConcurrentExecutions", "ClaimedAccountConcurrency")),
    "AWS/DynamoDB": Namespace(
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html",
        _same(_TABLE_INDEX, "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits", "ReadThrottleEvents",
              "WriteThrottleEvents", "ProvisionedReadCapacityUnits", "ProvisionedWriteCapacityUnits")
        | _same(_TABLE, "ConditionalCheckFailedRequests", "TransactionConflict", "TimeToLiveDeletedItemCount")
        | _same(_TABLE_OPERATION, "SuccessfulRequestLatency", "SystemErrors", "ThrottledRequests", "ReturnedItemCount")
        | _same(_dims(()), "UserErrors")),
    "AWS/RDS": Namespace(
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html and "
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy.monitoring.html",
        _same(_RDS, "ServerlessDatabaseCapacity", "ACUUtilization", "CPUUtilization", "FreeableMemory",
              "ReadLatency", "WriteLatency", "Deadlocks")
        | _same(_PROXY, "ClientConnections", "QueryRequests", "DatabaseConnectionsCurrentlyBorrowed",
                "AvailabilityPercentage")
        | {"DatabaseConnections": _RDS + _PROXY}),
    "AWS/ElastiCache": Namespace(
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/serverless-metrics-events-redis.html",
        _same(_CACHE, "BytesUsedForCache", "ElastiCacheProcessingUnits", "SuccessfulReadRequestLatency",
              "SuccessfulWriteRequestLatency", "TotalCmdsCount", "CacheHitRate", "CacheHits", "CacheMisses",
              "CurrConnections", "ThrottledCmds", "NewConnections", "CurrItems", "NetworkBytesIn", "NetworkBytesOut",
              "Evictions", "EngineCPUUtilization", "DatabaseMemoryUsagePercentage")),
    "AWS/Cognito": Namespace(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/metrics-for-cognito-user-pools.html",
        _same(_dims(("UserPool", "UserPoolClient")), "SignUpSuccesses", "SignUpThrottles", "SignInSuccesses",
              "SignInThrottles", "TokenRefreshSuccesses", "TokenRefreshThrottles", "FederationSuccesses",
              "FederationThrottles")),
    "AWS/CloudFront": Namespace(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html",
        _same(_dims(("DistributionId", "Region")), "Requests", "BytesDownloaded", "BytesUploaded", "4xxErrorRate",
              "5xxErrorRate", "TotalErrorRate", "CacheHitRate"),
        stats={"Requests": "Sum", "BytesDownloaded": "Sum", "BytesUploaded": "Sum", "4xxErrorRate": "Average",
               "5xxErrorRate": "Average", "TotalErrorRate": "Average", "CacheHitRate": "Average"}),
    "AWS/AmplifyHosting": Namespace(
        "https://docs.aws.amazon.com/amplify/latest/userguide/access-logs.html#monitoring-with-cloudwatch",
        _same(_dims(("App",)), "Requests", "BytesDownloaded", "BytesUploaded", "4xxErrors", "5xxErrors", "Latency")),
    "AWS/WAFV2": Namespace(
        "https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html",
        _same(_WAF, "AllowedRequests", "BlockedRequests", "CountedRequests", "PassedRequests", "CaptchaRequests",
              "ChallengeRequests")),
    "AWS/EFS": Namespace(
        "https://docs.aws.amazon.com/efs/latest/ug/efs-metrics.html",
        _same(_dims(("FileSystemId",)), "ClientConnections", "BurstCreditBalance", "PercentIOLimit",
              "PermittedThroughput", "MeteredIOBytes", "TotalIOBytes", "DataReadIOBytes", "DataWriteIOBytes",
              "MetadataIOBytes")
        | {"StorageBytes": _dims(("FileSystemId", "StorageClass"))}),
    ACCESS_LOG_NAMESPACE: Namespace(
        "multitier/_logic/api_stage.py: the stage's metric filter on its JSON access log (status 429)",
        {"ThrottledRequests": _dims(("ApiId", "Stage"))}),
}

# A service's own namespace: Powertools Metrics (EMF) puts ``service`` on every metric it emits and
# ``function_name`` + ``service`` on ColdStart (capture_cold_start_metric).
POWERTOOLS = Namespace("https://docs.powertools.aws.dev/lambda/python/latest/core/metrics/",
                       {"ColdStart": _dims(("function_name", "service"))})
POWERTOOLS_DIMENSIONS = _dims(("service",))


class UnknownMetric(ValueError):
    """A metric its resource does not emit (name, dimensions or statistic)."""


def check(namespace: str, name: str, dimensions: tuple[str, ...], stat: str) -> None:
    """Raise ``UnknownMetric`` unless ``namespace`` publishes ``name`` with exactly ``dimensions``."""
    if namespace.startswith("AWS/") or namespace in NAMESPACES:
        entry = NAMESPACES.get(namespace)
        if entry is None:
            raise UnknownMetric(f"namespace {namespace} is not in the metric catalog (multitier/_ops/catalog.py)")
        allowed = entry.metrics.get(name)
    else:
        entry = POWERTOOLS
        allowed = POWERTOOLS.metrics.get(name, POWERTOOLS_DIMENSIONS)
    if allowed is None:
        raise UnknownMetric(f"{namespace} has no metric {name!r} (see {entry.source})")
    if frozenset(dimensions) not in allowed:
        shapes = " or ".join("(" + ", ".join(sorted(s)) + ")" for s in allowed)
        raise UnknownMetric(f"{namespace} {name} is published with dimensions {shapes}, not "
                            f"({', '.join(dimensions)}) (see {entry.source})")
    only = entry.stats.get(name)
    if only and stat != only:
        raise UnknownMetric(f"{namespace} {name} takes the statistic {only} only, not {stat} (see {entry.source})")
