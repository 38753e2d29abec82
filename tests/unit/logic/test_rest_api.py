"""RestApi: OpenAPI document, auth everywhere, permissions, deployment, stage, extras."""

import json
from dataclasses import dataclass
from typing import ClassVar

import pytest

from multitier._logic.api_account import ApiGatewayAccount, ApiGatewayAccountArgs
from multitier._logic.api_domain import ApiDomain, ApiDomainArgs
from multitier._logic.api_stage import StageOptions
from multitier._logic.function import Function, FunctionArgs
from multitier._logic.rest_api import RestApi, RestApiArgs
from multitier._logic.routes import OpenApiOperation
from multitier._logic.routes import Auth, CognitoAuth, IamAuth, LambdaAuth, Public, Route, Throttle

STAGE = StageOptions()  # the defaults: the secure choice
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
SCHEMA = {"type": "object", "required": ["show_id", "quantity"], "additionalProperties": False,
          "example": {"show_id": "s1", "quantity": 1},
          "properties": {"show_id": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}}}
LIST = OpenApiOperation("listShows", parameters=[{"name": "cursor", "in": "query", "required": False,
                                                  "schema": {"type": "string", "maxLength": 100}}],
                        responses={"200": {"description": "A page"}})
BUY = OpenApiOperation("buyTickets", parameters=[{"name": "Idempotency-Key", "in": "header", "required": False,
                                                  "schema": {"type": "string", "minLength": 1}}],
                       request_body="TicketIn",
                       responses={"201": {"description": "Bought"}, "409": {"description": "Sold out"}},
                       schemas={"TicketIn": SCHEMA})


def api_program(functions_dir, routes=None, **extra):
    def program():
        fn = Function("hello", FunctionArgs(service="hello", functions_dir=functions_dir))
        auth = Function("auth", FunctionArgs(service="hello", functions_dir=functions_dir))
        chosen = routes(fn, auth) if routes else [
            Route("/shows", "GET", fn, operation=LIST),
            Route("/shows/{id}", "GET", fn),
            Route("/tickets", "POST", fn, operation=BUY),
            Route("/health", "GET", fn, auth=Public()),
            Route("/admin", "GET", fn, auth=LambdaAuth(auth, ttl_seconds=120)),
            Route("/internal", "GET", fn, auth=IamAuth()),
        ]
        RestApi("api", RestApiArgs(default_auth=CognitoAuth([POOL]),
                                   routes=chosen, **extra))
    return program


def document(rec) -> dict:
    return json.loads(rec.one("aws:apigateway/restApi:RestApi").inputs["body"])


def test_every_method_is_authorized_unless_declared_public(run, functions_dir):
    doc = document(run(api_program(functions_dir)))
    security = {(path, method): op["security"] for path, ops in doc["paths"].items() for method, op in ops.items()}
    assert security[("/shows", "get")] == [{"cognito": []}]
    assert security[("/tickets", "post")] == [{"cognito": []}]
    assert security[("/admin", "get")] == [{"lambda": []}]
    assert security[("/internal", "get")] == [{"sigv4": []}]
    assert security[("/health", "get")] == []
    unauthorized = {k for k, v in security.items() if not v}
    assert unauthorized == {("/health", "get")} | {(p, "options") for p in doc["paths"]}


