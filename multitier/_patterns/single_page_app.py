"""SinglePageApp: the whitepaper's table 2.

The site on S3 + CloudFront; the same services behind a Lambda authorizer that
validates third-party OIDC tokens and returns an IAM policy (with no external
issuer configured, the pattern's own Cognito user pool is the OIDC provider);
ElastiCache in front of DynamoDB for /shows; /info from S3 content.
"""

import pulumi

from multitier._declarations import contract
from multitier._data.cache import Cache
from multitier._identity.user_pool import UserPool
from multitier._logic.rest_api import RestApi
from multitier._logic.routes import LambdaAuth
from multitier._patterns import tier_args
from multitier._patterns.base import ApiEndpoint, Pattern, api_outputs, api_watches, ticketing_site
from multitier._patterns.gateway_routes import health, venue_document
from multitier._patterns.services import (ServiceFunctions, cached, info_bucket, info_from_s3, routes, shows_link,
                                          ticketing_tables, tickets_links)


# What the authorizer function accepts, as the published document tells clients.
OIDC_TOKEN = "A JWT of the OIDC issuer, 'Bearer ' prefix optional"


class SinglePageApp(Pattern, token="multitier:patterns:SinglePageApp"):
    """The whitepaper's single-page app: the site on S3 and CloudFront, the services behind a Lambda authorizer
    validating OIDC tokens (the pattern's own Cognito user pool, or a third-party issuer), ElastiCache in
    front of DynamoDB for shows, venue information from S3."""

    needs_network = True  # ElastiCache in private subnets
    title = "Single-page app"

    site_url: pulumi.Output[str]
    """The site's URL (CloudFront, or its custom domain)."""
    api_url: pulumi.Output[str]
    """The REST API's URL (its stage)."""
    oidc_issuer: pulumi.Output[str]
    """The issuer whose tokens the Lambda authorizer accepts."""
    oidc_audience: pulumi.Output[str]
    """The audience (client id) the authorizer expects of a token."""
    oidc_jwks_url: pulumi.Output[str]
    """Where the authorizer reads the issuer's signing keys."""
    user_pool_id: pulumi.Output[str]
    """The pattern's Cognito user pool (the issuer, unless a third party's is set)."""
    client_id: pulumi.Output[str]
    """The user pool's app client (SRP sign-in, no secret)."""
    apis: pulumi.Output[list[ApiEndpoint]]
    """Its REST API: name, URL, id, stage, access-log group and paths."""

    def compose(self, name: str) -> None:
        s, args = self.settings, self.args
        child = pulumi.ResourceOptions(parent=self)

        self.tables = ticketing_tables(name, s, self)
        self.cache = Cache(f"{name}-cache", tier_args.cache(s, self.network, args.stack), opts=child)
        self.content = info_bucket(f"{name}-info", s, self)
        self.users = UserPool(f"{name}-users", tier_args.user_pool(s, args.region, f"{args.stack}-spa"), opts=child)

        oidc = s.oidc
        self.issuer = oidc.issuer or self.users.issuer_url
        self.audience = oidc.audience or self.users.client_id
        self.jwks_url = oidc.jwks_url or self.users.jwks_url

        fns = ServiceFunctions(self)
        self.authorizer = fns.function(f"{name}-authorizer", contract.AUTHORIZER, environment={
            contract.OIDC_ISSUER.name: self.issuer, contract.OIDC_AUDIENCE.name: self.audience,
            contract.OIDC_JWKS_URL.name: self.jwks_url,
            # Cognito marks its tokens; the site sends ID tokens. Other issuers mark none.
            contract.OIDC_ACCEPTS.name: "any" if oidc.issuer else "id"})
        self.shows = fns.function(f"{name}-shows", contract.SHOWS, [shows_link(self.tables), self.cache.grant()])
        # A purchase or a cancel changes a show's seats: the tickets function drops what the cache holds of it.
        self.tickets = fns.function(f"{name}-tickets", contract.TICKETS,
                                    [*tickets_links(self.tables), self.cache.grant("invalidate")])
        self.info = fns.function(f"{name}-info", contract.INFO, *info_from_s3(self.content))

        self.api = RestApi(f"{name}-api", tier_args.rest_api(
            s, default_auth=LambdaAuth(self.authorizer, ttl_seconds=oidc.authorizer_ttl_seconds,
                                       credential=OIDC_TOKEN),
            description="Single-page app: /shows (cached), /tickets and /info behind an OIDC Lambda authorizer",
            routes=cached(routes(contract.SHOWS, self.shows), s.cache.ttl_seconds)
            + routes(contract.TICKETS, self.tickets) + routes(contract.INFO, self.info)
            + [venue_document(self.content), health()]),
            opts=child)
        self.site = ticketing_site(f"{name}-site", "single_page_app", self, self.api.url, self.users, "spa")

        # In the order a request travels: the site, sign-in, the API, its functions, the data they reach.
        self.watches = [*self.site.watches(), self.users.watch(), *api_watches(self.api, self),
                        *(f.watch() for f in (self.authorizer, self.shows, self.tickets, self.info)),
                        *fns.business_watches(), self.cache.watch(), *(t.watch() for t in self.tables.values())]
        self.site_url, self.api_url = self.site.url, self.api.url
        self.oidc_issuer, self.oidc_audience, self.oidc_jwks_url = (
            pulumi.Output.from_input(value) for value in (self.issuer, self.audience, self.jwks_url))
        self.user_pool_id, self.client_id = self.users.user_pool_id, self.users.client_id
        self.apis = api_outputs(self.api)
