"""Realistic results for every call (``CALLS``: data sources, invokes) the program makes."""

from __future__ import annotations

from typing import Callable

from local.engine.outputs import suffix
from local.model import ACCOUNT

# An account's zones: names map to zone ids differently in every account (here us-east-1e is use1-az3).
ZONE_IDS = ("az2", "az4", "az6", "az1", "az3", "az5")


_DIRECTIONS = {"east": "e", "west": "w", "north": "n", "south": "s", "central": "c", "southeast": "se",
               "northeast": "ne", "northwest": "nw", "southwest": "sw"}


def availability_zones(args: dict, region: str) -> dict:
    area, direction, number = region.split("-")
    short = f"{area}{_DIRECTIONS.get(direction, direction[0])}{number}"  # us-east-1 → use1, ap-southeast-2 → apse2
    zones = [(f"{region}{letter}", f"{short}-{zone}") for letter, zone in zip("abcdef", ZONE_IDS)]
    zones = [(name, zone) for name, zone in zones if zone not in (args.get("excludeZoneIds") or [])
             and name not in (args.get("excludeNames") or [])]
    return {"names": [n for n, _ in zones], "zoneIds": [z for _, z in zones], "id": region, "groupNames": [region]}


CALLS: dict[str, Callable[[dict, str], dict]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda a, r: {
        "accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/offline", "userId": "AIDAOFFLINE", "id": ACCOUNT},
    "aws:index/getRegion:getRegion": lambda a, r: {"name": r, "region": r, "id": r,
                                                   "description": "offline", "endpoint": f"ec2.{r}.amazonaws.com"},
    "aws:index/getPartition:getPartition": lambda a, r: {"partition": "aws", "dnsSuffix": "amazonaws.com",
                                                         "id": "aws", "reverseDnsPrefix": "com.amazonaws"},
    "aws:index/getAvailabilityZones:getAvailabilityZones": availability_zones,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": lambda a, r: {  # a federated IdP's client secret
        "arn": a.get("secretId"), "id": a.get("secretId"), "secretString": "stand-in", "versionStages": ["AWSCURRENT"]},
    "aws:s3/getCanonicalUserId:getCanonicalUserId": lambda a, r: {
        "id": suffix(f"canonical-{ACCOUNT}", 64), "displayName": "offline"},
}
