"""Microservices: each service its own REST API, functions, table and stage.

Services are deployed and versioned independently (own stage, canary settings
and throttling) and joined under one custom domain with base-path mappings when
a domain is set. Adding a service is one more ``Microservice`` entry in
``SERVICES`` (and its code folder under ``functions/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pulumi

from multitier.data.bucket import Bucket
from multitier.data.table import Table
from multitier.identity.user_pool import UserPool
from multitier.logic.api_domain import ApiDomain
from multitier.logic.link import Link
from multitier.logic.rest_api import RestApi
from multitier.logic.routes import CognitoAuth
from multitier.patterns import tier_args
from multitier.patterns.base import PatternArgs, api_outputs, api_watches
from multitier.patterns.gateway_routes import health
from multitier.patterns.services import (INFO_S3_ENV, ServiceFunctions, info_bucket, info_from_s3, routes,
                                          shows_link, ticketing_tables, tickets_links)
from multitier.settings.model import Settings


@dataclass
class Shared:
    """What services may use of each other: the seat inventory is the shows table."""

    settings: Settings
    tables: dict[str, Table]
    info: Bucket


@dataclass(frozen=True)
class Microservice:
    """``name`` is the base path; ``code`` the folder under functions/ (default: the name)."""

    name: str
    links: Callable[[Shared], list[Link]]
    environment: dict[str, str] | None = None
    code: str = ""


SERVICES = (
    Microservice("shows", lambda s: [shows_link(s.tables)]),
    Microservice("tickets", lambda s: tickets_links(s.tables)),
    Microservice("info", lambda s: info_from_s3(s.info)[0], INFO_S3_ENV),
)


class Microservices(pulumi.ComponentResource):
    needs_network = False
    title = "Microservices"

    def __init__(self, name: str, args: PatternArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:patterns:Microservices", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)

        self.users = UserPool(f"{name}-users", tier_args.user_pool(s, args.region, f"{args.stack}-micro"),
                              opts=child)
        self.info_content = info_bucket(f"{name}-info", s, self)
        shared = Shared(settings=s, tables=ticketing_tables(name, s, self), info=self.info_content)

        domain = tier_args.api_domain(s, "api")
        self.domain = ApiDomain(f"{name}-domain", domain, opts=child) if domain else None

        fns = ServiceFunctions(args, self)
        self.functions, self.apis = {}, {}
        for service in SERVICES:
            code = service.code or service.name
            function = fns.function(f"{name}-{service.name}", code, service.links(shared), service.environment)
            self.functions[service.name] = function
            self.apis[service.name] = RestApi(f"{name}-{service.name}-api", tier_args.rest_api(
                s, default_auth=CognitoAuth(self.users.authorizer_provider_arns),
                description=f"The {service.name} microservice", routes=routes(code, function) + [health()],
                domain=self.domain, base_path=service.name), opts=child)

        # In the order a request travels: sign-in, then each service's API and function, then the data.
        self.watches = [self.users.watch(),
                        *(w for svc in SERVICES for w in (*api_watches(self.apis[svc.name], args),
                                                            self.functions[svc.name].watch())),
                        *fns.business_watches(), *(t.watch() for t in shared.tables.values())]
        self.outputs = {f"{svc}_url": api.url for svc, api in self.apis.items()}
        self.outputs.update(user_pool_id=self.users.user_pool_id, client_id=self.users.client_id,
                            apis=api_outputs(*self.apis.values()))
        self.register_outputs(self.outputs)
