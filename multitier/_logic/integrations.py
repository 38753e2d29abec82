"""What stands behind a route: a Lambda proxy (the default), or an integration API Gateway maps itself.

``openapi.py`` renders the Lambda proxy; this module renders the other kinds into the
``x-amazon-apigateway-integration`` object API Gateway imports (``openapi.py`` declares the
method responses its integration responses answer with, from the route's contract):

* ``LambdaMapped``: a non-proxy Lambda integration (``type: aws``). The function receives
  what ``request_template`` renders, its result goes through ``response_template``, and an
  error whose message fully matches a pattern of ``errors`` answers that status. Every other
  error is a 500 that does not leak the message (without that catch-all, API Gateway would
  answer an unmatched error with the default response: a 200).
* ``MockResponse``: API Gateway answers from ``template``; no backend.
* ``S3Object``: an AWS service integration that GETs one object through a role of its own,
  allowed ``s3:GetObject`` on that object only (``roles()`` creates it). S3's 4xx become a 404
  and its 5xx a 502; the object's Content-Type is passed on.

Each integration response names the allowed CORS origin (echoing the caller's when several
are allowed), as the proxy functions do. Templates are VTL; local mode runs the subset
documented in ``local/apigateway/vtl``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Union

import pulumi
import pulumi_aws as aws

from multitier._data.bucket import Bucket
from multitier._iam import Statement, assume_role_policy, policy_document, sid
from multitier._logic.cors import echo_origin_template

JSON = "application/json"
UNMATCHED_ERROR_STATUS = 500
S3_READ_ACTIONS = ("s3:GetObject",)
S3_STATUSES = (200, 404, 502)  # the object; S3's 4xx; S3's 5xx
INTERNAL_ERROR = json.dumps({"message": "Internal server error"})
ERROR_MESSAGE = "{\"message\": $input.json('$.errorMessage')}"


@dataclass(frozen=True)
class LambdaProxy:
    """The whole request to the function, its proxy response back to the caller."""


@dataclass(frozen=True)
class LambdaMapped:
    """A non-proxy Lambda integration: mapped payload in, mapped result out, errors by message."""

    request_template: str
    response_template: str
    errors: Mapping[str, int] = field(default_factory=dict)  # selection pattern on errorMessage → status
    error_template: str = ERROR_MESSAGE


@dataclass(frozen=True)
class MockResponse:
    """API Gateway itself answers ``status`` with what ``template`` renders."""

    template: str
    status: int = 200


@dataclass(frozen=True)
class S3Object:
    """The object ``key`` of ``bucket``, read by API Gateway with a role allowed that object only."""

    bucket: Bucket
    key: str


Integration = Union[LambdaProxy, LambdaMapped, MockResponse, S3Object]


def check(integration: Integration, has_function: bool, label: str) -> None:
    """A Lambda integration needs the route's function; the others must not have one."""
    wants_function = isinstance(integration, (LambdaProxy, LambdaMapped))
    if wants_function != has_function:
        need = "needs a function" if wants_function else "is answered without a function; remove it"
        raise ValueError(f"route {label}: a {type(integration).__name__} integration {need}")
    if isinstance(integration, LambdaMapped):
        for pattern, status in integration.errors.items():
            if not 400 <= status <= 599:
                raise ValueError(f"route {label}: error pattern {pattern!r} maps to {status}; use a 4xx or 5xx")
    if isinstance(integration, MockResponse) and not 200 <= integration.status <= 599:
        raise ValueError(f"route {label}: a mock answers a status of 200-599, not {integration.status}")
    if isinstance(integration, S3Object) and (not integration.key or integration.key.startswith("/")
                                              or "{" in integration.key):
        raise ValueError(f"route {label}: S3 key {integration.key!r} must be one fixed key without a leading '/'")


@dataclass(frozen=True)
class ServiceRole:
    """The role API Gateway assumes for one AWS service integration, and its policy."""

    role: aws.iam.Role
    policy: aws.iam.RolePolicy


def roles(api_name: str, routes: Sequence[tuple[str, Integration]], parent: pulumi.Resource) -> dict[str, ServiceRole]:
    """One role per S3 route (by route label), allowed to read exactly its object."""
    made = {}
    child = pulumi.ResourceOptions(parent=parent)
    for label, integration in routes:
        if not isinstance(integration, S3Object):
            continue
        key = integration.key
        role = aws.iam.Role(f"{api_name}-{label}-role", assume_role_policy=assume_role_policy("apigateway.amazonaws.com"),
                            description=f"API Gateway reads s3 {key} for {api_name}", opts=child)
        objects = integration.bucket.arn.apply(lambda arn: f"{arn}/{key}")
        policy = aws.iam.RolePolicy(f"{api_name}-{label}-policy", role=role.id,
                                    policy=policy_document([Statement(S3_READ_ACTIONS, [objects], sid("Read", key))]),
                                    opts=child)
        made[label] = ServiceRole(role, policy)
    return made


