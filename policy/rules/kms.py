"""KMS keys: rotated, with a key policy of their own (who may use a key: MT-IAM-1, -7, -8)."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, resource_rule, stack_rule

PREFIX = "MT-KMS"

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"


@resource_rule("MT-KMS-1", KEY, description="Symmetric keys rotate yearly",
               remediation="Set enable_key_rotation=True.")
def rotation(key: Resource):
    if key.get("customerMasterKeySpec", default="SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" \
            and not key.get("enableKeyRotation"):
        yield "key rotation is off"


@stack_rule("MT-KMS-3", severity="medium", description="Keys carry a key policy of their own",
            remediation="Set the key's policy (or an aws.kms.KeyPolicy): the account root administers, named "
                        "principals and services (conditioned on their source) use it.")
def own_policy(stack: Stack):
    with_policy = {urn for p in stack.of_type(KEY_POLICY) if p.get("policy") for urn in p.dependencies}
    for key in stack.of_type(KEY):
        if not key.get("policy") and key.urn not in with_policy:
            yield Finding(key, "no key policy: the default one lets any principal of the account that IAM allows "
                               "kms:* use the key")
