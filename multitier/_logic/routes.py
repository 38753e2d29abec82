"""What a REST API is made of: routes, the functions behind them, how callers are authorized and what
clients are told of each operation. ``check_routes`` checks them all, once, when the API is declared;
``openapi.py`` renders them into the API's documents.

An auth kind describes its own security scheme (``Auth``); adding one is a class here and an
authorizer of local mode's (``local/apigateway/authorizers``).
"""

from __future__ import annotations

import abc
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Mapping, Sequence

import pulumi

from multitier._logic import integrations
from multitier._logic.function import Function
from multitier._logic.integrations import Integration, LambdaProxy

_PATH = re.compile(r"^(/[A-Za-z0-9._~-]+|/\{[A-Za-z_][A-Za-z0-9_]*\+?\})+$|^/$")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
JWT_PATTERN = r"^(Bearer )?[-0-9A-Za-z_=]+\.[-0-9A-Za-z_=]+\.[-0-9A-Za-z_=]*$"
_SCOPE = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")  # RFC 6749's scope-token


class Auth(abc.ABC):
    """A way API Gateway authorizes a route's callers, described as the security scheme ``name`` of both
    documents: what a caller sends (``credential``, for the published document) in which ``header``, and
    API Gateway's extensions of the scheme (``extensions``, from the values of ``inputs`` once resolved).
    API Gateway may invoke the ``authorizer_function`` for every authorizer of this kind."""

    name: str
    credential: str
    header: str = "Authorization"
    takes_scopes: ClassVar[bool] = False  # API Gateway checks a route's OAuth scopes with this kind

    def inputs(self) -> Mapping[str, pulumi.Input[Any]]:
        """The values (maybe Outputs) ``extensions`` reads."""
        return {}

    @abc.abstractmethod
    def extensions(self, resolved: Mapping[str, Any]) -> dict[str, Any]:
        """The ``x-amazon-apigateway-*`` keys of the scheme, given ``inputs`` resolved."""

    def authorizer_function(self) -> Function | None:
        return None


