"""WebApp, row by row of the whitepaper's table 3."""

from local.engine import run_stack
from tests.unit.patterns.helpers import (actions_of, assert_authorized_but_health, document, function, operations,
                                        pattern)

API = "web-app-api"
WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def test_logic_several_functions_each_handling_one_part_behind_api_paths(dev_stack):
    doc = document(dev_stack, API)
    targets = {(path, method): op["x-amazon-apigateway-integration"]["uri"].split("stageVariables.")[1].split("}")[0]
               for path, method, op in operations(doc) if path != "/health"}
    assert targets[("/shows", "GET")] == targets[("/shows/{id}", "GET")] == "fn_web_app_browse"
    assert targets[("/shows", "POST")] == targets[("/shows/{id}", "PUT")] == "fn_web_app_admin"
    assert targets[("/tickets", "POST")] == "fn_web_app_tickets"
    assert len(set(targets.values())) == 4


def test_each_function_only_its_own_access(dev_stack):
    assert not (actions_of(dev_stack, "web-app-browse") & WRITES)
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem"} <= actions_of(dev_stack, "web-app-admin")


def test_cognito_user_pools_with_jwt_on_every_route(dev_stack):
    doc = document(dev_stack, API)
    assert_authorized_but_health(doc, [{"cognito": []}])


def test_front_end_on_amplify_by_default_and_on_cloudfront_by_setting(dev_stack, prod_stack):
    # "All static content is hosted using Amplify" (the whitepaper's web application)
    for rec in (dev_stack, prod_stack):
        types = [r.type for r in pattern(rec, "web_app")]
        assert "aws:amplify/app:App" in types and "aws:cloudfront/distribution:Distribution" not in types
    app = dev_stack.one("aws:amplify/app:App", "web-app").inputs
    api = next(r for r in dev_stack.of_type("aws:apigateway/restApi:RestApi") if r.name == API).id
    csp = next(line for line in app["customHeaders"].splitlines() if "default-src" in line)
    assert f"connect-src 'self' https://{api}.execute-api.us-east-1.amazonaws.com " \
           "https://cognito-idp.us-east-1.amazonaws.com;" in csp and "frame-ancestors 'none'" in csp
    assert "Strict-Transport-Security" in app["customHeaders"]
    rec = run_stack("dev", overrides={"multitier:patterns": ["web_app"], "multitier:siteHosting": "cloudfront"})
    types = [r.type for r in pattern(rec, "web_app")]
    assert "aws:cloudfront/distribution:Distribution" in types and "aws:amplify/app:App" not in types


def test_data_dynamodb(dev_stack):
    tables = {r.name for r in pattern(dev_stack, "web_app") if r.type == "aws:dynamodb/table:Table"}
    assert tables == {"web-app-shows", "web-app-tickets", "web-app-idempotency"}


def test_every_allowed_origin_reaches_the_functions():
    origins = ["https://www.example.com", "https://admin.example.com"]
    rec = run_stack("dev", overrides={"multitier:patterns": ["web_app"], "multitier:apiCorsOrigins": origins})
    from tests.unit.patterns.helpers import env_of
    assert env_of(rec, "web-app-tickets")["CORS_ORIGIN"] == "https://www.example.com,https://admin.example.com"


def test_info_is_a_non_proxy_integration_mapping_the_payload_and_the_errors(dev_stack):
    import re

    doc = document(dev_stack, API)
    info = function(dev_stack, "web-app-info").inputs
    assert info["handler"] == "info_mapped.handler"
    for path in ("/info", "/info/{section}"):
        operation = doc["paths"][path]["get"]
        integration = operation["x-amazon-apigateway-integration"]
        assert (integration["type"], integration["passthroughBehavior"]) == ("aws", "never")
        assert integration["uri"].endswith("function:${stageVariables.fn_web_app_info}/invocations")
        assert "$input.params('section')" in integration["requestTemplates"]["application/json"]
        statuses = {pattern: r["statusCode"] for pattern, r in integration["responses"].items()}
        # each status it answers is a method response of the operation's (which declares API Gateway's own too)
        assert set(statuses.values()) == {"200", "400", "404", "500", "503"}
        assert set(statuses.values()) < set(operation["responses"])
        patterns = [p for p in statuses if p != "default"]

        def selected(message: str) -> list[str]:
            return [statuses[p] for p in patterns if re.fullmatch(p, message)]
        # each error message selects exactly one response; an unexpected one a 500, never the default 200
        assert selected("Bad request: unknown section 'x'") == ["400"]
        assert selected("Not found: Venue information has not been published yet") == ["404"]
        assert selected("Unavailable: the database is resuming") == ["503"]
        assert selected("KeyError: 'boom'\nTraceback") == ["500"]
    permissions = {r.name for r in pattern(dev_stack, "web_app") if r.type == "aws:lambda/permission:Permission"}
    assert {"web-app-api-get-info", "web-app-api-get-info-section"} <= permissions
