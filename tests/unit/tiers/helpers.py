"""Shared helpers of the tier tests: settings presets and policy parsing."""

from __future__ import annotations

import json

from components.config import (CacheSettings, DatabaseSettings, DataSettings, IdentitySettings, NetworkSettings,
                               Settings)
from local.engine import Recording

PROD = Settings()  # the defaults are the prod-like, secure choice
DEV_DATA = DataSettings(point_in_time_recovery=False, deletion_protection=False, bucket_versioning=False,
                        force_destroy=True)
DEV_DATABASE = DatabaseSettings(min_capacity=0, max_capacity=2, backup_retention_days=1, skip_final_snapshot=True)
DEV_NETWORK = NetworkSettings(az_count=1)
DEV_IDENTITY = IdentitySettings(mfa="off", protect=False)
DEV_CACHE = CacheSettings()


def policy(rec: Recording, type_: str, name_contains: str = "") -> dict:
    """The parsed JSON policy of one recorded policy resource."""
    return json.loads(rec.one(type_, name_contains).inputs["policy"])


def statements(rec: Recording, type_: str, name_contains: str = "") -> list[dict]:
    return policy(rec, type_, name_contains)["Statement"]


def resolve(rec_outputs: dict, key: str):
    return rec_outputs[key]


def link_view(link):
    """A Link as one Output of plain values, to export from a program and assert on."""
    import pulumi

    return pulumi.Output.from_input({
        "statements": [{"sid": s.sid, "actions": list(s.actions), "resources": list(s.resources)}
                       for s in link.statements],
        "env": dict(link.env),
        "network": None if link.network is None else {
            "vpc_id": link.network.vpc_id, "subnet_ids": link.network.subnet_ids,
            "security_group_id": link.network.security_group_id, "port": link.network.port},
    })
