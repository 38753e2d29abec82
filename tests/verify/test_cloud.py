"""The AWS-only checks against recorded answers (botocore's Stubber): each passes, fails and skips as it should.

Nothing here reaches AWS: each client is stubbed, and botocore still checks every request
against the service's model.
"""

from __future__ import annotations

import json
import re

import boto3
import pytest
from botocore.stub import ANY, Stubber

from verify.checks import CHECKS, Context, Failed, Skipped
from verify.checks import cloud
from verify.checks.api import stage_throttle
from verify.http import Http, Response
from verify.target import Api, Pattern, Target

API = Api("web-app-api", "https://abc123.execute-api.us-east-1.amazonaws.com/dev", "dev", ("/health", "/tickets"),
          rest_api_id="abc123", access_log_group="/aws/apigateway/web-app-api-access-1a2b3c")
PATTERN = Pattern("web_app", (API,), (), "us-east-1_Pool", "client", "https://cognito-idp.us-east-1.amazonaws.com/")
TRACE = "1-6b1725fa-f1abc222c5f680bbc08ac997"


class Clients:
    """A stubbed client per service; ``stub(service)`` queues what it answers."""

    def __init__(self):
        self.clients, self.stubbers = {}, {}

    def __call__(self, service: str):
        if service not in self.clients:
            client = boto3.session.Session().client(service, region_name="us-east-1", aws_access_key_id="k",
                                                    aws_secret_access_key="s")
            self.clients[service], self.stubbers[service] = client, Stubber(client)
            self.stubbers[service].activate()
        return self.clients[service]

    def stub(self, service: str) -> Stubber:
        self(service)
        return self.stubbers[service]


@pytest.fixture
def clients():
    made = Clients()
    yield made
    for stubber in made.stubbers.values():
        stubber.assert_no_pending_responses()


class Answering(Http):
    """Answers every request 200 ``{"items": []}`` and keeps what was sent."""

    def __init__(self):
        super().__init__()
        self.sent: list[tuple[str, str, dict]] = []

    def send(self, method, url, headers, data):
        self.sent.append((method, url, dict(headers)))
        return Response(method, url, 200, {"x-amzn-requestid": "r-trace"}, b'{"items": []}', 0.01)


def _ctx(clients, alarm_names=(), answered=()) -> Context:
    target = Target("aws", "dev", "us-east-1", {"web_app": PATTERN}, clients, tuple(alarm_names))
    http = Answering()
    http.answers.extend(answered)
    ctx = Context(target, PATTERN, http, sleep=lambda seconds: None)
    ctx.id_token = "token"
    return ctx


def _sent_trace_id(ctx: Context) -> str:
    (method, url, headers), = ctx.http.sent
    assert (method, url) == ("GET", API.at("/tickets?limit=1")) and headers["Authorization"] == "token"
    root, sampled = headers["X-Amzn-Trace-Id"].split(";")
    assert sampled == "Sampled=1"
    return root.removeprefix("Root=")


def _answer(request_id: str, status: int = 200, path: str = "/health") -> Response:
    return Response("GET", API.at(path), status, {"x-amzn-requestid": request_id}, b"{}", 0.01)


def _log_event(request_id: str) -> dict:
    return {"message": json.dumps({"requestId": request_id, "status": "200"}), "timestamp": 1, "logStreamName": "s"}


POLLS = cloud.WAIT_SECONDS // cloud.POLL_SECONDS + 1  # what a check that never sees its data calls


# -- access logs ------------------------------------------------------------------------------------------------
def test_access_logs_pass_when_every_request_is_logged(clients):
    ctx = _ctx(clients, answered=[_answer("r-1"), _answer("r-2", path="/tickets"), _answer("r-401", 401)])
    stub = clients.stub("logs")
    expected = {"logGroupName": API.access_log_group, "startTime": ANY,
                "filterPattern": '{ $.requestId = "r-1" || $.requestId = "r-2" }'}
    stub.add_response("filter_log_events", {"events": [_log_event("r-1")], "nextToken": "t"}, expected)
    stub.add_response("filter_log_events", {"events": [_log_event("r-2")]}, {**expected, "nextToken": "t"})
    assert "2 requests logged" in cloud.access_logs(ctx, API)


def test_access_logs_fail_naming_what_never_arrived(clients):
    ctx = _ctx(clients, answered=[_answer("r-1"), _answer("r-2")])
    stub = clients.stub("logs")
    for _ in range(POLLS):  # every poll until the deadline finds only r-1
        stub.add_response("filter_log_events", {"events": [_log_event("r-1")]})
    with pytest.raises(Failed) as failed:
        cloud.access_logs(ctx, API)
    assert "missing r-2" == failed.value.actual and "r-1, r-2" in failed.value.expected


def test_access_logs_skip_without_the_permission(clients):
    ctx = _ctx(clients, answered=[_answer("r-1")])
    clients.stub("logs").add_client_error("filter_log_events", "AccessDeniedException", "not allowed", 400)
    with pytest.raises(Skipped, match="logs:FilterLogEvents"):
        cloud.access_logs(ctx, API)


