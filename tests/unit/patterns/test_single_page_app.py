"""SinglePageApp, row by row of the whitepaper's table 2."""

import json

from local.engine import run_stack
from tests.unit.patterns.helpers import (actions_of, assert_authorized_but_health, document, env_of, function,
                                        pattern, policy_of)

API = "single-page-app-api"


def test_presentation_site_on_s3_and_cloudfront_with_its_runtime_config(dev_stack):
    resources = pattern(dev_stack, "single_page_app")
    assert [r.type for r in resources].count("aws:cloudfront/distribution:Distribution") == 1
    config = next(r for r in resources if r.type == "aws:s3/bucketObjectv2:BucketObjectv2"
                  and r.inputs["key"] == "config.json")
    api_url = dev_stack.outputs["single_page_app_api_url"]
    body = json.loads(config.inputs["content"])
    assert body["apiUrl"] == api_url and body["pattern"] == "single_page_app"
    assert body["auth"]["userPoolId"] == dev_stack.outputs["single_page_app_user_pool_id"]
    keys = {r.inputs["key"] for r in resources if r.type == "aws:s3/bucketObjectv2:BucketObjectv2"}
    assert {"index.html", "js/app.js", "styles.css"} <= keys


def test_logic_lambda_authorizer_on_every_route(dev_stack):
    doc = document(dev_stack, API)
    authorizer_alias = next(r for r in dev_stack.of_type("aws:lambda/alias:Alias")
                            if r.name == "single-page-app-authorizer-alias")
    scheme = doc["components"]["securitySchemes"]["lambda"]
    assert scheme["x-amazon-apigateway-authtype"] == "custom"
    assert scheme["x-amazon-apigateway-authorizer"]["authorizerUri"] == authorizer_alias.outputs["invokeArn"]
    assert scheme["x-amazon-apigateway-authorizer"]["authorizerResultTtlInSeconds"] == 300
    assert_authorized_but_health(doc, [{"lambda": []}])


