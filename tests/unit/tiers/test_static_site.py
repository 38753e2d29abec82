"""StaticSite: OAC, distribution-scoped bucket policy, HTTPS, headers, SPA, us-east-1 cert/WAF, uploads."""

import json

import pulumi
import pytest

from multitier._presentation.static_site import (CACHING_OPTIMIZED, IMMUTABLE, NO_CACHE, RuntimeConfig, StaticSite,
                                                 StaticSiteArgs, cache_control)
from tests.unit.tiers.helpers import statements

DIST = "aws:cloudfront/distribution:Distribution"
OBJ = "aws:s3/bucketObjectv2:BucketObjectv2"


@pytest.fixture
def build(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html>")
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.3f2a1b9c.js").write_text("export {}")
    (tmp_path / "styles.css").write_text("body{}")
    (tmp_path / "config.json").write_text("{}")  # replaced by the generated one
    return tmp_path


def _site(**kw):
    def program():
        s = StaticSite("web", StaticSiteArgs(api_origin="https://api.example.com", **kw))
        pulumi.export("url", s.url)
    return program


def test_bucket_is_private_and_read_only_by_this_distribution(run):
    rec = run(_site())
    dist = rec.one(DIST)
    policy = statements(rec, "aws:s3/bucketPolicy:BucketPolicy")
    assert [s["Sid"] for s in policy] == ["DenyInsecureTransport", "CloudFrontReadOnly"]
    read = policy[1]
    bucket_arn = rec.one("aws:s3/bucket:Bucket").outputs["arn"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"} and read["Action"] == "s3:GetObject"
    assert read["Resource"] == f"{bucket_arn}/*"
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": dist.outputs["arn"]}}
    assert rec.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"}


def test_origin_uses_oac_with_sigv4_always(run):
    rec = run(_site())
    oac = rec.one("aws:cloudfront/originAccessControl:OriginAccessControl")
    assert oac.inputs["signingBehavior"] == "always" and oac.inputs["signingProtocol"] == "sigv4"
    assert oac.inputs["originAccessControlOriginType"] == "s3"
    [origin] = rec.one(DIST).inputs["origins"]
    assert origin["originAccessControlId"] == oac.id
    assert origin["domainName"] == rec.one("aws:s3/bucket:Bucket").outputs["bucketRegionalDomainName"]
    assert "s3OriginConfig" not in origin and "customOriginConfig" not in origin


def test_https_redirect_compression_managed_cache_and_spa_fallback(run):
    rec = run(_site())
    dist = rec.one(DIST).inputs
    behavior = dist["defaultCacheBehavior"]
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["compress"] is True and behavior["cachePolicyId"] == CACHING_OPTIMIZED
    assert behavior["responseHeadersPolicyId"] == rec.one(
        "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").id
    assert dist["defaultRootObject"] == "index.html"
    assert sorted((e["errorCode"], e["responseCode"], e["responsePagePath"]) for e in dist["customErrorResponses"]) \
        == [(403, 200, "/index.html"), (404, 200, "/index.html")]


def test_security_headers(run):
    headers = run(_site()).one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").inputs[
        "securityHeadersConfig"]
    hsts = headers["strictTransportSecurity"]
    assert hsts["accessControlMaxAgeSec"] >= 31536000 and hsts["includeSubdomains"] and hsts["preload"]
    csp = headers["contentSecurityPolicy"]["contentSecurityPolicy"]
    assert csp == ("default-src 'self'; connect-src 'self' https://api.example.com; img-src 'self' data:; "
                   "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
    assert headers["contentTypeOptions"] == {"override": True}
    assert headers["frameOptions"] == {"frameOption": "DENY", "override": True}
    assert headers["referrerPolicy"]["referrerPolicy"] == "strict-origin-when-cross-origin"


def test_default_certificate_without_domain_and_no_us_east_1_provider(run):
    rec = run(_site())
    assert rec.one(DIST).inputs["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert rec.of_type("pulumi:providers:aws") == [] and rec.of_type("aws:acm/certificate:Certificate") == []
    assert "webAclId" not in rec.one(DIST).inputs
    assert rec.outputs["url"] == "https://" + rec.one(DIST).outputs["domainName"]


def test_custom_domain_certificate_in_us_east_1_tls12_sni_and_alias_records(run):
    rec = run(_site(domain_name="www.example.com", hosted_zone_id="Z0123456789ABC"), config={"aws:region": "eu-west-1"})
    provider = rec.one("pulumi:providers:aws")
    assert provider.inputs["region"] == "us-east-1"
    assert provider.parent == rec.one("multitier:presentation:StaticSite").urn
    for token in ("aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation"):
        assert rec.one(token).provider.startswith(provider.urn), token
    dist = rec.one(DIST).inputs
    assert dist["aliases"] == ["www.example.com"]
    assert dist["viewerCertificate"] == {
        "acmCertificateArn": rec.one("aws:acm/certificate:Certificate").outputs["arn"],
        "sslSupportMethod": "sni-only", "minimumProtocolVersion": "TLSv1.2_2021"}
    aliases = [r for r in rec.of_type("aws:route53/record:Record") if r.inputs.get("aliases")]
    assert sorted(r.inputs["type"] for r in aliases) == ["A", "AAAA"]
    for record in aliases:
        assert record.inputs["aliases"][0]["name"] == rec.one(DIST).outputs["domainName"]
        assert record.inputs["zoneId"] == "Z0123456789ABC"
    assert rec.outputs["url"] == "https://www.example.com"


def test_cloudfront_waf_is_created_in_us_east_1_and_attached_by_web_acl_id(run):
    rec = run(_site(waf=True))
    acl = rec.one("aws:wafv2/webAcl:WebAcl")
    provider = rec.one("pulumi:providers:aws")
    assert acl.inputs["scope"] == "CLOUDFRONT" and acl.provider.startswith(provider.urn)
    assert rec.one(DIST).inputs["webAclId"] == acl.outputs["arn"]
    names = [r["name"] for r in acl.inputs["rules"]]
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList"} <= set(names)
    assert any("rateBasedStatement" in r["statement"] for r in acl.inputs["rules"])


def test_access_logs_go_to_an_acl_enabled_log_bucket(run):
    rec = run(_site(access_logs=True))
    logs = rec.one("aws:s3/bucket:Bucket", "logs")
    assert rec.one(DIST).inputs["loggingConfig"]["bucket"] == logs.outputs["bucketDomainName"]
    ownership = rec.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "logs").inputs["rule"]
    assert ownership == {"objectOwnership": "BucketOwnerPreferred"}
    assert rec.one("aws:s3/bucketAcl:BucketAcl", "logs")
    # the content bucket keeps owner-enforced ownership
    assert rec.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "content").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"}


def test_uploads_have_content_types_and_cache_control(run, build):
    rec = run(_site(content_dir=build))
    objects = {r.inputs["key"]: r.inputs for r in rec.of_type(OBJ)}
    assert set(objects) == {"index.html", "js/app.3f2a1b9c.js", "styles.css", "config.json"}
    assert objects["index.html"]["contentType"].startswith("text/html")
    assert objects["index.html"]["cacheControl"] == NO_CACHE
    assert objects["js/app.3f2a1b9c.js"]["contentType"].startswith("text/javascript")
    assert objects["js/app.3f2a1b9c.js"]["cacheControl"] == IMMUTABLE
    assert objects["styles.css"]["contentType"].startswith("text/css")
    assert objects["styles.css"]["cacheControl"] == NO_CACHE


def test_runtime_config_is_generated_from_outputs(run, build):
    config = RuntimeConfig(stack="dev", pattern="single_page_app", api_url="https://api.example.com/live",
                           region="us-east-1", auth={"userPoolId": "us-east-1_ABC", "clientId": "client",
                                                     "endpoint": "https://cognito-idp.us-east-1.amazonaws.com/"})
    rec = run(_site(content_dir=build, config=config))
    [generated] = [r for r in rec.of_type(OBJ) if r.inputs["key"] == "config.json"]
    assert generated.inputs["cacheControl"] == NO_CACHE and generated.inputs["contentType"] == "application/json"
    assert "source" not in generated.inputs  # the checked-in file was not uploaded
    assert json.loads(generated.inputs["content"]) == {
        "stack": "dev", "pattern": "single_page_app", "apiUrl": "https://api.example.com/live",
        "region": "us-east-1", "auth": {"userPoolId": "us-east-1_ABC", "clientId": "client",
                                        "endpoint": "https://cognito-idp.us-east-1.amazonaws.com/"}}


@pytest.mark.parametrize("key, expected", [("app.3f2a1b9c.js", IMMUTABLE), ("index-0a1b2c3d4e.css", IMMUTABLE),
                                           ("index.html", NO_CACHE), ("config.json", NO_CACHE),
                                           ("template.js", NO_CACHE), ("favicon.svg", NO_CACHE)])
def test_cache_control_rule(key, expected):
    assert cache_control(key) == expected
