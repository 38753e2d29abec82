"""CloudFront: HTTPS to viewers and origins, origin access control, security headers, TLS 1.2+, WAF, logs."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, items, resource_rule, stack_rule, statements
from policy.rules.protocols import below_minimum

PREFIX = "MT-CF"

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"


def _behaviors(distribution: Resource):
    yield distribution.get("defaultCacheBehavior") or {}
    yield from items(distribution.get("orderedCacheBehaviors"))


@resource_rule("MT-CF-1", DISTRIBUTION, description="Viewers are redirected to HTTPS",
               remediation="Set viewer_protocol_policy='redirect-to-https' on every cache behavior.")
def https(distribution: Resource):
    for behavior in _behaviors(distribution):
        if behavior.get("viewerProtocolPolicy") not in ("redirect-to-https", "https-only"):
            yield f"behavior {behavior.get('pathPattern', 'default')} allows plain HTTP"


@resource_rule("MT-CF-2", DISTRIBUTION, description="S3 origins are reached through origin access control",
               remediation="Create an OriginAccessControl and set origin_access_control_id on the S3 origin.")
def oac(distribution: Resource):
    for origin in items(distribution.get("origins")):
        if ".s3." in str(origin.get("domainName")) and not origin.get("originAccessControlId"):
            yield f"origin {origin.get('originId')} reads S3 without origin access control"


@resource_rule("MT-CF-3", DISTRIBUTION, description="Responses carry a security-headers policy",
               remediation="Set response_headers_policy_id on every cache behavior.")
def headers_attached(distribution: Resource):
    for behavior in _behaviors(distribution):
        if not behavior.get("responseHeadersPolicyId"):
            yield f"behavior {behavior.get('pathPattern', 'default')} has no response headers policy"


@resource_rule("MT-CF-4", HEADERS, description="Security headers: HSTS, CSP, nosniff and frame DENY",
               remediation="Set security_headers_config with strict_transport_security, content_security_policy, "
                           "content_type_options and frame_options DENY.")
def security_headers(policy: Resource):
    config = policy.get("securityHeadersConfig") or {}
    for key in ("strictTransportSecurity", "contentSecurityPolicy", "contentTypeOptions"):
        if not config.get(key):
            yield f"no {key}"
    if (config.get("frameOptions") or {}).get("frameOption") != "DENY":
        yield "frame options are not DENY"


@resource_rule("MT-CF-5", DISTRIBUTION, description="Distributions serve their own certificate with TLS 1.2+",
               remediation="Set viewer_certificate with an ACM certificate (us-east-1), sni-only and "
                           "minimum_protocol_version 'TLSv1.2_2021' or later (TLSv1.3_2025).")
def own_certificate(distribution: Resource):
    certificate = distribution.get("viewerCertificate") or {}
    if not certificate.get("acmCertificateArn") and not certificate.get("iamCertificateId"):
        yield "serves the default *.cloudfront.net certificate (which accepts TLS 1.0)"
    elif below_minimum(certificate.get("minimumProtocolVersion") or "TLSv1"):
        yield f"minimum protocol {certificate.get('minimumProtocolVersion') or 'TLSv1 (the default)'} is below TLS 1.2"


@resource_rule("MT-CF-6", DISTRIBUTION, description="Distributions are protected by a WAFv2 web ACL",
               remediation="Create a CLOUDFRONT-scope web ACL in us-east-1 and set web_acl_id (siteWaf).")
def waf(distribution: Resource):
    if not distribution.get("webAclId"):
        yield "no web ACL"


@resource_rule("MT-CF-7", "aws:s3/bucketPolicy:BucketPolicy",
               description="Bucket policies let CloudFront read only for one distribution",
               remediation="Condition the cloudfront.amazonaws.com statement on AWS:SourceArn = the distribution ARN.")
def tied_to_distribution(policy: Resource):
    for statement in statements(policy.get("policy")):
        principal = statement.get("Principal") or {}
        if hasattr(principal, "get") and "cloudfront.amazonaws.com" in items(principal.get("Service")):
            source = (statement.get("Condition") or {}).get("StringEquals", {}).get("AWS:SourceArn")
            if not str(source or "").startswith("arn:aws:cloudfront::"):
                yield "CloudFront may read on behalf of any distribution"


@resource_rule("MT-CF-8", DISTRIBUTION, description="Custom origins are reached over HTTPS with TLS 1.2+ only",
               remediation="Set custom_origin_config origin_protocol_policy='https-only' and origin_ssl_protocols="
                           "['TLSv1.2'].")
def origin_tls(distribution: Resource):
    for origin in items(distribution.get("origins")):
        config = origin.get("customOriginConfig")
        if not config:
            continue
        if config.get("originProtocolPolicy") != "https-only":
            yield f"origin {origin.get('originId')} is reached with {config.get('originProtocolPolicy')}"
        weak = [p for p in items(config.get("originSslProtocols")) if below_minimum(p)]
        if weak:
            yield f"origin {origin.get('originId')} accepts {weak}"


@stack_rule("MT-CF-9", severity="medium", description="Distributions keep access logs",
            remediation="Set logging_config (standard logs to a bucket, siteAccessLogs) or deliver logs through "
                        "aws.cloudwatch.LogDeliverySource (log_type ACCESS_LOGS).")
def access_logs(stack: Stack):
    delivered = {urn for s in stack.of_type(LOG_DELIVERY_SOURCE) if s.get("logType") == "ACCESS_LOGS"
                 for urn in s.dependencies}
    for distribution in stack.of_type(DISTRIBUTION):
        if not distribution.get("loggingConfig", "bucket") and distribution.urn not in delivered:
            yield Finding(distribution, "no access logs")
