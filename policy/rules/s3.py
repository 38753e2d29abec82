"""S3 buckets: private, owner-enforced, encrypted, TLS-only, versioned."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, items, resource_rule, stack_rule, statements
from policy.rules.common import BUCKET

PREFIX = "MT-S3"

PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ACL = "aws:s3/bucketAcl:BucketAcl"
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")


def _companions(stack: Stack, type_: str, bucket: Resource) -> list[Resource]:
    """Resources of ``type_`` that configure ``bucket`` (they depend on it)."""
    return [r for r in stack.of_type(type_) if bucket.urn in r.dependencies]


def _each_bucket(stack: Stack, type_: str, ok, missing: str):
    for bucket in stack.of_type(BUCKET):
        companions = _companions(stack, type_, bucket)
        if not any(ok(c) for c in companions):
            yield Finding(bucket, missing)


@stack_rule("MT-S3-1", severity="critical", description="Buckets block public access (all four flags)",
            remediation="Add a BucketPublicAccessBlock with block/ignore public ACLs, block public policy and "
                        "restrict public buckets all True.")
def public_access_blocked(stack: Stack):
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    yield from _each_bucket(stack, PUBLIC_ACCESS, lambda b: all(b.get(f) is True for f in flags),
                            "no public access block with all four flags")


@stack_rule("MT-S3-2", severity="medium", description="Buckets enforce object ownership (ACLs disabled)",
            remediation="Add BucketOwnershipControls with object_ownership='BucketOwnerEnforced' "
                        "(CloudFront standard-log buckets excepted: suppress with that reason).")
def owner_enforced(stack: Stack):
    yield from _each_bucket(stack, OWNERSHIP, lambda o: o.get("rule", "objectOwnership") == "BucketOwnerEnforced",
                            "object ownership is not BucketOwnerEnforced")


@stack_rule("MT-S3-3", description="Buckets declare default encryption",
            remediation="Add BucketServerSideEncryptionConfiguration (AES256 or aws:kms).")
def encrypted(stack: Stack):
    yield from _each_bucket(
        stack, ENCRYPTION,
        lambda e: any(r.get("applyServerSideEncryptionByDefault", {}).get("sseAlgorithm") for r in items(e.get("rules"))),
        "no default encryption configuration")


def _denies_plain_http(policy: Resource) -> bool:
    return any(s.get("Effect") == "Deny" and str((s.get("Condition") or {}).get("Bool", {})
                                                 .get("aws:SecureTransport")).lower() == "false"
               for s in statements(policy.get("policy")))


@stack_rule("MT-S3-4", description="Bucket policies deny requests without TLS",
            remediation="Add a Deny statement on s3:* with Condition Bool aws:SecureTransport = false.")
def ssl_only(stack: Stack):
    yield from _each_bucket(stack, POLICY, _denies_plain_http, "no policy denying requests without TLS")


@stack_rule("MT-S3-5", severity="medium", description="Buckets keep object versions",
            remediation="Add BucketVersioning with status 'Enabled' (dataBucketVersioning).")
def versioned(stack: Stack):
    yield from _each_bucket(stack, VERSIONING, lambda v: v.get("versioningConfiguration", "status") == "Enabled",
                            "versioning is not enabled")


@resource_rule("MT-S3-6", BUCKET, severity="medium", description="Buckets are not force-destroyed with their objects",
               remediation="Set force_destroy=False (dataForceDestroy) where the data matters.")
def no_force_destroy(bucket: Resource):
    if bucket.get("forceDestroy"):
        yield "force_destroy deletes every object with the bucket"


@resource_rule("MT-S3-7", (ACL, POLICY), severity="critical", description="No public ACLs or public bucket policies",
               remediation="Remove public ACL grants and Allow statements for Principal '*' without a condition.")
def not_public(resource: Resource):
    if resource.type == ACL:
        if resource.get("acl") in PUBLIC_ACLS:
            yield f"canned ACL {resource.get('acl')}"
        return
    for statement in statements(resource.get("policy")):
        principal = statement.get("Principal")
        public = principal == "*" or (hasattr(principal, "get") and "*" in items(principal.get("AWS")))
        if statement.get("Effect") == "Allow" and public and not statement.get("Condition"):
            yield f"statement {statement.get('Sid', '')!r} allows anyone"
