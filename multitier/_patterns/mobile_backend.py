"""MobileBackend: the whitepaper's table 1.

REST API with /tickets, /shows and /info behind a Cognito user-pool authorizer;
one function and role per service; DynamoDB for tickets and shows; Aurora
PostgreSQL for /info in private subnets, its function in the VPC reading the
credentials from Secrets Manager (endpoints, no NAT, in dev). The tickets
function also mounts an EFS file system holding each purchase's document.
"""

import pulumi

from multitier._declarations import contract
from multitier._data.database import Database
from multitier._identity.user_pool import UserPool
from multitier._logic.rest_api import RestApi
from multitier._logic.routes import CognitoAuth
from multitier._patterns import ticket_documents, tier_args
from multitier._patterns.base import ApiEndpoint, Pattern, api_outputs, api_watches
from multitier._patterns.gateway_routes import health
from multitier._patterns.services import (INFO_POSTGRES_ENV, ServiceFunctions, routes, run_migrations, shows_link,
                                          ticketing_tables, tickets_links)


class MobileBackend(Pattern, token="multitier:patterns:MobileBackend"):
    """The whitepaper's mobile backend: a REST API for any HTTPS client behind a Cognito user-pool authorizer,
    DynamoDB for shows and tickets, Aurora PostgreSQL in private subnets for venue information, EFS for
    ticket documents."""

    needs_network = True  # Aurora and EFS in private subnets
    title = "Mobile backend"

    api_url: pulumi.Output[str]
    """The REST API's URL (its stage)."""
    user_pool_id: pulumi.Output[str]
    """The Cognito user pool whose ID tokens the API accepts."""
    client_id: pulumi.Output[str]
    """The user pool's app client (SRP sign-in, no secret)."""
    region: pulumi.Output[str]
    """The region the pattern runs in (the user pool's and the API's)."""
    apis: pulumi.Output[list[ApiEndpoint]]
    """Its REST API: name, URL, id, stage, access-log group and paths."""

    def compose(self, name: str) -> None:
        s, args = self.settings, self.args
        child = pulumi.ResourceOptions(parent=self)

        self.tables = ticketing_tables(name, s, self)
        self.database = Database(f"{name}-db", tier_args.database(s, self.network), opts=child)
        self.users = UserPool(f"{name}-users", tier_args.user_pool(s, args.region, f"{args.stack}-mobile"),
                              opts=child)
        self.documents = ticket_documents.file_system(f"{name}-documents", s, self.network, self)

        fns = ServiceFunctions(self)
        self.shows = fns.function(f"{name}-shows", contract.SHOWS, [shows_link(self.tables)])
        self.tickets = fns.function(f"{name}-tickets", contract.TICKETS,
                                    [*tickets_links(self.tables), ticket_documents.link(self.documents)])
        self.info = fns.function(f"{name}-info", contract.INFO, [self.database.grant()], INFO_POSTGRES_ENV)
        self.migrate = fns.function(f"{name}-migrate", contract.MIGRATE, [self.database.grant(writer=True)],
                                    behind_api=False, timeout_seconds=60)
        # The migrate function reads the database secret through the Secrets Manager
        # interface endpoint (no NAT): invoking it before the endpoint is available fails.
        self.migration = run_migrations(f"{name}-migration", self.migrate, self,
                                        after=[self.database, *self.network.interface_endpoints.values()])

        self.api = RestApi(f"{name}-api", tier_args.rest_api(
            s, default_auth=CognitoAuth(self.users.authorizer_provider_arns),
            description="Mobile backend: /shows, /tickets and /info for any HTTPS client",
            routes=routes(contract.SHOWS, self.shows) + routes(contract.TICKETS, self.tickets)
            + routes(contract.INFO, self.info)
            + [ticket_documents.route(self.tickets), health()]),
            opts=child)

        # In the order a request travels: sign-in, the API, its functions, the data they reach.
        self.watches = [self.users.watch(), *api_watches(self.api, self),
                        *(f.watch() for f in (self.shows, self.tickets, self.info, self.migrate)),
                        *fns.business_watches(), *(t.watch() for t in self.tables.values()),
                        self.database.watch(), self.documents.watch()]
        self.api_url, self.user_pool_id, self.client_id = self.api.url, self.users.user_pool_id, self.users.client_id
        self.region = pulumi.Output.from_input(args.region)
        self.apis = api_outputs(self.api)
