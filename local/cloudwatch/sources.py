"""What local mode sees, as the metrics AWS would publish: same namespaces, names and dimensions.

* the gateway's access log → ``AWS/ApiGateway`` ``Count``, ``4XXError``, ``5XXError`` (0 or 1 per
  request, so ``Average`` is a rate), ``Latency``, ``IntegrationLatency`` per ``ApiName`` and
  ``Stage``; and the program's metric filters on the stage's access log group (a pattern
  ``{ $.field = value }``, dimensions from ``$.field``), as CloudWatch Logs applies them;
* each invocation → ``AWS/Lambda`` ``Invocations``, ``Errors``, ``Duration`` and
  ``ConcurrentExecutions`` per ``FunctionName``, and per ``Resource`` (``name:alias``) and
  ``ExecutedVersion`` when invoked through an alias;
* a function's log line in the embedded metric format (Powertools Metrics) → its metrics.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from local.cloudwatch.store import MetricStore

_FILTER = re.compile(r"^\{\s*\$\.(\w+)\s*=\s*(\"[^\"]*\"|-?\d+(?:\.\d+)?)\s*\}$")


@dataclass(frozen=True)
class MetricFilter:
    """A metric filter of an access log group: ``{ $.field = value }`` → one metric."""

    field: str
    value: Any
    namespace: str
    name: str
    metric_value: float
    dimensions: Mapping[str, str]  # dimension → "$.field"

    @classmethod
    def parse(cls, pattern: str, transformation: Mapping[str, Any]) -> "MetricFilter":
        match = _FILTER.match(pattern.strip())
        if match is None:
            raise ValueError(f"metric filter pattern {pattern!r}: local mode applies {{ $.field = value }} only")
        raw = match.group(2)
        return cls(match.group(1), raw.strip('"') if raw.startswith('"') else float(raw),
                   transformation["namespace"], transformation["name"], float(transformation.get("value") or 1),
                   dict(transformation.get("dimensions") or {}))

    def apply(self, event: Mapping[str, Any]) -> tuple[dict[str, str], float] | None:
        found = event.get(self.field)
        if (_number(found) if isinstance(self.value, float) else found) != self.value:
            return None
        dimensions = {name: str(event.get(ref.removeprefix("$."), "")) for name, ref in self.dimensions.items()}
        return dimensions, self.metric_value


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class ApiIdentity:
    """How AWS names a stage in its metrics and access log: the API's name and id, the stage."""

    api_name: str
    api_id: str
    stage: str
    filters: Sequence[MetricFilter] = ()


class Recorder:
    """Turns local events into samples of ``store``; ``versions`` maps ``function:alias`` to the version it runs."""

    def __init__(self, store: MetricStore, versions: Mapping[str, str] | None = None):
        self.store = store
        self.versions = dict(versions or {})
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    # -- API Gateway ---------------------------------------------------------------------------
    def access_log(self, api: ApiIdentity, line: str) -> None:
        """One access-log line of the local gateway (other lines are ignored)."""
        try:
            entry = json.loads(line)
        except ValueError:
            return
        if not isinstance(entry, dict) or "status" not in entry or "requestId" not in entry:
            return
        status = int(entry["status"])
        dimensions = {"ApiName": api.api_name, "Stage": api.stage}
        put = self.store.put
        put("AWS/ApiGateway", "Count", dimensions, 1)
        put("AWS/ApiGateway", "4XXError", dimensions, 1 if 400 <= status < 500 else 0)
        put("AWS/ApiGateway", "5XXError", dimensions, 1 if status >= 500 else 0)
        if entry.get("latencyMs") is not None:
            put("AWS/ApiGateway", "Latency", dimensions, float(entry["latencyMs"]))
        if entry.get("integrationLatency") is not None:
            put("AWS/ApiGateway", "IntegrationLatency", dimensions, float(entry["integrationLatency"]))
        event = {**entry, "apiId": api.api_id, "stage": api.stage}  # the fields of the stage's access log format
        for metric_filter in api.filters:
            applied = metric_filter.apply(event)
            if applied is not None:
                put(metric_filter.namespace, metric_filter.name, applied[0], applied[1])

    # -- Lambda --------------------------------------------------------------------------------
    def observe(self, invoke: Callable[[str, dict], Any]) -> Callable[[str, dict], Any]:
        """``invoke`` that also records each invocation's metrics."""
        def observed(function: str, event: dict) -> Any:
            name, _, qualifier = function.rsplit(":function:", 1)[-1].partition(":")
            with self._lock:
                self._running[name] = running = self._running.get(name, 0) + 1
            try:
                self._put_lambda(name, qualifier, "ConcurrentExecutions", running)
                result = invoke(function, event)
            finally:
                with self._lock:
                    self._running[name] -= 1
            failed = getattr(result, "error", None) is not None or getattr(result, "timed_out", False)
            self._put_lambda(name, qualifier, "Invocations", 1)
            self._put_lambda(name, qualifier, "Errors", 1 if failed else 0)
            self._put_lambda(name, qualifier, "Duration", float(getattr(result, "duration_ms", 0.0) or 0.0))
            return result
        return observed

    def _put_lambda(self, name: str, qualifier: str, metric: str, value: float) -> None:
        self.store.put("AWS/Lambda", metric, {"FunctionName": name}, value)
        if qualifier:
            resource = f"{name}:{qualifier}"
            self.store.put("AWS/Lambda", metric, {"FunctionName": name, "Resource": resource}, value)
            version = self.versions.get(resource)
            if version is not None:
                self.store.put("AWS/Lambda", metric, {"FunctionName": name, "Resource": resource,
                                                      "ExecutedVersion": version}, value)

    # -- embedded metric format --------------------------------------------------------------------
    def log_line(self, line: str) -> None:
        """A function's log line: when it is an EMF document, its metrics (each value, each dimension set)."""
        if '"_aws"' not in line:
            return
        try:
            document = json.loads(line[line.index("{"):])
            directives = document["_aws"]["CloudWatchMetrics"]
        except (ValueError, KeyError, TypeError):
            return
        for directive in directives:
            for metric in directive.get("Metrics", []):
                values = document.get(metric.get("Name"))
                for value in values if isinstance(values, list) else [values]:
                    if _number(value) is None:
                        continue
                    for dimension_set in directive.get("Dimensions", [[]]):
                        self.store.put(directive["Namespace"], metric["Name"],
                                       {d: str(document.get(d, "")) for d in dimension_set}, float(value))
