"""Lambda handler of the tickets service: POST/GET /tickets, GET/DELETE /tickets/{id}."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.http import register_error_handlers, with_cors
from shared.identity import identity_from_event
from shared.models import Ticket, TicketIn, TicketPage
from shared.observability import API_CORRELATION_PATH, logger, metrics, tracer

from tickets_settings import get_settings

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500)
register_error_handlers(app)

_service: Any = None


def _get_service() -> Any:
    """Build the data access and logic once per container, on first use."""
    global _service
    if _service is None:
        from tickets_dal import TicketsStore, idempotency_store
        from tickets_logic import TicketsService

        settings = get_settings()
        _service = TicketsService(
            TicketsStore(settings.tickets_table, settings.shows_table),
            idempotency_store(settings.idempotency_table),
            settings.idempotency_ttl_seconds,
        )
    return _service


def _caller() -> Any:
    return identity_from_event(app.current_event.raw_event)


@app.post("/tickets")
@tracer.capture_method
def buy_tickets(
    body: TicketIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="Retries with the same key return the same ticket and never buy twice",
        ),
    ] = None,
) -> Response[Ticket]:
    caller = _caller()
    ticket = _get_service().buy(caller, body, idempotency_key)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=ticket,
        headers={"Location": f"/tickets/{ticket.id}"},
    )


@app.get("/tickets")
@tracer.capture_method
def list_tickets(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> TicketPage:
    return _get_service().list_tickets(_caller(), limit, cursor)


@app.get("/tickets/<id>")
@tracer.capture_method
def get_ticket(id: Annotated[str, Path(min_length=1, max_length=64)]) -> Ticket:  # noqa: A002
    return _get_service().get_ticket(_caller(), id)


@app.delete("/tickets/<id>")
@tracer.capture_method
def cancel_ticket(id: Annotated[str, Path(min_length=1, max_length=64)]) -> Ticket:  # noqa: A002
    return _get_service().cancel_ticket(_caller(), id)


@logger.inject_lambda_context(correlation_id_path=API_CORRELATION_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    settings = get_settings()  # fails clearly on a bad environment, at cold start
    if event.get("httpMethod") == "POST":
        _get_service().register_lambda_context(context)
    return with_cors(app.resolve(event, context), settings.cors_origin)
