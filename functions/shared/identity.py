"""Caller identity, taken only from the API Gateway request context (never the body)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from shared.errors import UnauthorizedError

_SPLIT = re.compile(r"[,\s]+")


class Identity(BaseModel):
    user_id: str
    groups: frozenset[str] = frozenset()

    def in_group(self, group: str) -> bool:
        return group in self.groups


def parse_groups(raw: Any) -> frozenset[str]:
    """Parse groups as Cognito or a Lambda authorizer deliver them.

    Accepts a list, ``"admins"``, ``"[admins other]"`` (how API Gateway renders a
    Cognito list claim) or ``"admins,other"``.
    """
    if raw is None:
        return frozenset()
    if isinstance(raw, (list, tuple, set, frozenset)):
        items = [str(item) for item in raw]
    else:
        items = _SPLIT.split(str(raw).strip().strip("[]"))
    return frozenset(item.strip().strip('"') for item in items if item.strip().strip('"'))


def identity_from_event(event: Mapping[str, Any]) -> Identity:
    """Return the caller of an API Gateway REST (v1) proxy event.

    Handles the Cognito user-pool authorizer (``requestContext.authorizer.claims``)
    and a Lambda authorizer (``requestContext.authorizer`` with ``userId`` and
    ``groups``).

    Raises
    ------
    UnauthorizedError
        If the request carries no identity.
    """
    authorizer = ((event.get("requestContext") or {}).get("authorizer")) or {}
    claims = authorizer.get("claims")
    if isinstance(claims, Mapping) and claims.get("sub"):
        return Identity(user_id=str(claims["sub"]), groups=parse_groups(claims.get("cognito:groups")))
    user_id = authorizer.get("userId") or authorizer.get("principalId")
    if user_id:
        return Identity(user_id=str(user_id), groups=parse_groups(authorizer.get("groups")))
    raise UnauthorizedError("Authentication required")
