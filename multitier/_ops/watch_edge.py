"""Watches at the edge: sign-in (Cognito), the sites (CloudFront, Amplify Hosting) and WAF web ACLs."""

from __future__ import annotations

import pulumi

from multitier._ops.watch import Metric, Tier, Watch, Widget

CLOUDFRONT_METRICS_REGION = "us-east-1"  # CloudFront (and CLOUDFRONT-scope WAF) publish there only


def user_pool(name: str, pool_id: pulumi.Input[str], client_id: pulumi.Input[str]) -> Watch:
    """Sign-ins, sign-ups and token refreshes of the app client, and Cognito's throttling of them."""
    def metric(metric_name: str, label: str) -> Metric:
        return Metric("AWS/Cognito", metric_name, {"UserPool": pool_id, "UserPoolClient": client_id}, label=label)

    return Watch(name, f"User pool {name}", "identity", [
        Widget("Sign-ins", [metric("SignInSuccesses", "sign-ins"), metric("SignUpSuccesses", "sign-ups"),
                            metric("TokenRefreshSuccesses", "token refreshes")], width=12),
        Widget("Throttled", [metric("SignInThrottles", "sign-ins"), metric("SignUpThrottles", "sign-ups"),
                             metric("TokenRefreshThrottles", "token refreshes")], width=12),
    ])


def cloudfront(name: str, distribution_id: pulumi.Input[str]) -> Watch:
    """Requests and error rates of a distribution (the cache hit rate is one of CloudFront's paid
    additional metrics, not turned on here)."""
    def metric(metric_name: str, stat: str, label: str) -> Metric:
        return Metric("AWS/CloudFront", metric_name, {"DistributionId": distribution_id, "Region": "Global"}, stat,
                      label=label)

    return Watch(name, f"CloudFront site {name}", "presentation", [
        Widget("Requests", [metric("Requests", "Sum", "requests")], width=12, region=CLOUDFRONT_METRICS_REGION,
               overview=True),
        Widget("Error rate (%)", [metric("4xxErrorRate", "Average", "4xx"), metric("5xxErrorRate", "Average", "5xx")],
               width=12, region=CLOUDFRONT_METRICS_REGION),
    ])


def amplify(name: str, app_id: pulumi.Input[str]) -> Watch:
    """Requests, 4xx/5xx answers and time to first byte of an Amplify Hosting app."""
    def metric(metric_name: str, stat: str, label: str) -> Metric:
        return Metric("AWS/AmplifyHosting", metric_name, {"App": app_id}, stat, label=label)

    return Watch(name, f"Amplify app {name}", "presentation", [
        Widget("Requests", [metric("Requests", "Sum", "requests")], overview=True),
        Widget("Errors", [metric("4xxErrors", "Sum", "4xx"), metric("5xxErrors", "Sum", "5xx")]),
        Widget("Latency (s)", [metric("Latency", "Average", "time to first byte")]),
    ])


def web_acl(name: str, metric_name: str, region: str, *, cloudfront: bool, tier: Tier) -> Watch:
    """Requests a WAF web ACL allowed and blocked (all rules). The ``WebACL`` dimension is the ACL's
    visibility metric name; a CLOUDFRONT-scope ACL publishes in us-east-1 without ``Region``."""
    dimensions = {"Rule": "ALL", "WebACL": metric_name}
    if not cloudfront:
        dimensions = {"Region": region, **dimensions}
    metrics = [Metric("AWS/WAFV2", m, dimensions, label=label)
               for m, label in (("AllowedRequests", "allowed"), ("BlockedRequests", "blocked"))]
    return Watch(name, f"WAF {name}", tier, [Widget("Allowed and blocked", metrics, width=12,
                                                    region=CLOUDFRONT_METRICS_REGION if cloudfront else "")])
