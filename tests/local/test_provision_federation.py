"""Create-on-register for the web app with federation on, against moto in-process (no emulator processes).

A federated provider is registered in the local user pool and named by its app client,
and the Amplify deployment publishes the staged build with the runtime config added.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3
from moto import mock_aws

from local import engine
from local.emulators.ports import Ports
from local.provision import Emulators, LocalMocks
from tests.unit.test_config import FEDERATED_OIDC

SIGN_IN = "http://127.0.0.1:1999"


class InProcess:
    """What LocalMocks asks of an emulator: clients (moto's, in this process)."""

    def client(self, service: str):
        return boto3.client(service, region_name="us-east-1")


def test_web_app_with_a_federated_provider_registers_it_and_publishes_its_site():
    with mock_aws():
        mocks = LocalMocks(Emulators(InProcess(), InProcess(), None, None, Ports(), SIGN_IN))
        rec = engine.run_stack("dev", mocks=mocks, overrides={"multitier:patterns": ["web_app"], **FEDERATED_OIDC})
        cognito = boto3.client("cognito-idp", region_name="us-east-1")
        pool = rec.one("aws:cognito/userPool:UserPool").id
        provider = cognito.describe_identity_provider(UserPoolId=pool, ProviderName="Corp")["IdentityProvider"]
        assert provider["ProviderType"] == "OIDC"
        assert provider["ProviderDetails"]["oidc_issuer"] == "https://idp.example.com"
        assert provider["AttributeMapping"] == {"email": "email", "name": "name"}
        client = rec.one("aws:cognito/userPoolClient:UserPoolClient").id
        described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
        assert described["SupportedIdentityProviders"] == ["COGNITO", "Corp"]
        assert mocks.federated == [("Corp", "OIDC")]  # what local mode reports as registered, not emulated

        (app,) = rec.of_type("aws:amplify/app:App")
        bucket, _, key = mocks.amplify_deployments[app.id].removeprefix("s3://").partition("/")
        body = boto3.client("s3", region_name="us-east-1").get_object(Bucket=bucket, Key=key)["Body"].read()
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            config = json.loads(archive.read("config.json"))
            assert "index.html" in archive.namelist()
        assert config["pattern"] == "web_app" and config["auth"]["endpoint"] == SIGN_IN + "/"
