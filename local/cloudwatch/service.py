"""Local CloudWatch: metrics from what local mode sees, the program's alarms and dashboards, served.

``LocalCloudWatch.from_recording`` reads what the program registered: every
``aws:cloudwatch/dashboard:Dashboard`` body, every ``MetricAlarm``, each stage's access-log
metric filters and each alias's version. Local mode then feeds it: ``observe`` wraps the Lambda
runtime's ``invoke``, ``access_log`` taps a gateway's log, ``function_log`` a function's lines.
``start`` serves the dashboards and evaluates the alarms; another command (a release rehearsal)
can build one over the same store folder with its own, compressed ``Clock``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from local.cloudwatch.alarms import NOT_EVALUATED, OK, AlarmEvaluator, AlarmState, LocalAlarm
from local.cloudwatch.clock import Clock
from local.cloudwatch.server import DashboardServer
from local.cloudwatch.sources import ApiIdentity, MetricFilter, Recorder
from local.cloudwatch.store import MetricStore
from local.engine import Recording
from local.model import LocalApi

# What local mode measures itself; other AWS namespaces (DynamoDB, RDS, CloudFront, ...) stay empty locally.
MEASURED = ("AWS/ApiGateway", "AWS/Lambda")


class LocalCloudWatch:
    def __init__(self, store: MetricStore, dashboards: Mapping[str, dict], alarms: Sequence[LocalAlarm],
                 apis: Mapping[str, ApiIdentity], versions: Mapping[str, str] | None = None,
                 clock: Clock | None = None, log: Callable[[str], None] = print):
        self.store, self.dashboards, self.apis, self.log = store, dict(dashboards), dict(apis), log
        self.clock = clock or Clock()
        self.recorder = Recorder(store, versions)
        self.evaluator = AlarmEvaluator(store, alarms, self.clock, on_change=self._changed)
        self.server: DashboardServer | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_recording(cls, recording: Recording, apis: Sequence[LocalApi], folder: Path | None,
                       clock: Clock | None = None, log: Callable[[str], None] = print) -> "LocalCloudWatch":
        clock = clock or Clock()
        of = recording.of_type
        dashboards = {d.inputs["dashboardName"]: json.loads(d.inputs["dashboardBody"])
                      for d in of("aws:cloudwatch/dashboard:Dashboard")}
        alarms = [LocalAlarm.from_registration(a.inputs, a.outputs) for a in of("aws:cloudwatch/metricAlarm:MetricAlarm")]
        log_groups = {g.outputs.get("arn"): g.outputs.get("name") for g in of("aws:cloudwatch/logGroup:LogGroup")}
        filters: dict[str, list[MetricFilter]] = {}
        for f in of("aws:cloudwatch/logMetricFilter:LogMetricFilter"):
            filters.setdefault(f.inputs["logGroupName"], []).append(
                MetricFilter.parse(f.inputs["pattern"], f.inputs["metricTransformation"]))
        names = {r.id: r.outputs.get("name") or r.name for r in of("aws:apigateway/restApi:RestApi")}
        stages = {(s.inputs.get("restApi"), s.inputs.get("stageName")): s for s in of("aws:apigateway/stage:Stage")}
        identities = {}
        for api in apis:
            stage = stages.get((api.api_id, api.stage))
            group = log_groups.get(((stage.inputs.get("accessLogSettings") or {}) if stage else {}).get("destinationArn"))
            identities[api.name] = ApiIdentity(names.get(api.api_id, api.name), api.api_id, api.stage,
                                               tuple(filters.get(group, ())))
        versions = {f"{a.inputs['functionName']}:{a.inputs['name']}": str(a.inputs.get("functionVersion"))
                    for a in of("aws:lambda/alias:Alias")}
        return cls(MetricStore(folder, clock.now), dashboards, alarms, identities, versions, clock, log)

    # -- what local mode feeds it -----------------------------------------------------------------
    def observe(self, invoke: Callable[[str, dict], Any]) -> Callable[[str, dict], Any]:
        return self.recorder.observe(invoke)

    def access_log(self, api: LocalApi, forward: Callable[[str], None]) -> Callable[[str], None]:
        """A gateway's log callback: each line is recorded, then passed on to ``forward``."""
        identity = self.apis[api.name]

        def log(line: str) -> None:
            self.recorder.access_log(identity, line)
            forward(line)
        return log

    def function_log(self, function: str, line: str) -> None:
        self.recorder.log_line(line)

    # -- what it serves -------------------------------------------------------------------------
    def series(self, query: Mapping[str, Any], start: float, end: float) -> list[list[float | None]]:
        period = self.clock.seconds(float(query.get("period") or 60))
        return [[t, v] for t, v in self.store.series(query["namespace"], query["name"], query.get("dimensions") or {},
                                                      query.get("stat") or "Average", period, start, end)]

    def about(self) -> dict[str, Any]:
        return {"dashboards": sorted(self.dashboards), "time_scale": self.clock.scale, "now": self.clock.now(),
                "measured": sorted(set(MEASURED) | self.store.namespaces())}

    def start(self, port: int = 0) -> "LocalCloudWatch":
        self.server = DashboardServer(self, port).start()
        self._thread = threading.Thread(target=self.evaluator.run, args=(self._stop,), name="cloudwatch-alarms",
                                        daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return self.server.url if self.server else ""

    def stop(self) -> None:
        self._stop.set()
        if self.server is not None:
            self.server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.store.close()

    def _changed(self, alarm: LocalAlarm, old: AlarmState, new: AlarmState) -> None:
        if old.reason == NOT_EVALUATED and new.value == OK:
            return  # every alarm's first evaluation, with nothing wrong: not news
        self.log(f"alarm {alarm.name}: {old.value} -> {new.value} ({new.reason})")
