"""What the services take from Powertools beyond its public interface, in one place.

Powertools turns each route into a regular expression with the private
``ApiGatewayResolver._compile_regex(rule, base_regex)``, anchored with ``$``, which also
matches before a final newline: ``/info/%0A`` would answer as ``/info``. ``Resolver``
anchors with ``\\Z``. ``tests/functions/test_powertools_internals.py`` names what this
relies on, so a Powertools upgrade that changes it fails there.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

ANCHORED = "^{}/*\\Z"  # the route, optional trailing slashes, and the end of the path: nothing after


class Resolver(APIGatewayRestResolver):
    """Powertools' REST resolver, its routes matching whole paths only."""

    @staticmethod
    def _compile_regex(rule: str, base_regex: str = "") -> Any:
        return ApiGatewayResolver._compile_regex(rule, ANCHORED)
