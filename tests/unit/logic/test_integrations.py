"""RestApi routes with integrations other than Lambda proxy: the document, the roles, the refusals."""

import json
import re

import pytest

from multitier._data.bucket import Bucket, BucketArgs
from multitier._logic.function import Function, FunctionArgs
from multitier._logic.integrations import LambdaMapped, MockResponse, S3Object
from multitier._logic.routes import OpenApiOperation
from multitier._logic.rest_api import RestApi, RestApiArgs
from multitier._logic.routes import CognitoAuth, Public, Route

POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
ORIGINS = ("https://a.example", "https://b.example")


def program(functions_dir, routes, cors_origins=("*",)):
    def run():
        fn = Function("hello", FunctionArgs(service="hello", functions_dir=functions_dir))
        bucket = Bucket("docs", BucketArgs())
        RestApi("api", RestApiArgs(default_auth=CognitoAuth([POOL]), routes=routes(fn, bucket),
                                   cors_origins=cors_origins))
    return run


def everything(fn, bucket):
    return [Route("/proxy", "GET", fn),
            Route("/mapped/{id}", "GET", fn, integration=LambdaMapped(
                '{"id": "$input.params(\'id\')"}', "$input.json('$')", {"Not found: .*": 404, "Bad input.*": 400})),
            Route("/health", "GET", auth=Public(), integration=MockResponse('{"ok": true}')),
            Route("/doc", "GET", integration=S3Object(bucket, "public/doc.json"))]


def doc_of(rec) -> dict:
    return json.loads(rec.one("aws:apigateway/restApi:RestApi").inputs["body"])


def test_each_kind_is_rendered_with_its_method_responses(run, functions_dir):
    rec = run(program(functions_dir, everything))
    paths = doc_of(rec)["paths"]
    assert paths["/proxy"]["get"]["x-amazon-apigateway-integration"]["type"] == "aws_proxy"

    mapped = paths["/mapped/{id}"]["get"]
    integration = mapped["x-amazon-apigateway-integration"]
    assert (integration["type"], integration["httpMethod"]) == ("aws", "POST")
    assert integration["uri"].endswith(":function:${stageVariables.fn_hello}/invocations")
    assert integration["requestTemplates"] == {"application/json": '{"id": "$input.params(\'id\')"}'}
    assert set(mapped["responses"]) == {r["statusCode"] for r in integration["responses"].values()} == \
        {"200", "400", "404", "500"}
    assert integration["responses"]["default"]["responseTemplates"]["application/json"] == "$input.json('$')"

    mock = paths["/health"]["get"]
    assert mock["security"] == []
    assert mock["x-amazon-apigateway-integration"]["type"] == "mock"
    assert mock["x-amazon-apigateway-integration"]["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    assert mock["x-amazon-apigateway-integration"]["responses"]["default"]["responseTemplates"] == {
        "application/json": '{"ok": true}'}

    s3 = paths["/doc"]["get"]
    bucket = rec.one("aws:s3/bucket:Bucket").outputs["bucket"]
    assert s3["security"] == [{"cognito": []}]
    assert s3["x-amazon-apigateway-integration"]["uri"] == \
        f"arn:aws:apigateway:us-east-1:s3:path/{bucket}/public/doc.json"
    assert "Content-Type" in s3["responses"]["200"]["headers"]


def test_only_functions_behind_routes_get_permissions_and_only_s3_routes_get_roles(run, functions_dir):
    rec = run(program(functions_dir, everything))
    permissions = {r.name for r in rec.of_type("aws:lambda/permission:Permission")}
    assert permissions == {"api-get-proxy", "api-get-mapped-id"}
    mapped = rec.one("aws:lambda/permission:Permission", "api-get-mapped-id").inputs
    assert mapped["sourceArn"].endswith("/*/GET/mapped/*") and mapped["qualifier"] == "live"
    roles = [r for r in rec.of_type("aws:iam/role:Role") if r.name.startswith("api-")]
    assert [r.name for r in roles] == ["api-get-doc-role"]
    bucket = rec.one("aws:s3/bucket:Bucket").outputs["bucket"]
    statements = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "api-get-doc").inputs["policy"])["Statement"]
    assert statements == [{"Sid": "ReadPublicDocJson", "Effect": "Allow", "Action": ["s3:GetObject"],
                           "Resource": [f"arn:aws:s3:::{bucket}/public/doc.json"]}]


def test_every_error_selects_exactly_one_response_and_unmatched_ones_do_not_leak(run, functions_dir):
    integration = doc_of(run(program(functions_dir, everything)))["paths"]["/mapped/{id}"]["get"][
        "x-amazon-apigateway-integration"]
    patterns = {p: r for p, r in integration["responses"].items() if p != "default"}
    for message, status in (("Not found: item 7", "404"), ("Bad input: id", "400"), ("Task timed out", "500"),
                            ("Not found\nin a traceback", "500"), ("x Not found: y", "500")):
        chosen = [r["statusCode"] for p, r in patterns.items() if re.fullmatch(p, message)]
        assert chosen == [status], message
    internal = next(r for r in patterns.values() if r["statusCode"] == "500")
    assert internal["responseTemplates"]["application/json"] == '{"message": "Internal server error"}'


def test_several_origins_are_echoed_by_every_integration_response(run, functions_dir):
    paths = doc_of(run(program(functions_dir, everything, cors_origins=ORIGINS)))["paths"]
    for path in ("/mapped/{id}", "/health", "/doc"):
        for response in paths[path]["get"]["x-amazon-apigateway-integration"]["responses"].values():
            assert response["responseParameters"]["method.response.header.Access-Control-Allow-Origin"] == \
                f"'{ORIGINS[0]}'"
            template = response["responseTemplates"]["application/json"]
            assert '$origin == "https://b.example"' in template and "responseOverride.header" in template


@pytest.mark.parametrize("routes, message", [
    (lambda fn, b: [Route("/x", "GET", integration=LambdaMapped("{}", "$input.json('$')"))],
     "a LambdaMapped integration needs a function"),
    (lambda fn, b: [Route("/x", "GET")], "a LambdaProxy integration needs a function"),
    (lambda fn, b: [Route("/x", "GET", fn, integration=MockResponse("{}"))],
     "a MockResponse integration is answered without a function"),
    (lambda fn, b: [Route("/x", "GET", fn, integration=LambdaMapped("{}", "{}", {"Oops.*": 200}))],
     "maps to 200; use a 4xx or 5xx"),
    (lambda fn, b: [Route("/x", "GET", integration=S3Object(b, "/abs"))], "must be one fixed key"),
    (lambda fn, b: [Route("/x", "GET", integration=S3Object(b, "docs/{name}"))], "must be one fixed key"),
    # an integration answering a status its operation does not declare: API Gateway would refuse
    # the integration response, and clients would meet an undocumented status
    (lambda fn, b: [Route("/x", "GET", auth=Public(), integration=MockResponse("{}", 203),
                          operation=OpenApiOperation("getX", responses={"200": {"description": "ok"}}))],
     "its integration answers 203, which operation getX does not declare"),
    (lambda fn, b: [Route("/x", "GET", integration=S3Object(b, "doc.json"),
                          operation=OpenApiOperation("getX", responses={"200": {"description": "ok"},
                                                                        "404": {"description": "none"}}))],
     "its integration answers 502, which operation getX does not declare"),
])
def test_bad_integrations_are_refused_naming_the_route(run, functions_dir, routes, message):
    with pytest.raises(Exception, match=re.escape(message)) as error:
        run(program(functions_dir, routes))
    assert "GET /x" in str(error.value)
