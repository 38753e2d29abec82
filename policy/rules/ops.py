"""Operations: alarms on what breaks (function errors and throttles, API 5XX and latency)."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, stack_rule
from policy.rules.common import FUNCTION, REST_API

PREFIX = "MT-OPS"

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _missing(stack: Stack, watched: Resource, metrics: tuple[str, ...]) -> list[str]:
    """Metrics with no alarm on ``watched`` (an alarm's dimensions name it, so it depends on it)."""
    alarmed = {a.get("metricName") for a in stack.of_type(ALARM) if watched.urn in a.dependencies}
    return [m for m in metrics if m not in alarmed]


@stack_rule("MT-OPS-1", severity="medium", description="Every function has Errors and Throttles alarms",
            remediation="Enable alarms (alarmsEnabled: true); multitier.Alarms covers every function.")
def function_alarms(stack: Stack):
    for function in stack.of_type(FUNCTION):
        missing = _missing(stack, function, ("Errors", "Throttles"))
        if missing:
            yield Finding(function, f"no alarm on {missing}")


@stack_rule("MT-OPS-2", severity="medium", description="Every REST API has 5XXError and Latency alarms",
            remediation="Enable alarms (alarmsEnabled: true); multitier.Alarms covers every API.")
def api_alarms(stack: Stack):
    for api in stack.of_type(REST_API):
        missing = _missing(stack, api, ("5XXError", "Latency"))
        if missing:
            yield Finding(api, f"no alarm on {missing}")
