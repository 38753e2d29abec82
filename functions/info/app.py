"""Lambda handler of the info service: GET /info and GET /info/{section}.

``INFO_SOURCE=postgres`` reads PostgreSQL (credentials from Secrets Manager);
``INFO_SOURCE=s3`` reads ``<INFO_PREFIX>venue.json`` from ``INFO_BUCKET``. Behind a
non-proxy integration the same service answers through ``info_mapped.handler``.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared import api
from shared.http import api_handler, new_resolver, route
from shared.models import InfoSection, InfoSectionOut, VenueInfo
from shared.observability import tracer

from info_settings import get_settings

app = new_resolver()


def _time_left() -> float:
    """Seconds the current request's invocation has left (a resuming database is retried until then)."""
    from shared.db import seconds_left

    return seconds_left(app.lambda_context)


@route(app, api.GET_INFO)
@tracer.capture_method
def get_info() -> VenueInfo:
    from info_logic import configured_service

    return configured_service(_time_left).venue_info()


@route(app, api.GET_INFO_SECTION)
@tracer.capture_method
def get_info_section(section: Annotated[InfoSection, Path()]) -> InfoSectionOut:
    from info_logic import configured_service

    return configured_service(_time_left).section(section)


handler = api_handler(app, get_settings)
