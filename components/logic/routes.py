"""What a REST API is made of: routes, the functions behind them and how callers are authorized."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Sequence, Union

import pulumi

from components.logic import openapi
from components.logic.function import Function


@dataclass(frozen=True)
class CognitoAuth:
    """Cognito user-pool authorizer (ID or access tokens in the Authorization header)."""

    user_pool_arns: Sequence[pulumi.Input[str]]
    scopes: Sequence[str] = ()
    name: str = "cognito"


@dataclass(frozen=True)
class LambdaAuth:
    """Lambda authorizer; TOKEN reads one header, REQUEST any request parameters."""

    function: Function
    type: Literal["TOKEN", "REQUEST"] = "TOKEN"
    ttl_seconds: int = 300
    identity_source: str = "method.request.header.Authorization"
    name: str = "lambda"


@dataclass(frozen=True)
class IamAuth:
    """SigV4-signed requests, authorized by the caller's IAM policies."""

    name: str = "sigv4"


@dataclass(frozen=True)
class Public:
    """No authorization: only where a route is explicitly declared public."""


Auth = Union[CognitoAuth, LambdaAuth, IamAuth, Public]


@dataclass(frozen=True)
class Throttle:
    """Steady requests per second and burst, for a stage or one method."""

    rate: float
    burst: int


@dataclass(frozen=True)
class Route:
    """One method of the API and the function behind it."""

    path: str
    method: str
    function: Function
    auth: Auth | None = None  # None: the API's default auth
    contract: openapi.Contract | None = None  # None: path parameters only, an undescribed 200
    api_key_required: bool = False
    throttle: Throttle | None = None
    cache_ttl_seconds: int | None = None  # per-method cache override (GET only)


def stage_variable(function: Function) -> str:
    """Stage variable naming a function's alias; letters, digits and underscores only."""
    return "fn_" + re.sub(r"[^A-Za-z0-9_]", "_", function.pulumi_resource_name)


def route_label(route: Route) -> str:
    """``get-shows-id`` for GET /shows/{id}: names the resources made for one route."""
    return f"{route.method.lower()}{re.sub(r'[^A-Za-z0-9]+', '-', route.path).rstrip('-')}"


def method_path(route: Route) -> str:
    """MethodSettings path: resource path without the leading slash, then the method."""
    return f"{route.path.lstrip('/')}/{route.method}"


def source_arn(execution_arn: str, route: Route) -> str:
    """Permission scope for one method on any stage: path parameters become wildcards."""
    path = re.sub(r"\{[^}]+\}", "*", route.path)
    return f"{execution_arn}/*/{route.method}{path}"


def check_routes(api: str, routes: Sequence[Route]) -> None:
    """Fail while the program runs, not inside an Output, so the message reaches the user."""
    if not routes:
        raise ValueError(f"REST API {api}: at least one route is required")
    seen: set[tuple[str, str]] = set()
    for route in routes:
        openapi.validate_route(route.path, route.method)
        if (route.path, route.method) in seen:
            raise ValueError(f"REST API {api}: route {route.method} {route.path} is declared twice")
        seen.add((route.path, route.method))
    openapi.merged_schemas([route.contract for route in routes if route.contract is not None])
