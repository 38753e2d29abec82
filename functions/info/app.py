"""Lambda handler of the info service: GET /info and GET /info/{section}.

``INFO_SOURCE=postgres`` reads PostgreSQL (credentials from Secrets Manager);
``INFO_SOURCE=s3`` reads ``<INFO_PREFIX>venue.json`` from ``INFO_BUCKET``.
"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.http import register_error_handlers, with_cors
from shared.models import InfoSection, InfoSectionOut, VenueInfo
from shared.observability import API_CORRELATION_PATH, logger, metrics, tracer

from info_settings import get_settings

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500)
register_error_handlers(app)

_service: Any = None


def _get_service() -> Any:
    """Build the configured source once per container, on first use."""
    global _service
    if _service is None:
        from info_dal import PostgresInfoSource, S3InfoSource
        from info_logic import InfoService

        settings = get_settings()
        if settings.source == "postgres":
            from shared.config import load_settings
            from shared.db import Database, DatabaseSettings

            source: Any = PostgresInfoSource(Database(load_settings(DatabaseSettings), "multitier-info"))
        else:
            source = S3InfoSource(settings.bucket, settings.prefix)
        _service = InfoService(source)
    return _service


@app.get("/info")
@tracer.capture_method
def get_info() -> VenueInfo:
    return _get_service().venue_info()


@app.get("/info/<section>")
@tracer.capture_method
def get_info_section(section: Annotated[InfoSection, Path()]) -> InfoSectionOut:
    return _get_service().section(section)


@logger.inject_lambda_context(correlation_id_path=API_CORRELATION_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    settings = get_settings()  # fails clearly on a bad environment, at cold start
    return with_cors(app.resolve(event, context), settings.cors_origin)