def inputs(integration: Integration, role: ServiceRole | None) -> dict[str, Any]:
    """The values (maybe Outputs) ``operation`` needs once resolved."""
    if isinstance(integration, S3Object):
        return {"bucket": integration.bucket.name, "region": integration.bucket.bucket.region,
                "role_arn": role.role.arn}
    return {}


def statuses(integration: Integration) -> list[str]:
    """The statuses the integration's responses answer: its route's contract must declare each one
    (a Lambda proxy answers whatever its function does)."""
    if isinstance(integration, MockResponse):
        return [str(integration.status)]
    if isinstance(integration, LambdaMapped):
        return sorted({"200", str(UNMATCHED_ERROR_STATUS), *map(str, integration.errors.values())})
    if isinstance(integration, S3Object):
        return [str(status) for status in S3_STATUSES]
    return []


def operation(integration: Integration, resolved: Mapping[str, Any], lambda_uri: str,
              cors_origins: Sequence[str]) -> dict[str, Any]:
    """The ``x-amazon-apigateway-integration`` of a non-proxy ``integration``; ``lambda_uri`` is the
    function's, when it has one."""
    cors = _Cors(cors_origins)
    if isinstance(integration, MockResponse):
        # A body of another type than the template's would reach the mock, which then finds no
        # statusCode in it and fails (500): refused as 415 instead.
        return {"type": "mock", "passthroughBehavior": "when_no_templates",
                "requestTemplates": {JSON: json.dumps({"statusCode": integration.status})},
                "responses": {"default": cors.response(str(integration.status), integration.template)}}
    if isinstance(integration, LambdaMapped):
        responses = {pattern: cors.response(str(status), integration.error_template)
                     for pattern, status in sorted(integration.errors.items())}
        responses[_unmatched(integration.errors)] = cors.response(str(UNMATCHED_ERROR_STATUS), INTERNAL_ERROR)
        responses["default"] = cors.response("200", integration.response_template)
        return {"type": "aws", "httpMethod": "POST", "uri": lambda_uri, "passthroughBehavior": "never",
                "timeoutInMillis": 29000, "requestTemplates": {JSON: integration.request_template},
                "responses": responses}
    if isinstance(integration, S3Object):
        ok, missing, failed = (str(status) for status in S3_STATUSES)
        passed = cors.response(ok, "$input.body" if cors.echo else None)
        passed["responseParameters"]["method.response.header.Content-Type"] = "integration.response.header.Content-Type"
        return {"type": "aws", "httpMethod": "GET", "passthroughBehavior": "when_no_match",
                "uri": f"arn:aws:apigateway:{resolved['region']}:s3:path/{resolved['bucket']}/{integration.key}",
                "credentials": resolved["role_arn"], "timeoutInMillis": 29000,
                "responses": {r"4\d{2}": cors.response(missing, json.dumps({"message": "Not found"})),
                              r"5\d{2}": cors.response(failed, INTERNAL_ERROR), "default": passed}}
    raise TypeError(f"not a non-proxy integration: {integration!r}")


def _unmatched(errors: Mapping[str, int]) -> str:
    """Any message none of ``errors`` matches (so each error selects exactly one response)."""
    if not errors:
        return r"[\s\S]+"
    return "(?!" + "|".join(f"(?:{pattern})$" for pattern in sorted(errors)) + r")[\s\S]+"


class _Cors:
    """The allowed origin on every integration response, echoed from a template when there are several."""

    HEADER = "method.response.header.Access-Control-Allow-Origin"

    def __init__(self, origins: Sequence[str]):
        self.origins = list(origins)
        self.echo = len(self.origins) > 1

    def response(self, status: str, template: str | None) -> dict[str, Any]:
        response: dict[str, Any] = {"statusCode": status, "responseParameters": {self.HEADER: f"'{self.origins[0]}'"}}
        if template is not None:
            response["responseTemplates"] = {JSON: (echo_origin_template(self.origins) if self.echo else "")
                                             + template}
        return response

