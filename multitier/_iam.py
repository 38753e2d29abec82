"""IAM documents, written in one place: trust policies, policies from statements, statement ids."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pulumi


@dataclass(frozen=True)
class Statement:
    """One IAM Allow statement: exact actions on exact resources (narrowed further by ``conditions``)."""

    actions: Sequence[str]
    resources: Sequence[pulumi.Input[str]]
    sid: str = ""
    conditions: Mapping[str, Mapping[str, Any]] | None = None


def assume_role_policy(service: str) -> str:
    """The trust policy letting one AWS service (``lambda.amazonaws.com``) assume a role."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def policy_document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """An IAM policy JSON from statements whose resources may be Outputs."""
    body = [{**({"Sid": s.sid} if s.sid else {}), "Effect": "Allow", "Action": sorted(set(s.actions)),
             "Resource": list(s.resources), **({"Condition": dict(s.conditions)} if s.conditions else {})}
            for s in statements]
    return pulumi.Output.from_input(body).apply(
        lambda resolved: json.dumps({"Version": "2012-10-17", "Statement": resolved}, sort_keys=True))


def sid(*parts: str) -> str:
    """A statement id from words in any case: ``sid("Table", "SHOWS_TABLE", "read")`` → TableShowsTableRead."""
    return "".join(word.capitalize() for part in parts for word in re.split(r"[^A-Za-z0-9]+", part) if word)
