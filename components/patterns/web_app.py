"""WebApp: the whitepaper's table 3.

A built front end on CloudFront or Amplify Hosting (setting); several Lambda
functions, each handling one part of the app behind REST API paths (reading
shows, administering shows, tickets, venue info), each with its own role and
only its own grants; Cognito user pools with JWT; DynamoDB. /info reads static
JSON from S3 so the front end's venue page works (the whitepaper allows other
stores besides DynamoDB for this pattern).
"""

from __future__ import annotations

import pulumi

from components.data.bucket import Bucket, BucketArgs
from components.identity.user_pool import UserPool, UserPoolArgs
from components.logic.rest_api import CognitoAuth, RestApi, RestApiArgs
from components.patterns.base import Monitored, PatternArgs, cognito_origin
from components.patterns.services import InfoContent, ServiceFunctions, routes, ticketing_tables
from components.patterns.single_page_app import SITE_DIR, _origin
from components.presentation.amplify_hosting import AmplifyHosting, AmplifyHostingArgs
from components.presentation.static_site import RuntimeConfig, StaticSite, StaticSiteArgs


class WebApp(pulumi.ComponentResource):
    def __init__(self, name: str, args: PatternArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:patterns:WebApp", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)

        self.tables = ticketing_tables(name, s.data, self)
        self.users = UserPool(f"{name}-users", UserPoolArgs(settings=s.identity, region=args.region,
                                                            unique_suffix=f"{args.stack}-web"), opts=child)
        self.content = Bucket(f"{name}-info", BucketArgs(settings=s.data, name_prefix=f"{name}-info"), opts=child)
        info = InfoContent()
        for path in info.files:
            self.content.put_object(f"{info.prefix}{path.name}", source=path, content_type="application/json")

        fns = ServiceFunctions(settings=s.lambda_, layers=args.layers, parent=self,
                               cors_origin=s.api.cors_origins[0])
        shows, tickets, idempotency = (self.tables[t] for t in ("shows", "tickets", "idempotency"))
        # One function per part of the app: browsing needs only read access,
        # administering shows needs write access, and neither sees tickets.
        self.browse = fns.function(f"{name}-browse", "shows", [shows.grant("read", "SHOWS_TABLE")])
        self.admin = fns.function(f"{name}-admin", "shows", [shows.grant("readwrite", "SHOWS_TABLE")])
        self.tickets = fns.function(f"{name}-tickets", "tickets", [
            tickets.grant("readwrite", "TICKETS_TABLE", transactions=True),
            shows.grant("readwrite", "SHOWS_TABLE", transactions=True),
            idempotency.grant("readwrite", "IDEMPOTENCY_TABLE")])
        self.info = fns.function(f"{name}-info", "info", [self.content.grant("read", "INFO_BUCKET", prefix=info.prefix)],
                                 {"INFO_SOURCE": "s3", "INFO_PREFIX": info.prefix})

        self.api = RestApi(f"{name}-api", RestApiArgs(
            settings=s.api, default_auth=CognitoAuth(self.users.authorizer_provider_arns),
            description="Web app: one function per part of the app, Cognito JWTs",
            routes=routes("shows", self.browse, methods=["GET"]) + routes("shows", self.admin, methods=["POST", "PUT"])
            + routes("tickets", self.tickets) + routes("info", self.info)),
            opts=child)

        if s.site.hosting == "amplify":
            # Amplify serves the same build. Its runtime config.json has to be in
            # the deployed zip, which is built before the API exists, so this
            # option needs the README's two-step deploy ("Web app on Amplify").
            self.front_end = AmplifyHosting(f"{name}-amplify", AmplifyHostingArgs(
                build_dir=SITE_DIR, data=s.data, region=args.region), opts=child)
        else:
            self.front_end = StaticSite(f"{name}-site", StaticSiteArgs(
                data=s.data, site=s.site, content_dir=SITE_DIR,
                config=RuntimeConfig(stack=args.stack, pattern="web_app", api_url=self.api.url,
                                     region=args.region, auth=self.users.site_auth()),
                api_origin=self.api.url.apply(_origin), auth_origin=cognito_origin(args.region),
                domain_name=f"www.{s.domain.name}" if s.domain.name else "", hosted_zone_id=s.domain.hosted_zone_id,
            waf_rate_limit=s.api.waf_rate_limit), opts=child)

        self.monitored = Monitored(functions=[self.browse, self.admin, self.tickets, self.info], apis=[self.api],
                                   tables=list(self.tables.values()))
        self.outputs = {"site_url": self.front_end.url, "api_url": self.api.url,
                        "user_pool_id": self.users.user_pool_id, "client_id": self.users.client_id}
        self.register_outputs(self.outputs)
