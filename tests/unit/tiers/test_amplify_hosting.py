"""AmplifyHosting: WEB app with SPA rewrite, production branch, zip staged in S3, StartDeployment."""


import pulumi
import pytest

from multitier._presentation.amplify_hosting import (SPA_REWRITE_SOURCE, AmplifyHosting, AmplifyHostingArgs,
                                                     _DeploymentProvider, folder_hash)
from tests.unit.tiers.helpers import statements

DEPLOY = "pulumi-python:dynamic/amplify:Deployment"


@pytest.fixture
def build(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html>")
    return tmp_path


def _hosting(build, **kw):
    def program():
        hosting = AmplifyHosting("webapp", AmplifyHostingArgs(build_dir=build, **kw))
        pulumi.export("url", hosting.url)
    return program


def test_app_and_production_branch(run, build):
    rec = run(_hosting(build))
    app = rec.one("aws:amplify/app:App")
    assert app.inputs["platform"] == "WEB"
    assert app.inputs["customRules"] == [{"source": SPA_REWRITE_SOURCE, "target": "/index.html", "status": "200"}]
    branch = rec.one("aws:amplify/branch:Branch").inputs
    assert branch["stage"] == "PRODUCTION" and branch["appId"] == app.id and branch["enableAutoBuild"] is False
    assert rec.outputs["url"] == f"https://main.{app.outputs['defaultDomain']}"


def test_build_is_zipped_into_a_private_bucket_under_a_content_hash(run, build):
    rec = run(_hosting(build))
    artifact = rec.one("aws:s3/bucketObjectv2:BucketObjectv2").inputs
    assert artifact["key"] == f"webapp/build-{folder_hash(build)}.zip"
    assert type(artifact["source"]).__name__ == "FileArchive"
    assert rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs["blockPublicPolicy"] is True
    read = statements(rec, "aws:s3/bucketPolicy:BucketPolicy")[1]
    assert read["Principal"] == {"Service": "amplify.amazonaws.com"} and read["Action"] == "s3:GetObject"
    assert read["Condition"] == {"StringEquals": {"aws:SourceArn": rec.one("aws:amplify/branch:Branch").outputs["arn"]}}


def test_changed_build_changes_the_key(build):
    before = folder_hash(build)
    (build / "index.html").write_text("<!doctype html><p>new")
    assert folder_hash(build) != before


def test_deployment_resource_starts_the_branch_deployment_from_s3(run, build):
    rec = run(_hosting(build))
    deployment = rec.one(DEPLOY)
    bucket = rec.one("aws:s3/bucket:Bucket").outputs["bucket"]
    assert deployment.inputs["app_id"] == rec.one("aws:amplify/app:App").id
    assert deployment.inputs["branch_name"] == "main"
    assert deployment.inputs["source_url"] == f"s3://{bucket}/webapp/build-{folder_hash(build)}.zip"
    assert deployment.parent == rec.one("multitier:presentation:AmplifyHosting").urn
    artifact = rec.one("aws:s3/bucketObjectv2:BucketObjectv2")
    assert artifact.urn in deployment.dependencies


def test_provider_calls_start_deployment_with_a_zip_source(monkeypatch):
    calls = []

    class FakeAmplify:
        def start_deployment(self, **kw):
            calls.append(kw)
            return {"jobSummary": {"jobId": "7", "status": "SUCCEED"}}

    import boto3
    monkeypatch.setattr(boto3, "client", lambda service, **kw: FakeAmplify())
    result = _DeploymentProvider().create({"app_id": "d1", "branch_name": "main", "source_url": "s3://b/k.zip",
                                           "region": "us-east-1"})
    assert calls == [{"appId": "d1", "branchName": "main", "sourceUrl": "s3://b/k.zip", "sourceUrlType": "ZIP"}]
    assert result.id == "d1/main/7" and result.outs["status"] == "SUCCEED"
    diff = _DeploymentProvider().diff("x", {"app_id": "d1", "branch_name": "main", "source_url": "s3://b/a.zip"},
                                      {"app_id": "d1", "branch_name": "main", "source_url": "s3://b/b.zip"})
    assert diff.changes is True and diff.replaces == []


def test_custom_domain_association(run, build):
    rec = run(_hosting(build, domain_name="example.com", subdomain="app"))
    domain = rec.one("aws:amplify/domainAssociation:DomainAssociation").inputs
    assert domain["domainName"] == "example.com"
    assert domain["subDomains"] == [{"branchName": "main", "prefix": "app"}]
    assert rec.outputs["url"] == "https://app.example.com"


def test_runtime_config_is_added_to_the_deployed_zip(monkeypatch):
    import io
    import json
    import zipfile

    staged = io.BytesIO()
    with zipfile.ZipFile(staged, "w") as z:
        z.writestr("index.html", "<html></html>")
        z.writestr("config.json", "{\"stale\": true}")

    class FakeS3:
        objects = {("b", "site/build-1.zip"): staged.getvalue()}

        def get_object(self, Bucket, Key):
            return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

        def put_object(self, Bucket, Key, Body, ContentType):
            self.objects[(Bucket, Key)] = Body

    class FakeAmplify:
        def start_deployment(self, **kw):
            FakeAmplify.source = kw["sourceUrl"]
            return {"jobSummary": {"jobId": "9", "status": "SUCCEED"}}

    s3 = FakeS3()
    import boto3
    monkeypatch.setattr(boto3, "client", lambda service, **kw: s3 if service == "s3" else FakeAmplify())
    config = json.dumps({"apiUrl": "https://api.example.com/prod"})
    _DeploymentProvider().create({"app_id": "d1", "branch_name": "main", "source_url": "s3://b/site/build-1.zip",
                                  "region": "us-east-1", "config_json": config})
    bucket, _, key = FakeAmplify.source.removeprefix("s3://").partition("/")
    assert bucket == "b" and key.startswith("site/build-1-") and key != "site/build-1.zip"
    with zipfile.ZipFile(io.BytesIO(s3.objects[(bucket, key)])) as deployed:
        assert sorted(deployed.namelist()) == ["config.json", "index.html"]
        assert json.loads(deployed.read("config.json")) == {"apiUrl": "https://api.example.com/prod"}


def test_web_app_on_amplify_deploys_its_runtime_config():
    import json

    from local.engine import run_stack

    rec = run_stack("dev", overrides={"multitier:patterns": ["web_app"], "multitier:siteHosting": "amplify"})
    config = json.loads(rec.one(DEPLOY).inputs["config_json"])
    assert config["apiUrl"] == rec.outputs["web_app_api_url"] and config["pattern"] == "web_app"
