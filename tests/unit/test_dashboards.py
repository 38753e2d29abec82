"""Dashboards and alarms from the components' watches: valid CloudWatch bodies, real metrics, one mechanism.

The body checks follow CloudWatch's "Dashboard Body Structure and Syntax" (written here from the
documentation, not from the generator): widget types, the 24-column grid, metric arrays, statistics,
periods, the 500-widget, 100-metric and 100-alarm limits.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from multitier._ops import catalog
from multitier._ops.catalog import UnknownMetric
from multitier._ops.watch import Alarm, Metric, Watch, Widget
from multitier._ops.watch_logic import lambda_metric
from multitier._patterns.services import COLD_START_METRIC, SERVICE_METRICS

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
STAT = re.compile(r"^(SampleCount|Average|Sum|Minimum|Maximum|p(\d{1,2}(\.\d{1,2})?|100))$")
PATTERNS = ("mobile-backend", "single-page-app", "web-app", "microservices")


def bodies(stack):
    return {d.inputs["dashboardName"]: json.loads(d.inputs["dashboardBody"]) for d in stack.of_type(DASHBOARD)}


def metric_entries(body):
    """(widget, namespace, name, dimensions, rendering) of every metric of every metric widget."""
    for widget in body["widgets"]:
        for entry in widget["properties"].get("metrics", []) if widget["type"] == "metric" else []:
            rendering = entry[-1] if isinstance(entry[-1], dict) else {}
            parts = entry[:-1] if rendering else entry
            yield widget, parts[0], parts[1], dict(zip(parts[2::2], parts[3::2])), rendering


def structure_problems(body) -> list[str]:
    problems = []
    if set(body) - {"widgets", "variables", "start", "end", "periodOverride"} or "widgets" not in body:
        problems.append(f"top-level keys {sorted(body)}")
    widgets = body["widgets"]
    if len(widgets) > 500:
        problems.append(f"{len(widgets)} widgets")
    cells = set()
    for w in widgets:
        where = f"{w.get('type')} at {w.get('x')},{w.get('y')}"
        if w["type"] not in ("metric", "text", "log", "alarm", "explorer"):
            problems.append(f"{where}: type")
        if not (0 <= w["x"] <= 23 and w["y"] >= 0 and 1 <= w["width"] <= 24 and 1 <= w["height"] <= 1000
                and w["x"] + w["width"] <= 24):
            problems.append(f"{where}: outside the grid")
        for x in range(w["x"], w["x"] + w["width"]):
            for y in range(w["y"], w["y"] + w["height"]):
                if (x, y) in cells:
                    problems.append(f"{where}: overlaps another widget")
                cells.add((x, y))
        p = w["properties"]
        if w["type"] == "text" and not isinstance(p.get("markdown"), str):
            problems.append(f"{where}: text without markdown")
        if w["type"] == "alarm" and not 1 <= len(p.get("alarms", [])) <= 100:
            problems.append(f"{where}: {len(p.get('alarms', []))} alarms")
        if w["type"] == "metric":
            if not p.get("region") or not 1 <= len(p.get("metrics", [])) <= 100:
                problems.append(f"{where}: region and 1-100 metrics")
            if p.get("view", "timeSeries") not in ("timeSeries", "singleValue", "gauge", "bar", "pie", "table"):
                problems.append(f"{where}: view")
            if "period" in p and (p["period"] < 60 or p["period"] % 60):
                problems.append(f"{where}: period {p['period']}")
            for entry in p["metrics"]:
                rendering = entry[-1] if isinstance(entry[-1], dict) else {}
                parts = entry[:-1] if rendering else entry
                if len(parts) < 2 or len(parts) % 2 or not all(isinstance(s, str) and s for s in parts):
                    problems.append(f"{where}: metric array {entry}")
                if not STAT.match(rendering.get("stat", p.get("stat", "Average"))):
                    problems.append(f"{where}: statistic {rendering.get('stat')}")
                period = rendering.get("period", 60)
                if period < 60 or period % 60:
                    problems.append(f"{where}: period {period}")
            for line in (p.get("annotations") or {}).get("horizontal", []):
                if not isinstance(line.get("value"), (int, float)):
                    problems.append(f"{where}: annotation value")
    return problems


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_each_stack_has_a_dashboard_per_pattern_and_an_overview_with_valid_bodies(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    found = bodies(stack)
    assert set(found) == {f"multitier-{stack_name}-{p}" for p in (*PATTERNS, "overview")}
    for name, body in found.items():
        assert structure_problems(body) == [], name
    urls = stack.outputs["dashboard_urls"]
    assert urls["overview"].endswith(f"#dashboards/dashboard/multitier-{stack_name}-overview")
    assert set(urls) == {"mobile_backend", "single_page_app", "web_app", "microservices", "overview"}


def test_the_structure_check_catches_what_cloudwatch_refuses():
    body = {"widgets": [{"type": "metric", "x": 20, "y": 0, "width": 6, "height": 6, "properties": {
        "region": "us-east-1", "metrics": [["AWS/Lambda", "Errors", "FunctionName", {"stat": "p999"}]],
        "period": 90}}, {"type": "graph", "x": 0, "y": 0, "width": 22, "height": 1, "properties": {}}]}
    problems = " ".join(structure_problems(body))
    for what in ("outside the grid", "metric array", "statistic p999", "period 90", ": type", "overlaps"):
        assert what in problems


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_every_metric_is_one_its_resource_emits(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    emitted = emitted_business_metrics()
    seen = set()
    for body in bodies(stack).values():
        for _, namespace, name, dimensions, rendering in metric_entries(body):
            catalog.check(namespace, name, tuple(dimensions), rendering["stat"])  # raises UnknownMetric
            if not namespace.startswith("AWS/") and namespace != catalog.ACCESS_LOG_NAMESPACE:
                assert namespace.startswith(f"multitier/{stack_name}/")  # the stack's and pattern's own
                assert name == "ColdStart" or name in emitted, f"{name} is emitted by no service"
            seen.add(namespace)
    for alarm in stack.of_type(ALARM):
        catalog.check(alarm.inputs["namespace"], alarm.inputs["metricName"], tuple(alarm.inputs["dimensions"]),
                      alarm.inputs.get("extendedStatistic") or alarm.inputs["statistic"])
    assert {"AWS/ApiGateway", "AWS/Lambda", "AWS/DynamoDB", "AWS/RDS", "AWS/ElastiCache", "AWS/Cognito",
            "AWS/CloudFront", "AWS/AmplifyHosting", "AWS/EFS", catalog.ACCESS_LOG_NAMESPACE} <= seen
    if stack_name == "prod":
        assert "AWS/WAFV2" in seen
    assert all(entry.source for entry in catalog.NAMESPACES.values())


def emitted_business_metrics() -> set[str]:
    """Every name the services pass to Powertools' add_metric(name=...)."""
    names = set()
    for path in (ROOT / "functions").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_metric":
                names |= {k.value.value for k in node.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)}
    return names


