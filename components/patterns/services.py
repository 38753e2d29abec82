"""The ticketing services as the patterns deploy them: tables, functions and routes.

One place says which routes each service answers (a test holds the functions'
own OpenAPI documents to it), which request bodies API Gateway validates, and
which tables the services use. Patterns choose the data stores and the auth.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.contract import contract
from components.data.bucket import Bucket, BucketArgs
from components.data.table import GlobalIndex, Key, Table
from components.logic.bundle import FUNCTIONS_DIR, code_hash
from components.logic.function import ALIAS, Function, FunctionArgs
from components.logic.link import Link
from components.logic.routes import Route
from components.patterns import tier_args
from components.patterns.base import PatternArgs
from components.settings.model import Settings

ROUTES: dict[str, list[tuple[str, str]]] = {
    "shows": [("GET", "/shows"), ("GET", "/shows/{id}"), ("POST", "/shows"), ("PUT", "/shows/{id}")],
    "tickets": [("GET", "/tickets"), ("POST", "/tickets"), ("GET", "/tickets/{id}"), ("DELETE", "/tickets/{id}")],
    "info": [("GET", "/info"), ("GET", "/info/{section}")],
}

# API Gateway validates these before a function runs (JSON Schema draft 4 subset);
# the functions validate again with their pydantic models.
SHOW_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["title", "venue", "starts_at", "capacity", "price_cents"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "venue": {"type": "string", "minLength": 1, "maxLength": 200},
        "starts_at": {"type": "string", "minLength": 20, "maxLength": 40},
        "capacity": {"type": "integer", "minimum": 1, "maximum": 100000},
        "price_cents": {"type": "integer", "minimum": 0, "maximum": 100000000},
    },
}
TICKET_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["show_id", "quantity"],
    "properties": {"show_id": {"type": "string", "minLength": 1, "maxLength": 64},
                   "quantity": {"type": "integer", "minimum": 1, "maximum": 10}},
}
_BODIES = {("POST", "/shows"): SHOW_SCHEMA, ("PUT", "/shows/{id}"): SHOW_SCHEMA, ("POST", "/tickets"): TICKET_SCHEMA}
_QUERIES = {("GET", "/shows"): {"cursor": False, "limit": False, "from": False, "to": False}}
_HEADERS = {("POST", "/tickets"): {"Idempotency-Key": False}}
INFO_CONTENT = FUNCTIONS_DIR / "info" / "seed"


def routes(service: str, function: Function, methods: Sequence[str] = ()) -> list[Route]:
    """The service's routes (optionally only some methods) served by ``function``."""
    return [Route(path, method, function, request_schema=_BODIES.get((method, path)),
                  query_parameters=_QUERIES.get((method, path), {}), header_parameters=_HEADERS.get((method, path), {}))
            for method, path in ROUTES[service] if not methods or method in methods]


def ticketing_tables(prefix: str, settings: Settings, parent: pulumi.Resource,
                     which: Sequence[str] = ("shows", "tickets", "idempotency")) -> dict[str, Table]:
    """The tables of functions/README.md: key schemas and indexes the services query."""
    specs = {
        "shows": {"hash_key": Key("id"), "indexes": [GlobalIndex("by_start", Key("kind"), Key("starts_at"))]},
        "tickets": {"hash_key": Key("id"), "indexes": [GlobalIndex("by_owner", Key("owner"), Key("created_at"))]},
        # Powertools idempotency records; expired ones are removed by TTL.
        "idempotency": {"hash_key": Key("id"), "ttl_attribute": "expiration"},
    }
    return {table: Table(f"{prefix}-{table}", tier_args.table(settings, **specs[table]),
                         opts=pulumi.ResourceOptions(parent=parent))
            for table in which}


class ServiceFunctions:
    """Builds a pattern's functions: the stack's runtime options, the layers, the CORS origins."""

    def __init__(self, args: PatternArgs, parent: pulumi.Resource):
        self.runtime = tier_args.function_runtime(args.settings)
        self.layers = args.layers
        self.parent = parent
        # A function echoes the caller's origin when it is one of these (a response names one).
        self.cors_origin = ",".join(args.settings.api.cors_origins)

    def function(self, name: str, service: str, links: Sequence[Link] = (),
                 environment: Mapping[str, pulumi.Input[str]] | None = None, behind_api: bool = True,
                 timeout_seconds: int | None = None) -> Function:
        """``timeout_seconds`` overrides the stack's for this function (one not behind an API)."""
        runtime = self.runtime if timeout_seconds is None else \
            dataclasses.replace(self.runtime, timeout_seconds=timeout_seconds)
        env = {contract.CORS_ORIGIN.name: self.cors_origin, **(environment or {})}
        return Function(name, FunctionArgs(service=service, runtime=runtime, layers=self.layers(service), links=links,
                                           environment=env, behind_api=behind_api),
                        opts=pulumi.ResourceOptions(parent=self.parent))


def run_migrations(name: str, migrate: Function, parent: pulumi.Resource,
                   after: Sequence[pulumi.Resource] = ()) -> aws.lambda_.Invocation:
    """Apply the database migrations at deploy time; re-run whenever they change."""
    return aws.lambda_.Invocation(
        name, function_name=migrate.name, qualifier=ALIAS, input=json.dumps({"action": "migrate"}),
        triggers={"migrations": code_hash("migrate", "app.handler")},
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[migrate, *after]))


INFO_PREFIX = contract.INFO_PREFIX.default
INFO_S3_ENV = {contract.INFO_SOURCE.name: "s3", contract.INFO_PREFIX.name: INFO_PREFIX}
INFO_POSTGRES_ENV = {contract.INFO_SOURCE.name: "postgres"}


def info_bucket(name: str, settings: Settings, parent: pulumi.Resource) -> Bucket:
    """A private bucket holding the venue information that /info serves from S3."""
    files = sorted(INFO_CONTENT.glob("*.json"))
    if not files:
        raise ValueError(f"no /info content (*.json) in {INFO_CONTENT}")
    bucket = Bucket(name, BucketArgs(lifecycle=tier_args.bucket_lifecycle(settings), name_prefix=name),
                    opts=pulumi.ResourceOptions(parent=parent))
    for path in files:
        bucket.put_object(f"{INFO_PREFIX}{path.name}", source=path, content_type="application/json")
    return bucket


def info_from_s3(bucket: Bucket) -> tuple[list[Link], dict[str, str]]:
    """Links and environment of an info function reading ``bucket``."""
    return [bucket.grant("read", contract.INFO_BUCKET.name, prefix=INFO_PREFIX)], INFO_S3_ENV


def shows_link(tables: Mapping[str, Table], access: str = "readwrite") -> Link:
    """Reading (and administering) the shows table."""
    return tables["shows"].grant(access, contract.SHOWS_TABLE.name)


def tickets_links(tables: Mapping[str, Table]) -> list[Link]:
    """Buying and cancelling: a transaction over the ticket and the show's seats, plus idempotency records."""
    return [tables["tickets"].grant("readwrite", contract.TICKETS_TABLE.name, transactions=True),
            tables["shows"].grant("readwrite", contract.SHOWS_TABLE.name, transactions=True),
            tables["idempotency"].grant("readwrite", contract.IDEMPOTENCY_TABLE.name)]
