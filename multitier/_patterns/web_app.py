"""WebApp: the whitepaper's table 3.

A built front end on Amplify Hosting ("All static content is hosted using
Amplify"; CloudFront + S3 by setting); several Lambda
functions, each handling one part of the app behind REST API paths (reading
shows, administering shows, tickets, venue info), each with its own role and
only its own grants; Cognito user pools with JWT; DynamoDB. /info reads static
JSON from S3 so the front end's venue page works (the whitepaper allows other
stores besides DynamoDB for this pattern).
"""

import pulumi

from multitier._declarations import contract
from multitier._identity.user_pool import UserPool
from multitier._logic.bundle import SITE_DIR
from multitier._logic.rest_api import RestApi
from multitier._logic.routes import CognitoAuth
from multitier._patterns import tier_args
from multitier._patterns.base import ApiEndpoint, Pattern, api_outputs, api_watches, cognito_origin, origin, ticketing_site
from multitier._patterns.gateway_routes import INFO_MAPPED_HANDLER, health, mapped_info
from multitier._patterns.services import (ServiceFunctions, info_bucket, info_from_s3, routes, shows_link,
                                          ticketing_tables, tickets_links)
from multitier._presentation.amplify_hosting import AmplifyHosting
from multitier._presentation.static_site import RuntimeConfig


class WebApp(Pattern, token="multitier:patterns:WebApp"):
    """The whitepaper's web app: a built front end on Amplify Hosting (or S3 and CloudFront), one Lambda
    function per part of the app behind REST API paths, Cognito user pools with JWTs, DynamoDB."""

    title = "Web app"

    site_url: pulumi.Output[str]
    """The front end's URL (Amplify's or CloudFront's, or the custom domain's)."""
    api_url: pulumi.Output[str]
    """The REST API's URL (its stage)."""
    user_pool_id: pulumi.Output[str]
    """The Cognito user pool whose ID tokens the API accepts."""
    client_id: pulumi.Output[str]
    """The user pool's app client (SRP sign-in, no secret)."""
    apis: pulumi.Output[list[ApiEndpoint]]
    """Its REST API: name, URL, id, stage, access-log group and paths."""

    def compose(self, name: str) -> None:
        s, args = self.settings, self.args
        child = pulumi.ResourceOptions(parent=self)

        self.tables = ticketing_tables(name, s, self)
        self.users = UserPool(f"{name}-users", tier_args.user_pool(s, args.region, f"{args.stack}-web"), opts=child)
        self.content = info_bucket(f"{name}-info", s, self)

        fns = ServiceFunctions(self)
        # One function per part of the app: browsing needs only read access,
        # administering shows needs write access, and neither sees tickets.
        self.browse = fns.function(f"{name}-browse", contract.SHOWS, [shows_link(self.tables, "read")])
        self.admin = fns.function(f"{name}-admin", contract.SHOWS, [shows_link(self.tables)])
        self.tickets = fns.function(f"{name}-tickets", contract.TICKETS, tickets_links(self.tables))
        # /info through a non-proxy integration: the function sees a mapped payload, not the request.
        self.info = fns.function(f"{name}-info", contract.INFO, *info_from_s3(self.content),
                                 handler=INFO_MAPPED_HANDLER)

        self.api = RestApi(f"{name}-api", tier_args.rest_api(
            s, default_auth=CognitoAuth(self.users.authorizer_provider_arns),
            description="Web app: one function per part of the app, Cognito JWTs",
            routes=routes(contract.SHOWS, self.browse, methods=["GET"])
            + routes(contract.SHOWS, self.admin, methods=["POST", "PUT"])
            + routes(contract.TICKETS, self.tickets) + mapped_info(self.info) + [health()]),
            opts=child)

        if s.site.hosting == "amplify":  # the whitepaper's choice for this pattern
            config = RuntimeConfig(stack=args.stack, pattern="web_app", api_url=self.api.url, region=args.region,
                                   auth=self.users.site_auth())
            self.front_end = AmplifyHosting(f"{name}-amplify", tier_args.amplify_hosting(
                s, SITE_DIR, args.region, config,
                [self.api.url.apply(origin), cognito_origin(args.region)], "www", self.provider_settings), opts=child)
        else:
            self.front_end = ticketing_site(f"{name}-site", "web_app", self, self.api.url, self.users, "www")

        # In the order a request travels: the front end, sign-in, the API, its functions, the data they reach.
        self.watches = [*self.front_end.watches(), self.users.watch(), *api_watches(self.api, self),
                        *(f.watch() for f in (self.browse, self.admin, self.tickets, self.info)),
                        *fns.business_watches(), *(t.watch() for t in self.tables.values())]
        self.site_url, self.api_url = self.front_end.url, self.api.url
        self.user_pool_id, self.client_id = self.users.user_pool_id, self.users.client_id
        self.apis = api_outputs(self.api)
