"""Microservices: each service its own REST API, functions, table and stage.

Services are deployed and versioned independently (own stage, canary settings
and throttling) and joined under one custom domain with base-path mappings when
a domain is set. Adding a service is one more ``Microservice`` entry in
``SERVICES`` (and its contract in ``functions/shared/contract.py``, its code folder under
``functions/`` and its operations in ``functions/shared/api.py``).
"""

from dataclasses import dataclass
from typing import Any, Callable

import pulumi

from multitier._declarations import contract
from multitier._data.bucket import Bucket
from multitier._data.table import Table
from multitier._identity.user_pool import UserPool
from multitier._logic.api_domain import ApiDomain
from multitier._logic.link import Link
from multitier._logic.rest_api import RestApi
from multitier._logic.routes import CognitoAuth
from multitier._patterns import tier_args
from multitier._patterns.base import ApiEndpoint, Pattern, api_outputs, api_watches
from multitier._patterns.gateway_routes import health
from multitier._patterns.services import (INFO_S3_ENV, ServiceFunctions, info_bucket, info_from_s3, routes,
                                          shows_link, ticketing_tables, tickets_links)
from multitier._settings.model import Settings


@dataclass
class Common:
    """What services may use of each other: the seat inventory is the shows table."""

    settings: Settings
    tables: dict[str, Table]
    info: Bucket


@dataclass(frozen=True)
class Microservice:
    """One service (its contract in ``functions/shared/contract.py``) with its own API under the base path
    ``path`` (default: the service's name)."""

    service: contract.Contract
    links: Callable[[Common], list[Link]]
    environment: dict[str, str] | None = None
    path: str = ""

    @property
    def name(self) -> str:
        return self.path or self.service.service


SERVICES = (
    Microservice(contract.SHOWS, lambda s: [shows_link(s.tables)]),
    Microservice(contract.TICKETS, lambda s: tickets_links(s.tables)),
    Microservice(contract.INFO, lambda s: info_from_s3(s.info)[0], INFO_S3_ENV),
)


class Microservices(Pattern, token="multitier:patterns:Microservices"):
    """The whitepaper's microservices: each service its own REST API, function and stage (deployed and
    versioned independently), joined under one custom domain with base-path mappings when a domain is set."""

    title = "Microservices"

    api_urls: pulumi.Output[dict[str, str]]
    """Each service's API URL, by service (shows, tickets, info)."""
    user_pool_id: pulumi.Output[str]
    """The Cognito user pool whose ID tokens every service's API accepts."""
    client_id: pulumi.Output[str]
    """The user pool's app client (SRP sign-in, no secret)."""
    apis: pulumi.Output[list[ApiEndpoint]]
    """Each service's REST API: name, URL, id, stage, access-log group and paths."""

    def compose(self, name: str) -> None:
        s, args = self.settings, self.args
        child = pulumi.ResourceOptions(parent=self)

        self.users = UserPool(f"{name}-users", tier_args.user_pool(s, args.region, f"{args.stack}-micro"),
                              opts=child)
        self.info_content = info_bucket(f"{name}-info", s, self)
        common = Common(settings=s, tables=ticketing_tables(name, s, self), info=self.info_content)

        domain = tier_args.api_domain(s, "api")
        self.domain = ApiDomain(f"{name}-domain", domain, opts=child) if domain else None

        fns = ServiceFunctions(self)
        self.functions, self.rest_apis = {}, {}
        for service in SERVICES:
            function = fns.function(f"{name}-{service.name}", service.service, service.links(common),
                                    service.environment)
            self.functions[service.name] = function
            self.rest_apis[service.name] = RestApi(f"{name}-{service.name}-api", tier_args.rest_api(
                s, default_auth=CognitoAuth(self.users.authorizer_provider_arns),
                description=f"The {service.name} microservice", routes=routes(service.service, function) + [health()],
                domain=self.domain, base_path=service.name), opts=child)

        # In the order a request travels: sign-in, then each service's API and function, then the data.
        self.watches = [self.users.watch(),
                        *(w for svc in SERVICES for w in (*api_watches(self.rest_apis[svc.name], self),
                                                            self.functions[svc.name].watch())),
                        *fns.business_watches(), *(t.watch() for t in common.tables.values())]
        self.api_urls = pulumi.Output.all(**{svc: api.url for svc, api in self.rest_apis.items()})
        self.apis = api_outputs(*self.rest_apis.values())
        self.user_pool_id, self.client_id = self.users.user_pool_id, self.users.client_id

    @property
    def outputs(self) -> dict[str, Any]:
        """What the stack exports: each service's URL on its own (``shows_url``, ...), the pool's ids, the APIs."""
        return {**{f"{svc}_url": api.url for svc, api in self.rest_apis.items()},
                "user_pool_id": self.user_pool_id, "client_id": self.client_id, "apis": self.apis}
