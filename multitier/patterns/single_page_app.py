"""SinglePageApp: the whitepaper's table 2.

The site on S3 + CloudFront; the same services behind a Lambda authorizer that
validates third-party OIDC tokens and returns an IAM policy (with no external
issuer configured, the pattern's own Cognito user pool is the OIDC provider);
ElastiCache in front of DynamoDB for /shows; /info from S3 content.
"""

from __future__ import annotations

import pulumi

from multitier.contract import contract
from multitier.data.cache import Cache
from multitier.identity.user_pool import UserPool
from multitier.logic.rest_api import RestApi
from multitier.logic.routes import LambdaAuth
from multitier.patterns import tier_args
from multitier.patterns.base import PatternArgs, api_outputs, api_watches, ticketing_site
from multitier.patterns.gateway_routes import health, venue_document
from multitier.patterns.services import (ServiceFunctions, info_bucket, info_from_s3, routes, shows_link,
                                          ticketing_tables, tickets_links)


class SinglePageApp(pulumi.ComponentResource):
    needs_network = True
    title = "Single-page app"  # ElastiCache in private subnets: the stack's network (PatternArgs.network)

    def __init__(self, name: str, args: PatternArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:patterns:SinglePageApp", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)

        self.network = args.private_network(name)
        self.tables = ticketing_tables(name, s, self)
        self.cache = Cache(f"{name}-cache", tier_args.cache(s, self.network, args.stack), opts=child)
        self.content = info_bucket(f"{name}-info", s, self)
        self.users = UserPool(f"{name}-users", tier_args.user_pool(s, args.region, f"{args.stack}-spa"), opts=child)

        oidc = s.oidc
        self.issuer = oidc.issuer or self.users.issuer_url
        self.audience = oidc.audience or self.users.client_id
        self.jwks_url = oidc.jwks_url or self.users.jwks_url

        fns = ServiceFunctions(args, self)
        self.authorizer = fns.function(f"{name}-authorizer", "authorizer", environment={
            contract.OIDC_ISSUER.name: self.issuer, contract.OIDC_AUDIENCE.name: self.audience,
            contract.OIDC_JWKS_URL.name: self.jwks_url,
            # Cognito marks its tokens; the site sends ID tokens. Other issuers mark none.
            contract.OIDC_ACCEPTS.name: "any" if oidc.issuer else "id"})
        self.shows = fns.function(f"{name}-shows", "shows", [shows_link(self.tables), self.cache.grant()])
        self.tickets = fns.function(f"{name}-tickets", "tickets", tickets_links(self.tables))
        self.info = fns.function(f"{name}-info", "info", *info_from_s3(self.content))

        self.api = RestApi(f"{name}-api", tier_args.rest_api(
            s, default_auth=LambdaAuth(self.authorizer, ttl_seconds=oidc.authorizer_ttl_seconds),
            description="Single-page app: /shows (cached), /tickets and /info behind an OIDC Lambda authorizer",
            routes=routes("shows", self.shows) + routes("tickets", self.tickets) + routes("info", self.info)
            + [venue_document(self.content), health()]),
            opts=child)
        self.site = ticketing_site(f"{name}-site", "single_page_app", args, self.api.url, self.users, "spa", self)

        # In the order a request travels: the site, sign-in, the API, its functions, the data they reach.
        self.watches = [*self.site.watches(), self.users.watch(), *api_watches(self.api, args),
                        *(f.watch() for f in (self.authorizer, self.shows, self.tickets, self.info)),
                        *fns.business_watches(), self.cache.watch(), *(t.watch() for t in self.tables.values())]
        self.outputs = {"site_url": self.site.url, "api_url": self.api.url, "oidc_issuer": self.issuer,
                        "oidc_audience": self.audience, "oidc_jwks_url": self.jwks_url,
                        "user_pool_id": self.users.user_pool_id, "client_id": self.users.client_id,
                        "apis": api_outputs(self.api)}
        self.register_outputs(self.outputs)
