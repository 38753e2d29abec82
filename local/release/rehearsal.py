"""A release, rehearsed: the schedule CodeDeploy (or a stage canary's release) follows, over local traffic.

``FunctionRehearsal`` does what a CodeDeploy Lambda deployment does: the ``BeforeAllowTraffic``
check of the new version, the alias's weights step by step (``TrafficShift``), the alarms judging
the new version evaluated at every step (the registered ones, their ``ExecutedVersion`` moved to the
new version as ``pulumi up`` moves it before a deployment), the ``AfterAllowTraffic`` check at 100 %,
then the alias on the new version, or back on the old one at the first alarm or failed check.
``StageRehearsal`` does what ``StageCanary`` does: the canary moved to a new deployment, baked while
its alarms are watched, then promoted or taken back.

Both are driven by ``tick(now)`` on a ``Clock``: real time with AWS's durations compressed (``Clock(60)``: a
minute lasts a second) or time moved by hand (``ManualClock``): ``Rehearsal.run`` ticks in real time, a
test ticks after each batch of requests. Their metrics come from their own store, fed by the same
events as local mode's CloudWatch (``LocalCloudWatch.taps``) but timed by the rehearsal's clock.
Each step is a line of the timeline.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from local.cloudwatch import ALARM, AlarmEvaluator, Clock, LocalAlarm, MetricStore
from local.cloudwatch.sources import Recorder
from local.release.aliases import Aliases
from local.release.plan import FunctionPlan
from local.release.stage import StageDeployments
from multitier._release.checks import passes

TICK_SECONDS = 10  # AWS seconds between two looks at the alarms and the schedule (CodeDeploy polls as often)
PROMOTED, ROLLED_BACK = "promoted", "rolled back"


@dataclass
class Timeline:
    """What happened, when (AWS time since it began: ``clock``'s, ``clock.scale`` times compressed), as lines;
    ``on_line`` hears each as it is added."""

    clock: Clock
    on_line: Callable[[str], None] | None = None
    lines: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.start = self.clock.now()
        self._lock = threading.Lock()

    def add(self, text: str) -> None:
        with self._lock:
            at = (self.clock.now() - self.start) * self.clock.scale
            self.lines.append((at, text))
            if self.on_line is not None:
                self.on_line(self.render_line(at, text))

    @staticmethod
    def render_line(seconds: float, text: str) -> str:
        minutes, rest = divmod(int(round(seconds)), 60)
        return f"{minutes:>3}:{rest:02d}  {text}"

    def render(self) -> str:
        return "\n".join(self.render_line(t, text) for t, text in self.lines)


class _Judged:
    """What both rehearsals share: alarms over the rehearsal's store, an outcome, a timeline."""

    name = ""

    def __init__(self, alarms: Sequence[LocalAlarm], store: MetricStore, clock: Clock, timeline: Timeline):
        self.alarms = list(alarms)
        self.evaluator = AlarmEvaluator(store, self.alarms, clock)
        self.clock, self.timeline = clock, timeline
        self.outcome: str | None = None
        self.started = 0.0

    @property
    def done(self) -> bool:
        return self.outcome is not None

    def _in_alarm(self) -> list[str]:
        for alarm, old, new in self.evaluator.evaluate():
            if new.value == ALARM or old.value == ALARM:
                self.timeline.add(f"{self.name}: alarm {alarm.name}: {old.value} -> {new.value} ({new.reason})")
        return [a.name for a in self.alarms if self.evaluator.state(a.name).value == ALARM]


class FunctionRehearsal(_Judged):
    """The release of ``version`` of ``plan.function`` behind its alias, as CodeDeploy runs it."""

    def __init__(self, plan: FunctionPlan, version: str, aliases: Aliases, store: MetricStore, clock: Clock,
                 timeline: Timeline, shift=None):
        self.plan, self.version, self.aliases = plan, version, aliases
        self.shift = shift or plan.shift
        self.name = f"{plan.function}:{plan.alias}"
        # pulumi up moves the alarms to the version it is about to release before the deployment starts
        alarms = [dataclasses.replace(a, dimensions={**a.dimensions, "ExecutedVersion": version})
                  if "ExecutedVersion" in a.dimensions else a for a in plan.alarms]
        super().__init__(alarms, store, clock, timeline)
        self.stable = ""
        self._steps = list(self.shift.steps())

    def start(self, now: float) -> None:
        self.started = now
        self.stable = self.aliases.alias(self.plan.function, self.plan.alias).version
        self.timeline.add(f"{self.name}: version {self.version} published; {self.plan.alias} serves version "
                               f"{self.stable} ({self.shift.name}); judged by {', '.join(a.name for a in self.alarms)}")
        if self._check("BeforeAllowTraffic"):
            self.started = now = self.clock.now()  # traffic starts moving once the hook has answered
            self.tick(now)

    def tick(self, now: float) -> None:
        if self.done:
            return
        alarms = self._in_alarm()
        if alarms:
            return self._roll_back(f"alarm {', '.join(alarms)}")
        while self._steps and self.clock.seconds(self._steps[0][0] * 60) <= now - self.started:
            _, percent = self._steps.pop(0)
            if percent < 100:
                self.aliases.route(self.plan.function, self.plan.alias, self.stable, {self.version: percent / 100})
                self.timeline.add(f"{self.name}: {percent:g} % of invocations to version {self.version}")
                continue
            self.aliases.route(self.plan.function, self.plan.alias, self.version)
            self.timeline.add(f"{self.name}: 100 % to version {self.version}")
            if self._check("AfterAllowTraffic"):
                self.outcome = PROMOTED
                self.timeline.add(f"{self.name}: release succeeded; {self.plan.alias} serves version "
                                       f"{self.version}")

    def _check(self, phase: str) -> bool:
        """The hook's question (``multitier._release.checks``): does the new version answer its request below 500?"""
        event = self.plan.check
        if event is None:
            return True
        result = self.aliases.invoke(f"{self.plan.function}:{self.version}", dict(event))
        ok = result.ok and passes(result.payload)
        answer = (result.payload or {}).get("statusCode") if result.ok and isinstance(result.payload, dict) else \
            (result.error or {}).get("errorType", "timeout")
        self.timeline.add(f"{self.name}: {phase} check: version {self.version} answered "
                               f"{event.get('httpMethod')} {event.get('path')} with {answer}")
        if not ok:
            self._roll_back(f"the {phase} check failed")
        return ok

    def _roll_back(self, why: str) -> None:
        self.aliases.route(self.plan.function, self.plan.alias, self.stable)
        self.outcome = ROLLED_BACK
        self.timeline.add(f"{self.name}: rolled back ({why}); {self.plan.alias} serves version {self.stable}")


class StageRehearsal(_Judged):
    """The release of a new deployment (``api``) of a stage through its canary, as ``StageCanary`` runs it."""

    def __init__(self, deployments: StageDeployments, api: Any, percent: float, bake_seconds: float,
                 alarms: Sequence[LocalAlarm], store: MetricStore, clock: Clock, timeline: Timeline, name: str):
        super().__init__(alarms, store, clock, timeline)
        self.deployments, self.api, self.percent, self.bake_seconds = deployments, api, percent, bake_seconds
        self.name = f"{name} stage {api.stage}"
        self._previous: tuple[Any, float] | None = None

    def start(self, now: float) -> None:
        self.started = now
        old_percent = self.deployments.percent
        self._previous = (self.deployments.start_canary(self.api, self.percent), old_percent)
        self.timeline.add(f"{self.name}: the canary serves the new deployment to {self.percent:g} % of requests "
                               f"for {self.bake_seconds / 60:g} min; judged by "
                               f"{', '.join(a.name for a in self.alarms)}")

    def tick(self, now: float) -> None:
        if self.done:
            return
        alarms = self._in_alarm()
        if alarms:
            self.deployments.take_back(*self._previous)
            self.outcome = ROLLED_BACK
            self.timeline.add(f"{self.name}: canary taken back (alarm {', '.join(alarms)}); every request "
                                   f"to the stage's deployment")
        elif now - self.started >= self.clock.seconds(self.bake_seconds):
            self.deployments.promote()
            self.outcome = PROMOTED
            self.timeline.add(f"{self.name}: canary promoted: the stage serves the new deployment")


class Rehearsal:
    """Rehearsals run together on one clock and one store, fed by ``taps`` while they run."""

    def __init__(self, clock: Clock, taps: list[Recorder], on_line: Callable[[str], None] | None = None):
        self.clock, self.taps = clock, taps
        self.store = MetricStore(None, clock.now)
        self.recorder = Recorder(self.store)
        self.timeline = Timeline(clock, on_line)
        self.parts: list[_Judged] = []

    def __enter__(self) -> "Rehearsal":
        self.taps.append(self.recorder)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.taps.remove(self.recorder)
        self.store.close()

    def add(self, part: _Judged) -> _Judged:
        self.parts.append(part)
        return part

    def start(self) -> None:
        """Start every part at once, as CodeDeploy runs the deployments of one ``pulumi up`` side by side."""
        now = self.clock.now()
        starts = [threading.Thread(target=part.start, args=(now,), daemon=True) for part in self.parts]
        for thread in starts:
            thread.start()
        for thread in starts:
            thread.join()

    def tick(self) -> bool:
        """One look at every part; True once all are done."""
        now = self.clock.now()
        for part in self.parts:
            part.tick(now)
        return all(part.done for part in self.parts)

    def run(self, stop: threading.Event | None = None) -> bool:
        """Start, tick every ``TICK_SECONDS`` (compressed) until done or ``stop``; True when all were promoted."""
        stop = stop or threading.Event()
        self.start()
        while not self.tick():
            if self.clock.sleep(self.clock.seconds(TICK_SECONDS), stop):
                break
        return all(part.outcome == PROMOTED for part in self.parts)

    def counts(self) -> dict[str, float]:
        """Invocations and errors by version, requests and 5XX answers by stage, as the rehearsal measured them."""
        totals: dict[str, float] = {}
        for namespace, name, dimensions in self.store.metrics():
            dims = dict(dimensions)
            if namespace == "AWS/Lambda" and "ExecutedVersion" in dims and name in ("Invocations", "Errors"):
                key = f"{dims['Resource']} version {dims['ExecutedVersion']} {name.lower()}"
            elif namespace == "AWS/ApiGateway" and name in ("Count", "5XXError"):
                key = f"{dims['ApiName']} stage {dims['Stage']} {'requests' if name == 'Count' else '5xx'}"
            else:
                continue
            totals[key] = sum(self.store.values(namespace, name, dims, float("-inf"), float("inf")))
        return dict(sorted(totals.items()))
