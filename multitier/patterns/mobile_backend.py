"""MobileBackend: the whitepaper's table 1.

REST API with /tickets, /shows and /info behind a Cognito user-pool authorizer;
one function and role per service; DynamoDB for tickets and shows; Aurora
PostgreSQL for /info in private subnets, its function in the VPC reading the
credentials from Secrets Manager (endpoints, no NAT, in dev). The tickets
function also mounts an EFS file system holding each purchase's document.
"""

from __future__ import annotations

import pulumi

from multitier.data.database import Database
from multitier.identity.user_pool import UserPool
from multitier.logic.rest_api import RestApi
from multitier.logic.routes import CognitoAuth
from multitier.patterns import ticket_documents, tier_args
from multitier.patterns.base import PatternArgs, api_outputs, api_watches
from multitier.patterns.gateway_routes import health
from multitier.patterns.services import (INFO_POSTGRES_ENV, ServiceFunctions, routes, run_migrations, shows_link,
                                          ticketing_tables, tickets_links)


class MobileBackend(pulumi.ComponentResource):
    needs_network = True
    title = "Mobile backend"  # Aurora in private subnets: the stack's network (PatternArgs.network)

    def __init__(self, name: str, args: PatternArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:patterns:MobileBackend", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)

        self.network = args.private_network(name)
        self.tables = ticketing_tables(name, s, self)
        self.database = Database(f"{name}-db", tier_args.database(s, self.network), opts=child)
        self.users = UserPool(f"{name}-users", tier_args.user_pool(s, args.region, f"{args.stack}-mobile"),
                              opts=child)
        self.documents = ticket_documents.file_system(f"{name}-documents", s, self.network, self)

        fns = ServiceFunctions(args, self)
        self.shows = fns.function(f"{name}-shows", "shows", [shows_link(self.tables)])
        self.tickets = fns.function(f"{name}-tickets", "tickets",
                                    [*tickets_links(self.tables), ticket_documents.link(self.documents)])
        self.info = fns.function(f"{name}-info", "info", [self.database.grant()], INFO_POSTGRES_ENV)
        self.migrate = fns.function(f"{name}-migrate", "migrate", [self.database.grant(writer=True)],
                                    behind_api=False, timeout_seconds=60)
        # The migrate function reads the database secret through the Secrets Manager
        # interface endpoint (no NAT): invoking it before the endpoint is available fails.
        self.migration = run_migrations(f"{name}-migration", self.migrate, self,
                                        after=[self.database, *self.network.interface_endpoints.values()])

        self.api = RestApi(f"{name}-api", tier_args.rest_api(
            s, default_auth=CognitoAuth(self.users.authorizer_provider_arns),
            description="Mobile backend: /shows, /tickets and /info for any HTTPS client",
            routes=routes("shows", self.shows) + routes("tickets", self.tickets) + routes("info", self.info)
            + [ticket_documents.route(self.tickets), health()]),
            opts=child)

        # In the order a request travels: sign-in, the API, its functions, the data they reach.
        self.watches = [self.users.watch(), *api_watches(self.api, args),
                        *(f.watch() for f in (self.shows, self.tickets, self.info, self.migrate)),
                        *fns.business_watches(), *(t.watch() for t in self.tables.values()),
                        self.database.watch(), self.documents.watch()]
        self.outputs = {"api_url": self.api.url, "user_pool_id": self.users.user_pool_id,
                        "client_id": self.users.client_id, "region": args.region, "apis": api_outputs(self.api)}
        self.register_outputs(self.outputs)
