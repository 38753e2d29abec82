"""Good and broken stacks for the replacement rules (MT-REPLACE-*): each breaks what the provider's data says."""

from __future__ import annotations

from tests.policy.builders import res

DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain"
PROVIDER = "aws:cognito/identityProvider:IdentityProvider"
MOUNT = "aws:efs/mountTarget:MountTarget"
STAGE = "aws:apigateway/stage:Stage"
TABLE = "aws:dynamodb/table:Table"
FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"

OIDC = {"providerName": "Corp", "providerType": "OIDC", "userPoolId": "us-east-1_AbC"}
ONE_MOUNT = {"fileSystemId": "fs-1", "subnetId": "subnet-1", "securityGroups": ["sg-1"]}
HOSTED_UI = {"domain": "tickets-dev-1a2b3c4d", "userPoolId": "us-east-1_AbC"}

REPLACEMENT_CASES = {
    # a provider's name is fixed per pool; its type replaces it: created first, the name is taken
    "MT-REPLACE-1": ([res(PROVIDER, "corp", OIDC, dbr=True),
                      res(STAGE, "stage", {"stageName": "prod", "restApi": "a1b2c3"})],  # its API is its scope
                     [res(PROVIDER, "corp", OIDC)]),
    # a mount target per zone: a new subnet in the same zone replaces it in place of the old one
    "MT-REPLACE-2": ([res(MOUNT, "mount", ONE_MOUNT, dbr=True), res(DOMAIN, "ui", HOSTED_UI, dbr=True)],
                     [res(MOUNT, "mount", ONE_MOUNT), res(DOMAIN, "ui", HOSTED_UI)]),
    "MT-REPLACE-3": ([res(TABLE, "shows", {"hashKey": "id"}, protect=True),
                      res(FILE_SYSTEM, "documents", {"encrypted": True}, retain=True)],
                     [res(TABLE, "shows", {"hashKey": "id"}, retain=False)]),
}
