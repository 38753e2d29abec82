"""WebApp: the whitepaper's table 3.

A built front end on Amplify Hosting ("All static content is hosted using
Amplify"; CloudFront + S3 by setting); several Lambda
functions, each handling one part of the app behind REST API paths (reading
shows, administering shows, tickets, venue info), each with its own role and
only its own grants; Cognito user pools with JWT; DynamoDB. /info reads static
JSON from S3 so the front end's venue page works (the whitepaper allows other
stores besides DynamoDB for this pattern).
"""

from __future__ import annotations

import pulumi

from multitier.identity.user_pool import UserPool
from multitier.logic.bundle import PROJECT_ROOT
from multitier.logic.rest_api import RestApi
from multitier.logic.routes import CognitoAuth
from multitier.patterns import tier_args
from multitier.patterns.base import PatternArgs, api_outputs, api_watches, cognito_origin, origin, ticketing_site
from multitier.patterns.gateway_routes import INFO_MAPPED_HANDLER, health, mapped_info
from multitier.patterns.services import (ServiceFunctions, info_bucket, info_from_s3, routes, shows_link,
                                          ticketing_tables, tickets_links)
from multitier.presentation.amplify_hosting import AmplifyHosting
from multitier.presentation.static_site import RuntimeConfig


class WebApp(pulumi.ComponentResource):
    needs_network = False
    title = "Web app"

    def __init__(self, name: str, args: PatternArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:patterns:WebApp", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)

        self.tables = ticketing_tables(name, s, self)
        self.users = UserPool(f"{name}-users", tier_args.user_pool(s, args.region, f"{args.stack}-web"), opts=child)
        self.content = info_bucket(f"{name}-info", s, self)

        fns = ServiceFunctions(args, self)
        # One function per part of the app: browsing needs only read access,
        # administering shows needs write access, and neither sees tickets.
        self.browse = fns.function(f"{name}-browse", "shows", [shows_link(self.tables, "read")])
        self.admin = fns.function(f"{name}-admin", "shows", [shows_link(self.tables)])
        self.tickets = fns.function(f"{name}-tickets", "tickets", tickets_links(self.tables))
        # /info through a non-proxy integration: the function sees a mapped payload, not the request.
        self.info = fns.function(f"{name}-info", "info", *info_from_s3(self.content), handler=INFO_MAPPED_HANDLER)

        self.api = RestApi(f"{name}-api", tier_args.rest_api(
            s, default_auth=CognitoAuth(self.users.authorizer_provider_arns),
            description="Web app: one function per part of the app, Cognito JWTs",
            routes=routes("shows", self.browse, methods=["GET"]) + routes("shows", self.admin, methods=["POST", "PUT"])
            + routes("tickets", self.tickets) + mapped_info(self.info) + [health()]),
            opts=child)

        if s.site.hosting == "amplify":  # the whitepaper's choice for this pattern
            config = RuntimeConfig(stack=args.stack, pattern="web_app", api_url=self.api.url, region=args.region,
                                   auth=self.users.site_auth())
            self.front_end = AmplifyHosting(f"{name}-amplify", tier_args.amplify_hosting(
                s, PROJECT_ROOT / "site", args.region, config,
                [self.api.url.apply(origin), cognito_origin(args.region)], "www", args.provider_settings), opts=child)
        else:
            self.front_end = ticketing_site(f"{name}-site", "web_app", args, self.api.url, self.users, "www", self)

        # In the order a request travels: the front end, sign-in, the API, its functions, the data they reach.
        self.watches = [*self.front_end.watches(), self.users.watch(), *api_watches(self.api, args),
                        *(f.watch() for f in (self.browse, self.admin, self.tickets, self.info)),
                        *fns.business_watches(), *(t.watch() for t in self.tables.values())]
        self.outputs = {"site_url": self.front_end.url, "api_url": self.api.url,
                        "user_pool_id": self.users.user_pool_id, "client_id": self.users.client_id,
                        "apis": api_outputs(self.api)}
        self.register_outputs(self.outputs)
