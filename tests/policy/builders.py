"""Small resources and stacks for rule tests: ``res(type, name, props, deps=[names])``."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

from policy.core import Resource, Stack, proxied

ACCOUNT = "123456789012"
ARN_FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function"


@dataclass
class Spec:
    type: str
    name: str
    props: dict
    deps: list[str] = field(default_factory=list)
    parent: str = ""
    dbr: bool = False
    region: str | None = None
    ignore: tuple[str, ...] = ()
    retain: bool | None = None
    protect: bool = False


def res(type_: str, name: str = "r", props: dict | None = None, deps=(), **options) -> Spec:
    return Spec(type_, name, copy.deepcopy(props or {}), list(deps), **options)


def urn(name: str) -> str:
    return f"urn:pulumi:test::multitier::x::{name}"


def build(specs: list[Spec], name: str = "test", config: dict | None = None) -> Stack:
    """A stack of ``specs``; ``config`` is its config map (``aws:region``, ``multitier:...``)."""
    return Stack([Resource(type=s.type, name=s.name, props=proxied(s.props), urn=urn(s.name),
                           parent=urn(s.parent) if s.parent else "", dependencies=tuple(urn(d) for d in s.deps),
                           provider_region=s.region, delete_before_replace=s.dbr, ignore_changes=s.ignore,
                           retain_on_delete=s.retain, protect=s.protect)
                  for s in specs], name=name, config=config or {})


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resources) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}
