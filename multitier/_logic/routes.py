"""What a REST API is made of: routes, the functions behind them and how callers are authorized."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Sequence, Union

import pulumi

from multitier._logic import integrations, openapi
from multitier._logic.function import Function
from multitier._logic.integrations import Integration, LambdaProxy


@dataclass(frozen=True)
class CognitoAuth:
    """Cognito user-pool authorizer: an ID token in the Authorization header, or an
    access token on routes that list OAuth ``scopes``."""

    user_pool_arns: Sequence[pulumi.Input[str]]
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
    """One method of the API and what answers it: ``function`` through ``integration`` (a Lambda proxy by
    default), or an integration that needs no function (``integrations.py``)."""

    path: str
    method: str
    function: Function | None = None
    auth: Auth | None = None  # None: the API's default auth
    contract: openapi.Contract | None = None  # None: path parameters only, undescribed answers
    api_key_required: bool = False
    throttle: Throttle | None = None
    cache_ttl_seconds: int | None = None  # per-method cache override (GET only)
    # OAuth scopes (Cognito auth only): the method then takes an access token carrying one of them.
    scopes: Sequence[str] = ()
    integration: Integration = LambdaProxy()


def stage_variable(function: Function) -> str:
    """Stage variable naming a function's alias; letters, digits and underscores only."""
    return "fn_" + re.sub(r"[^A-Za-z0-9_]", "_", function.pulumi_resource_name)


def route_label(route: Route) -> str:
    """``get-shows-id`` for GET /shows/{id}: names the resources made for one route."""
    return f"{route.method.lower()}{re.sub(r'[^A-Za-z0-9]+', '-', route.path).rstrip('-')}"


def method_path(route: Route) -> str:
    """MethodSettings path: the resource path with each ``/`` escaped as ``~1``, then the method.

    ``~1shows~1{id}/GET`` for GET /shows/{id}: API Gateway stores it so, and rejects or
    drifts from the unescaped form.
    """
    return f"{route.path.replace('/', '~1')}/{route.method}"


def source_arn(execution_arn: str, route: Route) -> str:
    """Permission scope for one method on any stage: path parameters become wildcards."""
    path = re.sub(r"\{[^}]+\}", "*", route.path)
    return f"{execution_arn}/*/{route.method}{path}"


def check_routes(api: str, routes: Sequence[Route], default_auth: Auth) -> None:
    """Fail while the program runs, not inside an Output, so the message reaches the user."""
    if not routes:
        raise ValueError(f"REST API {api}: at least one route is required")
    seen: set[tuple[str, str]] = set()
    for route in routes:
        openapi.validate_route(route.path, route.method)
        if (route.path, route.method) in seen:
            raise ValueError(f"REST API {api}: route {route.method} {route.path} is declared twice")
        label = f"{api}: {route.method} {route.path}"
        integrations.check(route.integration, route.function is not None, label)
        if route.contract is not None:
            openapi.check_statuses(label, route.contract, integrations.statuses(route.integration))
        seen.add((route.path, route.method))
        _check_scopes(api, route, route.auth if route.auth is not None else default_auth)
    openapi.merged_schemas([route.contract for route in routes if route.contract is not None])


_SCOPE = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")  # RFC 6749's scope-token


def _check_scopes(api: str, route: Route, auth: Auth) -> None:
    if not route.scopes:
        return
    if not isinstance(auth, CognitoAuth):
        raise ValueError(f"REST API {api}: route {route.method} {route.path} lists scopes {list(route.scopes)}, "
                         f"but API Gateway checks OAuth scopes only with a Cognito authorizer "
                         f"(its auth is {type(auth).__name__})")
    bad = [scope for scope in route.scopes if not isinstance(scope, str) or not _SCOPE.match(scope)]
    if bad:
        raise ValueError(f"REST API {api}: route {route.method} {route.path}: scopes {bad} must be non-empty "
                         f"and printable, without spaces, quotes or backslashes (RFC 6749)")
