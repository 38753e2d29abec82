"""CloudWatch alarms evaluated over the local metric store, as CloudWatch evaluates them.

Each alarm is read from the program's ``aws:cloudwatch/metricAlarm:MetricAlarm`` registration:
its metric, statistic, period, ``evaluation_periods``, ``datapoints_to_alarm``, threshold,
comparison and ``treat_missing_data``. At each evaluation the last ``evaluation_periods``
periods (ending now, each compressed by the clock's scale) give one datapoint each or none;
the alarm is in ALARM when at least ``datapoints_to_alarm`` of them breach, OK when not, and
INSUFFICIENT_DATA while it has no datapoint and missing data counts as missing. Every change
is logged and kept (``history``).
"""

from __future__ import annotations

import operator
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from local.cloudwatch.clock import Clock
from local.cloudwatch.store import MetricStore, statistic

OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"
COMPARE = {"GreaterThanThreshold": (operator.gt, ">"), "GreaterThanOrEqualToThreshold": (operator.ge, ">="),
           "LessThanThreshold": (operator.lt, "<"), "LessThanOrEqualToThreshold": (operator.le, "<=")}


@dataclass(frozen=True)
class LocalAlarm:
    """One alarm as the program registered it."""

    name: str
    arn: str
    namespace: str
    metric: str
    dimensions: Mapping[str, str]
    stat: str
    period: int
    evaluation_periods: int
    threshold: float
    comparison: str
    datapoints_to_alarm: int | None = None
    treat_missing_data: str = "missing"
    description: str = ""

    @classmethod
    def from_registration(cls, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> "LocalAlarm":
        if inputs.get("metricQueries"):
            raise ValueError(f"alarm {outputs.get('name')}: metric math alarms are not evaluated locally")
        return cls(name=str(outputs["name"]), arn=str(outputs["arn"]), namespace=inputs["namespace"],
                   metric=inputs["metricName"], dimensions={k: str(v) for k, v in (inputs.get("dimensions") or {}).items()},
                   stat=inputs.get("extendedStatistic") or inputs.get("statistic") or "Average",
                   period=int(inputs.get("period") or 60), evaluation_periods=int(inputs["evaluationPeriods"]),
                   threshold=float(inputs["threshold"]), comparison=inputs["comparisonOperator"],
                   datapoints_to_alarm=int(inputs["datapointsToAlarm"]) if inputs.get("datapointsToAlarm") else None,
                   treat_missing_data=inputs.get("treatMissingData") or "missing",
                   description=inputs.get("alarmDescription") or "")


NOT_EVALUATED = "Not evaluated yet"


@dataclass
class AlarmState:
    value: str = INSUFFICIENT_DATA
    reason: str = NOT_EVALUATED
    since: float = 0.0
    datapoints: list = field(default_factory=list)


class AlarmEvaluator:
    """Evaluates ``alarms`` over ``store`` on ``clock``; ``on_change(alarm, old, new)`` hears every change."""

    def __init__(self, store: MetricStore, alarms: Sequence[LocalAlarm], clock: Clock | None = None,
                 on_change: Callable[[LocalAlarm, AlarmState, AlarmState], None] | None = None):
        self.store, self.alarms, self.clock = store, list(alarms), clock or Clock()
        self.on_change = on_change
        self._states = {a.name: AlarmState(since=self.clock.now()) for a in self.alarms}
        self.history: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def datapoints(self, alarm: LocalAlarm, now: float) -> list[float | None]:
        """The last ``evaluation_periods`` datapoints, oldest first (None: no sample in that period)."""
        period = self.clock.seconds(alarm.period)
        ends = [now - i * period for i in range(alarm.evaluation_periods)][::-1]
        return [statistic(self.store.values(alarm.namespace, alarm.metric, alarm.dimensions, end - period, end),
                          alarm.stat) for end in ends]

    def judge(self, alarm: LocalAlarm, points: list[float | None], current: str) -> tuple[str, str]:
        """The state ``points`` put the alarm in, and why."""
        compare, symbol = COMPARE[alarm.comparison]
        needed = alarm.datapoints_to_alarm or alarm.evaluation_periods
        present = [p for p in points if p is not None]
        missing = alarm.treat_missing_data
        if not present and missing in ("missing", "ignore"):
            return (INSUFFICIENT_DATA if missing == "missing" else current), "no datapoint in the evaluation window"
        breaching = sum(1 for p in present if compare(p, alarm.threshold))
        if missing == "breaching":
            breaching += len(points) - len(present)
        shown = ", ".join("-" if p is None else f"{p:g}" for p in points)
        reason = f"{breaching} of {len(points)} datapoints [{shown}] {symbol} {alarm.threshold:g} (needs {needed})"
        return (ALARM if breaching >= needed else OK), reason

    def evaluate(self) -> list[tuple[LocalAlarm, AlarmState, AlarmState]]:
        """Evaluate every alarm now; the changes (alarm, old state, new state)."""
        now = self.clock.now()
        changes = []
        for alarm in self.alarms:
            points = self.datapoints(alarm, now)
            with self._lock:
                old = self._states[alarm.name]
                value, reason = self.judge(alarm, points, old.value)
                if value == old.value:
                    old.reason, old.datapoints = reason, points
                    continue
                new = AlarmState(value, reason, now, points)
                self._states[alarm.name] = new
                self.history.append({"alarm": alarm.name, "from": old.value, "to": value, "time": now,
                                     "reason": reason})
            changes.append((alarm, old, new))
            if self.on_change is not None:
                self.on_change(alarm, old, new)
        return changes

    def state(self, name: str) -> AlarmState:
        with self._lock:
            return self._states[name]

    def states(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"name": a.name, "arn": a.arn, "state": self._states[a.name].value,
                     "reason": self._states[a.name].reason, "since": self._states[a.name].since,
                     "threshold": a.threshold, "description": a.description} for a in self.alarms]

    def run(self, stop: threading.Event) -> None:
        """Evaluate until ``stop``, a few times per (compressed) period."""
        shortest = min((a.period for a in self.alarms), default=60)
        while not self.clock.sleep(max(0.2, min(self.clock.seconds(shortest) / 4, 5.0)), stop):
            self.evaluate()
