"""SinglePageApp: the whitepaper's table 2.

The site on S3 + CloudFront; the same services behind a Lambda authorizer that
validates third-party OIDC tokens and returns an IAM policy (with no external
issuer configured, the pattern's own Cognito user pool is the OIDC provider);
ElastiCache in front of DynamoDB for /shows; /info from S3 content.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from components.data.bucket import Bucket, BucketArgs
from components.data.cache import Cache, CacheArgs
from components.identity.user_pool import UserPool, UserPoolArgs
from components.logic.bundle import PROJECT_ROOT
from components.logic.rest_api import LambdaAuth, RestApi, RestApiArgs
from components.network.network import Network, NetworkArgs
from components.patterns.base import Monitored, PatternArgs, cognito_origin
from components.patterns.services import InfoContent, ServiceFunctions, routes, ticketing_tables
from components.presentation.static_site import RuntimeConfig, StaticSite, StaticSiteArgs

SITE_DIR: Path = PROJECT_ROOT / "site"


class SinglePageApp(pulumi.ComponentResource):
    def __init__(self, name: str, args: PatternArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:patterns:SinglePageApp", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)

        self.network = Network(f"{name}-network", NetworkArgs(settings=s.network, region=args.region), opts=child)
        self.tables = ticketing_tables(name, s.data, self)
        self.cache = Cache(f"{name}-cache", CacheArgs(settings=s.cache, network=self.network,
                                                     unique_suffix=args.stack), opts=child)
        self.content = Bucket(f"{name}-info", BucketArgs(settings=s.data, name_prefix=f"{name}-info"), opts=child)
        info = InfoContent()
        for path in info.files:
            self.content.put_object(f"{info.prefix}{path.name}", source=path, content_type="application/json")
        self.users = UserPool(f"{name}-users", UserPoolArgs(settings=s.identity, region=args.region,
                                                            unique_suffix=f"{args.stack}-spa"), opts=child)

        oidc = s.oidc
        self.issuer = oidc.issuer or self.users.issuer_url
        self.audience = oidc.audience or self.users.client_id
        self.jwks_url = oidc.jwks_url or self.users.jwks_url

        fns = ServiceFunctions(settings=s.lambda_, layers=args.layers, parent=self,
                               cors_origin=s.api.cors_origins[0])
        shows, tickets, idempotency = (self.tables[t] for t in ("shows", "tickets", "idempotency"))
        self.authorizer = fns.function(f"{name}-authorizer", "authorizer", environment={
            "OIDC_ISSUER": self.issuer, "OIDC_AUDIENCE": self.audience, "OIDC_JWKS_URL": self.jwks_url})
        self.shows = fns.function(f"{name}-shows", "shows", [shows.grant("readwrite", "SHOWS_TABLE"),
                                                             self.cache.grant()])
        self.tickets = fns.function(f"{name}-tickets", "tickets", [
            tickets.grant("readwrite", "TICKETS_TABLE", transactions=True),
            shows.grant("readwrite", "SHOWS_TABLE", transactions=True),
            idempotency.grant("readwrite", "IDEMPOTENCY_TABLE")])
        self.info = fns.function(f"{name}-info", "info", [self.content.grant("read", "INFO_BUCKET", prefix=info.prefix)],
                                 {"INFO_SOURCE": "s3", "INFO_PREFIX": info.prefix})

        self.api = RestApi(f"{name}-api", RestApiArgs(
            settings=s.api, default_auth=LambdaAuth(self.authorizer, ttl_seconds=oidc.authorizer_ttl_seconds),
            description="Single-page app: /shows (cached), /tickets and /info behind an OIDC Lambda authorizer",
            routes=routes("shows", self.shows) + routes("tickets", self.tickets) + routes("info", self.info)),
            opts=child)

        self.site = StaticSite(f"{name}-site", StaticSiteArgs(
            data=s.data, site=s.site, content_dir=SITE_DIR,
            config=RuntimeConfig(stack=args.stack, pattern="single_page_app", api_url=self.api.url,
                                 region=args.region, auth=self.users.site_auth()),
            api_origin=self.api.url.apply(_origin), auth_origin=cognito_origin(args.region),
            domain_name=f"spa.{s.domain.name}" if s.domain.name else "", hosted_zone_id=s.domain.hosted_zone_id,
            waf_rate_limit=s.api.waf_rate_limit), opts=child)

        self.monitored = Monitored(functions=[self.authorizer, self.shows, self.tickets, self.info], apis=[self.api],
                                   tables=list(self.tables.values()))
        self.outputs = {"site_url": self.site.url, "api_url": self.api.url, "oidc_issuer": self.issuer,
                        "oidc_audience": self.audience, "oidc_jwks_url": self.jwks_url,
                        "user_pool_id": self.users.user_pool_id, "client_id": self.users.client_id}
        self.register_outputs(self.outputs)


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