def test_authorizers_as_security_schemes(run, functions_dir):
    rec = run(api_program(functions_dir))
    schemes = document(rec)["components"]["securitySchemes"]
    assert schemes["cognito"]["x-amazon-apigateway-authorizer"] == {"type": "cognito_user_pools",
                                                                   "providerARNs": [POOL]}
    lam = schemes["lambda"]["x-amazon-apigateway-authorizer"]
    auth_alias = rec.one("aws:lambda/alias:Alias", "auth").outputs
    assert lam["type"] == "token" and lam["authorizerResultTtlInSeconds"] == 120
    assert lam["authorizerUri"] == auth_alias["invokeArn"]
    assert schemes["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"


def test_request_authorizer_reads_its_identity_source(run, functions_dir):
    routes = lambda fn, auth: [Route("/x", "GET", fn, auth=LambdaAuth(auth, type="REQUEST", ttl_seconds=0))]
    scheme = document(run(api_program(functions_dir, routes=routes)))["components"]["securitySchemes"]
    assert scheme["lambda"]["x-amazon-apigateway-authorizer"] == {
        "type": "request", "authorizerUri": scheme["lambda"]["x-amazon-apigateway-authorizer"]["authorizerUri"],
        "authorizerResultTtlInSeconds": 0, "identitySource": "method.request.header.Authorization"}


def test_proxy_integrations_call_the_alias_through_a_stage_variable(run, functions_dir):
    rec = run(api_program(functions_dir))
    integration = document(rec)["paths"]["/shows"]["get"]["x-amazon-apigateway-integration"]
    assert integration["type"] == "aws_proxy" and integration["httpMethod"] == "POST"
    assert "${stageVariables.fn_hello}" in integration["uri"]
    assert integration["timeoutInMillis"] == 29000
    function = rec.one("aws:lambda/function:Function", "hello").outputs
    stage = rec.one("aws:apigateway/stage:Stage").inputs
    assert stage["variables"]["fn_hello"] == f"{function['name']}:live"


def test_request_validation_of_body_and_parameters(run, functions_dir):
    doc = document(run(api_program(functions_dir)))
    post = doc["paths"]["/tickets"]["post"]
    assert post["x-amazon-apigateway-request-validator"] == "all"
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TicketIn"}
    # API Gateway's model keeps what its importer takes; the function checks the rest
    assert doc["components"]["schemas"]["TicketIn"] == {k: v for k, v in SCHEMA.items()
                                                       if k not in ("additionalProperties", "example")}
    assert post["parameters"] == [{"name": "Idempotency-Key", "in": "header", "required": False,
                                   "schema": {"type": "string"}}]
    assert post["responses"] == {"201": {"description": "Bought"}, "409": {"description": "Sold out"}}
    assert doc["paths"]["/shows/{id}"]["get"]["x-amazon-apigateway-request-validator"] == "params"
    assert doc["paths"]["/shows/{id}"]["get"]["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "Authorization", "in": "header", "required": False, "schema": {"type": "string"}}]  # a cache key
    assert doc["x-amazon-apigateway-request-validators"]["all"] == {"validateRequestBody": True,
                                                                   "validateRequestParameters": True}


def test_preflight_is_a_mock_with_the_configured_origin(run, functions_dir):
    doc = document(run(api_program(functions_dir, cors_origins=["https://tickets.example.com"])))
    options = doc["paths"]["/shows/{id}"]["options"]
    integration = options["x-amazon-apigateway-integration"]
    assert integration["type"] == "mock"
    params = integration["responses"]["default"]["responseParameters"]
    assert params["method.response.header.Access-Control-Allow-Origin"] == "'https://tickets.example.com'"
    assert params["method.response.header.Access-Control-Allow-Methods"] == "'GET,OPTIONS'"
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        response = doc["x-amazon-apigateway-gateway-responses"][kind]
        assert response["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == \
            "'https://tickets.example.com'"


def test_several_origins_are_echoed_by_the_preflight_and_the_gateway_errors(run, functions_dir):
    doc = document(run(api_program(functions_dir, cors_origins=["https://a.example.com", "https://b.example.com"])))
    template = doc["paths"]["/shows"]["options"]["x-amazon-apigateway-integration"]["responses"]["default"][
        "responseTemplates"]["application/json"]
    assert '$origin == "https://b.example.com"' in template
    # A gateway response's template is not run through VTL: the header is mapped from the request.
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        headers = doc["x-amazon-apigateway-gateway-responses"][kind]["responseParameters"]
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == "method.request.header.Origin"
        assert headers["gatewayresponse.header.Vary"] == "'Origin'"


def test_permissions_are_scoped_to_each_method_of_this_api(run, functions_dir):
    rec = run(api_program(functions_dir))
    execution_arn = rec.one("aws:apigateway/restApi:RestApi").outputs["executionArn"]
    permissions = {p.name: p.inputs for p in rec.of_type("aws:lambda/permission:Permission")}
    assert permissions["api-get-shows-id"]["sourceArn"] == f"{execution_arn}/*/GET/shows/*"
    assert permissions["api-post-tickets"]["sourceArn"] == f"{execution_arn}/*/POST/tickets"
    assert all(p["qualifier"] == "live" and p["principal"] == "apigateway.amazonaws.com"
               for p in permissions.values())
    authorizer = permissions["api-authorizer-lambda"]
    assert authorizer["sourceArn"] == f"{execution_arn}/authorizers/*"
    assert authorizer["function"] == rec.one("aws:lambda/function:Function", "auth").outputs["name"]


def _trigger(rec):
    return rec.one("aws:apigateway/deployment:Deployment").inputs["triggers"]["openapi"]


def test_deployment_is_recreated_when_the_document_changes_and_only_then(run, functions_dir):
    first = run(api_program(functions_dir))
    again = run(api_program(functions_dir))
    assert _trigger(first) == _trigger(again)
    more = lambda fn, auth: [Route("/shows", "GET", fn), Route("/shows", "POST", fn)]
    fewer = lambda fn, auth: [Route("/shows", "GET", fn)]
    assert _trigger(run(api_program(functions_dir, routes=more))) != \
        _trigger(run(api_program(functions_dir, routes=fewer)))
    deployment = first.one("aws:apigateway/deployment:Deployment")
    assert deployment.delete_before_replace is False  # the new one exists before the old one goes


def test_stage_logs_traces_and_method_settings(run, functions_dir):
    rec = run(api_program(functions_dir))
    stage = rec.one("aws:apigateway/stage:Stage").inputs
    log_group = rec.one("aws:cloudwatch/logGroup:LogGroup", "api-access")
    logs = log_group.inputs
    assert stage["xrayTracingEnabled"] is True
    assert stage["stageName"] == STAGE.name
    assert stage["accessLogSettings"]["destinationArn"] == log_group.outputs["arn"]
    assert json.loads(stage["accessLogSettings"]["format"])["requestId"] == "$context.requestId"
    assert logs["retentionInDays"] == STAGE.access_log_retention_days
    assert stage["cacheClusterEnabled"] is False and "canarySettings" not in stage
    all_methods = rec.named("api-all-methods").inputs
    assert all_methods["methodPath"] == "*/*"
    assert all_methods["settings"] == {
        "metricsEnabled": True, "loggingLevel": "INFO", "dataTraceEnabled": False,
        "throttlingRateLimit": STAGE.throttle.rate, "throttlingBurstLimit": STAGE.throttle.burst,
        "cachingEnabled": False, "cacheTtlInSeconds": STAGE.cache_ttl_seconds, "cacheDataEncrypted": False,
        "requireAuthorizationForCacheControl": True, "unauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403"}


def test_per_route_throttle_and_cache_overrides(run, functions_dir):
    routes = lambda fn, auth: [Route("/shows/{id}", "GET", fn, throttle=Throttle(5, 10), cache_ttl_seconds=30)]
    rec = run(api_program(functions_dir, routes=routes, stage=StageOptions(cache_enabled=True, cache_size_gb="1.6")))
    override = rec.named("api-get-shows-id-settings").inputs
    assert override["methodPath"] == "~1shows~1{id}/GET"  # API Gateway's escaping of the resource path
    assert (override["settings"]["throttlingRateLimit"], override["settings"]["throttlingBurstLimit"]) == (5, 10)
    assert override["settings"]["cachingEnabled"] and override["settings"]["cacheDataEncrypted"]
    assert rec.one("aws:apigateway/stage:Stage").inputs["cacheClusterSize"] == "1.6"
    integration = document(rec)["paths"]["/shows/{id}"]["get"]["x-amazon-apigateway-integration"]
    assert integration["cacheKeyParameters"] == ["method.request.path.id", "method.request.header.Authorization"]


def test_the_stage_cache_keys_an_authorized_get_on_its_callers_credential(run, functions_dir):
    # GIVEN GETs behind each kind of auth, a public one and an authorized POST, with the stage cache on
    routes = lambda fn, auth: [Route("/tickets/{id}", "GET", fn), Route("/admin", "GET", fn, auth=LambdaAuth(auth)),
                               Route("/shows", "GET", fn, auth=Public()), Route("/tickets", "POST", fn)]
    paths = document(run(api_program(functions_dir, routes=routes, stage=StageOptions(cache_enabled=True))))["paths"]
    # THEN an authorized GET's answer is cached for its caller's token alone (one user's tickets never reach
    # another), the header declared as the method's parameter as API Gateway requires of a cache key
    mine = paths["/tickets/{id}"]["get"]
    assert mine["x-amazon-apigateway-integration"]["cacheKeyParameters"] == [
        "method.request.path.id", "method.request.header.Authorization"]
    assert {"name": "Authorization", "in": "header", "required": False, "schema": {"type": "string"}} \
        in mine["parameters"]
    assert "method.request.header.Authorization" in \
        paths["/admin"]["get"]["x-amazon-apigateway-integration"]["cacheKeyParameters"]
    # AND a public GET is cached for everyone by its path; a POST is never cached
    assert "cacheKeyParameters" not in paths["/shows"]["get"]["x-amazon-apigateway-integration"]
    assert "cacheKeyParameters" not in paths["/tickets"]["post"]["x-amazon-apigateway-integration"]


def test_cache_override_without_a_stage_cache_is_refused(run, functions_dir):
    routes = lambda fn, auth: [Route("/shows", "GET", fn, cache_ttl_seconds=30)]
    with pytest.raises(ValueError, match="needs the stage cache"):
        run(api_program(functions_dir, routes=routes))


def test_canary_settings(run, functions_dir):
    rec = run(api_program(functions_dir, stage=StageOptions(canary_percent=10.0),
                          canary_stage_variables={"release": "canary"}))
    stage = rec.one("aws:apigateway/stage:Stage").inputs
    deployment = rec.one("aws:apigateway/deployment:Deployment")
    assert stage["canarySettings"] == {"deploymentId": deployment.id, "percentTraffic": 10.0,
                                       "stageVariableOverrides": {"release": "canary"}, "useStageCache": False}


def _retained(monkeypatch) -> dict[str, bool]:
    """retainOnDelete of each registration (the recording does not keep it)."""
    from local import engine

    retained: dict[str, bool] = {}
    register = engine.RecordingMonitor.RegisterResource

    def record(self, request):
        retained[request.name] = bool(request.retainOnDelete)
        return register(self, request)

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", record)
    return retained


def test_a_canary_stage_keeps_its_deployment_so_replaced_ones_are_retained(run, functions_dir,
                                                                           monkeypatch):
    # GIVEN a canary: the stage ignores deployment changes until the canary is promoted
    retained = _retained(monkeypatch)
    run(api_program(functions_dir, stage=StageOptions(canary_percent=10.0)))
    # THEN replacing the deployment never deletes the one the stage still points at
    assert retained["api-deployment"] is True


def test_without_a_canary_replaced_deployments_are_deleted(run, functions_dir, monkeypatch):
    retained = _retained(monkeypatch)
    run(api_program(functions_dir))
    assert retained["api-deployment"] is False


def test_usage_plan_and_key_for_routes_that_require_one(run, functions_dir):
    routes = lambda fn, auth: [Route("/partner", "GET", fn, api_key_required=True)]
    rec = run(api_program(functions_dir, routes=routes))
    assert document(rec)["paths"]["/partner"]["get"]["security"] == [{"cognito": [], "api_key": []}]
    plan = rec.one("aws:apigateway/usagePlan:UsagePlan").inputs
    assert plan["quotaSettings"] == {"limit": STAGE.usage_quota_per_day, "period": "DAY"}
    assert plan["apiStages"][0]["stage"] == STAGE.name
    key = rec.one("aws:apigateway/usagePlanKey:UsagePlanKey").inputs
    assert key["keyId"] == rec.one("aws:apigateway/apiKey:ApiKey").id
    assert rec.of_type("aws:apigateway/usagePlan:UsagePlan") and run(
        api_program(functions_dir)).of_type("aws:apigateway/usagePlan:UsagePlan") == []


def test_waf_is_regional_and_associated_with_the_stage(run, functions_dir):
    rec = run(api_program(functions_dir, stage=StageOptions(waf=True)))
    acl = rec.one("aws:wafv2/webAcl:WebAcl").inputs
    assert acl["scope"] == "REGIONAL"
    names = [r["name"] for r in acl["rules"]]
    assert names[:3] == ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                         "AWSManagedRulesAmazonIpReputationList"]
    assert acl["rules"][3]["statement"]["rateBasedStatement"] == {"limit": 2000, "aggregateKeyType": "IP"}
    association = rec.one("aws:wafv2/webAclAssociation:WebAclAssociation").inputs
    assert association["resourceArn"] == rec.one("aws:apigateway/stage:Stage").outputs["arn"]
    assert run(api_program(functions_dir)).of_type("aws:wafv2/webAcl:WebAcl") == []


def test_private_endpoint_has_a_policy_limited_to_named_vpc_endpoints(run, functions_dir):
    rec = run(api_program(functions_dir, endpoint_type="PRIVATE", private_vpc_endpoint_ids=["vpce-1234"]))
    api = rec.one("aws:apigateway/restApi:RestApi").inputs
    assert api["endpointConfiguration"] == {"types": "PRIVATE", "vpcEndpointIds": ["vpce-1234"]}
    # Overwrite mode removes routes the document no longer has; the VPC endpoints and the policy
    # are in the document (a Server object, whose base path the import ignores), so they stay.
    assert api["putRestApiMode"] == "overwrite"
    assert document(rec)["servers"] == [{"url": "/", "x-amazon-apigateway-endpoint-configuration": {
        "vpcEndpointIds": ["vpce-1234"]}}]
    deny = document(rec)["x-amazon-apigateway-policy"]["Statement"][1]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"StringNotEquals": {"aws:SourceVpce": ["vpce-1234"]}}


def test_custom_domain_with_tls12_certificate_and_base_path(run, functions_dir):
    def program():
        domain = ApiDomain("domain", ApiDomainArgs(domain_name="api.example.com", hosted_zone_id="Z123ABC"))
        api_program(functions_dir, domain=domain, base_path="shows")()
    rec = run(program)
    domain = rec.one("aws:apigateway/domainName:DomainName").inputs
    assert domain["securityPolicy"] == "TLS_1_2"
    assert domain["endpointConfiguration"] == {"types": "REGIONAL"}
    assert domain["regionalCertificateArn"] == rec.one("aws:acm/certificate:Certificate").outputs["arn"]
    assert rec.one("aws:acm/certificate:Certificate").inputs["validationMethod"] == "DNS"
    mapping = rec.one("aws:apigateway/basePathMapping:BasePathMapping").inputs
    assert (mapping["basePath"], mapping["domainName"]) == ("shows", "api.example.com")
    assert rec.one("aws:apigateway/restApi:RestApi").inputs["disableExecuteApiEndpoint"] is True
    alias = rec.one("aws:route53/record:Record", "domain-alias").inputs
    assert alias["type"] == "A" and alias["zoneId"] == "Z123ABC"


def test_mutual_tls_truststore(run):
    rec = run(lambda: ApiDomain("domain", ApiDomainArgs(
        domain_name="api.example.com", hosted_zone_id="Z123ABC",
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000",
        mtls_truststore_uri="s3://trust/bundle.pem")))
    domain = rec.one("aws:apigateway/domainName:DomainName").inputs
    assert domain["mutualTlsAuthentication"] == {"truststoreUri": "s3://trust/bundle.pem"}
    assert rec.of_type("aws:acm/certificate:Certificate") == []


def test_account_role_for_execution_logging(run):
    rec = run(lambda: ApiGatewayAccount("apigw", ApiGatewayAccountArgs()))
    role = rec.one("aws:iam/role:Role")
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"}
    statement = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])["Statement"][0]
    assert statement["Resource"] == ["arn:aws:logs:us-east-1:123456789012:*"]
    account = rec.one("aws:apigateway/account:Account")
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]


