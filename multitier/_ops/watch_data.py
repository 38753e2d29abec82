"""The data tier's watches: a DynamoDB table, the Aurora cluster (and its proxy), the cache, EFS."""

from __future__ import annotations

from typing import Sequence

import pulumi

from multitier._ops.watch import Alarm, Metric, Watch, Widget
from multitier._ops.watch_logic import WINDOW

# The data-plane operations DynamoDB publishes SystemErrors for (per TableName and Operation).
DYNAMODB_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                       "BatchWriteItem", "TransactWriteItems", "TransactGetItems")


def table(name: str, table_name: pulumi.Input[str]) -> Watch:
    """Consumed capacity, read and write throttle events (alarmed: an on-demand table throttles past twice
    its previous peak) and system errors per operation."""
    def metric(metric_name: str, label: str, **extra: pulumi.Input[str]) -> Metric:
        return Metric("AWS/DynamoDB", metric_name, {"TableName": table_name, **extra}, label=label)

    throttles = [Alarm(f"dynamodb-{kind}-throttles", metric(f"{kind.title()}ThrottleEvents", f"{kind} throttles"), 0,
                       f"{kind.title()} throttle events on {name} in any of the last 5 minutes",
                       evaluation_periods=WINDOW, datapoints_to_alarm=1) for kind in ("read", "write")]
    return Watch(name, f"DynamoDB table {name}", "data", [
        Widget("Consumed capacity units", [metric("ConsumedReadCapacityUnits", "read"),
                                           metric("ConsumedWriteCapacityUnits", "write")]),
        Widget("Throttle events", [a.metric for a in throttles], alarms=throttles),
        Widget("System errors", [metric("SystemErrors", op, Operation=op) for op in DYNAMODB_OPERATIONS]),
    ])


def database(name: str, cluster_id: pulumi.Input[str], proxy_name: pulumi.Input[str] | None) -> Watch:
    """Aurora Serverless v2 capacity (ACUs and their share of the maximum), connections, CPU; the proxy's
    client and database connections where there is one."""
    def cluster(metric_name: str, label: str) -> Metric:
        return Metric("AWS/RDS", metric_name, {"DBClusterIdentifier": cluster_id}, "Average", label=label)

    connections = [cluster("DatabaseConnections", "to the cluster")]
    if proxy_name is not None:
        connections += [Metric("AWS/RDS", m, {"ProxyName": proxy_name}, "Sum", label=label)
                        for m, label in (("ClientConnections", "clients to the proxy"),
                                         ("DatabaseConnections", "proxy to the cluster"))]
    return Watch(name, f"Aurora cluster {name}", "data", [
        Widget("Capacity (ACU)", [cluster("ServerlessDatabaseCapacity", "ACUs"),
                                  cluster("ACUUtilization", "% of maximum")]),
        Widget("Connections", connections),
        Widget("CPU (%)", [cluster("CPUUtilization", "CPU")]),
    ])


def cache(name: str, serverless_name: pulumi.Input[str] | None, node_ids: Sequence[pulumi.Input[str]] = ()) -> Watch:
    """Hits and misses, ECPUs and bytes of a serverless cache (``clusterId``); hits, misses, engine CPU and
    bytes of each node of a replication group (``CacheClusterId``)."""
    if serverless_name is not None:
        def metric(metric_name: str, stat: str = "Sum", label: str = "") -> list[Metric]:
            return [Metric("AWS/ElastiCache", metric_name, {"clusterId": serverless_name}, stat,
                           label=label or metric_name)]
        work = metric("ElastiCacheProcessingUnits", label="ECPUs")
    else:
        def metric(metric_name: str, stat: str = "Sum", label: str = "") -> list[Metric]:
            return [Metric("AWS/ElastiCache", metric_name, {"CacheClusterId": node}, stat,
                           label=f"{label or metric_name} {index + 1}") for index, node in enumerate(node_ids)]
        work = metric("EngineCPUUtilization", "Average", "engine CPU %")
    return Watch(name, f"Cache {name}", "data", [
        Widget("Hits and misses", metric("CacheHits", label="hits") + metric("CacheMisses", label="misses")),
        Widget("Work", work),
        Widget("Bytes used", metric("BytesUsedForCache", "Average", "bytes")),
    ])


def file_system(name: str, file_system_id: pulumi.Input[str]) -> Watch:
    """Client connections, bytes read and written, permitted throughput. (Burst credits exist only in
    bursting throughput mode; these file systems use elastic throughput.)"""
    def metric(metric_name: str, stat: str, label: str) -> Metric:
        return Metric("AWS/EFS", metric_name, {"FileSystemId": file_system_id}, stat, label=label)

    return Watch(name, f"EFS {name}", "data", [
        Widget("Client connections", [metric("ClientConnections", "Sum", "connections")]),
        Widget("I/O (bytes)", [metric("DataReadIOBytes", "Sum", "read"), metric("DataWriteIOBytes", "Sum", "written")]),
        Widget("Permitted throughput (bytes/s)", [metric("PermittedThroughput", "Average", "permitted")]),
    ])
