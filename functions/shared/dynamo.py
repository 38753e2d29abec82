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


def next_cursor(last_key: dict[str, dict[str, Any]] | None, sort_key: str) -> str | None:
    """The cursor after a page: the last item's sort key, "~", its id (``shared.models.CURSOR_PATTERN``)."""
    if not last_key:
        return None
    return f"{last_key[sort_key]['S']}~{last_key['id']['S']}"


def start_key(cursor: str | None, partition: dict[str, str], sort_key: str) -> dict[str, dict[str, str]] | None:
    """The ExclusiveStartKey a cursor stands for: the index's partition and sort key, and the item's id.

    Any cursor of the documented shape is a position in the index, whether or not an item is there.
    """
    if not cursor:
        return None
    sort_value, item_id = cursor.split("~", 1)
    return {**{name: {"S": value} for name, value in partition.items()},
            sort_key: {"S": sort_value}, "id": {"S": item_id}}
