"""AmplifyHosting: an Amplify Hosting app serving a built static front end (no Git repo).

pulumi-aws models the app, branch and domain but not a manual deployment
(Amplify's CreateDeployment/StartDeployment API). This component makes that
step visible in every preview and testable offline:

1. the built folder is zipped by Pulumi (a ``FileArchive`` as an S3 object's
   source) into a private staging ``Bucket``, under a key holding the folder's
   content hash, so a changed build is a new object;
2. a dynamic resource, ``AmplifyDeployment`` (token
   ``pulumi-python:dynamic/amplify:Deployment``), calls boto3
   ``amplify.start_deployment(appId, branchName, sourceUrl="s3://bucket/key",
   sourceUrlType="ZIP")`` when created or when the source URL changes, and
   waits for the job to succeed.

Amplify reads the zip itself, so the staging bucket's policy lets the
``amplify.amazonaws.com`` service list the app's prefix and read under it, for this
branch of this account only: as Amplify's guide to deploying from S3 with the SDKs
says, the condition's ``aws:SourceArn`` is the URL-encoded branch ARN, with
``aws:SourceAccount`` beside it (a raw ARN matches nothing and the deployment fails).

The deployment calls AWS as the stack's AWS provider does: with the region, profile,
assumed roles and account guard of the stack's ``aws:*`` settings
(``multitier._provider_session``), never merely the ambient credentials.

The runtime ``config.json`` (API URL, sign-in settings) only exists once the
API does, so the deployment adds it at deploy time: it copies the staged zip
with ``config.json`` added (``<key>-<config hash>.zip``) and deploys that copy.
"""

from __future__ import annotations

import hashlib
import json
import io
import time
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import pulumi
import pulumi.dynamic
import pulumi_aws as aws

from multitier._data.bucket import Bucket, BucketArgs, BucketLifecycle
from multitier._provider_session import clients, session_settings
from multitier._presentation.static_site import CLOUDFRONT_REGION, HSTS_MAX_AGE, content_security_policy
from multitier._ops import watch_edge
from multitier._ops.watch import Watch
from multitier._security.waf import WebAcl, WebAclArgs

# Everything without a file extension, or with one no static asset uses, is the SPA.
SPA_REWRITE_SOURCE = r"</^[^.]+$|\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|woff2|ttf|map|json)$)([^.]+$)/>"
BRANCH = "main"


def security_headers(csp: str) -> str:
    """The app's ``customHeaders`` (Amplify's YAML): the security headers CloudFront sites get too."""
    headers = {"Strict-Transport-Security": f"max-age={HSTS_MAX_AGE}; includeSubDomains; preload",
               "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
               "Referrer-Policy": "strict-origin-when-cross-origin", "Content-Security-Policy": csp}
    return "customHeaders:\n  - pattern: '**'\n    headers:\n" + "".join(
        f"      - key: {key}\n        value: {json.dumps(value)}\n" for key, value in headers.items())  # JSON ⊂ YAML


