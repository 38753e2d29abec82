"""The parts of local releases without a running stack: aliases and versions, a stage's deployments, the rehearsal's
schedule and judgement (fake runtimes and gateways, a manual clock), and the plans read from both stacks."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from local.cloudwatch import LocalAlarm, ManualClock
from local.lambda_ import FunctionNotFound, InvokeResult
from local.model import LocalApi, LocalFunction
from local.release.aliases import Aliases
from local.release.plan import FunctionPlan, function_plans, stage_plans
from local.release.rehearsal import PROMOTED, ROLLED_BACK, FunctionRehearsal, Rehearsal, StageRehearsal
from local.release.stage import StageDeployments
from multitier._release.shift import TrafficShift


@dataclass
class FakeRuntime:
    """Answers every invocation with ``answer(event)``; records (name_or_arn, event)."""

    answer: object = None
    calls: list = field(default_factory=list)
    started: list = field(default_factory=list)

    def invoke(self, name_or_arn, event, *, timeout=None):
        self.calls.append((name_or_arn, event))
        payload, error = (self.answer(event) if callable(self.answer) else ({"statusCode": 200}, None))
        return InvokeResult(name_or_arn, "r", payload=payload, error=error)

    def start(self, fn, prewarm=False):
        self.started.append(fn)

    def stop(self):
        pass


def function(version="1") -> LocalFunction:
    return LocalFunction(name="fn", code_dir=Path("."), handler="app.handler", environment={}, timeout_seconds=3,
                         memory_mb=128, version=version)


def aliases_with(new_runtime, draws) -> tuple[Aliases, FakeRuntime]:
    live = FakeRuntime()
    return Aliases(live, [function()], {("fn", "live"): "1"}, new_runtime, draw=iter(draws).__next__), live


def test_an_alias_sends_each_invocation_to_a_version_by_its_weights():
    new = FakeRuntime()
    aliases, live = aliases_with(lambda: new, [0.05, 0.5, 0.09, 0.95])
    assert aliases.publish(function()) == "2" and new.started[0].version == "2"
    aliases.route("fn", "live", "1", {"2": 0.1})
    ran = [aliases.invoke("fn:live", {}).executed_version for _ in range(4)]
    assert ran == ["2", "1", "2", "1"]
    assert len(new.calls) == 2 and len(live.calls) == 2
    # A version by number, and unqualified: the newest ($LATEST); an ARN's qualifier counts the same.
    assert aliases.invoke("fn:1", {}).executed_version == "1"
    assert aliases.invoke("fn", {}).executed_version == "2"
    assert aliases.invoke("arn:aws:lambda:us-east-1:123456789012:function:fn:2", {}).executed_version == "2"


def test_unknown_versions_aliases_and_weights_are_refused():
    aliases, _ = aliases_with(FakeRuntime, [])
    with pytest.raises(FunctionNotFound):
        aliases.invoke("fn:7", {})
    with pytest.raises(FunctionNotFound):
        aliases.invoke("fn:beta", {})
    with pytest.raises(FunctionNotFound):
        aliases.invoke("other:live", {})
    with pytest.raises(ValueError):
        aliases.route("fn", "live", "1", {"9": 0.1})
    aliases.publish(function())
    with pytest.raises(ValueError):
        aliases.route("fn", "live", "1", {"2": 1.5})


class FakeGateway:
    def __init__(self, api, canary=False):
        self.api, self.canary, self.pick, self.stopped = api, canary, None, False

    def stop(self):
        self.stopped = True


def api(**changes) -> LocalApi:
    base = dict(name="api", api_id="a1", stage="prod", openapi={}, stage_variables={"fn_x": "fn:live"}, port=1,
                throttle_rate=1, throttle_burst=1, region="us-east-1")
    return LocalApi(**{**base, **changes})


def test_a_stage_with_a_canary_sends_its_share_to_the_canarys_deployment():
    gateway = FakeGateway(api(canary_percent=10, canary_stage_variables={"fn_x": "fn:2"}))
    draws = itertools.cycle([0.05, 0.5])
    deployments = StageDeployments(gateway, FakeGateway, draw=draws.__next__)
    picked = [deployments.pick() for _ in range(4)]
    assert [p is gateway for p in picked] == [False, True, False, True]
    assert picked[0].canary and picked[0].api.stage_variables == {"fn_x": "fn:2"}  # the canary's overrides
    assert gateway.pick == deployments.pick
    # A stage without a canary: every request to its own deployment.
    plain = FakeGateway(api())
    assert StageDeployments(plain, FakeGateway, draw=lambda: 0.0).pick() is plain


def alarm(name: str, metric: str, dimensions: dict, threshold: float = 0, evaluation_periods: int = 5,
          datapoints: int = 1, stat: str = "Sum") -> LocalAlarm:
    return LocalAlarm(name=name, arn=f"arn:{name}", namespace="AWS/Lambda", metric=metric, dimensions=dimensions,
                      stat=stat, period=60, evaluation_periods=evaluation_periods, threshold=threshold,
                      comparison="GreaterThanThreshold", datapoints_to_alarm=datapoints, treat_missing_data="notBreaching")


ERRORS = alarm("fn-errors", "Errors", {"FunctionName": "fn", "Resource": "fn:live", "ExecutedVersion": "1"})


def rehearse(shift: str, answer, check=None, minutes_per_tick: float = 1.0, traffic: int = 10):
    """A release of version 2 of ``fn`` answering ``answer``: ticks of a minute, ``traffic`` invocations each."""
    new = FakeRuntime(answer)
    aliases, live = aliases_with(lambda: new, itertools.cycle([0.05, 0.35, 0.55, 0.75, 0.95]))
    version = aliases.publish(function())
    clock = ManualClock()
    taps = []
    plan = FunctionPlan("fn", "shows", "live", TrafficShift.parse(shift), (ERRORS,), check)
    with Rehearsal(clock, taps) as rehearsal:
        release = rehearsal.add(FunctionRehearsal(plan, version, aliases, rehearsal.store, clock, rehearsal.timeline))
        rehearsal.start()
        for _ in range(60):
            for _ in range(traffic):
                (recorder,) = taps
                recorder.invoked("fn:live", aliases.invoke("fn:live", {}))
            clock.advance(60 * minutes_per_tick)
            if rehearsal.tick():
                break
    return release, aliases, rehearsal.timeline.render()


def test_a_linear_shift_moves_step_by_step_and_promotes():
    release, aliases, timeline = rehearse("Linear10PercentEvery1Minute", None)
    assert release.outcome == PROMOTED
    steps = [line for line in timeline.splitlines() if "% of invocations" in line]
    assert [int(line.split(": ")[1].split(" %")[0]) for line in steps] == [10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert steps[1].lstrip().startswith("1:00") and "9:00" in timeline.splitlines()[-1]
    assert aliases.alias("fn", "live").version == "2"


def test_all_at_once_shifts_at_once_and_still_runs_the_checks():
    release, aliases, timeline = rehearse("AllAtOnce", None, check={"httpMethod": "GET", "path": "/shows"})
    assert release.outcome == PROMOTED and "% of invocations" not in timeline
    assert "BeforeAllowTraffic check" in timeline and "AfterAllowTraffic check" in timeline
    assert "0:00  fn:live: 100 % to version 2" in timeline


def test_an_error_of_the_new_version_rolls_back_with_the_alarm_moved_to_it():
    release, aliases, timeline = rehearse("Canary10Percent5Minutes",
                                          lambda e: (None, {"errorType": "RuntimeError", "errorMessage": "x"}))
    assert release.outcome == ROLLED_BACK
    assert release.alarms[0].dimensions["ExecutedVersion"] == "2"  # as pulumi up moves it before deploying
    assert "alarm fn-errors: OK -> ALARM" in timeline and "rolled back (alarm fn-errors); live serves version 1" in timeline
    assert aliases.alias("fn", "live").version == "1" and aliases.alias("fn", "live").weights == {}


@pytest.mark.parametrize("answer, shown", [
    (lambda e: ({"statusCode": 503}, None), "503"),
    (lambda e: (None, {"errorType": "Runtime.ImportModuleError", "errorMessage": "no module"}),
     "Runtime.ImportModuleError"),
])
def test_a_failed_pre_traffic_check_rolls_back_before_any_traffic_moves(answer, shown):
    release, aliases, timeline = rehearse("Canary10Percent5Minutes", answer, check={"httpMethod": "GET", "path": "/x"})
    assert release.outcome == ROLLED_BACK
    assert f"BeforeAllowTraffic check: version 2 answered GET /x with {shown}" in timeline
    assert "% of invocations" not in timeline and "rolled back (the BeforeAllowTraffic check failed)" in timeline


def test_a_stage_canary_bakes_for_its_time_then_is_promoted():
    gateway = FakeGateway(api())
    deployments = StageDeployments(gateway, FakeGateway, draw=lambda: 0.0)
    clock = ManualClock()
    with Rehearsal(clock, []) as rehearsal:
        part = rehearsal.add(StageRehearsal(deployments, api(stage_variables={"fn_x": "fn:2"}), 20, 600, [],
                                            rehearsal.store, clock, rehearsal.timeline, "api"))
        rehearsal.start()
        assert deployments.percent == 20 and deployments.pick().api.stage_variables == {"fn_x": "fn:2"}
        clock.advance(540)
        assert not rehearsal.tick()
        clock.advance(60)
        assert rehearsal.tick() and part.outcome == PROMOTED
    assert deployments.stable.api.stage_variables == {"fn_x": "fn:2"} and not deployments.stable.canary


def test_the_plans_are_the_programs(dev_stack, prod_stack):
    for stack, config in ((dev_stack, "AllAtOnce"), (prod_stack, "Canary10Percent5Minutes")):
        alarms = [LocalAlarm.from_registration(a.inputs, a.outputs)
                  for a in stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")]
        plans = function_plans(stack, alarms)
        assert len(plans) == 14 and {p.shift.name for p in plans.values()} == {config}
        assert {a.metric for p in plans.values() for a in p.alarms} == {"Errors", "Duration", "5XXError"}
        shows = [p for p in plans.values() if p.service == "shows" and p.check is not None]
        assert shows and all(p.check["path"] == "/shows" for p in shows)
    apis = [api(name=r.name, api_id=r.id, stage="dev") for r in dev_stack.of_type("aws:apigateway/restApi:RestApi")]
    dev_alarms = [LocalAlarm.from_registration(a.inputs, a.outputs)
                  for a in dev_stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")]
    for plan in stage_plans(dev_stack, apis, dev_alarms).values():
        # no StageCanary in dev: the stage's own 5XX and latency alarms, over the canary's requests
        assert {a.metric for a in plan.alarms} == {"5XXError", "Latency"} and plan.bake_seconds == 600
        assert {a.dimensions["Stage"] for a in plan.alarms} == {"dev/Canary"}


def test_a_stage_canary_release_the_program_registered_is_the_plan(prod_stack):
    apis = [api(name=r.name, api_id=r.id, stage="prod", canary_percent=10)
            for r in prod_stack.of_type("aws:apigateway/restApi:RestApi")]
    alarms = [LocalAlarm.from_registration(a.inputs, a.outputs)
              for a in prod_stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")]
    plans = stage_plans(prod_stack, apis, alarms)
    releases = {r.inputs["rest_api_id"]: r for r in prod_stack.of_type("pulumi-python:dynamic/release:StageCanary")}
    assert len(plans) == len(releases) == 6
    for local_api in apis:
        plan = plans[local_api.name]
        assert plan.percent == 10 and plan.bake_seconds == releases[local_api.api_id].inputs["bake_seconds"] == 600
        assert [a.name for a in plan.alarms] == releases[local_api.api_id].inputs["alarms"]
        assert {a.dimensions["Stage"] for a in plan.alarms} == {"prod/Canary"}
