"""RestApi: an API Gateway REST API built from typed routes through an OpenAPI document."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence, Union

import pulumi
import pulumi_aws as aws

from components.config import ApiSettings
from components.logic import openapi
from components.logic.function import ALIAS, Function
from components.logic.waf import WebAcl, WebAclArgs

ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "extendedRequestId": "$context.extendedRequestId",
    "ip": "$context.identity.sourceIp", "userAgent": "$context.identity.userAgent",
    "caller": "$context.identity.caller", "user": "$context.authorizer.principalId",
    "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath", "path": "$context.path", "status": "$context.status",
    "protocol": "$context.protocol", "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency", "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integrationStatus", "errorMessage": "$context.error.message",
    "authorizerError": "$context.authorizer.error", "wafStatus": "$context.wafResponseCode",
    "xrayTraceId": "$context.xrayTraceId",
}, sort_keys=True)


@dataclass(frozen=True)
class CognitoAuth:
    """Cognito user-pool authorizer (ID or access tokens in the Authorization header)."""

    user_pool_arns: Sequence[pulumi.Input[str]]
    scopes: Sequence[str] = ()
    name: str = "cognito"


@dataclass(frozen=True)
class LambdaAuth:
    """Lambda authorizer; TOKEN reads one header, REQUEST any request parameters."""

    function: Function
    type: Literal["TOKEN", "REQUEST"] = "TOKEN"
    ttl_seconds: int = 300
    identity_source: str = "method.request.header.Authorization"
    name: str = "lambda"


@dataclass(frozen=True)
class IamAuth:
    """SigV4-signed requests, authorized by the caller's IAM policies."""

    name: str = "sigv4"


@dataclass(frozen=True)
class Public:
    """No authorization: only where a route is explicitly declared public."""


Auth = Union[CognitoAuth, LambdaAuth, IamAuth, Public]


@dataclass(frozen=True)
class Throttle:
    rate: float
    burst: int


@dataclass(frozen=True)
class Route:
    """One method of the API and the function behind it."""

    path: str
    method: str
    function: Function
    auth: Auth | None = None  # None: the API's default auth
    request_schema: Mapping[str, Any] | None = None
    query_parameters: Mapping[str, bool] = field(default_factory=dict)
    header_parameters: Mapping[str, bool] = field(default_factory=dict)
    api_key_required: bool = False
    throttle: Throttle | None = None
    cache_ttl_seconds: int | None = None  # per-method cache override (GET only)


@dataclass
class RestApiArgs:
    routes: Sequence[Route]
    settings: ApiSettings
    default_auth: Auth
    description: str = ""
    stage_variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    canary_stage_variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    domain: "ApiDomain | None" = None
    base_path: str = ""


def stage_variable(function: Function) -> str:
    """Stage variable naming a function's alias; letters, digits and underscores only."""
    return "fn_" + re.sub(r"[^A-Za-z0-9_]", "_", function._name)


def method_path(route: Route) -> str:
    """MethodSettings path: resource path without the leading slash, then the method."""
    return f"{route.path.lstrip('/')}/{route.method}"


def source_arn(execution_arn: str, route: Route) -> str:
    """Permission scope for one method on any stage: path parameters become wildcards."""
    path = re.sub(r"\{[^}]+\}", "*", route.path)
    return f"{execution_arn}/*/{route.method}{path}"


