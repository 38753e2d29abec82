"""DynamoDB access for tickets: the only module of this service that talks to DynamoDB."""

from __future__ import annotations

import random
import time
from typing import Any

from shared import aws
from shared.dynamo import from_item, next_cursor, start_key, to_item

GSI_BY_OWNER = "by_owner"
_MAX_ATTEMPTS = 6


class SoldOut(Exception):
    def __init__(self, remaining: int | None):
        super().__init__(remaining)
        self.remaining = remaining


class ShowMissing(Exception):
    pass


class ShowStarted(Exception):
    pass


class PriceChanged(Exception):
    """The show's price changed after it was read: the total would be wrong."""


class NotActive(Exception):
    """The ticket is not (or no longer) active for this owner."""


class Contended(Exception):
    """DynamoDB kept cancelling the transaction because of concurrent transactions on the same items."""


class TicketsStore:
    def __init__(self, tickets_table: str, shows_table: str):
        self.tickets_table = tickets_table
        self.shows_table = shows_table

    @property
    def _ddb(self) -> Any:
        return aws.client("dynamodb")

    def get_show(self, show_id: str) -> dict[str, Any] | None:
        item = self._ddb.get_item(TableName=self.shows_table, Key={"id": {"S": show_id}}).get("Item")
        return from_item(item) if item else None

    def get_ticket(self, ticket_id: str) -> dict[str, Any] | None:
        item = self._ddb.get_item(
            TableName=self.tickets_table,
            Key={"id": {"S": ticket_id}},
            ConsistentRead=True,
        ).get("Item")
        return from_item(item) if item else None

    def list_by_owner(
        self,
        owner: str,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the owner's tickets after ``cursor``, newest first; and the cursor after it."""
        params: dict[str, Any] = {
            "TableName": self.tickets_table,
            "IndexName": GSI_BY_OWNER,
            "KeyConditionExpression": "#owner = :owner",
            "ExpressionAttributeNames": {"#owner": "owner"},
            "ExpressionAttributeValues": {":owner": {"S": owner}},
            "Limit": limit,
            "ScanIndexForward": False,  # newest first
        }
        if cursor:
            params["ExclusiveStartKey"] = start_key(cursor, {"owner": owner}, "created_at")
        response = self._ddb.query(**params)
        return [from_item(item) for item in response.get("Items", [])], next_cursor(response.get("LastEvaluatedKey"),
                                                                                   "created_at")

    def purchase(self, ticket: dict[str, Any], unit_price: int, now: str) -> None:
        """Take ``quantity`` seats from the show and record the ticket, all or nothing.

        The show's update is conditional, evaluated atomically with the write whatever the
        concurrency: enough seats left (``remaining >= quantity``: never oversold), not yet
        started, and still at ``unit_price``, the price the ticket's total was computed from.
        """
        quantity = {"N": str(ticket["quantity"])}
        items = [
            {
                "Update": {
                    "TableName": self.shows_table,
                    "Key": {"id": {"S": ticket["show_id"]}},
                    "UpdateExpression": "SET #remaining = #remaining - :q, #updated_at = :now",
                    "ConditionExpression": "attribute_exists(#id) AND #remaining >= :q AND #starts_at > :now "
                                           "AND #price = :price",
                    "ExpressionAttributeNames": {"#id": "id", "#remaining": "remaining", "#updated_at": "updated_at",
                                                 "#starts_at": "starts_at", "#price": "price_cents"},
                    "ExpressionAttributeValues": {":q": quantity, ":now": {"S": now},
                                                  ":price": {"N": str(unit_price)}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                },
            },
            {
                "Put": {
                    "TableName": self.tickets_table,
                    "Item": to_item(ticket),
                    "ConditionExpression": "attribute_not_exists(#id)",
                    "ExpressionAttributeNames": {"#id": "id"},
                },
            },
        ]
        reasons = self._transact(items)
        if reasons is None:
            return
        show_reason = reasons[0]
        if show_reason.get("Code") == "ConditionalCheckFailed":
            old = from_item(show_reason.get("Item") or {})
            if not old:
                raise ShowMissing
            if old["starts_at"] <= now:
                raise ShowStarted
            if old["remaining"] < ticket["quantity"]:
                raise SoldOut(old["remaining"])
            raise PriceChanged
        raise RuntimeError(f"ticket purchase transaction cancelled: {reasons}")

    def cancel(self, ticket: dict[str, Any], now: str) -> None:
        """Mark an active ticket cancelled and give its seats back, exactly once.

        The condition on ``status = active`` makes a second (or concurrent) cancel fail
        instead of refunding the seats twice.
        """
        items = [
            {
                "Update": {
                    "TableName": self.tickets_table,
                    "Key": {"id": {"S": ticket["id"]}},
                    "UpdateExpression": "SET #status = :cancelled, #cancelled_at = :now",
                    "ConditionExpression": "#owner = :owner AND #status = :active",
                    "ExpressionAttributeNames": {"#status": "status", "#cancelled_at": "cancelled_at", "#owner": "owner"},
                    "ExpressionAttributeValues": {
                        ":cancelled": {"S": "cancelled"},
                        ":active": {"S": "active"},
                        ":owner": {"S": ticket["owner"]},
                        ":now": {"S": now},
                    },
                },
            },
            {
                "Update": {
                    "TableName": self.shows_table,
                    "Key": {"id": {"S": ticket["show_id"]}},
                    "UpdateExpression": "SET #remaining = #remaining + :q, #updated_at = :now",
                    "ConditionExpression": "attribute_exists(#id)",
                    "ExpressionAttributeNames": {"#id": "id", "#remaining": "remaining", "#updated_at": "updated_at"},
                    "ExpressionAttributeValues": {":q": {"N": str(ticket["quantity"])}, ":now": {"S": now}},
                },
            },
        ]
        reasons = self._transact(items)
        if reasons is None:
            return
        if reasons[0].get("Code") == "ConditionalCheckFailed":
            raise NotActive
        if reasons[1].get("Code") == "ConditionalCheckFailed":
            raise ShowMissing
        raise RuntimeError(f"ticket cancel transaction cancelled: {reasons}")

    def _transact(self, items: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """Run a transaction; None on success, else the cancellation reasons of a condition failure.

        Transactions cancelled only because of concurrent transactions on the same items
        (``TransactionConflict``) are retried with jittered backoff.
        """
        ddb = self._ddb
        for attempt in range(_MAX_ATTEMPTS):
            try:
                ddb.transact_write_items(TransactItems=items)
                return None
            except ddb.exceptions.TransactionCanceledException as exc:
                reasons = exc.response.get("CancellationReasons") or []
                codes = {reason.get("Code") for reason in reasons}
                if "ConditionalCheckFailed" in codes:
                    return reasons
                if codes & {"TransactionConflict", "ThrottlingError"}:
                    time.sleep(random.uniform(0, 0.02 * 2**attempt))
                    continue
                raise
            except ddb.exceptions.TransactionInProgressException:
                time.sleep(random.uniform(0, 0.02 * 2**attempt))
        raise Contended


def idempotency_store(table_name: str) -> Any:
    """Powertools' DynamoDB persistence for idempotency records (hash key ``id``, TTL ``expiration``)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=table_name, boto3_client=aws.client("dynamodb"))