@dataclass(frozen=True)
class CognitoAuth(Auth):
    """Cognito user-pool authorizer: an ID token in the Authorization header, or an
    access token on routes that list OAuth ``scopes``."""

    user_pool_arns: Sequence[pulumi.Input[str]]
    name: str = "cognito"
    credential: ClassVar[str] = "A Cognito user pool ID token (the JWT itself, no 'Bearer ' prefix)"
    takes_scopes: ClassVar[bool] = True

    def inputs(self) -> Mapping[str, pulumi.Input[Any]]:
        return {"arns": list(self.user_pool_arns)}

    def extensions(self, resolved: Mapping[str, Any]) -> dict[str, Any]:
        return {"x-amazon-apigateway-authtype": "cognito_user_pools",
                "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                                                   "providerARNs": list(resolved["arns"])}}


@dataclass(frozen=True)
class LambdaAuth(Auth):
    """Lambda authorizer; TOKEN reads one header (refused before the function runs unless it matches
    ``token_pattern``), REQUEST any request parameters. ``credential`` tells clients what to send."""

    function: Function
    type: Literal["TOKEN", "REQUEST"] = "TOKEN"
    ttl_seconds: int = 300
    identity_source: str = "method.request.header.Authorization"
    name: str = "lambda"
    credential: str = "A token the Lambda authorizer accepts"
    token_pattern: str = JWT_PATTERN

    @property
    def header(self) -> str:
        return self.identity_source.rsplit(".", 1)[-1] if self.type == "TOKEN" else "Authorization"

    def inputs(self) -> Mapping[str, pulumi.Input[Any]]:
        return {"uri": self.function.invoke_arn}

    def extensions(self, resolved: Mapping[str, Any]) -> dict[str, Any]:
        authorizer = {"type": self.type.lower(), "authorizerUri": resolved["uri"],
                      "authorizerResultTtlInSeconds": self.ttl_seconds}
        if self.type == "TOKEN":
            authorizer["identityValidationExpression"] = self.token_pattern
        else:
            authorizer["identitySource"] = self.identity_source
        return {"x-amazon-apigateway-authtype": "custom", "x-amazon-apigateway-authorizer": authorizer}

    def authorizer_function(self) -> Function | None:
        return self.function


@dataclass(frozen=True)
class IamAuth(Auth):
    """SigV4-signed requests, authorized by the caller's IAM policies."""

    name: str = "sigv4"
    credential: ClassVar[str] = "An AWS Signature Version 4 signature"

    def extensions(self, resolved: Mapping[str, Any]) -> dict[str, Any]:
        return {"x-amazon-apigateway-authtype": "awsSigv4"}


@dataclass(frozen=True)
class Public:
    """No authorization: only where a route is explicitly declared public."""


@dataclass(frozen=True)
class Throttle:
    """Steady requests per second and burst, for a stage or one method."""

    rate: float
    burst: int


@dataclass(frozen=True)
class OpenApiOperation:
    """What clients see of one operation, as plain OpenAPI 3.0 objects.

    ``parameters`` are Parameter objects (path ones included); ``request_body`` names the
    component schema of the ``application/json`` body; ``responses`` maps each status to
    a Response object; ``schemas`` holds every component schema these refer to.
    """

    operation_id: str
    summary: str = ""
    description: str = ""  # what a client should know beyond the summary (e.g. how fresh a read is)
    tags: Sequence[str] = ()
    parameters: Sequence[Mapping[str, Any]] = ()
    request_body: str | None = None
    responses: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """One method of the API and what answers it: ``function`` through ``integration`` (a Lambda proxy by
    default), or an integration that needs no function (``integrations.py``)."""

    path: str
    method: str
    function: Function | None = None
    auth: Auth | Public | None = None  # None: the API's default auth
    operation: OpenApiOperation | None = None  # None: path parameters only, undescribed answers
    api_key_required: bool = False
    throttle: Throttle | None = None
    cache_ttl_seconds: int | None = None  # per-method cache override (GET only)
    # OAuth scopes (Cognito auth only): the method then takes an access token carrying one of them.
    scopes: Sequence[str] = ()
    integration: Integration = LambdaProxy()


def noted(routes: Sequence[Route], note: str, methods: Sequence[str] = ("GET",)) -> list[Route]:
    """``routes`` whose published documents add ``note`` to the description of their ``methods`` (with an
    operation): what a client should know of how an answer is made, e.g. how stale a cached read may be."""
    def with_note(route: Route) -> Route:
        if route.method not in methods or route.operation is None:
            return route
        description = " ".join(filter(None, (route.operation.description, note)))
        return dataclasses.replace(route, operation=dataclasses.replace(route.operation, description=description))
    return [with_note(route) for route in routes]


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


def path_parameters(path: str) -> list[str]:
    return [p.rstrip("+") for p in re.findall(r"\{([^}]+)\}", path)]


def merged_schemas(operations: Sequence[OpenApiOperation]) -> dict[str, Mapping[str, Any]]:
    """Every schema the operations hold; one name must mean one schema."""
    schemas: dict[str, Mapping[str, Any]] = {}
    for operation in operations:
        for name, schema in operation.schemas.items():
            if schemas.setdefault(name, schema) != schema:
                raise ValueError(f"operation {operation.operation_id}: schema {name!r} differs from another "
                                 f"operation's schema of that name")
    return schemas


def check_routes(api: str, routes: Sequence[Route], default_auth: Auth | Public) -> None:
    """Everything the documents rely on, checked while the program runs (not inside an Output, so
    the message reaches the user)."""
    if not routes:
        raise ValueError(f"REST API {api}: at least one route is required")
    seen: set[tuple[str, str]] = set()
    auths: dict[str, Auth] = {}
    for route in routes:
        label, where = f"{api}: {route.method} {route.path}", f"REST API {api}: route {route.method} {route.path}"
        if not _PATH.match(route.path):
            raise ValueError(f"route path {route.path!r} must start with / and use only letters, digits, ._~- "
                             f"and {{param}}")
        if route.method not in METHODS:
            raise ValueError(f"route {route.path}: method {route.method!r} must be one of {', '.join(METHODS)}")
        if (route.path, route.method) in seen:
            raise ValueError(f"{where} is declared twice")
        seen.add((route.path, route.method))
        integrations.check(route.integration, route.function is not None, label)
        if route.operation is not None:
            _check_statuses(label, route.operation, integrations.statuses(route.integration))
        auth = route.auth if route.auth is not None else default_auth
        _check_scopes(where, route, auth)
        if isinstance(auth, Auth) and auths.setdefault(auth.name, auth) != auth:
            raise ValueError(f"{where}: another authorizer of this API is named {auth.name!r} too; give each "
                             f"its own name")
    merged_schemas([route.operation for route in routes if route.operation is not None])


def _check_statuses(label: str, operation: OpenApiOperation, answered: Sequence[str]) -> None:
    """API Gateway maps an integration response only onto a declared method response, and a client
    reads only the statuses the operation names: it must declare every one answered."""
    missing = sorted(set(answered) - set(operation.responses))
    if missing:
        raise ValueError(f"route {label}: its integration answers {', '.join(missing)}, which operation "
                         f"{operation.operation_id} does not declare")


def _check_scopes(where: str, route: Route, auth: Auth | Public) -> None:
    if not route.scopes:
        return
    if not getattr(auth, "takes_scopes", False):
        raise ValueError(f"{where} lists scopes {list(route.scopes)}, but API Gateway checks OAuth scopes "
                         f"only with a Cognito authorizer (its auth is {type(auth).__name__})")
    bad = [scope for scope in route.scopes if not isinstance(scope, str) or not _SCOPE.match(scope)]
    if bad:
        raise ValueError(f"{where}: scopes {bad} must be non-empty and printable, without spaces, "
                         f"quotes or backslashes (RFC 6749)")
