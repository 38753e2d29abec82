"""What the services take from Powertools beyond its public interface (shared/powertools_internals.py), named: a
Powertools upgrade that changes it fails here."""

import inspect

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

from shared.powertools_internals import ANCHORED, Resolver


def test_powertools_compiles_routes_with_the_private_method_this_overrides():
    assert list(inspect.signature(ApiGatewayResolver._compile_regex).parameters) == ["rule", "base_regex"]
    assert APIGatewayRestResolver._compile_regex is not Resolver._compile_regex
    assert "_compile_regex(" in inspect.getsource(ApiGatewayResolver.route) + inspect.getsource(
        APIGatewayRestResolver)


def test_routes_match_whole_paths_only():
    app = Resolver()

    @app.get("/info/<section>")
    def section(section: str) -> dict:
        return {"section": section}

    def status(path: str) -> int:
        return app.resolve({"path": path, "httpMethod": "GET", "resource": "/info/{section}", "headers": {},
                            "requestContext": {"stage": "dev", "requestId": "r"}}, None)["statusCode"]

    assert ApiGatewayResolver._compile_regex("/info", ANCHORED).match("/info\n") is None
    assert status("/info/hours") == 200 and status("/info/hours/") == 200
    assert status("/info/hours\n") == 404  # Powertools' own "$" would route it to section("hours")