def test_own_user_pool_is_the_oidc_provider_when_none_is_configured(dev_stack):
    env = env_of(dev_stack, "single-page-app-authorizer")
    outputs = dev_stack.outputs
    assert env["OIDC_ISSUER"] == f"https://cognito-idp.us-east-1.amazonaws.com/{outputs['single_page_app_user_pool_id']}"
    assert env["OIDC_AUDIENCE"] == outputs["single_page_app_client_id"]
    assert env["OIDC_JWKS_URL"] == env["OIDC_ISSUER"] + "/.well-known/jwks.json"
    assert env["OIDC_ACCEPTS"] == "id", "the site sends the pool's ID tokens; nothing else is accepted"
    # the authorizer needs no AWS access at all beyond its logs and traces
    assert actions_of(dev_stack, "single-page-app-authorizer") == {
        "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}


def test_a_third_party_issuer_from_settings():
    rec = run_stack("dev", overrides={"multitier:patterns": ["single_page_app"],
                                      "multitier:oidcIssuer": "https://login.example.com",
                                      "multitier:oidcAudience": "tickets-spa",
                                      "multitier:oidcJwksUrl": "https://login.example.com/jwks.json"})
    env = env_of(rec, "single-page-app-authorizer")
    assert (env["OIDC_ISSUER"], env["OIDC_AUDIENCE"], env["OIDC_JWKS_URL"]) == (
        "https://login.example.com", "tickets-spa", "https://login.example.com/jwks.json")
    assert env["OIDC_ACCEPTS"] == "any", "an issuer other than Cognito marks no token_use: aud is checked alone"


def test_data_elasticache_in_front_of_dynamodb_for_shows_kept_fresh_by_tickets(dev_stack):
    cache = dev_stack.one("aws:elasticache/serverlessCache:ServerlessCache", "single-page-app")
    users = {u.name.removeprefix("single-page-app-cache-"): u
             for u in dev_stack.of_type("aws:elasticache/user:User") if u.name.startswith("single-page-app")}
    # GIVEN the cache's two IAM users: cache-aside for the shows service, delete-and-bump for whoever invalidates
    assert users["user"].inputs["accessString"] == "on ~* -@all +@read +@write +@connection -@dangerous"
    assert users["invalidate-user"].inputs["accessString"] == "on ~* -@all +@connection +del +unlink +incr -@dangerous"
    assert all(u.inputs["authenticationMode"] == {"type": "iam"} for n, u in users.items() if n != "default-user")
    # THEN the shows function reads and writes through the cache as its user...
    for name, user in (("single-page-app-shows", users["user"]), ("single-page-app-tickets", users["invalidate-user"])):
        env = env_of(dev_stack, name)
        assert env["CACHE_ENDPOINT"] == cache.outputs["endpoints"][0]["address"] and env["CACHE_TLS"] == "true"
        assert env["CACHE_USER"] == user.outputs["userId"]
        connect = [st for st in policy_of(dev_stack, name) if "elasticache:Connect" in st["Action"]]
        assert [st["Resource"] for st in connect] == [[cache.outputs["arn"], user.outputs["arn"]]]
        assert "vpcConfig" in function(dev_stack, name).inputs
    # ...and the tickets function (a purchase or a cancel changes a show) only as the invalidating user
    assert env_of(dev_stack, "single-page-app-shows")["SHOWS_TABLE"].startswith("single-page-app-shows")
    assert "elasticache:Connect" not in actions_of(dev_stack, "single-page-app-info")
    assert "CACHE_ENDPOINT" not in env_of(dev_stack, "single-page-app-info")
    # AND the cache admits each function's own security group, nobody else's
    rules = [r for r in dev_stack.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
             if r.inputs.get("fromPort") == 6379]
    assert len(rules) == 2


def test_data_info_from_s3_content(dev_stack):
    bucket = dev_stack.one("aws:s3/bucket:Bucket", "single-page-app-info")
    env = env_of(dev_stack, "single-page-app-info")
    assert (env["INFO_SOURCE"], env["INFO_BUCKET"], env["INFO_PREFIX"]) == ("s3", bucket.outputs["bucket"], "info/")
    reads = [s for s in policy_of(dev_stack, "single-page-app-info") if "s3:GetObject" in s["Action"]]
    assert reads[0]["Resource"] == [f"{bucket.outputs['arn']}/info/*"]
    assert not any(a.startswith(("secretsmanager:", "s3:Put", "s3:Delete"))
                   for a in actions_of(dev_stack, "single-page-app-info"))
    objects = [r.inputs["key"] for r in dev_stack.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
               if r.inputs["bucket"] == bucket.outputs["bucket"]]
    assert objects == ["info/venue.json"]


def test_venue_document_comes_straight_from_s3_through_a_role_that_reads_that_object_only(dev_stack):
    operation = document(dev_stack, API)["paths"]["/venue"]["get"]
    integration = operation["x-amazon-apigateway-integration"]
    bucket = dev_stack.one("aws:s3/bucket:Bucket", "single-page-app-info").outputs["bucket"]
    assert (integration["type"], integration["httpMethod"]) == ("aws", "GET")
    assert integration["uri"] == f"arn:aws:apigateway:us-east-1:s3:path/{bucket}/info/venue.json"
    assert operation["security"] == [{"lambda": []}]  # the API's own authorizer, as every data route
    role = dev_stack.one("aws:iam/role:Role", "single-page-app-api-get-venue")
    assert integration["credentials"] == role.outputs["arn"]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    policy = dev_stack.one("aws:iam/rolePolicy:RolePolicy", "single-page-app-api-get-venue")
    assert [(s["Action"], s["Resource"]) for s in json.loads(policy.inputs["policy"])["Statement"]] == [
        (["s3:GetObject"], [f"arn:aws:s3:::{bucket}/info/venue.json"])]
    assert policy.inputs["role"] == role.id
    # S3's errors are not passed on as a 200: 4xx → 404, 5xx → 502
    assert {p: r["statusCode"] for p, r in integration["responses"].items()} == {
        r"4\d{2}": "404", r"5\d{2}": "502", "default": "200"}
    # the deployment waits for the grant
    deployment = dev_stack.one("aws:apigateway/deployment:Deployment", "single-page-app-api")
    assert policy.urn in deployment.dependencies
