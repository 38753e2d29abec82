"""Bucket: a private S3 bucket with the data tier's secure defaults and its grants.

A bucket has exactly one bucket policy, so every statement for it goes through
this component: the TLS-only deny is always there, ``BucketArgs.policy_statements``
adds fixed statements, and a caller whose statement depends on something created
after the bucket (CloudFront's distribution ARN) sets ``defer_policy=True`` and
calls ``attach_policy(extra)`` once it can.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from multitier._iam import Statement, sid
from multitier._logic.link import Link

# S3 bucket names are 3-63 characters; autonaming appends up to 26 characters to
# the prefix (a dash and a random suffix), so a prefix may hold at most 37.
MAX_PREFIX = 37
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ABORT_INCOMPLETE_UPLOAD_DAYS = 7
# The canonical user of CloudFront's log delivery (awslogsdelivery), documented by AWS.
AWS_LOGS_DELIVERY_CANONICAL_ID = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"

READ_ACTIONS = ("s3:GetObject",)
LIST_ACTIONS = ("s3:ListBucket",)
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject")


class BucketNameError(ValueError):
    """A bucket name prefix S3 would reject."""


def bucket_prefix(name: str) -> str:
    """The autonaming prefix of a bucket (``<prefix>-``), validated against S3's rules."""
    if len(name) > MAX_PREFIX:
        raise BucketNameError(f"bucket prefix {name!r} is {len(name)} characters; at most {MAX_PREFIX} fit "
                              f"in S3's 63 once the random suffix is added")
    if len(name) < 2 or not _PREFIX.match(name) or "--" in name:
        raise BucketNameError(f"bucket prefix {name!r} must be 2-{MAX_PREFIX} lower-case letters, digits and "
                              f"single hyphens, starting with a letter or digit")
    return f"{name}-"


@dataclass(frozen=True)
class BucketLifecycle:
    """What a bucket keeps and how it goes: the same for every bucket of a stack.

    Versioning keeps overwritten and deleted objects for ``noncurrent_version_days``;
    ``force_destroy`` lets ``pulumi destroy`` empty the bucket (throwaway stacks only);
    ``protect`` makes Pulumi refuse to delete or replace it (the preview stops before its
    objects are lost).
    ``access_logs`` writes S3 server access logs to a log bucket of the bucket's own, kept
    ``access_log_days`` (that bucket is not logged itself).
    """

    versioning: bool = True
    noncurrent_version_days: int = 30
    force_destroy: bool = False
    protect: bool = True
    access_logs: bool = False
    access_log_days: int = 90


@dataclass
class BucketArgs:
    """Inputs of a Bucket.

    ``name_prefix`` defaults to the component name (lower-cased).
    ``log_delivery_acl`` is the one documented exception to owner-enforced
    ownership: a CloudFront standard-logging bucket needs ACLs enabled
    (BucketOwnerPreferred) and a grant to the awslogsdelivery account.
    """

    lifecycle: BucketLifecycle = BucketLifecycle()
    name_prefix: str = ""
    encryption: Literal["AES256", "aws:kms"] = "AES256"
    kms_key_arn: pulumi.Input[str] | None = None
    policy_statements: Sequence[pulumi.Input[Mapping[str, Any]]] = ()
    defer_policy: bool = False
    log_delivery_acl: bool = False
    expire_days: int | None = None
    tags: dict[str, str] = field(default_factory=dict)


