"""API Gateway REST APIs: logging, tracing, throttling, validation, authorization, WAF, TLS."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, items, resource_rule, stack_rule
from policy.rules.common import METHOD_SETTINGS, PERMISSION, REST_API, STAGE, operations, parse_json
from policy.rules.protocols import below_minimum

PREFIX = "MT-APIGW"

DOMAIN = "aws:apigateway/domainName:DomainName"
DOMAIN_V2 = "aws:apigatewayv2/domainName:DomainName"
USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"


def _all_methods(settings: Resource) -> bool:
    return settings.get("methodPath") == "*/*"


@resource_rule("MT-APIGW-1", STAGE, description="Stages write access logs to CloudWatch Logs",
               remediation="Set access_log_settings={'destination_arn': <log group ARN>, 'format': <JSON format>}.")
def access_logs(stage: Resource):
    if not (stage.get("accessLogSettings", "destinationArn") and stage.get("accessLogSettings", "format")):
        yield f"stage {stage.get('stageName')!r} has no access log destination and format"


@resource_rule("MT-APIGW-2", STAGE, severity="medium", description="Access logs are JSON and carry the request id",
               remediation="Use a JSON access-log format with at least \"requestId\": \"$context.requestId\".")
def json_access_logs(stage: Resource):
    fmt = stage.get("accessLogSettings", "format")
    if fmt and "$context.requestId" not in parse_json(fmt).values():
        yield "the access log format is not a JSON object carrying $context.requestId"


@stack_rule("MT-APIGW-3", description="Every stage has `*/*` method settings (metrics, logging, throttling)",
            remediation="Add aws.apigateway.MethodSettings(method_path='*/*', ...) for each stage.")
def stage_method_settings(stack: Stack):
    covered = {(s.get("restApi"), s.get("stageName")) for s in stack.of_type(METHOD_SETTINGS) if _all_methods(s)}
    for stage in stack.of_type(STAGE):
        if (stage.get("restApi"), stage.get("stageName")) not in covered:
            yield Finding(stage, f"stage {stage.get('stageName')!r} has no */* method settings")


@resource_rule("MT-APIGW-4", METHOD_SETTINGS, description="Execution logging is on (INFO or ERROR) for all methods",
               remediation="Set settings.logging_level to 'INFO' (or 'ERROR') on the */* method settings.")
def execution_logging(settings: Resource):
    if _all_methods(settings) and settings.get("settings", "loggingLevel") not in ("INFO", "ERROR"):
        yield f"loggingLevel is {settings.get('settings', 'loggingLevel')!r}"


@resource_rule("MT-APIGW-5", METHOD_SETTINGS, description="Full request/response data tracing is off",
               remediation="Set settings.data_trace_enabled=False: data trace logs bodies, tokens and PII.")
def data_trace_off(settings: Resource):
    if settings.get("settings", "dataTraceEnabled"):
        yield f"data trace is on for {settings.get('methodPath')}"


@resource_rule("MT-APIGW-6", METHOD_SETTINGS, severity="medium", description="CloudWatch metrics are on for all methods",
               remediation="Set settings.metrics_enabled=True on the */* method settings.")
def metrics_on(settings: Resource):
    if _all_methods(settings) and not settings.get("settings", "metricsEnabled"):
        yield "metricsEnabled is not true"


@resource_rule("MT-APIGW-7", METHOD_SETTINGS, description="Stages throttle every method (rate and burst)",
               remediation="Set settings.throttling_rate_limit and throttling_burst_limit (> 0) on */*.")
def throttled(settings: Resource):
    if not _all_methods(settings):
        return
    for key in ("throttlingRateLimit", "throttlingBurstLimit"):
        value = settings.get("settings", key)
        if not isinstance(value, (int, float)) or value <= 0:
            yield f"{key} is {value!r} (unset or unlimited)"


@resource_rule("MT-APIGW-8", STAGE, severity="medium", description="Stages trace requests with X-Ray",
               remediation="Set xray_tracing_enabled=True on the stage.")
def xray(stage: Resource):
    if not stage.get("xrayTracingEnabled"):
        yield f"stage {stage.get('stageName')!r} does not trace with X-Ray"


@resource_rule("MT-APIGW-9", REST_API, description="Every method validates its request (OPTIONS exempt)",
               remediation="Give each operation x-amazon-apigateway-request-validator naming a validator that "
                           "validates parameters (and the body where there is one).")
def request_validation(api: Resource):
    document = parse_json(api.get("body"))
    validators = document.get("x-amazon-apigateway-request-validators") or {}
    default = document.get("x-amazon-apigateway-request-validator")
    for path, method, operation, _ in operations(document):
        if method == "options":
            continue
        name = operation.get("x-amazon-apigateway-request-validator", default)
        validator = validators.get(name) if isinstance(name, str) else None
        if not validator or not (validator.get("validateRequestParameters") or validator.get("validateRequestBody")):
            yield f"{method.upper()} {path} has no request validator"
        elif "requestBody" in operation and not validator.get("validateRequestBody"):
            yield f"{method.upper()} {path} has a body its validator {name!r} does not check"


@resource_rule("MT-APIGW-10", REST_API, severity="critical",
               description="Every method is authorized (IAM, Cognito or a Lambda authorizer); OPTIONS and mock "
                           "integrations (a fixed template, no backend) exempt",
               remediation="Give each operation a security requirement naming an authorizer; declare a public "
                           "route with a suppression that says why.")
def authorization(api: Resource):
    document = parse_json(api.get("body"))
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    authorizers = {name for name, scheme in schemes.items()
                   if "x-amazon-apigateway-authtype" in scheme or "x-amazon-apigateway-authorizer" in scheme}
    default = document.get("security") or []
    for path, method, operation, _ in operations(document):
        if method == "options" or (operation.get("x-amazon-apigateway-integration") or {}).get("type") == "mock":
            continue
        requirements = operation.get("security", default)
        if not any(set(requirement) & authorizers for requirement in items(requirements)):
            yield f"{method.upper()} {path} has no authorizer (an API key alone does not authorize)"


@resource_rule("MT-APIGW-11", METHOD_SETTINGS, description="Cached responses are encrypted",
               remediation="Set settings.cache_data_encrypted=True wherever caching_enabled is True.")
def cache_encrypted(settings: Resource):
    if settings.get("settings", "cachingEnabled") and not settings.get("settings", "cacheDataEncrypted"):
        yield f"{settings.get('methodPath')} caches responses unencrypted"


@stack_rule("MT-APIGW-12", description="Every stage is protected by a WAFv2 web ACL",
            remediation="Associate a REGIONAL web ACL (managed rule groups + rate rule) with the stage "
                        "(apiWaf: true).")
def stage_waf(stack: Stack):
    protected = {urn for a in stack.of_type(WAF_ASSOCIATION) for urn in a.dependencies}
    for stage in stack.of_type(STAGE):
        if stage.urn not in protected:
            yield Finding(stage, f"stage {stage.get('stageName')!r} has no web ACL association")


@resource_rule("MT-APIGW-13", (DOMAIN, DOMAIN_V2), description="Custom domains require TLS 1.2 or later",
               remediation="Set security_policy='TLS_1_2' or a TLS 1.3 policy (SecurityPolicy_TLS13_1_3_2025_09, …).")
def domain_tls(domain: Resource):
    policy = domain.get("securityPolicy") or domain.get("domainNameConfiguration", "securityPolicy") or "TLS_1_0"
    if below_minimum(policy):  # unset: API Gateway's default, TLS_1_0
        yield f"{domain.get('domainName')} uses security policy {policy!r}, which accepts TLS below 1.2"


@stack_rule("MT-APIGW-14", description="PRIVATE APIs carry a resource policy limiting them to named VPC endpoints",
            remediation="Add x-amazon-apigateway-policy (or an aws.apigateway.RestApiPolicy) with an aws:SourceVpce "
                        "condition.")
def private_api_policy(stack: Stack):
    with_policy = {urn for p in stack.of_type("aws:apigateway/restApiPolicy:RestApiPolicy") for urn in p.dependencies}
    for api in stack.of_type(REST_API):
        if "PRIVATE" in items(api.get("endpointConfiguration", "types")) and not (
                api.get("policy") or "x-amazon-apigateway-policy" in parse_json(api.get("body"))
                or api.urn in with_policy):
            yield Finding(api, "PRIVATE API without a resource policy")


@resource_rule("MT-APIGW-15", USAGE_PLAN, severity="medium", description="Usage plans throttle and set a quota",
               remediation="Set throttle_settings (rate_limit, burst_limit) and quota_settings on the usage plan.")
def usage_plan_limits(plan: Resource):
    if not (plan.get("throttleSettings", "rateLimit") and plan.get("throttleSettings", "burstLimit")):
        yield "no throttle rate and burst"
    if not plan.get("quotaSettings", "limit"):
        yield "no quota"


@resource_rule("MT-APIGW-16", PERMISSION, description="API Gateway may invoke a function only from one API",
               remediation="Set source_arn to the API's execution ARN + '/<stage>/<METHOD>/<path>' (or '/*/*').")
def permission_scoped_to_api(permission: Resource):
    if permission.get("principal") != "apigateway.amazonaws.com":
        return
    parts = str(permission.get("sourceArn") or "").split(":", 5)
    if len(parts) < 6 or parts[2] != "execute-api" or parts[5].split("/", 1)[0] in ("", "*"):
        yield f"source_arn {permission.get('sourceArn')!r} does not name one API"
