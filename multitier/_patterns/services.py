"""The ticketing services as the patterns deploy them: tables, functions and routes.

The routes are those ``functions/shared/api.py`` declares (the functions register
their handlers from the same declaration), each described for clients: parameters,
body and answers, from the same pydantic models the functions validate with. This
module says which tables the services use and which routes have their own throttle;
patterns choose the data stores and the auth.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from multitier._declarations import api, contract
from multitier._data.bucket import Bucket, BucketArgs
from multitier._data.table import GlobalIndex, Key, Table
from multitier._logic.bundle import FUNCTIONS_DIR, code_hash
from multitier._logic.function import ALIAS, Function, FunctionArgs
from multitier._logic.link import Link
from multitier._logic.openapi import SCHEMA_REF
from multitier._logic.routes import OpenApiOperation, Route, Throttle, noted
from multitier._logic.schemas import component_schemas, parameters
from multitier._logic.rest_api import RestApi
from multitier._ops import watch_logic
from multitier._ops.alarms import made_alarm
from multitier._ops.watch import Watch, Widget
from multitier._patterns import tier_args
from multitier._patterns.base import Pattern
from multitier._release.checks import HOOK_TIMEOUT_SECONDS, check_event, check_link
from multitier._release.function_release import FunctionRelease, FunctionReleaseArgs
from multitier._release.shift import TrafficShift
from multitier._settings.model import NAMESPACE, Settings

INFO_CONTENT = FUNCTIONS_DIR / contract.INFO.service / "seed"
# Buying runs a transaction over the ticket and the show's seat counter: its own, tighter
# throttle (a method setting of its own) keeps bursts of purchases, or bots, off the tables.
THROTTLES = {api.BUY_TICKETS.operation_id: Throttle(rate=10, burst=20)}
# What each service counts with Powertools Metrics (functions/<service>: add_metric), charted per pattern,
# and the services whose handlers capture Powertools' ColdStart metric.
SERVICE_METRICS = {contract.SHOWS.service: ("ShowsCreated", "CacheHits", "CacheMisses", "CacheErrors"),
                   contract.TICKETS.service: ("TicketsSold", "SoldOut", "IdempotentReplays", "TicketsCancelled",
                                              "TicketDocumentNotWritten")}
COLD_START_METRIC = (contract.SHOWS.service, contract.TICKETS.service, contract.INFO.service)


def routes(service: contract.Contract, function: Function, methods: Sequence[str] = ()) -> list[Route]:
    """The service's routes (optionally only some methods) served by ``function``; not those it
    answers only where a pattern opts in (``api.OPT_IN``)."""
    return [route(op, function) for op in api.SERVICES[service.service]
            if op not in api.OPT_IN and (not methods or op.method in methods)]


def cached(routes: Sequence[Route], ttl_seconds: int) -> list[Route]:
    """``routes`` whose reads go through the shows cache: their documents say how stale an answer may be."""
    return noted(routes, f"This API answers it through a cache, which every write of a show (create, replace, "
                         f"purchase, cancel) invalidates: only a read racing such a write, or one after an "
                         f"invalidation the unreachable cache missed, may answer older values, for at most "
                         f"{ttl_seconds} s (the cache's time to live).")


def route(operation: api.Operation, function: Function | None = None, **options) -> Route:
    """One operation of ``functions/shared/api.py`` as a route, described for clients; ``options`` are
    the other fields of ``Route`` (auth, integration, ...)."""
    return Route(operation.path, operation.method, function, operation=openapi_operation(operation),
                 throttle=THROTTLES.get(operation.operation_id), **options)


def openapi_operation(operation: api.Operation) -> OpenApiOperation:
    """One operation of ``functions/shared/api.py`` as OpenAPI objects, from its models."""
    names, schemas = component_schemas(m for m in (operation.body, operation.response, api.ERROR_MODEL) if m)
    places = ((operation.path_params, "path"), (operation.query, "query"), (operation.headers, "header"))
    success: dict = {"description": operation.summary, "content": _json(names[operation.response])}
    if operation.status == 201:
        success["headers"] = {"Location": {
            "description": "The path of what was created, under the stage (or the custom domain's base path)",
            "schema": {"type": "string"}}}
    if operation.links:
        success["links"] = {name: {"operationId": link.operation_id,
                                   **({"parameters": dict(link.parameters)} if link.parameters else {}),
                                   **({"requestBody": dict(link.request_body)} if link.request_body else {})}
                            for name, link in operation.links.items()}
    errors = {str(status): {"description": api.ERRORS[status], "content": _json(names[api.ERROR_MODEL])}
              for status in operation.error_statuses}
    return OpenApiOperation(operation_id=operation.operation_id, summary=operation.summary,
                            description=operation.description, tags=(operation.tag,),
                            parameters=[p for model, place in places if model for p in parameters(model, place)],
                            request_body=names.get(operation.body),
                            responses={str(operation.status): success, **errors}, schemas=schemas)


def _json(schema: str) -> dict:
    return {"application/json": {"schema": {"$ref": SCHEMA_REF + schema}}}


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

    def __init__(self, pattern: Pattern):
        self.pattern = pattern
        self.runtime = tier_args.function_runtime(pattern.settings)
        self.layers = pattern.layers
        self.parent = pattern
        # Metrics of one stack's pattern apart from any other's (stacks may share an account).
        self.metrics_namespace = f"{NAMESPACE}/{pattern.args.stack}/{pattern.pulumi_resource_name}"
        self.services: list[str] = []
        self.shifts: dict[Function, TrafficShift] = {}  # functions behind an API: how CodeDeploy releases them
        self.hook: Function | None = None
        self.judges: dict[RestApi, Watch] = {}
        self.releases: list[FunctionRelease] = []
        # A function echoes the caller's origin when it is one of these (a response names one).
        self.cors_origin = ",".join(pattern.settings.api.cors_origins)

    def function(self, name: str, service: contract.Contract, links: Sequence[Link] = (),
                 environment: Mapping[str, pulumi.Input[str]] | None = None, behind_api: bool = True,
                 timeout_seconds: int | None = None, handler: str = "app.handler") -> Function:
        """``timeout_seconds`` overrides the stack's for this function (one not behind an API)."""
        runtime = self.runtime if timeout_seconds is None else \
            dataclasses.replace(self.runtime, timeout_seconds=timeout_seconds)
        # Only services answering browsers read the origins (not the authorizer or the migrations).
        answers_browsers = contract.CORS_ORIGIN in service.variables
        env = {**({contract.CORS_ORIGIN.name: self.cors_origin} if answers_browsers else {}), **(environment or {})}
        if service.service not in self.services:
            self.services.append(service.service)
        # What serves an API is released through CodeDeploy; the rest (migrations, the release check) has no
        # traffic to shift and follows its new version at once.
        function = Function(name, FunctionArgs(service=service.service, runtime=runtime, layers=self.layers(service),
                                               links=links, environment=env, behind_api=behind_api, handler=handler,
                                               metrics_namespace=self.metrics_namespace,
                                               cold_start_metric=service.service in COLD_START_METRIC,
                                               codedeploy=behind_api),
                            opts=pulumi.ResourceOptions(parent=self.parent))
        if behind_api:
            self.shifts[function] = tier_args.traffic_shift(self.pattern.settings, service.service)
        return function

    def release(self, *apis: RestApi) -> None:
        """A ``FunctionRelease`` for each function behind ``apis``, judged by its own alarms and its API's 5XX
        rate, checked by the pattern's release check (``releaseHooks``) where one of its routes allows it."""
        served = {function: api for api in reversed(apis) for function in api.functions}
        lost = [f.pulumi_resource_name for f in self.shifts if f not in served]
        if lost:
            raise ValueError(f"{', '.join(lost)} serve no route of {', '.join(a.pulumi_resource_name for a in apis)}: "
                             f"nothing would ever release them")
        checks = {f: event for f in self.shifts if (event := check_event(served[f], f)) is not None}
        if self.pattern.settings.release.hooks and checks:
            self.hook = self.function(f"{self.parent.pulumi_resource_name}-release-check", contract.RELEASE_CHECK,
                                      [check_link(checks)], {contract.RELEASE_CHECKS.name: pulumi.Output.json_dumps(
                                          {f.name: event for f, event in checks.items()})},
                                      behind_api=False, timeout_seconds=HOOK_TIMEOUT_SECONDS)
        child = pulumi.ResourceOptions(parent=self.parent)
        self.judges = {api: self._judge(api, child) for api in apis}
        self.releases = [FunctionRelease(f"{function.pulumi_resource_name}-release", FunctionReleaseArgs(
            function, shift, judges=self.judges[served[function]].alarms,
            hook=self.hook if function in checks else None,
            provider_settings=self.pattern.provider_settings), opts=child) for function, shift in self.shifts.items()]

    def _judge(self, api: RestApi, opts: pulumi.ResourceOptions) -> Watch:
        """The API's 5XX rate alarm stopping the releases of its functions (made here: it notifies no one)."""
        name = f"{api.pulumi_resource_name}-release"
        errors, _ = watch_logic.api_alarms(api.pulumi_resource_name, api.api.name, api.stage_name,
                                           self.pattern.settings.alarms.latency_p99_ms)
        alarm = made_alarm(name, errors, opts)
        return Watch(name, f"Releases behind {api.pulumi_resource_name}", "logic",
                     [Widget("5XX rate, judging the releases of its functions", [alarm.metric], alarms=[alarm])])

    def release_watches(self) -> list[Watch]:
        """The release check (a function like any other), the alarms judging releases, each release's new version."""
        return [*([self.hook.watch()] if self.hook is not None else []), *self.judges.values(),
                *(release.watch() for release in self.releases)]

    def business_watches(self) -> list[Watch]:
        """What the pattern's services count (tickets sold, sold out, ...), one chart per service."""
        name = self.parent.pulumi_resource_name
        return [watch_logic.business(f"{name}-{service}-metrics", self.metrics_namespace, service,
                                     SERVICE_METRICS[service]) for service in self.services if service in SERVICE_METRICS]


def run_migrations(name: str, migrate: Function, parent: pulumi.Resource,
                   after: Sequence[pulumi.Resource] = ()) -> aws.lambda_.Invocation:
    """Apply the database migrations at deploy time; re-run whenever they change."""
    return aws.lambda_.Invocation(
        name, function_name=migrate.name, qualifier=ALIAS, input=json.dumps({"action": "migrate"}),
        triggers={"migrations": code_hash(contract.MIGRATE.service, "app.handler")},
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
