"""multitier: the stack's settings, read once, compose the enabled patterns."""

import pulumi

from components import config
from components.tagging import stack_provider, tag_with

settings = config.load()  # a bad setting stops here, before any resource exists
aws_config = pulumi.Config("aws")
provider = stack_provider(aws_config.get("region") or "us-east-1", pulumi.get_project(), pulumi.get_stack())

from components.logic.function import Function, FunctionArgs  # noqa: E402
from components.logic.layer import DependencyLayer, DependencyLayerArgs  # noqa: E402
from components.logic.rest_api import LambdaAuth, RestApi, RestApiArgs, Route  # noqa: E402

# Until the patterns land: one service behind a REST API with a Lambda authorizer.
opts = pulumi.ResourceOptions(providers=[provider], transformations=[tag_with("starter")])
layer = DependencyLayer("deps", DependencyLayerArgs(architecture=settings.lambda_.architecture), opts=opts)
shows = Function("shows", FunctionArgs(service="shows", settings=settings.lambda_, layers=[layer.arn],
                                       environment={"SHOWS_TABLE": "shows"}), opts=opts)
authorizer = Function("authorizer", FunctionArgs(service="authorizer", settings=settings.lambda_, layers=[layer.arn],
                                                 environment={"OIDC_ISSUER": settings.oidc.issuer,
                                                              "OIDC_AUDIENCE": settings.oidc.audience,
                                                              "OIDC_JWKS_URL": settings.oidc.jwks_url}), opts=opts)
api = RestApi("starter-api", RestApiArgs(
    settings=settings.api,
    default_auth=LambdaAuth(authorizer, ttl_seconds=settings.oidc.authorizer_ttl_seconds),
    routes=[Route("/shows", "GET", shows), Route("/shows/{id}", "GET", shows)]), opts=opts)
pulumi.export("starter_api_url", api.url)
