"""The AWS target end to end, without AWS: the outputs a deployed dev stack exports, its HTTP endpoints played by
local mode, Cognito's admin API by local mode's Cognito emulator, and CloudWatch, CloudWatch Logs, X-Ray and API
Gateway's control plane by recorded answers (botocore checks each request against the service's model).

What this cannot show is whether AWS answers as recorded: the suite has not yet run against AWS.
"""

from __future__ import annotations

import dataclasses
import json
import re

import boto3
from botocore.awsrequest import AWSResponse

from verify import runner
from verify.target import aws_target

TRACE_ID = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")


class Recorded:
    """boto3 clients (no network) whose calls are answered by functions of their parameters."""

    def __init__(self, answers):
        self.answers = answers  # (service, operation) → params → parsed answer
        self.calls: list[tuple[str, str, dict]] = []
        self.clients = {}

    def __call__(self, service: str):
        if service not in self.clients:
            client = boto3.session.Session().client(service, region_name="us-east-1", aws_access_key_id="k",
                                                    aws_secret_access_key="s")
            events, name = client.meta.events, client.meta.service_model.service_id.hyphenize()
            # The call's parameters as given (validated against the model by then), then its answer instead of AWS's.
            events.register_first(f"before-parameter-build.{name}.*", self._keep)
            events.register_first(f"before-call.{name}.*", self._answer(service))
            self.clients[service] = client
        return self.clients[service]

    @staticmethod
    def _keep(params, context, **kwargs):
        context["recorded-params"] = dict(params)

    def _answer(self, service: str):
        def handler(model, context, **kwargs):
            params = context["recorded-params"]
            self.calls.append((service, model.name, params))
            return AWSResponse("https://recorded", 200, {}, None), self.answers[service, model.name](params)
        return handler


def _outputs(local_target) -> dict:
    """What `pulumi stack output --json` prints for a stack whose endpoints are local mode's."""
    outputs = {"region": local_target.region, "alarm_names": ["web-app-api-5xx-1a2b3c4", "web-app-api-latency-5d6e7f8"]}
    for name, p in local_target.patterns.items():
        outputs[f"{name}_apis"] = [{"name": a.name, "url": a.url, "id": f"id{i}{len(name)}", "stage": a.stage,
                                    "access_log_group": f"/aws/apigateway/{a.name}-access-0a1b2c3", "paths": list(a.paths)}
                                   for i, a in enumerate(p.apis)]
        outputs[f"{name}_user_pool_id"], outputs[f"{name}_client_id"] = p.user_pool_id, p.client_id
        if p.sites:
            outputs[f"{name}_site_url"] = p.sites[0]
    return outputs


def _logged(params: dict) -> dict:
    ids = re.findall(r'\$\.requestId = "([^"]+)"', params["filterPattern"])
    return {"events": [{"message": json.dumps({"requestId": i, "status": "200"}), "timestamp": 1} for i in ids]}


def _traced(params: dict) -> dict:
    (trace_id,) = params["TraceIds"]
    assert TRACE_ID.match(trace_id), trace_id
    function = {"id": "b", "name": "tickets", "origin": "AWS::Lambda::Function",
                "subsegments": [{"id": "c", "name": "DynamoDB", "namespace": "aws"}]}
    return {"Traces": [{"Id": trace_id, "Segments": [
        {"Id": "a", "Document": json.dumps({"id": "a", "name": "api/dev", "origin": "AWS::ApiGateway::Stage"})},
        {"Id": "b", "Document": json.dumps(function)}]}]}


def test_the_aws_target_runs_every_check(dev_local):
    local = dev_local.target
    recorded = Recorded({
        ("apigateway", "GetStage"): lambda p: {"methodSettings": {"*/*": {"throttlingRateLimit": 20.0,
                                                                         "throttlingBurstLimit": 40}}},
        ("logs", "FilterLogEvents"): _logged,
        ("xray", "BatchGetTraces"): _traced,
        ("cloudwatch", "DescribeAlarms"): lambda p: {"MetricAlarms": [
            {"AlarmName": n, "StateValue": "OK"} for n in p["AlarmNames"]]},
    })

    def client(service: str):
        return local.client(service) if service == "cognito-idp" else recorded(service)

    target = aws_target("dev", _outputs(local), client=client)
    # Cognito's regional endpoint is local mode's sign-in endpoint here (what the sites' config.json names too).
    target = dataclasses.replace(target, patterns={
        name: dataclasses.replace(p, sign_in_endpoint=local.patterns[name].sign_in_endpoint)
        for name, p in target.patterns.items()})

    report = runner.run(target, sleep=lambda seconds: None)

    assert report.passed, [r for r in report.results if r.status != "pass"]
    assert report.target == "aws" and not any(r.status == "skip" for r in report.results)
    checks = {(r.pattern, r.check) for r in report.results}
    for name in local.patterns:
        assert {(name, "trace"), (name, "access-logs"), (name, "buy-ticket"), (name, "cleanup")} <= checks
        assert (name, "api-document") not in checks  # API Gateway serves no document
    assert ("stack", "alarms") in checks
    # Every API's log group was searched, for request ids the APIs really answered with.
    searched = {c[2]["logGroupName"] for c in recorded.calls if c[1] == "FilterLogEvents"}
    assert searched == {a["access_log_group"] for key, apis in _outputs(local).items() if key.endswith("_apis")
                        for a in apis}
    stages = {(c[2]["restApiId"], c[2]["stageName"]) for c in recorded.calls if c[1] == "GetStage"}
    assert len(stages) == sum(len(p.apis) for p in local.patterns.values())
