"""S3 buckets: private, owner-enforced, encrypted, TLS-only, versioned, logged; no public ACL anywhere.

Each setting can be said on the bucket itself (pulumi-aws still takes ``acl``, ``grants``,
``policy``, ``versioning``, ``logging`` and ``serverSideEncryptionConfiguration`` there)
or by a resource of its own (``BucketAcl``/``BucketAclV2``, ``BucketPolicy``, …); the
rules read both.
"""

from __future__ import annotations

from typing import Callable, Iterator

from policy.core import Finding, Resource, Stack, get, items, resource_rule, stack_rule
from policy.rules.common import BUCKET
from policy.rules.documents import denies_insecure_transport

PREFIX = "MT-S3"

BUCKETS = (BUCKET, "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
ACCOUNT_PUBLIC_ACCESS = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
OWNERSHIP = ("aws:s3/bucketOwnershipControls:BucketOwnershipControls",)
ENCRYPTION = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
              "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
POLICY = ("aws:s3/bucketPolicy:BucketPolicy",)
LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
OBJECTS = ("aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject",
           "aws:s3/objectCopy:ObjectCopy")
CONFIGURING = (*PUBLIC_ACCESS, *OWNERSHIP, *ENCRYPTION, *VERSIONING, *POLICY, *LOGGING, *ACLS)
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _companions(stack: Stack, types: tuple[str, ...], bucket: Resource) -> list[Resource]:
    """Resources of ``types`` that configure ``bucket``: they depend on it, and where they depend on
    several buckets (a log bucket's policy names the bucket it logs), it is their component's."""
    buckets = {b.urn for b in stack.of_type(*BUCKETS)}
    return [r for r in stack.of_type(*types) if bucket.urn in r.dependencies
            and (len(buckets & set(r.dependencies)) == 1 or r.parent == bucket.parent)]


def _each_bucket(stack: Stack, types: tuple[str, ...], ok: Callable[[Resource], bool], missing: str,
                 inline: Callable[[Resource], bool] = lambda bucket: False) -> Iterator[Finding]:
    for bucket in stack.of_type(*BUCKETS):
        if not inline(bucket) and not any(ok(c) for c in _companions(stack, types, bucket)):
            yield Finding(bucket, missing)


def _names(stack: Stack, bucket: Resource) -> set[str]:
    """What the bucket is called: its own name, or what the resources configuring it name it."""
    found = {str(bucket.get("bucket") or "")} | {str(c.get("bucket") or "") for c in _companions(stack, CONFIGURING,
                                                                                             bucket)}
    return found - {""}


def cloudfront_log_buckets(stack: Stack) -> set[str]:
    """Names of the buckets CloudFront writes standard logs to (logging_config names the bucket's domain)."""
    return {str(d.get("loggingConfig", "bucket") or "").split(".s3.")[0] for d in stack.of_type(DISTRIBUTION)} - {""}


def _log_targets(stack: Stack) -> set[str]:
    """Names of the buckets that receive access logs (S3 server access logs, CloudFront standard logs)."""
    targets = {str(b.get("logging", "targetBucket") or "") for b in stack.of_type(*BUCKETS)}
    targets |= {str(r.get("targetBucket") or "") for r in stack.of_type(*LOGGING)}
    return (targets | cloudfront_log_buckets(stack)) - {""}


@stack_rule("MT-S3-1", severity="critical", description="Buckets block public access (all four flags)",
            remediation="Add a BucketPublicAccessBlock with block/ignore public ACLs, block public policy and "
                        "restrict public buckets all True (or an account-wide block with all four).")
def public_access_blocked(stack: Stack):
    def blocks(block: Resource) -> bool:
        return all(block.get(flag) is True for flag in BLOCK_FLAGS)

    if any(blocks(b) for b in stack.of_type(ACCOUNT_PUBLIC_ACCESS)):
        return
    yield from _each_bucket(stack, PUBLIC_ACCESS, blocks, "no public access block with all four flags")


@stack_rule("MT-S3-2", severity="medium", description="Buckets enforce object ownership (ACLs disabled)",
            remediation="Add BucketOwnershipControls with object_ownership='BucketOwnerEnforced' (a bucket "
                        "receiving CloudFront standard logs keeps ACLs: BucketOwnerPreferred).")
def owner_enforced(stack: Stack):
    for finding in _each_bucket(stack, OWNERSHIP, lambda o: o.get("rule", "objectOwnership") == "BucketOwnerEnforced",
                                "object ownership is not BucketOwnerEnforced"):
        if not _names(stack, finding.resource) & cloudfront_log_buckets(stack):
            yield finding


@stack_rule("MT-S3-3", description="Buckets declare default encryption",
            remediation="Add BucketServerSideEncryptionConfiguration (AES256 or aws:kms).")
def encrypted(stack: Stack):
    def algorithm(rules) -> bool:
        return any(get(r, "applyServerSideEncryptionByDefault", "sseAlgorithm") for r in items(rules))

    yield from _each_bucket(stack, ENCRYPTION, lambda e: algorithm(e.get("rules")), "no default encryption",
                            inline=lambda b: algorithm(b.get("serverSideEncryptionConfiguration", "rule")))


@stack_rule("MT-S3-4", description="Bucket policies deny requests without TLS",
            remediation="Add a Deny statement for Principal '*' on s3:* with Condition Bool aws:SecureTransport "
                        "= false.")
def ssl_only(stack: Stack):
    yield from _each_bucket(stack, POLICY, lambda p: denies_insecure_transport(p.get("policy")),
                            "no policy denying requests without TLS",
                            inline=lambda b: denies_insecure_transport(b.get("policy")))


@stack_rule("MT-S3-5", severity="medium", description="Buckets keep object versions",
            remediation="Add BucketVersioning with status 'Enabled' (dataBucketVersioning).")
def versioned(stack: Stack):
    yield from _each_bucket(stack, VERSIONING, lambda v: v.get("versioningConfiguration", "status") == "Enabled",
                            "versioning is not enabled", inline=lambda b: b.get("versioning", "enabled") is True)


@resource_rule("MT-S3-6", BUCKETS, severity="medium", description="Buckets are not force-destroyed with their objects",
               remediation="Set force_destroy=False (dataForceDestroy) where the data matters.")
def no_force_destroy(bucket: Resource):
    if bucket.get("forceDestroy"):
        yield "force_destroy deletes every object with the bucket"


def _public_grants(grants) -> list[str]:
    return [str(get(g, "permission") or get(g, "permissions")) for g in items(grants)
            if (get(g, "grantee", "uri") or get(g, "uri")) in PUBLIC_GROUPS]


@resource_rule("MT-S3-7", (*ACLS, *BUCKETS, *OBJECTS), severity="critical",
               description="No public ACL: canned or granted, on a bucket or an object",
               remediation="Remove public canned ACLs (public-read, public-read-write, authenticated-read) and grants "
                           "to AllUsers or AuthenticatedUsers; keep ownership BucketOwnerEnforced.")
def no_public_acl(resource: Resource):
    if resource.get("acl") in PUBLIC_ACLS:
        yield f"canned ACL {resource.get('acl')}"
    grants = _public_grants(resource.get("accessControlPolicy", "grants")) + _public_grants(resource.get("grants"))
    if grants:
        yield f"grants {grants} to every (authenticated) AWS user"


@stack_rule("MT-S3-8", severity="medium",
            description="Buckets record server access logs (buckets that receive logs excepted)",
            remediation="Add a BucketLogging naming a log bucket (dataBucketAccessLogs); the log bucket itself "
                        "is not logged.")
def access_logged(stack: Stack):
    targets = _log_targets(stack)
    for finding in _each_bucket(stack, LOGGING, lambda r: bool(r.get("targetBucket")), "no server access logs",
                                inline=lambda b: bool(b.get("logging", "targetBucket"))):
        if not _names(stack, finding.resource) & targets:
            yield finding
