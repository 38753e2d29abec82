"""Lambda handler of the tickets service: POST/GET /tickets, GET/DELETE /tickets/{id}, GET /tickets/{id}/document."""

import functools
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query

from shared.http import api_handler, new_resolver
from shared.identity import identity_from_event
from shared.models import Ticket, TicketDocument, TicketIn, TicketPage
from shared.observability import tracer

from tickets_settings import get_settings

app = new_resolver()

@functools.cache
def _get_service() -> Any:
    """Build the data access and logic once per container, on first use."""
    from tickets_dal import TicketsStore, idempotency_store
    from tickets_documents import TicketDocuments
    from tickets_logic import TicketsService

    settings = get_settings()
    return TicketsService(
        TicketsStore(settings.tickets_table, settings.shows_table),
        idempotency_store(settings.idempotency_table),
        settings.idempotency_ttl_seconds,
        TicketDocuments(settings.documents_path) if settings.documents_path else None,
    )


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


@app.get("/tickets/<id>/document")
@tracer.capture_method
def get_ticket_document(id: Annotated[str, Path(min_length=1, max_length=64)]) -> TicketDocument:  # noqa: A002
    return _get_service().ticket_document(_caller(), id)


@app.delete("/tickets/<id>")
@tracer.capture_method
def cancel_ticket(id: Annotated[str, Path(min_length=1, max_length=64)]) -> Ticket:  # noqa: A002
    return _get_service().cancel_ticket(_caller(), id)


def _register_context(event: dict, context) -> None:
    if event.get("httpMethod") == "POST":
        _get_service().register_lambda_context(context)


handler = api_handler(app, get_settings, before=_register_context)
