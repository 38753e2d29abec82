"""RestApi: an API Gateway REST API built from typed routes through an OpenAPI document.

The document (``openapi.py``) is what API Gateway imports, what local mode serves and
what the deployment hashes; this component adds the Lambda permissions, the
deployment and the stage (``api_stage.py``), and maps the stage onto a custom
domain (``api_domain.py``) when given one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from multitier._logic import integrations, openapi
from multitier._logic.api_domain import ApiDomain
from multitier._logic.api_stage import ApiStage, StageOptions
from multitier._logic.function import ALIAS, Function
from multitier._logic.routes import Auth, Public, Route, check_routes, route_label, source_arn, stage_variable
from multitier._ops import watch_logic
from multitier._ops.watch import Watch


@dataclass
class RestApiArgs:
    """Inputs of a RestApi.

    Every route is authorized by its own ``auth`` or ``default_auth`` (``Public``
    only where declared). ``cors_origins`` answer preflights and gateway responses.
    A ``PRIVATE`` endpoint answers only ``private_vpc_endpoint_ids``. With a
    ``domain``, the stage is mapped under ``base_path`` and the execute-api
    endpoint is turned off.
    """

    routes: Sequence[Route]
    default_auth: Auth | Public
    description: str = ""
    endpoint_type: Literal["REGIONAL", "EDGE", "PRIVATE"] = "REGIONAL"
    private_vpc_endpoint_ids: Sequence[str] = ()
    cors_origins: Sequence[str] = ("*",)
    stage: StageOptions = StageOptions()
    stage_variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    canary_stage_variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    domain: ApiDomain | None = None
    base_path: str = ""


class RestApi(pulumi.ComponentResource):
    """REST API, Lambda permissions, deployment and stage (+ optional domain mapping)."""

    def __init__(self, name: str, args: RestApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:RestApi", name, None, opts)
        self.routes = list(args.routes)
        check_routes(name, self.routes, args.default_auth)
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        functions = {stage_variable(r.function): r.function for r in self.routes if r.function is not None}
        self.service_roles = integrations.roles(name, [(route_label(r), r.integration) for r in self.routes], self)

        documents = self._documents(name)
        self.openapi = documents.apply(lambda d: d["import"])  # what API Gateway imports
        self.published_openapi = documents.apply(lambda d: d["published"])  # what clients read
        private = args.endpoint_type == "PRIVATE"
        # Overwrite mode, so that a route removed from the document is removed from the API; the
        # document itself carries the VPC endpoints and the policy, which overwriting would drop.
        self.api = aws.apigateway.RestApi(
            name, body=self.openapi, description=args.description or f"{name} REST API",
            endpoint_configuration={"types": args.endpoint_type,
                                    **({"vpc_endpoint_ids": list(args.private_vpc_endpoint_ids)} if private else {})},
            put_rest_api_mode="overwrite", fail_on_warnings=True, api_key_source="HEADER",
            disable_execute_api_endpoint=args.domain is not None, opts=child)
        self._permissions(name)

        # A deployment is a snapshot: a new one whenever the document changes,
        # created before the old one is deleted (Pulumi's default replacement order).
        # With a canary the stage keeps its deployment (ignore_changes) until the
        # canary is promoted, and API Gateway refuses to delete a deployment a stage
        # points at ("Active stages pointing to this deployment must be moved or
        # deleted"), so replaced deployments are left to go with the API instead.
        self.deployment = aws.apigateway.Deployment(
            f"{name}-deployment", rest_api=self.api.id, description="Snapshot of the API definition",
            triggers={"openapi": self.openapi.apply(lambda doc: hashlib.sha256(doc.encode()).hexdigest())},
            # The document names the service roles; their grants must exist before the API is called.
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.stage.canary_percent > 0 or None,
                                        depends_on=[r.policy for r in self.service_roles.values()]))
        variables = {var: fn.name.apply(lambda n: f"{n}:{ALIAS}") for var, fn in functions.items()}
        self.stage = ApiStage(name, args.stage, self.api, self.deployment, self.routes,
                              {**variables, **dict(args.stage_variables)}, args.canary_stage_variables, self)

        self.stage_name = self.stage.stage.stage_name
        self.base_path_mapping = None
        self.url = self.stage.stage.invoke_url
        if args.domain is not None:
            self.base_path_mapping = aws.apigateway.BasePathMapping(
                f"{name}-mapping", rest_api=self.api.id, stage_name=self.stage_name,
                domain_name=args.domain.domain_name.domain_name, base_path=args.base_path or None, opts=child)
            self.url = pulumi.Output.concat("https://", args.domain.name, "/", args.base_path).apply(
                lambda u: u.rstrip("/"))
        self.id = self.api.id
        self.execution_arn = self.api.execution_arn
        self.register_outputs({"id": self.id, "url": self.url, "stage": self.stage_name,
                               "openapi": self.openapi, "published_openapi": self.published_openapi})

    def watch(self, latency_p99_ms: float = 3000) -> Watch:
        """The stage's requests, throttled requests, error rates, latency and cache; alarms on its 5XX rate
        and on a p99 latency above ``latency_p99_ms``."""
        return watch_logic.api_stage(self.pulumi_resource_name, self.api.name, self.stage_name, self.api.id,
                                     latency_p99_ms=latency_p99_ms, cache=self._args.stage.cache_enabled)

    def _auth(self, route: Route) -> Auth | Public:
        return route.auth if route.auth is not None else self._args.default_auth

    def _permissions(self, name: str) -> None:
        """API Gateway may invoke each route's alias for that method only, and each authorizer's.

        A permission names the alias by its name (``qualifier``), so it must wait for the alias.
        """
        def after_alias(function: Function) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, depends_on=[function.alias])

        self.permissions = [aws.lambda_.Permission(
            f"{name}-{route_label(route)}", action="lambda:InvokeFunction", function=route.function.name,
            qualifier=ALIAS, principal="apigateway.amazonaws.com",
            source_arn=self.api.execution_arn.apply(lambda arn, r=route: source_arn(arn, r)),
            opts=after_alias(route.function)) for route in self.routes if route.function is not None]
        authorizers = {a.name: a.authorizer_function() for a in map(self._auth, self.routes)
                       if isinstance(a, Auth) and a.authorizer_function() is not None}
        self.authorizer_permissions = [aws.lambda_.Permission(
            f"{name}-authorizer-{auth_name}", action="lambda:InvokeFunction", function=function.name,
            qualifier=ALIAS, principal="apigateway.amazonaws.com",
            source_arn=self.api.execution_arn.apply(lambda arn: f"{arn}/authorizers/*"),
            opts=after_alias(function)) for auth_name, function in sorted(authorizers.items())]

    def _documents(self, name: str) -> pulumi.Output[dict[str, str]]:
        """Both documents, from the routes and one map of what their Outputs resolve to."""
        args = self._args
        definition = openapi.ApiDefinition(
            title=name, description=args.description or f"{name} REST API", routes=self.routes,
            default_auth=args.default_auth, cors_origins=list(args.cors_origins), api_keys=args.stage.usage_plan,
            policy=_private_policy(args), endpoint=_endpoint(args))
        values = {
            "functions": {stage_variable(r.function): r.function.arn for r in self.routes if r.function is not None},
            "auths": {a.name: a.inputs() for a in map(self._auth, self.routes) if isinstance(a, Auth)},
            "integrations": {route_label(r): integrations.inputs(r.integration, self.service_roles.get(route_label(r)))
                             for r in self.routes},
        }

        def render(resolved: dict) -> dict[str, str]:
            known = openapi.Resolved(**resolved)
            return {"import": json.dumps(openapi.imported(definition, known), sort_keys=True, indent=1),
                    "published": json.dumps(openapi.published(definition, known), sort_keys=True, indent=1)}

        return pulumi.Output.from_input(values).apply(render)


def _endpoint(args: RestApiArgs) -> dict | None:
    """What an overwrite import must keep: the VPC endpoints of a PRIVATE API, a turned-off default endpoint."""
    endpoint: dict[str, Any] = {}
    if args.endpoint_type == "PRIVATE":
        endpoint["vpcEndpointIds"] = list(args.private_vpc_endpoint_ids)
    if args.domain is not None:
        endpoint["disableExecuteApiEndpoint"] = True
    return endpoint or None


def _private_policy(args: RestApiArgs) -> dict | None:
    """A PRIVATE API answers only the named VPC endpoints."""
    if args.endpoint_type != "PRIVATE":
        return None
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": list(args.private_vpc_endpoint_ids)}}}]}