def folder_hash(folder: Path) -> str:
    """A hash of every file's path and bytes: equal builds give equal keys."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class _DeploymentProvider(pulumi.dynamic.ResourceProvider):
    """Starts an Amplify deployment of a zip in S3 and waits for it."""

    def _deploy(self, props: dict[str, Any]) -> dict[str, Any]:
        client_of = clients(props.get("aws") or {})
        client = client_of("amplify")
        source_url = props["source_url"]
        if props.get("config_json"):
            source_url = with_config(client_of("s3"), source_url, props["config_json"])
        job = client.start_deployment(appId=props["app_id"], branchName=props["branch_name"],
                                      sourceUrl=source_url, sourceUrlType="ZIP")["jobSummary"]
        status = job["status"]
        deadline = time.monotonic() + 600
        while status in ("PENDING", "PROVISIONING", "RUNNING") and time.monotonic() < deadline:
            time.sleep(5)
            status = client.get_job(appId=props["app_id"], branchName=props["branch_name"],
                                    jobId=job["jobId"])["job"]["summary"]["status"]
        if status != "SUCCEED":
            raise RuntimeError(f"Amplify deployment {job['jobId']} of {source_url} ended {status}")
        return {**props, "job_id": job["jobId"], "status": status}

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        outs = self._deploy(props)
        return pulumi.dynamic.CreateResult(id_=f"{props['app_id']}/{props['branch_name']}/{outs['job_id']}", outs=outs)

    # A new app, branch or runtime config is a new deployment; a new build of the same ones is an update.
    # (How the deployment reaches AWS, ``aws``, is neither: a new profile redeploys nothing.)
    REPLACES = ("app_id", "branch_name", "config_json")
    UPDATES = ("source_url",)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        changed = [k for k in (*self.REPLACES, *self.UPDATES) if olds.get(k) != news.get(k)]
        return pulumi.dynamic.DiffResult(changes=bool(changed), replaces=[k for k in changed if k in self.REPLACES])

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult(outs=self._deploy(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None  # a deployment is history; the branch goes with the app


# The provider is pickled by reference into each Deployment's state (``__provider``), which a later update or
# destroy unpickles: it is named where no move of the package's private modules can take it.
_DeploymentProvider.__module__, _DeploymentProvider.__qualname__ = "multitier", "_AmplifyDeploymentProvider"


class AmplifyDeployment(pulumi.dynamic.Resource, module="amplify", name="Deployment"):
    """One Amplify manual deployment (StartDeployment with an S3 source URL)."""

    job_id: pulumi.Output[str]
    status: pulumi.Output[str]

    def __init__(self, name: str, app_id: pulumi.Input[str], branch_name: pulumi.Input[str],
                 source_url: pulumi.Input[str], aws: Mapping[str, Any] | None = None,
                 config_json: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None):
        """``aws``: ``provider_session.session_settings`` of the stack's AWS provider (static keys kept secret)."""
        aws = dict(aws or {})
        for key in ("access_key", "secret_key", "token"):
            if aws.get(key):
                aws[key] = pulumi.Output.secret(aws[key])
        super().__init__(_DeploymentProvider(), name,
                         {"app_id": app_id, "branch_name": branch_name, "source_url": source_url,
                          "aws": aws, "config_json": config_json, "job_id": None, "status": None}, opts)


def amplify_reads(bucket_arn: pulumi.Input[str], branch_arn: pulumi.Input[str],
                  prefix: str) -> list[pulumi.Output[dict]]:
    """The bucket policy statements that let Amplify deploy this branch from ``prefix`` (Amplify's guide).

    The branch ARN goes in percent-encoded (``arn%3Aaws%3Aamplify%3A...``), as Amplify presents
    it; its account is the ``aws:SourceAccount``.
    """
    def statements(bucket: str, branch: str) -> list[dict]:
        condition = {"aws:SourceAccount": branch.split(":")[4], "aws:SourceArn": urllib.parse.quote(branch, safe="")}
        service = {"Service": "amplify.amazonaws.com"}
        return [{"Sid": "AmplifyListsBuilds", "Effect": "Allow", "Principal": service, "Action": "s3:ListBucket",
                 "Resource": bucket, "Condition": {"StringEquals": condition,
                                                   "StringLike": {"s3:prefix": ["", f"{prefix}*"]}}},
                {"Sid": "AmplifyReadsBuilds", "Effect": "Allow", "Principal": service, "Action": "s3:GetObject",
                 "Resource": f"{bucket}/{prefix}*", "Condition": {"StringEquals": condition}}]

    both = pulumi.Output.all(bucket_arn, branch_arn).apply(lambda v: statements(v[0], v[1]))
    return [both.apply(lambda s: s[0]), both.apply(lambda s: s[1])]


def with_config(s3: Any, source_url: str, config_json: str) -> str:
    """Copy the staged zip with ``config.json`` added; return the copy's s3:// URL."""
    bucket, _, key = source_url.removeprefix("s3://").partition("/")
    staged = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(staged)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "config.json":
                out.writestr(item, source.read(item))
        out.writestr("config.json", config_json)
    digest = hashlib.sha256(config_json.encode()).hexdigest()[:12]
    copy_key = f"{key.removesuffix('.zip')}-{digest}.zip"
    s3.put_object(Bucket=bucket, Key=copy_key, Body=buffer.getvalue(), ContentType="application/zip")
    return f"s3://{bucket}/{copy_key}"


@dataclass
class AmplifyHostingArgs:
    """Inputs of an AmplifyHosting.

    ``build_dir``: the built static app. ``domain_name`` (a Route 53 domain the
    account controls) + ``subdomain``: an optional custom domain for the branch.
    ``buckets``: how the staging bucket of builds keeps versions. ``connect_origins``:
    the origins the page may call (the CSP's ``connect-src``: the API, sign-in). ``waf``
    attaches a web ACL (Amplify takes a CLOUDFRONT-scope one, made in us-east-1) blocking
    an IP above ``waf_rate_limit`` requests per 5 minutes. ``provider_settings``: the
    arguments of the stack's AWS provider (profile, assumed roles, allowed accounts, default
    tags, ...), which that us-east-1 provider copies and the deployment calls AWS with.
    """

    build_dir: Path
    buckets: BucketLifecycle = BucketLifecycle()
    domain_name: str = ""
    subdomain: str = ""
    region: pulumi.Input[str] | None = None
    config: Any = None  # a presentation.static_site.RuntimeConfig, written as config.json
    connect_origins: Sequence[pulumi.Input[str]] = ()
    waf: bool = False
    waf_rate_limit: int = 2000
    provider_settings: Mapping[str, Any] = field(default_factory=dict)


