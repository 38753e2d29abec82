"""Every REST API of both stacks has two OpenAPI 3.0 documents from the same routes, and both hold.

GIVEN the program run for dev and prod under the mock engine
THEN the document API Gateway imports (the RestApi's ``body``) is valid OpenAPI 3.0 and uses
     nothing its importer warns about (the API is imported with ``fail_on_warnings``), and
     the published document (the component's ``published_openapi``) is valid OpenAPI 3.0 and
     is the whole contract: typed parameters, a schema for every status, one error schema.
"""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate

from multitier._declarations import api
from multitier._logic.openapi import api_gateway_model

# API Gateway's documented unsupported features of models and schemas (REST API import notes).
UNSUPPORTED = {"additionalProperties", "anyOf", "oneOf", "not", "discriminator", "example", "examples",
               "exclusiveMinimum", "exclusiveMaximum", "readOnly", "nullable", "deprecated"}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def documents(recording) -> list[tuple[str, dict, dict]]:
    return [(component.name, json.loads(component.outputs["openapi"]), json.loads(component.outputs["published_openapi"]))
            for component in recording.of_type("multitier:logic:RestApi")]


@pytest.fixture(params=["dev", "prod"])
def stack_documents(request, dev_stack, prod_stack):
    found = documents(dev_stack if request.param == "dev" else prod_stack)
    assert found
    return found


def keywords(node, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(f"format:{value}" if key == "format" else key)
            keywords(value if key != "properties" else list(value.values()), found)
    elif isinstance(node, list):
        for item in node:
            keywords(item, found)
    return found


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_both_documents_are_valid_openapi_3(stack_documents):
    for name, imported, published in stack_documents:
        validate(imported)
        validate(published)
        assert imported["openapi"].startswith("3.0") and published["openapi"].startswith("3.0"), name


def test_the_imported_document_uses_nothing_api_gateway_warns_about(stack_documents):
    for name, imported, _ in stack_documents:
        for model, schema in imported["components"]["schemas"].items():
            assert re.fullmatch(r"[A-Za-z0-9]+", model), (name, model)
            assert not keywords(schema) & (UNSUPPORTED | {"format:int32", "format:int64"}), (name, model)
        for path, method, operation in operations(imported):
            assert "default" not in operation["responses"], (name, path, method)
            assert all(re.fullmatch(r"[0-9]{3}", status) for status in operation["responses"]), (name, path, method)
            declared = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\+?\}", path)), (name, path, method)  # OPTIONS too


def test_the_published_document_is_the_whole_contract(stack_documents):
    for name, imported, published in stack_documents:
        served = {(path, method) for path, method, _ in operations(imported) if method != "options"}
        assert {(path, method) for path, method, _ in operations(published)} == served, name
        ids = [operation["operationId"] for _, _, operation in operations(published)]
        assert len(ids) == len(set(ids)) and set(ids) <= set(api.OPERATIONS), name
        for path, method, operation in operations(published):
            declared = api.OPERATIONS[operation["operationId"]]
            assert operation["summary"] and operation["tags"] == [declared.tag]
            assert all("type" in p["schema"] or "enum" in p["schema"] for p in operation["parameters"]), path
            statuses = {int(status) for status in operation["responses"]}
            assert statuses == {declared.status, *declared.error_statuses}, (name, path, method)
            for status, response in operation["responses"].items():
                schema = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                assert schema == ("Error" if int(status) >= 400 else declared.response.__name__), (path, status)
            if declared.body is not None:
                body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                assert "example" in published["components"]["schemas"][body], body
        error = published["components"]["schemas"]["Error"]
        assert error["required"] == ["message"] and "x-amazon-apigateway-integration" not in json.dumps(published)


def test_typed_parameters_say_what_the_functions_accept(dev_stack):
    _, _, published = documents(dev_stack)[0]
    shows = {p["name"]: p["schema"] for p in published["paths"]["/shows"]["get"]["parameters"]}
    assert shows["limit"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert shows["from"]["format"] == "date-time" and shows["cursor"]["pattern"].endswith("$")
    section = published["paths"]["/info/{section}"]["get"]["parameters"][0]["schema"]
    assert section["enum"] == ["general", "opening_hours", "accessibility", "transport", "policies"]
    key = published["paths"]["/tickets"]["post"]["parameters"][0]
    assert key["name"] == "Idempotency-Key" and key["schema"]["minLength"] == 1 and "pattern" in key["schema"]
    assert published["components"]["schemas"]["ShowIn"]["additionalProperties"] is False


def test_an_api_gateway_model_keeps_only_the_importers_keywords():
    schema = {"type": "object", "additionalProperties": False, "example": {"a": 1}, "required": ["a"],
              "properties": {"a": {"type": "integer", "format": "int64", "minimum": 1},
                             "example": {"type": "string", "nullable": True, "pattern": "^x$"},
                             "b": {"anyOf": [{"type": "string"}, {"type": "integer"}], "description": "b"}}}
    assert api_gateway_model(schema) == {
        "type": "object", "required": ["a"],
        "properties": {"a": {"type": "integer", "minimum": 1}, "example": {"type": "string", "pattern": "^x$"},
                       "b": {"description": "b"}}}


def api_documents(recording, api_name: str) -> tuple[dict, dict]:
    return next((imported, published) for name, imported, published in documents(recording) if name == api_name)


@pytest.mark.parametrize("api_name, path, kind, answer, statuses", [
    ("web-app-api", "/health", "mock", "Health", {"200"}),
    ("single-page-app-api", "/venue", "aws", "VenueInfo", {"200", "404", "502"}),
    ("web-app-api", "/info/{section}", "aws", "InfoSectionOut", {"200", "400", "404", "500", "503"}),
    ("mobile-backend-api", "/tickets/{id}/document", "aws_proxy", "TicketDocument", set()),
])
def test_routes_of_every_integration_kind_are_in_both_documents(dev_stack, api_name, path, kind, answer, statuses):
    imported, published = api_documents(dev_stack, api_name)
    operation = imported["paths"][path]["get"]
    integration = operation["x-amazon-apigateway-integration"]
    assert integration["type"] == kind
    # THEN each status the integration answers is a declared method response with the headers it sets
    # (a proxy integration has no integration responses: its function answers for itself)
    mapped = list((integration.get("responses") or {}).values())
    assert {response["statusCode"] for response in mapped} == statuses
    for response in mapped:
        declared = operation["responses"][response["statusCode"]]
        headers = {name.removeprefix("method.response.header.") for name in response["responseParameters"]}
        assert headers == set(declared["headers"]), (path, response["statusCode"])
    # AND the published document describes the answer from the operation's model, errors with Error
    described = published["paths"][path]["get"]["responses"]
    assert set(described) == set(operation["responses"]) and statuses <= set(described)
    assert described["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/" + answer)
    assert all(r["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
               for status, r in described.items() if status != "200")


def test_the_health_mock_is_public_and_its_template_fills_the_declared_answer(dev_stack):
    imported, published = api_documents(dev_stack, "web-app-api")
    assert imported["paths"]["/health"]["get"]["security"] == published["paths"]["/health"]["get"]["security"] == []
    template = imported["paths"]["/health"]["get"]["x-amazon-apigateway-integration"]["responses"]["default"][
        "responseTemplates"]["application/json"]
    health = published["components"]["schemas"]["Health"]
    assert set(json.loads(template)) == set(health["properties"]) == set(health["required"])
    # 401 would be a lie on a route that takes no token; a body over 10 MB, or not JSON, is refused anywhere
    assert set(published["paths"]["/health"]["get"]["responses"]) == {"200", "403", "413", "415", "429"}