@pytest.mark.parametrize("path, method, message", [
    ("shows", "GET", "must start with /"),
    ("/shows", "FETCH", "method 'FETCH'"),
])
def test_bad_routes_are_refused(run, functions_dir, path, method, message):
    routes = lambda fn, auth: [Route(path, method, fn)]
    with pytest.raises(ValueError, match=message):
        run(api_program(functions_dir, routes=routes))


def test_duplicate_routes_are_refused(run, functions_dir):
    routes = lambda fn, auth: [Route("/a", "GET", fn), Route("/a", "GET", fn)]
    with pytest.raises(ValueError, match="declared twice"):
        run(api_program(functions_dir, routes=routes))


def test_a_usage_plan_requires_a_key_on_every_route(run, functions_dir):
    rec = run(api_program(functions_dir, stage=StageOptions(usage_plan=True)))
    doc = document(rec)
    assert all("api_key" in op["security"][0] for path, ops in doc["paths"].items()
               for method, op in ops.items() if method != "options" and op["security"])
    assert len(rec.of_type("aws:apigateway/usagePlan:UsagePlan")) == 1


def test_a_routes_oauth_scopes_are_its_security_requirement(run, functions_dir):
    # GIVEN one Cognito-authorized route with scopes and one without
    routes = lambda fn, auth: [Route("/tickets", "GET", fn, scopes=("tickets/read", "tickets/admin")),
                               Route("/shows", "GET", fn)]
    doc = document(run(api_program(functions_dir, routes=routes)))
    # THEN API Gateway imports the scopes as the method's authorizationScopes; the other method takes ID tokens
    assert doc["paths"]["/tickets"]["get"]["security"] == [{"cognito": ["tickets/read", "tickets/admin"]}]
    assert doc["paths"]["/shows"]["get"]["security"] == [{"cognito": []}]


