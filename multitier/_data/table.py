"""Table: one DynamoDB table with the data tier's secure defaults and its grants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

import pulumi
import pulumi_aws as aws

from multitier._iam import Statement, sid
from multitier._logic.link import Link
from multitier._ops import watch_data
from multitier._ops.watch import Watch

AttributeType = Literal["S", "N", "B"]
Access = Literal["read", "write", "readwrite"]

READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem",
                "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable")
WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                 "dynamodb:ConditionCheckItem")
STREAM_VIEW_TYPES = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")


@dataclass(frozen=True)
class Key:
    """A key attribute: its name and DynamoDB scalar type."""

    name: str
    type: AttributeType = "S"


@dataclass(frozen=True)
class GlobalIndex:
    """A global secondary index (on-demand, so no capacity)."""

    name: str
    hash_key: Key
    range_key: Key | None = None
    projection: Literal["ALL", "KEYS_ONLY", "INCLUDE"] = "ALL"
    non_key_attributes: Sequence[str] = ()


@dataclass
class TableArgs:
    """Inputs of a Table.

    ``ttl_attribute`` turns on TTL; ``stream`` is a stream view type or None.
    Point-in-time recovery and deletion protection are on unless turned off
    (a throwaway dev table); with deletion protection, Pulumi refuses to delete or
    replace the table too (``protect``: the preview stops before its items are lost).
    """

    hash_key: Key
    range_key: Key | None = None
    indexes: Sequence[GlobalIndex] = ()
    ttl_attribute: str = ""
    stream: Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] | None = None
    point_in_time_recovery: bool = True
    deletion_protection: bool = True
    tags: dict[str, str] = field(default_factory=dict)


class Table(pulumi.ComponentResource):
    """An on-demand, encrypted DynamoDB table with point-in-time recovery and deletion protection."""

    def __init__(self, name: str, args: TableArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:data:Table", name, None, opts)
        attributes: dict[str, str] = {}
        for key in [args.hash_key, args.range_key,
                    *[k for index in args.indexes for k in (index.hash_key, index.range_key)]]:
            if key is None:
                continue
            if attributes.get(key.name, key.type) != key.type:
                raise ValueError(f"table {name}: attribute {key.name!r} declared as both "
                                 f"{attributes[key.name]} and {key.type}")
            attributes[key.name] = key.type
        if args.stream is not None and args.stream not in STREAM_VIEW_TYPES:
            raise ValueError(f"table {name}: stream {args.stream!r} must be one of {STREAM_VIEW_TYPES}")

        indexes = []
        for index in args.indexes:
            spec = {"name": index.name, "hash_key": index.hash_key.name, "projection_type": index.projection}
            if index.range_key:
                spec["range_key"] = index.range_key.name
            if index.projection == "INCLUDE":
                spec["non_key_attributes"] = list(index.non_key_attributes)
            indexes.append(spec)

        self.table = aws.dynamodb.Table(
            name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=args.hash_key.name,
            range_key=args.range_key.name if args.range_key else None,
            attributes=[{"name": n, "type": t} for n, t in attributes.items()],
            global_secondary_indexes=indexes or None,
            server_side_encryption={"enabled": True},
            point_in_time_recovery={"enabled": args.point_in_time_recovery},
            deletion_protection_enabled=args.deletion_protection,
            ttl={"attribute_name": args.ttl_attribute, "enabled": True} if args.ttl_attribute else None,
            stream_enabled=args.stream is not None,
            stream_view_type=args.stream,
            tags=args.tags or None,
            opts=pulumi.ResourceOptions(parent=self, protect=args.deletion_protection),
        )
        self.name = self.table.name
        self.arn = self.table.arn
        self.stream_arn = self.table.stream_arn if args.stream else None
        self.register_outputs({"name": self.name, "arn": self.arn,
                               **({"stream_arn": self.stream_arn} if args.stream else {})})

    def watch(self) -> Watch:
        """Consumed capacity, throttle events (alarmed) and system errors."""
        return watch_data.table(self.pulumi_resource_name, self.name)

    def grant(self, access: Access, env: str, transactions: bool = False) -> Link:
        """Access to this table and its indexes, with the table name in ``env``.

        ``read``: GetItem, Query, Scan, BatchGetItem, ConditionCheckItem, DescribeTable;
        ``write``: PutItem, UpdateItem, DeleteItem, BatchWriteItem, ConditionCheckItem.
        ``TransactWriteItems``/``TransactGetItems`` are not IAM actions: a transaction
        is authorized by the item actions it contains, so a function writing in a
        transaction needs ``write`` (and ``read`` for TransactGetItems).
        ``transactions=True`` adds ConditionCheckItem for transactions whose
        condition checks touch this table when the grant is otherwise read-only.
        """
        if access not in ("read", "write", "readwrite"):
            raise ValueError(f"table grant access {access!r} must be 'read', 'write' or 'readwrite'")
        actions: list[str] = []
        if access in ("read", "readwrite"):
            actions += READ_ACTIONS
        if access in ("write", "readwrite"):
            actions += WRITE_ACTIONS
        if transactions:
            actions.append("dynamodb:ConditionCheckItem")
        actions = list(dict.fromkeys(actions))
        return Link(statements=[Statement(actions, [self.arn, self.arn.apply(lambda a: f"{a}/index/*")],
                                          sid("Table", env, access))],
                    env={env: self.name})
