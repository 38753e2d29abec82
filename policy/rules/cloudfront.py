"""CloudFront: HTTPS, origin access control, security headers, TLS 1.2, WAF."""

from __future__ import annotations

from policy.core import Resource, items, resource_rule, statements

PREFIX = "MT-CF"

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"


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
                           "minimum_protocol_version 'TLSv1.2_2021'.")
def own_certificate(distribution: Resource):
    certificate = distribution.get("viewerCertificate") or {}
    if not certificate.get("acmCertificateArn"):
        yield "serves the default *.cloudfront.net certificate"
    elif not str(certificate.get("minimumProtocolVersion") or "").startswith("TLSv1.2"):
        yield f"minimum protocol {certificate.get('minimumProtocolVersion')}"


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