class Bucket(pulumi.ComponentResource):
    """A private, encrypted, TLS-only S3 bucket."""

    def __init__(self, name: str, args: BucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:data:Bucket", name, None, opts)
        prefix = bucket_prefix(args.name_prefix or name.lower())
        self._child = pulumi.ResourceOptions(parent=self)
        self._policy_attached = False

        self.bucket = aws.s3.Bucket(name, bucket_prefix=prefix, force_destroy=args.lifecycle.force_destroy,
                                    tags=args.tags or None,
                                    opts=pulumi.ResourceOptions(parent=self, protect=args.lifecycle.protect))
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access", bucket=self.bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=self._child)
        ownership = "BucketOwnerPreferred" if args.log_delivery_acl else "BucketOwnerEnforced"
        self.ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=self.bucket.id, rule={"object_ownership": ownership}, opts=self._child)
        self.acl: aws.s3.BucketAcl | None = None
        if args.log_delivery_acl:
            owner = aws.s3.get_canonical_user_id_output(opts=pulumi.InvokeOutputOptions(parent=self))
            self.acl = aws.s3.BucketAcl(
                f"{name}-acl", bucket=self.bucket.id,
                access_control_policy={
                    "owner": {"id": owner.id},
                    "grants": [
                        {"grantee": {"type": "CanonicalUser", "id": owner.id}, "permission": "FULL_CONTROL"},
                        {"grantee": {"type": "CanonicalUser", "id": AWS_LOGS_DELIVERY_CANONICAL_ID},
                         "permission": "FULL_CONTROL"},
                    ]},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.ownership]))

        sse: dict[str, Any] = {"sse_algorithm": args.encryption}
        if args.encryption == "aws:kms" and args.kms_key_arn is not None:  # else the aws/s3 managed key
            sse["kms_master_key_id"] = args.kms_key_arn
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": sse,
                    "bucket_key_enabled": args.encryption == "aws:kms"}],
            opts=self._child)
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled" if args.lifecycle.versioning else "Suspended"},
            opts=self._child)
        rules: list[dict[str, Any]] = [{
            "id": "abort-incomplete-uploads", "status": "Enabled", "filter": {"prefix": ""},
            "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOAD_DAYS}}]
        if args.lifecycle.versioning:
            rules.append({"id": "expire-noncurrent-versions", "status": "Enabled", "filter": {"prefix": ""},
                          "noncurrent_version_expiration": {
                              "noncurrent_days": args.lifecycle.noncurrent_version_days}})
        if args.expire_days:
            rules.append({"id": "expire-objects", "status": "Enabled", "filter": {"prefix": ""},
                          "expiration": {"days": args.expire_days}})
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=self.bucket.id, rules=rules,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.versioning]))

        self.policy: aws.s3.BucketPolicy | None = None
        self._fixed_statements = list(args.policy_statements)
        if not args.defer_policy:
            self.attach_policy()

        self.access_logs: Bucket | None = None
        self.access_logging: aws.s3.BucketLogging | None = None
        if args.lifecycle.access_logs:
            self._log_access(name, prefix.rstrip("-"), args.lifecycle)

        self.name = self.bucket.bucket
        self.id = self.bucket.id
        self.arn = self.bucket.arn
        self.regional_domain_name = self.bucket.bucket_regional_domain_name
        self.register_outputs({"name": self.name, "arn": self.arn,
                               "regional_domain_name": self.regional_domain_name})

    def _log_access(self, name: str, prefix: str, lifecycle: BucketLifecycle) -> None:
        """S3 server access logs to a bucket of their own, which only S3's log delivery for this bucket
        and account may write to (aws:SourceArn and aws:SourceAccount against the confused deputy)."""
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        self.access_logs = Bucket(f"{name}-access-logs", BucketArgs(
            lifecycle=dataclasses.replace(lifecycle, access_logs=False),
            name_prefix=f"{prefix[:32].rstrip('-')}-logs",
            expire_days=lifecycle.access_log_days, defer_policy=True), opts=self._child)
        self.access_logs.attach_policy([pulumi.Output.all(self.access_logs.arn, self.bucket.arn, account).apply(
            lambda v: {"Sid": "S3ServerAccessLogs", "Effect": "Allow",
                       "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                       "Resource": f"{v[0]}/*", "Condition": {"ArnLike": {"aws:SourceArn": v[1]},
                                                              "StringEquals": {"aws:SourceAccount": v[2]}}})])
        self.access_logging = aws.s3.BucketLogging(
            f"{name}-access-logging", bucket=self.bucket.id, target_bucket=self.access_logs.id, target_prefix="",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.access_logs.policy]))

    # -- policy ---------------------------------------------------------------

    def tls_only_statement(self) -> pulumi.Output[dict]:
        """Deny every request that does not use TLS."""
        return self.bucket.arn.apply(lambda arn: {
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}})

    def attach_policy(self, extra_statements: Sequence[pulumi.Input[Mapping[str, Any]]] = ()) -> aws.s3.BucketPolicy:
        """Create the bucket's single policy: TLS-only deny + fixed + ``extra_statements``.

        Called by the constructor unless ``defer_policy``; then the caller must call it once.
        """
        if self._policy_attached:
            raise RuntimeError(f"bucket {self.pulumi_resource_name}: its policy is already attached "
                               f"(a bucket has one policy)")
        self._policy_attached = True
        statements = [self.tls_only_statement(), *self._fixed_statements, *extra_statements]
        document = pulumi.Output.all(*statements).apply(
            lambda resolved: {"Version": "2012-10-17", "Statement": list(resolved)})
        self.policy = aws.s3.BucketPolicy(
            f"{self.pulumi_resource_name}-policy", bucket=self.bucket.id, policy=pulumi.Output.json_dumps(document),
            # Public-access block first: S3 checks new policies against it.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block, self.ownership]))
        return self.policy

    # -- grants ---------------------------------------------------------------

    def grant(self, access: Literal["read", "write"], env: str, prefix: str = "") -> Link:
        """Access to objects under ``prefix`` (the whole bucket when empty); bucket name in ``env``.

        ``read``: s3:GetObject on ``<arn>/<prefix>*`` and s3:ListBucket on the bucket
        (the Statement type carries no conditions, so listing is not prefix-scoped).
        ``write``: s3:PutObject and s3:DeleteObject on ``<arn>/<prefix>*``.
        """
        objects = self.bucket.arn.apply(lambda arn: f"{arn}/{prefix}*")
        if access == "read":
            statements = [Statement(READ_ACTIONS, [objects], sid("Bucket", env, "read")),
                          Statement(LIST_ACTIONS, [self.bucket.arn], sid("Bucket", env, "list"))]
        elif access == "write":
            statements = [Statement(WRITE_ACTIONS, [objects], sid("Bucket", env, "write"))]
        else:
            raise ValueError(f"bucket grant access {access!r} must be 'read' or 'write'")
        return Link(statements=statements, env={env: self.bucket.bucket})

    # -- objects --------------------------------------------------------------

    def put_object(self, key: str, *, content: pulumi.Input[str] | None = None, source: Path | None = None,
                   content_type: str | None = None, cache_control: str | None = None,
                   parent: pulumi.Resource | None = None, resource_name: str | None = None) -> aws.s3.BucketObjectv2:
        """Upload one object from ``content`` (text, may be an Output) or a ``source`` file."""
        if (content is None) == (source is None):
            raise ValueError(f"bucket {self.pulumi_resource_name}: object {key!r} needs exactly one of "
                             f"content or source")
        if content_type is None:
            content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        return aws.s3.BucketObjectv2(
            resource_name or f"{self.pulumi_resource_name}-{key}".replace("/", "-"),
            bucket=self.bucket.id, key=key, content=content,
            source=pulumi.FileAsset(str(source)) if source is not None else None,
            content_type=content_type, cache_control=cache_control,
            opts=pulumi.ResourceOptions(parent=parent or self, depends_on=[self.ownership, self.encryption]))

    def upload(self, files: Mapping[str, pulumi.Input[str]] | Path, *,
               cache_control: Callable[[str], str | None] = lambda key: None,
               parent: pulumi.Resource | None = None) -> list[aws.s3.BucketObjectv2]:
        """Upload a folder (every file, keys relative to it) or a ``{key: text}`` mapping."""
        if isinstance(files, Path):
            if not files.is_dir():
                raise ValueError(f"bucket {self.pulumi_resource_name}: upload folder {files} does not exist")
            sources = sorted(p for p in files.rglob("*") if p.is_file() and not p.name.startswith("."))
            return [self.put_object(p.relative_to(files).as_posix(), source=p,
                                    cache_control=cache_control(p.relative_to(files).as_posix()), parent=parent)
                    for p in sources]
        return [self.put_object(key, content=text, cache_control=cache_control(key), parent=parent)
                for key, text in sorted(files.items())]
