"""Realistic results for every call (``CALLS``: data sources, invokes) the program makes."""

from __future__ import annotations

from typing import Callable

from local.engine.outputs import suffix
from local.model import ACCOUNT

CALLS: dict[str, Callable[[dict, str], dict]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda a, r: {
        "accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/offline", "userId": "AIDAOFFLINE", "id": ACCOUNT},
    "aws:index/getRegion:getRegion": lambda a, r: {"name": r, "region": r, "id": r,
                                                   "description": "offline", "endpoint": f"ec2.{r}.amazonaws.com"},
    "aws:index/getPartition:getPartition": lambda a, r: {"partition": "aws", "dnsSuffix": "amazonaws.com",
                                                         "id": "aws", "reverseDnsPrefix": "com.amazonaws"},
    "aws:index/getAvailabilityZones:getAvailabilityZones": lambda a, r: {
        "names": [f"{r}a", f"{r}b", f"{r}c"], "zoneIds": ["use1-az1", "use1-az2", "use1-az4"], "id": r,
        "groupNames": [r]},
    "aws:secretsmanager/getSecretVersion:getSecretVersion": lambda a, r: {  # a federated IdP's client secret
        "arn": a.get("secretId"), "id": a.get("secretId"), "secretString": "stand-in", "versionStages": ["AWSCURRENT"]},
    "aws:s3/getCanonicalUserId:getCanonicalUserId": lambda a, r: {
        "id": suffix(f"canonical-{ACCOUNT}", 64), "displayName": "offline"},
}