class AmplifyHosting(pulumi.ComponentResource):
    """An Amplify WEB app with a production branch deployed from a zip of ``build_dir``."""

    def __init__(self, name: str, args: AmplifyHostingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:presentation:AmplifyHosting", name, None, opts)
        if not args.build_dir.is_dir():
            raise ValueError(f"amplify hosting {name}: build folder {args.build_dir} does not exist")
        child = pulumi.ResourceOptions(parent=self)

        csp = pulumi.Output.all(*args.connect_origins).apply(lambda origins: content_security_policy(list(origins)))
        self.app = aws.amplify.App(
            name, name=name, platform="WEB", description=f"{name} front end",
            custom_rules=[{"source": SPA_REWRITE_SOURCE, "target": "/index.html", "status": "200"}],
            custom_headers=csp.apply(security_headers), opts=child)
        self.branch = aws.amplify.Branch(
            f"{name}-{BRANCH}", app_id=self.app.id, branch_name=BRANCH, stage="PRODUCTION",
            enable_auto_build=False, opts=child)

        self.artifacts = Bucket(f"{name}-artifacts", BucketArgs(lifecycle=args.buckets,
                                                                name_prefix=f"{name}-artifacts"[:37],
                                                                defer_policy=True), opts=child)
        key = f"{name}/build-{folder_hash(args.build_dir)}.zip"
        self.artifact = aws.s3.BucketObjectv2(
            f"{name}-artifact", bucket=self.artifacts.id, key=key, source=pulumi.FileArchive(str(args.build_dir)),
            content_type="application/zip", opts=child)
        self.artifacts.attach_policy(amplify_reads(self.artifacts.arn, self.branch.arn, f"{name}/"))
        self.source_url = pulumi.Output.concat("s3://", self.artifacts.name, "/", key)
        self.deployment = AmplifyDeployment(
            f"{name}-deployment", app_id=self.app.id, branch_name=self.branch.branch_name,
            source_url=self.source_url,
            aws=session_settings({**args.provider_settings,
                                  **({"region": args.region} if args.region is not None else {})}),
            config_json=args.config.document().apply(json.dumps) if args.config is not None else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.artifact, self.artifacts.policy]))

        self.waf = None
        if args.waf:
            east = aws.Provider(f"{name}-us-east-1", **{**args.provider_settings, "region": CLOUDFRONT_REGION},
                                opts=child)
            self.waf = WebAcl(f"{name}-waf", WebAclArgs(scope="CLOUDFRONT", rate_limit=args.waf_rate_limit),
                              opts=pulumi.ResourceOptions(parent=self, providers={"aws": east}))
            # A resource has one web ACL: a new ACL's association replaces the old one delete-first (created
            # first, it would take over, and the old one's delete would then leave the app unprotected).
            aws.wafv2.WebAclAssociation(f"{name}-waf-association", resource_arn=self.app.arn, web_acl_arn=self.waf.arn,
                                        opts=pulumi.ResourceOptions(parent=self, provider=east,
                                                                    delete_before_replace=True))

        self.domain = None
        host = pulumi.Output.concat(BRANCH, ".", self.app.default_domain)
        if args.domain_name:
            self.domain = aws.amplify.DomainAssociation(
                f"{name}-domain", app_id=self.app.id, domain_name=args.domain_name,
                sub_domains=[{"branch_name": self.branch.branch_name, "prefix": args.subdomain}],
                wait_for_verification=False, opts=child)
            host = f"{args.subdomain}.{args.domain_name}" if args.subdomain else args.domain_name
        self.url = pulumi.Output.concat("https://", host)
        self.app_id = self.app.id
        self.register_outputs({"url": self.url, "app_id": self.app_id, "branch": self.branch.branch_name,
                               "source_url": self.source_url})

    def watches(self) -> list[Watch]:
        """The app's requests, errors and latency, and its WAF's where it has one."""
        waf = [self.waf.watch(CLOUDFRONT_REGION, "presentation")] if self.waf else []
        return [*waf, watch_edge.amplify(self.pulumi_resource_name, self.app_id)]
