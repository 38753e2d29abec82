"""Minimal DynamoDB attribute (un)marshalling for flat items of strings and numbers."""

from __future__ import annotations

from typing import Any


def to_attr(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    raise TypeError(f"unsupported DynamoDB value type: {type(value).__name__}")


def to_item(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: to_attr(value) for key, value in values.items() if value is not None}


def from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, attr in item.items():
        if "S" in attr:
            out[key] = attr["S"]
        elif "N" in attr:
            number = attr["N"]
            out[key] = int(number) if number.lstrip("-").isdigit() else float(number)
        elif "BOOL" in attr:
            out[key] = attr["BOOL"]
        elif "NULL" in attr:
            out[key] = None
    return out


def key_to_plain(key: dict[str, dict[str, Any]] | None) -> dict[str, str] | None:
    """LastEvaluatedKey (all string attributes in our tables) → plain dict for a cursor."""
    if not key:
        return None
    return {name: attr["S"] for name, attr in key.items()}


def plain_to_key(key: dict[str, str] | None) -> dict[str, dict[str, str]] | None:
    if not key:
        return None
    return {name: {"S": value} for name, value in key.items()}
