"""The gateway's non-proxy integrations over real HTTP: mock, mapped Lambda, S3 object.

The document is what the program renders (``multitier._logic.integrations``); the function
is a fake and S3 a fake client, so each answer can be checked against what API Gateway does.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from multitier._logic import integrations
from multitier._logic.routes import Public, Route, route_label
from multitier._patterns.gateway_routes import HEALTH_TEMPLATE, INFO_REQUEST, INFO_SECTION
from local.apigateway import Gateway
from local.apigateway.vtl import VtlError
from local.lambda_ import InvokeResult
from tests.local.test_gateway import ACCOUNT, IAM, REGION, Fn, call, make_api, render

ROLE = f"arn:aws:iam::{ACCOUNT}:role/read-venue"
ORIGINS = ["https://a.example", "https://b.example"]
ERRORS = {"Bad request: .*": 400, "Not found: .*": 404}


def route(path: str, integration: Any, fn: str = "", auth: Any = Public()) -> Route:
    return Route(path, "GET", Fn(fn) if fn else None, auth=auth, integration=integration)


def document(extra: list[Route] = ()) -> dict:
    bucket_stub = type("B", (), {})()
    routes = [route("/health", integrations.MockResponse(HEALTH_TEMPLATE)),
              route("/guarded", integrations.MockResponse('{"secret": true}'), auth=IAM),
              route("/info/{section}", integrations.LambdaMapped(INFO_REQUEST, INFO_SECTION, ERRORS), "info"),
              route("/venue", integrations.S3Object(bucket_stub, "info/venue.json")), *extra]
    # What RestApi resolves an S3 integration's inputs to.
    s3 = {"bucket": "content", "region": REGION, "role_arn": ROLE}
    return render(routes, ORIGINS, {route_label(r): s3 for r in routes})


class FakeInfo:
    """The mapped info function: records events, answers by section."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, name: str, event: dict) -> InvokeResult:
        self.events.append(event)
        section = event.get("section")
        if section == "late":
            return InvokeResult(name, "r", timed_out=True, error={"errorMessage": "Task timed out"})
        if section == "missing":
            return InvokeResult(name, "r", error={"errorType": "MappedError", "errorMessage": "Not found: nothing"})
        if section == "crash":
            return InvokeResult(name, "r", error={"errorType": "KeyError", "errorMessage": "'secret detail'"})
        return InvokeResult(name, "r", payload={"section": section, "content": ["Light rail"], "extra": "hidden"})


class FakeS3:
    """``get_object`` of one bucket; records the role each client was made for."""

    def __init__(self, objects: dict[str, bytes], error: str | None = None, status: int = 403):
        self.objects, self.error, self.status, self.roles = objects, error, status, []

    def client_for(self, role: str, service: str) -> "FakeS3":
        self.roles.append((role, service))
        return self

    def get_object(self, Bucket: str, Key: str) -> dict:  # noqa: N803 - boto3's names
        if self.error or Key not in self.objects:
            code, status = (self.error, self.status) if self.error else ("NoSuchKey", 404)
            raise ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetObject")
        return {"Body": type("Body", (), {"read": lambda _: self.objects[Key]})(), "ContentType": "application/json",
                "ETag": '"e1"'}


@pytest.fixture
def served():
    gateways = []

    def start(invoke=None, s3: FakeS3 | None = None, doc: dict | None = None) -> Gateway:
        s3 = s3 or FakeS3({"info/venue.json": b'{"name": "Hall"}'})
        gw = Gateway(make_api(doc or document(), stage_variables={"fn_info": "info:live"}), invoke or FakeInfo(),
                     log=lambda line: None, client_for=s3.client_for)
        gateways.append(gw.start())
        return gw

    yield start
    for gw in gateways:
        gw.stop()


def test_mock_answers_from_its_template_without_a_backend(served) -> None:
    gw = served()
    r = call(f"{gw.api.url}/health", headers={"Origin": ORIGINS[1]})
    body = r.json()
    assert r.status == 200 and body["status"] == "ok" and body["stage"] == gw.api.stage
    assert body["request_id"] == r.headers["x-amzn-requestid"]
    assert time.strptime(body["time"], "%d/%b/%Y:%H:%M:%S +0000")
    assert r.headers["access-control-allow-origin"] == ORIGINS[1]  # echoed: one of several allowed


