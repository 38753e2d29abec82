"""StaticSite: a private S3 bucket served by CloudFront through Origin Access Control.

One build serves every stack: the site reads ``config.json`` (API URL, region,
user pool) at start-up, and this component writes that file from the stack's
Outputs. Hashed assets (``app.3f2a1b9c.js``) are cached for a year; everything
else (``index.html``, ``config.json``) is revalidated on every load.

CloudFront only accepts ACM certificates and CLOUDFRONT-scope web ACLs from
us-east-1, so both are created through a us-east-1 provider owned by this
component, whatever the stack's region.
"""

from __future__ import annotations

import dataclasses

import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

import pulumi
import pulumi_aws as aws

from multitier._data.bucket import Bucket, BucketArgs, BucketLifecycle
from multitier._ops import watch_edge
from multitier._ops.watch import Watch
from multitier._security.waf import WebAcl, WebAclArgs

# CloudFront takes certificates and CLOUDFRONT-scope web ACLs from this region only.
CLOUDFRONT_REGION = "us-east-1"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # AWS managed cache policy
HSTS_MAX_AGE = 63072000  # two years
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
CONFIG_KEY = "config.json"
ORIGIN_ID = "site-bucket"
_HASHED = re.compile(r"[.-](?=[0-9a-f]*\d)[0-9a-f]{8,}\.[a-z0-9]+$", re.I)
_CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                  ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                  ".json": "application/json", ".map": "application/json", ".svg": "image/svg+xml",
                  ".txt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json",
                  ".woff2": "font/woff2", ".woff": "font/woff", ".ico": "image/x-icon", ".png": "image/png",
                  ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif"}


def content_type(key: str) -> str:
    """The Content-Type of an uploaded file, stable across machines' mimetypes tables."""
    suffix = Path(key).suffix.lower()
    return _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def cache_control(key: str) -> str:
    """A year, immutable, for content-hashed file names; revalidate everything else."""
    return IMMUTABLE if _HASHED.search(Path(key).name) else NO_CACHE


def content_security_policy(connect_origins: list[str]) -> str:
    connect = " ".join(["'self'", *connect_origins])
    return (f"default-src 'self'; connect-src {connect}; img-src 'self' data:; style-src 'self'; "
            f"script-src 'self'; frame-ancestors 'none'")


@dataclass
class RuntimeConfig:
    """What ``config.json`` holds: ``{"stack","pattern","apiUrl","region","auth"}``.

    ``auth`` is ``{"userPoolId","clientId","endpoint","selfSignUp"}`` (``UserPool.site_auth()``).
    """

    stack: str
    pattern: str
    api_url: pulumi.Input[str]
    region: pulumi.Input[str]
    auth: pulumi.Input[Mapping[str, Any]]

    def document(self) -> pulumi.Output[dict]:
        return pulumi.Output.all(self.api_url, self.region, self.auth).apply(lambda v: {
            "stack": self.stack, "pattern": self.pattern, "apiUrl": v[0], "region": v[1], "auth": dict(v[2])})


@dataclass
class StaticSiteArgs:
    """Inputs of a StaticSite.

    ``content_dir``: the built site, uploaded file by file. ``config``: the runtime
    config written to ``config.json``. ``api_origin``/``auth_origin``: origins the
    page may call (CSP connect-src). ``domain_name`` + ``hosted_zone_id``: a custom
    name with its own certificate; empty for the CloudFront default name. ``waf``
    attaches a CLOUDFRONT-scope web ACL (rate limit ``waf_rate_limit`` per IP per
    5 minutes); ``access_logs`` keeps CloudFront's standard logs for
    ``log_retention_days`` in a bucket of their own. ``buckets``: how the content
    (and log) buckets keep versions and whether destroy may empty them.
    ``provider_settings``: the arguments of the stack's AWS provider (profile, assumed
    roles, allowed accounts, default tags, ...), which the us-east-1 provider copies.
    """

    buckets: BucketLifecycle = BucketLifecycle()
    content_dir: Path | None = None
    config: RuntimeConfig | None = None
    api_origin: pulumi.Input[str] | None = None
    auth_origin: pulumi.Input[str] | None = None
    domain_name: str = ""
    hosted_zone_id: str = ""
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_100"
    waf: bool = False
    waf_rate_limit: int = 2000
    access_logs: bool = False
    log_retention_days: int = 90
    provider_settings: Mapping[str, Any] = field(default_factory=dict)