# -- the trace ------------------------------------------------------------------------------------------------------
def _segment(origin: str | None = None, **fields) -> dict:
    document = {"id": "1", "name": "x", **({"origin": origin} if origin else {}), **fields}
    return {"Id": "1", "Document": json.dumps(document)}


def _trace(*segments: dict) -> dict:
    return {"Traces": [{"Id": TRACE, "Duration": 0.1, "Segments": list(segments)}], "UnprocessedTraceIds": []}


def test_the_trace_passes_when_it_reaches_every_tier(clients):
    stub = clients.stub("xray")
    stub.add_response("batch_get_traces", {"Traces": [], "UnprocessedTraceIds": [TRACE]}, {"TraceIds": [ANY]})
    stub.add_response("batch_get_traces", _trace(
        _segment("AWS::ApiGateway::Stage"), _segment("AWS::Lambda"),
        _segment("AWS::Lambda::Function", subsegments=[{"id": "2", "name": "## list_tickets", "subsegments": [
            {"id": "3", "name": "DynamoDB", "namespace": "aws"}]}])), {"TraceIds": [ANY]})
    ctx = _ctx(clients)
    reason = cloud.trace(ctx, None)
    trace_id = _sent_trace_id(ctx)
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", trace_id)
    assert reason.startswith(f"trace {trace_id}: API Gateway stage, Lambda function, DynamoDB")


def test_the_trace_fails_when_a_tier_is_missing(clients):
    stub = clients.stub("xray")
    for _ in range(POLLS):
        stub.add_response("batch_get_traces", _trace(_segment("AWS::ApiGateway::Stage"),
                                                     _segment("AWS::Lambda::Function")))
    with pytest.raises(Failed) as failed:
        cloud.trace(_ctx(clients), None)
    assert failed.value.actual == "API Gateway stage, Lambda function" and "DynamoDB" in failed.value.expected


def test_the_trace_skips_without_the_permission(clients):
    clients.stub("xray").add_client_error("batch_get_traces", "AccessDeniedException", "no", 400)
    with pytest.raises(Skipped, match="xray:BatchGetTraces"):
        cloud.trace(_ctx(clients), None)


# -- alarms -----------------------------------------------------------------------------------------------------------
def _alarm(name: str, state: str, reason: str = "") -> dict:
    return {"AlarmName": name, "StateValue": state, "StateReason": reason}


def test_alarms_pass_when_all_exist_and_none_fires(clients):
    names = [f"alarm-{i}" for i in range(120)]  # more than one DescribeAlarms call takes
    stub = clients.stub("cloudwatch")
    stub.add_response("describe_alarms", {"MetricAlarms": [_alarm(n, "OK") for n in names[:100]]},
                      {"AlarmNames": names[:100], "MaxRecords": 100})
    stub.add_response("describe_alarms", {"MetricAlarms": [_alarm(n, "INSUFFICIENT_DATA") for n in names[100:]]},
                      {"AlarmNames": names[100:], "MaxRecords": 100})
    assert cloud.alarms(_ctx(clients, names), None) == "120 alarms, none in ALARM (20 not evaluated yet)"


def test_alarms_fail_when_one_fires_or_is_missing(clients):
    clients.stub("cloudwatch").add_response("describe_alarms", {"MetricAlarms": [
        _alarm("a", "OK"), _alarm("b", "ALARM", "Threshold Crossed: 1 datapoint [3.0] > 0.0")]})
    with pytest.raises(Failed) as failed:
        cloud.alarms(_ctx(clients, ["a", "b", "c"]), None)
    assert "missing c" in failed.value.actual and "b: Threshold Crossed" in failed.value.actual


def test_alarms_skip_on_a_stack_without_alarms(clients):
    with pytest.raises(Skipped, match="alarmsEnabled"):
        cloud.alarms(_ctx(clients), None)


# -- the stage's limits -------------------------------------------------------------------------------------------
def test_the_stage_limits_come_from_api_gateway(clients):
    clients.stub("apigateway").add_response(
        "get_stage", {"methodSettings": {"*/*": {"throttlingRateLimit": 20.0, "throttlingBurstLimit": 40},
                                         "~1tickets/POST": {"throttlingRateLimit": 10.0, "throttlingBurstLimit": 20}}},
        {"restApiId": "abc123", "stageName": "dev"})
    assert stage_throttle(_ctx(clients), API) == (20.0, 40)


def test_an_unexpected_aws_error_is_not_hidden_as_a_skip(clients):
    clients.stub("apigateway").add_client_error("get_stage", "NotFoundException", "Invalid stage identifier", 404)
    with pytest.raises(Exception, match="NotFoundException"):
        stage_throttle(_ctx(clients), API)


def test_every_check_has_a_test_that_shows_it_failing():
    from tests.verify.test_checks_fail import BREAKS

    aws_only = {"access-logs", "trace", "alarms"}  # failing above
    assert {c.name for c in CHECKS} == set(BREAKS) | aws_only