def test_a_mock_refuses_a_body_its_template_does_not_map(served) -> None:
    gw = served()  # passed through, the body would leave the mock without a statusCode: a 500
    for path, method in (("/health", "GET"), ("/health", "OPTIONS"), ("/info/{section}", "OPTIONS")):
        r = call(f"{gw.api.url}{path}", method, b"x", {"Content-Type": "text/plain", "Origin": ORIGINS[0]})
        assert (r.status, r.json()["message"]) == (415, "Unsupported Media Type"), (path, method)
    r = call(f"{gw.api.url}/health", "GET", b"x", {"Content-Type": "application/json; charset=utf-8"})
    assert r.status == 200  # the JSON template ignores the body


def test_a_mock_is_authorized_like_any_method(served) -> None:
    gw = served()
    assert call(f"{gw.api.url}/guarded").status == 403
    signed = ("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE123/20250101/us-east-1/execute-api/aws4_request, "
              "SignedHeaders=host;x-amz-date, Signature=" + "ab" * 32)
    r = call(f"{gw.api.url}/guarded", headers={"Authorization": signed, "X-Amz-Date": "20250101T000000Z"})
    assert (r.status, r.json()) == (200, {"secret": True})


def test_mapped_lambda_gets_the_mapped_payload_and_its_result_is_reshaped(served) -> None:
    fake = FakeInfo()
    gw = served(invoke=fake)
    r = call(f"{gw.api.url}/info/transport", headers={"Origin": ORIGINS[0]})
    assert (r.status, r.json()) == (200, {"section": "transport", "content": ["Light rail"]})
    assert fake.events == [{"section": "transport"}]  # not a proxy event
    assert r.headers["access-control-allow-origin"] == ORIGINS[0]
    assert r.headers["content-type"] == "application/json"


@pytest.mark.parametrize("section, status, message", [
    ("missing", 404, "Not found: nothing"),
    ("crash", 500, "Internal server error"),  # unmatched: no leak, and never the default 200
])
def test_mapped_lambda_errors_select_their_response(served, section, status, message) -> None:
    r = call(f"{served().api.url}/info/{section}")
    assert (r.status, r.json()) == (status, {"message": message})


def test_mapped_lambda_timeout_and_refused_media_type(served) -> None:
    fake = FakeInfo()
    gw = served(invoke=fake)
    assert call(f"{gw.api.url}/info/late").status == 504
    r = call(f"{gw.api.url}/info/general", headers={"Content-Type": "text/plain"})
    assert r.status == 415 and r.json()["message"] == "Unsupported Media Type"  # passthroughBehavior never
    assert [e["section"] for e in fake.events] == ["late"]


def test_s3_object_is_read_with_the_integration_role(served) -> None:
    s3 = FakeS3({"info/venue.json": b'{"name": "Hall"}'})
    gw = served(s3=s3)
    r = call(f"{gw.api.url}/venue", headers={"Origin": ORIGINS[1]})
    assert (r.status, r.body) == (200, b'{"name": "Hall"}')
    assert r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == ORIGINS[1]
    assert s3.roles == [(ROLE, "s3")]


@pytest.mark.parametrize("error, s3_status, status, message", [
    (None, 404, 404, "Not found"),            # no such key
    ("AccessDenied", 403, 404, "Not found"),  # the role may not read it
    ("InternalError", 500, 502, "Internal server error"),
])
def test_s3_errors_become_method_responses(served, error, s3_status, status, message) -> None:
    s3 = FakeS3({}, error=error, status=s3_status)
    r = call(f"{served(s3=s3).api.url}/venue")
    assert (r.status, r.json()) == (status, {"message": message})


def test_a_template_outside_the_subset_stops_the_gateway_naming_the_route(served) -> None:
    bad = route("/bad", integrations.MockResponse("#macro(shout)#end"))
    with pytest.raises(VtlError, match=r"GET /bad, response .default. template: line 1: #macro"):
        served(doc=document([bad]))


def test_a_template_failing_at_run_time_is_a_500_and_logged() -> None:
    lines: list[str] = []
    doc = document([route("/odd", integrations.MockResponse("$input.params('x').reverse()"))])
    gw = Gateway(make_api(doc), FakeInfo(), log=lines.append).start()
    try:
        r = call(f"{gw.api.url}/odd")
        assert r.status == 500 and r.json()["message"] == "Internal server error"
        assert any("reverse() on a string is not in local mode's VTL subset" in line for line in lines)
    finally:
        gw.stop()


def test_the_preflight_template_still_echoes_origins(served) -> None:
    r = call(f"{served().api.url}/venue", "OPTIONS", headers={"Origin": ORIGINS[1]})
    assert r.status == 204 and r.headers["access-control-allow-origin"] == ORIGINS[1]
