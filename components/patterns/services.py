"""The ticketing services as the patterns deploy them: tables, functions and routes.

One place says which routes each service answers (a test holds the functions'
own OpenAPI documents to it), which request bodies API Gateway validates, and
which tables the services use. Patterns choose the data stores and the auth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.config import DataSettings, LambdaSettings
from components.data.bucket import Bucket, BucketArgs
from components.data.table import GlobalIndex, Key, Table, TableArgs
from components.logic.bundle import FUNCTIONS_DIR, code_hash
from components.logic.function import ALIAS, Function, FunctionArgs
from components.logic.link import Link
from components.logic.rest_api import Route

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


def ticketing_tables(prefix: str, data: DataSettings, parent: pulumi.Resource,
                     which: Sequence[str] = ("shows", "tickets", "idempotency")) -> dict[str, Table]:
    """The tables of functions/README.md: key schemas and indexes the services query."""
    specs = {
        "shows": TableArgs(hash_key=Key("id"), settings=data,
                           indexes=[GlobalIndex("by_start", Key("kind"), Key("starts_at"))]),
        "tickets": TableArgs(hash_key=Key("id"), settings=data,
                             indexes=[GlobalIndex("by_owner", Key("owner"), Key("created_at"))]),
        # Powertools idempotency records; expired ones are removed by TTL.
        "idempotency": TableArgs(hash_key=Key("id"), settings=data, ttl_attribute="expiration"),
    }
    return {table: Table(f"{prefix}-{table}", specs[table], opts=pulumi.ResourceOptions(parent=parent))
            for table in which}


@dataclass
class ServiceFunctions:
    """What every pattern hands the service builder."""

    settings: LambdaSettings
    layers: Sequence[pulumi.Input[str]]
    parent: pulumi.Resource
    cors_origins: Sequence[str] = ("*",)

    def function(self, name: str, service: str, links: Sequence[Link] = (),
                 environment: Mapping[str, pulumi.Input[str]] | None = None, **extra) -> Function:
        # The function echoes the caller's origin when it is one of these (a response names one).
        env = {"CORS_ORIGIN": ",".join(self.cors_origins), **(environment or {})}
        return Function(name, FunctionArgs(service=service, settings=self.settings, layers=self.layers,
                                           links=links, environment=env, **extra),
                        opts=pulumi.ResourceOptions(parent=self.parent))


def run_migrations(name: str, migrate: Function, parent: pulumi.Resource,
                   after: Sequence[pulumi.Resource] = ()) -> aws.lambda_.Invocation:
    """Apply the database migrations at deploy time; re-run whenever they change."""
    return aws.lambda_.Invocation(
        name, function_name=migrate.name, qualifier=ALIAS, input=json.dumps({"action": "migrate"}),
        triggers={"migrations": code_hash("migrate", "app.handler")},
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[migrate, *after]))


INFO_PREFIX = "info/"
INFO_S3_ENV = {"INFO_SOURCE": "s3", "INFO_PREFIX": INFO_PREFIX}


def info_bucket(name: str, data: DataSettings, parent: pulumi.Resource) -> Bucket:
    """A private bucket holding the venue information that /info serves from S3."""
    files = sorted(INFO_CONTENT.glob("*.json"))
    if not files:
        raise ValueError(f"no /info content (*.json) in {INFO_CONTENT}")
    bucket = Bucket(name, BucketArgs(settings=data, name_prefix=name), opts=pulumi.ResourceOptions(parent=parent))
    for path in files:
        bucket.put_object(f"{INFO_PREFIX}{path.name}", source=path, content_type="application/json")
    return bucket


def info_from_s3(bucket: Bucket) -> tuple[list[Link], dict[str, str]]:
    """Links and environment of an info function reading ``bucket``."""
    return [bucket.grant("read", "INFO_BUCKET", prefix=INFO_PREFIX)], INFO_S3_ENV


def tickets_links(tables: Mapping[str, Table]) -> list[Link]:
    """Buying and cancelling: a transaction over the ticket and the show's seats, plus idempotency records."""
    return [tables["tickets"].grant("readwrite", "TICKETS_TABLE", transactions=True),
            tables["shows"].grant("readwrite", "SHOWS_TABLE", transactions=True),
            tables["idempotency"].grant("readwrite", "IDEMPOTENCY_TABLE")]