@pytest.mark.parametrize("auth, scopes, message", [
    ("lambda", ("tickets/read",), "only with a Cognito authorizer .its auth is LambdaAuth"),
    ("iam", ("tickets/read",), "only with a Cognito authorizer .its auth is IamAuth"),
    ("cognito", ("tickets read",), r"scopes \['tickets read'\] must be"),
    ("cognito", ("",), r"scopes \[''\] must be"),
])
def test_scopes_need_a_cognito_authorizer_and_valid_names(run, functions_dir, auth, scopes, message):
    def routes(fn, authorizer):
        chosen = {"lambda": LambdaAuth(authorizer), "iam": IamAuth(), "cognito": None}[auth]
        return [Route("/tickets", "GET", fn, auth=chosen, scopes=scopes)]
    with pytest.raises(ValueError, match=f"route GET /tickets.*{message}"):
        run(api_program(functions_dir, routes=routes))


@dataclass(frozen=True)
class PartnerAuth(Auth):
    """An auth kind the package does not have: one class describing its scheme, nothing else to change."""

    function: Function
    name: str = "partner"
    credential: ClassVar[str] = "A partner's signed token"
    header: ClassVar[str] = "X-Partner-Token"

    def inputs(self):
        return {"uri": self.function.invoke_arn}

    def extensions(self, resolved):
        return {"x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": resolved["uri"],
                                                   "authorizerResultTtlInSeconds": 0}}

    def authorizer_function(self):
        return self.function


