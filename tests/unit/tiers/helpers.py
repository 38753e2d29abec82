"""Shared helpers of the tier tests: policy parsing and grants as plain values."""

from __future__ import annotations

import json

from local.engine import Recording


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
