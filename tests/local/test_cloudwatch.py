"""Local CloudWatch without local mode: the store, the alarm evaluator in compressed time, the sources, the server."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from local.cloudwatch import ALARM, INSUFFICIENT_DATA, OK, AlarmEvaluator, LocalAlarm, ManualClock, MetricStore
from local.cloudwatch.service import LocalCloudWatch
from local.cloudwatch.sources import ApiIdentity, MetricFilter, Recorder
from local.cloudwatch.store import statistic
from tests.local.conftest import http

API = {"ApiName": "api-1", "Stage": "dev"}


def rate_alarm(**changes) -> LocalAlarm:
    """The API's 5XX rate alarm as the program registers it: Average of 5XXError > 1 % in 3 of 5 minutes."""
    inputs = {"namespace": "AWS/ApiGateway", "metricName": "5XXError", "dimensions": API, "statistic": "Average",
              "period": 60, "evaluationPeriods": 5, "datapointsToAlarm": 3, "threshold": 0.01,
              "comparisonOperator": "GreaterThanThreshold", "treatMissingData": "notBreaching", **changes}
    return LocalAlarm.from_registration(inputs, {"name": "api-5xx-abc", "arn": "arn:aws:cloudwatch:r:1:alarm:api-5xx"})


def test_statistics_are_cloudwatchs():
    values = [float(v) for v in range(1, 101)]
    assert (statistic(values, "Sum"), statistic(values, "Average"), statistic(values, "SampleCount")) == \
        (5050.0, 50.5, 100.0)
    assert (statistic(values, "p50"), statistic(values, "p99"), statistic(values, "Maximum")) == (50.0, 99.0, 100.0)
    assert statistic([], "Sum") is None
    with pytest.raises(ValueError):
        statistic(values, "Median")


def test_the_store_keeps_its_history_across_a_restart(tmp_path):
    clock = ManualClock()
    store = MetricStore(tmp_path, clock)
    for value in (1, 0, 1):
        store.put("AWS/ApiGateway", "5XXError", API, value)
        clock.advance(20)
    store.close()
    (tmp_path / "points.jsonl").open("a").write('[1, "cut short')  # a crash mid-line loses that line only
    reopened = MetricStore(tmp_path, clock)
    series = reopened.series("AWS/ApiGateway", "5XXError", {"Stage": "dev", "ApiName": "api-1"}, "Sum", 60,
                             clock() - 60, clock())
    assert sum(v for _, v in series if v) == 2
    assert reopened.values("AWS/ApiGateway", "5XXError", API, 0, clock() + 1) == [1.0, 0.0, 1.0]


def test_the_rate_alarm_goes_to_alarm_and_back_in_compressed_time():
    # GIVEN time 60 times faster: a one-minute period lasts one second
    clock = ManualClock(scale=60)
    store = MetricStore(None, clock)
    evaluator = AlarmEvaluator(store, [rate_alarm()], clock)
    assert evaluator.state("api-5xx-abc").value == INSUFFICIENT_DATA
    evaluator.evaluate()
    assert evaluator.state("api-5xx-abc").value == OK  # no data is not breaching
    # WHEN a fifth of the requests fail during three compressed minutes
    for _ in range(3):
        for status in (500, 200, 200, 200, 200):
            store.put("AWS/ApiGateway", "5XXError", API, 1 if status >= 500 else 0)
        clock.advance(1)
    changes = evaluator.evaluate()
    # THEN it is in ALARM, with the datapoints that put it there
    assert [(c[1].value, c[2].value) for c in changes] == [(OK, ALARM)]
    assert "3 of 5 datapoints" in evaluator.state("api-5xx-abc").reason
    # WHEN the requests succeed again for long enough that fewer than 3 of the last 5 periods breach
    for _ in range(3):
        store.put("AWS/ApiGateway", "5XXError", API, 0)
        clock.advance(1)
    evaluator.evaluate()
    assert evaluator.state("api-5xx-abc").value == OK
    assert [(h["from"], h["to"]) for h in evaluator.history] == [(INSUFFICIENT_DATA, OK), (OK, ALARM), (ALARM, OK)]


@pytest.mark.parametrize("missing, expected", [("missing", INSUFFICIENT_DATA), ("breaching", ALARM),
                                               ("notBreaching", OK), ("ignore", INSUFFICIENT_DATA)])
def test_missing_data_is_treated_as_the_alarm_says(missing, expected):
    clock = ManualClock()
    evaluator = AlarmEvaluator(MetricStore(None, clock), [rate_alarm(treatMissingData=missing)], clock)
    evaluator.evaluate()
    assert evaluator.state("api-5xx-abc").value == expected


def test_metric_math_alarms_are_refused_by_name():
    with pytest.raises(ValueError, match="metric math"):
        rate_alarm(metricQueries=[{"id": "e1", "expression": "m1+m2"}])


