"""KMS keys: rotated, never open to everyone."""

from __future__ import annotations

from policy.core import Resource, items, resource_rule, statements

PREFIX = "MT-KMS"

KEY = "aws:kms/key:Key"


@resource_rule("MT-KMS-1", KEY, description="Symmetric keys rotate yearly",
               remediation="Set enable_key_rotation=True.")
def rotation(key: Resource):
    if key.get("customerMasterKeySpec", default="SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" \
            and not key.get("enableKeyRotation"):
        yield "key rotation is off"


@resource_rule("MT-KMS-2", KEY, severity="critical", description="Key policies grant no one-and-all access",
               remediation="Name the account root or exact principals; condition service principals on the source.")
def no_public_key_policy(key: Resource):
    for statement in statements(key.get("policy")):
        principal = statement.get("Principal")
        public = principal == "*" or (hasattr(principal, "get") and "*" in items(principal.get("AWS")))
        if statement.get("Effect") == "Allow" and public and not statement.get("Condition"):
            yield f"statement {statement.get('Sid', '')!r} lets anyone use the key"
