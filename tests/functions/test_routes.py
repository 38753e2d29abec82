"""Each service answers exactly the routes the infrastructure declares for it.

The API Gateway side is ``components/patterns/services.py`` (``ROUTES``), from which
every pattern builds its REST APIs; the function side is the OpenAPI document
Powertools generates from the handler. A route added on one side only fails here.
"""

import pytest

from components.patterns import ticket_documents
from components.patterns.services import ROUTES
from fn_support import load_service

EXPECTED = {service: set(routes) for service, routes in ROUTES.items()}
EXPECTED["tickets"].add(ticket_documents.ROUTE)  # served where a pattern mounts the documents' file system


@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_openapi_routes_match_contract(service):
    # GIVEN a service imported without any environment (as a route-listing test would)
    module = load_service(service)
    # WHEN its OpenAPI schema is generated
    schema = module.app.get_openapi_schema()
    # THEN it lists exactly the contract's routes, and the handler is app.handler
    routes = {(method.upper(), path) for path, item in schema.paths.items() for method in ("get", "post", "put", "delete") if getattr(item, method)}
    assert routes == EXPECTED[service]
    assert callable(module.handler)


def test_every_service_has_app_handler():
    for service in ("shows", "tickets", "info", "migrate", "authorizer"):
        assert callable(load_service(service).handler)


def test_gateway_body_schemas_agree_with_the_function_models():
    # API Gateway rejects bodies with these schemas before the function runs; they
    # must accept exactly the fields the function's pydantic models accept.
    from components.patterns.services import SHOW_SCHEMA, TICKET_SCHEMA
    from shared.models import ShowIn, TicketIn

    for model, schema in ((ShowIn, SHOW_SCHEMA), (TicketIn, TICKET_SCHEMA)):
        generated = model.model_json_schema()
        assert set(generated["properties"]) == set(schema["properties"])
        assert set(generated["required"]) == set(schema["required"])
        assert schema["additionalProperties"] is False