def test_a_new_auth_kind_is_one_class(run, functions_dir):
    # GIVEN a route authorized by a kind declared outside the package
    routes = lambda fn, auth: [Route("/partners", "GET", fn, auth=PartnerAuth(auth))]
    rec = run(api_program(functions_dir, routes=routes))
    api = rec.one("multitier:logic:RestApi")
    imported, published = json.loads(api.outputs["openapi"]), json.loads(api.outputs["published_openapi"])
    # THEN both documents describe its scheme, from its own description, with its inputs resolved
    alias = rec.one("aws:lambda/alias:Alias", "auth").outputs
    assert imported["components"]["securitySchemes"]["partner"] == {
        "type": "apiKey", "name": "X-Partner-Token", "in": "header", "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": alias["invokeArn"],
                                           "authorizerResultTtlInSeconds": 0}}
    assert published["components"]["securitySchemes"]["partner"] == {
        "type": "apiKey", "in": "header", "name": "X-Partner-Token", "description": "A partner's signed token"}
    assert imported["paths"]["/partners"]["get"]["security"] == [{"partner": []}]
    # AND API Gateway may invoke its function to authorize
    permission = rec.one("aws:lambda/permission:Permission", "authorizer-partner").inputs
    assert permission["sourceArn"].endswith("/authorizers/*")


def test_two_authorizers_may_not_share_a_name(run, functions_dir):
    # GIVEN a route whose Lambda authorizer takes the name of the API's default Cognito authorizer
    routes = lambda fn, auth: [Route("/a", "GET", fn, auth=LambdaAuth(auth, name="cognito")), Route("/b", "GET", fn)]
    with pytest.raises(ValueError, match="another authorizer of this API is named 'cognito'"):
        run(api_program(functions_dir, routes=routes))
