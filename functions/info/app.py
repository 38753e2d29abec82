"""Lambda handler of the info service: GET /info and GET /info/{section}.

``INFO_SOURCE=postgres`` reads PostgreSQL (credentials from Secrets Manager);
``INFO_SOURCE=s3`` reads ``<INFO_PREFIX>venue.json`` from ``INFO_BUCKET``.
"""

import functools
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared import api
from shared.http import api_handler, new_resolver, route
from shared.models import InfoSection, InfoSectionOut, VenueInfo
from shared.observability import tracer

from info_settings import get_settings

app = new_resolver()

@functools.cache
def _get_service() -> Any:
    """Build the configured source once per container, on first use."""
    from info_dal import PostgresInfoSource, S3InfoSource
    from info_logic import InfoService

    settings = get_settings()
    if settings.source == "postgres":
        from shared.config import load_settings
        from shared.db import Database, DatabaseSettings

        source: Any = PostgresInfoSource(Database(load_settings(DatabaseSettings), "multitier-info"))
    else:
        source = S3InfoSource(settings.bucket, settings.prefix)
    return InfoService(source)


@route(app, api.GET_INFO)
@tracer.capture_method
def get_info() -> VenueInfo:
    return _get_service().venue_info()


@route(app, api.GET_INFO_SECTION)
@tracer.capture_method
def get_info_section(section: Annotated[InfoSection, Path()]) -> InfoSectionOut:
    return _get_service().section(section)


handler = api_handler(app, get_settings)