class StaticSite(pulumi.ComponentResource):
    """Private bucket + CloudFront (OAC, HTTPS only, security headers, SPA fallback)."""

    def __init__(self, name: str, args: StaticSiteArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:presentation:StaticSite", name, None, opts)
        if args.domain_name and not args.hosted_zone_id:
            raise ValueError(f"static site {name}: domain {args.domain_name!r} needs hosted_zone_id")
        child = pulumi.ResourceOptions(parent=self)

        self.us_east_1: aws.Provider | None = None
        if args.domain_name or args.waf:
            self.us_east_1 = aws.Provider(f"{name}-us-east-1", **{**args.provider_settings,
                                                                   "region": CLOUDFRONT_REGION}, opts=child)
        east = pulumi.ResourceOptions(parent=self, provider=self.us_east_1)

        self.content = Bucket(f"{name}-content", BucketArgs(lifecycle=args.buckets, name_prefix=f"{name}-content"[:37],
                                                            defer_policy=True), opts=child)
        self.oac = aws.cloudfront.OriginAccessControl(
            f"{name}-oac", description=f"CloudFront access to {name}'s bucket", origin_access_control_origin_type="s3",
            signing_behavior="always", signing_protocol="sigv4", opts=child)

        connect = [o for o in (args.api_origin, args.auth_origin) if o is not None]
        csp = pulumi.Output.all(*connect).apply(lambda origins: content_security_policy(list(origins)))
        self.headers = aws.cloudfront.ResponseHeadersPolicy(
            f"{name}-headers", comment=f"Security headers of {name}",
            security_headers_config={
                "strict_transport_security": {"access_control_max_age_sec": HSTS_MAX_AGE, "include_subdomains": True,
                                              "preload": True, "override": True},
                "content_security_policy": {"content_security_policy": csp, "override": True},
                "content_type_options": {"override": True},
                "frame_options": {"frame_option": "DENY", "override": True},
                "referrer_policy": {"referrer_policy": "strict-origin-when-cross-origin", "override": True},
            },
            opts=child)

        self.certificate = None
        viewer_certificate: dict[str, Any] = {"cloudfront_default_certificate": True}
        if args.domain_name:
            self.certificate = aws.acm.Certificate(f"{name}-certificate", domain_name=args.domain_name,
                                                   validation_method="DNS", opts=east)
            option = self.certificate.domain_validation_options.apply(lambda opts_: opts_[0])
            self.validation_record = aws.route53.Record(
                f"{name}-certificate-validation", zone_id=args.hosted_zone_id,
                name=option.apply(lambda o: o.resource_record_name), type=option.apply(lambda o: o.resource_record_type),
                records=[option.apply(lambda o: o.resource_record_value)], ttl=60, allow_overwrite=True, opts=child)
            self.certificate_validation = aws.acm.CertificateValidation(
                f"{name}-certificate-validated", certificate_arn=self.certificate.arn,
                validation_record_fqdns=[self.validation_record.fqdn], opts=east)
            viewer_certificate = {"acm_certificate_arn": self.certificate_validation.certificate_arn,
                                  "ssl_support_method": "sni-only", "minimum_protocol_version": "TLSv1.2_2021"}

        self.waf = None
        if args.waf:
            self.waf = WebAcl(f"{name}-waf", WebAclArgs(scope="CLOUDFRONT", rate_limit=args.waf_rate_limit),
                              opts=pulumi.ResourceOptions(parent=self, providers={"aws": self.us_east_1}))

        self.logs = None
        logging_config = None
        if args.access_logs:
            # The one documented exception to owner-enforced buckets: CloudFront standard
            # logging writes through ACLs, so this bucket keeps them (awslogsdelivery grant).
            unlogged = dataclasses.replace(args.buckets, access_logs=False)  # it receives logs
            self.logs = Bucket(f"{name}-logs", BucketArgs(lifecycle=unlogged, name_prefix=f"{name}-logs"[:37],
                                                          log_delivery_acl=True,
                                                          expire_days=args.log_retention_days), opts=child)
            logging_config = {"bucket": self.logs.bucket.bucket_domain_name, "include_cookies": False,
                              "prefix": f"{name}/"}

        spa_fallback = [{"error_code": code, "response_code": 200, "response_page_path": "/index.html",
                         "error_caching_min_ttl": 0} for code in (403, 404)]
        self.distribution = aws.cloudfront.Distribution(
            name,
            enabled=True,
            comment=f"{name} static site",
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=args.price_class,
            default_root_object="index.html",
            aliases=[args.domain_name] if args.domain_name else None,
            origins=[{"origin_id": ORIGIN_ID, "domain_name": self.content.regional_domain_name,
                      "origin_access_control_id": self.oac.id}],
            default_cache_behavior={
                "target_origin_id": ORIGIN_ID, "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ["GET", "HEAD", "OPTIONS"], "cached_methods": ["GET", "HEAD"],
                "compress": True, "cache_policy_id": CACHING_OPTIMIZED,
                "response_headers_policy_id": self.headers.id},
            custom_error_responses=spa_fallback,
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate=viewer_certificate,
            web_acl_id=self.waf.arn if self.waf else None,
            logging_config=logging_config,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.logs.acl] if self.logs and self.logs.acl else None))

        # Only this distribution may read the bucket (the bucket's single policy).
        self.content.attach_policy([pulumi.Output.all(self.content.arn, self.distribution.arn).apply(lambda v: {
            "Sid": "CloudFrontReadOnly", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject", "Resource": f"{v[0]}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": v[1]}}})])

        self.records: list[aws.route53.Record] = []
        if args.domain_name:
            for record_type in ("A", "AAAA"):
                self.records.append(aws.route53.Record(
                    f"{name}-alias-{record_type.lower()}", zone_id=args.hosted_zone_id, name=args.domain_name,
                    type=record_type, aliases=[{"name": self.distribution.domain_name,
                                                "zone_id": self.distribution.hosted_zone_id,
                                                "evaluate_target_health": False}], opts=child))

        self.objects = []
        if args.content_dir is not None:
            self.objects += self._upload(args.content_dir, skip_config=args.config is not None)
        self.config_object = None
        if args.config is not None:
            self.config_object = self.content.put_object(
                CONFIG_KEY, content=pulumi.Output.json_dumps(args.config.document()),
                content_type=content_type(CONFIG_KEY), cache_control=NO_CACHE, parent=self,
                resource_name=f"{name}-config")

        self.domain_name = args.domain_name or self.distribution.domain_name
        self.url = pulumi.Output.concat("https://", self.domain_name)
        self.distribution_id = self.distribution.id
        self.distribution_arn = self.distribution.arn
        self.bucket_name = self.content.name
        self.register_outputs({"url": self.url, "distribution_id": self.distribution_id,
                               "distribution_arn": self.distribution_arn, "bucket_name": self.bucket_name})

    def watches(self) -> list[Watch]:
        """The distribution's requests and error rates, and its WAF's where it has one."""
        waf = [self.waf.watch(CLOUDFRONT_REGION, "presentation")] if self.waf else []
        return [*waf, watch_edge.cloudfront(self.pulumi_resource_name, self.distribution_id)]

    def _upload(self, folder: Path, skip_config: bool) -> list[aws.s3.BucketObjectv2]:
        if not folder.is_dir():
            raise ValueError(f"static site: content folder {folder} does not exist")
        objects = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
            key = path.relative_to(folder).as_posix()
            if skip_config and key == CONFIG_KEY:
                continue  # the generated runtime config wins over a checked-in one
            objects.append(self.content.put_object(key, source=path, content_type=content_type(key),
                                                   cache_control=cache_control(key)))
        return objects