class RestApi(pulumi.ComponentResource):
    """REST API, deployment, stage, logs, permissions and the optional extras."""

    def __init__(self, name: str, args: RestApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:RestApi", name, None, opts)
        if not args.routes:
            raise ValueError(f"REST API {name}: at least one route is required")
        settings = args.settings
        child = pulumi.ResourceOptions(parent=self)
        self.routes = list(args.routes)
        _check_routes(name, self.routes)
        functions = {stage_variable(r.function): r.function for r in self.routes}
        authorizers = {a.name: a for a in (self._auth(r, args) for r in self.routes) if isinstance(a, LambdaAuth)}

        self.openapi = self._document(name, args, functions)
        self.api = aws.apigateway.RestApi(
            name, body=self.openapi, description=args.description or f"{name} REST API",
            endpoint_configuration={"types": settings.endpoint_type,
                                    **({"vpc_endpoint_ids": settings.private_vpc_endpoint_ids}
                                       if settings.endpoint_type == "PRIVATE" else {})},
            put_rest_api_mode="merge" if settings.endpoint_type == "PRIVATE" else "overwrite",
            fail_on_warnings=True, api_key_source="HEADER",
            disable_execute_api_endpoint=args.domain is not None,
            opts=child)

        self.permissions = [aws.lambda_.Permission(
            f"{name}-{route.method.lower()}{re.sub(r'[^A-Za-z0-9]+', '-', route.path).rstrip('-')}",
            action="lambda:InvokeFunction", function=route.function.name, qualifier=ALIAS,
            principal="apigateway.amazonaws.com",
            source_arn=self.api.execution_arn.apply(lambda arn, r=route: source_arn(arn, r)),
            opts=child) for route in self.routes]
        self.authorizer_permissions = [aws.lambda_.Permission(
            f"{name}-authorizer-{auth_name}", action="lambda:InvokeFunction", function=auth.function.name,
            qualifier=ALIAS, principal="apigateway.amazonaws.com",
            source_arn=self.api.execution_arn.apply(lambda arn: f"{arn}/authorizers/*"),
            opts=child) for auth_name, auth in sorted(authorizers.items())]

        # A deployment is a snapshot: a new one whenever the document changes,
        # created before the old one is deleted (Pulumi's default replacement order).
        # With a canary the stage keeps its deployment (ignore_changes below) until the
        # canary is promoted, and API Gateway refuses to delete a deployment a stage
        # points at ("Active stages pointing to this deployment must be moved or
        # deleted"), so replaced deployments are left to go with the API instead.
        with_canary = settings.canary_percent > 0
        self.deployment = aws.apigateway.Deployment(
            f"{name}-deployment", rest_api=self.api.id,
            description="Snapshot of the API definition",
            triggers={"openapi": self.openapi.apply(lambda doc: hashlib.sha256(doc.encode()).hexdigest())},
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=with_canary or None))

        self.access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access-logs", name_prefix=f"/aws/apigateway/{name}-access-",
            retention_in_days=settings.access_log_retention_days, opts=child)

        variables = {var: fn.name.apply(lambda n: f"{n}:{ALIAS}") for var, fn in functions.items()}
        canary = None
        if with_canary:
            canary = {"deployment_id": self.deployment.id, "percent_traffic": settings.canary_percent,
                      "stage_variable_overrides": dict(args.canary_stage_variables), "use_stage_cache": False}
        self.stage = aws.apigateway.Stage(
            f"{name}-stage", rest_api=self.api.id, deployment=self.deployment.id, stage_name=settings.stage_name,
            xray_tracing_enabled=True,
            access_log_settings={"destination_arn": self.access_logs.arn, "format": ACCESS_LOG_FORMAT},
            variables={**variables, **dict(args.stage_variables)},
            cache_cluster_enabled=settings.cache_enabled,
            cache_cluster_size=settings.cache_size_gb if settings.cache_enabled else None,
            canary_settings=canary,
            # With a canary, new deployments go to the canary; promoting it is an explicit step.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["deployment"] if canary else None))

        self.method_settings = [aws.apigateway.MethodSettings(
            f"{name}-all-methods", rest_api=self.api.id, stage_name=self.stage.stage_name, method_path="*/*",
            settings={"metrics_enabled": True, "logging_level": settings.logging_level,
                      "data_trace_enabled": False,
                      "throttling_rate_limit": settings.throttle_rate,
                      "throttling_burst_limit": settings.throttle_burst,
                      "caching_enabled": settings.cache_enabled,
                      "cache_ttl_in_seconds": settings.cache_ttl_seconds,
                      "cache_data_encrypted": settings.cache_enabled,
                      "require_authorization_for_cache_control": True,
                      "unauthorized_cache_control_header_strategy": "FAIL_WITH_403"},
            opts=child)]
        for route in self.routes:
            if route.throttle is None and route.cache_ttl_seconds is None:
                continue
            overrides: dict[str, Any] = {"metrics_enabled": True, "logging_level": settings.logging_level,
                                         "data_trace_enabled": False,
                                         "throttling_rate_limit": (route.throttle or Throttle(settings.throttle_rate, settings.throttle_burst)).rate,
                                         "throttling_burst_limit": (route.throttle or Throttle(settings.throttle_rate, settings.throttle_burst)).burst}
            if route.cache_ttl_seconds is not None:
                if not settings.cache_enabled:
                    raise ValueError(f"route {route.method} {route.path}: a cache override needs apiCacheEnabled")
                overrides.update(caching_enabled=route.cache_ttl_seconds > 0, cache_data_encrypted=True,
                                 cache_ttl_in_seconds=route.cache_ttl_seconds)
            self.method_settings.append(aws.apigateway.MethodSettings(
                f"{name}-{route.method.lower()}{re.sub(r'[^A-Za-z0-9]+', '-', route.path).rstrip('-')}-settings",
                rest_api=self.api.id, stage_name=self.stage.stage_name, method_path=method_path(route),
                settings=overrides, opts=child))

        self.usage_plan = self.api_key = None
        if any(r.api_key_required for r in self.routes) or settings.usage_plan:
            self._usage_plan(name, settings, child)

        self.web_acl = None
        if settings.waf:
            self.web_acl = WebAcl(f"{name}-waf", WebAclArgs(scope="REGIONAL", rate_limit=settings.waf_rate_limit),
                                  opts=child)
            aws.wafv2.WebAclAssociation(f"{name}-waf-association", resource_arn=self.stage.arn,
                                        web_acl_arn=self.web_acl.arn, opts=child)

        self.base_path_mapping = None
        if args.domain is not None:
            self.base_path_mapping = aws.apigateway.BasePathMapping(
                f"{name}-mapping", rest_api=self.api.id, stage_name=self.stage.stage_name,
                domain_name=args.domain.domain_name.domain_name, base_path=args.base_path or None, opts=child)
            self.url = pulumi.Output.concat("https://", args.domain.name, "/", args.base_path).apply(
                lambda u: u.rstrip("/"))
        else:
            self.url = self.stage.invoke_url
        self.id = self.api.id
        self.execution_arn = self.api.execution_arn
        self.register_outputs({"id": self.id, "url": self.url, "stage": self.stage.stage_name,
                               "openapi": self.openapi})

    @staticmethod
    def _auth(route: Route, args: RestApiArgs) -> Auth:
        return route.auth if route.auth is not None else args.default_auth

    def _document(self, name: str, args: RestApiArgs, functions: dict[str, Function]) -> pulumi.Output[str]:
        settings = args.settings
        values: dict[str, Any] = {"functions": {var: fn.arn for var, fn in functions.items()}}
        auths = {}
        for route in self.routes:
            auth = self._auth(route, args)
            if isinstance(auth, CognitoAuth):
                auths[auth.name] = {"kind": "cognito", "arns": list(auth.user_pool_arns), "scopes": list(auth.scopes)}
            elif isinstance(auth, LambdaAuth):
                auths[auth.name] = {"kind": auth.type.lower(), "uri": auth.function.invoke_arn}
        values["auths"] = auths

        def build(resolved: dict) -> str:
            specs = []
            for route in self.routes:
                var = stage_variable(route.function)
                specs.append(openapi.RouteSpec(
                    path=route.path, method=route.method.upper(), stage_variable=var,
                    function_arn=resolved["functions"][var], auth=self._spec(self._auth(route, args), resolved),
                    request_schema=route.request_schema, query_parameters=route.query_parameters,
                    header_parameters=route.header_parameters,
                    api_key_required=route.api_key_required or settings.usage_plan,
                    cache_key_parameters=[f"method.request.path.{p}" for p in openapi.path_parameters(route.path)]
                    if route.cache_ttl_seconds else ()))
            document = openapi.build(
                title=name, description=args.description or f"{name} REST API", routes=specs,
                cors_origins=settings.cors_origins, policy=_private_policy(settings))
            return json.dumps(document, sort_keys=True, indent=1)

        return pulumi.Output.from_input(values).apply(build)

    @staticmethod
    def _spec(auth: Auth, resolved: dict) -> openapi.AuthSpec:
        if isinstance(auth, Public):
            return openapi.AuthSpec(kind="none")
        if isinstance(auth, IamAuth):
            return openapi.AuthSpec(kind="iam", name=auth.name)
        value = resolved["auths"][auth.name]
        if isinstance(auth, CognitoAuth):
            return openapi.AuthSpec(kind="cognito", name=auth.name, provider_arns=value["arns"], scopes=value["scopes"])
        return openapi.AuthSpec(kind=value["kind"], name=auth.name, authorizer_uri=value["uri"],
                                ttl_seconds=auth.ttl_seconds, identity_source=auth.identity_source)

    def _usage_plan(self, name: str, settings: ApiSettings, child: pulumi.ResourceOptions) -> None:
        self.api_key = aws.apigateway.ApiKey(f"{name}-key", description=f"API key for {name}", enabled=True,
                                             opts=child)
        self.usage_plan = aws.apigateway.UsagePlan(
            f"{name}-plan", api_stages=[{"api_id": self.api.id, "stage": self.stage.stage_name}],
            quota_settings={"limit": settings.usage_quota_per_day, "period": "DAY"},
            throttle_settings={"rate_limit": settings.throttle_rate, "burst_limit": settings.throttle_burst},
            opts=child)
        aws.apigateway.UsagePlanKey(f"{name}-plan-key", key_id=self.api_key.id, key_type="API_KEY",
                                    usage_plan_id=self.usage_plan.id, opts=child)


def _check_routes(name: str, routes: Sequence[Route]) -> None:
    """Fail while the program runs, not inside an Output, so the message reaches the user."""
    seen: set[tuple[str, str]] = set()
    for route in routes:
        openapi.validate_route(route.path, route.method)
        if (route.path, route.method) in seen:
            raise ValueError(f"REST API {name}: route {route.method} {route.path} is declared twice")
        seen.add((route.path, route.method))


def _private_policy(settings: ApiSettings) -> dict | None:
    """A PRIVATE API answers only the named VPC endpoints."""
    if settings.endpoint_type != "PRIVATE":
        return None
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": list(settings.private_vpc_endpoint_ids)}}}]}


@dataclass
class ApiDomainArgs:
    """A custom domain for one or more APIs (base-path mappings join them)."""

    domain_name: str
    hosted_zone_id: str
    certificate_arn: str = ""  # empty: request and DNS-validate a regional certificate
    mtls_truststore_uri: str = ""


class ApiDomain(pulumi.ComponentResource):
    """Regional custom domain with TLS 1.2, an ACM certificate and a Route 53 alias."""

    def __init__(self, name: str, args: ApiDomainArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:ApiDomain", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        certificate_arn: pulumi.Input[str] = args.certificate_arn
        if not certificate_arn:
            certificate = aws.acm.Certificate(f"{name}-certificate", domain_name=args.domain_name,
                                              validation_method="DNS", opts=child)
            option = certificate.domain_validation_options[0]
            record = aws.route53.Record(f"{name}-validation", zone_id=args.hosted_zone_id,
                                        name=option.resource_record_name, type=option.resource_record_type,
                                        records=[option.resource_record_value], ttl=300, allow_overwrite=True,
                                        opts=child)
            validation = aws.acm.CertificateValidation(f"{name}-certificate-validation",
                                                       certificate_arn=certificate.arn,
                                                       validation_record_fqdns=[record.fqdn], opts=child)
            certificate_arn = validation.certificate_arn
        self.domain_name = aws.apigateway.DomainName(
            name, domain_name=args.domain_name, regional_certificate_arn=certificate_arn,
            endpoint_configuration={"types": "REGIONAL"}, security_policy="TLS_1_2",
            mutual_tls_authentication={"truststore_uri": args.mtls_truststore_uri}
            if args.mtls_truststore_uri else None,
            opts=child)
        self.record = aws.route53.Record(
            f"{name}-alias", zone_id=args.hosted_zone_id, name=args.domain_name, type="A",
            aliases=[{"name": self.domain_name.regional_domain_name, "zone_id": self.domain_name.regional_zone_id,
                      "evaluate_target_health": False}], opts=child)
        self.name = args.domain_name
        self.register_outputs({"domain_name": args.domain_name})


@dataclass
class ApiGatewayAccountArgs:
    """Only one stack per account and region should manage this (apiManageAccountRole)."""

    description: str = "API Gateway pushes execution logs to CloudWatch Logs"


class ApiGatewayAccount(pulumi.ComponentResource):
    """The account-level CloudWatch role API Gateway needs for execution logging."""

    def __init__(self, name: str, args: ApiGatewayAccountArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:ApiGatewayAccount", name, None, opts)
        from components.logic.function import assume_role_policy, policy_document
        from components.logic.link import Statement

        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role_policy("apigateway.amazonaws.com"),
                                 description=args.description, opts=child)
        logs = pulumi.Output.concat("arn:aws:logs:", region.region, ":", identity.account_id, ":*")
        self.policy = aws.iam.RolePolicy(f"{name}-policy", role=self.role.id, policy=policy_document([Statement(
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
             "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"], [logs], "ExecutionLogs")]),
            opts=child)
        self.account = aws.apigateway.Account(f"{name}-account", cloudwatch_role_arn=self.role.arn,
                                              opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policy]))
        self.register_outputs({"role_arn": self.role.arn})


def after_account(account: ApiGatewayAccount) -> pulumi.ResourceTransformation:
    """Make every stage and method setting below a component wait for ``account``.

    API Gateway rejects access logging on a stage and execution logging in method
    settings ("CloudWatch Logs role ARN must be set in account settings") until
    the region's account-level role is set, so a stack that manages the role must
    set it first. A transformation, because a component's ``depends_on`` does not
    reach the resources its children create.
    """
    logged = ("aws:apigateway/stage:Stage", "aws:apigateway/methodSettings:MethodSettings")

    def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.type_ not in logged:
            return None
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(depends_on=[account.account])))

    return transformation
