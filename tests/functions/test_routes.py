"""Each service answers exactly the operations ``shared/api.py`` declares, with the declared models.

The program builds every REST API's routes and OpenAPI documents from that declaration
(``multitier/_patterns/services.py``); the functions register their handlers from it
(``shared.http.route``) and validate with the models their signatures name. Powertools'
own OpenAPI document of each handler shows what the function really reads: a route,
parameter or model that differs from the declaration fails here.
"""

import json

import pytest

from fn_support import load_service
from shared import api

METHODS = ("get", "post", "put", "patch", "delete")
SERVED = [op for operations in api.SERVICES.values() for op in operations]


def powertools_document(service: str) -> dict:
    module = load_service(service)
    return json.loads(module.app.get_openapi_schema().model_dump_json(by_alias=True, exclude_none=True))


def declared_parameters(operation: api.Operation) -> set[tuple[str, str, bool]]:
    found = set()
    for model, place in ((operation.path_params, "path"), (operation.query, "query"), (operation.headers, "header")):
        for name, field in (model.model_fields.items() if model else ()):
            found.add((field.alias or name, place, place == "path" or field.is_required()))
    return found


@pytest.mark.parametrize("service", sorted(api.SERVICES))
def test_each_service_answers_exactly_its_declared_operations(service):
    document = powertools_document(service)
    served = {(method.upper(), path) for path, item in document["paths"].items() for method in METHODS
              if method in item}
    assert served == {(op.method, op.path) for op in api.SERVICES[service]}


@pytest.mark.parametrize("operation", SERVED, ids=[op.operation_id for op in SERVED])
def test_each_handler_reads_the_declared_parameters_and_models(operation):
    served = powertools_document(operation.tag)["paths"][operation.path][operation.method.lower()]
    assert served["operationId"] == operation.operation_id
    assert {(p["name"], p["in"], p["required"]) for p in served.get("parameters", ())} == \
        declared_parameters(operation)
    for parameter in served.get("parameters", ()):  # a path parameter's type is the declared one
        if parameter["in"] == "path":
            declared = operation.path_params.model_json_schema()["properties"][parameter["name"]]
            for keyword in ("pattern", "maxLength", "enum"):
                assert parameter["schema"].get(keyword) == declared.get(keyword), (parameter, keyword)
    body = served.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    assert body.get("$ref", "").rsplit("/", 1)[-1] == (operation.body.__name__ if operation.body else "")
    answer = served["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert answer.rsplit("/", 1)[-1] == operation.response.__name__


def test_every_service_has_app_handler():
    for service in ("shows", "tickets", "info", "migrate", "authorizer"):
        assert callable(load_service(service).handler)
