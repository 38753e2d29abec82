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


def test_amplify_lists_and_reads_the_builds_for_this_branch_and_account_only(run, build):
    """Amplify's guide: aws:SourceArn is the percent-encoded branch ARN, with aws:SourceAccount, plus ListBucket."""
    rec = run(_hosting(build))
    branch = rec.one("aws:amplify/branch:Branch").outputs["arn"]
    bucket = rec.one("aws:s3/bucket:Bucket").outputs["arn"]
    lists, reads = statements(rec, "aws:s3/bucketPolicy:BucketPolicy")[1:]
    encoded = branch.replace(":", "%3A").replace("/", "%2F")
    assert encoded.startswith("arn%3Aaws%3Aamplify%3Aus-east-1%3A123456789012%3Aapps%2F")
    condition = {"aws:SourceAccount": "123456789012", "aws:SourceArn": encoded}
    assert reads == {"Sid": "AmplifyReadsBuilds", "Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"},
                     "Action": "s3:GetObject", "Resource": f"{bucket}/webapp/*",
                     "Condition": {"StringEquals": condition}}
    assert lists["Action"] == "s3:ListBucket" and lists["Resource"] == bucket
    assert lists["Condition"] == {"StringEquals": condition, "StringLike": {"s3:prefix": ["", "webapp/*"]}}


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
    monkeypatch.setattr(boto3.Session, "client", lambda self, service, **kw: FakeAmplify())
    result = _DeploymentProvider().create({"app_id": "d1", "branch_name": "main", "source_url": "s3://b/k.zip",
                                           "aws": {"region": "us-east-1"}})
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
    monkeypatch.setattr(boto3.Session, "client", lambda self, service, **kw: s3 if service == "s3" else FakeAmplify())
    config = json.dumps({"apiUrl": "https://api.example.com/prod"})
    _DeploymentProvider().create({"app_id": "d1", "branch_name": "main", "source_url": "s3://b/site/build-1.zip",
                                  "aws": {"region": "us-east-1"}, "config_json": config})
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


STACK_PROVIDER = {"region": "eu-west-1", "profile": "deployer", "allowed_account_ids": ["123456789012"],
                  "assume_roles": [{"roleArn": "arn:aws:iam::123456789012:role/deployer", "sessionName": "ci"}],
                  "default_tags": {"tags": {"stack": "prod"}}}


def test_deployment_takes_the_stack_providers_session_settings(run, build):
    rec = run(_hosting(build, region="eu-west-1", provider_settings=STACK_PROVIDER))
    assert rec.one(DEPLOY).inputs["aws"] == {key: value for key, value in STACK_PROVIDER.items()
                                            if key != "default_tags"}


def test_prod_deployment_is_guarded_by_the_allowed_accounts():
    from local.engine import run_stack

    rec = run_stack("prod", overrides={"multitier:patterns": ["web_app"]})
    assert rec.one(DEPLOY).inputs["aws"]["allowed_account_ids"] == ["000000000000"]


@pytest.fixture
def credentials(tmp_path, monkeypatch):
    """A profile in a shared credentials file, and no ambient credentials."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    path = tmp_path / "credentials"
    path.write_text("[deployer]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n")
    return str(path)


def test_deployment_refuses_an_account_the_stack_does_not_allow_before_calling_amplify(credentials):
    from moto import mock_aws

    props = {"app_id": "d1", "branch_name": "main", "source_url": "s3://b/k.zip",
             "aws": {**STACK_PROVIDER, "shared_credentials_files": [credentials], "allowed_account_ids": ["000000000000"]}}
    with mock_aws(), pytest.raises(PermissionError, match="AWS account ID not allowed: 123456789012"):
        _DeploymentProvider().create(props)


def test_deployment_calls_amplify_in_the_stack_region_with_the_assumed_role(credentials, monkeypatch):
    from moto import mock_aws

    import multitier._presentation.amplify_hosting as hosting

    seen = []

    class Amplify:
        def __init__(self, client):
            self.client = client

        def start_deployment(self, **kw):
            seen.append(self.client)
            return {"jobSummary": {"jobId": "1", "status": "SUCCEED"}}

    real = hosting.clients
    monkeypatch.setattr(hosting, "clients", lambda settings: lambda service: Amplify(real(settings)(service)))
    props = {"app_id": "d1", "branch_name": "main", "source_url": "s3://b/k.zip",
             "aws": {**STACK_PROVIDER, "shared_credentials_files": [credentials]}}
    with mock_aws():
        _DeploymentProvider().create(props)
    client = seen[0]
    assert client.meta.region_name == "eu-west-1"
    # moto's STS hands out temporary credentials: the profile's keys were used to assume the role
    assert client._request_signer._credentials.access_key not in ("AKIAIOSFODNN7EXAMPLE", None)
