"""Watches: what a component asks the stack to watch, the way a ``Link`` is what it grants.

A component returns a ``Watch`` (``function.watch()``, ``api.watch()``, ``table.watch()``):
its widgets, each a chart of ``Metric``s, and the ``Alarm``s drawn on them. The stack
turns every watch into the dashboards (``dashboard.py``) and, when alarms are on, into
``aws.cloudwatch.MetricAlarm``s (``alarms.py``): one declaration, both views. Every metric
is checked against ``catalog.py`` (what the watched resource emits) when it is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import pulumi

from multitier._ops import catalog

Tier = Literal["presentation", "identity", "logic", "data"]
# The order a request travels; the dashboards follow it.
TIERS: tuple[Tier, ...] = ("presentation", "identity", "logic", "data")
COMPARISONS = ("GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold",
               "LessThanOrEqualToThreshold")
MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,2})?|100)$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def valid_stat(stat: str) -> bool:
    """A statistic dashboards and alarms take: one of ``STATISTICS`` or a percentile ``p0``..``p100``."""
    return stat in STATISTICS or bool(_PERCENTILE.match(stat))


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric as a chart or an alarm reads it: ``stat`` over ``period`` seconds.

    ``dimensions`` keep their order (dashboards list them so). A metric of an ``AWS/`` namespace
    must be one the service emits with exactly these dimension names (``catalog.py``).
    """

    namespace: str
    name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    stat: str = "Sum"
    period: int = 60
    label: str = ""

    def __post_init__(self) -> None:
        if not valid_stat(self.stat):
            raise ValueError(f"metric {self.namespace} {self.name}: statistic {self.stat!r} is not one of "
                             f"{STATISTICS} or a percentile p0..p100")
        if self.period < 60 or self.period % 60:
            raise ValueError(f"metric {self.namespace} {self.name}: period {self.period}s must be a multiple of 60")
        catalog.check(self.namespace, self.name, tuple(self.dimensions), self.stat)

    def same_series(self, other: "Metric") -> bool:
        return (self.namespace, self.name, self.stat, self.period) == \
            (other.namespace, other.name, other.stat, other.period) and \
            list(self.dimensions) == list(other.dimensions) and \
            all(self.dimensions[k] is other.dimensions[k] or self.dimensions[k] == other.dimensions[k]
                for k in self.dimensions)


@dataclass(frozen=True)
class Alarm:
    """An alarm on ``metric`` (its statistic and period are the alarm's).

    It goes to ALARM when ``datapoints_to_alarm`` of the last ``evaluation_periods`` periods
    breach ``threshold`` (default: all of them). ``key`` names it within its watch: the
    alarm's resource is ``<watch name>-<key>``, so a caller finds it again
    (``Alarms.of(watch)[key]``).
    """

    key: str
    metric: Metric
    threshold: float
    description: str
    comparison: str = "GreaterThanThreshold"
    evaluation_periods: int = 1
    datapoints_to_alarm: int | None = None
    treat_missing_data: str = "notBreaching"

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"alarm key {self.key!r} must be lower-case letters, digits and hyphens")
        if self.comparison not in COMPARISONS:
            raise ValueError(f"alarm {self.key}: comparison {self.comparison!r} must be one of {COMPARISONS}")
        if self.treat_missing_data not in MISSING_DATA:
            raise ValueError(f"alarm {self.key}: treat_missing_data {self.treat_missing_data!r} must be one of "
                             f"{MISSING_DATA}")
        if not 1 <= (self.datapoints_to_alarm or self.evaluation_periods) <= self.evaluation_periods:
            raise ValueError(f"alarm {self.key}: datapoints_to_alarm must be between 1 and evaluation_periods "
                             f"({self.evaluation_periods})")


@dataclass(frozen=True)
class Widget:
    """A chart: ``metrics`` over time (or their latest value, ``view="singleValue"``), with its alarms'
    thresholds drawn on it. Each alarm's metric must be one of the chart's lines, so the line
    the alarm judges is the line you see. ``overview`` also puts it on the stack's overview.
    ``region`` (default: the stack's) is where the metrics live (CloudFront's: us-east-1)."""

    title: str
    metrics: Sequence[Metric]
    alarms: Sequence[Alarm] = ()
    width: int = 8
    height: int = 6
    view: Literal["timeSeries", "singleValue"] = "timeSeries"
    unit: str = ""
    region: str = ""
    overview: bool = False

    def __post_init__(self) -> None:
        if not 1 <= len(self.metrics) <= catalog.MAX_METRICS_PER_WIDGET:
            raise ValueError(f"widget {self.title!r}: 1 to {catalog.MAX_METRICS_PER_WIDGET} metrics, "
                             f"not {len(self.metrics)}")
        if not (1 <= self.width <= 24 and 1 <= self.height <= 1000):
            raise ValueError(f"widget {self.title!r}: width 1-24 and height 1-1000 grid units")
        for alarm in self.alarms:
            if not any(alarm.metric.same_series(m) for m in self.metrics):
                raise ValueError(f"widget {self.title!r}: alarm {alarm.key} watches {alarm.metric.name} "
                                 f"({alarm.metric.stat}, {alarm.metric.period}s), which the widget does not chart")


@dataclass(frozen=True)
class Watch:
    """What one component contributes: a titled row of widgets in its tier.

    ``name`` is the component's resource name; alarm resources are named after it.
    """

    name: str
    title: str
    tier: Tier
    widgets: Sequence[Widget] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"watch {self.name}: tier {self.tier!r} must be one of {TIERS}")
        keys = [a.key for a in self.alarms]
        if len(keys) != len(set(keys)):
            raise ValueError(f"watch {self.name}: alarm keys {keys} repeat")

    @property
    def alarms(self) -> list[Alarm]:
        return [alarm for widget in self.widgets for alarm in widget.alarms]
