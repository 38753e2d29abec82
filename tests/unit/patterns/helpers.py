"""Queries over a whole-stack recording, by pattern."""

from __future__ import annotations

import json

from local.engine import Recording, Registration

FN = "aws:lambda/function:Function"
PATTERN_TYPES = {"mobile_backend": "multitier:patterns:MobileBackend",
                 "single_page_app": "multitier:patterns:SinglePageApp",
                 "web_app": "multitier:patterns:WebApp",
                 "microservices": "multitier:patterns:Microservices"}


def pattern(rec: Recording, key: str) -> list[Registration]:
    return rec.descendants_of(rec.one(PATTERN_TYPES[key]))


def of_type(resources: list[Registration], type_: str) -> list[Registration]:
    return [r for r in resources if r.type == type_]


def function(rec: Recording, name: str) -> Registration:
    return rec.one(FN, name) if len([r for r in rec.of_type(FN) if r.name == name]) != 1 else \
        next(r for r in rec.of_type(FN) if r.name == name)


def policy_of(rec: Recording, function_name: str) -> list[dict]:
    """The statements of the role policy of the Function component named ``function_name``."""
    component = next(r for r in rec.of_type("multitier:logic:Function") if r.name == function_name)
    policy = next(r for r in rec.children_of(component) if r.type == "aws:iam/rolePolicy:RolePolicy")
    return json.loads(policy.inputs["policy"])["Statement"]


def actions_of(rec: Recording, function_name: str) -> set[str]:
    return {a for s in policy_of(rec, function_name) for a in s["Action"]}


def env_of(rec: Recording, function_name: str) -> dict:
    return function(rec, function_name).inputs["environment"]["variables"]


def document(rec: Recording, api_name: str) -> dict:
    api = next(r for r in rec.of_type("aws:apigateway/restApi:RestApi") if r.name == api_name)
    return json.loads(api.inputs["body"])


def operations(doc: dict):
    """(path, METHOD, operation) for every method but the CORS preflight."""
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            if method != "options":
                yield path, method.upper(), operation


def assert_authorized_but_health(doc: dict, security: list) -> None:
    """Every method carries ``security`` but GET /health: a public mock, the one declared public."""
    public = {(path, method) for path, method, op in operations(doc) if op["security"] != security}
    assert public == {("/health", "GET")}
    health = doc["paths"]["/health"]["get"]
    assert health["security"] == [] and health["x-amazon-apigateway-integration"]["type"] == "mock"
