"""DynamoDB access for shows (the only module of this service that talks to DynamoDB)."""

from __future__ import annotations

from typing import Any

from shared import aws
from shared.dynamo import from_item, next_cursor, start_key, to_item

GSI_BY_START = "by_start"
KIND = "show"


class CapacityConflict(Exception):
    """The conditional capacity update failed (seats sold or a concurrent edit)."""


class ShowsTable:
    def __init__(self, table_name: str):
        self.table_name = table_name

    @property
    def _ddb(self) -> Any:
        return aws.client("dynamodb")

    def get(self, show_id: str) -> dict[str, Any] | None:
        response = self._ddb.get_item(TableName=self.table_name, Key={"id": {"S": show_id}}, ConsistentRead=True)
        item = response.get("Item")
        return from_item(item) if item else None

    def list_by_start(
        self,
        starts_from: str | None,
        starts_to: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of shows in the start range, after ``cursor``; and the cursor after it."""
        names = {"#kind": "kind"}
        values: dict[str, Any] = {":kind": {"S": KIND}}
        condition = "#kind = :kind"
        if starts_from or starts_to:
            names["#starts"] = "starts_at"
            if starts_from and starts_to:
                condition += " AND #starts BETWEEN :from AND :to"
                values[":from"] = {"S": starts_from}
                values[":to"] = {"S": starts_to}
            elif starts_from:
                condition += " AND #starts >= :from"
                values[":from"] = {"S": starts_from}
            else:
                condition += " AND #starts <= :to"
                values[":to"] = {"S": starts_to}
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": GSI_BY_START,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "Limit": limit,
            "ScanIndexForward": True,
        }
        if cursor:
            params["ExclusiveStartKey"] = start_key(cursor, {"kind": KIND}, "starts_at")
        response = self._ddb.query(**params)
        items = [from_item(item) for item in response.get("Items", [])]
        return items, next_cursor(response.get("LastEvaluatedKey"), "starts_at")

    def create(self, show: dict[str, Any]) -> None:
        self._ddb.put_item(
            TableName=self.table_name,
            Item=to_item({**show, "kind": KIND}),
            ConditionExpression="attribute_not_exists(id)",
        )

    def replace(self, show_id: str, fields: dict[str, Any], expected_capacity: int, capacity_delta: int) -> dict:
        """Update the editable fields and shift ``remaining`` by ``capacity_delta`` atomically.

        The condition pins the capacity we computed the delta from and refuses to drive
        ``remaining`` below zero (i.e. below the seats already sold).
        """
        sets = [f"#{name} = :{name}" for name in fields]
        sets.append("#remaining = #remaining + :delta")
        names = {f"#{name}": name for name in fields} | {"#remaining": "remaining", "#capacity": "capacity"}
        values = {f":{name}": value for name, value in to_item(fields).items()}
        values[":delta"] = {"N": str(capacity_delta)}
        values[":expected_capacity"] = {"N": str(expected_capacity)}
        values[":need"] = {"N": str(max(0, -capacity_delta))}
        try:
            response = self._ddb.update_item(
                TableName=self.table_name,
                Key={"id": {"S": show_id}},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="attribute_exists(id) AND #capacity = :expected_capacity AND #remaining >= :need",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except self._ddb.exceptions.ConditionalCheckFailedException as exc:
            raise CapacityConflict from exc
        return from_item(response["Attributes"])
