"""A REST API's stage and what hangs on it: access logs, method settings, usage plan, WAF.

``StageOptions`` is everything a stage can set; ``ApiStage`` creates the resources as
children of the API component that owns them (their names derive from the API's).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from multitier._logic.routes import Route, Throttle, method_path, route_label
from multitier._ops.catalog import ACCESS_LOG_NAMESPACE
from multitier._release.stage_canary import stage_canary
from multitier._security.waf import WebAcl, WebAclArgs

ACCESS_LOG_FORMAT = json.dumps({
    "apiId": "$context.apiId", "stage": "$context.stage", "requestId": "$context.requestId", "extendedRequestId": "$context.extendedRequestId",
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
class StageOptions:
    """How a stage runs: throttling, logging, caching, canary, usage plan and WAF.

    Every method is throttled and logs at ``logging_level`` (data tracing stays off);
    access logs are kept ``access_log_retention_days``. ``cache_enabled`` provisions
    an encrypted stage cache of ``cache_size_gb`` for GET methods. A
    ``canary_percent`` above 0 sends that share of traffic to each new deployment for
    ``canary_bake_minutes``, after which it is promoted, or taken back when its 5XX rate or its
    p99 latency (above ``canary_latency_p99_ms``) alarm (``multitier/release``). ``usage_plan`` requires an API key on every route, with
    ``usage_quota_per_day`` requests per key. ``waf`` attaches a regional web ACL
    blocking an IP above ``waf_rate_limit`` requests per 5 minutes.
    """

    name: str = "live"
    throttle: Throttle = Throttle(rate=100.0, burst=200)
    logging_level: Literal["INFO", "ERROR", "OFF"] = "INFO"
    access_log_retention_days: int = 14
    cache_enabled: bool = False
    cache_size_gb: str = "0.5"
    cache_ttl_seconds: int = 60
    canary_percent: float = 0.0
    canary_bake_minutes: int = 10
    canary_latency_p99_ms: float = 3000
    usage_plan: bool = False
    usage_quota_per_day: int = 10000
    waf: bool = False
    waf_rate_limit: int = 2000


class ApiStage:
    """The stage of ``api`` serving ``deployment``; every resource is a child of ``parent``."""

    def __init__(self, name: str, options: StageOptions, api: aws.apigateway.RestApi,
                 deployment: aws.apigateway.Deployment, routes: Sequence[Route],
                 variables: Mapping[str, pulumi.Input[str]], canary_variables: Mapping[str, pulumi.Input[str]],
                 parent: pulumi.Resource, provider_settings: Mapping[str, Any] | None = None):
        self._api_name, self._options, self._api = name, options, api
        self._child = pulumi.ResourceOptions(parent=parent)
        # A key is in a usage plan once and a stage has one web ACL: such children are replaced delete-first.
        self._one_per_parent = pulumi.ResourceOptions(parent=parent, delete_before_replace=True)
        self.access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access-logs", name_prefix=f"/aws/apigateway/{name}-access-",
            retention_in_days=options.access_log_retention_days, opts=self._child)
        # API Gateway counts no throttled requests: they are 429s in the access log, counted here.
        self.throttled_filter = aws.cloudwatch.LogMetricFilter(
            f"{name}-throttled", log_group_name=self.access_logs.name, pattern="{ $.status = 429 }",
            metric_transformation={"namespace": ACCESS_LOG_NAMESPACE, "name": "ThrottledRequests", "value": "1",
                                   "unit": "Count", "dimensions": {"ApiId": "$.apiId", "Stage": "$.stage"}},
            opts=self._child)
        canary = None
        if options.canary_percent > 0:
            canary = {"deployment_id": deployment.id, "percent_traffic": options.canary_percent,
                      "stage_variable_overrides": dict(canary_variables), "use_stage_cache": False}
        self.stage = aws.apigateway.Stage(
            f"{name}-stage", rest_api=api.id, deployment=deployment.id, stage_name=options.name,
            xray_tracing_enabled=True,
            access_log_settings={"destination_arn": self.access_logs.arn, "format": ACCESS_LOG_FORMAT},
            variables=dict(variables), cache_cluster_enabled=options.cache_enabled,
            cache_cluster_size=options.cache_size_gb if options.cache_enabled else None,
            canary_settings=canary,
            # With a canary, the release below moves the canary to each new deployment and promotes it (or not):
            # Pulumi sets both deployments once, at creation.
            opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["deployment", "canarySettings.deploymentId"]
                                        if canary else None))
        self.method_settings = [self._method_settings(f"{name}-all-methods", "*/*", self._all_methods())]
        self.method_settings += [self._method_settings(f"{name}-{route_label(r)}-settings", method_path(r),
                                                       self._override(r))
                                 for r in routes if r.throttle is not None or r.cache_ttl_seconds is not None]
        self.api_key = self.usage_plan = None
        if options.usage_plan or any(r.api_key_required for r in routes):
            self._add_usage_plan()
        self.web_acl = None
        if options.waf:
            self._add_waf()
        self.canary_alarms, self.canary_release = [], None
        if canary:
            self.canary_alarms, self.canary_release = stage_canary(
                name, api, self.stage, deployment, bake_minutes=options.canary_bake_minutes,
                latency_p99_ms=options.canary_latency_p99_ms, provider_settings=provider_settings or {},
                parent=parent, after=self.method_settings)

    def _method_settings(self, resource_name: str, path: str,
                         settings: dict[str, Any]) -> aws.apigateway.MethodSettings:
        return aws.apigateway.MethodSettings(resource_name, rest_api=self._api.id, stage_name=self.stage.stage_name,
                                             method_path=path, settings=settings, opts=self._child)

    def _all_methods(self) -> dict[str, Any]:
        o = self._options
        return {"metrics_enabled": True, "logging_level": o.logging_level, "data_trace_enabled": False,
                "throttling_rate_limit": o.throttle.rate, "throttling_burst_limit": o.throttle.burst,
                "caching_enabled": o.cache_enabled, "cache_ttl_in_seconds": o.cache_ttl_seconds,
                "cache_data_encrypted": o.cache_enabled, "require_authorization_for_cache_control": True,
                "unauthorized_cache_control_header_strategy": "FAIL_WITH_403"}

    def _override(self, route: Route) -> dict[str, Any]:
        throttle = route.throttle or self._options.throttle
        settings: dict[str, Any] = {"metrics_enabled": True, "logging_level": self._options.logging_level,
                                    "data_trace_enabled": False, "throttling_rate_limit": throttle.rate,
                                    "throttling_burst_limit": throttle.burst}
        if route.cache_ttl_seconds is not None:
            if not self._options.cache_enabled:
                raise ValueError(f"route {route.method} {route.path}: a cache override needs the stage cache "
                                 f"(StageOptions.cache_enabled)")
            settings.update(caching_enabled=route.cache_ttl_seconds > 0, cache_data_encrypted=True,
                            cache_ttl_in_seconds=route.cache_ttl_seconds)
        return settings

    def _add_usage_plan(self) -> None:
        name, o = self._api_name, self._options
        self.api_key = aws.apigateway.ApiKey(f"{name}-key", description=f"API key for {name}", enabled=True,
                                             opts=self._child)
        self.usage_plan = aws.apigateway.UsagePlan(
            f"{name}-plan", api_stages=[{"api_id": self._api.id, "stage": self.stage.stage_name}],
            quota_settings={"limit": o.usage_quota_per_day, "period": "DAY"},
            throttle_settings={"rate_limit": o.throttle.rate, "burst_limit": o.throttle.burst}, opts=self._child)
        aws.apigateway.UsagePlanKey(f"{name}-plan-key", key_id=self.api_key.id, key_type="API_KEY",
                                    usage_plan_id=self.usage_plan.id, opts=self._one_per_parent)

    def _add_waf(self) -> None:
        self.web_acl = WebAcl(f"{self._api_name}-waf",
                              WebAclArgs(scope="REGIONAL", rate_limit=self._options.waf_rate_limit), opts=self._child)
        aws.wafv2.WebAclAssociation(f"{self._api_name}-waf-association", resource_arn=self.stage.arn,
                                    web_acl_arn=self.web_acl.arn, opts=self._one_per_parent)
