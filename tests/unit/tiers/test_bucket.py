"""Bucket: private, owner-enforced, encrypted, TLS-only; versioning unless turned off, force_destroy only if on."""

import json

import pulumi
import pytest

from multitier._data.bucket import (AWS_LOGS_DELIVERY_CANONICAL_ID, Bucket, BucketArgs, BucketLifecycle,
                                    BucketNameError, bucket_prefix)
from tests.unit.tiers.helpers import link_view, statements

S3 = "aws:s3/"


def _bucket(**kw):
    return lambda: Bucket("info", BucketArgs(**kw))


def test_all_four_public_access_flags_are_on(run):
    inputs = run(_bucket()).one(S3 + "bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert inputs[flag] is True, flag


def test_ownership_is_bucket_owner_enforced_and_no_acl(run):
    rec = run(_bucket())
    assert rec.one(S3 + "bucketOwnershipControls:BucketOwnershipControls").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"}
    assert rec.of_type(S3 + "bucketAcl:BucketAcl") == []


def test_default_encryption_is_sse_s3_and_kms_can_be_chosen(run):
    rule = run(_bucket()).one(S3 + "bucketServerSideEncryptionConfiguration:"
                                   "BucketServerSideEncryptionConfiguration").inputs["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    kms = run(_bucket(encryption="aws:kms")).one(S3 + "bucketServerSideEncryptionConfiguration:"
                                                      "BucketServerSideEncryptionConfiguration").inputs["rules"][0]
    assert kms["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms"}
    assert kms["bucketKeyEnabled"] is True


def test_policy_denies_every_non_tls_request(run):
    rec = run(_bucket())
    [deny] = statements(rec, S3 + "bucketPolicy:BucketPolicy")
    arn = rec.one(S3 + "bucket:Bucket").outputs["arn"]
    assert deny == {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def test_prod_versioning_on_with_noncurrent_expiry_and_abort_uploads(run):
    rec = run(_bucket())
    assert rec.one(S3 + "bucketVersioning:BucketVersioning").inputs["versioningConfiguration"] == {
        "status": "Enabled"}
    rules = {r["id"]: r for r in rec.one(S3 + "bucketLifecycleConfiguration:"
                                              "BucketLifecycleConfiguration").inputs["rules"]}
    assert rules["abort-incomplete-uploads"]["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert rec.one(S3 + "bucket:Bucket").inputs["forceDestroy"] is False


def test_dev_versioning_suspended_and_force_destroy_on(run):
    rec = run(_bucket(lifecycle=BucketLifecycle(versioning=False, force_destroy=True)))
    assert rec.one(S3 + "bucketVersioning:BucketVersioning").inputs["versioningConfiguration"] == {
        "status": "Suspended"}
    assert rec.one(S3 + "bucket:Bucket").inputs["forceDestroy"] is True
    rules = {r["id"] for r in rec.one(S3 + "bucketLifecycleConfiguration:"
                                           "BucketLifecycleConfiguration").inputs["rules"]}
    assert rules == {"abort-incomplete-uploads"}


def test_bucket_is_autonamed_from_a_short_prefix(run):
    inputs = run(_bucket()).one(S3 + "bucket:Bucket").inputs
    assert inputs["bucketPrefix"] == "info-" and "bucket" not in inputs


@pytest.mark.parametrize("prefix, message", [("x" * 38, "at most 37"), ("Info", "lower-case"),
                                             ("-info", "starting with"), ("a--b", "single hyphens")])
def test_bad_prefixes_fail_clearly(prefix, message):
    with pytest.raises(BucketNameError, match=message):
        bucket_prefix(prefix)


def test_extra_and_deferred_statements_join_the_single_policy(run):
    extra = {"Sid": "Extra", "Effect": "Allow", "Principal": {"Service": "example.amazonaws.com"},
             "Action": "s3:GetObject", "Resource": "*"}

    def program():
        bucket = Bucket("site", BucketArgs(defer_policy=True))
        bucket.attach_policy([extra])
        with pytest.raises(RuntimeError, match="already attached"):
            bucket.attach_policy([extra])
    rec = run(program)
    assert [s["Sid"] for s in statements(rec, S3 + "bucketPolicy:BucketPolicy")] == ["DenyInsecureTransport",
                                                                                    "Extra"]


def test_log_bucket_exception_uses_acls_for_awslogsdelivery(run):
    rec = run(_bucket(log_delivery_acl=True))
    assert rec.one(S3 + "bucketOwnershipControls:BucketOwnershipControls").inputs["rule"] == {
        "objectOwnership": "BucketOwnerPreferred"}
    grants = rec.one(S3 + "bucketAcl:BucketAcl").inputs["accessControlPolicy"]["grants"]
    assert {"permission": "FULL_CONTROL", "grantee": {"type": "CanonicalUser",
                                                      "id": AWS_LOGS_DELIVERY_CANONICAL_ID}} in grants
    # still private: the public-access block stays on
    assert rec.one(S3 + "bucketPublicAccessBlock:BucketPublicAccessBlock").inputs["ignorePublicAcls"] is True


def test_read_grant_is_get_on_prefix_and_list_on_bucket(run):
    def program():
        bucket = Bucket("info", BucketArgs())
        pulumi.export("link", link_view(bucket.grant("read", env="INFO_BUCKET", prefix="venues/")))
        pulumi.export("arn", bucket.arn)
        pulumi.export("name", bucket.name)
    out = run(program).outputs
    arn = out["arn"]
    assert [(s["actions"], s["resources"]) for s in out["link"]["statements"]] == [
        (["s3:GetObject"], [f"{arn}/venues/*"]), (["s3:ListBucket"], [arn])]
    assert out["link"]["env"] == {"INFO_BUCKET": out["name"]}


def test_write_grant_is_put_and_delete_on_objects_only(run):
    def program():
        bucket = Bucket("info", BucketArgs())
        pulumi.export("link", link_view(bucket.grant("write", env="INFO_BUCKET")))
        pulumi.export("arn", bucket.arn)
    out = run(program).outputs
    assert [(s["actions"], s["resources"]) for s in out["link"]["statements"]] == [
        (["s3:PutObject", "s3:DeleteObject"], [f"{out['arn']}/*"])]


def test_upload_from_dict_sets_content_type(run):
    def program():
        Bucket("info", BucketArgs()).upload({"venues/1.json": json.dumps({"id": 1})})
    obj = run(program).one(S3 + "bucketObjectv2:BucketObjectv2").inputs
    assert obj["key"] == "venues/1.json" and obj["contentType"] == "application/json"
    assert json.loads(obj["content"]) == {"id": 1}


def test_access_logs_go_to_a_log_bucket_only_s3_may_write_for_this_bucket(run):
    rec = run(_bucket(lifecycle=BucketLifecycle(access_logs=True, access_log_days=30)))
    source, logs = ({r.name: r for r in rec.of_type(S3 + "bucket:Bucket")}[n] for n in ("info", "info-access-logs"))
    logging = rec.one(S3 + "bucketLogging:BucketLogging")
    assert logging.inputs["bucket"] == source.id and logging.inputs["targetBucket"] == logs.id
    assert logs.inputs["bucketPrefix"] == "info-logs-"
    delivery = next(s for s in statements(rec, S3 + "bucketPolicy:BucketPolicy", "info-access-logs-policy")
                    if s.get("Sid") == "S3ServerAccessLogs")
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Resource"] == f"{logs.outputs['arn']}/*"
    assert delivery["Condition"] == {"ArnLike": {"aws:SourceArn": source.outputs["arn"]},
                                     "StringEquals": {"aws:SourceAccount": "123456789012"}}
    # The log bucket keeps its logs 30 days and is not logged itself (logs of logs, without end).
    rules = {r["id"]: r for r in rec.one(S3 + "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                                         "info-access-logs-lifecycle").inputs["rules"]}
    assert rules["expire-objects"]["expiration"] == {"days": 30}
    assert len(rec.of_type(S3 + "bucketLogging:BucketLogging")) == 1
    assert not run(_bucket()).of_type(S3 + "bucketLogging:BucketLogging")  # off unless the stack asks