def test_the_access_log_becomes_api_gateway_metrics_and_the_metric_filter_runs():
    store = MetricStore(None, ManualClock())
    throttled = MetricFilter.parse("{ $.status = 429 }", {"namespace": "multitier/ApiGateway",
                                                          "name": "ThrottledRequests", "value": "1",
                                                          "dimensions": {"ApiId": "$.apiId", "Stage": "$.stage"}})
    recorder = Recorder(store)
    identity = ApiIdentity("api-1", "a1b2c3", "dev", (throttled,))
    for status, latency in ((200, 12.0), (429, 1.0), (502, 30.0)):
        recorder.access_log(identity, json.dumps({"requestId": "r", "status": status, "latencyMs": latency,
                                                  "integrationLatency": None}))
    recorder.access_log(identity, json.dumps({"warning": "not an access log line"}))
    everything = (0, 1e12)
    assert store.values("AWS/ApiGateway", "Count", API, *everything) == [1, 1, 1]
    assert store.values("AWS/ApiGateway", "4XXError", API, *everything) == [0, 1, 0]
    assert store.values("AWS/ApiGateway", "5XXError", API, *everything) == [0, 0, 1]
    assert store.values("AWS/ApiGateway", "Latency", API, *everything) == [12.0, 1.0, 30.0]
    assert store.values("multitier/ApiGateway", "ThrottledRequests", {"ApiId": "a1b2c3", "Stage": "dev"},
                        *everything) == [1.0]
    with pytest.raises(ValueError, match="field = value"):
        MetricFilter.parse("[ip, user, status=429]", {"namespace": "n", "name": "m"})


def test_invocations_and_emf_lines_become_lambda_and_service_metrics():
    store = MetricStore(None, ManualClock())
    recorder = Recorder(store, versions={"fn:live": "4"})
    results = iter([SimpleNamespace(error=None, timed_out=False, duration_ms=8.0),
                    SimpleNamespace(error={"errorType": "Boom"}, timed_out=False, duration_ms=3.0)])
    invoke = recorder.observe(lambda name, event: next(results))
    invoke("fn:live", {})
    invoke("arn:aws:lambda:us-east-1:123456789012:function:fn:live", {})
    everything = (0, 1e12)
    assert store.values("AWS/Lambda", "Errors", {"FunctionName": "fn"}, *everything) == [0, 1]
    assert store.values("AWS/Lambda", "Duration", {"FunctionName": "fn", "Resource": "fn:live"},
                        *everything) == [8.0, 3.0]
    assert store.values("AWS/Lambda", "Invocations", {"FunctionName": "fn", "Resource": "fn:live",
                                                      "ExecutedVersion": "4"}, *everything) == [1, 1]
    emf = {"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "multitier/dev/web-app",
                                                            "Dimensions": [["service"]],
                                                            "Metrics": [{"Name": "TicketsSold", "Unit": "Count"}]}]},
           "service": "sales", "TicketsSold": [2.0]}
    recorder.log_line(json.dumps(emf))
    recorder.log_line("START RequestId: 1 Version: $LATEST")
    assert store.values("multitier/dev/web-app", "TicketsSold", {"service": "sales"}, *everything) == [2.0]


def test_the_server_serves_bodies_metric_data_and_alarm_states(tmp_path):
    clock = ManualClock(start=1_800_000_000.0, scale=60)
    body = {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 24, "height": 1, "properties": {"markdown": "# x"}}]}
    cloudwatch = LocalCloudWatch(MetricStore(tmp_path, clock), {"local-dash": body}, [rate_alarm()], {}, clock=clock,
                                 log=lambda line: None)
    cloudwatch.store.put("AWS/ApiGateway", "5XXError", API, 1)
    clock.advance(0.5)
    cloudwatch.start()
    try:
        url = cloudwatch.url
        assert http("GET", url + "api/dashboards/local-dash").json() == body
        assert "uPlot" in http("GET", url + "dashboards/local-dash").body.decode()
        assert http("GET", url + "static/vendor/uplot-1.6.32/uPlot.iife.min.js").status == 200
        assert http("GET", url + "static/../service.py").status == 404
        assert http("GET", url + "api/dashboards/nope").status == 404
        about = http("GET", url + "api/dashboards").json()
        assert about["time_scale"] == 60 and "AWS/ApiGateway" in about["measured"]
        answer = http("POST", url + "api/metrics", body={
            "start": clock() - 5, "end": clock() + 1, "queries": [{"id": "q", "namespace": "AWS/ApiGateway",
                                                                  "name": "5XXError", "dimensions": API,
                                                                  "stat": "Sum", "period": 60}]}).json()
        assert [v for _, v in answer["q"] if v] == [1.0]  # one-second buckets at scale 60
        assert http("POST", url + "api/metrics", body={"queries": "x"}).status == 400
        cloudwatch.evaluator.evaluate()
        (alarm,) = http("GET", url + "api/alarms").json()["alarms"]
        assert (alarm["name"], alarm["state"]) == ("api-5xx-abc", OK) and "1 of 5 datapoints" in alarm["reason"]
    finally:
        cloudwatch.stop()
