"""How API Gateway matches and prints values: IAM-style wildcards, JSON values as header/claim strings."""

from __future__ import annotations

import json
import re
from typing import Any, Mapping


def glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM-style wildcard match: ``*`` any run of characters, ``?`` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


def as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def stringify(value: Any) -> str:
    """A JSON value as API Gateway passes it on: booleans lower-case, lists as ``[a b]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(stringify(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return json.dumps(value)
    return str(value)