def test_the_declared_business_metrics_and_cold_starts_are_what_the_services_emit():
    emitted = emitted_business_metrics()
    assert {"TicketsSold", "SoldOut", "TicketsCancelled"} <= emitted
    assert {m for names in SERVICE_METRICS.values() for m in names} <= emitted
    for service in COLD_START_METRIC:
        code = " ".join(p.read_text() for p in (ROOT / "functions" / service).glob("*.py"))
        assert "api_handler(" in code or "capture_cold_start_metric=True" in code, service
    assert "capture_cold_start_metric=True" in (ROOT / "functions/shared/http.py").read_text()


def test_the_catalog_refuses_metrics_their_service_does_not_publish():
    # The alarm the stack used to have: DynamoDB publishes ThrottledRequests per TableName AND Operation,
    # so an alarm on TableName alone never had a datapoint.
    with pytest.raises(UnknownMetric, match=r"\(Operation, TableName\)"):
        Metric("AWS/DynamoDB", "ThrottledRequests", {"TableName": "t"})
    with pytest.raises(UnknownMetric, match="no metric"):
        Metric("AWS/Lambda", "Error", {"FunctionName": "f"})
    with pytest.raises(UnknownMetric, match="Average only"):
        Metric("AWS/CloudFront", "5xxErrorRate", {"DistributionId": "d", "Region": "Global"}, "Sum")
    with pytest.raises(UnknownMetric, match="not in the metric catalog"):
        Metric("AWS/SQS", "NumberOfMessagesSent", {"QueueName": "q"})
    with pytest.raises(ValueError, match="percentile"):
        Metric("AWS/Lambda", "Duration", {"FunctionName": "f"}, "p101")
    with pytest.raises(ValueError, match="multiple of 60"):
        Metric("AWS/Lambda", "Duration", {"FunctionName": "f"}, period=30)


