"""The logic tier's watches: a REST API stage, a Lambda function, a service's business metrics.

Alarms judge one-minute periods over a five-minute window (``M`` of 5), so a chart at one
minute shows the very line an alarm reads, and a release (CodeDeploy, a canary) is judged
within minutes.
"""

from __future__ import annotations

from typing import Sequence

import pulumi

from multitier._ops.catalog import ACCESS_LOG_NAMESPACE
from multitier._ops.watch import Alarm, Metric, Watch, Widget

WINDOW = 5  # evaluation periods of every alarm here
API_ERROR_RATE = 0.01  # share of requests answered 5XX that is an incident
DURATION_SHARE = 0.8  # of the timeout, for a p99 duration that is about to time out


def lambda_metric(function_name: pulumi.Input[str], name: str, stat: str = "Sum", *, alias: str = "",
                  version: pulumi.Input[str] | None = None, label: str = "") -> Metric:
    """``AWS/Lambda`` ``name`` of a function, of one alias (``Resource`` = ``<function>:<alias>``) or of the
    version that alias ran (``ExecutedVersion``): what judges a release of that version."""
    dimensions: dict[str, pulumi.Input[str]] = {"FunctionName": function_name}
    if alias:
        dimensions["Resource"] = f"{function_name}:{alias}" if isinstance(function_name, str) else \
            pulumi.Output.concat(function_name, ":", alias)
        if version is not None:
            dimensions["ExecutedVersion"] = version
    elif version is not None:
        raise ValueError("ExecutedVersion is published for invocations through an alias: name the alias")
    return Metric("AWS/Lambda", name, dimensions, stat, label=label or f"{name} {stat}")


def api_metric(api_name: pulumi.Input[str], stage: pulumi.Input[str], name: str, stat: str = "Sum",
               label: str = "") -> Metric:
    return Metric("AWS/ApiGateway", name, {"ApiName": api_name, "Stage": stage}, stat, label=label or f"{name} {stat}")


def api_alarms(name: str, api_name: pulumi.Input[str], stage: pulumi.Input[str],
               latency_p99_ms: float) -> tuple[Alarm, Alarm]:
    """The stage's 5XX error rate and p99 latency alarms (what also judges a stage canary)."""
    return (
        Alarm("5xx", api_metric(api_name, stage, "5XXError", "Average", "5XX rate"), API_ERROR_RATE,
              f"More than {API_ERROR_RATE:.0%} of {name}'s requests answered 5XX in 3 of 5 minutes",
              evaluation_periods=WINDOW, datapoints_to_alarm=3),
        Alarm("latency", api_metric(api_name, stage, "Latency", "p99"), latency_p99_ms,
              f"p99 latency of {name} above {latency_p99_ms:g} ms in 3 of 5 minutes",
              evaluation_periods=WINDOW, datapoints_to_alarm=3))


def api_stage(name: str, api_name: pulumi.Input[str], stage: pulumi.Input[str], api_id: pulumi.Input[str], *,
              latency_p99_ms: float, cache: bool) -> Watch:
    """Requests and throttled requests (429, from the access log's metric filter), error rates, latency
    percentiles and integration latency, cache hits where the stage caches."""
    errors, latency = api_alarms(name, api_name, stage, latency_p99_ms)
    throttled = Metric(ACCESS_LOG_NAMESPACE, "ThrottledRequests", {"ApiId": api_id, "Stage": stage},
                       label="throttled (429)")
    widgets = [
        Widget("Requests", [api_metric(api_name, stage, "Count", label="requests"), throttled], overview=True),
        Widget("Error rate", [api_metric(api_name, stage, "4XXError", "Average", "4XX rate"), errors.metric],
               alarms=[errors], overview=True),
        Widget("Latency (ms)", [api_metric(api_name, stage, "Latency", p) for p in ("p50", "p90", "p99")]
               + [api_metric(api_name, stage, "IntegrationLatency", "p99")], alarms=[latency], overview=True),
    ]
    if cache:
        widgets.append(Widget("Stage cache", [api_metric(api_name, stage, "CacheHitCount", label="hits"),
                                              api_metric(api_name, stage, "CacheMissCount", label="misses")]))
    return Watch(name, f"REST API {name}", "logic", widgets)


def function(name: str, function_name: pulumi.Input[str], *, timeout_seconds: int, metrics_namespace: str,
             service: str, cold_starts: bool, alias: str = "", dead_letter: bool = False,
             event_source: bool = False) -> Watch:
    """Invocations, errors and throttles; duration p50/p99 against the timeout; concurrency; cold starts
    (Powertools' ColdStart metric, where the handler captures it); iterator age and dead-letter
    errors where the function has an event source or a dead-letter queue."""
    def metric(metric_name: str, stat: str = "Sum", label: str = "") -> Metric:
        return lambda_metric(function_name, metric_name, stat, label=label)

    errors = Alarm("lambda-errors", metric("Errors"), 0, f"Errors of {name} in any of the last 5 minutes",
                   evaluation_periods=WINDOW, datapoints_to_alarm=1)
    throttles = Alarm("lambda-throttles", metric("Throttles"), 0, f"Throttles of {name} in any of the last 5 minutes",
                      evaluation_periods=WINDOW, datapoints_to_alarm=1)
    limit_ms = timeout_seconds * 1000 * DURATION_SHARE
    duration = Alarm("lambda-duration", metric("Duration", "p99"), limit_ms,
                     f"p99 duration of {name} above {DURATION_SHARE:.0%} of its {timeout_seconds} s timeout "
                     f"in 3 of 5 minutes", evaluation_periods=WINDOW, datapoints_to_alarm=3)
    widgets = [
        Widget("Invocations", [metric("Invocations"), errors.metric, throttles.metric], alarms=[errors, throttles]),
        Widget("Duration (ms)", [metric("Duration", "p50"), duration.metric], alarms=[duration]),
        Widget("Concurrency", [metric("ConcurrentExecutions", "Maximum", "concurrent executions")], width=4),
    ]
    if cold_starts:
        widgets.append(Widget("Cold starts", [Metric(metrics_namespace, "ColdStart",
                                                     {"function_name": function_name, "service": service},
                                                     label="cold starts")], width=4))
    if event_source:
        widgets.append(Widget("Iterator age (ms)", [metric("IteratorAge", "Maximum")], width=4))
    if dead_letter:
        widgets.append(Widget("Dead-letter errors", [metric("DeadLetterErrors")], width=4))
    return Watch(name, f"Function {name}" + (f" ({alias} alias)" if alias else ""), "logic", widgets)


def business(name: str, metrics_namespace: str, service: str, metric_names: Sequence[str]) -> Watch:
    """What a service counts itself (Powertools Metrics, dimension ``service``)."""
    metrics = [Metric(metrics_namespace, m, {"service": service}, label=m) for m in metric_names]
    return Watch(name, f"Service {service}: what it counts", "logic",
                 [Widget(f"{service}", metrics, width=12, overview=True)])
