"""The release check CodeDeploy runs before and after a new version takes traffic (functions/release_check).

It reads the deployment's AppSpec, invokes the target version with its declared request and reports
Succeeded only for a proxy answer below 500; anything else (a 5xx, a crash, no declared check, an
unreadable deployment) is reported Failed, which rolls the release back.
"""

from __future__ import annotations

import io
import json

import pytest
from botocore.stub import Stubber

from fn_support import load_service

EVENT = {"httpMethod": "GET", "path": "/shows", "resource": "/shows"}
APPSPEC = json.dumps({"version": 0.0, "Resources": [{"release": {"Type": "AWS::Lambda::Function", "Properties": {
    "Name": "shows-fn", "Alias": "live", "CurrentVersion": "3", "TargetVersion": "4"}}}]})

class FakeContext:
    function_name, memory_limit_in_mb, aws_request_id = "release-check", 256, "req-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:release-check"

    def get_remaining_time_in_millis(self) -> int:
        return 60000

@pytest.fixture
def hook(monkeypatch):
    monkeypatch.setenv("RELEASE_CHECKS", json.dumps({"shows-fn": EVENT}))
    app = load_service("release_check")
    from shared import aws

    stubs = {}
    for service in ("codedeploy", "lambda"):
        client = aws.client(service)
        stubs[service] = Stubber(client)
        stubs[service].activate()
    yield app, stubs
    for stub in stubs.values():
        stub.deactivate()
    aws.reset_clients()

def expect_run(stubs, invoke_response: dict | None, status: str) -> None:
    stubs["codedeploy"].add_response("get_deployment", {"deploymentInfo": {"revision": {
        "revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}}}}, {"deploymentId": "d-1"})
    if invoke_response is not None:
        stubs["lambda"].add_response("invoke", invoke_response, {
            "FunctionName": "shows-fn", "Qualifier": "4", "Payload": json.dumps(EVENT)})
    stubs["codedeploy"].add_response("put_lifecycle_event_hook_execution_status", {}, {
        "deploymentId": "d-1", "lifecycleEventHookExecutionId": "hook-1", "status": status})

def payload(document) -> dict:
    return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(document).encode())}

@pytest.mark.parametrize("answer, status", [
    (payload({"statusCode": 200, "body": "[]"}), "Succeeded"),
    (payload({"statusCode": 401, "body": "{}"}), "Succeeded"),  # refused, but it answered: the version runs
    (payload({"statusCode": 502, "body": "{}"}), "Failed"),
    (payload({"hello": "world"}), "Failed"),  # not a proxy answer
    ({**payload({"errorMessage": "boom"}), "FunctionError": "Unhandled"}, "Failed"),
])
def test_the_new_version_must_answer_its_request_below_500(hook, answer, status):
    app, stubs = hook
    expect_run(stubs, answer, status)
    app.handler({"DeploymentId": "d-1", "LifecycleEventHookExecutionId": "hook-1"}, FakeContext())
    for stub in stubs.values():
        stub.assert_no_pending_responses()

def test_a_function_without_a_declared_check_fails(hook, monkeypatch):
    app, stubs = hook
    monkeypatch.setattr(app, "get_settings", lambda: type("S", (), {"checks": {}})())
    expect_run(stubs, None, "Failed")
    app.handler({"DeploymentId": "d-1", "LifecycleEventHookExecutionId": "hook-1"}, FakeContext())
    stubs["codedeploy"].assert_no_pending_responses()

def test_an_unreadable_deployment_fails_and_is_still_reported(hook):
    app, stubs = hook
    stubs["codedeploy"].add_client_error("get_deployment", "DeploymentDoesNotExistException")
    stubs["codedeploy"].add_response("put_lifecycle_event_hook_execution_status", {}, {
        "deploymentId": "d-1", "lifecycleEventHookExecutionId": "hook-1", "status": "Failed"})
    app.handler({"DeploymentId": "d-1", "LifecycleEventHookExecutionId": "hook-1"}, FakeContext())
    stubs["codedeploy"].assert_no_pending_responses()