def test_an_alarm_must_be_drawn_on_a_chart_of_its_metric():
    errors = lambda_metric("f", "Errors")
    alarm = Alarm("lambda-errors", errors, 0, "errors")
    Widget("ok", [errors], alarms=[alarm])
    with pytest.raises(ValueError, match="does not chart"):
        Widget("wrong", [lambda_metric("f", "Errors", "Average")], alarms=[alarm])
    with pytest.raises(ValueError, match="repeat"):
        Watch("w", "W", "logic", [Widget("a", [errors], alarms=[alarm]), Widget("b", [errors], alarms=[alarm])])


def test_lambda_metrics_per_alias_and_executed_version_for_releases():
    metric = lambda_metric("shows-fn", "Errors", alias="live", version="7")
    assert list(metric.dimensions) == ["FunctionName", "Resource", "ExecutedVersion"]
    with pytest.raises(ValueError, match="alias"):
        lambda_metric("shows-fn", "Errors", version="7")


def test_each_alarm_is_drawn_on_the_chart_of_its_metric_with_its_threshold(prod_stack):
    alarms = {a.outputs["name"]: a for a in prod_stack.of_type(ALARM)}
    drawn = {}
    for name, body in bodies(prod_stack).items():
        if name.endswith("overview"):
            continue
        status = {arn for w in body["widgets"] if w["type"] == "alarm" for arn in w["properties"]["alarms"]}
        for widget in body["widgets"]:
            for line in (widget["properties"].get("annotations") or {}).get("horizontal", []):
                alarm = alarms[line["label"]]
                assert line["value"] == alarm.inputs["threshold"]
                stat = alarm.inputs.get("extendedStatistic") or alarm.inputs["statistic"]
                assert any(ns == alarm.inputs["namespace"] and n == alarm.inputs["metricName"]
                           and d == alarm.inputs["dimensions"] and r["stat"] == stat
                           and r["period"] == alarm.inputs["period"]
                           for _, ns, n, d, r in metric_entries({"widgets": [widget]}))
                assert alarm.outputs["arn"] in status
                drawn[line["label"]] = name
    assert set(drawn) == set(alarms)  # every alarm of the stack, on its pattern's dashboard


def test_tiers_come_in_the_order_a_request_travels(dev_stack):
    body = bodies(dev_stack)["multitier-dev-single-page-app"]
    headings = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"][1:]
    assert headings == ["## Presentation", "## Identity", "## Logic", "## Data"]
    titles = [w["properties"]["title"] for w in body["widgets"] if w["type"] == "metric"]
    assert titles.index("single-page-app-site: Requests") < titles.index("single-page-app-api: Requests") \
        < titles.index("single-page-app-shows: Invocations") < titles.index("single-page-app-cache: Hits and misses")


def test_alarms_are_made_from_the_watches_and_found_again_by_key(run):
    from multitier._ops.alarms import Alarms, AlarmsArgs

    found = {}

    def program():
        errors = lambda_metric("fn", "Errors", alias="live", version="3")
        watch = Watch("shows", "Function shows", "logic", [Widget("Invocations", [errors],
                                                                 alarms=[Alarm("lambda-errors", errors, 0, "errors")])])
        alarms = Alarms("alarms", AlarmsArgs(watches=[watch]))
        found.update(alarms.of(watch))
        found["refs"] = alarms.refs()

    recording = run(program)
    (alarm,) = recording.of_type(ALARM)
    assert alarm.name == "shows-lambda-errors" and set(found) == {"lambda-errors", "refs"}
    assert alarm.inputs["dimensions"] == {"FunctionName": "fn", "Resource": "fn:live", "ExecutedVersion": "3"}
    assert (alarm.inputs["evaluationPeriods"], alarm.inputs["threshold"], alarm.inputs["statistic"]) == (1, 0, "Sum")
    assert set(found["refs"]) == {"shows-lambda-errors"}


def test_dashboards_are_priced_beyond_the_free_three(prod_stack):
    from local import engine
    from policy.cost import estimate
    from policy.recorded import to_stack

    stack = to_stack(prod_stack, "prod", engine.stack_config("prod"))
    lines = [line for line in estimate(stack).idle if "dashboard" in line.item]
    assert sorted(line.usd for line in lines) == [0.0, 0.0, 0.0, 3.0, 3.0]
