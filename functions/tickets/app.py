"""Lambda handler of the tickets service: POST/GET /tickets, GET /tickets/{id}, POST /tickets/{id}/cancel,
GET /tickets/{id}/document."""

import functools
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query

from shared import api
from shared.http import api_handler, location, new_resolver, route
from shared.identity import identity_from_event
from shared.models import Id, PageQuery, PurchaseHeaders, Ticket, TicketDocument, TicketIn, TicketPage
from shared.observability import tracer

from tickets_settings import get_settings

app = new_resolver()

@functools.cache
def _get_service() -> Any:
    """Build the data access and logic once per container, on first use."""
    from shared.cache import cache_of
    from tickets_dal import TicketsStore, idempotency_store
    from tickets_documents import TicketDocuments
    from tickets_logic import TicketsService

    settings = get_settings()
    return TicketsService(
        TicketsStore(settings.tickets_table, settings.shows_table),
        idempotency_store(settings.idempotency_table),
        settings.idempotency_ttl_seconds,
        TicketDocuments(settings.documents_path) if settings.documents_path else None,
        cache_of(settings),
    )


def _caller() -> Any:
    return identity_from_event(app.current_event.raw_event)


@route(app, api.BUY_TICKETS)
@tracer.capture_method
def buy_tickets(body: TicketIn, headers: Annotated[PurchaseHeaders, Header()]) -> Response[Ticket]:
    ticket = _get_service().buy(_caller(), body, headers.idempotency_key)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=ticket,
        headers={"Location": location(app.current_event.raw_event, f"/tickets/{ticket.id}")},
    )


@route(app, api.LIST_TICKETS)
@tracer.capture_method
def list_tickets(query: Annotated[PageQuery, Query()]) -> TicketPage:
    return _get_service().list_tickets(_caller(), query.limit, query.cursor)


@route(app, api.GET_TICKET)
@tracer.capture_method
def get_ticket(id: Annotated[Id, Path()]) -> Ticket:  # noqa: A002 (the route is /tickets/{id})
    return _get_service().get_ticket(_caller(), id)


@route(app, api.GET_TICKET_DOCUMENT)
@tracer.capture_method
def get_ticket_document(id: Annotated[Id, Path()]) -> TicketDocument:  # noqa: A002
    return _get_service().ticket_document(_caller(), id)


@route(app, api.CANCEL_TICKET)
@tracer.capture_method
def cancel_ticket(id: Annotated[Id, Path()]) -> Ticket:  # noqa: A002
    return _get_service().cancel_ticket(_caller(), id)


def _register_context(event: dict, context) -> None:
    if event.get("httpMethod") == "POST":
        _get_service().register_lambda_context(context)


handler = api_handler(app, get_settings, before=_register_context)
